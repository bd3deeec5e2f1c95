// SPDX-License-Identifier: BSD-2-Clause
// shared_space.cpp: recipient lists and the per-recipient decision of the shared address space.
#include "rewrite/shared_space.h"

#include "rewrite/address.h"
#include "rewrite/text_input.h"
#include "text_util.h"

namespace rewrite {
namespace {

using ListEntry = SharedSpace::ListEntry;

// Returns the key a local part is listed and looked up under: lower-cased, in comparable form ("kim" is
// kim).
std::string local_key(std::string_view local) {
  std::string buffer;
  return lower_ascii(comparable_local_part(local, buffer));
}

// Returns the key (local_key) of entry's local part when it is an address in the shared domain;
// otherwise appends an error and returns "".
std::string local_part_of(std::string_view entry, const std::string& shared_domain, const std::string& file, int line,
                          std::vector<ConfigError>& errors) {
  const auto parts = split_address(entry);
  if (!parts) {
    errors.push_back({file, line, "'" + std::string(entry) + "' is not an address (local@domain)"});
    return "";
  }
  if (normalize_domain(parts->domain) != shared_domain) {
    errors.push_back({file, line, "'" + std::string(entry) + "' is not in the shared domain " + shared_domain});
    return "";
  }
  return local_key(parts->local);
}

// Adds the entries of one list to set, reporting bad entries and duplicates across lists.
void add_entries(const std::vector<ListEntry>& entries, const std::string& shared_domain,
                 std::unordered_set<std::string>& set, const std::unordered_set<std::string>& other,
                 const std::string& other_name, std::vector<ConfigError>& errors) {
  for (const ListEntry& entry : entries) {
    std::string local = local_part_of(entry.address, shared_domain, entry.source, entry.line, errors);
    if (local.empty()) continue;
    if (other.count(local)) {
      errors.push_back({entry.source, entry.line, "'" + entry.address + "' is also listed in " + other_name +
                                                      ": a recipient is either local or in the cloud"});
      continue;
    }
    set.insert(std::move(local));
  }
}

// Checks the settings themselves; returns false after appending errors.
bool check_settings(SharedSpaceSettings& settings, const std::string& source, std::vector<ConfigError>& errors) {
  const std::size_t before = errors.size();
  settings.shared_domain = normalize_domain(settings.shared_domain);
  settings.routing_domain = normalize_domain(settings.routing_domain);
  if (settings.shared_domain.empty()) errors.push_back({source, 0, "shared-domain is required for the shared address space"});
  if (settings.routing_domain.empty()) errors.push_back({source, 0, "routing-domain is required for the shared address space"});
  if (!settings.shared_domain.empty() && settings.shared_domain == settings.routing_domain) {
    errors.push_back({source, 0, "routing-domain must differ from shared-domain, or mail would loop"});
  }
  if (settings.max_received < 1) errors.push_back({source, 0, "max-received must be at least 1"});
  return errors.size() == before;
}

}  // namespace

const char* to_string(SharedSpace::Verdict verdict) {
  switch (verdict) {
    case SharedSpace::Verdict::not_shared: return "not-shared";
    case SharedSpace::Verdict::local: return "local";
    case SharedSpace::Verdict::forward: return "forward";
    case SharedSpace::Verdict::unknown: return "unknown";
    case SharedSpace::Verdict::pass: return "pass";
  }
  return "unknown";
}

bool SharedSpace::read_list(const std::string& path, std::vector<ListEntry>& entries, std::vector<ConfigError>& errors) {
  // One address per line (text_input.h's rules).
  ConfigError error;
  const std::optional<std::string> text = read_text_file(path, "recipient list", error);
  if (!text) {
    errors.push_back(std::move(error));
    return false;
  }
  const std::size_t before = errors.size();
  TextLines lines(*text, path);
  std::string_view line;
  while (lines.next(line, errors)) entries.push_back({path, lines.number(), std::string(line)});
  return errors.size() == before;
}

std::shared_ptr<const SharedSpace> SharedSpace::from_entries(const SharedSpaceSettings& settings,
                                                             const std::vector<ListEntry>& local,
                                                             const std::vector<ListEntry>& cloud,
                                                             const std::string& source,
                                                             std::vector<ConfigError>& errors) {
  auto space = std::make_shared<SharedSpace>();
  space->settings_ = settings;
  const std::size_t before = errors.size();
  if (!check_settings(space->settings_, source, errors)) return nullptr;
  const std::string& domain = space->settings_.shared_domain;
  const std::string cloud_name = settings.cloud_recipients.empty() ? "the cloud recipients" : settings.cloud_recipients;
  const std::string local_name = settings.local_recipients.empty() ? "the local recipients" : settings.local_recipients;
  add_entries(local, domain, space->local_, space->cloud_, cloud_name, errors);
  add_entries(cloud, domain, space->cloud_, space->local_, local_name, errors);
  if (errors.size() != before) return nullptr;
  return space;
}

std::shared_ptr<const SharedSpace> SharedSpace::from_lists(const SharedSpaceSettings& settings,
                                                           const std::vector<std::string>& local,
                                                           const std::vector<std::string>& cloud,
                                                           const std::string& source,
                                                           std::vector<ConfigError>& errors) {
  std::vector<ListEntry> local_entries;
  std::vector<ListEntry> cloud_entries;
  for (std::size_t i = 0; i < local.size(); ++i) local_entries.push_back({source, static_cast<int>(i + 1), local[i]});
  for (std::size_t i = 0; i < cloud.size(); ++i) cloud_entries.push_back({source, static_cast<int>(i + 1), cloud[i]});
  SharedSpaceSettings named = settings;
  named.local_recipients.clear();
  named.cloud_recipients.clear();
  return from_entries(named, local_entries, cloud_entries, source, errors);
}

std::shared_ptr<const SharedSpace> SharedSpace::load(const SharedSpaceSettings& settings, const std::string& source,
                                                     std::vector<ConfigError>& errors) {
  SharedSpaceSettings checked = settings;
  const std::size_t before = errors.size();
  if (!check_settings(checked, source, errors)) return nullptr;
  if (settings.local_recipients.empty()) {
    errors.push_back({source, 0, "local-recipients is required for the shared address space"});
    return nullptr;
  }
  if (settings.cloud_recipients.empty() && !settings.forward_unknown) {
    errors.push_back({source, 0, "cloud-recipients is required unless forward-unknown is set"});
    return nullptr;
  }
  std::vector<ListEntry> local_entries;
  std::vector<ListEntry> cloud_entries;
  read_list(settings.local_recipients, local_entries, errors);
  if (!settings.cloud_recipients.empty()) read_list(settings.cloud_recipients, cloud_entries, errors);
  if (errors.size() != before) return nullptr;
  return from_entries(settings, local_entries, cloud_entries, source, errors);
}

std::string SharedSpace::listed_key(std::string_view local, const std::unordered_set<std::string>& list) const {
  // The whole local part first, then without its extension (user+tag is user), as Postfix looks up.
  std::string key = local_key(local);
  if (list.count(key)) return key;
  if (settings_.recipient_delimiter.empty() || key.empty() || key.front() == '"') return "";
  const std::size_t cut = key.find_first_of(settings_.recipient_delimiter);
  if (cut == 0 || cut == std::string::npos) return "";
  key.resize(cut);
  return list.count(key) ? key : "";
}

bool SharedSpace::lists_local(std::string_view recipient) const {
  const auto parts = split_address(recipient);
  return parts && normalize_domain(parts->domain) == settings_.shared_domain && !listed_key(parts->local, local_).empty();
}

SharedSpace::Decision SharedSpace::decide(std::string_view recipient) const {
  Decision decision;
  const auto parts = split_address(recipient);
  if (!parts || normalize_domain(parts->domain) != settings_.shared_domain) return decision;
  const bool local = !listed_key(parts->local, local_).empty();
  const bool cloud = !listed_key(parts->local, cloud_).empty();
  // RFC 5321 4.5.1: postmaster (any case) is accepted in every domain; local unless the cloud list names it.
  std::string buffer;
  const bool postmaster = detail::iequals(comparable_local_part(parts->local, buffer), "postmaster");
  if (local || (postmaster && !cloud)) {
    decision.verdict = Verdict::local;
  } else if (cloud || settings_.forward_unknown) {
    decision.verdict = Verdict::forward;
    decision.address = parts->local + "@" + settings_.routing_domain;  // an extension goes with it
    decision.unlisted = !cloud;
  } else {
    decision.verdict = settings_.authoritative ? Verdict::unknown : Verdict::pass;
  }
  return decision;
}

std::string SharedSpace::trace_value() const { return settings_.shared_domain + " -> " + settings_.routing_domain; }

bool SharedSpace::is_loop(const std::vector<std::string>& trace_values, int received_count, std::string& reason) const {
  for (const std::string& value : trace_values) {
    // Ours when it names our shared domain as its first word, whatever routing domain follows.
    const std::string_view text = trim_blanks(value);
    const std::string_view domain = text.substr(0, text.find_first_of(" \t\r\n"));
    if (detail::iequals(text, trace_value()) || detail::iequals(domain, settings_.shared_domain)) {
      reason = "message was already forwarded to " + settings_.routing_domain + " once (" + kForwardTraceHeader + ")";
      return true;
    }
  }
  if (received_count > settings_.max_received) {
    reason = "too many hops (" + std::to_string(received_count) + " Received fields, limit " +
             std::to_string(settings_.max_received) + ")";
    return true;
  }
  return false;
}

}  // namespace rewrite
