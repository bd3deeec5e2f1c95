// SPDX-License-Identifier: BSD-2-Clause
// main.cpp: rewrite-milter(8) entry point: reads the configuration, loads the rules, opens the milter
// socket, detaches and drops privileges, and runs libmilter in a thread of its own while the main thread
// handles the signals: SIGUSR1 reloads the rules; SIGTERM, SIGINT and SIGHUP stop the milter at once.
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

#include "config.h"
#include "file_watch.h"
#include "listener_wake.h"
#include "logger.h"
#include "metrics_server.h"
#include "milter_callbacks.h"
#include "periodic_reload.h"
#include "process.h"
#include "reload_worker.h"
#include "signal_pipe.h"
#include "rewrite/header_rewriter.h"
#include "rule_store.h"
#include "service_notify.h"
#include "startup.h"

#ifndef REWRITE_VERSION
#define REWRITE_VERSION "unknown"
#endif

namespace rewrite::milter {
namespace {

std::atomic<bool> g_stopping{false};        // smfi_main has returned
std::atomic<bool> g_stop_requested{false};  // a stop signal came (a stop is a clean exit, status 0)

// Returns the "N rules from FILE" summary of what is in force, with the shared space's list sizes.
std::string loaded_summary(const RuleStore& store) {
  const RuleSnapshot snapshot = store.snapshot();
  std::string text = std::to_string(snapshot.table->rules().size()) + " rules loaded from " + store.path();
  if (snapshot.log_only) text += ", log-only";
  if (snapshot.space) {
    text += ", shared space " + snapshot.space->settings().shared_domain + ": " +
            std::to_string(snapshot.space->local_count()) + " local and " +
            std::to_string(snapshot.space->cloud_count()) + " cloud recipients";
  }
  return text;
}

// Reloads the rules, recipient lists and mode, all or nothing, logs the outcome and tells systemd.
void reload(RuleStore& store, Metrics& metrics, Logger& log) {
  notify_reloading();
  const std::vector<ConfigError> errors = store.reload();
  if (errors.empty()) {
    log.log(LogLevel::notice, "NOQUEUE: reload: " + loaded_summary(store));
    notify_reloaded(loaded_summary(store));
    return;
  }
  metrics.reload_failed();
  for (const ConfigError& error : errors) log.log(LogLevel::error, "NOQUEUE: reload: " + error.to_string());
  log.log(LogLevel::error, "NOQUEUE: reload failed: keeping the previous rules and recipient lists");
  notify_reloaded("reload failed (" + errors.front().to_string() + "); keeping " + loaded_summary(store));
}

// Waits up to kDrainLimit for the messages in progress to reach their end of message.
void drain(Logger& log) {
  constexpr auto kDrainLimit = std::chrono::seconds(5);
  const auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
  while (messages_in_progress() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (const int left = messages_in_progress(); left > 0) {
    log.log(LogLevel::warning, "NOQUEUE: stopping with " + std::to_string(left) +
                                   (left == 1 ? " message" : " messages") +
                                   " in progress; the MTA applies its milter default action");
  }
}

// Stops smfi_main at once. smfi_stop() marks the stop and may wait for the listener, which looks at the
// mark only between waits of up to five seconds; connecting to our own socket ends such a wait. So
// smfi_stop() runs in a helper thread while this one connects every 50 ms until smfi_main has returned
// (g_stopping): also when the stop came while smfi_main was still starting its listener.
void stop_milter(const std::string& socket, Logger& log) {
  auto stopped = std::make_shared<std::atomic<bool>>(false);
  std::thread stopper([stopped] {
    smfi_stop();
    stopped->store(true);
  });
  for (int attempt = 0; attempt < 200 && !g_stopping.load(); ++attempt) {
    if (const Error error = wake_listener(socket); error && attempt == 0) {
      log.log(LogLevel::info, "NOQUEUE: cannot wake the listener on " + socket + ": " + error.message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // libmilter ends its own wait within five seconds anyway; never let the stop hang on the helper.
  if (stopped->load()) {
    stopper.join();
  } else {
    stopper.detach();
  }
}

// The daemon's main thread, once libmilter runs in its own thread: SIGUSR1 asks for a reload (run by the
// reload worker); SIGTERM, SIGINT and SIGHUP let the messages in progress end (up to five seconds), then
// stop the milter. Returns when a stop signal has been handled or smfi_main has returned by itself
// (g_stopping, with the reader woken). The signals reach this thread through the signal pipe.
void signal_loop(ReloadWorker& reloads, Logger& log, const std::string& socket) {
  for (;;) {
    const int signal = next_signal();
    if (g_stopping.load()) return;
    if (signal == SIGUSR1) {
      reloads.request();  // on its own thread: this one goes straight back to waiting
      continue;
    }
    if (signal == 0) continue;
    log.log(LogLevel::notice, std::string("NOQUEUE: stop requested by ") + (signal == SIGTERM ? "SIGTERM"
                                                                            : signal == SIGINT ? "SIGINT"
                                                                                               : "SIGHUP"));
    g_stop_requested.store(true);
    drain(log);
    stop_milter(socket, log);
    return;
  }
}

// Returns path made absolute against the current directory (unchanged when that fails).
std::string absolute_path(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.string();
}

// Runs the daemon; returns the exit status.
int run(int argc, char** argv) {
  const ConfigOutcome outcome = parse_config(argc, argv);
  switch (outcome.mode) {
    case ConfigOutcome::Mode::help:
      std::cout << outcome.help_text;
      return kExitOk;
    case ConfigOutcome::Mode::version:
      std::cout << "rewrite-milter " << REWRITE_VERSION << '\n';
      return kExitOk;
    case ConfigOutcome::Mode::check:
      return check_config(outcome, std::cout, std::cerr);
    case ConfigOutcome::Mode::run:
      break;
  }
  // Running: blocked first, before anything (GLib included) can start a thread, so every other thread
  // inherits the mask; only this thread unblocks them, once the signal pipe is in place (signal_pipe.h).
  // A stop signal during start-up then waits and ends in a clean stop (socket and pid file removed)
  // instead of killing the process.
  const sigset_t signals = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  DaemonConfig config = outcome.config;
  // The daemon changes to / when it detaches: make the paths it uses later absolute now.
  for (std::string* path : directory::file_sources(config)) *path = absolute_path(*path);
  if (!config.pid_file.empty()) config.pid_file = absolute_path(config.pid_file);
  if (const std::string path = socket_path(config.socket); !path.empty() && path[0] != '/') {
    config.socket = config.socket.substr(0, config.socket.size() - path.size()) + absolute_path(path);
  }
  if (!outcome.errors.empty()) {
    for (const ConfigError& error : outcome.errors) std::cerr << error.to_string() << '\n';
    return exit_status_for(outcome.errors);
  }
  SyslogLogger log(config.verbosity, config.foreground);
  const auto warn = [&log](const std::string& warning) { log.log(LogLevel::warning, "NOQUEUE: " + warning); };
  RuleStore store(config.rules_file, rules_loader(config, warn));
  Metrics metrics;
  ConfigOutcome reread = outcome;
  reread.config = config;  // with the paths made absolute, since the daemon changes to /
  if (reread.explicit_config_file) reread.config_file = absolute_path(reread.config_file);
  store.set_completer(snapshot_completer(reread, metrics));
  SessionSettings settings;
  settings.metrics = &metrics;
  const std::vector<ConfigError> errors = prepare(config, store, settings, warn);
  if (!errors.empty()) {
    for (const ConfigError& error : errors) {
      log.log(LogLevel::error, "NOQUEUE: config: " + error.to_string());
      if (!config.foreground) std::cerr << error.to_string() << '\n';
    }
    return kExitConfig;
  }
  initialize_gmime();
  install_milter_globals({&settings, &store, &log});

  smfiDesc desc = make_filter_description();
  if (smfi_setconn(const_cast<char*>(config.socket.c_str())) != MI_SUCCESS ||
      smfi_register(desc) != MI_SUCCESS) {
    log.log(LogLevel::error, "NOQUEUE: cannot set up milter socket " + config.socket);
    return kExitOsError;
  }
  // Group-accessible socket: an MTA in the socket's group may connect; others may not.
  umask(007);
  if (smfi_opensocket(true) != MI_SUCCESS) {
    log.log(LogLevel::error, "NOQUEUE: cannot open milter socket " + config.socket);
    return kExitOsError;
  }
  if (const Error error = chown_socket(config.socket, config.user, config.group); error) {
    log.log(LogLevel::error, "NOQUEUE: " + error.message());
    return kExitOsError;
  }
  if (!config.foreground) {
    if (const Error error = daemonize(); error) {
      log.log(LogLevel::error, "NOQUEUE: " + error.message());
      return kExitOsError;
    }
  }
  if (!config.pid_file.empty()) {
    if (const Error error = write_pid_file(config.pid_file); error) {
      log.log(LogLevel::error, "NOQUEUE: " + error.message());
      return kExitOsError;
    }
  }
  if (const Error error = drop_privileges(config.user, config.group); error) {
    log.log(LogLevel::error, "NOQUEUE: " + error.message());
    return kExitOsError;
  }
  // After detaching (a thread does not survive fork) and with the signals blocked, like every thread.
  MetricsServer metrics_server;
  if (config.metrics.enabled()) {
    if (const Error error = metrics_server.start(config.metrics, metrics); error) {
      log.log(LogLevel::error, "NOQUEUE: " + error.message());
      return kExitOsError;
    }
    log.log(LogLevel::notice, "NOQUEUE: metrics on http://" + config.metrics.to_string() + "/metrics");
  }

  log.log(LogLevel::notice, "NOQUEUE: starting: " + loaded_summary(store) + ", socket " + config.socket);
  if (const Error error = install_signal_pipe(); error) {
    log.log(LogLevel::error, "NOQUEUE: " + error.message());
    return kExitOsError;
  }
  // libmilter runs in a thread of its own; this thread handles the signals (see signal_loop). When
  // smfi_main returns by itself, it wakes this thread. A stop signal that came during start-up makes
  // smfi_main return early, perhaps with a failure after smfi_stop() closed its socket: the stop was
  // asked for either way. smfi_main (and with it libmilter's signal thread) starts only once this thread
  // has unblocked the signals, so from then on they come here (but for the gap in signal_pipe.h).
  int status = MI_SUCCESS;
  std::promise<void> unblocked;
  std::thread milter([&status, ready = unblocked.get_future()] {
    ready.wait();
    status = smfi_main();
    g_stopping.store(true);
    wake_signal_reader();
  });
  {
    ReloadWorker reloads([&store, &metrics, &log] { reload(store, metrics, log); });  // blocks the signals
    // Rules and recipient lists from a directory are read again every ldap-refresh seconds, as on SIGUSR1.
    std::unique_ptr<PeriodicReload> refresh;
    if (directory::uses_directory(config) && config.ldap_refresh > 0) {
      refresh = std::make_unique<PeriodicReload>(reloads, std::chrono::seconds(config.ldap_refresh));
    }
    // watch = yes: a changed rules file (or rules.d file) or recipient list file reloads, as SIGUSR1 does.
    FileWatch watch;
    if (config.watch) {
      std::vector<std::string> watched;
      for (const std::string* path : directory::file_sources(config)) watched.push_back(*path);
      // libmilter's thread is already waiting to start, so a failure here is logged, not fatal: reloads
      // then come from SIGUSR1 and ldap-refresh only.
      if (const Error error = watch.start(watched, [&reloads] { reloads.request(); }); error) {
        log.log(LogLevel::error, "NOQUEUE: watch: " + error.message() + "; files are not watched");
      }
    }
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    unblocked.set_value();
    notify_ready(loaded_summary(store));
    signal_loop(reloads, log, config.socket);
  }  // a reload in progress finishes here
  milter.join();
  notify_stopping();
  log.log(LogLevel::notice, "NOQUEUE: stopping");
  if (const std::string path = socket_path(config.socket); !path.empty()) unlink(path.c_str());
  if (!config.pid_file.empty()) unlink(config.pid_file.c_str());
  return status == MI_SUCCESS || g_stop_requested.load() ? kExitOk : kExitOsError;
}

}  // namespace
}  // namespace rewrite::milter

int main(int argc, char** argv) {
  try {
    return rewrite::milter::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rewrite-milter: %s\n", e.what());
    return rewrite::milter::kExitSoftware;
  }
}
