// SPDX-License-Identifier: BSD-2-Clause
// types.h: the value types every part of librewrite and both front ends speak in: the direction of a
// message, its envelope, one top-level header field, and one address change with the rule that made it.
// Thread safety: plain value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/rule.h"

namespace rewrite {

enum class Direction { outbound, inbound };

// Returns "outbound" or "inbound".
const char* to_string(Direction direction);

struct Envelope {
  std::string sender;                   // MAIL FROM addr-spec, "" for the null sender
  std::vector<std::string> recipients;  // RCPT TO addr-specs
};

// One field as views of text its owner keeps (a MessageCollector, a MessageFile) for as long as the
// field is read.
struct HeaderField {
  std::string_view name;   // as received
  std::string_view value;  // as received (folding and leading white space kept)
};

struct AddressChange {
  std::string original;        // addr-spec as it appeared
  std::string rewritten;       // addr-spec it became
  const Rule* rule = nullptr;  // the rule that fired; null for a shared-space forward
};

}  // namespace rewrite
