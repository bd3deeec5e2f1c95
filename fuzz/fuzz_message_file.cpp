// SPDX-License-Identifier: BSD-2-Clause
// fuzz_message_file.cpp: the message file splitter (message_file.h) and the message plan on arbitrary
// bytes as a message. Splitting must give back every byte; applying the outbound plan with the seed
// rules must change only the planned fields, which read back with exactly the planned values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "rewrite/offline/message_file.h"
#include "rewrite/message_plan.h"

using rewrite_fuzz::require;

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  rewrite::initialize_gmime();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const rewrite::MessageFile message = rewrite::parse_message(text);
  require(message.to_string() == text, "a split message does not give back its bytes");
  require(rewrite::apply_header_edits(message, {}) == text, "applying no edits changed the message");
  const std::vector<rewrite::HeaderField> fields = message.header_fields();
  require(fields.size() == message.fields.size(), "header_fields() lost fields");

  const rewrite::Envelope envelope{"masato@japan.sales.contoso.com", {"support@wingtiptoys.com"}};
  const rewrite::MessagePlan plan = rewrite::plan_message(rewrite_fuzz::seed_table(), rewrite::PlanOptions{},
                                                          rewrite::Direction::outbound, envelope, fields);
  require(plan.sender_changed, "the seed sender was not rewritten");
  for (const rewrite::HeaderEdit& edit : plan.headers) {
    require(rewrite::find_field(message, edit.name, edit.index) < message.fields.size(), "an edit names no field");
  }
  const std::string edited = rewrite::apply_header_edits(message, plan.headers);
  const rewrite::MessageFile reread = rewrite::parse_message(edited);
  require(reread.fields.size() == message.fields.size(), "applying edits changed the number of fields");
  require(reread.body == message.body, "applying edits changed the body");
  for (const rewrite::HeaderEdit& edit : plan.headers) {
    const std::size_t at = rewrite::find_field(reread, edit.name, edit.index);
    require(at < reread.fields.size() && reread.fields[at].value == edit.value,
            "an edited field does not read back with its planned value");
  }
  return 0;
}
