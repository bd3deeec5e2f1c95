// header_policy.h: which top-level header fields each direction may change, and the fields that are never
// touched whatever the configuration says. Thread safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/rule_table.h"

namespace rewrite {

// The outbound default: From, Sender, Reply-To, To, Cc, Return-Receipt-To,
// Disposition-Notification-To, Resent-From, Resent-Sender.
const std::vector<std::string>& default_outbound_headers();

// Fields that are never rewritten: Return-Path, Received, Message-ID, Content-Type and the other
// MIME fields, DKIM-Signature, ARC-*, Authentication-Results, X-MS-TNEF-Correlator.
bool is_never_touched(std::string_view field_name);

class HeaderPolicy {
 public:
  // Outbound: the default list; inbound: none (the envelope recipient only).
  HeaderPolicy();

  // Builds a policy from explicit lists (names in any case). A name that is never touched, or that is
  // not an address field we know how to rewrite, is an error; `source` names the setting for messages.
  static HeaderPolicy from_lists(const std::vector<std::string>& outbound,
                                 const std::vector<std::string>& inbound,
                                 const std::string& source, std::vector<ConfigError>& errors);

  // True when field_name (any case) may be rewritten in the given direction.
  bool allows(std::string_view field_name, Direction direction) const;

  const std::vector<std::string>& names(Direction direction) const;

 private:
  std::vector<std::string> outbound_;  // lower case
  std::vector<std::string> inbound_;   // lower case
};

}  // namespace rewrite
