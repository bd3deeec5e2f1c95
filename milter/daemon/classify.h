// SPDX-License-Identifier: BSD-2-Clause
// classify.h: decides whether a message is outbound (from a trusted client: internal host, authenticated,
// marked by a daemon name, or submitted locally) or inbound, and says why. See rewrite-milter(8),
// OPERATION. Thread safety: pure function of its inputs.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "rewrite/rule_table.h"

namespace rewrite::milter {

// The client as the MTA describes it at connect time.
struct ClientInfo {
  enum class Family {
    none,    // no address: Sendmail's local (non-SMTP) submissions
    inet,    // IPv4
    inet6,   // IPv6
    local,   // a Unix-domain socket peer
  };
  Family family = Family::none;
  std::string hostname;  // the MTA's name for the client ("localhost", "[1.2.3.4]", ...)
  std::string address;   // textual address for inet/inet6, empty otherwise
  unsigned port = 0;     // client port for inet/inet6; 0 in Postfix's non-SMTP emulation
};

struct Classification {
  Direction direction = Direction::inbound;
  std::string reason;  // for the debug log
};

// True when the connection is Postfix's emulation for non_smtpd_milters (sendmail(1), pickup):
// client "localhost", address 127.0.0.1, port 0. A real TCP client never has port 0.
bool is_postfix_non_smtp(const ClientInfo& client);

// Classifies one message. auth_authen is the {auth_authen} macro ("" when unset), daemon_name the
// {daemon_name} macro ("" when unset). Outbound when, in this order: the daemon name is listed, the
// client authenticated, the submission is local (no address, a Unix socket, or Postfix's non-SMTP
// emulation), or the client address is in internal_hosts. Otherwise inbound. The reason is written only
// with_reason (the daemon asks for it when it logs at debug level; the direction is the same).
Classification classify(const ClientInfo& client, const std::string& auth_authen,
                        const std::string& daemon_name, const ClassifySettings& settings, bool with_reason = true);

}  // namespace rewrite::milter
