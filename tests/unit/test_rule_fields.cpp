// SPDX-License-Identifier: BSD-2-Clause
// test_rule_fields.cpp: rules given as fields (directory entries, RuleTable::from_fields) are checked
// exactly as the lines of a rules file, with errors naming the entry's DN, and a table written as CSV
// (rules_as_csv, the directory snapshot) loads back into the same rules.
#include <catch2/catch.hpp>

#include <sstream>

#include "rewrite/rule_csv_writer.h"
#include "rewrite/rule_table.h"
#include "rewrite/text_input.h"

using rewrite::LoadResult;
using rewrite::Rule;
using rewrite::RuleFields;
using rewrite::RuleTable;

namespace {

// The lines of a native rules text as entries named "cn=lineN".
std::vector<RuleFields> as_entries(const std::vector<std::string>& lines) {
  std::vector<RuleFields> entries;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string_view> fields = rewrite::split_fields(lines[i]);
    RuleFields entry;
    entry.source = "cn=line" + std::to_string(i + 1) + ",ou=rewrite,dc=contoso,dc=com";
    entry.internal = fields.size() > 0 ? std::string(fields[0]) : "";
    entry.external = fields.size() > 1 ? std::string(fields[1]) : "";
    for (std::size_t f = 2; f < fields.size(); ++f) entry.options.emplace_back(fields[f]);
    entries.push_back(entry);
  }
  return entries;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// What a rule means (its place and source aside).
std::string meaning(const Rule& rule) {
  std::ostringstream out;
  out << rewrite::to_string(rule.kind) << ' ' << rule.internal << " -> " << rule.external
      << (rule.bidirectional ? " bidirectional" : " outbound-only") << " name=" << rule.name();
  for (const std::string_view exception : rule.exceptions) out << " except " << exception;
  return out.str();
}

std::vector<std::string> meanings(const RuleTable& table) {
  std::vector<std::string> out;
  for (const Rule& rule : table.rules()) out.push_back(meaning(rule));
  return out;
}

// Each error's reason, without where it was found.
std::vector<std::string> reasons(const std::vector<rewrite::ConfigError>& errors) {
  std::vector<std::string> out;
  for (const rewrite::ConfigError& error : errors) {
    std::string reason = error.reason;
    // A message that points at another rule names it by line in a file and by DN in a directory.
    for (const std::string& from : {std::string("rules:"), std::string("cn=line")}) {
      const std::size_t at = reason.find(from);
      if (at != std::string::npos) reason = reason.substr(0, at) + "OTHER" + reason.substr(reason.find(')', at));
    }
    out.push_back(reason);
  }
  return out;
}

}  // namespace

TEST_CASE("entries are checked as the lines of a rules file", "[rule_fields]") {
  const std::vector<std::string> good = {
      "*.contoso.com contoso.com except=legal.contoso.com,hr.contoso.com name=flatten",
      "sales.fabrikam.com fabrikam.com",
      "john@contoso.com support@contoso.com",
      "robert@fourthcoffee.com bob@contoso.com outbound-only",
      "\"john doe\"@contoso.com jdoe@contoso.com bidirectional",
  };
  const LoadResult from_file = RuleTable::parse(joined(good), "rules");
  const LoadResult from_entries = RuleTable::from_fields(as_entries(good), "ldap://dc1/ou=rewrite,dc=contoso,dc=com");
  INFO(rewrite::format_errors(from_entries.errors));
  REQUIRE(from_file.ok());
  REQUIRE(from_entries.ok());
  CHECK(meanings(*from_entries.table) == meanings(*from_file.table));
  CHECK(from_entries.table->source_of(from_entries.table->rules()[2]) == "cn=line3,ou=rewrite,dc=contoso,dc=com");
  CHECK(from_entries.table->location_of(from_entries.table->rules()[2]) == "cn=line3,ou=rewrite,dc=contoso,dc=com");
  CHECK(from_entries.table->source_name() == "ldap://dc1/ou=rewrite,dc=contoso,dc=com");
  CHECK(from_entries.table->lookup("jdoe@contoso.com", rewrite::Direction::inbound).address == "\"john doe\"@contoso.com");

  const std::vector<std::string> bad = {
      "*.contoso.com contoso.com bidirectional",
      "sales.contoso.com contoso.com except=x.contoso.com",
      "john@contoso.com support",
      "-contoso.com contoso.com",
      "a@contoso.com b@contoso.com sideways",
      "*.fabrikam.com fabrikam.com",
      "c@contoso.com shared@contoso.com",
      "d@contoso.com shared@contoso.com",
      "x*.contoso.com contoso.com",
      "e@contoso.com f@contoso.com outbound-only bidirectional",
      "*.Fabrikam.com contoso.org",
      "*.contoso.com contoso.com except=fabrikam.com",
  };
  const LoadResult file_errors = RuleTable::parse(joined(bad), "rules");
  const LoadResult entry_errors = RuleTable::from_fields(as_entries(bad), "ldap://dc1/ou=rewrite,dc=contoso,dc=com");
  REQUIRE_FALSE(entry_errors.ok());
  REQUIRE(file_errors.errors.size() == 10);
  CHECK(reasons(entry_errors.errors) == reasons(file_errors.errors));
  // Each error names its entry's DN, without a line, where the file's names the line.
  REQUIRE(entry_errors.errors.size() == file_errors.errors.size());
  for (std::size_t i = 0; i < entry_errors.errors.size(); ++i) {
    CHECK(entry_errors.errors[i].line == 0);
    CHECK(entry_errors.errors[i].file ==
          "cn=line" + std::to_string(file_errors.errors[i].line) + ",ou=rewrite,dc=contoso,dc=com");
  }
  const std::string text = rewrite::format_errors(entry_errors.errors);
  INFO(text);
  // A duplicate names the first entry by DN, as a file names the first line.
  CHECK(text.find("cn=line11,ou=rewrite,dc=contoso,dc=com: duplicate rule for '*.fabrikam.com' (first at "
                  "cn=line6,ou=rewrite,dc=contoso,dc=com)") != std::string::npos);
  CHECK(text.find("cn=line8,ou=rewrite,dc=contoso,dc=com: bidirectional rules must be unique: 'd@contoso.com' and "
                  "'c@contoso.com' (cn=line7,ou=rewrite,dc=contoso,dc=com) both map to") != std::string::npos);
}

TEST_CASE("an entry's own name names its rule unless name= says otherwise", "[rule_fields]") {
  std::vector<RuleFields> entries(3);
  entries[0] = {"cn=Sales,ou=rewrite,dc=contoso,dc=com", "sales.contoso.com", "contoso.com", {}, "Sales"};
  entries[1] = {"cn=Japan,ou=rewrite,dc=contoso,dc=com", "japan.contoso.com", "contoso.jp", {"name=jp"}, "Japan"};
  entries[2] = {"cn=x,ou=rewrite,dc=contoso,dc=com", "x.contoso.com", "contoso.com", {}, ""};
  const LoadResult result = RuleTable::from_fields(entries, "ldap://dc1/ou=rewrite,dc=contoso,dc=com");
  REQUIRE(result.ok());
  CHECK(result.table->rules()[0].name() == "Sales");
  CHECK(result.table->rules()[1].name() == "jp");
  CHECK(result.table->rules()[2].name() == "x.contoso.com");
}

TEST_CASE("an entry without a side, or with a line break, is refused by its DN", "[rule_fields]") {
  std::vector<RuleFields> entries(4);
  entries[0] = {"cn=a,dc=contoso,dc=com", "", "contoso.com", {}, "a"};
  entries[1] = {"cn=b,dc=contoso,dc=com", "b.contoso.com", "", {}, "b"};
  entries[2] = {"cn=c,dc=contoso,dc=com", "c.contoso.com", "contoso.com", {"name=two\nlines"}, "c"};
  entries[3] = {"cn=d,dc=contoso,dc=com", "d.contoso.com", "contoso.com", {}, "d\r\nX-Injected: yes"};
  const LoadResult result = RuleTable::from_fields(entries, "ldap://dc1/dc=contoso,dc=com");
  REQUIRE_FALSE(result.ok());
  const std::string text = rewrite::format_errors(result.errors);
  CHECK(text ==
        "cn=a,dc=contoso,dc=com: no internal address or domain\n"
        "cn=b,dc=contoso,dc=com: no external address or domain\n"
        "cn=c,dc=contoso,dc=com: a line break or NUL in 'name=two\\x0alines'\n"
        "cn=d,dc=contoso,dc=com: a line break or NUL in the entry's name\n");
}

TEST_CASE("a table written as CSV loads back into the same rules", "[rule_fields][csv]") {
  std::vector<RuleFields> entries(5);
  entries[0] = {"cn=Flatten,ou=rewrite,dc=contoso,dc=com", "*.contoso.com", "contoso.com",
                {"except=legal.contoso.com,hr.contoso.com"}, "Flatten, \"all\" of it"};
  entries[1] = {"cn=Quoted,ou=rewrite,dc=contoso,dc=com", "\"john \\\"jj\\\" doe\"@contoso.com", "jj@contoso.com",
                {}, "Quoted"};
  entries[2] = {"cn=Out,ou=rewrite,dc=contoso,dc=com", "robert@fourthcoffee.com", "bob@contoso.com",
                {"outbound-only"}, "Out"};
  entries[3] = {"cn=Domain,ou=rewrite,dc=contoso,dc=com", "sales.fabrikam.com", "fabrikam.com", {}, "Domain"};
  entries[4] = {"cn=Both,ou=rewrite,dc=contoso,dc=com", "adam@fourthcoffee.com", "adam@contoso.com", {}, ""};
  const LoadResult table = RuleTable::from_fields(entries, "ldap://dc1/ou=rewrite,dc=contoso,dc=com");
  INFO(rewrite::format_errors(table.errors));
  REQUIRE(table.ok());
  const std::string csv = rewrite::rules_as_csv(*table.table);
  INFO(csv);
  CHECK(csv.rfind("Identity,Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
                  "\"cn=Flatten,ou=rewrite,dc=contoso,dc=com\",\"Flatten, \"\"all\"\" of it\",\"*.contoso.com\","
                  "\"contoso.com\",\"legal.contoso.com,hr.contoso.com\",\"True\"\n",
                  0) == 0);
  const LoadResult back = RuleTable::parse(csv, "snapshot", rewrite::RuleFormat::detect);
  INFO(rewrite::format_errors(back.errors));
  REQUIRE(back.ok());
  CHECK(meanings(*back.table) == meanings(*table.table));
  CHECK(back.table->lookup("jj@contoso.com", rewrite::Direction::inbound).address == "\"john \\\"jj\\\" doe\"@contoso.com");
  CHECK_FALSE(back.table->lookup("bob@contoso.com", rewrite::Direction::inbound).rewritten);
}
