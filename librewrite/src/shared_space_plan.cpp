// SPDX-License-Identifier: BSD-2-Clause
// shared_space_plan.cpp: the shared address space applied to one message (see shared_space_plan.h).
#include "rewrite/shared_space_plan.h"

#include <set>

#include "text_util.h"

namespace rewrite {

void LoopEvidence::add(std::string_view name, std::string_view value) {
  if (detail::iequals(name, "Received")) {
    ++received;
  } else if (detail::iequals(name, kForwardTraceHeader) && trace_values.size() < kMaxTraceValues) {
    trace_values.emplace_back(value);
  }
}

SharedSpace::Decision decide_recipient(const SharedSpace& space, const RuleTable& table, Direction direction,
                                       std::string_view recipient) {
  // The rule goes first and is final: its result is never fed to the shared space.
  if (direction == Direction::inbound && table.lookup(recipient, Direction::inbound).rewritten) return {};
  return space.decide(recipient);
}

SharedSpacePlan plan_shared_space(const SharedSpace& space, const RuleTable& table, Direction direction,
                                  const Envelope& envelope, const MessagePlan& rule_plan,
                                  const LoopEvidence& evidence) {
  SharedSpacePlan plan;
  std::set<std::size_t> ruled;
  for (const RecipientEdit& edit : rule_plan.recipients) ruled.insert(edit.position);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    if (ruled.count(i)) continue;
    const std::string& recipient = envelope.recipients[i];
    SharedSpace::Decision decision = decide_recipient(space, table, direction, recipient);
    if (decision.verdict != SharedSpace::Verdict::forward) continue;
    if (!seen.insert(recipient).second) continue;  // the same RCPT given twice
    plan.forwards.push_back({i, recipient, std::move(decision.address)});
  }
  if (plan.forwards.empty()) return plan;
  plan.trace_value = space.trace_value();
  plan.loop = space.is_loop(evidence.trace_values, evidence.received, plan.loop_reason);
  return plan;
}

}  // namespace rewrite
