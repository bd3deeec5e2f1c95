// SPDX-License-Identifier: BSD-2-Clause
// shared_space_plan.h: the shared address space applied to one message, on top of the rule table: the
// decision for one recipient at RCPT, and at end of message the recipients to forward, the trace header
// to add and the loop guard. Used by the milter and by rewrite-test so both decide alike.
// Precedence: a recipient that a bidirectional rule rewrites (inbound) belongs to the rule; the shared
// space looks neither at it nor at the rule's result (no chaining). Every other recipient of the shared
// domain, in either direction, is decided by the shared space. Thread safety: pure functions of their
// inputs; the table and the space are only read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/message_plan.h"
#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"

namespace rewrite {

// What the loop guard needs from the header: our trace values and the number of Received fields.
struct LoopEvidence {
  // At most this many trace values are kept (one of ours is enough to decide).
  static constexpr std::size_t kMaxTraceValues = 32;
  std::vector<std::string> trace_values;
  int received = 0;

  // Counts one top-level header field (name in any case).
  void add(std::string_view name, std::string_view value);
};

// Decides one envelope recipient (addr-spec): not_shared when a rule rewrites it in this direction or it
// is outside the shared domain, otherwise SharedSpace::decide().
SharedSpace::Decision decide_recipient(const SharedSpace& space, const RuleTable& table, Direction direction,
                                       std::string_view recipient);

struct ForwardEdit {
  std::size_t position = 0;  // index into Envelope::recipients
  std::string original;      // the recipient as addressed
  std::string rewritten;     // the same local part in the routing domain
};

struct SharedSpacePlan {
  std::vector<ForwardEdit> forwards;  // empty when nothing goes to the cloud
  bool loop = false;                  // forwarding is refused: the message went round, or too many hops
  std::string loop_reason;            // when loop
  std::string trace_value;            // the trace header value to add when forwards is not empty

  bool empty() const { return forwards.empty(); }
};

// Computes the forwards for a message whose rule edits are rule_plan: every recipient the space forwards
// and the rules leave alone, once per distinct address. loop is set only when there is something to
// forward and evidence shows the message went round already (our trace header) or has more Received
// fields than max-received.
SharedSpacePlan plan_shared_space(const SharedSpace& space, const RuleTable& table, Direction direction,
                                  const Envelope& envelope, const MessagePlan& rule_plan,
                                  const LoopEvidence& evidence);

}  // namespace rewrite
