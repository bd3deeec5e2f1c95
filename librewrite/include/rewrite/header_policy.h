// SPDX-License-Identifier: BSD-2-Clause
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

// Fields that are never rewritten (any case): Return-Path, Received, Delivered-To, X-Original-To (trace),
// Message-ID, Resent-Message-ID, In-Reply-To, References (message identity), MIME-Version and every
// Content-* field (MIME structure), DKIM-Signature, DomainKey-Signature, ARC-*, Authentication-Results
// (signatures and their results), X-MS-TNEF-Correlator.
bool is_never_touched(std::string_view field_name);

class HeaderPolicy {
 public:
  // Outbound: the default list; inbound: none (the envelope recipient only).
  HeaderPolicy();

  // Builds a policy from explicit lists (names in any case, surrounding blanks ignored, duplicates
  // dropped; an empty list turns header rewriting off for that direction). The names that may be chosen
  // are the address fields: From, Sender, Reply-To, To, Cc, Bcc, Return-Receipt-To,
  // Disposition-Notification-To, Resent-From, Resent-Sender, Resent-To, Resent-Cc, Resent-Bcc,
  // Resent-Reply-To, Errors-To, Mail-Reply-To, Mail-Followup-To. A never-touched name, an empty name or
  // any other name is an error naming the field and the direction; errors carry `source` as file and
  // line 0. The returned policy holds the valid names only.
  static HeaderPolicy from_lists(const std::vector<std::string>& outbound,
                                 const std::vector<std::string>& inbound,
                                 const std::string& source, std::vector<ConfigError>& errors);

  // True when field_name (any case) may be rewritten in the given direction: selected for it, and not a
  // field that is never touched (is_never_touched).
  bool allows(std::string_view field_name, Direction direction) const;

  // The selected field names of a direction, lower case, in configuration order.
  const std::vector<std::string>& names(Direction direction) const;

 private:
  std::vector<std::string> outbound_;  // lower case
  std::vector<std::string> inbound_;   // lower case
};

}  // namespace rewrite
