// fuzz_rules_csv.cpp: RuleTable::parse on arbitrary bytes read as a CSV rules file (Exchange's export); a table that loads must
// answer lookups for its own rules as rewrite-rules(5) says (fuzz_checks.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "<fuzz>", rewrite::RuleFormat::csv);
  if (!loaded.ok()) {
    rewrite_fuzz::require(!loaded.errors.empty(), "a table failed to load without an error");
    for (const rewrite::ConfigError& error : loaded.errors) {
      rewrite_fuzz::require(!error.reason.empty() && error.line >= 0, "an error without a reason or line");
    }
    return 0;
  }
  rewrite_fuzz::check_table(*loaded.table, 64);
  return 0;
}
