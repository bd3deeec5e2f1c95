// SPDX-License-Identifier: BSD-2-Clause
// metrics_server.cpp: the /metrics endpoint on libmicrohttpd (see metrics_server.h).
#include "metrics_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace rewrite::milter {
namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Queues one response with body text and status; true when libmicrohttpd took it.
MHD_Result respond(MHD_Connection* connection, unsigned int status, const std::string& body,
                   const char* content_type, const char* allow = nullptr) {
  MHD_Response* response =
      MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (allow != nullptr) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

// libmicrohttpd's request handler: a C callback, so nothing may throw out of it.
MHD_Result handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char*, size_t* upload_size, void**) noexcept {
  try {
    if (*upload_size != 0) {  // a request body: not ours to read
      *upload_size = 0;
      return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain", "GET, HEAD");
    }
    if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 && std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
      return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain", "GET, HEAD");
    }
    if (std::strcmp(url, "/metrics") != 0) {
      return respond(connection, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n", "text/plain");
    }
    return respond(connection, MHD_HTTP_OK, static_cast<const Metrics*>(cls)->render(), kContentType);
  } catch (...) {
    return MHD_NO;  // libmicrohttpd closes the connection
  }
}

}  // namespace

MetricsServer::~MetricsServer() { stop(); }

Error MetricsServer::start(const HttpEndpoint& endpoint, const Metrics& metrics) {
  sockaddr_storage address{};
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  if (endpoint.v6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(endpoint.port));
    if (inet_pton(AF_INET6, endpoint.host.c_str(), &v6->sin6_addr) != 1) return Error("bad address " + endpoint.host);
    flags |= MHD_USE_IPv6;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(endpoint.port));
    if (inet_pton(AF_INET, endpoint.host.c_str(), &v4->sin_addr) != 1) return Error("bad address " + endpoint.host);
  }
  daemon_ = MHD_start_daemon(flags, static_cast<uint16_t>(endpoint.port), nullptr, nullptr, &handle,
                             const_cast<Metrics*>(&metrics), MHD_OPTION_SOCK_ADDR, &address,
                             MHD_OPTION_CONNECTION_LIMIT, 16U, MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
  if (daemon_ == nullptr) return Error("cannot serve metrics on " + endpoint.to_string() + " (address in use?)");
  return Error();
}

void MetricsServer::stop() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

}  // namespace rewrite::milter
