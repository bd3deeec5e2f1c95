// message_diff.h: shows a message plan as a unified diff: the envelope as a small pseudo file
// ("MAIL FROM:<...>" and "RCPT TO:<...>" lines) and the header fields of the message file, one hunk
// per changed field, plus a field appended at the end of the header. The header part applies to the
// message file with patch(1). Thread safety: pure functions.
#pragma once

#include <string>

#include "rewrite/message_file.h"
#include "rewrite/message_plan.h"

namespace rewrite::tool {

// Returns the diff of the envelope, or "" when the plan leaves the envelope alone.
std::string envelope_diff(const Envelope& envelope, const MessagePlan& plan);

// Returns the diff of the header fields of message (labelled with name), or "" when no field changes.
// added_field ("Name: value", no line ending; "" for none) is appended after the last header field,
// where smfi_addheader puts it.
std::string header_diff(const MessageFile& message, const MessagePlan& plan, const std::string& name,
                        const std::string& added_field);

}  // namespace rewrite::tool
