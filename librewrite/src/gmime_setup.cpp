// SPDX-License-Identifier: BSD-2-Clause
// gmime_setup.cpp: GMime start-up, once per process (see gmime_setup.h).
#include "rewrite/gmime_setup.h"

#include <gmime/gmime.h>

#include <mutex>

namespace rewrite {

void initialize_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace rewrite
