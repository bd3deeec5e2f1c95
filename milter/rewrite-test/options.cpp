// SPDX-License-Identifier: BSD-2-Clause
// options.cpp: parsing rewrite-test's command line (see options.h).
#include "options.h"

#include "setting_keys.h"

#include <boost/program_options.hpp>
#include <sstream>

namespace rewrite::tool {
namespace po = boost::program_options;
namespace {

using Strings = std::vector<std::string>;

// Returns the description of every option, grouped for --help. The settings shared with the daemon
// (rules, header lists, the shared address space) come from its table of keys, help text included.
po::options_description describe_options() {
  po::options_description general("General options");
  general.add_options()
    ("help,h", "print this help and exit")
    ("version,V", "print the version and exit");
  milter::add_setting_options(general, milter::kToolOption, "general");
  general.add_options()
    ("format", po::value<std::string>()->value_name("FORMAT"),
     "rules file format: detect (default), native or csv");
  po::options_description address("Rewrite one address");
  address.add_options()
    ("outbound", po::value<Strings>()->value_name("ADDR")->implicit_value(Strings{""}, "")->composing(),
     "rewrite ADDR as a sender of outbound mail and explain the decision; with --message, treat "
     "the message as outbound (the default)")
    ("inbound", po::value<Strings>()->value_name("ADDR")->implicit_value(Strings{""}, "")->composing(),
     "rewrite ADDR as a recipient of inbound mail and explain the decision; with --message, treat "
     "the message as inbound");
  po::options_description message("Rewrite a message (settings given here win over -c)");
  message.add_options()
    ("message", po::value<std::string>()->value_name("FILE"),
     "rewrite the message in FILE (- for standard input) and print it")
    ("mail-from", po::value<std::string>()->value_name("ADDR"),
     "envelope sender (default: the null sender <>)")
    ("rcpt", po::value<Strings>()->value_name("ADDR")->composing(),
     "envelope recipient (repeatable)")
    ("diff", "print a unified diff of the envelope and header changes instead of the message");
  milter::add_setting_options(message, milter::kToolOption, "message");
  po::options_description check("Test a rule table");
  check.add_options()
    ("cases", po::value<std::string>()->value_name("FILE"),
     "run the expected cases in FILE (`outbound|inbound INPUT EXPECTED` lines)")
    ("check-addresses", po::value<std::string>()->value_name("FILE"),
     "check the rules against the organisation's addresses in FILE (one mailbox per line)")
    ("compare", po::value<std::string>()->value_name("NEW-RULES"),
     "print every address and message whose result differs between RULES and NEW-RULES, and the new rules "
     "that fire for none of them; exit 1 when anything differs")
    ("addresses", po::value<Strings>()->value_name("FILE")->composing(),
     "with --compare: an address list (as --check-addresses reads it), each address in both directions")
    ("messages", po::value<Strings>()->value_name("PATH")->composing(),
     "with --compare: a message file, or a directory of them (such as `postcat -bh` output), with "
     "--mail-from, --rcpt and --inbound as for --message");
  po::options_description shared("rewrite-milter's configuration and the shared address space "
                                 "(as rewrite-milter.conf(5); -c also supplies the header lists, "
                                 "signed-headers and, unless -r is given, the rules file)");
  milter::add_setting_options(shared, milter::kToolOption, "shared");
  po::options_description all;
  all.add(general).add(address).add(message).add(check).add(shared);
  return all;
}

// Returns the help text: usage lines and the option descriptions.
std::string help_text(const po::options_description& description) {
  std::ostringstream out;
  out << "Usage: rewrite-test -r RULES --outbound ADDR | --inbound ADDR\n"
         "       rewrite-test -c rewrite-milter.conf --inbound ADDR   (with the shared address space)\n"
         "       rewrite-test -r RULES --message FILE [--outbound|--inbound] [--mail-from ADDR]\n"
         "                    [--rcpt ADDR]... [--diff]\n"
         "       rewrite-test -r RULES --cases FILE\n"
         "       rewrite-test -r RULES --check-addresses FILE\n"
         "       rewrite-test -r RULES --compare NEW-RULES [--addresses FILE]... [--messages PATH]...\n"
         "Test address rewriting rules offline, exactly as rewrite-milter applies them.\n\n"
      << description
      << "\nExit status: 0 ok, 1 case mismatch, finding or difference, 64 usage error, 78 rules or input file\nerrors.\n";
  return out.str();
}

// Returns true when any of the values is non-empty (an address was given).
bool any_value(const Strings& values) {
  for (const std::string& value : values) {
    if (!value.empty()) {
      return true;
    }
  }
  return false;
}

// Fills options from the parsed variables; returns a usage error or "".
std::string interpret(const po::variables_map& vm, Options& options) {
  if (vm.count("help")) {
    options.mode = Mode::help;
    return "";
  }
  if (vm.count("version")) {
    options.mode = Mode::version;
    return "";
  }
  const Strings outbound = vm.count("outbound") ? vm["outbound"].as<Strings>() : Strings{};
  const Strings inbound = vm.count("inbound") ? vm["inbound"].as<Strings>() : Strings{};
  const int modes = (vm.count("message") ? 1 : 0) + (vm.count("cases") ? 1 : 0) +
                    (vm.count("check-addresses") ? 1 : 0) + (vm.count("compare") ? 1 : 0);
  if (modes > 1) {
    return "--message, --cases, --check-addresses and --compare exclude each other";
  }
  if (!vm.count("compare") && (vm.count("addresses") || vm.count("messages"))) {
    return "--addresses and --messages need --compare";
  }
  if (vm.count("compare")) {
    options.mode = Mode::compare;
    options.compare_rules = vm["compare"].as<std::string>();
    if (vm.count("addresses")) options.compare_addresses = vm["addresses"].as<Strings>();
    if (vm.count("messages")) options.compare_messages = vm["messages"].as<Strings>();
    if (options.compare_addresses.empty() && options.compare_messages.empty()) {
      return "--compare needs inputs: --addresses FILE or --messages PATH";
    }
    if (any_value(outbound) || any_value(inbound)) {
      return "with --compare, --outbound and --inbound take no address (they give the messages' direction)";
    }
    if (!outbound.empty() && !inbound.empty()) {
      return "messages are either --outbound or --inbound, not both";
    }
    options.inbound_message = !inbound.empty();
    if (vm.count("diff")) return "--diff needs --message";
  } else if (vm.count("message")) {
    options.mode = Mode::message;
    options.message_file = vm["message"].as<std::string>();
    if (any_value(outbound) || any_value(inbound)) {
      return "with --message, --outbound and --inbound take no address (use --mail-from and --rcpt)";
    }
    if (!outbound.empty() && !inbound.empty()) {
      return "a message is either --outbound or --inbound, not both";
    }
    options.inbound_message = !inbound.empty();
  } else {
    for (const char* name : {"mail-from", "rcpt", "diff", "outbound-headers", "inbound-headers",
                             "signed-headers"}) {
      if (vm.count(name)) {
        return std::string("--") + name + " needs --message";
      }
    }
    if (modes == 1 && (!outbound.empty() || !inbound.empty())) {
      return "--outbound and --inbound cannot be combined with --cases or --check-addresses";
    }
    if (vm.count("cases")) {
      options.mode = Mode::cases;
      options.cases_file = vm["cases"].as<std::string>();
    } else if (vm.count("check-addresses")) {
      options.mode = Mode::check;
      options.address_list = vm["check-addresses"].as<std::string>();
    } else if (!outbound.empty() || !inbound.empty()) {
      for (const Strings* values : {&outbound, &inbound}) {
        for (const std::string& value : *values) {
          if (value.empty()) {
            return "--outbound and --inbound need an address (or --message)";
          }
        }
      }
      options.mode = Mode::address;
      options.outbound_addresses = outbound;
      options.inbound_addresses = inbound;
    } else {
      return "nothing to do: give --outbound, --inbound, --message, --cases or --check-addresses";
    }
  }
  // The daemon's settings given here, passed to its reader as a command line over -c.
  for (const milter::SettingKey& key : milter::setting_keys()) {
    if ((key.offered & milter::kToolOption) == 0 || !vm.count(key.name)) continue;
    if (key.name == "config") {
      options.config_file = vm[key.name].as<std::string>();
    } else if (key.list) {
      std::string joined;
      for (const std::string& value : vm[key.name].as<Strings>()) joined += (joined.empty() ? "" : ",") + value;
      options.settings[key.name] = joined;
    } else {
      options.settings[key.name] = vm[key.name].as<std::string>();
    }
  }
  if (!options.settings.count("rules") && options.config_file.empty()) {
    return "a rules file is required (-r FILE, or -c FILE naming one)";
  }
  if (vm.count("format")) {
    options.rules_format = vm["format"].as<std::string>();
    if (options.rules_format != "detect" && options.rules_format != "native" &&
        options.rules_format != "csv") {
      return "--format must be detect, native or csv, not " + options.rules_format;
    }
  }
  if (vm.count("mail-from")) {
    options.mail_from = vm["mail-from"].as<std::string>();
  }
  if (vm.count("rcpt")) {
    options.recipients = vm["rcpt"].as<Strings>();
  }
  options.diff = vm.count("diff") > 0;
  return "";
}

}  // namespace

ParsedOptions parse_options(int argc, const char* const argv[]) {
  ParsedOptions parsed;
  const po::options_description description = describe_options();
  parsed.options.help_text = help_text(description);
  po::variables_map vm;
  try {
    const po::parsed_options options = po::command_line_parser(argc, argv).options(description).run();
    const Strings extra = po::collect_unrecognized(options.options, po::include_positional);
    if (!extra.empty()) {
      parsed.error = "unexpected argument '" + extra.front() + "'";
      return parsed;
    }
    po::store(options, vm);
    po::notify(vm);
  } catch (const std::exception& error) {
    parsed.error = error.what();
    return parsed;
  }
  parsed.error = interpret(vm, parsed.options);
  return parsed;
}

}  // namespace rewrite::tool
