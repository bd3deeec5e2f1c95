// SPDX-License-Identifier: BSD-2-Clause
// gmime_address_list.cpp: address-list parsing with GMime (see gmime_address_list.h).
#include "gmime_address_list.h"

#include <gmime/gmime.h>

#include <mutex>

#include "rewrite/address.h"
#include "rewrite/gmime_setup.h"

namespace rewrite {

namespace detail {
namespace {

constexpr int kMaxGroupDepth = 8;

// What the warning callback saw during one parse.
struct WarningLog {
  int count = 0;
  GMimeParserWarning first = GMIME_WARN_INVALID_ADDRESS_LIST;
};

// GMime warning callback: counts the warnings of one parse (user_data is that parse's WarningLog).
void on_warning(gint64 /*offset*/, GMimeParserWarning code, const gchar* /*item*/, gpointer user_data) {
  auto* log = static_cast<WarningLog*>(user_data);
  if (log->count++ == 0) log->first = code;
}

// Returns a short description of a GMime warning for the malformed reason.
std::string describe_warning(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 encoded word";
    case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded 8-bit characters";
    default: return "warning " + std::to_string(static_cast<int>(code));
  }
}

// Returns the string or "" for a null pointer.
std::string or_empty(const char* text) { return text ? std::string(text) : std::string(); }

// True when addr may have a different ASCII form: a non-ASCII byte, or a punycode label GMime decoded.
bool needs_idn(const std::string& addr) {
  for (std::size_t i = 0; i < addr.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(addr[i]);
    if (c >= 0x80) return true;
    if ((c == 'x' || c == 'X') && addr.size() - i >= 4 && (addr[i + 1] == 'n' || addr[i + 1] == 'N') &&
        addr[i + 2] == '-' && addr[i + 3] == '-') {
      return true;
    }
  }
  return false;
}

// Appends the mailboxes of list (descending into groups) to out; false with error set on a bound.
bool flatten(InternetAddressList* list, int depth, std::size_t max_mailboxes, ParsedAddressList& out) {
  if (depth > kMaxGroupDepth) {
    out.error = "groups nested more than " + std::to_string(kMaxGroupDepth) + " deep";
    return false;
  }
  const int length = internet_address_list_length(list);
  for (int i = 0; i < length; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(address)) {
      InternetAddressList* members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address));
      if (members && !flatten(members, depth + 1, max_mailboxes, out)) return false;
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
    if (out.mailboxes.size() >= max_mailboxes) {
      out.error = "more than " + std::to_string(max_mailboxes) + " addresses";
      return false;
    }
    InternetAddressMailbox* mailbox = INTERNET_ADDRESS_MAILBOX(address);
    std::string addr = or_empty(internet_address_mailbox_get_addr(mailbox));
    // The IDN conversion costs twice the parse; a plain ASCII address is its own ASCII form.
    std::string idn_addr = needs_idn(addr) ? or_empty(internet_address_mailbox_get_idn_addr(mailbox)) : addr;
    out.mailboxes.push_back({std::move(addr), std::move(idn_addr)});
  }
  return true;
}

}  // namespace

std::string idn_ascii_address(const std::string& address) {
  initialize_gmime();
  InternetAddress* mailbox = internet_address_mailbox_new(nullptr, address.c_str());
  std::string ascii = or_empty(internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(mailbox)));
  g_object_unref(mailbox);
  return ascii.empty() ? address : ascii;
}

bool domain_round_trips(const std::string& domain) {
  initialize_gmime();
  const std::string address = "x@" + domain;
  GMimeParserOptions* options = g_mime_parser_options_new();
  InternetAddressList* list = internet_address_list_parse(options, address.c_str());
  g_mime_parser_options_free(options);
  bool same = false;
  if (list != nullptr && internet_address_list_length(list) == 1) {
    InternetAddress* parsed = internet_address_list_get_address(list, 0);
    if (INTERNET_ADDRESS_IS_MAILBOX(parsed)) {
      same = equals_ignoring_case(or_empty(internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(parsed))),
                                  address);
    }
  }
  if (list != nullptr) g_object_unref(list);
  return same;
}

ParsedAddressList parse_address_list(const std::string& unfolded, std::size_t max_mailboxes) {
  initialize_gmime();
  ParsedAddressList result;
  WarningLog warnings;
  GMimeParserOptions* options = g_mime_parser_options_new();
  g_mime_parser_options_set_warning_callback(options, on_warning, &warnings);
  InternetAddressList* list = internet_address_list_parse(options, unfolded.c_str());
  g_mime_parser_options_free(options);
  if (list) {
    flatten(list, 0, max_mailboxes, result);
    g_object_unref(list);
  }
  if (warnings.count > 0) {
    result.error = "the address parser warned (" + describe_warning(warnings.first) + ")";
  }
  return result;
}

}  // namespace detail
}  // namespace rewrite
