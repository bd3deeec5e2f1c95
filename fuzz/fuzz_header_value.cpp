// SPDX-License-Identifier: BSD-2-Clause
// fuzz_header_value.cpp: rewrite_header_value on arbitrary bytes as a header value, with the seed rules
// of rewrite-rules(5), in both directions; results must keep the properties of fuzz_checks.h, and a
// value the plain form admits must read the same to GMime, and the value as one address must be judged
// alike by both address checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  rewrite::initialize_gmime();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  rewrite_fuzz::check_header_rewrite(value, rewrite_fuzz::seed_table(), rewrite::Direction::outbound);
  rewrite_fuzz::check_header_rewrite(value, rewrite_fuzz::seed_table(), rewrite::Direction::inbound);
  rewrite_fuzz::check_plain_promise(value);
  rewrite_fuzz::check_address_validity(value);
  return 0;
}
