// SPDX-License-Identifier: BSD-2-Clause
// classify.cpp: outbound/inbound decision for a message (see classify.h).
#include "classify.h"

#include <strings.h>

#include <initializer_list>
#include <string_view>

namespace rewrite::milter {

bool is_postfix_non_smtp(const ClientInfo& client) {
  // Postfix's cleanup(8) pretends mail without a client arrives from localhost/127.0.0.1 with port "0".
  return client.family == ClientInfo::Family::inet && client.port == 0 &&
         client.address == "127.0.0.1" && strcasecmp(client.hostname.c_str(), "localhost") == 0;
}

Classification classify(const ClientInfo& client, const std::string& auth_authen,
                        const std::string& daemon_name, const ClassifySettings& settings, bool with_reason) {
  // The decision with its reason joined from pieces, or without one when none is wanted.
  const auto decided = [with_reason](Direction direction, std::initializer_list<std::string_view> pieces) {
    Classification out{direction, {}};
    if (!with_reason) return out;
    for (const std::string_view piece : pieces) out.reason.append(piece);
    return out;
  };
  // Checks the trusted markers in a fixed order so that the logged reason is predictable.
  if (!daemon_name.empty()) {
    for (const std::string& name : settings.outbound_daemon_names) {
      if (strcasecmp(name.c_str(), daemon_name.c_str()) == 0) {
        return decided(Direction::outbound, {"daemon name ", daemon_name, " is an outbound daemon name"});
      }
    }
  }
  if (!auth_authen.empty()) {
    return decided(Direction::outbound, {"client authenticated as ", auth_authen});
  }
  switch (client.family) {
    case ClientInfo::Family::none:
      return decided(Direction::outbound, {"local submission (no client address)"});
    case ClientInfo::Family::local:
      return decided(Direction::outbound, {"local submission (Unix-domain socket)"});
    case ClientInfo::Family::inet:
    case ClientInfo::Family::inet6:
      break;
  }
  if (is_postfix_non_smtp(client)) {
    return decided(Direction::outbound, {"local submission (Postfix non-SMTP mail: localhost, 127.0.0.1, port 0)"});
  }
  if (const auto address = parse_ip(client.address)) {
    if (const Cidr* network = find_network(settings.internal_hosts, *address)) {
      return decided(Direction::outbound,
                     {"client address ", client.address, " is in internal hosts ", network->text});
    }
    return decided(Direction::inbound, {"client ", client.hostname, "[", client.address,
                                        "] is not internal, not authenticated, no outbound daemon name"});
  }
  return decided(Direction::inbound, {"client address '", client.address, "' unreadable; treated as external"});
}

}  // namespace rewrite::milter
