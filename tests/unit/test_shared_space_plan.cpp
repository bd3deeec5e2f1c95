// SPDX-License-Identifier: BSD-2-Clause
// test_shared_space_plan.cpp: the shared address space applied to a whole message: rule precedence,
// one forward per distinct recipient, the trace value, and the loop guard only when forwarding.
#include <catch2/catch.hpp>

#include "rewrite/shared_space_plan.h"

using namespace rewrite;

namespace {

// contoso.edu shared with live.contoso.edu; staff local, student in the cloud.
std::shared_ptr<const SharedSpace> contoso_space(int max_received = 30) {
  SharedSpaceSettings settings;
  settings.shared_domain = "contoso.edu";
  settings.routing_domain = "live.contoso.edu";
  settings.max_received = max_received;
  std::vector<ConfigError> errors;
  auto space = SharedSpace::from_lists(settings, {"staff@contoso.edu"}, {"student@contoso.edu"}, "lists", errors);
  REQUIRE(space);
  return space;
}

// A table with one bidirectional rule whose external side is in the shared domain.
std::shared_ptr<const RuleTable> rules() {
  LoadResult result = RuleTable::parse("help@contoso.edu helpdesk@contoso.edu name=helpdesk\n", "rules");
  REQUIRE(result.ok());
  return result.table;
}

}  // namespace

TEST_CASE("decide_recipient: a rule that rewrites the recipient inbound goes first", "[shared_space_plan]") {
  const auto space = contoso_space();
  const auto table = rules();
  CHECK(decide_recipient(*space, *table, Direction::inbound, "helpdesk@contoso.edu").verdict ==
        SharedSpace::Verdict::not_shared);
  // Outbound, rules never touch recipients: the shared space decides.
  CHECK(decide_recipient(*space, *table, Direction::outbound, "helpdesk@contoso.edu").verdict ==
        SharedSpace::Verdict::unknown);
  CHECK(decide_recipient(*space, *table, Direction::inbound, "student@contoso.edu").address ==
        "student@live.contoso.edu");
}

TEST_CASE("plan_shared_space: forwards, duplicates, rule edits and the trace value", "[shared_space_plan]") {
  const auto space = contoso_space();
  const auto table = rules();
  Envelope envelope{"friend@example.net",
                    {"student@contoso.edu", "staff@contoso.edu", "helpdesk@contoso.edu", "student@contoso.edu"}};
  MessagePlan rule_plan;
  rule_plan.recipients.push_back({2, AddressChange{}});
  const SharedSpacePlan plan = plan_shared_space(*space, *table, Direction::inbound, envelope, rule_plan, {});
  REQUIRE(plan.forwards.size() == 1);
  CHECK(plan.forwards[0].position == 0);
  CHECK(plan.forwards[0].original == "student@contoso.edu");
  CHECK(plan.forwards[0].rewritten == "student@live.contoso.edu");
  CHECK(plan.trace_value == "contoso.edu -> live.contoso.edu");
  CHECK_FALSE(plan.loop);
}

TEST_CASE("plan_shared_space: the loop guard", "[shared_space_plan]") {
  const auto space = contoso_space(3);
  const auto table = rules();
  LoopEvidence evidence;
  evidence.add("received", "a");
  evidence.add("Received", "b");
  evidence.add("Subject", "x");
  CHECK(evidence.received == 2);
  SECTION("under the limit, no trace: forwarded") {
    CHECK_FALSE(plan_shared_space(*space, *table, Direction::inbound, {"", {"student@contoso.edu"}}, {}, evidence).loop);
  }
  SECTION("our trace header: refused") {
    evidence.add("X-REWRITE-FORWARDED", " contoso.edu -> live.contoso.edu");
    const SharedSpacePlan plan =
        plan_shared_space(*space, *table, Direction::inbound, {"", {"student@contoso.edu"}}, {}, evidence);
    CHECK(plan.loop);
    CHECK(plan.loop_reason == "message was already forwarded to live.contoso.edu once (X-Rewrite-Forwarded)");
  }
  SECTION("more Received fields than the limit: refused") {
    evidence.add("Received", "c");
    evidence.add("Received", "d");
    CHECK(plan_shared_space(*space, *table, Direction::inbound, {"", {"student@contoso.edu"}}, {}, evidence).loop);
  }
  SECTION("nothing to forward: never a loop") {
    evidence.add("X-Rewrite-Forwarded", "contoso.edu -> live.contoso.edu");
    CHECK_FALSE(plan_shared_space(*space, *table, Direction::inbound, {"", {"staff@contoso.edu"}}, {}, evidence).loop);
  }
  SECTION("trace values are bounded") {
    for (int i = 0; i < 100; ++i) evidence.add("X-Rewrite-Forwarded", "other");
    CHECK(evidence.trace_values.size() == LoopEvidence::kMaxTraceValues);
  }
}
