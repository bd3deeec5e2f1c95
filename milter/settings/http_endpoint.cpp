// SPDX-License-Identifier: BSD-2-Clause
// http_endpoint.cpp: parsing the metrics setting's address (see http_endpoint.h).
#include "http_endpoint.h"

#include <arpa/inet.h>

#include <charconv>

namespace rewrite::milter {

std::string HttpEndpoint::to_string() const {
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HttpEndpoint> parse_http_endpoint(std::string_view text) {
  HttpEndpoint endpoint;
  std::string_view port = text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error("'" + std::string(text) + "' is not [IPV6]:PORT");
    }
    endpoint.host = std::string(text.substr(1, close - 1));
    endpoint.v6 = true;
    port = text.substr(close + 2);
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    endpoint.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  } else {
    endpoint.host = "127.0.0.1";
  }
  unsigned char address[16];
  if (inet_pton(endpoint.v6 ? AF_INET6 : AF_INET, endpoint.host.c_str(), address) != 1) {
    return Error("'" + endpoint.host + "' is not a numeric " + (endpoint.v6 ? "IPv6" : "IPv4") +
                 " address (write IPv6 in brackets)");
  }
  int number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
    return Error("'" + std::string(port) + "' is not a port from 1 to 65535");
  }
  endpoint.port = number;
  return endpoint;
}

}  // namespace rewrite::milter
