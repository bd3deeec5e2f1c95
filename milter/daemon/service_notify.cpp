// SPDX-License-Identifier: BSD-2-Clause
// service_notify.cpp: sd_notify(3) messages (see service_notify.h).
#include "service_notify.h"

#include <systemd/sd-daemon.h>

namespace rewrite::milter {
namespace {

// A status line on one line: systemd shows it as it is.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

void send(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

void notify_ready(const std::string& status) { send("READY=1\nSTATUS=" + one_line(status)); }

void notify_reloading() { send("RELOADING=1"); }

void notify_reloaded(const std::string& status) { send("READY=1\nSTATUS=" + one_line(status)); }

void notify_stopping() { send("STOPPING=1\nSTATUS=stopping"); }

}  // namespace rewrite::milter
