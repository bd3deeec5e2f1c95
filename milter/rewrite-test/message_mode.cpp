// message_mode.cpp: `rewrite-test --message FILE`: runs a stored message through the same plan as the
// milter (rewrite::plan_message) and prints the result, or a unified diff with --diff.
#include <ostream>

#include "message_diff.h"
#include "modes.h"
#include "rewrite/address.h"
#include "rewrite/header_policy.h"
#include "rewrite/message_file.h"
#include "rewrite/message_plan.h"

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

}  // namespace

int run_message_mode(const Options& options, const RuleTable& table, std::ostream& out,
                     std::ostream& err) {
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
  const MessagePlan plan =
      plan_message(table, plan_options, direction, envelope, message.header_fields());
  if (options.diff) {
    out << envelope_diff(envelope, plan)
        << header_diff(message, plan, display_name(options.message_file));
  } else {
    out << apply_header_edits(message, plan.headers);
    print_changes(plan, err);
  }
  print_notices(plan, err);
  out.flush();
  return kExitOk;
}

}  // namespace rewrite::tool
