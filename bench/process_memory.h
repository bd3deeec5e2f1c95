// SPDX-License-Identifier: BSD-2-Clause
// process_memory.h: the resident memory of this process, for reporting what a rule table costs.
#pragma once

#include <cstddef>

namespace rewrite_bench {

// Returns the resident set size in bytes now (from /proc/self/statm), or 0 when it cannot be read.
std::size_t resident_bytes();

// Returns the peak resident set size in bytes so far (getrusage ru_maxrss).
std::size_t peak_resident_bytes();

}  // namespace rewrite_bench
