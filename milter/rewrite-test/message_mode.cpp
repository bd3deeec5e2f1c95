// message_mode.cpp: `rewrite-test --message FILE`: runs a stored message through the same plan as the
// milter (rewrite::plan_message) and prints the result, or a unified diff with --diff.
#include <ostream>

#include "message_diff.h"
#include "modes.h"
#include "rewrite/address.h"
#include "rewrite/header_policy.h"
#include "rewrite/message_file.h"
#include "rewrite/message_plan.h"
#include "rewrite/shared_space_plan.h"

namespace rewrite::tool {
namespace {

// Returns the rule's name for change lines, or "-" when there is none.
std::string rule_name(const AddressChange& change) {
  return change.rule != nullptr ? change.rule->name : "-";
}

// Builds the plan options as the daemon builds them from its configuration: the header lists and DKIM
// policy of the options, else of the file read with -c, else the defaults. Returns false after
// printing the errors (only the options' lists can still be wrong: load_config checked the file's).
bool build_plan_options(const Options& options, const milter::DaemonConfig& file, PlanOptions& plan_options,
                        std::ostream& err) {
  milter::DaemonConfig config = file;
  if (options.outbound_headers) {
    config.outbound_headers = options.outbound_headers;
    config.outbound_headers_source = "command line";
  }
  if (options.inbound_headers) {
    config.inbound_headers = options.inbound_headers;
    config.inbound_headers_source = "command line";
  }
  if (options.signed_headers) {
    config.dkim = *options.signed_headers == "rewrite" ? DkimPolicy::rewrite_signed : DkimPolicy::skip_signed;
  }
  std::vector<ConfigError> errors;
  plan_options.headers = milter::build_header_policy(config, errors);
  plan_options.dkim = config.dkim;
  if (!errors.empty()) {
    err << format_errors(errors);
    return false;
  }
  return true;
}

// Prints every change in the daemon's log style, and every notice, one per line.
void print_changes(const MessagePlan& plan, std::ostream& err) {
  if (plan.sender_changed) {
    err << "from=<" << plan.sender.original << "> -> <" << plan.sender.rewritten
        << "> rule=" << rule_name(plan.sender) << '\n';
  }
  for (const RecipientEdit& edit : plan.recipients) {
    err << "rcpt=<" << edit.change.original << "> -> <" << edit.change.rewritten
        << "> rule=" << rule_name(edit.change) << '\n';
  }
  for (const HeaderEdit& edit : plan.headers) {
    for (const AddressChange& change : edit.changes) {
      err << "header=" << edit.name << ": " << change.original << " -> " << change.rewritten
          << " rule=" << rule_name(change) << '\n';
    }
  }
}

// Prints the notices (fields left alone, or rewritten despite a signature).
void print_notices(const MessagePlan& plan, std::ostream& err) {
  for (const Notice& notice : plan.notices) {
    err << "notice: " << to_string(notice.kind) << ": ";
    if (!notice.field.empty()) err << notice.field << ": ";  // too-many-edits names no one field
    err << notice.detail << '\n';
  }
}

// Drops the recipients the shared space refuses at RCPT, printing each as the milter logs it.
void refuse_unknown(const SharedSpace& space, const RuleTable& table, Direction direction, Envelope& envelope,
                    std::ostream& err) {
  std::vector<std::string> kept;
  for (std::string& recipient : envelope.recipients) {
    if (decide_recipient(space, table, direction, recipient).verdict == SharedSpace::Verdict::unknown) {
      err << "rcpt=<" << recipient << "> rejected: 5.1.1 unknown in shared domain\n";
    } else {
      kept.push_back(std::move(recipient));
    }
  }
  envelope.recipients = std::move(kept);
}

}  // namespace

int run_message_mode(const Options& options, const RuleTable& table, const ToolConfig& config,
                     std::ostream& out, std::ostream& err) {
  const SharedSpace* space = config.space.get();
  PlanOptions plan_options;
  if (!build_plan_options(options, config.daemon, plan_options, err)) {
    return kExitUsage;
  }
  std::string error;
  const std::optional<std::string> text = read_input(options.message_file, error);
  if (!text) {
    err << "rewrite-test: " << error << '\n';
    return kExitUsage;
  }
  const MessageFile message = parse_message(*text);
  Envelope envelope;
  envelope.sender = normalize_envelope_address(options.mail_from);
  for (const std::string& recipient : options.recipients) {
    envelope.recipients.push_back(normalize_envelope_address(recipient));
  }
  const Direction direction = options.inbound_message ? Direction::inbound : Direction::outbound;
  if (space != nullptr) refuse_unknown(*space, table, direction, envelope, err);
  const std::vector<HeaderField> fields = message.header_fields();
  MessagePlan plan = plan_message(table, plan_options, direction, envelope, fields);
  SharedSpacePlan forwards;
  if (space != nullptr) {
    LoopEvidence evidence;
    for (const HeaderField& field : fields) evidence.add(field.name, field.value);
    forwards = plan_shared_space(*space, table, direction, envelope, plan, evidence);
  }
  if (forwards.loop) {
    // The milter refuses the whole message: nothing is changed.
    err << "loop: " << forwards.loop_reason << ": message refused with 554 5.4.6\n";
    if (!options.diff) out << *text;
    out.flush();
    return kExitOk;
  }
  MessagePlan shown = plan;
  for (const ForwardEdit& edit : forwards.forwards) {
    shown.recipients.push_back(RecipientEdit{edit.position, AddressChange{edit.original, edit.rewritten, nullptr}});
  }
  // The shared space's trace field goes after the last header field, where the daemon appends it.
  const MessageFile result =
      forwards.empty() ? message : with_field_appended(message, kForwardTraceHeader, forwards.trace_value);
  if (options.diff) {
    out << envelope_diff(envelope, shown)
        << header_diff(message, result, plan.headers, display_name(options.message_file));
  } else {
    out << apply_header_edits(result, plan.headers);
    print_changes(plan, err);
    for (const ForwardEdit& edit : forwards.forwards) {
      err << "rcpt=<" << edit.original << "> -> <" << edit.rewritten << "> shared-space=forward\n";
    }
  }
  print_notices(plan, err);
  out.flush();
  return kExitOk;
}

}  // namespace rewrite::tool
