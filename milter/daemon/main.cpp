// main.cpp: rewrite-milter(8) entry point: reads the configuration, loads the rules, opens the milter
// socket, detaches and drops privileges, reloads the rules on SIGUSR1 from a dedicated thread, and hands
// the connection handling to libmilter. (libmilter's own signal thread stops the milter on SIGHUP,
// SIGTERM and SIGINT.)
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "config.h"
#include "logger.h"
#include "milter_callbacks.h"
#include "process.h"
#include "rewrite/header_rewriter.h"
#include "rule_store.h"
#include "startup.h"

#ifndef REWRITE_VERSION
#define REWRITE_VERSION "unknown"
#endif

namespace rewrite::milter {
namespace {

constexpr int kExitOsError = 71;  // EX_OSERR

std::atomic<bool> g_stopping{false};

// Returns the "N rules from FILE" summary of what is in force, with the shared space's list sizes.
std::string loaded_summary(const RuleStore& store) {
  const RuleSnapshot snapshot = store.snapshot();
  std::string text = std::to_string(snapshot.table->rules().size()) + " rules loaded from " + store.path();
  if (snapshot.space) {
    text += ", shared space " + snapshot.space->settings().shared_domain + ": " +
            std::to_string(snapshot.space->local_count()) + " local and " +
            std::to_string(snapshot.space->cloud_count()) + " cloud recipients";
  }
  return text;
}

// Waits for SIGUSR1 (blocked in every thread) and reloads the rules and recipient lists, all or nothing.
void reload_loop(RuleStore& store, Logger& log) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    if (g_stopping.load()) return;
    const std::vector<ConfigError> errors = store.reload();
    if (errors.empty()) {
      log.log(LogLevel::notice, "NOQUEUE: reload: " + loaded_summary(store));
      continue;
    }
    for (const ConfigError& error : errors) log.log(LogLevel::error, "NOQUEUE: reload: " + error.to_string());
    log.log(LogLevel::error, "NOQUEUE: reload failed: keeping the previous rules and recipient lists");
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
  DaemonConfig config = outcome.config;
  // The daemon changes to / when it detaches: make the paths it uses later absolute now.
  config.rules_file = absolute_path(config.rules_file);
  if (!config.pid_file.empty()) config.pid_file = absolute_path(config.pid_file);
  if (config.shared_space) {
    for (std::string* list : {&config.shared_space->local_recipients, &config.shared_space->cloud_recipients}) {
      if (!list->empty()) *list = absolute_path(*list);
    }
  }
  if (!outcome.errors.empty()) {
    for (const ConfigError& error : outcome.errors) std::cerr << error.to_string() << '\n';
    return kExitConfig;
  }
  SyslogLogger log(config.verbosity, config.foreground);
  RuleStore store(config.rules_file);
  SessionSettings settings;
  const std::vector<ConfigError> errors = prepare(config, store, settings);
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
  if (std::string error = chown_socket(config.socket, config.user, config.group); !error.empty()) {
    log.log(LogLevel::error, "NOQUEUE: " + error);
    return kExitOsError;
  }
  if (!config.foreground) {
    if (std::string error = daemonize(); !error.empty()) {
      log.log(LogLevel::error, "NOQUEUE: " + error);
      return kExitOsError;
    }
  }
  if (!config.pid_file.empty()) {
    if (std::string error = write_pid_file(config.pid_file); !error.empty()) {
      log.log(LogLevel::error, "NOQUEUE: " + error);
      return kExitOsError;
    }
  }
  if (std::string error = drop_privileges(config.user, config.group); !error.empty()) {
    log.log(LogLevel::error, "NOQUEUE: " + error);
    return kExitOsError;
  }

  // Blocked before any thread exists, so every thread inherits the mask: SIGUSR1 reaches only the reload
  // thread (sigwait), SIGHUP, SIGTERM and SIGINT only libmilter's signal thread, which stops smfi_main.
  sigset_t blocked;
  sigemptyset(&blocked);
  for (const int signal : {SIGUSR1, SIGHUP, SIGTERM, SIGINT}) sigaddset(&blocked, signal);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  std::thread reloader(reload_loop, std::ref(store), std::ref(log));

  log.log(LogLevel::notice, "NOQUEUE: starting: " + loaded_summary(store) + ", socket " + config.socket);
  const int status = smfi_main();
  log.log(LogLevel::notice, "NOQUEUE: stopping");

  g_stopping.store(true);
  pthread_kill(reloader.native_handle(), SIGUSR1);
  reloader.join();
  if (const std::string path = socket_path(config.socket); !path.empty()) unlink(path.c_str());
  if (!config.pid_file.empty()) unlink(config.pid_file.c_str());
  return status == MI_SUCCESS ? kExitOk : kExitOsError;
}

}  // namespace
}  // namespace rewrite::milter

int main(int argc, char** argv) {
  try {
    return rewrite::milter::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rewrite-milter: %s\n", e.what());
    return 70;  // EX_SOFTWARE
  }
}
