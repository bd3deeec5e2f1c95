// SPDX-License-Identifier: BSD-2-Clause
// test_message_engine.cpp: the one engine both programs use: what it collects under its bounds, the
// RCPT refusals, and at end of message the ordered edits and the log lines, merges and verdicts.
#include <catch2/catch.hpp>

#include "rewrite/message_engine.h"

namespace {

using rewrite::Direction;
using rewrite::MessageCollector;
using rewrite::MessageContext;

const char* const kRules =
    "*.contoso.com          contoso.com   name=flatten\n"
    "support@contoso.com    support@wingtiptoys.com   name=partner\n"
    "live.contoso.edu       contoso.edu   name=cloud\n";

// The rules, the options and (when asked) the shared space the tests share.
struct Fixture {
  std::shared_ptr<const rewrite::RuleTable> table;
  std::shared_ptr<const rewrite::SharedSpace> space;
  rewrite::PlanOptions options;

  explicit Fixture(bool shared_space = false) {
    const rewrite::LoadResult loaded = rewrite::RuleTable::parse(kRules, "engine.rules");
    REQUIRE(loaded.ok());
    table = loaded.table;
    if (shared_space) {
      rewrite::SharedSpaceSettings settings;
      settings.shared_domain = "contoso.edu";
      settings.routing_domain = "live.contoso.edu";
      std::vector<rewrite::ConfigError> errors;
      space = rewrite::SharedSpace::from_lists(settings, {"staff@contoso.edu"}, {"kim@contoso.edu"}, "lists", errors);
      REQUIRE(space);
    }
  }

  MessageContext context(Direction direction, bool leading_space = false) const {
    return MessageContext{table.get(), space.get(), &options, direction, leading_space};
  }
};

// Returns the edits as readable lines.
std::vector<std::string> edits_of(const rewrite::EndOfMessage& end) {
  std::vector<std::string> out;
  for (const rewrite::MessageEdit& edit : end.edits) out.push_back(rewrite::to_string(edit));
  return out;
}

// Returns the log lines' texts.
std::vector<std::string> lines_of(const rewrite::EndOfMessage& end) {
  std::vector<std::string> out;
  for (const rewrite::LogLine& line : end.lines) out.push_back(line.text);
  return out;
}

TEST_CASE("engine: outbound edits come in order, sender first, each with its log line", "[engine]") {
  Fixture f;
  MessageCollector message(f.context(Direction::outbound), "<chris@sales.contoso.com>");
  CHECK_FALSE(message.recipient("<bob@example.net>", {"NOTIFY=NEVER"}).refused);
  message.header("From", "Chris <chris@sales.contoso.com>");
  message.header("To", "bob@example.net");
  message.header("cc", "support@contoso.com");
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
  CHECK_FALSE(end.refused);
  CHECK(edits_of(end) == std::vector<std::string>{"chgfrom <chris@contoso.com>",
                                                  "chgheader From 1 [Chris <chris@contoso.com>]",
                                                  "chgheader cc 1 [support@wingtiptoys.com]"});
  CHECK(lines_of(end) == std::vector<std::string>{
                             "from=<chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten",
                             "header=From <chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten",
                             "header=cc <support@contoso.com> -> <support@wingtiptoys.com> rule=partner"});
}

TEST_CASE("engine: inbound recipients are replaced once, merged, and given their ORCPT", "[engine]") {
  Fixture f;
  MessageCollector message(f.context(Direction::inbound), "<customer@example.net>");
  message.recipient("<support@wingtiptoys.com>", {"NOTIFY=FAILURE"});
  message.recipient("<support@contoso.com>", {});
  message.recipient("<SUPPORT@wingtiptoys.com>", {});
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
  // The replacement is already a recipient: deleted, not added again; the repeat is not replaced twice.
  CHECK(edits_of(end) == std::vector<std::string>{"delrcpt <support@wingtiptoys.com>"});
  CHECK(lines_of(end) == std::vector<std::string>{
                             "rcpt=<support@wingtiptoys.com> -> <support@contoso.com> rule=partner merged: "
                             "already a recipient"});
  MessageCollector alone(f.context(Direction::inbound), "<customer@example.net>");
  alone.recipient("<support@wingtiptoys.com>", {"NOTIFY=FAILURE"});
  CHECK(edits_of(rewrite::decide_end_of_message(alone)) ==
        std::vector<std::string>{"delrcpt <support@wingtiptoys.com>",
                                 "addrcpt <support@contoso.com> NOTIFY=FAILURE ORCPT=rfc822;support@wingtiptoys.com"});
}

TEST_CASE("engine: a header section over the bound is left alone, the envelope is not", "[engine]") {
  Fixture f;
  MessageCollector message(f.context(Direction::outbound), "chris@sales.contoso.com");
  message.recipient("<bob@example.net>", {});
  message.header("From", "chris@sales.contoso.com");
  message.header("X-Big", std::string(MessageCollector::kMaxHeaderBytes, 'x'));
  CHECK(message.header_overflow());
  CHECK(message.headers().empty());
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
  CHECK(edits_of(end) == std::vector<std::string>{"chgfrom <chris@contoso.com>"});
  REQUIRE_FALSE(end.lines.empty());
  CHECK(end.lines.front().severity == rewrite::Severity::warning);
  CHECK(end.lines.front().text == "header larger than 1048576 bytes; header fields left unchanged");
}

TEST_CASE("engine: the shared space refuses at RCPT, forwards with the trace field last, refuses loops",
          "[engine]") {
  Fixture f(true);
  for (const bool leading_space : {false, true}) {
    MessageCollector message(f.context(Direction::inbound, leading_space), "<friend@example.net>");
    const rewrite::RcptOutcome refused = message.recipient("<nobody@contoso.edu>", {});
    REQUIRE(refused.refused);
    CHECK(refused.refusal.code == "550");
    CHECK(refused.refusal.xcode == "5.1.1");
    CHECK(refused.line.text == "rcpt=<nobody@contoso.edu> rejected: 5.1.1 unknown in shared domain");
    CHECK(message.envelope().recipients.empty());
    message.recipient("<kim@contoso.edu>", {});
    message.header("To", "kim@contoso.edu");
    const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
    const std::string trace = std::string(leading_space ? " " : "") + "contoso.edu -> live.contoso.edu";
    CHECK(edits_of(end) == std::vector<std::string>{
                               "delrcpt <kim@contoso.edu>", "addrcpt <kim@live.contoso.edu> ORCPT=rfc822;kim@contoso.edu",
                               "addheader X-Rewrite-Forwarded [" + trace + "]"});
  }
  MessageCollector loop(f.context(Direction::inbound), "<friend@example.net>");
  loop.recipient("<kim@contoso.edu>", {});
  loop.header("X-Rewrite-Forwarded", " contoso.edu -> live.contoso.edu");
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(loop);
  CHECK(end.refused);
  CHECK(end.refusal.code == "554");
  CHECK(end.refusal.xcode == "5.4.6");
  CHECK(end.edits.empty());
}

TEST_CASE("engine: mail for internal recipients only keeps its addresses", "[engine]") {
  Fixture f(true);
  MessageCollector inside(f.context(Direction::outbound), "<ana@live.contoso.edu>");
  inside.recipient("<staff@contoso.edu>", {});
  inside.recipient("<maria@europe.contoso.com>", {});
  inside.header("From", "ana@live.contoso.edu");
  const rewrite::EndOfMessage kept = rewrite::decide_end_of_message(inside);
  CHECK(kept.edits.empty());
  CHECK(lines_of(kept) == std::vector<std::string>{"unchanged (internal recipients)"});

  MessageCollector leaving(f.context(Direction::outbound), "<ana@live.contoso.edu>");
  leaving.recipient("<staff@contoso.edu>", {});
  leaving.recipient("<bob@example.net>", {});
  CHECK(edits_of(rewrite::decide_end_of_message(leaving)) == std::vector<std::string>{"chgfrom <ana@contoso.edu>"});

  f.options.rewrite_internal_mail = true;
  MessageCollector restored(f.context(Direction::outbound), "<ana@live.contoso.edu>");
  restored.recipient("<staff@contoso.edu>", {});
  CHECK(edits_of(rewrite::decide_end_of_message(restored)) == std::vector<std::string>{"chgfrom <ana@contoso.edu>"});
}

}  // namespace
