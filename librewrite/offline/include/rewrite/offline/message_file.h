// SPDX-License-Identifier: BSD-2-Clause
// message_file.h: splits an RFC 5322 message file into its top-level header fields and its body, and
// puts it back together with header edits applied, every untouched byte exactly as it was. Used by
// rewrite-test to run a stored message through the same plan as the milter. Thread safety: pure
// functions over plain values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/message_plan.h"

namespace rewrite {

// One top-level header field as it appears in the file.
struct MessageField {
  std::string name;              // field name as written, without white space before the colon
  std::string value;             // after the colon as the MTA hands it to a milter: leading white
                                 // space kept, folded lines joined with "\n" (CR of CR LF dropped,
                                 // a stray CR before a fold read as a space), no final line ending
  std::string raw;               // the exact bytes of the field, its final line ending included
  std::size_t value_offset = 0;  // where the value starts in raw (just after the colon)
  std::string ending;            // the final line ending: "\r\n", "\n" or "" at end of file
  int line = 0;                  // 1-based line of the field name in the file
  int line_count = 0;            // physical lines the field spans
};

struct MessageFile {
  std::string preamble;             // a leading mbox "From " line, kept verbatim; usually empty
  std::vector<MessageField> fields;  // in file order
  std::string separator;            // the empty line ending the header ("\r\n" or "\n"); "" if none
  std::string body;                 // every byte after the separator (or after the last field)
  std::string newline = "\n";       // line ending used for new text: the file's first line ending

  // Returns the fields as the milter sees them (name and value), in order.
  std::vector<HeaderField> header_fields() const;

  // Returns the message exactly as read.
  std::string to_string() const;
};

// Splits text into header fields and body. Never fails: like Postfix, the header ends at the first
// empty line, or at the first line that is neither a field nor a continuation (that line then starts
// the body). A field name is one or more printable ASCII characters other than ':', optionally
// followed by spaces or tabs before the colon.
MessageFile parse_message(std::string_view text);

// Returns the field text that would replace `field` if its value became new_value (a value in the
// milter's form: "\n" between folded lines); line endings follow the message's style.
std::string render_field(const MessageFile& message, const MessageField& field,
                         std::string_view new_value);

// Returns the index into message.fields of the index-th (1-based) field named name (any case), as
// smfi_chgheader counts, or message.fields.size() when there is no such field.
std::size_t find_field(const MessageFile& message, std::string_view name, int index);

// Returns message with the field "name:value" appended after its last header field, where the milter
// puts it (smfi_insheader past the last field), in the message's line ending style; a last field that
// ended the file without a line ending gets one. value is in the milter's form with its own leading
// white space, as MessageField::value is (" one" gives "name: one").
MessageFile with_field_appended(MessageFile message, std::string_view name, std::string_view value);

// Returns the message with the edits applied: each edited field is re-rendered with its new value;
// every other byte (preamble, other fields, separator, body) is copied unchanged. Edits naming a field
// that does not exist are ignored.
std::string apply_header_edits(const MessageFile& message, const std::vector<HeaderEdit>& edits);

}  // namespace rewrite
