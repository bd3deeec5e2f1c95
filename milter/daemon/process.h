// SPDX-License-Identifier: BSD-2-Clause
// process.h: Unix process chores for the daemon: detaching, the pid file, dropping privileges, the
// socket file's owner. No libmilter here. Each function returns an Error, empty on success.
#pragma once

#include <string>

#include "rewrite/error.h"

namespace rewrite::milter {

// Forks into the background, starts a new session, changes to / and points stdin/out/err at /dev/null.
Error daemonize();

// Writes the current process id to path.
Error write_pid_file(const std::string& path);

// Gives a Unix-domain socket path (from "unix:/path" or "local:/path") to user and group (either may be
// empty) so that an MTA in that group can connect. Does nothing for inet sockets.
Error chown_socket(const std::string& spec, const std::string& user, const std::string& group);

// Returns the file system path of a unix:/local: socket spec, "" for inet sockets.
std::string socket_path(const std::string& spec);

// Switches to group (or user's primary group) and user: setgid, initgroups, setuid. Empty user and
// group mean no change.
Error drop_privileges(const std::string& user, const std::string& group);

}  // namespace rewrite::milter
