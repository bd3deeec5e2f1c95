// SPDX-License-Identifier: BSD-2-Clause
// process.cpp: daemonizing, pid file, privilege dropping (see process.h).
#include "process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rewrite::milter {

namespace {

// Returns "what: strerror(errno)".
Error system_error(const std::string& what) { return Error(what + ": " + std::strerror(errno)); }

}  // namespace

Error daemonize() {
  // Classic double fork so the daemon is not a session leader and cannot regain a terminal.
  pid_t pid = fork();
  if (pid < 0) return (system_error("fork"));
  if (pid > 0) _exit(0);
  if (setsid() < 0) return (system_error("setsid"));
  pid = fork();
  if (pid < 0) return (system_error("fork"));
  if (pid > 0) _exit(0);
  if (chdir("/") != 0) return (system_error("chdir /"));
  const int null = open("/dev/null", O_RDWR);
  if (null < 0) return (system_error("open /dev/null"));
  dup2(null, STDIN_FILENO);
  dup2(null, STDOUT_FILENO);
  dup2(null, STDERR_FILENO);
  if (null > STDERR_FILENO) close(null);
  return Error();
}

Error write_pid_file(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return (system_error("pid file " + path));
  fchmod(fileno(file), 0644);
  std::fprintf(file, "%ld\n", static_cast<long>(getpid()));
  if (std::fclose(file) != 0) return (system_error("pid file " + path));
  return Error();
}

std::string socket_path(const std::string& spec) {
  for (const char* prefix : {"unix:", "local:"}) {
    if (spec.rfind(prefix, 0) == 0) return spec.substr(std::strlen(prefix));
  }
  return "";
}

Error chown_socket(const std::string& spec, const std::string& user, const std::string& group) {
  // The socket was created by root (umask 007, so rw for owner and group); hand it over.
  const std::string path = socket_path(spec);
  if (path.empty() || (user.empty() && group.empty())) return Error();
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr) return Error("no such user " + user);
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (!group.empty()) {
    const struct group* gr = getgrnam(group.c_str());
    if (gr == nullptr) return Error("no such group " + group);
    gid = gr->gr_gid;
  }
  if (chown(path.c_str(), uid, gid) != 0) return (system_error("chown " + path));
  return Error();
}

Error drop_privileges(const std::string& user, const std::string& group) {
  // Group first (needs root), then supplementary groups, then the user id last.
  if (user.empty() && group.empty()) return Error();
  gid_t gid = getgid();
  const passwd* pw = nullptr;
  if (!user.empty()) {
    pw = getpwnam(user.c_str());
    if (pw == nullptr) return Error("no such user " + user);
    gid = pw->pw_gid;
  }
  if (!group.empty()) {
    const struct group* gr = getgrnam(group.c_str());
    if (gr == nullptr) return Error("no such group " + group);
    gid = gr->gr_gid;
  }
  // Already that user and group (started unprivileged, e.g. by systemd's User=): nothing to drop.
  if (getegid() == gid && (pw == nullptr || geteuid() == pw->pw_uid) && geteuid() != 0) return Error();
  if (setgid(gid) != 0) return (system_error("setgid"));
  if (pw != nullptr) {
    if (initgroups(pw->pw_name, gid) != 0) return (system_error("initgroups"));
    if (setuid(pw->pw_uid) != 0) return (system_error("setuid"));
  } else if (setgroups(1, &gid) != 0 && errno != EPERM) {
    return (system_error("setgroups"));
  }
  return Error();
}

}  // namespace rewrite::milter
