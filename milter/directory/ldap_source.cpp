// SPDX-License-Identifier: BSD-2-Clause
// ldap_source.cpp: one paged LDAP search for addresses (see ldap_source.h).
#include "ldap_source.h"

#include <ldap.h>

#include <unistd.h>

#include <fstream>
#include <memory>

#include "rewrite/address.h"

namespace rewrite::directory {
namespace {

// Owners of libldap's allocations, so that every path frees them.
struct UrlFree {
  void operator()(LDAPURLDesc* url) const { ldap_free_urldesc(url); }
};
struct LdapFree {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
  void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct ControlFree {
  void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsFree {
  void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
using Url = std::unique_ptr<LDAPURLDesc, UrlFree>;
using Connection = std::unique_ptr<LDAP, LdapFree>;
using Message = std::unique_ptr<LDAPMessage, MessageFree>;
using Control = std::unique_ptr<LDAPControl, ControlFree>;
using Controls = std::unique_ptr<LDAPControl*, ControlsFree>;

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

Error ldap_error(const std::string& what, int code) { return Error(what + ": " + ldap_err2string(code)); }

// ldap_error() with what the library adds about the failure (a TLS certificate refused, say).
Error ldap_error(LDAP* ld, const std::string& what, int code) {
  char* diagnostic = nullptr;
  std::string detail;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS && diagnostic != nullptr) {
    detail = diagnostic;
    ldap_memfree(diagnostic);
  }
  if (detail == "(unknown error code)") detail.clear();  // all GnuTLS tells of a refused handshake
  if (code == LDAP_SERVER_DOWN) {
    char* uri = nullptr;
    bool ldaps = false;
    if (ldap_get_option(ld, LDAP_OPT_URI, &uri) == LDAP_OPT_SUCCESS && uri != nullptr) {
      ldaps = iequals_prefix(uri, "ldaps://");
      ldap_memfree(uri);
    }
    if (ldaps) {
      detail += std::string(detail.empty() ? "" : "; ") +
                "or the TLS handshake failed: the server's certificate must chain to ldap-tls-ca-file (or TLS_CACERT "
                "of ldap.conf) and name the URL's host";
    }
  }
  return Error(what + ": " + ldap_err2string(code) + (detail.empty() ? "" : " (" + detail + ")"));
}

// SASL EXTERNAL asks nothing: the identity is the connection's (ldapi peer credentials or a TLS
// client certificate).
int no_interaction(LDAP*, unsigned, void*, void*) { return LDAP_SUCCESS; }

Result<Url> parse_url(const std::string& text) {
  LDAPURLDesc* url = nullptr;
  if (const int code = ldap_url_parse(text.c_str(), &url); code != LDAP_URL_SUCCESS) {
    return Error("'" + text + "' is not an LDAP URL (RFC 4516: ldap://host/base?attributes?scope?filter)");
  }
  Url owned(url);
  if (owned->lud_dn == nullptr || owned->lud_dn[0] == '\0') return Error("LDAP URL " + text + " has no base DN");
  if (owned->lud_attrs == nullptr || owned->lud_attrs[0] == nullptr) {
    return Error("LDAP URL " + text + " names no attribute (e.g. ?mail,proxyAddresses?)");
  }
  return owned;
}

Error bind(LDAP* ld, const LdapAccess& how) {
  if (how.method == LdapAccess::Method::external) {
    const int code =
        ldap_sasl_interactive_bind_s(ld, nullptr, "EXTERNAL", nullptr, nullptr, LDAP_SASL_QUIET, no_interaction, nullptr);
    return code == LDAP_SUCCESS ? Error() : ldap_error(ld, "SASL EXTERNAL bind", code);
  }
  std::string password;
  if (how.method == LdapAccess::Method::simple) {
    std::ifstream file(how.password_file);
    if (!file || !std::getline(file, password)) return Error("cannot read the LDAP password file " + how.password_file);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  berval credentials{static_cast<ber_len_t>(password.size()), password.data()};
  const char* dn = how.method == LdapAccess::Method::simple ? how.dn.c_str() : nullptr;
  const int code = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
  return code == LDAP_SUCCESS ? Error()
                              : ldap_error(ld, how.method == LdapAccess::Method::simple ? "simple bind as " + how.dn
                                                                                        : "anonymous bind", code);
}

// Appends the entries of one page of results.
void collect(LDAP* ld, LDAPMessage* page, char** attributes, std::vector<DirectoryRecord>& out) {
  for (LDAPMessage* entry = ldap_first_entry(ld, page); entry != nullptr; entry = ldap_next_entry(ld, entry)) {
    DirectoryRecord found;
    char* dn = ldap_get_dn(ld, entry);
    if (dn != nullptr) {
      found.dn = dn;
      ldap_memfree(dn);
    }
    for (char** attribute = attributes; *attribute != nullptr; ++attribute) {
      std::vector<std::string>& held = found.values.emplace_back();
      berval** values = ldap_get_values_len(ld, entry, *attribute);
      if (values == nullptr) continue;
      for (berval** value = values; *value != nullptr; ++value) held.emplace_back((*value)->bv_val, (*value)->bv_len);
      ldap_value_free_len(values);
    }
    out.push_back(std::move(found));
  }
}

// Makes ld check the server's certificate (ldaps://), against ca_file when one is given.
Error require_verified_tls(LDAP* ld, const std::string& ca_file) {
  const int demand = LDAP_OPT_X_TLS_DEMAND;
  if (const int code = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand); code != LDAP_OPT_SUCCESS) {
    return ldap_error("TLS certificate checking", code);
  }
  if (!ca_file.empty()) {
    if (::access(ca_file.c_str(), R_OK) != 0) return Error("cannot read the CA file " + ca_file);
    if (const int code = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file.c_str()); code != LDAP_OPT_SUCCESS) {
      return ldap_error("CA file " + ca_file, code);
    }
  }
  // The options above take effect in a new TLS context of this connection's own.
  const int is_server = 0;
  if (const int code = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server); code != LDAP_OPT_SUCCESS) {
    return ldap_error("TLS set-up" + (ca_file.empty() ? std::string() : " with the CA file " + ca_file), code);
  }
  return Error();
}

}  // namespace

bool is_ldap_url(std::string_view text) {
  return iequals_prefix(text, "ldap://") || iequals_prefix(text, "ldaps://") || iequals_prefix(text, "ldapi://");
}

Error check_ldap_url(const std::string& url) {
  const Result<Url> parsed = parse_url(url);
  return parsed ? Error() : parsed.error();
}

std::vector<std::string> url_attributes(const std::string& url) {
  std::vector<std::string> names;
  Result<Url> parsed = parse_url(url);
  if (!parsed) return names;
  for (char** attribute = (*parsed)->lud_attrs; *attribute != nullptr; ++attribute) names.emplace_back(*attribute);
  return names;
}

std::string first_rdn_value(const std::string& dn) {
  LDAPDN parsed = nullptr;
  if (ldap_str2dn(dn.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || parsed == nullptr) return "";
  std::string first;
  if (parsed[0] != nullptr && parsed[0][0] != nullptr) first.assign(parsed[0][0]->la_value.bv_val, parsed[0][0]->la_value.bv_len);
  ldap_dnfree(parsed);
  return first;
}

std::string address_of(std::string_view attribute, std::string_view value) {
  if (attribute.size() == 14 && iequals_prefix(attribute, "proxyaddresses")) {
    return iequals_prefix(value, "smtp:") ? std::string(value.substr(5)) : std::string();
  }
  return std::string(value);
}

Result<std::vector<DirectoryEntry>> search_addresses(const std::string& url, const LdapAccess& access, int page_size) {
  Result<std::vector<DirectoryRecord>> records = search(url, access, page_size);
  if (!records) return records.error();
  const std::vector<std::string> attributes = url_attributes(url);
  std::vector<DirectoryEntry> entries;
  entries.reserve(records->size());
  for (DirectoryRecord& record : *records) {
    DirectoryEntry& entry = entries.emplace_back();
    entry.dn = std::move(record.dn);
    for (std::size_t i = 0; i < record.values.size() && i < attributes.size(); ++i) {
      for (const std::string& value : record.values[i]) {
        std::string address = address_of(attributes[i], value);
        if (!address.empty()) entry.addresses.push_back(std::move(address));
      }
    }
  }
  return entries;
}

Result<std::vector<DirectoryRecord>> search(const std::string& url_text, const LdapAccess& how, int page_size) {
  Result<Url> url = parse_url(url_text);
  if (!url) return url.error();
  // The server part only: ldap_initialize takes scheme://host:port.
  std::string server = std::string((*url)->lud_scheme) + "://";
  if ((*url)->lud_host != nullptr && (*url)->lud_host[0] != '\0') {
    if (std::string_view((*url)->lud_scheme) == "ldapi") {
      const std::size_t start = url_text.find("://") + 3;
      server += url_text.substr(start, url_text.find('/', start) - start);  // the socket path, still %-encoded
    } else {
      const bool v6 = std::string_view((*url)->lud_host).find(':') != std::string_view::npos;
      server += (v6 ? "[" : "") + std::string((*url)->lud_host) + (v6 ? "]" : "");
      if ((*url)->lud_port != 0) server += ":" + std::to_string((*url)->lud_port);
    }
  }
  LDAP* raw = nullptr;
  if (const int code = ldap_initialize(&raw, server.c_str()); code != LDAP_SUCCESS) {
    return ldap_error("cannot use LDAP server " + server, code);
  }
  Connection ld(raw);
  const int version = LDAP_VERSION3;
  ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF);  // Active Directory sends referrals
  const timeval timeout{10, 0};
  ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &timeout);
  if (std::string_view((*url)->lud_scheme) == "ldaps") {
    if (const Error error = require_verified_tls(ld.get(), how.tls_ca_file); error) return Error(server + ": " + error.message());
  }
  if (const Error error = bind(ld.get(), how); error) return Error(server + ": " + error.message());

  std::vector<DirectoryRecord> entries;
  berval cookie{0, nullptr};
  std::string cookie_bytes;
  for (;;) {
    LDAPControl* page_raw = nullptr;
    if (const int code = ldap_create_page_control(ld.get(), page_size, cookie_bytes.empty() ? nullptr : &cookie, 1,
                                                  &page_raw);
        code != LDAP_SUCCESS) {
      return ldap_error("paged results control", code);
    }
    Control page_control(page_raw);
    LDAPControl* server_controls[] = {page_control.get(), nullptr};
    LDAPMessage* result_raw = nullptr;
    timeval search_timeout{60, 0};
    const int code = ldap_search_ext_s(ld.get(), (*url)->lud_dn, (*url)->lud_scope < 0 ? LDAP_SCOPE_SUBTREE : (*url)->lud_scope,
                                       (*url)->lud_filter, (*url)->lud_attrs, 0, server_controls, nullptr,
                                       &search_timeout, LDAP_NO_LIMIT, &result_raw);
    Message result(result_raw);
    if (code == LDAP_ADMINLIMIT_EXCEEDED && cookie_bytes.empty() && entries.empty() && page_size > 10) {
      // OpenLDAP refuses a page larger than its size.pr limit (Active Directory shrinks it itself):
      // ask again with smaller pages.
      page_size /= 2;
      continue;
    }
    if (code != LDAP_SUCCESS) return ldap_error(ld.get(), "search " + url_text, code);
    collect(ld.get(), result.get(), (*url)->lud_attrs, entries);
    int result_code = LDAP_SUCCESS;
    LDAPControl** returned_raw = nullptr;
    if (const int parsed = ldap_parse_result(ld.get(), result.get(), &result_code, nullptr, nullptr, nullptr,
                                             &returned_raw, 0);
        parsed != LDAP_SUCCESS) {
      return ldap_error("search result of " + url_text, parsed);
    }
    Controls returned(returned_raw);
    if (result_code != LDAP_SUCCESS) return ldap_error("search " + url_text, result_code);
    LDAPControl* response = returned ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned.get(), nullptr) : nullptr;
    if (response == nullptr) break;  // the server does not page: this was the whole result
    ber_int_t estimate = 0;
    berval next{0, nullptr};
    if (const int parsed = ldap_parse_pageresponse_control(ld.get(), response, &estimate, &next); parsed != LDAP_SUCCESS) {
      return ldap_error("paged results response", parsed);
    }
    cookie_bytes.assign(next.bv_val == nullptr ? "" : next.bv_val, next.bv_len);
    ber_memfree(next.bv_val);
    if (cookie_bytes.empty()) break;  // the last page
    cookie.bv_val = cookie_bytes.data();
    cookie.bv_len = cookie_bytes.size();
  }
  return entries;
}

}  // namespace rewrite::directory
