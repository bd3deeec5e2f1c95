// SPDX-License-Identifier: BSD-2-Clause
// message_engine.cpp: collecting a message under its bounds and deciding its end (see message_engine.h).
// Every log line the daemon writes about a message, and rewrite-test prints, is formatted here.
#include "rewrite/message_engine.h"

#include <algorithm>
#include <optional>
#include <set>

#include "rewrite/address.h"
#include "text_util.h"

namespace rewrite {
namespace {

// Returns the rule's name for change lines, or "-" when there is none.
std::string rule_name(const AddressChange& change) {
  return change.rule != nullptr ? change.rule->name() : "-";
}

// Returns the change line "<head><field> <original> -> <rewritten> rule=NAME" (no space when field is
// empty), built in one allocation: two of these are made for nearly every message.
std::string change_line(std::string_view head, std::string_view field, const AddressChange& change) {
  std::string_view prefix;  // the rule's name is written as prefix + name
  std::string_view name = "-";
  if (change.rule != nullptr && !change.rule->given_name.empty()) {
    name = change.rule->given_name;
  } else if (change.rule != nullptr) {
    prefix = change.rule->wildcard_prefix();
    name = change.rule->internal;
  }
  return detail::concat({head, field, field.empty() ? "" : " ", "<", change.original, "> -> <", change.rewritten,
                         "> rule=", prefix, name});
}

// Joins ESMTP arguments with single spaces.
std::string join_args(const std::vector<std::string>& args) {
  std::string joined;
  for (const std::string& arg : args) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

// Returns text as RFC 3461 xtext: '+', '=' and bytes outside '!'..'~' as "+XX".
std::string xtext(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e || c == '+' || c == '=') {
      out += '+';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// True when the ESMTP arguments hold an ORCPT parameter.
bool has_orcpt(std::string_view args) {
  const std::string lower = lower_ascii(args);
  for (std::size_t at = 0; (at = lower.find("orcpt=", at)) != std::string::npos; ++at) {
    if (at == 0 || lower[at - 1] == ' ') return true;
  }
  return false;
}

// The reason a notice of the plan is counted under.
SkipReason skip_reason(Notice::Kind kind) {
  switch (kind) {
    case Notice::Kind::dkim_protected: return SkipReason::dkim_signed;
    case Notice::Kind::too_many_edits: return SkipReason::limits;
    case Notice::Kind::dkim_rewritten:  // rewritten all the same; not counted as a skip
    case Notice::Kind::malformed_header:
    case Notice::Kind::eight_bit:
    case Notice::Kind::invalid_address: return SkipReason::malformed;
  }
  return SkipReason::malformed;
}

// Counts one skip.
void count_skip(MessageTally& tally, SkipReason reason) { ++tally.skips[static_cast<std::size_t>(reason)]; }

// Counts the rule of one address change (a shared-space forward has none).
void count_hit(MessageTally& tally, const RuleTable& table, const AddressChange& change) {
  if (change.rule == nullptr) return;
  const std::vector<Rule>& rules = table.rules();
  if (rules.empty() || change.rule < rules.data() || change.rule >= rules.data() + rules.size()) return;
  tally.rule_hits.push_back(static_cast<std::size_t>(change.rule - rules.data()));
}

// Log-only mode: nothing is applied or refused; every change and refusal line says what would be done.
void make_log_only(EndOfMessage& out) {
  out.edits.clear();
  out.refused = false;
  for (LogLine& line : out.lines) {
    if (line.change && line.text.rfind("would ", 0) != 0) line.text = "would change " + line.text;
  }
}

// Returns the log line of one notice of the plan.
LogLine notice_line(const Notice& notice) {
  switch (notice.kind) {
    case Notice::Kind::dkim_protected:
      return {Severity::notice, "header=" + notice.field + " skipped: dkim-protected: " + notice.detail};
    case Notice::Kind::malformed_header:
      return {Severity::warning, "header=" + notice.field + " skipped: malformed-header: " + notice.detail};
    case Notice::Kind::dkim_rewritten:
      return {Severity::notice, "header=" + notice.field + " dkim-rewritten: " + notice.detail};
    case Notice::Kind::too_many_edits:
      return {Severity::warning, "header skipped: too-many-edits: " + notice.detail};
    case Notice::Kind::eight_bit:
      return {Severity::notice, "header=" + notice.field + " 8-bit: " + notice.detail};
    case Notice::Kind::invalid_address:
      return {Severity::notice, notice.field + " skipped: invalid-address: " + notice.detail};
  }
  return {Severity::warning, "header=" + notice.field + " " + notice.detail};
}

// Builds the recipient edits of one message: each replaced recipient is deleted once and its
// replacement added unless the message already goes there.
class RecipientMerge {
 public:
  RecipientMerge(const Envelope& envelope, const std::vector<PassedRecipient>& passed,
                 const std::set<std::size_t>& replaced_positions, bool original_recipient)
      : envelope_(envelope), passed_(passed), original_recipient_(original_recipient) {
    // Recipients no edit replaces stay; a replacement equal to one of them is merged into it.
    std::set<std::string> replaced_now;
    for (const std::size_t position : replaced_positions) replaced_now.insert(lower_ascii(envelope.recipients[position]));
    for (const std::string& recipient : envelope.recipients) {
      if (!replaced_now.count(lower_ascii(recipient))) present_.insert(lower_ascii(recipient));
    }
  }

  // Replaces the recipient at position by rewritten; reason ends the log line ("rule=NAME").
  void replace(std::size_t position, const std::string& rewritten, const std::string& reason,
               EndOfMessage& out) {
    const std::string& original = envelope_.recipients[position];
    if (!replaced_.insert(lower_ascii(original)).second) return;  // the same RCPT given twice
    MessageEdit removal;
    removal.kind = MessageEdit::Kind::delete_recipient;
    removal.address = passed_[position].raw;
    removal.position = position;
    out.edits.push_back(std::move(removal));
    const bool merged = !present_.insert(lower_ascii(rewritten)).second;
    if (!merged) {
      MessageEdit addition;
      addition.kind = MessageEdit::Kind::add_recipient;
      addition.address = "<" + rewritten + ">";
      addition.esmtp_args = passed_[position].esmtp_args;
      if (original_recipient_ && !has_orcpt(addition.esmtp_args)) {
        // The address the client wrote, so that a DSN never names the internal or routing address.
        addition.esmtp_args += (addition.esmtp_args.empty() ? "" : " ") + std::string("ORCPT=rfc822;") + xtext(original);
      }
      addition.position = position;
      out.edits.push_back(std::move(addition));
    }
    out.lines.push_back({Severity::info, "rcpt=<" + original + "> -> <" + rewritten + "> " + reason +
                                             (merged ? " merged: already a recipient" : ""), true});
  }

 private:
  const Envelope& envelope_;
  const std::vector<PassedRecipient>& passed_;
  bool original_recipient_;
  std::set<std::string> replaced_;  // recipients already replaced (lower case)
  std::set<std::string> present_;   // recipients the message keeps or has gained (lower case)
};

// True when the mail stays inside: outbound, at least one envelope recipient, and every recipient's
// domain the organisation's (a rule's internal side, the shared space's domains, internal-domains).
bool stays_inside(const MessageContext& context, const Envelope& envelope) {
  if (context.direction != Direction::outbound || envelope.recipients.empty()) return false;
  for (const std::string& recipient : envelope.recipients) {
    const std::size_t at = recipient.rfind('@');
    if (at == std::string::npos) return false;
    std::string_view domain = std::string_view(recipient).substr(at + 1);
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    bool internal = context.table->covers_internal_domain(domain);
    if (!internal && context.space != nullptr) {
      const SharedSpaceSettings& space = context.space->settings();
      internal = equals_ignoring_case(domain, space.shared_domain) || equals_ignoring_case(domain, space.routing_domain);
    }
    for (const std::string& parent : context.options->internal_domains) {
      if (internal) break;
      std::string_view p = parent;
      if (!p.empty() && p.back() == '.') p.remove_suffix(1);
      internal = detail::is_within_domain(domain, p);
    }
    if (!internal) return false;
  }
  return true;
}

}  // namespace

const char* to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::dkim_signed: return "dkim_signed";
    case SkipReason::malformed: return "malformed";
    case SkipReason::limits: return "limits";
    case SkipReason::internal_recipients: return "internal_recipients";
    case SkipReason::not_ours: return "not_ours";
  }
  return "unknown";
}

std::string to_string(const MessageEdit& edit) {
  switch (edit.kind) {
    case MessageEdit::Kind::change_sender: return "chgfrom " + edit.address;
    case MessageEdit::Kind::delete_recipient: return "delrcpt " + edit.address;
    case MessageEdit::Kind::add_recipient:
      return "addrcpt " + edit.address + (edit.esmtp_args.empty() ? "" : " " + edit.esmtp_args);
    case MessageEdit::Kind::change_header:
      return "chgheader " + edit.name + " " + std::to_string(edit.index) + " [" + edit.value + "]";
    case MessageEdit::Kind::add_header: return "addheader " + edit.name + " [" + edit.value + "]";
  }
  return "unknown";
}

MessageCollector::MessageCollector(const MessageContext& context, std::string_view sender) : context_(context) {
  envelope_.sender = normalize_envelope_address(sender);
}

RcptOutcome MessageCollector::recipient(std::string_view raw, const std::vector<std::string>& esmtp_args) {
  RcptOutcome outcome;
  std::string address = normalize_envelope_address(raw);
  if (context_.space != nullptr) {
    const SharedSpace::Decision decision =
        decide_recipient(*context_.space, *context_.table, context_.direction, address);
    outcome.verdict = decision.verdict;
    if (decision.verdict == SharedSpace::Verdict::unknown && context_.log_only) {
      outcome.line = {Severity::info, "would refuse rcpt=<" + address + ">: 5.1.1 unknown in shared domain", true};
    } else if (decision.verdict == SharedSpace::Verdict::unknown) {
      // Refused now, so nothing bounces later: the sender's own MTA reports it.
      outcome.refused = true;
      outcome.refusal = {"550", "5.1.1", "<" + address + ">: Recipient address rejected: no such user in " +
                                             context_.space->settings().shared_domain};
      outcome.line = {Severity::info, "rcpt=<" + address + "> rejected: 5.1.1 unknown in shared domain", true};
      return outcome;
    }
  }
  envelope_.recipients.push_back(std::move(address));
  passed_.push_back({std::string(raw), join_args(esmtp_args)});
  return outcome;
}

void MessageCollector::header(std::string_view name, std::string_view value) {
  loop_evidence_.add(name, value);
  if (header_overflow_) return;
  header_bytes_ += name.size() + value.size() + 4;
  if (header_bytes_ > kMaxHeaderBytes) {
    // Bounded memory: a header this large is not rewritten at all (indexes would be unreliable).
    header_overflow_ = true;
    headers_.clear();
    headers_.shrink_to_fit();
    header_text_.clear();
    header_text_.shrink_to_fit();
    return;
  }
  if (headers_.empty()) {
    headers_.reserve(kFieldsReserved);
    header_text_.reserve(kHeaderTextReserved);
  }
  const std::size_t needed = header_text_.size() + name.size() + value.size();
  if (needed > header_text_.capacity()) {
    // The fields view header_text_: they are moved to the larger copy before the old one goes.
    std::string larger;
    larger.reserve(std::max(needed, 2 * header_text_.capacity()));
    larger = header_text_;
    for (HeaderField& field : headers_) {
      field.name = {larger.data() + (field.name.data() - header_text_.data()), field.name.size()};
      field.value = {larger.data() + (field.value.data() - header_text_.data()), field.value.size()};
    }
    header_text_.swap(larger);
  }
  const std::size_t at = header_text_.size();
  header_text_.append(name).append(value);
  const char* text = header_text_.data() + at;
  headers_.push_back(HeaderField{{text, name.size()}, {text + name.size(), value.size()}});
}

EndOfMessage decide_end_of_message(const MessageCollector& message) {
  EndOfMessage out = message.decide_applied();
  out.tally.changed = out.refused || !out.edits.empty();
  if (message.context_.log_only) make_log_only(out);
  return out;
}

EndOfMessage MessageCollector::decide_applied() const {
  const MessageContext& context = context_;
  const Envelope& envelope = envelope_;
  EndOfMessage out;
  if (header_overflow_) {
    out.lines.push_back({Severity::warning, "header larger than " + std::to_string(MessageCollector::kMaxHeaderBytes) +
                                                " bytes; header fields left unchanged"});
    count_skip(out.tally, SkipReason::limits);
  }
  // Like Exchange at the Edge and Postfix's generic(5), the sender side is rewritten for mail that leaves:
  // mail for internal recipients only keeps its addresses (the shared space still forwards it).
  const bool inside = !context.options->rewrite_internal_mail && stays_inside(context, envelope);
  MessagePlan plan = inside ? MessagePlan{}
                                  : plan_message(*context.table, *context.options, context.direction, envelope,
                                                 headers_);
  for (const Notice& notice : plan.notices) {
    out.lines.push_back(notice_line(notice));
    if (notice.kind != Notice::Kind::dkim_rewritten) count_skip(out.tally, skip_reason(notice.kind));
  }
  SharedSpacePlan forwards;
  if (context.space != nullptr) {
    forwards = plan_shared_space(*context.space, *context.table, context.direction, envelope, plan,
                                 loop_evidence_);
  }
  if (forwards.loop) {
    // Never forwarded again: refused as a whole, before any edit, so the previous hop reports it.
    out.refused = true;
    out.refusal = {"554", "5.4.6", "Mail loop: " + forwards.loop_reason};
    out.lines.push_back({Severity::notice,
                         std::string(context.log_only ? "would refuse message: 554 5.4.6 " : "") + "loop: " +
                             forwards.loop_reason,
                         true});
    out.tally.loop = true;
    return out;
  }
  if (inside) {
    out.lines.push_back({Severity::info, "unchanged (internal recipients)"});
    count_skip(out.tally, SkipReason::internal_recipients);
  }
  if (plan.empty() && forwards.empty()) {
    if (!inside) out.lines.push_back({Severity::verbose, detail::concat({"unchanged (", to_string(context.direction), ")"})});
    const auto& skips = out.tally.skips;
    if (std::all_of(skips.begin(), skips.end(), [](std::size_t n) { return n == 0; })) {
      count_skip(out.tally, SkipReason::not_ours);
    }
    return out;
  }
  // Room for every edit and line at once (a recipient replaced is two edits), so none reallocates.
  std::size_t header_changes = 0;
  for (const HeaderEdit& edit : plan.headers) header_changes += edit.changes.size();
  const std::size_t replacements = plan.recipients.size() + forwards.forwards.size();
  out.edits.reserve(1 + 2 * replacements + plan.headers.size() + 1);
  out.lines.reserve(out.lines.size() + 1 + replacements + header_changes);
  out.tally.rule_hits.reserve(1 + plan.recipients.size() + header_changes);
  if (plan.sender_changed) {
    MessageEdit edit;
    edit.kind = MessageEdit::Kind::change_sender;
    edit.address = detail::concat({"<", plan.sender.rewritten, ">"});
    out.edits.push_back(std::move(edit));
    out.lines.push_back({Severity::info, change_line("from=", "", plan.sender), true});
    count_hit(out.tally, *context.table, plan.sender);
  }
  // Recipients are merged only when one is replaced: most messages replace none.
  std::optional<RecipientMerge> merge;
  if (replacements != 0) {
    std::set<std::size_t> replaced;
    for (const RecipientEdit& edit : plan.recipients) replaced.insert(edit.position);
    for (const ForwardEdit& edit : forwards.forwards) replaced.insert(edit.position);
    merge.emplace(envelope, passed_, replaced, context.options->original_recipient);
  }
  for (const RecipientEdit& edit : plan.recipients) {
    merge->replace(edit.position, edit.change.rewritten, "rule=" + rule_name(edit.change), out);
    count_hit(out.tally, *context.table, edit.change);
  }
  for (HeaderEdit& edit : plan.headers) {
    for (const AddressChange& address : edit.changes) {
      out.lines.push_back({Severity::info, change_line("header=", edit.name, address), true});
      count_hit(out.tally, *context.table, address);
    }
    MessageEdit change;
    change.kind = MessageEdit::Kind::change_header;
    change.name = std::move(edit.name);
    change.index = edit.index;
    change.value = std::move(edit.value);
    out.edits.push_back(std::move(change));
  }
  out.tally.fields_changed = plan.headers.size();
  // Forwards come after every header change, and the trace field last, so it shifts no index used above.
  for (const ForwardEdit& edit : forwards.forwards) {
    merge->replace(edit.position, edit.rewritten, "shared-space=forward", out);
  }
  if (!forwards.empty()) {
    MessageEdit trace;
    trace.kind = MessageEdit::Kind::add_header;
    trace.name = kForwardTraceHeader;
    // With its own leading white space the value is written right after the colon.
    trace.value = (context.header_leading_space ? " " : "") + forwards.trace_value;
    out.edits.push_back(std::move(trace));
  }
  out.tally.forwarded = forwards.forwards.size();
  return out;
}

}  // namespace rewrite
