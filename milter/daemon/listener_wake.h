// SPDX-License-Identifier: BSD-2-Clause
// listener_wake.h: one connection to the daemon's own milter socket. libmilter's listener checks for a
// stop request only between waits of up to five seconds; a connection ends that wait, so SIGTERM
// stops the daemon at once. No libmilter here.
#pragma once

#include <string>

#include "rewrite/error.h"

namespace rewrite::milter {

// Connects to the socket of a normalized spec (unix:/path, local:/path, inet:PORT, inet:PORT@HOST,
// inet6:PORT@HOST) and closes the connection again. A wildcard or missing host means loopback.
// Returns the error, empty on success.
Error wake_listener(const std::string& spec);

}  // namespace rewrite::milter
