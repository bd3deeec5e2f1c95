// SPDX-License-Identifier: BSD-2-Clause
// service_notify.h: tells systemd (Type=notify) what the daemon is doing, with sd_notify(3): ready once
// the socket is open and the rules are loaded, reloading and ready again around a reload, stopping,
// and a status line naming the rules in force. Without $NOTIFY_SOCKET (not started by systemd) every
// call does nothing. Thread safety: any thread.
#pragma once

#include <string>

namespace rewrite::milter {

// Start-up finished: the MTA may connect. status: "N rules loaded from FILE".
void notify_ready(const std::string& status);
// A reload began.
void notify_reloading();
// A reload ended, taken or refused; status says which and what is in force.
void notify_reloaded(const std::string& status);
// The daemon is stopping.
void notify_stopping();

}  // namespace rewrite::milter
