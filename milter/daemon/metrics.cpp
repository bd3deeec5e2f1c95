// SPDX-License-Identifier: BSD-2-Clause
// metrics.cpp: counting and the Prometheus text exposition (see metrics.h).
#include "metrics.h"

#include <sstream>

namespace rewrite::milter {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr Direction kDirections[] = {Direction::outbound, Direction::inbound};

std::size_t slot(Direction direction) { return static_cast<std::size_t>(direction); }

// A label value as the text format wants it: backslash, double quote and line feed escaped.
std::string label_value(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Writes the HELP and TYPE lines of one metric family.
void family(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

const char* to_string(FailureCause cause) {
  switch (cause) {
    case FailureCause::connect: return "connect";
    case FailureCause::mail_from: return "mail_from";
    case FailureCause::rcpt: return "rcpt";
    case FailureCause::header: return "header";
    case FailureCause::end_of_message: return "end_of_message";
    case FailureCause::mta_refused: return "mta_refused";
    case FailureCause::no_rules: return "no_rules";
  }
  return "unknown";
}

void Metrics::message(Direction direction, const MessageTally& tally, const RuleHitCounters* hits) {
  messages_[slot(direction)].fetch_add(1, kRelaxed);
  if (tally.changed) changed_[slot(direction)].fetch_add(1, kRelaxed);
  if (tally.fields_changed != 0) fields_changed_[slot(direction)].fetch_add(tally.fields_changed, kRelaxed);
  for (std::size_t reason = 0; reason < kSkipReasonCount; ++reason) {
    if (tally.skips[reason] != 0) skips_[reason].fetch_add(tally.skips[reason], kRelaxed);
  }
  if (tally.forwarded != 0) forwarded_.fetch_add(tally.forwarded, kRelaxed);
  if (tally.loop) loops_.fetch_add(1, kRelaxed);
  if (hits == nullptr) return;
  for (const std::size_t position : tally.rule_hits) {
    if (position < hits->by_position.size()) hits->by_position[position]->fetch_add(1, kRelaxed);
  }
}

void Metrics::recipient(SharedSpace::Verdict verdict) {
  if (verdict == SharedSpace::Verdict::local) local_.fetch_add(1, kRelaxed);
  if (verdict == SharedSpace::Verdict::unknown) refused_.fetch_add(1, kRelaxed);
}

void Metrics::failure(FailureCause cause) { failures_[static_cast<std::size_t>(cause)].fetch_add(1, kRelaxed); }

std::shared_ptr<const RuleHitCounters> Metrics::counters_for(const RuleTable& table) {
  auto counters = std::make_shared<RuleHitCounters>();
  counters->by_position.reserve(table.rules().size());
  std::lock_guard<std::mutex> lock(names_mutex_);
  for (const Rule& rule : table.rules()) {
    std::shared_ptr<HitCounter>& counter = hits_by_name_[rule.name()];
    if (!counter) counter = std::make_shared<HitCounter>(0);
    counters->by_position.push_back(counter);
  }
  return counters;
}

void Metrics::reload_succeeded(std::size_t rules, std::size_t local_recipients, std::size_t cloud_recipients,
                               bool log_only, std::int64_t unix_time) {
  reloads_succeeded_.fetch_add(1, kRelaxed);
  rules_.store(rules, kRelaxed);
  local_recipients_.store(local_recipients, kRelaxed);
  cloud_recipients_.store(cloud_recipients, kRelaxed);
  log_only_.store(log_only, kRelaxed);
  last_reload_time_.store(unix_time, kRelaxed);
}

std::string Metrics::render() const {
  std::ostringstream out;
  family(out, "rewrite_milter_messages_total", "counter", "Messages that reached their end, by direction.");
  for (const Direction d : kDirections) {
    out << "rewrite_milter_messages_total{direction=\"" << to_string(d) << "\"} " << messages_[slot(d)].load(kRelaxed)
        << '\n';
  }
  family(out, "rewrite_milter_messages_changed_total", "counter",
         "Messages changed or refused (in log-only mode: that would have been), by direction.");
  for (const Direction d : kDirections) {
    out << "rewrite_milter_messages_changed_total{direction=\"" << to_string(d) << "\"} "
        << changed_[slot(d)].load(kRelaxed) << '\n';
  }
  family(out, "rewrite_milter_header_fields_changed_total", "counter", "Header fields changed, by direction.");
  for (const Direction d : kDirections) {
    out << "rewrite_milter_header_fields_changed_total{direction=\"" << to_string(d) << "\"} "
        << fields_changed_[slot(d)].load(kRelaxed) << '\n';
  }
  family(out, "rewrite_milter_rule_hits_total", "counter", "Addresses rewritten, by rule name.");
  {
    std::lock_guard<std::mutex> lock(names_mutex_);
    for (const auto& [name, counter] : hits_by_name_) {
      out << "rewrite_milter_rule_hits_total{rule=\"" << label_value(name) << "\"} " << counter->load(kRelaxed)
          << '\n';
    }
  }
  family(out, "rewrite_milter_skips_total", "counter", "Fields or messages left alone, by reason.");
  for (std::size_t reason = 0; reason < kSkipReasonCount; ++reason) {
    out << "rewrite_milter_skips_total{reason=\"" << to_string(static_cast<SkipReason>(reason)) << "\"} "
        << skips_[reason].load(kRelaxed) << '\n';
  }
  family(out, "rewrite_milter_shared_space_total", "counter",
         "Shared address space decisions: local recipients, forwards, 5.1.1 refusals, 5.4.6 loops.");
  out << "rewrite_milter_shared_space_total{verdict=\"local\"} " << local_.load(kRelaxed) << '\n'
      << "rewrite_milter_shared_space_total{verdict=\"forwarded\"} " << forwarded_.load(kRelaxed) << '\n'
      << "rewrite_milter_shared_space_total{verdict=\"refused\"} " << refused_.load(kRelaxed) << '\n'
      << "rewrite_milter_shared_space_total{verdict=\"loop\"} " << loops_.load(kRelaxed) << '\n';
  family(out, "rewrite_milter_failures_total", "counter",
         "Failure actions taken (on-failure) after an internal error, by where it happened.");
  for (std::size_t cause = 0; cause < kFailureCauseCount; ++cause) {
    out << "rewrite_milter_failures_total{cause=\"" << to_string(static_cast<FailureCause>(cause)) << "\"} "
        << failures_[cause].load(kRelaxed) << '\n';
  }
  family(out, "rewrite_milter_reloads_total", "counter", "Loads of the rules and lists, the first included, by result.");
  out << "rewrite_milter_reloads_total{result=\"succeeded\"} " << reloads_succeeded_.load(kRelaxed) << '\n'
      << "rewrite_milter_reloads_total{result=\"failed\"} " << reloads_failed_.load(kRelaxed) << '\n';
  family(out, "rewrite_milter_last_reload_success_timestamp_seconds", "gauge",
         "When the rules in force were loaded, in seconds since the epoch.");
  out << "rewrite_milter_last_reload_success_timestamp_seconds " << last_reload_time_.load(kRelaxed) << '\n';
  family(out, "rewrite_milter_rules", "gauge", "Rules in force.");
  out << "rewrite_milter_rules " << rules_.load(kRelaxed) << '\n';
  family(out, "rewrite_milter_shared_space_recipients", "gauge", "Recipients listed in the shared space's lists.");
  out << "rewrite_milter_shared_space_recipients{list=\"local\"} " << local_recipients_.load(kRelaxed) << '\n'
      << "rewrite_milter_shared_space_recipients{list=\"cloud\"} " << cloud_recipients_.load(kRelaxed) << '\n';
  family(out, "rewrite_milter_log_only", "gauge", "1 when the rules in force are applied in log-only mode.");
  out << "rewrite_milter_log_only " << (log_only_.load(kRelaxed) ? 1 : 0) << '\n';
  family(out, "rewrite_milter_sessions_in_progress", "gauge", "Milter connections open.");
  out << "rewrite_milter_sessions_in_progress " << sessions_.load(kRelaxed) << '\n';
  return out.str();
}

}  // namespace rewrite::milter
