// SPDX-License-Identifier: BSD-2-Clause
// http_endpoint.h: the address the metrics HTTP server listens on, "[HOST:]PORT" as the metrics setting
// takes it: PORT alone means 127.0.0.1, HOST is a numeric IPv4 address or a bracketed IPv6 one.
// Thread safety: plain value types and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "rewrite/error.h"

namespace rewrite::milter {

struct HttpEndpoint {
  std::string host;  // numeric, without brackets: "127.0.0.1", "::1"; empty when off
  bool v6 = false;
  int port = 0;      // 1..65535; 0 when off

  bool enabled() const { return port != 0; }
  // "127.0.0.1:9811" or "[::1]:9811", for logs.
  std::string to_string() const;
};

// Parses "9811", "127.0.0.1:9811" or "[::1]:9811". Returns the endpoint, or what is wrong.
Result<HttpEndpoint> parse_http_endpoint(std::string_view text);

}  // namespace rewrite::milter
