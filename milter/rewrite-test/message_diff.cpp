// SPDX-License-Identifier: BSD-2-Clause
// message_diff.cpp: unified diffs of a message's edits (see message_diff.h).
#include "message_diff.h"

#include "rewrite/address.h"

#include <map>
#include <set>
#include <vector>

namespace rewrite::tool {
namespace {

// Returns "<address>" as the envelope shows it.
std::string bracketed(const std::string& address) { return "<" + address + ">"; }

// Splits field text into its lines without their final "\n" (a CR before it is kept, byte-exact).
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// Appends lines with a prefix character, and the "no newline" marker when text lacks a final one.
void append_lines(std::string& out, char prefix, const std::string& text) {
  for (const std::string& line : lines_of(text)) {
    out += prefix;
    out += line;
    out += '\n';
  }
  if (!text.empty() && text.back() != '\n') {
    out += "\\ No newline at end of file\n";
  }
}

// One hunk of the header diff: old_text (whole lines, maybe none) starting at old line `line` becomes
// new_text. For an insertion, `line` is the old line the new text goes before.
struct Change {
  long line = 0;
  std::string old_text;
  std::string new_text;
};

}  // namespace

std::string envelope_diff(const Envelope& envelope, const std::vector<MessageEdit>& edits) {
  std::string new_sender;
  std::set<std::string> deleted;                   // normalised, lower case
  std::multimap<std::size_t, std::string> added;   // replaced position -> new address
  for (const MessageEdit& edit : edits) {
    switch (edit.kind) {
      case MessageEdit::Kind::change_sender: new_sender = edit.address; break;
      case MessageEdit::Kind::delete_recipient:
        deleted.insert(lower_ascii(normalize_envelope_address(edit.address)));
        break;
      case MessageEdit::Kind::add_recipient: added.emplace(edit.position, edit.address); break;
      case MessageEdit::Kind::change_header:
      case MessageEdit::Kind::add_header: break;
    }
  }
  if (new_sender.empty() && deleted.empty() && added.empty()) {
    return "";
  }
  std::string body;
  std::size_t old_count = 1;
  std::size_t new_count = 1;
  if (!new_sender.empty()) {
    body += "-MAIL FROM:" + bracketed(envelope.sender) + "\n";
    body += "+MAIL FROM:" + new_sender + "\n";
  } else {
    body += " MAIL FROM:" + bracketed(envelope.sender) + "\n";
  }
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    ++old_count;
    if (deleted.count(lower_ascii(envelope.recipients[i])) == 0) {
      body += " RCPT TO:" + bracketed(envelope.recipients[i]) + "\n";
      ++new_count;
      continue;
    }
    body += "-RCPT TO:" + bracketed(envelope.recipients[i]) + "\n";
    const auto [first, last] = added.equal_range(i);
    for (auto it = first; it != last; ++it) {
      body += "+RCPT TO:" + it->second + "\n";
      ++new_count;
    }
  }
  return "--- envelope\n+++ envelope (rewritten)\n@@ -1," + std::to_string(old_count) + " +1," +
         std::to_string(new_count) + " @@\n" + body;
}

std::vector<HeaderEdit> header_edits(const std::vector<MessageEdit>& edits) {
  std::vector<HeaderEdit> headers;
  for (const MessageEdit& edit : edits) {
    if (edit.kind == MessageEdit::Kind::change_header) headers.push_back({edit.name, edit.index, edit.value, {}});
  }
  return headers;
}

std::string header_diff(const MessageFile& message, const MessageFile& result,
                        const std::vector<HeaderEdit>& edits, const std::string& name) {
  std::map<std::size_t, const HeaderEdit*> by_field;  // in file order; a later edit wins
  for (const HeaderEdit& edit : edits) {
    const std::size_t at = find_field(result, edit.name, edit.index);
    if (at < message.fields.size()) {
      by_field[at] = &edit;
    }
  }
  std::vector<Change> changes;
  for (std::size_t i = 0; i < message.fields.size(); ++i) {
    const MessageField& before = message.fields[i];
    const auto edit = by_field.find(i);
    const std::string after = edit == by_field.end() ? result.fields[i].raw
                                                     : render_field(result, result.fields[i], edit->second->value);
    if (after != before.raw) {
      changes.push_back(Change{before.line, before.raw, after});
    }
  }
  std::string appended;  // every appended field goes in at the end of the original header
  for (std::size_t i = message.fields.size(); i < result.fields.size(); ++i) {
    appended += result.fields[i].raw;
  }
  if (!appended.empty()) {
    const long at = result.fields[message.fields.size()].line;
    // Text added right where the previous change ends joins it: patch(1) takes no touching hunks.
    if (!changes.empty() &&
        changes.back().line + static_cast<long>(lines_of(changes.back().old_text).size()) == at) {
      changes.back().new_text += appended;
    } else {
      changes.push_back(Change{at, "", appended});
    }
  }
  if (changes.empty()) {
    return "";
  }
  std::string out = "--- " + name + "\n+++ " + name + " (rewritten)\n";
  long shift = 0;  // how many lines earlier hunks added to the new side
  for (const Change& change : changes) {
    const long old_count = static_cast<long>(lines_of(change.old_text).size());
    const long new_count = static_cast<long>(lines_of(change.new_text).size());
    // An empty range is named by the line before it, as diff(1) does.
    const long old_start = old_count == 0 ? change.line - 1 : change.line;
    const long new_start = new_count == 0 ? change.line + shift - 1 : change.line + shift;
    out += "@@ -" + std::to_string(old_start) + "," + std::to_string(old_count) + " +" +
           std::to_string(new_start) + "," + std::to_string(new_count) + " @@\n";
    append_lines(out, '-', change.old_text);
    append_lines(out, '+', change.new_text);
    shift += new_count - old_count;
  }
  return out;
}

}  // namespace rewrite::tool
