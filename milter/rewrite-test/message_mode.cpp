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

// Builds the plan options from the command line, the same way the daemon builds them from its
// configuration. Returns false after printing the errors.
bool build_plan_options(const Options& options, PlanOptions& plan_options, std::ostream& err) {
  if (options.outbound_headers || options.inbound_headers) {
    std::vector<ConfigError> errors;
    plan_options.headers = HeaderPolicy::from_lists(
        options.outbound_headers.value_or(default_outbound_headers()),
        options.inbound_headers.value_or(std::vector<std::string>{}), "command line", errors);
    if (!errors.empty()) {
      err << format_errors(errors);
      return false;
    }
  }
  plan_options.dkim =
      options.signed_headers == "rewrite" ? DkimPolicy::rewrite_signed : DkimPolicy::skip_signed;
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
    err << "notice: " << to_string(notice.kind) << ": " << notice.field << ": " << notice.detail
        << '\n';
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

// Returns text with the field `name: value` appended at the end of its header, in the message's line
// ending style.
std::string append_field(const std::string& text, const std::string& name, const std::string& value) {
  const std::size_t crlf = text.find("\r\n\r\n");
  const std::size_t lf = text.find("\n\n");
  const bool use_crlf = crlf != std::string::npos && (lf == std::string::npos || crlf < lf);
  const std::size_t end = use_crlf ? crlf + 2 : (lf != std::string::npos ? lf + 1 : text.size());
  const std::string eol = use_crlf ? "\r\n" : "\n";
  std::string result = text.substr(0, end);
  if (!result.empty() && result.back() != '\n') result += eol;
  return result + name + ": " + value + eol + text.substr(end);
}

}  // namespace

int run_message_mode(const Options& options, const RuleTable& table, const SharedSpace* space,
                     std::ostream& out, std::ostream& err) {
  PlanOptions plan_options;
  if (!build_plan_options(options, plan_options, err)) {
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
  if (options.diff) {
    out << envelope_diff(envelope, shown)
        << header_diff(message, plan, display_name(options.message_file));
    if (!forwards.empty()) out << "+" << kForwardTraceHeader << ": " << forwards.trace_value << '\n';
  } else {
    std::string result = apply_header_edits(message, plan.headers);
    if (!forwards.empty()) result = append_field(result, kForwardTraceHeader, forwards.trace_value);
    out << result;
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
