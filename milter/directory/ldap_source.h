// SPDX-License-Identifier: BSD-2-Clause
// ldap_source.h: addresses read from an LDAP directory (OpenLDAP, Active Directory) with libldap, in one
// paged search. A source is an RFC 4516 LDAP URL naming the server, base, attributes, scope and filter:
//   ldap://dc1.contoso.edu/ou=staff,dc=contoso,dc=edu?mail,proxyAddresses?sub?(objectClass=user)
//   ldapi://%2Frun%2Fslapd%2Fldapi/dc=contoso,dc=edu?mail?sub?(mail=*)
// An attribute named proxyAddresses holds Exchange's typed addresses: only "SMTP:" (primary) and
// "smtp:" (secondary) values count, without their prefix; any other attribute's values are addresses as
// they are. The search is all or nothing: any failure, a partial result included, is an error. ldaps://
// checks the server's certificate (always: a directory that cannot be verified is not read), against
// tls_ca_file or, without it, libldap's own TLS_CACERT (ldap.conf(5)).
// Thread safety: each call opens its own connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/error.h"

namespace rewrite::directory {

// How to reach and authenticate to the directory.
struct LdapAccess {
  enum class Method { anonymous, simple, external };
  Method method = Method::anonymous;
  std::string dn;             // simple: the bind DN
  std::string password_file;  // simple: a file holding the password (its first line)
  std::string tls_ca_file;    // ldaps://: the CA certificates (PEM) to check the server with; "" for libldap's
};

// One entry found: its DN and the values of each attribute the URL names (values[i] for the i-th).
struct DirectoryRecord {
  std::string dn;
  std::vector<std::vector<std::string>> values;
};

// One entry found: its DN and the addresses its attributes hold, in attribute and value order.
struct DirectoryEntry {
  std::string dn;
  std::vector<std::string> addresses;
};

// True when text is an LDAP URL (ldap://, ldaps:// or ldapi://), so a list setting names a directory.
bool is_ldap_url(std::string_view text);

// Checks that url is an LDAP URL with a base and a filter libldap accepts; returns what is wrong.
Error check_ldap_url(const std::string& url);

// The attributes url names, in its order (none when it is not an LDAP URL).
std::vector<std::string> url_attributes(const std::string& url);

// Runs the search url describes with pages of page_size entries (halved while the server says a page
// is over its limit) and returns every entry, or the error (connection, TLS, bind, search, size limit, a
// page missing) that makes the result unusable.
Result<std::vector<DirectoryRecord>> search(const std::string& url, const LdapAccess& access, int page_size = 500);

// search() with each entry's values read as addresses (address_of).
Result<std::vector<DirectoryEntry>> search_addresses(const std::string& url, const LdapAccess& access,
                                                     int page_size = 500);

// The value of a DN's first RDN, as written ("Sales" for "cn=Sales,ou=rewrite,dc=contoso,dc=com").
std::string first_rdn_value(const std::string& dn);

// The address a value of attribute holds ("" when none: a proxyAddresses value of another type).
std::string address_of(std::string_view attribute, std::string_view value);

}  // namespace rewrite::directory
