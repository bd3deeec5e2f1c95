// SPDX-License-Identifier: BSD-2-Clause
// session.cpp: per-connection milter logic over librewrite's message engine (see session.h).
#include "session.h"

namespace rewrite::milter {

std::string printable_queue_id(const std::string& queue_id) {
  return queue_id.empty() ? "NOQUEUE" : queue_id;
}

// The message in progress; dropped at end of message, abort or next MAIL.
struct Session::Message {
  std::shared_ptr<const RuleTable> table;   // the rules this message started with
  std::shared_ptr<const SharedSpace> space; // and the shared space loaded with them (null when off)
  Classification classification;
  std::string queue_id;                     // {i} when the MTA sent it before end of message
  std::shared_ptr<const RuleHitCounters> hits;  // the counters of table's rules
  std::optional<MessageCollector> collector;  // made in place, once the classification is known
};

namespace {

// Maps the engine's severities onto the daemon's log levels.
LogLevel level_of(Severity severity) {
  switch (severity) {
    case Severity::warning: return LogLevel::warning;
    case Severity::notice: return LogLevel::notice;
    case Severity::info: return LogLevel::info;
    case Severity::verbose: return LogLevel::verbose;
  }
  return LogLevel::info;
}

// Names the libmilter call behind an edit, for error lines.
const char* call_name(MessageEdit::Kind kind) {
  switch (kind) {
    case MessageEdit::Kind::change_sender: return "smfi_chgfrom";
    case MessageEdit::Kind::delete_recipient: return "smfi_delrcpt";
    case MessageEdit::Kind::add_recipient: return "smfi_addrcpt_par";
    case MessageEdit::Kind::change_header: return "smfi_chgheader";
    case MessageEdit::Kind::add_header: return "smfi_insheader";
  }
  return "smfi call";
}

}  // namespace

Session::Session(const SessionSettings& settings, RuleStore& rules, Logger& log, Finisher finisher)
    : settings_(settings), rules_(rules), log_(log), finisher_(std::move(finisher)) {
  if (!finisher_) finisher_ = &decide_end_of_message;
  if (settings_.metrics != nullptr) settings_.metrics->session_started();
}

Session::~Session() {
  if (settings_.metrics != nullptr) settings_.metrics->session_ended();
}

Direction Session::direction() const {
  return message_ ? message_->classification.direction : Direction::inbound;
}

std::string Session::queue_id_or(const std::string& queue_id) const {
  if (!queue_id.empty()) return queue_id;
  return message_ ? printable_queue_id(message_->queue_id) : "NOQUEUE";
}

Reply Session::failure(FailureCause cause, const std::string& queue_id, const std::string& what) {
  // Logs the internal error, counts it, forgets the message and answers with the configured action.
  if (settings_.metrics != nullptr) settings_.metrics->failure(cause);
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
    return failure(FailureCause::connect, "", std::string("connect: ") + e.what());
  } catch (...) {
    return failure(FailureCause::connect, "", "connect: unknown error");
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
    message->hits = std::move(snapshot.hits);
    if (!message->table) return failure(FailureCause::no_rules, event.queue_id, "no rule table loaded");
    const std::string& daemon_name = event.daemon_name.empty() ? daemon_name_ : event.daemon_name;
    const bool debug = log_.enabled(LogLevel::debug);
    message->classification = classify(client_, event.auth_authen, daemon_name, settings_.classify, debug);
    MessageContext context;
    context.table = message->table.get();
    context.space = message->space.get();
    context.options = &settings_.plan;
    context.direction = message->classification.direction;
    context.header_leading_space = leading_space_;
    context.log_only = snapshot.log_only;
    message->collector.emplace(context, event.sender);
    if (debug) {
      log_.log(LogLevel::debug, printable_queue_id(event.queue_id) + ": " +
                                    to_string(message->classification.direction) + ": " +
                                    message->classification.reason);
    }
    message_ = std::move(message);
    return {};
  } catch (const std::exception& e) {
    return failure(FailureCause::mail_from, event.queue_id, std::string("MAIL FROM: ") + e.what());
  } catch (...) {
    return failure(FailureCause::mail_from, event.queue_id, "MAIL FROM: unknown error");
  }
}

Reply Session::rcpt_to(const std::string& address, const std::vector<std::string>& esmtp_args,
                       const std::string& queue_id) {
  try {
    if (pending_) return *pending_;
    if (!message_) return {};
    const RcptOutcome outcome = message_->collector->recipient(address, esmtp_args);
    if (settings_.metrics != nullptr) settings_.metrics->recipient(outcome.verdict);
    if (!outcome.line.text.empty()) {
      log_.log(level_of(outcome.line.severity),
               printable_queue_id(queue_id.empty() ? message_->queue_id : queue_id) + ": " + outcome.line.text);
    }
    if (!outcome.refused) return {};
    return Reply{Verdict::reject, outcome.refusal.code, outcome.refusal.xcode, outcome.refusal.text};
  } catch (const std::exception& e) {
    return failure(FailureCause::rcpt, "", std::string("RCPT TO: ") + e.what());
  } catch (...) {
    return failure(FailureCause::rcpt, "", "RCPT TO: unknown error");
  }
}

Reply Session::header(std::string_view name, std::string_view value) {
  try {
    if (message_) message_->collector->header(name, value);
    return {};
  } catch (const std::exception& e) {
    return failure(FailureCause::header, "", std::string("header: ") + e.what());
  } catch (...) {
    return failure(FailureCause::header, "", "header: unknown error");
  }
}

void Session::abort() {
  message_.reset();
  pending_.reset();
}

void Session::log_lines(const std::vector<LogLine>& lines, const std::string& queue_id) {
  for (const LogLine& line : lines) {
    const LogLevel level = level_of(line.severity);
    if (!log_.enabled(level)) continue;
    std::string text;
    text.reserve(queue_id.size() + 2 + line.text.size());
    text.append(queue_id).append(": ").append(line.text);
    log_.log(level, text);
  }
}

bool Session::apply(const MessageEdit& edit, MtaActions& mta) {
  switch (edit.kind) {
    case MessageEdit::Kind::change_sender: return mta.change_sender(edit.address, "");
    case MessageEdit::Kind::delete_recipient: return mta.delete_recipient(edit.address);
    case MessageEdit::Kind::add_recipient: return mta.add_recipient(edit.address, edit.esmtp_args);
    case MessageEdit::Kind::change_header: return mta.change_header(edit.name, edit.index, edit.value);
    case MessageEdit::Kind::add_header: return mta.add_header(edit.name, edit.value);
  }
  return false;
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
    const EndOfMessage decision = finisher_(*message_->collector);
    // Edits go in the engine's order; the first refused call ends the message with the failure action
    // (under tempfail and reject the MTA discards the partial edits with the message). The lines are
    // logged once every edit is made, so no line reports a change the MTA did not take.
    for (const MessageEdit& edit : decision.edits) {
      if (!apply(edit, mta)) return failure(FailureCause::mta_refused, queue_id, std::string(call_name(edit.kind)) + " failed");
    }
    log_lines(decision.lines, queue_id);
    if (settings_.metrics != nullptr) {
      settings_.metrics->message(message_->classification.direction, decision.tally, message_->hits.get());
    }
    message_.reset();
    pending_.reset();
    if (decision.refused) {
      return Reply{Verdict::reject, decision.refusal.code, decision.refusal.xcode, decision.refusal.text};
    }
    return {};
  } catch (const std::exception& e) {
    return failure(FailureCause::end_of_message, eom_queue_id, std::string("end of message: ") + e.what());
  } catch (...) {
    return failure(FailureCause::end_of_message, eom_queue_id, "end of message: unknown error");
  }
}

}  // namespace rewrite::milter
