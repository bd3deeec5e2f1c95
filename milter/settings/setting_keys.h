// SPDX-License-Identifier: BSD-2-Clause
// setting_keys.h: every setting of rewrite-milter.conf(5), described once: its name (the long option
// and the file key), short option, value name, help text, default, which front end offers it on its
// command line, and the parser that stores it in DaemonConfig. The daemon's and rewrite-test's option
// descriptions and help texts are generated from this table, and defaults are applied from it, so no
// key, help text or default is written twice. Thread safety: the table is built once, then read only.
#pragma once

#include <boost/program_options/options_description.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/shared_space.h"

namespace rewrite::milter {

struct DaemonConfig;

// Where a setting's value came from.
struct Setting {
  std::string value;
  std::string file;  // configuration file path, kCommandLine, or kDefaultSource
  int line = 0;

  // Builds an error located at this setting ("file:line: key: reason", "command line: --key: reason").
  ConfigError error(const std::string& key, const std::string& reason) const;
  // Returns "file:line", "command line" or "default", for messages produced by other modules.
  std::string location() const;
};

inline constexpr const char* kCommandLine = "command line";
inline constexpr const char* kDefaultSource = "default";

// What the parsers fill: the configuration, and the shared space's settings, which become
// DaemonConfig::shared_space only when shared-domain is set and they are consistent.
struct SettingTarget {
  DaemonConfig& config;
  SharedSpaceSettings space;
};

// Which command lines offer a key (every key but the command-line-only ones may be set in the file).
enum Offer : unsigned { kDaemonOption = 1, kToolOption = 2, kBothOptions = 3 };

struct SettingKey {
  std::string name;            // long option and file key: "internal-hosts"
  char short_name = 0;         // 0: none
  std::string value_name;      // "LIST"; "" for a switch (foreground)
  std::string help;            // one line, without the default
  std::string default_value;   // applied through parse when the key is unset; "" for none
  unsigned offered = 0;        // Offer bits
  std::string group;           // help section of rewrite-test: "general", "message" or "shared"
  bool in_file = true;         // false: command line only (config)
  bool list = false;           // may be repeated on the command line; the values are joined with ','
  void (*parse)(const Setting& setting, SettingTarget& target, std::vector<ConfigError>& errors) = nullptr;
  bool empty_ok = false;       // an empty value ("") is a value, not a mistake
};

// Returns the table, in help order.
const std::vector<SettingKey>& setting_keys();

// Returns the key called name, or null.
const SettingKey* find_setting_key(std::string_view name);

// Adds the keys that offer (kDaemonOption or kToolOption) names, of the given help group (all groups
// when empty), to description, each with its help text and "(default ...)".
void add_setting_options(boost::program_options::options_description& description, Offer offer,
                         const std::string& group = "");

}  // namespace rewrite::milter
