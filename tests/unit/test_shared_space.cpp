// SPDX-License-Identifier: BSD-2-Clause
// test_shared_space.cpp: the shared address space (on-premises relay): recipient verdicts, list
// validation with file:line, and the loop guard.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "rewrite/shared_space.h"

using rewrite::SharedSpace;
using Verdict = rewrite::SharedSpace::Verdict;

namespace {

rewrite::SharedSpaceSettings contoso_edu() {
  rewrite::SharedSpaceSettings settings;
  settings.shared_domain = "Contoso.EDU";
  settings.routing_domain = "live.contoso.edu";
  return settings;
}

std::shared_ptr<const SharedSpace> space_of(const rewrite::SharedSpaceSettings& settings) {
  std::vector<rewrite::ConfigError> errors;
  auto space = SharedSpace::from_lists(settings, {"staff@contoso.edu", "Dean@contoso.edu"},
                                       {"student@contoso.edu", "kim@CONTOSO.edu"}, "lists", errors);
  INFO(rewrite::format_errors(errors));
  REQUIRE(space);
  return space;
}

}  // namespace

TEST_CASE("recipients of the shared domain are delivered, forwarded or refused", "[shared_space][seed]") {
  const auto space = space_of(contoso_edu());
  CHECK(space->decide("staff@contoso.edu").verdict == Verdict::local);
  CHECK(space->decide("DEAN@Contoso.edu.").verdict == Verdict::local);
  const SharedSpace::Decision student = space->decide("Student@contoso.edu");
  CHECK(student.verdict == Verdict::forward);
  CHECK(student.address == "Student@live.contoso.edu");
  CHECK(space->decide("kim@contoso.edu").address == "kim@live.contoso.edu");
  CHECK(space->decide("nobody@contoso.edu").verdict == Verdict::unknown);
  SECTION("other domains, the routing domain itself and subdomains are not shared") {
    CHECK(space->decide("a@example.org").verdict == Verdict::not_shared);
    CHECK(space->decide("student@live.contoso.edu").verdict == Verdict::not_shared);
    CHECK(space->decide("a@sub.contoso.edu").verdict == Verdict::not_shared);
    CHECK(space->decide("").verdict == Verdict::not_shared);
  }
}

TEST_CASE("forward-unknown sends every unresolved recipient to the cloud", "[shared_space]") {
  auto settings = contoso_edu();
  settings.forward_unknown = true;
  const auto space = space_of(settings);
  CHECK(space->decide("newstudent@contoso.edu").verdict == Verdict::forward);
  CHECK(space->decide("newstudent@contoso.edu").address == "newstudent@live.contoso.edu");
  CHECK(space->decide("staff@contoso.edu").verdict == Verdict::local);
}

TEST_CASE("a non-authoritative MTA passes unknown recipients on", "[shared_space]") {
  auto settings = contoso_edu();
  settings.authoritative = false;
  CHECK(space_of(settings)->decide("nobody@contoso.edu").verdict == Verdict::pass);
}

TEST_CASE("loop guard: the trace header and the Received limit", "[shared_space]") {
  const auto space = space_of(contoso_edu());
  std::string reason;
  CHECK(space->trace_value() == "contoso.edu -> live.contoso.edu");
  CHECK_FALSE(space->is_loop({}, 3, reason));
  CHECK(space->is_loop({" contoso.edu -> live.contoso.edu"}, 3, reason));
  CHECK_THAT(reason, Catch::Contains("already forwarded"));
  CHECK_FALSE(space->is_loop({"other.edu -> cloud.other.edu"}, 3, reason));
  CHECK_FALSE(space->is_loop({}, 30, reason));
  CHECK(space->is_loop({}, 31, reason));
  CHECK_THAT(reason, Catch::Contains("31 Received fields, limit 30"));
}

TEST_CASE("bad settings and list entries are reported with file:line", "[shared_space][validation]") {
  std::vector<rewrite::ConfigError> errors;
  rewrite::SharedSpaceSettings same = contoso_edu();
  same.routing_domain = "contoso.edu";
  CHECK_FALSE(SharedSpace::from_lists(same, {}, {}, "conf", errors));
  CHECK_THAT(rewrite::format_errors(errors), Catch::Contains("routing-domain must differ"));

  char local_path[] = "/tmp/rewrite-local-XXXXXX";
  char cloud_path[] = "/tmp/rewrite-cloud-XXXXXX";
  std::fclose(fdopen(mkstemp(local_path), "w"));
  std::fclose(fdopen(mkstemp(cloud_path), "w"));
  std::ofstream(local_path) << "# staff\nstaff@contoso.edu\n\nnot-an-address\nx@other.edu\n";
  std::ofstream(cloud_path) << "student@contoso.edu  # a student\nSTAFF@contoso.edu\n";
  rewrite::SharedSpaceSettings settings = contoso_edu();
  settings.local_recipients = local_path;
  settings.cloud_recipients = cloud_path;
  errors.clear();
  CHECK_FALSE(SharedSpace::load(settings, "conf", errors));
  const std::string text = rewrite::format_errors(errors);
  CHECK_THAT(text, Catch::Contains(std::string(local_path) + ":4: 'not-an-address' is not an address"));
  CHECK_THAT(text, Catch::Contains(std::string(local_path) + ":5: 'x@other.edu' is not in the shared domain"));
  CHECK_THAT(text, Catch::Contains(std::string(cloud_path) + ":2: 'STAFF@contoso.edu' is also listed in"));

  std::ofstream(local_path) << "staff@contoso.edu\n";
  std::ofstream(cloud_path) << "student@contoso.edu # a student\n";
  errors.clear();
  const auto space = SharedSpace::load(settings, "conf", errors);
  std::remove(local_path);
  std::remove(cloud_path);
  INFO(rewrite::format_errors(errors));
  REQUIRE(space);
  CHECK(space->decide("student@contoso.edu").verdict == Verdict::forward);
  CHECK(space->decide("staff@contoso.edu").verdict == Verdict::local);
  settings.local_recipients = "/nonexistent/local";
  errors.clear();
  CHECK_FALSE(SharedSpace::load(settings, "conf", errors));
  CHECK_THAT(rewrite::format_errors(errors), Catch::Contains("/nonexistent/local: cannot open recipient list: No such file or directory"));
}
