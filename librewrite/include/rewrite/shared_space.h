// SPDX-License-Identifier: BSD-2-Clause
// shared_space.h: the shared address space with on-premises relay. This MTA is authoritative for a shared
// domain (contoso.edu); cloud mailboxes live under a routing domain (live.contoso.edu). A recipient of the
// shared domain is delivered locally, forwarded to the cloud by rewriting it to the routing domain, or
// refused at RCPT. Recipient lists are plain files, one address per line. Thread safety: immutable after
// load; every const member function may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rewrite/config_error.h"

namespace rewrite {

struct SharedSpaceSettings {
  std::string shared_domain;        // e.g. contoso.edu
  std::string routing_domain;       // e.g. live.contoso.edu
  std::string local_recipients;     // path: the on-premises mailboxes (addresses in the shared domain)
  std::string cloud_recipients;     // path: the cloud users (addresses in the shared domain); may be empty
  bool forward_unknown = false;     // forward every recipient not known locally to the cloud
  bool authoritative = true;        // refuse recipients known nowhere with 550 5.1.1
  int max_received = 30;            // loop guard: more Received fields than this is refused with 5.4.6
  std::string recipient_delimiter = "+";  // extensions: a listed mailbox accepts user+tag too ("" off)
};

// The trace header added to every message forwarded to the routing domain; a message that carries it and
// would be forwarded again has gone round once already.
inline constexpr const char* kForwardTraceHeader = "X-Rewrite-Forwarded";

class SharedSpace {
 public:
  enum class Verdict {
    not_shared,  // recipient is not in the shared domain: nothing to do
    local,       // a known local mailbox: deliver unchanged
    forward,     // a cloud user: rewrite to the routing domain
    unknown,     // known nowhere and authoritative: refuse with 550 5.1.1
    pass,        // known nowhere, not authoritative: deliver unchanged
  };
  struct Decision {
    Verdict verdict = Verdict::not_shared;
    std::string address;  // the rewritten address when forward
    bool unlisted = false;  // forward only because of forward-unknown (in neither list)
  };

  // Loads the recipient lists named in settings and checks the settings. Every problem is appended to
  // errors (file:line for list entries); returns null when there is any.
  static std::shared_ptr<const SharedSpace> load(const SharedSpaceSettings& settings, const std::string& source,
                                                 std::vector<ConfigError>& errors);

  // One entry of a recipient list, with where it came from for errors: a file and line, or a
  // directory entry's DN (line 0).
  struct ListEntry {
    std::string source;
    int line = 0;
    std::string address;
  };

  // Builds from entries however they were read (files, a directory); every entry must be an address in
  // the shared domain. Every problem is appended to errors; returns null when there is any.
  static std::shared_ptr<const SharedSpace> from_entries(const SharedSpaceSettings& settings,
                                                         const std::vector<ListEntry>& local,
                                                         const std::vector<ListEntry>& cloud,
                                                         const std::string& source, std::vector<ConfigError>& errors);

  // Reads one recipient list file (one address per line) into entries; false after appending errors.
  static bool read_list(const std::string& path, std::vector<ListEntry>& entries, std::vector<ConfigError>& errors);

  // Builds from in-memory lists (for tests and rewrite-test); entries are addresses in the shared domain.
  static std::shared_ptr<const SharedSpace> from_lists(const SharedSpaceSettings& settings,
                                                       const std::vector<std::string>& local,
                                                       const std::vector<std::string>& cloud,
                                                       const std::string& source, std::vector<ConfigError>& errors);

  // Decides what happens to one envelope recipient (addr-spec without angle brackets). A list entry
  // also covers its address extensions (user+tag, with the settings' recipient_delimiter), and the
  // extension is forwarded with the address. postmaster@ the shared domain, any case, is never refused:
  // it is local unless the cloud list names it (RFC 5321 4.5.1).
  Decision decide(std::string_view recipient) const;

  // True when the local list names recipient (or it without its extension).
  bool lists_local(std::string_view recipient) const;

  // True when a message with these trace values and this many Received fields must not be forwarded
  // again (it went round already, or too many hops); reason says which.
  bool is_loop(const std::vector<std::string>& trace_values, int received_count, std::string& reason) const;

  // The value of the trace header this MTA adds when it forwards a message.
  std::string trace_value() const;

  const SharedSpaceSettings& settings() const { return settings_; }
  // The number of known local mailboxes and cloud users.
  std::size_t local_count() const { return local_.size(); }
  std::size_t cloud_count() const { return cloud_.size(); }

 private:
  // Returns the key under which list holds local (whole, else without its extension), or "".
  std::string listed_key(std::string_view local, const std::unordered_set<std::string>& list) const;

  SharedSpaceSettings settings_;
  std::unordered_set<std::string> local_;  // local parts, lower-cased, quoted dot-atoms unquoted
  std::unordered_set<std::string> cloud_;  // local parts, lower-cased, quoted dot-atoms unquoted
};

// Returns "not-shared", "local", "forward", "unknown" or "pass".
const char* to_string(SharedSpace::Verdict verdict);

}  // namespace rewrite
