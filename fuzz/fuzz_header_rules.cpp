// SPDX-License-Identifier: BSD-2-Clause
// fuzz_header_rules.cpp: rules and header value both from the input, split at the first line "%%"
// (rules text before it, the header value after it; without it the whole input is both). When the rules
// load, rewrite_header_value must keep the properties of fuzz_checks.h in both directions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  rewrite::initialize_gmime();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view rules = input;
  std::string_view value = input;
  if (const std::size_t split = input.find("\n%%\n"); split != std::string_view::npos) {
    rules = input.substr(0, split);
    value = input.substr(split + 4);
  }
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(rules, "<fuzz>", rewrite::RuleFormat::detect);
  if (!loaded.ok()) return 0;
  rewrite_fuzz::check_header_rewrite(value, *loaded.table, rewrite::Direction::outbound);
  rewrite_fuzz::check_header_rewrite(value, *loaded.table, rewrite::Direction::inbound);
  return 0;
}
