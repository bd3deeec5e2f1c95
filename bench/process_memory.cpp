// SPDX-License-Identifier: BSD-2-Clause
// process_memory.cpp: reading the resident set size from /proc/self/statm and getrusage.
#include "process_memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace rewrite_bench {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t peak_resident_bytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

}  // namespace rewrite_bench
