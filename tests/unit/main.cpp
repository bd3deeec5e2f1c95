// SPDX-License-Identifier: BSD-2-Clause
// main.cpp: the Catch2 entry point shared by the unit test binaries; GMime is initialised once here.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "rewrite/header_rewriter.h"

int main(int argc, char* argv[]) {
  rewrite::initialize_gmime();
  return Catch::Session().run(argc, argv);
}
