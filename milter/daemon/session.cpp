// session.cpp: per-connection milter logic over librewrite (see session.h).
#include "session.h"

#include <set>

#include "rewrite/address.h"

namespace rewrite::milter {

std::string printable_queue_id(const std::string& queue_id) {
  return queue_id.empty() ? "NOQUEUE" : queue_id;
}

// Everything known about the message in progress; dropped at end of message, abort or next MAIL.
struct Session::Message {
  std::shared_ptr<const RuleTable> table;  // the rules this message started with
  std::shared_ptr<const SharedSpace> space; // and the shared space loaded with them (null when off)
  Classification classification;
  std::string queue_id;                    // {i} when the MTA sent it before end of message
  Envelope envelope;                       // normalised addresses for the planner
  std::vector<std::string> raw_recipients; // as the MTA passed them, for smfi_delrcpt
  std::vector<std::string> recipient_args; // ESMTP arguments per recipient, joined by spaces
  std::vector<HeaderField> headers;
  std::size_t header_bytes = 0;
  bool header_overflow = false;
  LoopEvidence loop_evidence;              // trace fields and Received count, kept even on overflow
  std::set<std::string> replaced;          // recipients already replaced at end of message (lower case)
  std::set<std::string> present;           // recipients the message will keep or has gained (lower case)
};

namespace {

// Joins ESMTP arguments with single spaces.
std::string join_args(const std::vector<std::string>& args) {
  std::string joined;
  for (const std::string& arg : args) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

// Returns the rule's name for logs.
std::string rule_name(const AddressChange& change) {
  return change.rule != nullptr ? change.rule->name : "-";
}

}  // namespace

Session::Session(const SessionSettings& settings, RuleStore& rules, Logger& log, Planner planner)
    : settings_(settings), rules_(rules), log_(log), planner_(std::move(planner)) {
  if (!planner_) planner_ = &plan_message;
}

Session::~Session() = default;

Direction Session::direction() const {
  return message_ ? message_->classification.direction : Direction::inbound;
}

std::string Session::queue_id_or(const std::string& queue_id) const {
  if (!queue_id.empty()) return queue_id;
  return message_ ? printable_queue_id(message_->queue_id) : "NOQUEUE";
}

Reply Session::failure(const std::string& queue_id, const std::string& what) {
  // Logs the internal error, forgets the message and answers with the configured action.
  log_.log(LogLevel::error, queue_id_or(queue_id) + ": error: " + what + "; action=" +
                                to_string(settings_.on_failure));
  message_.reset();
  switch (settings_.on_failure) {
    case FailureAction::accept: pending_ = Reply{Verdict::accept, "", "", ""}; break;
    case FailureAction::reject: pending_ = Reply{Verdict::reject, "550", "5.3.0", "Address rewriting failed"}; break;
    case FailureAction::tempfail:
      pending_ = Reply{Verdict::tempfail, "451", "4.3.0", "Address rewriting temporarily failed"};
      break;
  }
  return *pending_;
}

Reply Session::connect(const ClientInfo& client, const std::string& daemon_name) {
  try {
    client_ = client;
    daemon_name_ = daemon_name;
    message_.reset();
    pending_.reset();
    return {};
  } catch (const std::exception& e) {
    return failure("", std::string("connect: ") + e.what());
  } catch (...) {
    return failure("", "connect: unknown error");
  }
}

Reply Session::mail_from(const MailEvent& event) {
  try {
    message_.reset();
    pending_.reset();
    auto message = std::make_unique<Message>();
    message->queue_id = event.queue_id;
    RuleSnapshot snapshot = rules_.snapshot();
    message->table = std::move(snapshot.table);
    message->space = std::move(snapshot.space);
    if (!message->table) return failure(event.queue_id, "no rule table loaded");
    const std::string& daemon_name = event.daemon_name.empty() ? daemon_name_ : event.daemon_name;
    message->classification = classify(client_, event.auth_authen, daemon_name, settings_.classify);
    message->envelope.sender = normalize_envelope_address(event.sender);
    if (log_.enabled(LogLevel::debug)) {
      log_.log(LogLevel::debug, printable_queue_id(event.queue_id) + ": " +
                                    to_string(message->classification.direction) + ": " +
                                    message->classification.reason);
    }
    message_ = std::move(message);
    return {};
  } catch (const std::exception& e) {
    return failure(event.queue_id, std::string("MAIL FROM: ") + e.what());
  } catch (...) {
    return failure(event.queue_id, "MAIL FROM: unknown error");
  }
}

Reply Session::rcpt_to(const std::string& address, const std::vector<std::string>& esmtp_args,
                       const std::string& queue_id) {
  try {
    if (pending_) return *pending_;
    if (!message_) return {};
    std::string recipient = normalize_envelope_address(address);
    if (message_->space) {
      const SharedSpace::Decision decision = decide_recipient(*message_->space, *message_->table,
                                                              message_->classification.direction, recipient);
      if (decision.verdict == SharedSpace::Verdict::unknown) {
        // Refused now, so nothing bounces later: the sender's own MTA reports it.
        log_.log(LogLevel::info, printable_queue_id(queue_id.empty() ? message_->queue_id : queue_id) +
                                     ": rcpt=<" + recipient + "> rejected: 5.1.1 unknown in shared domain");
        return Reply{Verdict::reject, "550", "5.1.1",
                     "<" + recipient + ">: Recipient address rejected: no such user in " +
                         message_->space->settings().shared_domain};
      }
    }
    message_->envelope.recipients.push_back(std::move(recipient));
    message_->raw_recipients.push_back(address);
    message_->recipient_args.push_back(join_args(esmtp_args));
    return {};
  } catch (const std::exception& e) {
    return failure("", std::string("RCPT TO: ") + e.what());
  } catch (...) {
    return failure("", "RCPT TO: unknown error");
  }
}

Reply Session::header(const std::string& name, const std::string& value) {
  try {
    if (!message_) return {};
    message_->loop_evidence.add(name, value);
    if (message_->header_overflow) return {};
    message_->header_bytes += name.size() + value.size() + 4;
    if (message_->header_bytes > kMaxHeaderBytes) {
      // Bounded memory: a header this large is not rewritten at all (indexes would be unreliable).
      message_->header_overflow = true;
      message_->headers.clear();
      message_->headers.shrink_to_fit();
      return {};
    }
    message_->headers.push_back(HeaderField{name, value});
    return {};
  } catch (const std::exception& e) {
    return failure("", std::string("header: ") + e.what());
  } catch (...) {
    return failure("", "header: unknown error");
  }
}

void Session::abort() {
  message_.reset();
  pending_.reset();
}

void Session::log_notices(const MessagePlan& plan, const std::string& queue_id) {
  // One line per notice: skipped fields, and fields rewritten despite a DKIM signature.
  for (const Notice& notice : plan.notices) {
    std::string line = queue_id + ": header=" + notice.field;
    switch (notice.kind) {
      case Notice::Kind::dkim_protected:
        line += " skipped: dkim-protected";
        break;
      case Notice::Kind::malformed_header:
        line += " skipped: malformed-header: " + notice.detail;
        break;
      case Notice::Kind::dkim_rewritten:
        line += " dkim-rewritten: " + notice.detail;
        break;
      case Notice::Kind::too_many_edits:
        line = queue_id + ": header skipped: too-many-edits: " + notice.detail;
        break;
    }
    const bool warn = notice.kind == Notice::Kind::malformed_header || notice.kind == Notice::Kind::too_many_edits;
    log_.log(warn ? LogLevel::warning : LogLevel::notice, line);
  }
}

Reply Session::replace_recipient(std::size_t position, const std::string& rewritten, const std::string& queue_id,
                                 const std::string& reason, MtaActions& mta) {
  // Deletes the recipient at position and adds rewritten with the original ESMTP arguments. A recipient
  // given twice is replaced once; a rewritten address the message already goes to is not added again,
  // so nobody receives two copies.
  if (position >= message_->raw_recipients.size()) return failure(queue_id, "recipient edit out of range");
  const std::string& original = message_->envelope.recipients[position];
  if (!message_->replaced.insert(lower_ascii(original)).second) return {};
  if (!mta.delete_recipient(message_->raw_recipients[position])) return failure(queue_id, "smfi_delrcpt failed");
  const bool merged = !message_->present.insert(lower_ascii(rewritten)).second;
  if (!merged && !mta.add_recipient("<" + rewritten + ">", message_->recipient_args[position])) {
    return failure(queue_id, "smfi_addrcpt_par failed");
  }
  log_.log(LogLevel::info, queue_id + ": rcpt=<" + original + "> -> <" + rewritten + "> " + reason +
                               (merged ? " merged: already a recipient" : ""));
  return {};
}

Reply Session::apply_plan(const MessagePlan& plan, const std::string& queue_id, MtaActions& mta) {
  // Applies the precomputed edits in a fixed order; the first refused call ends the message with the
  // failure action (under tempfail and reject the MTA discards the partial edits with the message).
  if (plan.sender_changed) {
    if (!mta.change_sender("<" + plan.sender.rewritten + ">", "")) return failure(queue_id, "smfi_chgfrom failed");
    log_.log(LogLevel::info, queue_id + ": from=<" + plan.sender.original + "> -> <" + plan.sender.rewritten +
                                 "> rule=" + rule_name(plan.sender));
  }
  for (const RecipientEdit& edit : plan.recipients) {
    const Reply reply = replace_recipient(edit.position, edit.change.rewritten, queue_id,
                                          "rule=" + rule_name(edit.change), mta);
    if (reply.verdict != Verdict::proceed) return reply;
  }
  for (const HeaderEdit& edit : plan.headers) {
    // With SMFIP_HDR_LEADSPC the value came with its own leading white space (or none, or a fold) and the
    // rewritten value keeps it byte for byte, so it goes back as it is. Without it the MTA adds one space.
    if (!mta.change_header(edit.name, edit.index, edit.value)) return failure(queue_id, "smfi_chgheader failed");
    for (const AddressChange& change : edit.changes) {
      log_.log(LogLevel::info, queue_id + ": header=" + edit.name + " <" + change.original + "> -> <" +
                                   change.rewritten + "> rule=" + rule_name(change));
    }
  }
  return {};
}

Reply Session::apply_forwards(const SharedSpacePlan& plan, const std::string& queue_id, MtaActions& mta) {
  // Replaces each forwarded recipient by its routing-domain address, then adds the trace header at the
  // end of the header, after every smfi_chgheader edit, so it shifts no index those edits used.
  for (const ForwardEdit& edit : plan.forwards) {
    const Reply reply = replace_recipient(edit.position, edit.rewritten, queue_id, "shared-space=forward", mta);
    if (reply.verdict != Verdict::proceed) return reply;
  }
  if (plan.forwards.empty()) return {};
  // With SMFIP_HDR_LEADSPC the MTA inserts no space after the colon: the value must carry its own.
  const std::string value = (leading_space_ ? " " : "") + plan.trace_value;
  if (!mta.add_header(kForwardTraceHeader, value)) return failure(queue_id, "smfi_insheader failed");
  return {};
}

Reply Session::end_of_message(const std::string& eom_queue_id, MtaActions& mta) {
  try {
    if (pending_) {
      const Reply reply = *pending_;
      pending_.reset();
      return reply;
    }
    if (!message_) return {};
    const std::string queue_id = printable_queue_id(eom_queue_id.empty() ? message_->queue_id : eom_queue_id);
    if (message_->header_overflow) {
      log_.log(LogLevel::warning, queue_id + ": header larger than " + std::to_string(kMaxHeaderBytes) +
                                      " bytes; header fields left unchanged");
    }
    const MessagePlan plan = planner_(*message_->table, settings_.plan, message_->classification.direction,
                                      message_->envelope, message_->headers);
    log_notices(plan, queue_id);
    SharedSpacePlan forwards;
    if (message_->space) {
      forwards = plan_shared_space(*message_->space, *message_->table, message_->classification.direction,
                                   message_->envelope, plan, message_->loop_evidence);
    }
    if (forwards.loop) {
      // Never forwarded again: refused as a whole, before any edit, so the previous hop reports it.
      log_.log(LogLevel::notice, queue_id + ": loop: " + forwards.loop_reason);
      message_.reset();
      return Reply{Verdict::reject, "554", "5.4.6", "Mail loop: " + forwards.loop_reason};
    }
    if (plan.empty() && forwards.empty()) {
      if (log_.enabled(LogLevel::verbose)) {
        log_.log(LogLevel::verbose, queue_id + ": unchanged (" +
                                        to_string(message_->classification.direction) + ")");
      }
      message_.reset();
      return {};
    }
    // Recipients that no edit replaces stay; a rewritten recipient equal to one of them is merged.
    std::set<std::string> replaced_now;
    for (const RecipientEdit& edit : plan.recipients) {
      replaced_now.insert(lower_ascii(message_->envelope.recipients.at(edit.position)));
    }
    for (const ForwardEdit& edit : forwards.forwards) {
      replaced_now.insert(lower_ascii(message_->envelope.recipients.at(edit.position)));
    }
    for (const std::string& recipient : message_->envelope.recipients) {
      if (!replaced_now.count(lower_ascii(recipient))) message_->present.insert(lower_ascii(recipient));
    }
    Reply reply = apply_plan(plan, queue_id, mta);
    if (reply.verdict == Verdict::proceed) reply = apply_forwards(forwards, queue_id, mta);
    message_.reset();
    pending_.reset();
    return reply;
  } catch (const std::exception& e) {
    return failure(eom_queue_id, std::string("end of message: ") + e.what());
  } catch (...) {
    return failure(eom_queue_id, "end of message: unknown error");
  }
}

}  // namespace rewrite::milter
