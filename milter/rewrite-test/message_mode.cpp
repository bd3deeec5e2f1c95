// SPDX-License-Identifier: BSD-2-Clause
// message_mode.cpp: `rewrite-test --message FILE`: feeds a stored message to the same engine as the
// milter (rewrite::MessageCollector, rewrite::decide_end_of_message) and renders what it decides: the
// rewritten message, or a unified diff with --diff, and the daemon's log lines on standard error.
#include <ostream>

#include "message_diff.h"
#include "modes.h"
#include "rewrite/address.h"
#include "rewrite/message_engine.h"
#include "rewrite/offline/message_file.h"

namespace rewrite::tool {
namespace {

// Prints one engine line as the daemon logs it at its default verbosity, without the queue id (the
// daemon's verbose lines, such as "unchanged (outbound)", are left out).
void print_line(const LogLine& line, std::ostream& err) {
  if (line.severity != Severity::verbose) err << line.text << '\n';
}

}  // namespace

int run_message_mode(const Options& options, const RuleTable& table, const ToolConfig& config,
                     std::ostream& out, std::ostream& err) {
  const Result<std::string> text = read_input(options.message_file, "message file");
  if (!text) {
    err << "rewrite-test: " << text.error().message() << '\n';
    return kExitConfig;  // an input file refused, as a rules file would be
  }
  render_message(options, table, config.space.get(), config.plan, config.daemon.log_only, *text, out, err);
  return kExitOk;
}

void render_message(const Options& options, const RuleTable& table, const SharedSpace* space,
                    const PlanOptions& plan_options, bool log_only, const std::string& text, std::ostream& out,
                    std::ostream& err) {
  const MessageFile message = parse_message(text);
  MessageContext context;
  context.table = &table;
  context.space = space;
  context.options = &plan_options;
  context.direction = options.inbound_message ? Direction::inbound : Direction::outbound;
  context.header_leading_space = true;  // a message file's values keep their leading white space
  context.log_only = log_only;
  MessageCollector collector(context, options.mail_from);
  for (const std::string& recipient : options.recipients) {
    const RcptOutcome outcome = collector.recipient(recipient, {});
    if (!outcome.line.text.empty()) print_line(outcome.line, err);
  }
  for (const HeaderField& field : message.header_fields()) collector.header(field.name, field.value);
  const EndOfMessage decision = decide_end_of_message(collector);
  if (decision.refused) {
    // The milter refuses the whole message: nothing is changed.
    for (const LogLine& line : decision.lines) print_line(line, err);
    err << "message refused: " << decision.refusal.code << ' ' << decision.refusal.xcode << ' '
        << decision.refusal.text << '\n';
    if (!options.diff) out << text;
    out.flush();
    return;
  }
  MessageFile result = message;
  for (const MessageEdit& edit : decision.edits) {
    if (edit.kind == MessageEdit::Kind::add_header) result = with_field_appended(result, edit.name, edit.value);
  }
  const std::vector<HeaderEdit> headers = header_edits(decision.edits);
  if (options.diff) {
    out << envelope_diff(collector.envelope(), decision.edits)
        << header_diff(message, result, headers, display_name(options.message_file));
  } else {
    out << apply_header_edits(result, headers);
  }
  for (const LogLine& line : decision.lines) print_line(line, err);
  out.flush();
}

}  // namespace rewrite::tool
