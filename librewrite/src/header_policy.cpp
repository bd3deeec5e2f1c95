// SPDX-License-Identifier: BSD-2-Clause
// header_policy.cpp: the header fields each direction may rewrite, and the ones never touched.
#include "rewrite/header_policy.h"

#include <algorithm>

#include "rewrite/address.h"
#include "rewrite/text_input.h"
#include "text_util.h"

namespace rewrite {
namespace {

// The address fields that may be selected: the outbound default plus the other RFC 5322 address fields
// and the common list-reply fields. Delivered-To and X-Original-To are trace fields and are not here.
const std::vector<std::string>& rewritable_fields() {
  static const std::vector<std::string> fields = {
      "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Return-Receipt-To", "Disposition-Notification-To",
      "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Reply-To",
      "Errors-To", "Mail-Reply-To", "Mail-Followup-To"};
  return fields;
}

// True when list holds name, ASCII case ignored (no copy, no call per entry: this runs for every header
// field).
bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(),
                     [name](const std::string& entry) { return detail::iequals(entry, name); });
}

// True when name starts with prefix, ASCII case ignored.
bool starts_with_ignoring_case(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && equals_ignoring_case(name.substr(0, prefix.size()), prefix);
}

// is_never_touched() for a name without surrounding blanks.
bool is_never_touched_name(std::string_view name) {
  static const std::vector<std::string> fields = {
      "return-path", "received", "message-id", "resent-message-id", "in-reply-to", "references",
      "mime-version", "dkim-signature", "domainkey-signature", "authentication-results",
      "x-ms-tnef-correlator", "delivered-to", "x-original-to"};
  return contains(fields, name) || starts_with_ignoring_case(name, "content-") ||
         starts_with_ignoring_case(name, "arc-");
}

// Returns the rewritable field names joined with ", " for error messages.
std::string rewritable_list() {
  std::string out;
  for (const std::string& name : rewritable_fields()) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Validates names into out (lower case, no duplicates); each bad name becomes an error for source.
void select_fields(const std::vector<std::string>& names, const char* direction, const std::string& source,
                   std::vector<std::string>& out, std::vector<ConfigError>& errors) {
  static const std::vector<std::string> allowed = [] {
    std::vector<std::string> lowered;
    for (const std::string& name : rewritable_fields()) lowered.push_back(lower_ascii(name));
    return lowered;
  }();
  for (const std::string& raw : names) {
    const std::string_view name = trim_blanks(raw);
    const std::string where = std::string(direction) + " header list: ";
    if (name.empty()) {
      errors.push_back({source, 0, where + "empty header field name"});
    } else if (is_never_touched(name)) {
      errors.push_back({source, 0, where + "'" + std::string(name) +
                                       "' is never rewritten (trace, message identity, MIME structure or "
                                       "signature field)"});
    } else if (!contains(allowed, name)) {
      errors.push_back({source, 0, where + "'" + std::string(name) +
                                       "' is not an address field that can be rewritten; choose from " +
                                       rewritable_list()});
    } else if (!contains(out, name)) {
      out.push_back(lower_ascii(name));
    }
  }
}

}  // namespace

const std::vector<std::string>& default_outbound_headers() {
  static const std::vector<std::string> fields = {
      "From", "Sender", "Reply-To", "To", "Cc", "Return-Receipt-To", "Disposition-Notification-To",
      "Resent-From", "Resent-Sender"};
  return fields;
}

bool is_never_touched(std::string_view field_name) { return is_never_touched_name(trim_blanks(field_name)); }

HeaderPolicy::HeaderPolicy() {
  for (const std::string& name : default_outbound_headers()) outbound_.push_back(lower_ascii(name));
}

HeaderPolicy HeaderPolicy::from_lists(const std::vector<std::string>& outbound,
                                      const std::vector<std::string>& inbound, const std::string& source,
                                      std::vector<ConfigError>& errors) {
  HeaderPolicy policy;
  policy.outbound_.clear();
  select_fields(outbound, "outbound", source, policy.outbound_, errors);
  select_fields(inbound, "inbound", source, policy.inbound_, errors);
  return policy;
}

bool HeaderPolicy::allows(std::string_view field_name, Direction direction) const {
  const std::string_view name = trim_blanks(field_name);
  return contains(names(direction), name) && !is_never_touched_name(name);
}

const std::vector<std::string>& HeaderPolicy::names(Direction direction) const {
  return direction == Direction::outbound ? outbound_ : inbound_;
}

}  // namespace rewrite
