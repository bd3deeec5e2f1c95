// SPDX-License-Identifier: BSD-2-Clause
// metrics.h: the daemon's counters and gauges, and their Prometheus text exposition (format 0.0.4).
// What is counted comes from the engine (EndOfMessage::tally, RcptOutcome::verdict), so the numbers
// say what the log lines say. The mail path only does relaxed atomic additions: no lock, no
// allocation. Per-rule counters are made at reload time (counters_for), one per rule name, kept
// across reloads for names that stay; the scrape reads everything under the reload lock only.
// Thread safety: every member function may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rewrite/message_engine.h"
#include "rewrite/rule_table.h"
#include "rewrite/types.h"

namespace rewrite::milter {

// One counter shared by the rules of one name.
using HitCounter = std::atomic<std::uint64_t>;

// The hit counters of one rule table, by rule position (RuleTable::rules()).
struct RuleHitCounters {
  std::vector<std::shared_ptr<HitCounter>> by_position;
};

// Where an internal error happened, for the failure action counter.
enum class FailureCause { connect, mail_from, rcpt, header, end_of_message, mta_refused, no_rules };
inline constexpr std::size_t kFailureCauseCount = 7;
const char* to_string(FailureCause cause);

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // ---- mail path: lock-free ----
  // One message at its end (also in log-only mode, where the tally is what would be done).
  void message(Direction direction, const MessageTally& tally, const RuleHitCounters* hits);
  // One RCPT TO's shared space decision (local, refused; forwards are counted with the message).
  void recipient(SharedSpace::Verdict verdict);
  // One failure action taken.
  void failure(FailureCause cause);
  void session_started() { sessions_.fetch_add(1, std::memory_order_relaxed); }
  void session_ended() { sessions_.fetch_sub(1, std::memory_order_relaxed); }

  // ---- reload path ----
  // The hit counters for a newly loaded table: an existing counter for every name already known.
  std::shared_ptr<const RuleHitCounters> counters_for(const RuleTable& table);
  // A reload (or the first load) took effect: the sizes now in force and the time, in seconds.
  void reload_succeeded(std::size_t rules, std::size_t local_recipients, std::size_t cloud_recipients,
                        bool log_only, std::int64_t unix_time);
  void reload_failed() { reloads_failed_.fetch_add(1, std::memory_order_relaxed); }

  // ---- scrape ----
  // Every metric in the Prometheus text exposition format, version 0.0.4.
  std::string render() const;

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<Counter, 2> messages_{};        // by Direction (inbound 0, outbound 1)
  std::array<Counter, 2> changed_{};
  std::array<Counter, 2> fields_changed_{};
  std::array<Counter, kSkipReasonCount> skips_{};
  Counter local_{}, forwarded_{}, refused_{}, loops_{};
  std::array<Counter, kFailureCauseCount> failures_{};
  Counter reloads_succeeded_{}, reloads_failed_{};
  std::atomic<std::int64_t> sessions_{0};
  std::atomic<std::uint64_t> rules_{0}, local_recipients_{0}, cloud_recipients_{0};
  std::atomic<std::int64_t> last_reload_time_{0};
  std::atomic<bool> log_only_{false};

  mutable std::mutex names_mutex_;                             // guards hits_by_name_
  std::map<std::string, std::shared_ptr<HitCounter>> hits_by_name_;
};

}  // namespace rewrite::milter
