// SPDX-License-Identifier: BSD-2-Clause
// message_file.cpp: splitting a message file into header fields and body, and reassembling it with
// header edits applied byte-exact for everything untouched (see message_file.h).
#include "rewrite/offline/message_file.h"

#include <map>

namespace rewrite {
namespace {

// One physical line of the file: its text without the line ending, and the ending itself.
struct Line {
  std::string_view text;
  std::string_view ending;  // "\r\n", "\n" or "" (last line without a newline)
  std::size_t size() const { return text.size() + ending.size(); }
};

// Returns the line starting at pos (pos must be < text.size()).
Line line_at(std::string_view text, std::size_t pos) {
  const std::size_t newline = text.find('\n', pos);
  if (newline == std::string_view::npos) {
    return Line{text.substr(pos), {}};
  }
  if (newline > pos && text[newline - 1] == '\r') {
    return Line{text.substr(pos, newline - 1 - pos), text.substr(newline - 1, 2)};
  }
  return Line{text.substr(pos, newline - pos), text.substr(newline, 1)};
}

// Returns the length of the field name at the start of line (the colon's position if it starts a
// field), or npos when the line does not start a header field. Sets name_length to the name without
// white space before the colon.
std::size_t colon_position(std::string_view line, std::size_t& name_length) {
  std::size_t i = 0;
  while (i < line.size() && line[i] >= 33 && line[i] <= 126 && line[i] != ':') {
    ++i;
  }
  name_length = i;
  if (i == 0) {
    return std::string_view::npos;
  }
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
    ++i;
  }
  if (i < line.size() && line[i] == ':') {
    return i;
  }
  return std::string_view::npos;
}

// Returns true when a and b are equal ignoring ASCII case.
bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

// Joins a continuation line to a field value with "\n". A stray CR ending the line before (the file
// had CR CR LF) becomes a space, as Postfix reads it, so the value never holds a CR LF that was not a
// line ending and an edited field reads back as planned.
void append_continuation(std::string& value, std::string_view text) {
  if (!value.empty() && value.back() == '\r') value.back() = ' ';
  value += '\n';
  value += text;
}

}  // namespace

std::vector<HeaderField> MessageFile::header_fields() const {
  std::vector<HeaderField> out;
  out.reserve(fields.size());
  for (const MessageField& field : fields) {
    out.push_back(HeaderField{field.name, field.value});
  }
  return out;
}

std::string MessageFile::to_string() const {
  std::string out = preamble;
  for (const MessageField& field : fields) {
    out += field.raw;
  }
  out += separator;
  out += body;
  return out;
}

MessageFile parse_message(std::string_view text) {
  MessageFile message;
  std::size_t pos = 0;
  int line_number = 1;
  if (!text.empty()) {
    const Line first = line_at(text, 0);
    if (!first.ending.empty()) {
      message.newline = std::string(first.ending);
    }
    std::size_t name_length = 0;
    if (first.text.substr(0, 5) == "From " &&
        colon_position(first.text, name_length) == std::string_view::npos) {
      message.preamble = std::string(text.substr(0, first.size()));
      pos = first.size();
      ++line_number;
    }
  }
  while (pos < text.size()) {
    const Line line = line_at(text, pos);
    if (line.text.empty() && !line.ending.empty()) {
      message.separator = std::string(line.ending);
      pos += line.size();
      break;
    }
    const bool continuation = line.text.front() == ' ' || line.text.front() == '\t';
    if (continuation && !message.fields.empty()) {
      MessageField& field = message.fields.back();
      field.raw.append(line.text.data(), line.size());
      append_continuation(field.value, line.text);
      field.ending = std::string(line.ending);
      ++field.line_count;
    } else {
      std::size_t name_length = 0;
      const std::size_t colon = continuation ? std::string_view::npos
                                             : colon_position(line.text, name_length);
      if (colon == std::string_view::npos) {
        break;  // not a header line: the body starts here, without a separator
      }
      MessageField field;
      field.name = std::string(line.text.substr(0, name_length));
      field.value = std::string(line.text.substr(colon + 1));
      field.raw = std::string(line.text.data(), line.size());
      field.value_offset = colon + 1;
      field.ending = std::string(line.ending);
      field.line = line_number;
      field.line_count = 1;
      message.fields.push_back(std::move(field));
    }
    pos += line.size();
    ++line_number;
  }
  message.body = std::string(text.substr(pos));
  return message;
}

std::string render_field(const MessageFile& message, const MessageField& field,
                         std::string_view new_value) {
  const std::string& newline = field.ending.empty() ? message.newline : field.ending;
  std::string out = field.raw.substr(0, field.value_offset);
  for (std::size_t i = 0; i < new_value.size(); ++i) {
    const char c = new_value[i];
    if (c == '\r' && i + 1 < new_value.size() && new_value[i + 1] == '\n') {
      continue;  // a CR LF in the new value becomes the message's own line ending below
    }
    if (c == '\n') {
      out += newline;
    } else {
      out += c;
    }
  }
  out += field.ending;
  return out;
}

std::size_t find_field(const MessageFile& message, std::string_view name, int index) {
  int seen = 0;
  for (std::size_t i = 0; i < message.fields.size(); ++i) {
    if (equal_ignoring_case(message.fields[i].name, name) && ++seen == index) {
      return i;
    }
  }
  return message.fields.size();
}

MessageFile with_field_appended(MessageFile message, std::string_view name, std::string_view value) {
  MessageField field;
  field.name = std::string(name);
  field.value = std::string(value);
  field.raw = field.name + ":" + field.value + message.newline;
  field.value_offset = name.size() + 1;
  field.ending = message.newline;
  field.line_count = 1;
  if (message.fields.empty()) {
    field.line = message.preamble.empty() ? 1 : 2;
  } else {
    MessageField& last = message.fields.back();
    if (last.ending.empty()) {
      last.ending = message.newline;
      last.raw += message.newline;
    }
    field.line = last.line + last.line_count;
  }
  message.fields.push_back(std::move(field));
  return message;
}

std::string apply_header_edits(const MessageFile& message, const std::vector<HeaderEdit>& edits) {
  std::map<std::size_t, const HeaderEdit*> by_field;
  for (const HeaderEdit& edit : edits) {
    const std::size_t at = find_field(message, edit.name, edit.index);
    if (at < message.fields.size()) {
      by_field[at] = &edit;
    }
  }
  std::string out = message.preamble;
  for (std::size_t i = 0; i < message.fields.size(); ++i) {
    const auto edit = by_field.find(i);
    if (edit == by_field.end()) {
      out += message.fields[i].raw;
    } else {
      out += render_field(message, message.fields[i], edit->second->value);
    }
  }
  out += message.separator;
  out += message.body;
  return out;
}

}  // namespace rewrite
