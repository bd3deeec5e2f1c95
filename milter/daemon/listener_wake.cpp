// SPDX-License-Identifier: BSD-2-Clause
// listener_wake.cpp: connect-and-close to the daemon's own milter socket (see listener_wake.h).
#include "listener_wake.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process.h"

namespace rewrite::milter {
namespace {

// Connects a new socket of the address's family to it and closes it; returns the error, if any.
Error connect_and_close(int family, const sockaddr* address, socklen_t size) {
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  const int status = connect(fd, address, size);
  const int error = errno;
  close(fd);
  return status == 0 ? Error() : Error(std::string("connect: ") + std::strerror(error));
}

// The host to dial for an inet listener bound to host: loopback instead of "any" or nothing.
std::string dial_host(std::string host, bool v6) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "*") return v6 ? "::1" : "127.0.0.1";
  return host;
}

}  // namespace

Error wake_listener(const std::string& spec) {
  if (const std::string path = socket_path(spec); !path.empty()) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return Error("socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return connect_and_close(AF_UNIX, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  const bool v6 = spec.rfind("inet6:", 0) == 0;
  if (!v6 && spec.rfind("inet:", 0) != 0) return Error("not a socket spec: " + spec);
  const std::string rest = spec.substr(v6 ? 6 : 5);
  const std::size_t at = rest.find('@');
  const std::string port = rest.substr(0, at);
  const std::string host = dial_host(at == std::string::npos ? "" : rest.substr(at + 1), v6);
  addrinfo hints{};
  hints.ai_family = v6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int status = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); status != 0) {
    return Error("cannot resolve " + host + ": " + gai_strerror(status));
  }
  Error error("no address for " + host);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    error = connect_and_close(a->ai_family, a->ai_addr, a->ai_addrlen);
    if (!error) break;
  }
  freeaddrinfo(found);
  return error;
}

}  // namespace rewrite::milter
