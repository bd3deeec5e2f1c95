// SPDX-License-Identifier: BSD-2-Clause
// test_listener_wake.cpp: wake_listener() reaches a listening socket of each spec form the daemon
// accepts (unix:, local:, inet: with and without a host), and reports a socket nobody listens on.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "listener_wake.h"

namespace rewrite::milter {
namespace {

// A listening socket made for one test, closed (and unlinked) at the end.
class Listener {
 public:
  // Listens on a new unix socket under a fresh temporary directory.
  Listener() {
    char dir[] = "/tmp/rewrite-wake-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/milter.sock";
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, path_.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd_, 4) == 0);
  }

  // Listens on 127.0.0.1 (or every address with any = true) at a port the kernel picks.
  explicit Listener(bool any) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd_, 4) == 0);
    socklen_t size = sizeof address;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port_ = ntohs(address.sin_port);
  }

  ~Listener() {
    close(fd_);
    if (!path_.empty()) {
      unlink(path_.c_str());
      rmdir(dir_.c_str());
    }
  }

  // True when a connection is waiting to be accepted (it is accepted and closed).
  bool was_woken() const {
    pollfd polled{fd_, POLLIN, 0};
    if (poll(&polled, 1, 2000) != 1) return false;
    const int connection = accept(fd_, nullptr, nullptr);
    if (connection < 0) return false;
    close(connection);
    return true;
  }

  const std::string& path() const { return path_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string path_;
};

}  // namespace

TEST_CASE("a unix or local socket spec wakes the listener on that path", "[listener_wake]") {
  Listener listener;
  CHECK_FALSE(wake_listener("unix:" + listener.path()));
  CHECK(listener.was_woken());
  CHECK_FALSE(wake_listener("local:" + listener.path()));
  CHECK(listener.was_woken());
}

TEST_CASE("an inet spec wakes the listener, a wildcard or missing host through loopback", "[listener_wake]") {
  Listener loopback(false);
  CHECK_FALSE(wake_listener("inet:" + std::to_string(loopback.port()) + "@127.0.0.1"));
  CHECK(loopback.was_woken());
  CHECK_FALSE(wake_listener("inet:" + std::to_string(loopback.port()) + "@localhost"));
  CHECK(loopback.was_woken());

  Listener any(true);
  CHECK_FALSE(wake_listener("inet:" + std::to_string(any.port())));
  CHECK(any.was_woken());
  CHECK_FALSE(wake_listener("inet:" + std::to_string(any.port()) + "@0.0.0.0"));
  CHECK(any.was_woken());
}

TEST_CASE("a socket nobody listens on is reported", "[listener_wake]") {
  std::string path;
  {
    Listener gone;
    path = gone.path();
  }
  const std::string error = wake_listener("unix:" + path).message();
  CHECK(error.rfind("connect: ", 0) == 0);
  CHECK(wake_listener("no-such-form"));
}

}  // namespace rewrite::milter
