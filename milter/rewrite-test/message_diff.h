// SPDX-License-Identifier: BSD-2-Clause
// message_diff.h: shows the engine's edits of a message as a unified diff: the envelope as a small pseudo file
// ("MAIL FROM:<...>" and "RCPT TO:<...>" lines) and the header fields of the message file, one hunk
// per changed field, plus the fields appended at the end of the header. The header part applies to the
// message file with patch(1). Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "rewrite/message_engine.h"
#include "rewrite/offline/message_file.h"

namespace rewrite::tool {

// Returns the diff of the envelope, or "" when the edits leave the envelope alone. A deleted recipient
// is removed everywhere the message names it (as the MTA does), and its replacement, if added, follows
// it.
std::string envelope_diff(const Envelope& envelope, const std::vector<MessageEdit>& edits);

// Returns the header edits among edits, in the form apply_header_edits() takes.
std::vector<HeaderEdit> header_edits(const std::vector<MessageEdit>& edits);

// Returns the diff of the header fields of message (labelled with name) against result with the edits
// applied, or "" when no field changes. result is message itself or message with fields appended
// (with_field_appended), so its first fields are message's, the last one perhaps given a line ending.
std::string header_diff(const MessageFile& message, const MessageFile& result,
                        const std::vector<HeaderEdit>& edits, const std::string& name);

}  // namespace rewrite::tool
