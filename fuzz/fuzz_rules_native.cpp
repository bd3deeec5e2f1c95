// SPDX-License-Identifier: BSD-2-Clause
// fuzz_rules_native.cpp: RuleTable::parse on arbitrary bytes read as a native rules file; a table that loads must
// answer lookups for its own rules as rewrite-rules(5) says (fuzz_checks.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rewrite_fuzz::check_rules_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                 rewrite::RuleFormat::native);
  return 0;
}
