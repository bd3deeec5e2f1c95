// SPDX-License-Identifier: BSD-2-Clause
// message_plan.cpp: computing every envelope and header edit of one message before any is applied.
#include "rewrite/message_plan.h"

#include <algorithm>
#include <set>

#include "rewrite/address.h"
#include "rewrite/address_check.h"
#include "rewrite/dkim.h"

namespace rewrite {
namespace {

// True when a lookup result names a different mailbox than address (ASCII case ignored).
bool differs(const std::string& address, const std::string& rewritten) {
  return !equals_ignoring_case(address, rewritten);
}

// Returns the changes as "a -> b, c -> d" for notices.
std::string describe(const std::vector<AddressChange>& changes) {
  std::string out;
  for (const AddressChange& change : changes) {
    if (!out.empty()) out += ", ";
    out += change.original + " -> " + change.rewritten;
  }
  return out;
}

// Returns the fields covered by the DKIM-Signature fields among headers (lower case).
std::set<std::string> signed_fields(const std::vector<HeaderField>& headers) {
  std::vector<std::string> signatures;
  for (const HeaderField& field : headers) {
    if (equals_ignoring_case(field.name, "dkim-signature")) signatures.emplace_back(field.value);
  }
  return dkim_covered_fields(signatures);
}

// Adds the header edits and notices of the direction to plan.
void plan_headers(const RuleTable& table, const PlanOptions& options, Direction direction,
                  const std::vector<HeaderField>& headers, MessagePlan& plan) {
  if (options.headers.names(direction).empty()) return;
  const std::set<std::string> covered = signed_fields(headers);
  // Each allowed name (any case) with the fields of that name so far. Whether a field is allowed
  // depends on its name alone, so counting only the allowed ones gives each of them the index the MTA
  // uses. A message has a handful of allowed names: a list searched in order is the cheapest map.
  std::vector<std::pair<std::string_view, int>> seen;
  for (const HeaderField& field : headers) {
    if (!options.headers.allows(field.name, direction)) continue;  // never-touched fields included
    const auto same_name = [&](const auto& entry) { return equals_ignoring_case(entry.first, field.name); };
    auto counted = std::find_if(seen.begin(), seen.end(), same_name);
    if (counted == seen.end()) counted = seen.insert(seen.end(), {field.name, 0});
    const int index = ++counted->second;

    HeaderRewrite rewrite = rewrite_header_value(field.value, table, direction);
    if (rewrite.status == HeaderRewrite::Status::malformed) {
      plan.notices.push_back({Notice::Kind::malformed_header, std::string(field.name), rewrite.reason});
      continue;
    }
    if (rewrite.status != HeaderRewrite::Status::changed) continue;
    if (!covered.empty() && covered.count(lower_ascii(field.name)) != 0) {
      if (options.dkim == DkimPolicy::skip_signed) {
        plan.notices.push_back({Notice::Kind::dkim_protected, std::string(field.name),
                                "covered by an existing DKIM signature, not rewritten: " +
                                    describe(rewrite.changes)});
        continue;
      }
      plan.notices.push_back({Notice::Kind::dkim_rewritten, std::string(field.name),
                              "covered by an existing DKIM signature, rewritten anyway: " +
                                  describe(rewrite.changes)});
    }
    if (rewrite.eight_bit) {
      plan.notices.push_back({Notice::Kind::eight_bit, std::string(field.name),
                              "8-bit bytes besides the addresses (raw bytes are not RFC 5322 without "
                              "SMTPUTF8), kept as they are"});
    }
    plan.headers.push_back({std::string(field.name), index, std::move(rewrite.value), std::move(rewrite.changes)});
  }
  if (plan.headers.size() > kMaxHeaderEdits) {
    // Nothing is rewritten now, so no notice may say a signed field was.
    auto& notices = plan.notices;
    notices.erase(std::remove_if(notices.begin(), notices.end(),
                                 [](const Notice& n) {
                                   return n.kind == Notice::Kind::dkim_rewritten || n.kind == Notice::Kind::eight_bit;
                                 }),
                  notices.end());
    plan.notices.push_back({Notice::Kind::too_many_edits, "",
                            std::to_string(plan.headers.size()) + " fields would change, over the limit of " +
                                std::to_string(kMaxHeaderEdits) + "; header fields left unchanged"});
    plan.headers.clear();
  }
}

}  // namespace

MessagePlan plan_message(const RuleTable& table, const PlanOptions& options, Direction direction,
                         const Envelope& envelope, const std::vector<HeaderField>& headers) {
  MessagePlan plan;
  // The lookup refuses an invalid address itself; only an address it refused is asked why, so every
  // address is checked once.
  const auto invalid = [&](const std::string& address, const char* field) {
    plan.notices.push_back({Notice::Kind::invalid_address, field + ("=<" + address + ">"), address_problem(address, true)});
  };
  if (direction == Direction::outbound) {
    if (!envelope.sender.empty()) {
      Lookup found = table.lookup(envelope.sender, Direction::outbound);
      if (found.rewritten && differs(envelope.sender, found.address)) {
        plan.sender_changed = true;
        plan.sender = {envelope.sender, std::move(found.address), found.rule};
      } else if (found.invalid) {
        invalid(envelope.sender, "from");
      }
    }
  } else {
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
      const std::string& recipient = envelope.recipients[i];
      if (recipient.empty()) continue;
      Lookup found = table.lookup(recipient, Direction::inbound);
      if (found.rewritten && differs(recipient, found.address)) {
        plan.recipients.push_back({i, {recipient, std::move(found.address), found.rule}});
      } else if (found.invalid) {
        invalid(recipient, "rcpt");
      }
    }
  }
  plan_headers(table, options, direction, headers, plan);
  return plan;
}

const char* to_string(Notice::Kind kind) {
  switch (kind) {
    case Notice::Kind::malformed_header: return "malformed-header";
    case Notice::Kind::dkim_protected: return "dkim-protected";
    case Notice::Kind::dkim_rewritten: return "dkim-rewritten";
    case Notice::Kind::too_many_edits: return "too-many-edits";
    case Notice::Kind::invalid_address: return "invalid-address";
    case Notice::Kind::eight_bit: return "8-bit";
  }
  return "unknown";
}

}  // namespace rewrite
