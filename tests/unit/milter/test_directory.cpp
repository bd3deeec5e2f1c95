// SPDX-License-Identifier: BSD-2-Clause
// test_directory.cpp: what the directory source takes from an LDAP URL and from attribute values, and
// the directory settings; the searches themselves run against a real slapd (test_postfix_directory.py).
#include <catch2/catch.hpp>

#include <array>

#include "config.h"
#include "directory_config.h"
#include "directory_lists.h"
#include "directory_rules.h"
#include "ldap_source.h"
#include "milter_test_support.h"

namespace rewrite::directory {
namespace {

TEST_CASE("directory: LDAP URLs are told from files and checked", "[directory]") {
  CHECK(is_ldap_url("ldap://dc1/dc=x?mail?sub?(mail=*)"));
  CHECK(is_ldap_url("LDAPS://dc1/dc=x?mail"));
  CHECK(is_ldap_url("ldapi://%2Frun%2Fslapd%2Fldapi/dc=x?mail"));
  CHECK_FALSE(is_ldap_url("/etc/rewrite-milter/local-recipients"));
  CHECK_FALSE(is_ldap_url("ldap.txt"));
  CHECK_FALSE(check_ldap_url("ldap://127.0.0.1:389/ou=staff,dc=contoso,dc=edu?mail?sub?(objectClass=person)"));
  CHECK(check_ldap_url("ldap://127.0.0.1/?mail?sub").message().find("no base DN") != std::string::npos);
  CHECK(check_ldap_url("ldap://127.0.0.1/dc=x").message().find("names no attribute") != std::string::npos);
  CHECK(check_ldap_url("ldap://127.0.0.1/dc=x?mail?sideways").message().find("not an LDAP URL") != std::string::npos);
}

TEST_CASE("directory: proxyAddresses count only with an SMTP type, other attributes as they are", "[directory]") {
  CHECK(address_of("proxyAddresses", "SMTP:ana@contoso.edu") == "ana@contoso.edu");
  CHECK(address_of("proxyaddresses", "smtp:ana.alias@contoso.edu") == "ana.alias@contoso.edu");
  CHECK(address_of("proxyAddresses", "X500:/o=Contoso/cn=ana") == "");
  CHECK(address_of("proxyAddresses", "sip:ana@contoso.edu") == "");
  CHECK(address_of("mail", "Ana@Contoso.EDU") == "Ana@Contoso.EDU");
  CHECK(address_of("mail", "smtp:odd@contoso.edu") == "smtp:odd@contoso.edu");
}

TEST_CASE("directory: file lists load as before; an unreachable directory fails the load", "[directory]") {
  milter::test::TempFile local("local", "staff@contoso.edu\n");
  milter::test::TempFile cloud("cloud", "kim@contoso.edu\n");
  SharedSpaceSettings settings;
  settings.shared_domain = "contoso.edu";
  settings.routing_domain = "live.contoso.edu";
  settings.local_recipients = local.path();
  settings.cloud_recipients = cloud.path();
  std::vector<std::string> warnings;
  DirectoryLists lists({}, [&warnings](const std::string& warning) { warnings.push_back(warning); });
  std::vector<ConfigError> errors;
  const auto space = lists.load(settings, "conf", errors);
  REQUIRE(space);
  CHECK(space->decide("kim@contoso.edu").verdict == SharedSpace::Verdict::forward);
  // Port 1 on loopback: nothing listens, so the search fails, and without a cache the load fails.
  settings.cloud_recipients = "ldap://127.0.0.1:1/ou=students,dc=contoso,dc=edu?mail?sub?(mail=*)";
  DirectoryLists unreachable({}, {});
  CHECK_FALSE(unreachable.load(settings, "conf", errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].file == settings.cloud_recipients);
  CHECK(errors[0].to_string().find("(no snapshot cache is configured)") != std::string::npos);
  CHECK(warnings.empty());
}

TEST_CASE("directory: a rule is named by its entry's first RDN value", "[directory]") {
  CHECK(first_rdn_value("cn=Sales,ou=rewrite,dc=contoso,dc=com") == "Sales");
  CHECK(first_rdn_value("cn=Sales\\2C east,ou=rewrite,dc=contoso,dc=com") == "Sales, east");
  CHECK(first_rdn_value("CN=Flatten \\\"all\\\",OU=Rewrite,DC=contoso,DC=com") == "Flatten \"all\"");
  CHECK(first_rdn_value("not a dn") == "");
  CHECK(url_attributes("ldap://dc1/dc=x?rewriteInternal,rewriteExternal,rewriteOption?one?(cn=*)") ==
        std::vector<std::string>{"rewriteInternal", "rewriteExternal", "rewriteOption"});
  CHECK(url_attributes("/etc/rewrite-milter/rules").empty());
}

TEST_CASE("directory: rules need both sides' attributes; the snapshot serves only the first load", "[directory]") {
  milter::test::TempFile snapshot("rules.csv",
                                  "# rewrite-milter: snapshot of ldap://127.0.0.1:1/ou=rewrite,dc=contoso,dc=com\n"
                                  "Identity,Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
                                  "\"cn=Flatten,ou=rewrite,dc=contoso,dc=com\",\"Flatten\",\"*.contoso.com\","
                                  "\"contoso.com\",\"\",\"True\"\n");
  const std::string cache_dir = std::filesystem::path(snapshot.path()).parent_path().string();
  std::vector<std::string> warnings;
  DirectorySettings settings;
  settings.cache_dir = cache_dir;
  DirectoryRules rules(settings, [&warnings](const std::string& warning) { warnings.push_back(warning); });
  const LoadResult one_attribute = rules.load("ldap://127.0.0.1:1/ou=rewrite,dc=contoso,dc=com?rewriteInternal", "+");
  REQUIRE(one_attribute.errors.size() == 1);
  CHECK(one_attribute.errors[0].to_string().find("must name the attributes of the internal side, the external side") !=
        std::string::npos);
  // Port 1 on loopback: nothing listens. The first load serves the snapshot, and says so.
  const std::string url = "ldap://127.0.0.1:1/ou=rewrite,dc=contoso,dc=com?rewriteInternal,rewriteExternal?one?(cn=*)";
  const LoadResult first = rules.load(url, "+");
  INFO(format_errors(first.errors));
  REQUIRE(first.ok());
  CHECK(first.table->rules().size() == 1);
  CHECK(first.table->rules()[0].name() == "Flatten");
  CHECK(first.table->lookup("a@sales.contoso.com", Direction::outbound).address == "a@contoso.com");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("serving the cached snapshot " + snapshot.path()) != std::string::npos);
  // A later load (a reload) fails instead: the RuleStore keeps the table in force.
  const LoadResult later = rules.load(url, "+");
  REQUIRE(later.errors.size() == 1);
  CHECK(later.errors[0].file == url);
  CHECK(warnings.size() == 1);
}

TEST_CASE("directory: the rules loader reads files and directories alike", "[directory]") {
  milter::test::TempFile file("rules", "sales.contoso.com contoso.com\n");
  const RulesLoader load = rules_loader({}, RuleFormat::detect, "+", {});
  const LoadResult from_file = load(file.path());
  REQUIRE(from_file.ok());
  CHECK(from_file.table->source_name() == file.path());
  const LoadResult from_directory = load("ldap://127.0.0.1:1/dc=contoso,dc=com?a,b?one?(cn=*)");
  REQUIRE_FALSE(from_directory.ok());
  CHECK(from_directory.errors[0].to_string().find("(no snapshot cache is configured)") != std::string::npos);
}

TEST_CASE("directory settings: a simple bind needs its DN and password file", "[directory][config]") {
  const milter::ConfigOutcome simple = milter::parse_config(
      4, std::array<const char*, 4>{"rewrite-milter", "-rrules", "--ldap-bind", "simple"}.data(), "");
  CHECK(simple.errors.empty());
  CHECK(directory_errors(simple.config).size() == 1);
  CHECK(directory_settings(simple.config).access.method == LdapAccess::Method::simple);
  const milter::ConfigOutcome bad = milter::parse_config(
      3, std::array<const char*, 3>{"rewrite-milter", "-rrules", "--ldap-refresh=5"}.data(), "");
  REQUIRE(bad.errors.size() == 1);
  const milter::ConfigOutcome defaults =
      milter::parse_config(2, std::array<const char*, 2>{"rewrite-milter", "-rrules"}.data(), "");
  CHECK(defaults.config.ldap_refresh == 300);
  CHECK(defaults.config.ldap_cache == "/var/lib/rewrite-milter");
  CHECK(directory_settings(defaults.config).access.method == LdapAccess::Method::anonymous);
}

}  // namespace
}  // namespace rewrite::directory
