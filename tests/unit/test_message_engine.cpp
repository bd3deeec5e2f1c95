// SPDX-License-Identifier: BSD-2-Clause
// test_message_engine.cpp: the one engine both programs use: what it collects under its bounds, the
// RCPT refusals, and at end of message the ordered edits and the log lines, merges and verdicts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

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

  MessageContext context(Direction direction, bool leading_space = false, bool log_only = false) const {
    return MessageContext{table.get(), space.get(), &options, direction, leading_space, log_only};
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

TEST_CASE("engine: fields keep their text while the collected header section grows", "[engine]") {
  Fixture f;
  MessageCollector message(f.context(Direction::outbound), "chris@sales.contoso.com");
  message.recipient("<bob@example.net>", {});
  // Each field passed from a buffer that is overwritten next: the collector must hold its own copy.
  std::string buffer = " first <chris@sales.contoso.com>";
  message.header("From", buffer);
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {  // 40 x 1 KiB: the text outgrows its first reservation several times
    buffer = " " + std::to_string(i) + std::string(1000, 'a' + i % 26);
    sent.push_back(buffer);
    message.header("X-Pad-" + std::to_string(i), buffer);
  }
  buffer = " last <ken@research.contoso.com>";
  message.header("Cc", buffer);
  buffer.assign(buffer.size(), '#');

  REQUIRE(message.headers().size() == 42);
  CHECK(message.headers().front().name == "From");
  CHECK(message.headers().front().value == " first <chris@sales.contoso.com>");
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CHECK(message.headers()[i + 1].name == "X-Pad-" + std::to_string(i));
    CHECK(message.headers()[i + 1].value == sent[i]);
  }
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
  CHECK(edits_of(end) == std::vector<std::string>{"chgfrom <chris@contoso.com>",
                                                  "chgheader From 1 [ first <chris@contoso.com>]",
                                                  "chgheader Cc 1 [ last <ken@contoso.com>]"});
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

// Returns the skips of a tally by reason name, for readable comparisons.
std::map<std::string, std::size_t> skips_of(const rewrite::MessageTally& tally) {
  std::map<std::string, std::size_t> out;
  for (std::size_t reason = 0; reason < rewrite::kSkipReasonCount; ++reason) {
    if (tally.skips[reason] != 0) out[rewrite::to_string(static_cast<rewrite::SkipReason>(reason))] = tally.skips[reason];
  }
  return out;
}

TEST_CASE("engine: the tally counts what the message decides: rules hit, fields, skips", "[engine][tally]") {
  Fixture f;
  MessageCollector message(f.context(Direction::outbound), "<chris@sales.contoso.com>");
  message.recipient("<bob@example.net>", {});
  message.header("From", "Chris <chris@sales.contoso.com>");
  message.header("Cc", "support@contoso.com, maria@europe.contoso.com");
  message.header("Reply-To", "broken <<");
  const rewrite::EndOfMessage end = rewrite::decide_end_of_message(message);
  CHECK(end.tally.changed);
  CHECK(end.tally.fields_changed == 2);  // From and Cc
  // flatten (position 0) for the sender, From and maria; partner (position 1) for support.
  std::vector<std::size_t> hits = end.tally.rule_hits;
  std::sort(hits.begin(), hits.end());
  CHECK(hits == std::vector<std::size_t>{0, 0, 0, 1});
  CHECK(skips_of(end.tally) == std::map<std::string, std::size_t>{{"malformed", 1}});

  MessageCollector foreign(f.context(Direction::outbound), "<someone@example.org>");
  foreign.recipient("<bob@example.net>", {});
  foreign.header("From", "someone@example.org");
  const rewrite::EndOfMessage untouched = rewrite::decide_end_of_message(foreign);
  CHECK_FALSE(untouched.tally.changed);
  CHECK(untouched.tally.rule_hits.empty());
  CHECK(skips_of(untouched.tally) == std::map<std::string, std::size_t>{{"not_ours", 1}});

  MessageCollector inside(f.context(Direction::outbound), "<chris@sales.contoso.com>");
  inside.recipient("<maria@europe.contoso.com>", {});
  CHECK(skips_of(rewrite::decide_end_of_message(inside).tally) ==
        std::map<std::string, std::size_t>{{"internal_recipients", 1}});

  MessageCollector big(f.context(Direction::outbound), "<someone@example.org>");
  big.recipient("<bob@example.net>", {});
  big.header("X-Big", std::string(MessageCollector::kMaxHeaderBytes, 'x'));
  CHECK(skips_of(rewrite::decide_end_of_message(big).tally) == std::map<std::string, std::size_t>{{"limits", 1}});
}

TEST_CASE("engine: log-only mode decides and counts everything, changes and refuses nothing", "[engine][log-only]") {
  Fixture f(true);
  MessageCollector applied(f.context(Direction::outbound), "<chris@sales.contoso.com>");
  MessageCollector logged(f.context(Direction::outbound, false, true), "<chris@sales.contoso.com>");
  for (MessageCollector* message : {&applied, &logged}) {
    message->recipient("<bob@example.net>", {});
    message->header("From", "Chris <chris@sales.contoso.com>");
    message->header("DKIM-Signature", "v=1; a=rsa-sha256; d=contoso.com; s=s; h=to; bh=x; b=y");
    message->header("To", "support@contoso.com");
  }
  const rewrite::EndOfMessage would = rewrite::decide_end_of_message(logged);
  const rewrite::EndOfMessage did = rewrite::decide_end_of_message(applied);
  CHECK(would.edits.empty());
  CHECK_FALSE(did.edits.empty());
  CHECK(lines_of(would) == std::vector<std::string>{
                               "header=To skipped: dkim-protected: " + did.lines.front().text.substr(
                                   std::string("header=To skipped: dkim-protected: ").size()),
                               "would change from=<chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten",
                               "would change header=From <chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten"});
  CHECK(lines_of(did)[1] == "from=<chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten");
  CHECK(would.tally.changed);
  CHECK(would.tally.fields_changed == did.tally.fields_changed);
  CHECK(would.tally.rule_hits == did.tally.rule_hits);
  CHECK(skips_of(would.tally) == std::map<std::string, std::size_t>{{"dkim_signed", 1}});

  // A recipient the shared space would refuse is kept and logged; a loop is not refused.
  MessageCollector inbound(f.context(Direction::inbound, false, true), "<friend@example.net>");
  const rewrite::RcptOutcome rcpt = inbound.recipient("<nobody@contoso.edu>", {});
  CHECK_FALSE(rcpt.refused);
  CHECK(rcpt.verdict == rewrite::SharedSpace::Verdict::unknown);
  CHECK(rcpt.line.text == "would refuse rcpt=<nobody@contoso.edu>: 5.1.1 unknown in shared domain");
  CHECK(inbound.envelope().recipients == std::vector<std::string>{"nobody@contoso.edu"});
  inbound.recipient("<kim@contoso.edu>", {});
  inbound.header("X-Rewrite-Forwarded", " contoso.edu -> live.contoso.edu");
  const rewrite::EndOfMessage loop = rewrite::decide_end_of_message(inbound);
  CHECK_FALSE(loop.refused);
  CHECK(loop.edits.empty());
  CHECK(loop.tally.loop);
  REQUIRE(loop.lines.size() == 1);
  CHECK(loop.lines[0].text.rfind("would refuse message: 554 5.4.6 loop: ", 0) == 0);
}

}  // namespace
