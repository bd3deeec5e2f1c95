// SPDX-License-Identifier: BSD-2-Clause
// rule_csv_writer.cpp: a rule table as an Exchange CSV export (see rule_csv_writer.h).
#include "rewrite/rule_csv_writer.h"

namespace rewrite {
namespace {

// Appends text as one quoted CSV field ("" for a quote inside), then separator.
void append_field(std::string& out, std::string_view text, char separator) {
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  out += separator;
}

}  // namespace

std::string rules_as_csv(const RuleTable& table) {
  std::string out = "Identity,Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n";
  for (const Rule& rule : table.rules()) {
    std::string exceptions;
    for (const std::string_view exception : rule.exceptions) {
      if (!exceptions.empty()) exceptions += ',';
      exceptions += exception;
    }
    append_field(out, table.source_of(rule), ',');
    append_field(out, rule.name(), ',');
    append_field(out, rule.default_name(), ',');
    append_field(out, rule.external, ',');
    append_field(out, exceptions, ',');
    append_field(out, rule.bidirectional ? "False" : "True", '\n');
  }
  return out;
}

}  // namespace rewrite
