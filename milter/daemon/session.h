// SPDX-License-Identifier: BSD-2-Clause
// session.h: the milter's per-connection logic without libmilter: it classifies each message, feeds what
// the MTA says to librewrite's MessageCollector, and at end of message applies the edits that
// rewrite::decide_end_of_message returns through MtaActions and logs its lines with the queue id. Every
// decision about the message is the engine's; the session only carries it out.
// The libmilter callbacks (milter_callbacks.cpp) are a thin layer over this class; tests drive it as a
// scripted fake MTA. Any internal error yields the configured failure action; no exception leaves a
// public member function. Thread safety: one Session per connection, used by one thread at a time;
// the SessionSettings, RuleStore and Logger it refers to are shared and must outlive it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify.h"
#include "config.h"
#include "logger.h"
#include "metrics.h"
#include "mta_actions.h"
#include "rewrite/message_engine.h"
#include "rule_store.h"

namespace rewrite::milter {

// The answer to one MTA event.
enum class Verdict {
  proceed,   // SMFIS_CONTINUE
  accept,    // SMFIS_ACCEPT: accept the message unchanged, no further events
  reject,    // SMFIS_REJECT
  tempfail,  // SMFIS_TEMPFAIL
};

struct Reply {
  Verdict verdict = Verdict::proceed;
  // Optional SMTP reply for reject/tempfail (smfi_setreply); empty code means the MTA's default.
  std::string code;   // "550"
  std::string xcode;  // "5.1.1"
  std::string text;
};

// Settings shared by all sessions; fixed for the life of the process.
struct SessionSettings {
  ClassifySettings classify;
  PlanOptions plan;
  FailureAction on_failure{};  // from the configuration (its default is the settings table's)
  Metrics* metrics = nullptr;  // counts every message, recipient decision and failure; null: none
};

// Decides a message's end; rewrite::decide_end_of_message in production, replaceable in tests.
using Finisher = std::function<EndOfMessage(const MessageCollector&)>;

// Everything the MTA tells us at MAIL FROM.
struct MailEvent {
  std::string sender;                   // as the MTA passed it ("<a@b>", "a@b", "<>", "")
  std::vector<std::string> esmtp_args;  // "SIZE=123", "BODY=8BITMIME", ...
  std::string auth_authen;              // {auth_authen}, "" when unset
  std::string daemon_name;              // {daemon_name} if sent at MAIL, "" otherwise
  std::string queue_id;                 // {i} if already known (Sendmail), "" otherwise
};

class Session {
 public:
  Session(const SessionSettings& settings, RuleStore& rules, Logger& log, Finisher finisher = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Connection established. daemon_name is {daemon_name} ("" when unset).
  Reply connect(const ClientInfo& client, const std::string& daemon_name);
  // Whether SMFIP_HDR_LEADSPC was negotiated: header values then keep their leading space both ways.
  void set_header_leading_space(bool on) { leading_space_ = on; }

  // MAIL FROM: starts a new message (any previous message state is dropped), classifies it and takes
  // the rule table in force. A failure reply is also remembered and repeated at RCPT and end of message,
  // for MTAs that were told not to expect a reply at MAIL or header time.
  Reply mail_from(const MailEvent& event);
  // RCPT TO: address as passed by the MTA, then its ESMTP arguments, and {i} when known. With the
  // shared address space on, a recipient of the shared domain known nowhere is refused here with
  // 550 5.1.1 (authoritative) and is not part of the message.
  Reply rcpt_to(const std::string& address, const std::vector<std::string>& esmtp_args,
                const std::string& queue_id = "");
  // One top-level header field, value as the MTA passed it.
  Reply header(std::string_view name, std::string_view value);
  // End of message: plans and applies every edit. queue_id is {i} ("" when unset).
  Reply end_of_message(const std::string& queue_id, MtaActions& mta);
  // The MTA aborted the message: forget it, keep the connection.
  void abort();

  // For tests and logs.
  bool in_message() const { return message_ != nullptr; }
  Direction direction() const;

 private:
  struct Message;

  Reply failure(FailureCause cause, const std::string& queue_id, const std::string& what);
  // Makes one edit through the MTA; returns false when the MTA refused it.
  static bool apply(const MessageEdit& edit, MtaActions& mta);
  // Logs the engine's lines, each prefixed with the queue id.
  void log_lines(const std::vector<LogLine>& lines, const std::string& queue_id);
  std::string queue_id_or(const std::string& queue_id) const;

  const SessionSettings& settings_;
  RuleStore& rules_;
  Logger& log_;
  Finisher finisher_;
  ClientInfo client_;
  std::string daemon_name_;
  bool leading_space_ = false;
  std::unique_ptr<Message> message_;
  // A failure at a stage that may not reply (SMFIP_NR_MAIL, SMFIP_NR_HDR) waits here for the next stage
  // that can: RCPT or end of message.
  std::optional<Reply> pending_;
};

// Returns "NOQUEUE" when queue_id is empty, queue_id otherwise.
std::string printable_queue_id(const std::string& queue_id);

}  // namespace rewrite::milter
