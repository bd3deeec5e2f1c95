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

std::string header_diff(const MessageFile& message, const MessagePlan& plan, const std::string& name) {
  std::map<std::size_t, const HeaderEdit*> by_field;  // in file order; a later edit wins
  for (const HeaderEdit& edit : plan.headers) {
    const std::size_t at = find_field(message, edit.name, edit.index);
    if (at < message.fields.size()) {
      by_field[at] = &edit;
    }
  }
  if (by_field.empty()) {
    return "";
  }
  std::string out = "--- " + name + "\n+++ " + name + " (rewritten)\n";
  long shift = 0;  // how many lines earlier hunks added to the new side
  for (const auto& [index, edit] : by_field) {
    const MessageField& field = message.fields[index];
    const std::string replacement = render_field(message, field, edit->value);
    const long old_count = static_cast<long>(lines_of(field.raw).size());
    const long new_count = static_cast<long>(lines_of(replacement).size());
    out += "@@ -" + std::to_string(field.line) + "," + std::to_string(old_count) + " +" +
           std::to_string(field.line + shift) + "," + std::to_string(new_count) + " @@\n";
    append_lines(out, '-', field.raw);
    append_lines(out, '+', replacement);
    shift += new_count - old_count;
  }
  return out;
}

}  // namespace rewrite::tool
