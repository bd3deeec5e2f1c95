/* SPDX-License-Identifier: BSD-2-Clause */
/* first-touch.c: what the machine charges for memory a process writes for the first time, the floor
 * under loading a large rules table (every byte of a new table is such memory). For a fresh anonymous
 * mapping of N MiB (default 1024), three times: the first write in 4 KiB pages, the same with the
 * mapping advised as huge pages (MADV_HUGEPAGE, 2 MiB), and a second write over pages already
 * present, which costs only the memory bandwidth. Prints MB/s for each; see bench/README.md. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Writes a new mapping of bytes twice; returns the first write's and the second's MB/s. */
static int measure(size_t bytes, int huge, double *first, double *second) {
  char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return -1;
  if (huge) madvise(memory, bytes, MADV_HUGEPAGE);
  const double megabytes = (double)bytes / (1024.0 * 1024.0);
  double start = seconds();
  memset(memory, 1, bytes);
  *first = megabytes / (seconds() - start);
  start = seconds();
  memset(memory, 2, bytes);
  *second = megabytes / (seconds() - start);
  munmap(memory, bytes);
  return 0;
}

int main(int argc, char **argv) {
  const long mebibytes = argc > 1 ? atol(argv[1]) : 1024;
  if (mebibytes <= 0) {
    fprintf(stderr, "usage: first-touch [MiB]\n");
    return 2;
  }
  const size_t bytes = (size_t)mebibytes << 20;
  for (int round = 1; round <= 3; ++round) {
    double small_first, small_again, huge_first, huge_again;
    if (measure(bytes, 0, &small_first, &small_again) != 0 || measure(bytes, 1, &huge_first, &huge_again) != 0) {
      perror("first-touch: mmap");
      return 1;
    }
    printf("round %d, %ld MiB: first write 4 KiB pages %6.0f MB/s, 2 MiB pages %6.0f MB/s; pages present %6.0f MB/s\n",
           round, mebibytes, small_first, huge_first, (small_again + huge_again) / 2);
  }
  return 0;
}
