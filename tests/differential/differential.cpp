// SPDX-License-Identifier: BSD-2-Clause
// differential.cpp: the daemon's session and rewrite-test's message mode on the same message, compared
// (see differential.h).
#include "differential.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "config.h"
#include "logger.h"
#include "modes.h"
#include "mta_actions.h"
#include "rewrite/address.h"
#include "rewrite/offline/message_file.h"
#include "rewrite/text_input.h"
#include "rule_store.h"
#include "session.h"

namespace rewrite::differential {
namespace {

const milter::ClientInfo kInternalClient{milter::ClientInfo::Family::inet, "ws1.contoso.com", "127.0.0.1", 40000};
const milter::ClientInfo kExternalClient{milter::ClientInfo::Family::inet, "mx.example.net", "192.0.2.10", 51000};

// Keeps the lines the daemon logs at its default verbosity.
class DefaultLevelLogger : public milter::Logger {
 public:
  void log(milter::LogLevel level, const std::string& line) override {
    if (enabled(level)) lines.push_back(line);
  }
  bool enabled(milter::LogLevel level) const override { return level <= milter::LogLevel::info; }
  std::vector<std::string> lines;
};

// An MTA that carries out the session's requests on the message and its envelope, as Postfix and
// Sendmail do: a deleted recipient goes wherever the message names it, an added one goes last, a
// changed field keeps its place, an inserted field goes after the last one.
class ApplyingMta : public milter::MtaActions {
 public:
  ApplyingMta(MessageFile message, Envelope envelope) : message_(std::move(message)), envelope_(std::move(envelope)) {}

  bool change_sender(const std::string& address, const std::string&) override {
    envelope_.sender = normalize_envelope_address(address);
    return true;
  }
  bool delete_recipient(const std::string& address) override {
    const std::string gone = normalize_envelope_address(address);
    auto& list = envelope_.recipients;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const std::string& r) { return equals_ignoring_case(r, gone); }),
               list.end());
    return true;
  }
  bool add_recipient(const std::string& address, const std::string&) override {
    envelope_.recipients.push_back(normalize_envelope_address(address));
    return true;
  }
  bool change_header(const std::string& name, int index, const std::string& value) override {
    const std::size_t at = find_field(message_, name, index);
    if (at >= message_.fields.size()) {
      problems.push_back("chgheader names no field: " + name + " " + std::to_string(index));
      return true;
    }
    MessageField& field = message_.fields[at];
    field.raw = render_field(message_, field, value);
    field.value = value;
    return true;
  }
  bool add_header(const std::string& name, const std::string& value) override {
    message_ = with_field_appended(std::move(message_), name, value);
    return true;
  }

  std::string message() const { return apply_header_edits(message_, {}); }
  const Envelope& envelope() const { return envelope_; }
  std::vector<std::string> problems;

 private:
  MessageFile message_;
  Envelope envelope_;
};

// Writes content to path or throws.
void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Joins lines with "\n" after each.
std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// Splits text into its lines.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Returns the line without the daemon's "QUEUEID: " prefix.
std::string without_queue_id(const std::string& line) {
  const std::size_t colon = line.find(": ");
  return colon == std::string::npos ? line : line.substr(colon + 2);
}

// Reads the rewritten envelope off the tool's --diff output (the whole original one when the diff
// has no envelope part).
Envelope envelope_from_diff(const std::string& diff, const Envelope& original) {
  if (diff.rfind("--- envelope\n", 0) != 0) return original;
  Envelope envelope;
  for (const std::string& line : lines_of(diff)) {
    if (line.rfind("--- ", 0) == 0 && line != "--- envelope") break;  // the header part begins
    if (line.size() < 2 || (line[0] != ' ' && line[0] != '+')) continue;
    const std::string text = line.substr(1);
    if (text.rfind("MAIL FROM:", 0) == 0) envelope.sender = normalize_envelope_address(text.substr(10));
    if (text.rfind("RCPT TO:", 0) == 0) envelope.recipients.push_back(normalize_envelope_address(text.substr(8)));
  }
  return envelope;
}

// Returns the envelope as text, recipients sorted (the MTA appends a replacement, the diff shows it in
// place: the set is what counts).
std::string describe(const Envelope& envelope) {
  std::vector<std::string> recipients = envelope.recipients;
  std::sort(recipients.begin(), recipients.end());
  return "MAIL FROM:<" + envelope.sender + ">\n" + joined(recipients);
}

// Appends a difference to report when the two sides are not equal.
void expect_same(const std::string& what, const std::string& daemon, const std::string& tool, std::string& report) {
  if (daemon == tool) return;
  report += what + " differ\n--- daemon\n" + daemon + "\n--- rewrite-test\n" + tool + "\n";
}

}  // namespace

struct Differential::State {
  std::filesystem::path dir;
  std::unique_ptr<milter::RuleStore> store;
  milter::SessionSettings settings;
  std::shared_ptr<const RuleTable> table;
  std::shared_ptr<const SharedSpace> space;
  bool log_only = false;
};

Differential::Differential(const Setup& setup) : state_(std::make_unique<State>()) {
  std::string pattern = (std::filesystem::temp_directory_path() / "rewrite-differential-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  state_->dir = pattern;
  const std::filesystem::path rules = state_->dir / "rules";
  write_file(rules, setup.rules_text);
  state_->store = std::make_unique<milter::RuleStore>(rules.string());
  std::optional<SharedSpaceSettings> space = setup.space;
  if (space) {
    space->local_recipients = (state_->dir / "local").string();
    write_file(space->local_recipients, joined(setup.local_recipients));
    space->cloud_recipients = (state_->dir / "cloud").string();
    write_file(space->cloud_recipients, joined(setup.cloud_recipients));
    state_->store->set_shared_space(*space, "differential");
  }
  state_->log_only = setup.log_only;
  if (setup.log_only) {
    state_->store->set_completer([](milter::RuleSnapshot& snapshot) {
      snapshot.log_only = true;
      return std::vector<ConfigError>{};
    });
  }
  std::vector<ConfigError> errors = state_->store->reload();
  // The tool loads its own copies, as rewrite-test does from the same files.
  const std::filesystem::path tool_rules = state_->dir / "tool-rules";
  write_file(tool_rules, setup.tool_rules_text.empty() ? setup.rules_text : setup.tool_rules_text);
  LoadResult loaded = RuleTable::load(tool_rules.string());
  for (ConfigError& error : loaded.errors) errors.push_back(std::move(error));
  state_->table = loaded.table;
  if (space) state_->space = SharedSpace::load(*space, "differential", errors);
  milter::DaemonConfig config;
  if (!setup.inbound_headers.empty()) {
    config.inbound_headers = split_list(setup.inbound_headers);
    config.inbound_headers_source = "differential";
  }
  state_->settings.plan.headers = milter::build_header_policy(config, errors);
  state_->settings.classify.internal_hosts.push_back(*milter::parse_cidr("127.0.0.0/8"));
  state_->settings.classify.outbound_daemon_names = {"ORIGINATING"};
  if (!errors.empty()) {
    std::filesystem::remove_all(state_->dir);
    throw std::runtime_error("differential setup: " + format_errors(errors));
  }
}

Differential::~Differential() {
  std::error_code ignored;
  std::filesystem::remove_all(state_->dir, ignored);
}

std::string Differential::compare(const std::string& text, const Scenario& scenario) {
  const MessageFile message = parse_message(text);

  // The daemon, as the MTA drives it.
  DefaultLevelLogger log;
  milter::Session session(state_->settings, *state_->store, log);
  session.set_header_leading_space(true);
  session.connect(scenario.direction == Direction::outbound ? kInternalClient : kExternalClient, "");
  session.mail_from(milter::MailEvent{scenario.mail_from, {}, "", "", ""});
  Envelope accepted;
  accepted.sender = normalize_envelope_address(scenario.mail_from);
  std::vector<std::string> daemon_lines;
  for (const std::string& recipient : scenario.recipients) {
    const milter::Reply reply = session.rcpt_to(recipient, {});
    if (reply.verdict == milter::Verdict::proceed) accepted.recipients.push_back(normalize_envelope_address(recipient));
  }
  for (const HeaderField& field : message.header_fields()) session.header(field.name, field.value);
  ApplyingMta mta(message, accepted);
  const milter::Reply reply = session.end_of_message("Q1", mta);
  for (const std::string& line : log.lines) daemon_lines.push_back(without_queue_id(line));
  if (reply.verdict == milter::Verdict::reject) {
    daemon_lines.push_back("message refused: " + reply.code + " " + reply.xcode + " " + reply.text);
  }
  const bool daemon_changed = reply.verdict != milter::Verdict::proceed || mta.message() != text ||
                              describe(mta.envelope()) != describe(accepted);
  if (daemon_changed) ++changed_;

  // The tool, on the same message and envelope.
  tool::Options options;
  options.mode = tool::Mode::message;
  options.inbound_message = scenario.direction == Direction::inbound;
  options.mail_from = scenario.mail_from;
  options.recipients = scenario.recipients;
  std::ostringstream plain_out, plain_err, diff_out, diff_err;
  tool::render_message(options, *state_->table, state_->space.get(), state_->settings.plan, state_->log_only, text, plain_out,
                       plain_err);
  options.diff = true;
  tool::render_message(options, *state_->table, state_->space.get(), state_->settings.plan, state_->log_only, text, diff_out,
                       diff_err);

  std::string report;
  for (const std::string& problem : mta.problems) report += "daemon: " + problem + "\n";
  expect_same("messages", mta.message(), plain_out.str(), report);
  expect_same("envelopes", describe(mta.envelope()), describe(envelope_from_diff(diff_out.str(), accepted)), report);
  expect_same("change lines", joined(daemon_lines), plain_err.str(), report);
  expect_same("change lines with --diff", plain_err.str(), diff_err.str(), report);
  return report;
}

}  // namespace rewrite::differential
