// header_rewriter.h: rewrites the addresses in one address-list header value (From, To, Cc, ...). GMime
// parses the value; only the addresses that change are replaced, so the other addresses, display names
// (RFC 2047 encoded words included), comments, groups, folding and leading white space stay as they are.
// A value GMime warns about, or cannot account for exactly, is left untouched and reported as malformed.
// Thread safety: safe to call concurrently; shares no GMime object between calls. Requires
// initialize_gmime() to have been called once before.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/rule_table.h"

namespace rewrite {

// Calls g_mime_init() once for the process (idempotent, thread-safe). Call before any rewriting.
void initialize_gmime();

struct AddressChange {
  std::string original;        // addr-spec as it appeared
  std::string rewritten;       // addr-spec it became
  const Rule* rule = nullptr;  // the rule that fired
};

struct HeaderRewrite {
  enum class Status {
    unchanged,  // no address in the value needs rewriting; value is not set
    changed,    // value holds the new header value
    malformed,  // the value could not be parsed safely; left untouched, reason says why
  };
  Status status = Status::unchanged;
  std::string value;                   // new value when changed (same leading white space, folded)
  std::vector<AddressChange> changes;  // one per rewritten address occurrence
  std::string reason;                  // when malformed
};

// Rewrites the addresses in value (a header value as the MTA hands it, possibly folded and with leading
// white space) with table in the given direction. Lines of the result are under 998 bytes, folded with
// "\n\t" where needed.
HeaderRewrite rewrite_header_value(std::string_view value, const RuleTable& table, Direction direction);

}  // namespace rewrite
