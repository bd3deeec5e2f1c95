// SPDX-License-Identifier: BSD-2-Clause
// compare_mode.cpp: `rewrite-test -r RULES --compare NEW-RULES --addresses FILE --messages PATH`: the
// impact of a rules change. Every address (both directions) and every message (through the one engine,
// as the daemon would decide it) is run with the current and the new rules; each result that differs
// is printed, then the new rules that fired for none of the inputs. Exit status 1 when anything differs,
// so the command can gate a rules change.
#include <algorithm>
#include <filesystem>
#include <ostream>
#include <set>

#include "modes.h"
#include "rewrite/address.h"
#include "rewrite/message_engine.h"
#include "rewrite/offline/collisions.h"
#include "rewrite/offline/message_file.h"

namespace rewrite::tool {
namespace {

// The rules of new_table that fired for at least one input, by position.
using Fired = std::set<std::size_t>;

// Records the rule of a lookup in the new table.
void record(Fired& fired, const RuleTable& table, const Rule* rule) {
  const std::vector<Rule>& rules = table.rules();
  if (rule != nullptr && !rules.empty() && rule >= rules.data() && rule < rules.data() + rules.size()) {
    fired.insert(static_cast<std::size_t>(rule - rules.data()));
  }
}

// "chris@contoso.com (rule flatten, rules:3)" or "unchanged".
std::string describe(const RuleTable& table, const Lookup& lookup) {
  if (!lookup.rewritten) return "unchanged";
  std::string text = lookup.address;
  if (lookup.rule != nullptr) {
    text += " (rule " + lookup.rule->name() + ", " + table.location_of(*lookup.rule) + ")";
  }
  return text;
}

// The change lines the engine decides for one message with one table.
std::vector<std::string> decide(const Options& options, const RuleTable& table, const ToolConfig& config,
                                const MessageFile& message, MessageTally* tally) {
  MessageContext context;
  context.table = &table;
  context.space = config.space.get();
  context.options = &config.plan;
  context.direction = options.inbound_message ? Direction::inbound : Direction::outbound;
  context.header_leading_space = true;
  MessageCollector collector(context, options.mail_from);
  std::vector<std::string> lines;
  for (const std::string& recipient : options.recipients) {
    const RcptOutcome outcome = collector.recipient(recipient, {});
    if (outcome.refused) lines.push_back(outcome.line.text);
  }
  for (const HeaderField& field : message.header_fields()) collector.header(field.name, field.value);
  const EndOfMessage end = decide_end_of_message(collector);
  for (const LogLine& line : end.lines) {
    if (line.change) lines.push_back(line.text);
  }
  if (end.refused) lines.push_back("message refused: " + end.refusal.code + " " + end.refusal.xcode);
  if (tally != nullptr) *tally = end.tally;
  return lines;
}

// The message files a --messages PATH names: the file itself, or a directory's regular files (not
// hidden, not recursive), in name order.
Result<std::vector<std::string>> message_files(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.' && entry.is_regular_file(error)) files.push_back(entry.path().string());
  }
  if (error) return Error("cannot read directory " + path + ": " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

struct Counts {
  std::size_t addresses = 0, addresses_differing = 0, messages = 0, messages_differing = 0;
};

// Compares one address list; false when a file is refused (the error is printed).
bool compare_addresses(const std::string& path, const RuleTable& current, const RuleTable& next, Fired& fired,
                       Counts& counts, std::ostream& out, std::ostream& err) {
  const Result<std::string> text = read_input(path, "address list");
  if (!text) {
    err << "rewrite-test: " << text.error().message() << '\n';
    return false;
  }
  const AddressList list = parse_address_list(*text, display_name(path));
  for (const ConfigError& problem : list.errors) err << problem.to_string() << '\n';
  if (!list.errors.empty()) return false;
  for (const Mailbox& mailbox : list.mailboxes) {
    for (const std::string& address : mailbox.addresses) {
      ++counts.addresses;
      bool differs = false;
      for (const Direction direction : {Direction::outbound, Direction::inbound}) {
        const Lookup before = current.lookup(address, direction);
        const Lookup after = next.lookup(address, direction);
        record(fired, next, after.rule);
        if (before.rewritten == after.rewritten && before.address == after.address) continue;
        differs = true;
        out << to_string(direction) << ' ' << address << ": " << describe(current, before) << " -> "
            << describe(next, after) << '\n';
      }
      if (differs) ++counts.addresses_differing;
    }
  }
  return true;
}

// Compares the messages of one --messages PATH; false when a file is refused (the error is printed).
bool compare_messages(const std::string& path, const Options& options, const RuleTable& current,
                      const RuleTable& next, const ToolConfig& config, Fired& fired, Counts& counts,
                      std::ostream& out, std::ostream& err) {
  const Result<std::vector<std::string>> files = message_files(path);
  if (!files) {
    err << "rewrite-test: " << files.error().message() << '\n';
    return false;
  }
  for (const std::string& file : *files) {
    const Result<std::string> text = read_input(file, "message file");
    if (!text) {
      err << "rewrite-test: " << text.error().message() << '\n';
      return false;
    }
    const MessageFile message = parse_message(*text);
    MessageTally tally;
    const std::vector<std::string> before = decide(options, current, config, message, nullptr);
    const std::vector<std::string> after = decide(options, next, config, message, &tally);
    for (const std::size_t position : tally.rule_hits) fired.insert(position);
    ++counts.messages;
    if (before == after) continue;
    ++counts.messages_differing;
    const std::set<std::string> old_lines(before.begin(), before.end());
    const std::set<std::string> new_lines(after.begin(), after.end());
    for (const std::string& line : before) {
      if (!new_lines.count(line)) out << display_name(file) << ": - " << line << '\n';
    }
    for (const std::string& line : after) {
      if (!old_lines.count(line)) out << display_name(file) << ": + " << line << '\n';
    }
  }
  return true;
}

}  // namespace

int run_compare_mode(const Options& options, const RuleTable& current, const RuleTable& next,
                     const ToolConfig& config, std::ostream& out, std::ostream& err) {
  Fired fired;
  Counts counts;
  for (const std::string& path : options.compare_addresses) {
    if (!compare_addresses(path, current, next, fired, counts, out, err)) return kExitConfig;
  }
  for (const std::string& path : options.compare_messages) {
    if (!compare_messages(path, options, current, next, config, fired, counts, out, err)) return kExitConfig;
  }
  std::size_t unused = 0;
  for (std::size_t position = 0; position < next.rules().size(); ++position) {
    if (fired.count(position)) continue;
    ++unused;
    const Rule& rule = next.rules()[position];
    out << "unused: rule " << rule.name() << " (" << next.location_of(rule) << ") fires for none of the inputs\n";
  }
  out << "compare: " << counts.addresses_differing << " of " << counts.addresses
      << (counts.addresses == 1 ? " address" : " addresses") << " and " << counts.messages_differing << " of "
      << counts.messages << (counts.messages == 1 ? " message" : " messages") << " differ; " << unused << " of "
      << next.rules().size() << " new rules fire for no input\n";
  return counts.addresses_differing + counts.messages_differing == 0 ? kExitOk : kExitFindings;
}

}  // namespace rewrite::tool
