// SPDX-License-Identifier: BSD-2-Clause
// message_plan.h: the rule edits of one message, computed in one go from the envelope and
// the top-level header fields, before the first change is applied (so a failure never leaves a message
// half rewritten). message_engine builds the whole end of message on it. Thread safety: pure
// function of its inputs; the table is only read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rewrite/header_policy.h"
#include "rewrite/header_rewriter.h"
#include "rewrite/rule_table.h"
#include "rewrite/types.h"

namespace rewrite {

enum class DkimPolicy {
  skip_signed,     // leave fields covered by an existing DKIM-Signature alone (default)
  rewrite_signed,  // rewrite them anyway (the signature will no longer verify)
};

struct PlanOptions {
  HeaderPolicy headers;
  DkimPolicy dkim = DkimPolicy::skip_signed;
  // Outbound mail whose envelope recipients are all internal keeps its sender-side addresses unless
  // this is set (rewrite-internal-mail). Internal: a domain on a rule's internal side, the shared
  // space's domains, or one of internal_domains or a subdomain of one.
  bool rewrite_internal_mail = false;
  std::vector<std::string> internal_domains;
  // A replaced recipient (inbound rule, shared-space forward) whose client gave no ORCPT gets
  // ORCPT=rfc822;<the address as written>, so bounces and DSNs name the address the
  // sender used, not the internal one (original-recipient).
  bool original_recipient = true;
};

struct RecipientEdit {
  std::size_t position = 0;  // index into Envelope::recipients
  AddressChange change;
};

struct HeaderEdit {
  std::string name;     // field name as received
  int index = 1;        // 1-based among the fields with this name (any case), as smfi_chgheader wants
  std::string value;    // the new value
  std::vector<AddressChange> changes;
};

struct Notice {
  enum class Kind {
    malformed_header,  // a selected field could not be parsed safely and was left alone
    dkim_protected,    // a selected field would change but an existing DKIM signature covers it
    dkim_rewritten,    // a DKIM-covered field was rewritten because the policy says so
    too_many_edits,    // more than kMaxHeaderEdits fields would change: every field was left alone
    invalid_address,   // an envelope address that is not valid was left alone (field: "from=<a>", "rcpt=<a>")
    eight_bit,         // a rewritten field holds 8-bit bytes besides its addresses, kept byte for byte
  };
  Kind kind;
  std::string field;   // header field name
  std::string detail;  // what and why, for the log
};

// At most this many header fields are changed in one message. Postfix's cleanup refuses the queue file
// (451, "too many reverse jump records") after about 140 smfi_chgheader calls, since each call re-reads
// the fields changed before it; above the bound no field is changed, so none is half rewritten.
constexpr std::size_t kMaxHeaderEdits = 100;

struct MessagePlan {
  bool sender_changed = false;
  AddressChange sender;                 // when sender_changed
  std::vector<RecipientEdit> recipients;
  std::vector<HeaderEdit> headers;
  std::vector<Notice> notices;

  bool empty() const { return !sender_changed && recipients.empty() && headers.empty(); }
};

// Computes the edits for one message. Outbound: the envelope sender and the outbound header fields;
// inbound: the envelope recipients and the inbound header fields (none by default). The null sender is
// never rewritten, nor is an address whose result differs only in ASCII case; an envelope address of
// the direction that address_problem() refuses is left alone with an invalid_address notice. Fields not allowed by
// options.headers, and never-touched fields, are left alone. Header edits come in field order; every
// DKIM-Signature field among headers counts, and a field named in any of their h= tags that would change
// is skipped (dkim_protected) or rewritten (dkim_rewritten) as options.dkim says. A selected field that
// rewrite_header_value() finds malformed gets a malformed_header notice carrying its reason. When more than
// kMaxHeaderEdits fields would change, there are no header edits and one too_many_edits notice (field "").
MessagePlan plan_message(const RuleTable& table, const PlanOptions& options, Direction direction,
                         const Envelope& envelope, const std::vector<HeaderField>& headers);

// Returns "malformed-header", "dkim-protected", "dkim-rewritten", "too-many-edits", "invalid-address" or "8-bit".
const char* to_string(Notice::Kind kind);

}  // namespace rewrite
