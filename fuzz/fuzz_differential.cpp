// SPDX-License-Identifier: BSD-2-Clause
// fuzz_differential.cpp: the one-engine property on arbitrary messages: the daemon's session (driven as
// an MTA drives it, its requests applied as an MTA applies them) and rewrite-test's message mode must
// agree byte for byte on the message, the envelope, the change lines and the verdict. The first input
// byte picks the envelope, the direction and whether the shared address space is on; the rest is the
// message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "differential.h"
#include "fuzz_checks.h"
#include "rewrite/gmime_setup.h"

namespace {

using rewrite::differential::Differential;
using rewrite::differential::Scenario;

const char* kRules =
    "*.contoso.com            contoso.com   name=flatten\n"
    "japan.sales.contoso.com  contoso.jp    name=japan\n"
    "fourthcoffee.com         contoso.com   name=merger\n"
    "support@contoso.com      support@wingtiptoys.com   name=partner\n"
    "live.contoso.edu         contoso.edu   name=cloud-senders\n";

// The two set-ups, made once: without and with the shared address space.
Differential& setup(bool shared_space) {
  static Differential plain({kRules, std::nullopt, {}, {}, "To,Cc", ""});
  static Differential shared([] {
    rewrite::SharedSpaceSettings space;
    space.shared_domain = "contoso.edu";
    space.routing_domain = "live.contoso.edu";
    return Differential::Setup{kRules, space, {"staff@contoso.edu"}, {"student@contoso.edu"}, "", ""};
  }());
  return shared_space ? shared : plain;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  rewrite::initialize_gmime();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t pick = data[0];
  const std::string message(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const std::vector<std::vector<std::string>> recipient_sets = {
      {"<partner@example.net>"},
      {"<support@wingtiptoys.com>", "<support@contoso.com>", "<Support@WingtipToys.com>"},
      {"<student@contoso.edu>", "<nobody@contoso.edu>", "<staff@contoso.edu>", "<STUDENT@contoso.edu>"},
      {"support@wingtiptoys.com", "<x@sales.contoso.com>"},
  };
  static const std::vector<std::string> senders = {"<chris@sales.contoso.com>", "<>", "bob@example.net",
                                                   "<support@contoso.com>"};
  Scenario scenario;
  scenario.direction = (pick & 1) != 0 ? rewrite::Direction::inbound : rewrite::Direction::outbound;
  scenario.recipients = recipient_sets[(pick >> 2) % recipient_sets.size()];
  scenario.mail_from = senders[(pick >> 4) % senders.size()];
  const std::string report = setup((pick & 2) != 0).compare(message, scenario);
  if (!report.empty()) std::fprintf(stderr, "%s", report.c_str());
  rewrite_fuzz::require(report.empty(), "the daemon and rewrite-test differ");
  return 0;
}
