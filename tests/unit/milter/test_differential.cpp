// SPDX-License-Identifier: BSD-2-Clause
// test_differential.cpp: the daemon's session (driven as an MTA drives it) and rewrite-test's message
// mode agree byte for byte on every message of a corpus, for generated envelopes with repeated,
// mixed-case and merged recipients, in both directions, with and without the shared address space:
// the rewritten message, the envelope, the change lines and the verdicts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "differential.h"

namespace rewrite::differential {
namespace {

namespace fs = std::filesystem;

// The seed scenarios' rules, a bidirectional partner rule that merges, and the shared space's sender rule.
const char* kRules =
    "*.contoso.com            contoso.com   name=flatten\n"
    "japan.sales.contoso.com  contoso.jp    name=japan\n"
    "fourthcoffee.com         contoso.com   name=merger\n"
    "support@contoso.com      support@wingtiptoys.com   name=partner\n"
    "adam@fourthcoffee.com    adam@contoso.com   name=adam\n"
    "live.contoso.edu         contoso.edu   name=cloud-senders\n";

// Reads a whole file.
std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The messages: rewrite-test's fixtures, the fuzz corpus of message files, and hand-written ones for
// what the corpora lack (groups, encoded words, repeated fields, an oversized header, a loop).
std::vector<std::pair<std::string, std::string>> corpus() {
  std::vector<std::pair<std::string, std::string>> messages;
  const fs::path source(REWRITE_SOURCE_DIR);
  for (const fs::path& dir : {source / "tests/tool/data", source / "fuzz/corpus/message_file"}) {
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && (dir.filename() != "data" || entry.path().extension() == ".eml")) {
        messages.emplace_back(entry.path().string(), slurp(entry.path()));
      }
    }
  }
  messages.emplace_back("groups", "From: Team: chris@sales.contoso.com, bob@example.net;\n"
                                  "To: =?UTF-8?Q?J=C3=B6rg?= <joerg@europe.contoso.com>, support@wingtiptoys.com\n"
                                  "Cc: support@contoso.com\nCC: Adam <adam@fourthcoffee.com>\n\nbody\n");
  messages.emplace_back("repeated", "From: a@sales.contoso.com\nFrom: b@fourthcoffee.com\nTo: x@example.net\n"
                                    "Reply-To: support@contoso.com\nSender: masato@japan.sales.contoso.com\n\n");
  messages.emplace_back("oversized", "From: chris@sales.contoso.com\nX-Big: " + std::string(1100 * 1024, 'x') +
                                         "\nTo: maria@europe.contoso.com\n\nbody\n");
  messages.emplace_back("forwarded-once", "X-Rewrite-Forwarded: contoso.edu -> live.contoso.edu\n"
                                          "From: someone@example.net\nTo: student@contoso.edu\n\nbody\n");
  std::string hops;
  for (int i = 0; i < 31; ++i) hops += "Received: from hop" + std::to_string(i) + " by mx\n";
  messages.emplace_back("too-many-hops", hops + "From: someone@example.net\n\nbody\n");
  return messages;
}

// The envelopes, each in both directions.
std::vector<Scenario> envelopes() {
  const std::vector<std::string> senders = {"<chris@sales.contoso.com>", "Masato@Japan.Sales.Contoso.com", "<>", "",
                                            "<bob@example.net>", "<adam@fourthcoffee.com>", "<ana@live.contoso.edu>"};
  const std::vector<std::vector<std::string>> recipient_sets = {
      {},
      {"<partner@example.net>"},
      {"<support@wingtiptoys.com>", "<support@contoso.com>", "<support@wingtiptoys.com>"},
      {"<Support@WingtipToys.com>", "<support@wingtiptoys.com>"},
      {"<adam@contoso.com>", "<ADAM@contoso.com>", "<adam@fourthcoffee.com>"},
      {"<student@contoso.edu>", "<Student@Contoso.edu>", "<staff@contoso.edu>"},
      {"<nobody@contoso.edu>", "<student@contoso.edu>", "<partner@example.net>"},
      {"support@wingtiptoys.com", "<student@live.contoso.edu>", "<postmaster@contoso.edu>"},
      {"<support+desk@wingtiptoys.com>", "<adam+news@contoso.com>", "<kim+course@contoso.edu>", "<x@example.net>"},
      {"<maria@europe.contoso.com>", "<staff+x@contoso.edu>"},
  };
  std::vector<Scenario> scenarios;
  for (const Direction direction : {Direction::outbound, Direction::inbound}) {
    for (std::size_t i = 0; i < recipient_sets.size(); ++i) {
      scenarios.push_back({direction, senders[i % senders.size()], recipient_sets[i]});
    }
  }
  return scenarios;
}

// Runs the whole corpus through d; returns the number of comparisons.
int run_corpus(Differential& d) {
  int compared = 0;
  for (const auto& [name, text] : corpus()) {
    for (const Scenario& scenario : envelopes()) {
      const std::string report = d.compare(text, scenario);
      INFO("message " << name << ", " << to_string(scenario.direction) << " from " << scenario.mail_from);
      CHECK(report == "");
      ++compared;
    }
  }
  return compared;
}

TEST_CASE("differential: daemon and rewrite-test agree on the corpus without the shared space", "[differential]") {
  Differential d({kRules, std::nullopt, {}, {}, "", ""});
  const int compared = run_corpus(d);
  CHECK(compared > 400);
  // The corpus must exercise the engine, not only pass messages through.
  CHECK(d.changed() > compared / 3);
}

TEST_CASE("differential: daemon and rewrite-test agree with inbound header rewriting", "[differential]") {
  Differential d({kRules, std::nullopt, {}, {}, "To,Cc", ""});
  const int compared = run_corpus(d);
  CHECK(d.changed() > compared / 3);
}

TEST_CASE("differential: daemon and rewrite-test agree with the shared address space", "[differential]") {
  SharedSpaceSettings space;
  space.shared_domain = "contoso.edu";
  space.routing_domain = "live.contoso.edu";
  Differential d({kRules, space, {"staff@contoso.edu", "postmaster@contoso.edu"}, {"student@contoso.edu"}, "", ""});
  const int compared = run_corpus(d);
  CHECK(d.changed() > compared / 3);
}

TEST_CASE("differential: daemon and rewrite-test agree in log-only mode, and neither changes anything",
          "[differential][log-only]") {
  SharedSpaceSettings space;
  space.shared_domain = "contoso.edu";
  space.routing_domain = "live.contoso.edu";
  Differential::Setup setup{kRules, space, {"staff@contoso.edu", "postmaster@contoso.edu"}, {"student@contoso.edu"},
                            "", ""};
  setup.log_only = true;
  Differential d(setup);
  const int compared = run_corpus(d);
  CHECK(compared > 400);
  CHECK(d.changed() == 0);
}

TEST_CASE("differential: a real difference is reported", "[differential]") {
  // The comparison itself must be able to fail: the tool side given other rules must differ, and say so.
  Differential d({kRules, std::nullopt, {}, {}, "", "*.contoso.com contoso.net name=flatten\n"});
  const Scenario scenario{Direction::outbound, "<chris@sales.contoso.com>", {"<partner@example.net>"}};
  const std::string report = d.compare("From: chris@sales.contoso.com\n\nbody\n", scenario);
  CHECK_THAT(report, Catch::Contains("messages differ"));
  CHECK_THAT(report, Catch::Contains("envelopes differ"));
  CHECK_THAT(report, Catch::Contains("change lines differ"));
  CHECK_THAT(report, Catch::Contains("chris@contoso.net"));
}

}  // namespace
}  // namespace rewrite::differential
