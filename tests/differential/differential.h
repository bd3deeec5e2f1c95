// SPDX-License-Identifier: BSD-2-Clause
// differential.h: runs one message through both front ends and says where they differ: the daemon's
// Session driven as an MTA would drive it (header values with SMFIP_HDR_LEADSPC), its smfi_* requests
// applied to the message and the envelope as an MTA applies them, against rewrite-test's message mode
// on the same message, envelope and settings. Compared byte for byte: the rewritten message, the
// rewritten envelope, the change lines (the daemon's log without queue ids), RCPT refusals and the
// end-of-message verdict. Used by the differential unit test and the differential fuzz target.
// Thread safety: one Differential per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rewrite/shared_space.h"
#include "rewrite/types.h"

namespace rewrite::differential {

// What a message is sent with.
struct Scenario {
  Direction direction = Direction::outbound;
  std::string mail_from;                // as an MTA passes it: "<a@b>", "a@b", "<>" or ""
  std::vector<std::string> recipients;  // likewise
};

class Differential {
 public:
  // rules_text: a native rules table; space: the shared address space settings with in-memory lists
  // (nullopt: off); inbound_headers: header fields rewritten in inbound mail ("" for none).
  struct Setup {
    std::string rules_text;
    std::optional<SharedSpaceSettings> space;
    std::vector<std::string> local_recipients;
    std::vector<std::string> cloud_recipients;
    std::string inbound_headers;
    // For testing the comparison itself: rules the tool side loads instead ("" for rules_text).
    std::string tool_rules_text;
    // mode = log-only on both sides (the daemon's through its reload, the tool's as its option).
    bool log_only = false;
  };

  // Loads the rules and lists as the daemon does (from files in a private temporary folder) and as the
  // tool does; throws std::runtime_error when they do not load.
  explicit Differential(const Setup& setup);
  ~Differential();
  Differential(const Differential&) = delete;
  Differential& operator=(const Differential&) = delete;

  // Returns "" when both front ends agree on message under scenario, else what differs, both sides shown.
  std::string compare(const std::string& message, const Scenario& scenario);

  // The number of comparisons in which the daemon changed something or refused (for tests that must
  // show the corpus exercises the engine).
  int changed() const { return changed_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  int changed_ = 0;
};

}  // namespace rewrite::differential
