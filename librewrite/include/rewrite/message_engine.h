// SPDX-License-Identifier: BSD-2-Clause
// message_engine.h: the one place that decides what happens to a message, for the daemon and for
// rewrite-test alike. A MessageCollector takes what the MTA says (MAIL FROM, each RCPT TO with its ESMTP
// arguments, each top-level header field) under every bound, answers each RCPT (the shared address
// space may refuse it), and at end of message decide_end_of_message() returns the verdict, the ordered
// list of edits for the MTA and the log lines, already formatted. The daemon's session only applies the
// edits and writes the lines (prefixed with the queue id); rewrite-test only renders them, so the two
// cannot differ.
//
// Limits applied here: a header section over kMaxHeaderBytes is left alone as a whole (the envelope is
// still rewritten); a value over 64 KiB or with more than 1000 addresses is left alone (header_rewriter);
// more than kMaxHeaderEdits changed fields change none (message_plan).
//
// Thread safety: a collector belongs to one message and is used by one thread at a time; the rule table
// and shared space it reads are immutable and may be shared.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/message_plan.h"
#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"
#include "rewrite/shared_space_plan.h"
#include "rewrite/types.h"

namespace rewrite {

// How much a log line matters; the daemon maps it onto syslog priorities.
enum class Severity { warning, notice, info, verbose };

// One log line without its queue id ("from=<a> -> <b> rule=NAME").
struct LogLine {
  Severity severity = Severity::info;
  std::string text;
  bool change = false;  // reports a change or a refusal (log-only mode writes it as "would ...")
};

// Why a message or a field was left alone, for counting; its log line says more. dkim_signed: a field
// an existing DKIM signature covers; malformed: a value that cannot be parsed safely, 8-bit or an invalid
// address; limits: too many fields to change, or a header section over kMaxHeaderBytes;
// internal_recipients: mail that never leaves; not_ours: nothing in the message is covered by a rule.
enum class SkipReason { dkim_signed, malformed, limits, internal_recipients, not_ours };
inline constexpr std::size_t kSkipReasonCount = 5;
const char* to_string(SkipReason reason);

// What one message counts for (the daemon's metrics); in log-only mode it counts what would be done.
struct MessageTally {
  bool changed = false;                 // at least one edit, or the message refused
  std::size_t fields_changed = 0;       // header fields changed
  std::vector<std::size_t> rule_hits;   // per address changed: its rule's position in the table's rules()
  std::array<std::size_t, kSkipReasonCount> skips{};  // by SkipReason
  std::size_t forwarded = 0;            // recipients the shared space forwards
  bool loop = false;                    // refused as a forwarding loop
};

// One request to the MTA, in the order it must be made.
struct MessageEdit {
  enum class Kind {
    change_sender,     // smfi_chgfrom(address, no ESMTP arguments)
    delete_recipient,  // smfi_delrcpt(address): the recipient exactly as the MTA passed it
    add_recipient,     // smfi_addrcpt_par(address, esmtp_args)
    change_header,     // smfi_chgheader(name, index, value)
    add_header,        // smfi_insheader past the last field (name, value)
  };
  Kind kind = Kind::change_sender;
  std::string address;     // change_sender, add_recipient: "<addr-spec>"; delete_recipient: as passed
  std::string esmtp_args;  // add_recipient: the replaced recipient's arguments, joined by spaces
  std::string name;        // change_header, add_header
  int index = 0;           // change_header: 1-based among the fields of that name (any case)
  std::string value;       // change_header, add_header: the value as the MTA is to write it
  std::size_t position = 0;  // delete_recipient, add_recipient: the envelope recipient it replaces
};

// Returns the edit as one line ("chgfrom <a>", "delrcpt <b>", "addrcpt <c> NOTIFY=NEVER",
// "chgheader From 1 [value]", "addheader X-Name [value]"), for tests and comparisons.
std::string to_string(const MessageEdit& edit);

// An SMTP reply that refuses a recipient or the message.
struct Refusal {
  std::string code;   // "550"
  std::string xcode;  // "5.1.1"
  std::string text;
};

// The answer to one RCPT TO.
struct RcptOutcome {
  bool refused = false;
  Refusal refusal;  // when refused
  LogLine line;     // when refused, or in log-only mode when it would be
  // The shared space's decision (not_shared when it is off); unknown is refused, except in log-only mode.
  SharedSpace::Verdict verdict = SharedSpace::Verdict::not_shared;
};

// One envelope recipient as the MTA passed it.
struct PassedRecipient {
  std::string raw;         // the address as passed, for smfi_delrcpt
  std::string esmtp_args;  // its ESMTP arguments, joined by spaces
};

// Everything end of message decides.
struct EndOfMessage {
  bool refused = false;             // the whole message is refused (a forwarding loop): no edits
  Refusal refusal;                  // when refused
  std::vector<MessageEdit> edits;   // in order; empty when nothing changes
  std::vector<LogLine> lines;       // skips, changes and verdicts, in the order they are to be logged
  MessageTally tally;               // what the message counts for
};

// What a message is looked at with: the rules and the shared address space of one load, and the
// settings that do not change between loads.
struct MessageContext {
  const RuleTable* table = nullptr;          // required
  const SharedSpace* space = nullptr;        // null when the shared space is off
  const PlanOptions* options = nullptr;      // required
  Direction direction = Direction::inbound;
  // True when header values come with their own leading white space (SMFIP_HDR_LEADSPC, and
  // rewrite-test's message files): an added field's value then carries its own space too.
  bool header_leading_space = false;
  // Log-only mode (mode = log-only): every decision is made, counted and logged as "would ...", and
  // nothing is changed or refused: no edit, no RCPT refusal, no message refusal.
  bool log_only = false;
};

class MessageCollector {
 public:
  // Upper bound on the header bytes collected per message; a larger header section is left untouched.
  static constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;
  // Room made for header fields at the first one: a typical message's fields without a reallocation.
  static constexpr std::size_t kFieldsReserved = 24;
  // Room made for their text at the first one; a larger header section doubles it.
  static constexpr std::size_t kHeaderTextReserved = 4096;

  // Starts a message; context's pointers must outlive the collector. sender is MAIL FROM as the MTA
  // passed it ("<a@b>", "a@b", "<>" or "").
  MessageCollector(const MessageContext& context, std::string_view sender);
  // Its header fields view its own copy of their text: a collector stays where it was made.
  MessageCollector(const MessageCollector&) = delete;
  MessageCollector& operator=(const MessageCollector&) = delete;

  // RCPT TO as the MTA passed it, with its ESMTP arguments. A refused recipient is not part of the
  // message (the MTA drops it).
  RcptOutcome recipient(std::string_view raw, const std::vector<std::string>& esmtp_args);

  // One top-level header field, value as the MTA passed it.
  void header(std::string_view name, std::string_view value);

  const MessageContext& context() const { return context_; }
  const Envelope& envelope() const { return envelope_; }
  const std::vector<HeaderField>& headers() const { return headers_; }
  bool header_overflow() const { return header_overflow_; }

 private:
  friend EndOfMessage decide_end_of_message(const MessageCollector& message);
  // decide_end_of_message() as if every decision were applied (log-only mode is made from it).
  EndOfMessage decide_applied() const;

  MessageContext context_;
  Envelope envelope_;                         // normalised addresses
  std::vector<PassedRecipient> passed_;       // per recipient, what the MTA passed
  std::string header_text_;                   // every field's name and value, end to end
  std::vector<HeaderField> headers_;          // views of header_text_
  std::size_t header_bytes_ = 0;
  bool header_overflow_ = false;
  LoopEvidence loop_evidence_;                // kept even when the header overflows
};

// Decides the end of message: the rules' edits (plan_message), the shared space's forwards and loop
// guard (plan_shared_space), recipients merged so nobody gets two copies (a recipient given twice is
// replaced once; a result the message already goes to is deleted, not added), the trace field appended
// last, and one log line per change, skip and verdict.
EndOfMessage decide_end_of_message(const MessageCollector& message);

}  // namespace rewrite
