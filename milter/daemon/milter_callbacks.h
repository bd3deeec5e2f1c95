// SPDX-License-Identifier: BSD-2-Clause
// milter_callbacks.h: the libmilter side of the daemon: the filter description whose C callbacks forward
// each MTA event to a Session, and the MtaActions implementation over smfi_* calls. Every callback
// catches everything; no exception reaches libmilter. Thread safety: libmilter runs each connection in
// its own thread; the shared state installed here is read-only or internally synchronised.
#pragma once

#include <libmilter/mfapi.h>

#include "logger.h"
#include "rule_store.h"
#include "session.h"

namespace rewrite::milter {

// The process-wide state the callbacks use; must outlive smfi_main().
struct MilterGlobals {
  const SessionSettings* settings = nullptr;
  RuleStore* rules = nullptr;
  Logger* log = nullptr;
};

// Installs the globals (call once before smfi_register).
void install_milter_globals(const MilterGlobals& globals);

// Returns the filter description to pass to smfi_register.
smfiDesc make_filter_description();

// Returns how many messages are between MAIL FROM and their end of message (or abort) right now.
int messages_in_progress();

}  // namespace rewrite::milter
