// SPDX-License-Identifier: BSD-2-Clause
// test_shared_space_cases.cpp: rewrite-test's view of the shared address space: the account of one
// recipient, and cases files whose inbound cases expect the forwarded address or `refused`.
#include <catch2/catch.hpp>

#include "rewrite/offline/shared_space_cases.h"

using namespace rewrite;

namespace {

// contoso.edu shared with live.contoso.edu (staff local, student in the cloud) and the seed's rules.
struct Fixture {
  std::shared_ptr<const SharedSpace> space;
  std::shared_ptr<const RuleTable> table;

  explicit Fixture(bool forward_unknown = false, bool authoritative = true) {
    SharedSpaceSettings settings;
    settings.shared_domain = "contoso.edu";
    settings.routing_domain = "live.contoso.edu";
    settings.forward_unknown = forward_unknown;
    settings.authoritative = authoritative;
    std::vector<ConfigError> errors;
    space = SharedSpace::from_lists(settings, {"staff@contoso.edu"}, {"student@contoso.edu"}, "lists", errors);
    REQUIRE(space);
    LoadResult loaded = RuleTable::parse("live.contoso.edu contoso.edu name=cloud-senders\n"
                                         "help@contoso.edu helpdesk@contoso.edu name=helpdesk\n", "rules");
    REQUIRE(loaded.ok());
    table = loaded.table;
  }

  std::string describe(const std::string& recipient) const {
    return describe_recipient(*space, *table, Direction::inbound, recipient);
  }
};

}  // namespace

TEST_CASE("describe_recipient: one line per verdict", "[shared_space_cases]") {
  const Fixture f;
  CHECK(f.describe("student@contoso.edu") == "forward -> student@live.contoso.edu (cloud user)");
  CHECK(f.describe("staff@contoso.edu") == "local mailbox");
  CHECK(f.describe("nobody@contoso.edu") == "refused 550 5.1.1 (unknown in shared domain contoso.edu)");
  CHECK(f.describe("helpdesk@contoso.edu") == "not applied: a bidirectional rule rewrites this recipient first");
  CHECK(f.describe("a@example.org") == "");
  CHECK(Fixture(true).describe("new@contoso.edu") ==
        "forward -> new@live.contoso.edu (not a local mailbox, forward-unknown)");
  CHECK(Fixture(false, false).describe("new@contoso.edu") ==
        "pass unchanged (unknown in contoso.edu, not authoritative)");
}

TEST_CASE("cases with the shared space: forwarded address, refused, rules unchanged", "[shared_space_cases]") {
  const Fixture f;
  const CasesFile cases = parse_cases("inbound student@contoso.edu student@live.contoso.edu\n"
                                      "inbound nobody@contoso.edu refused\n"
                                      "inbound staff@contoso.edu -\n"
                                      "inbound helpdesk@contoso.edu help@contoso.edu\n"
                                      "outbound kim@live.contoso.edu kim@contoso.edu\n"
                                      "inbound student@contoso.edu refused\n"
                                      "inbound nobody@contoso.edu -\n",
                                      "t.cases");
  REQUIRE(cases.errors.empty());
  const CasesReport report = run_cases(*f.table, f.space.get(), cases);
  CHECK(report.passed == 5);
  CHECK(report.failed == 2);
  REQUIRE(report.failures.size() == 2);
  CHECK(report.failures[0].message ==
        "t.cases:6: inbound student@contoso.edu: expected refused, got student@live.contoso.edu (shared space contoso.edu)");
  CHECK(report.failures[1].message ==
        "t.cases:7: inbound nobody@contoso.edu: expected nobody@contoso.edu, got refused (shared space contoso.edu)");
  SECTION("without a shared space the rules' runner decides alone") {
    const CasesReport plain = run_cases(*f.table, nullptr, cases);
    // Lines 1, 2 and 6 expect the shared space's results; lines 3, 4, 5 and 7 hold by the rules alone.
    CHECK(plain.passed == 4);
    CHECK(plain.failed == 3);
  }
}
