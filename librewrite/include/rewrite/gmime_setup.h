// SPDX-License-Identifier: BSD-2-Clause
// gmime_setup.h: GMime start-up for the process. librewrite's GMime calls need g_mime_init() once before
// the first; both front ends call initialize_gmime() at start, before any thread is started, and
// librewrite calls it again before each parse, which then costs one atomic load.
// Thread safety: initialize_gmime() may be called from any thread, any number of times.
#pragma once

namespace rewrite {

// Calls g_mime_init() once for the process (idempotent, thread-safe).
void initialize_gmime();

}  // namespace rewrite
