// message_diff.cpp: unified diffs of a message plan (see message_diff.h).
#include "message_diff.h"

#include <map>
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

// Adds the change that appends field ("Name: value") after the last header field: merged into the
// last field's change when that field is edited or lacks a line ending, else an insertion of its own.
void add_field_at_header_end(const MessageFile& message, const std::string& field,
                             std::vector<Change>& changes) {
  const std::string added = field + message.newline;
  if (message.fields.empty()) {
    changes.push_back(Change{message.preamble.empty() ? 1 : 2, "", added});
    return;
  }
  const MessageField& last = message.fields.back();
  const bool last_edited = !changes.empty() && changes.back().line == last.line;
  if (!last_edited && !last.ending.empty()) {
    changes.push_back(Change{last.line + last.line_count, "", added});
    return;
  }
  if (!last_edited) {
    changes.push_back(Change{last.line, last.raw, last.raw});
  }
  Change& change = changes.back();
  if (last.ending.empty()) {
    change.new_text += message.newline;  // the last line gets the ending it lacked
  }
  change.new_text += added;
}

}  // namespace

std::string envelope_diff(const Envelope& envelope, const MessagePlan& plan) {
  if (!plan.sender_changed && plan.recipients.empty()) {
    return "";
  }
  std::map<std::size_t, const AddressChange*> recipients;
  for (const RecipientEdit& edit : plan.recipients) {
    recipients[edit.position] = &edit.change;
  }
  const std::size_t count = 1 + envelope.recipients.size();
  std::string out = "--- envelope\n+++ envelope (rewritten)\n";
  out += "@@ -1," + std::to_string(count) + " +1," + std::to_string(count) + " @@\n";
  if (plan.sender_changed) {
    out += "-MAIL FROM:" + bracketed(envelope.sender) + "\n";
    out += "+MAIL FROM:" + bracketed(plan.sender.rewritten) + "\n";
  } else {
    out += " MAIL FROM:" + bracketed(envelope.sender) + "\n";
  }
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    const auto change = recipients.find(i);
    if (change == recipients.end()) {
      out += " RCPT TO:" + bracketed(envelope.recipients[i]) + "\n";
    } else {
      out += "-RCPT TO:" + bracketed(envelope.recipients[i]) + "\n";
      out += "+RCPT TO:" + bracketed(change->second->rewritten) + "\n";
    }
  }
  return out;
}

std::string header_diff(const MessageFile& message, const MessagePlan& plan, const std::string& name,
                        const std::string& added_field) {
  std::map<std::size_t, const HeaderEdit*> by_field;  // in file order; a later edit wins
  for (const HeaderEdit& edit : plan.headers) {
    const std::size_t at = find_field(message, edit.name, edit.index);
    if (at < message.fields.size()) {
      by_field[at] = &edit;
    }
  }
  std::vector<Change> changes;
  for (const auto& [index, edit] : by_field) {
    const MessageField& field = message.fields[index];
    changes.push_back(Change{field.line, field.raw, render_field(message, field, edit->value)});
  }
  if (!added_field.empty()) {
    add_field_at_header_end(message, added_field, changes);
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
