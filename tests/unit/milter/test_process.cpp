// SPDX-License-Identifier: BSD-2-Clause
// test_process.cpp: the daemon's process chores that can be checked without detaching: dropping
// privileges, including when the process already runs as the configured user.
#include <catch2/catch.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

namespace rewrite::milter {

TEST_CASE("dropping privileges to the user and group already in effect succeeds", "[process]") {
  if (geteuid() != 0) {
    const passwd* pw = getpwuid(geteuid());
    const struct group* gr = getgrgid(getegid());
    REQUIRE(pw != nullptr);
    REQUIRE(gr != nullptr);
    CHECK_FALSE(drop_privileges(pw->pw_name, gr->gr_name));
    return;
  }
  // As root: a child becomes nobody first, as systemd's User= would start it, then asks again.
  const passwd* nobody = getpwnam("nobody");
  REQUIRE(nobody != nullptr);
  const struct group* nogroup = getgrgid(nobody->pw_gid);
  REQUIRE(nogroup != nullptr);
  const std::string user = nobody->pw_name;
  const std::string group = nogroup->gr_name;
  const gid_t gid = nobody->pw_gid;
  const uid_t uid = nobody->pw_uid;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(3);
    _exit(drop_privileges(user, group) ? 1 : 0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("dropping privileges to an unknown user or group is an error", "[process]") {
  CHECK(drop_privileges("no-such-user-rewrite-milter", "").message() == "no such user no-such-user-rewrite-milter");
  CHECK(drop_privileges("", "no-such-group-rewrite-milter").message() == "no such group no-such-group-rewrite-milter");
}

}  // namespace rewrite::milter
