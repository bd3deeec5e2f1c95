// SPDX-License-Identifier: BSD-2-Clause
// milter_callbacks.cpp: libmilter callbacks over Session, and smfi_* based MtaActions
// (see milter_callbacks.h).
#include "milter_callbacks.h"

#include <arpa/inet.h>
#include <libmilter/mfdef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <limits>
#include <string>
#include <vector>

namespace rewrite::milter {

namespace {

MilterGlobals g_globals;

// The actions we need: envelope sender and recipient changes, header changes.
constexpr unsigned long kRequiredActions = SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR | SMFIF_DELRCPT | SMFIF_CHGHDRS;

// Returns the actions to ask for: the shared address space also adds its trace header.
unsigned long required_actions() {
  const bool shared = g_globals.rules != nullptr && g_globals.rules->shared_space_enabled();
  return kRequiredActions | (shared ? SMFIF_ADDHDRS : 0);
}

// Steps we skip, stages at which we never answer, and byte-exact header values: taken where offered.
// SMFIP_NR_RCPT is added only without the shared address space, which refuses unknown recipients with
// 550 5.1.1 at RCPT; a failure at RCPT then waits for end of message like one at MAIL.
constexpr unsigned long kWantedProtocol = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NOBODY |
                                          SMFIP_NOEOH | SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR |
                                          SMFIP_NR_HELO | SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_EOH |
                                          SMFIP_NR_BODY | SMFIP_HDR_LEADSPC;

// Returns the protocol flags to ask for: no reply at RCPT either unless the shared space may refuse there.
unsigned long wanted_protocol() {
  const bool shared = g_globals.rules != nullptr && g_globals.rules->shared_space_enabled();
  return kWantedProtocol | (shared ? 0 : SMFIP_NR_RCPT);
}

// Messages between MAIL FROM and their end (end of message, abort or the connection closing).
std::atomic<int> g_messages_in_progress{0};

// Per-connection state hung on the libmilter context.
struct Connection {
  Connection() : session(*g_globals.settings, *g_globals.rules, *g_globals.log) {}
  ~Connection() { end_message(); }

  // Counts the message that MAIL FROM starts (once, however often MAIL is repeated).
  void begin_message() {
    if (!in_message) g_messages_in_progress.fetch_add(1);
    in_message = true;
  }

  // Uncounts the message in progress, if any.
  void end_message() {
    if (in_message) g_messages_in_progress.fetch_sub(1);
    in_message = false;
  }

  Session session;
  unsigned long protocol = 0;  // the negotiated SMFIP_* flags
  bool in_message = false;     // counted in g_messages_in_progress
};

// Returns the connection of ctx, creating it if negotiation did not (older MTAs).
Connection* connection_of(SMFICTX* ctx) {
  auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
  if (connection == nullptr) {
    connection = new Connection();
    if (smfi_setpriv(ctx, connection) != MI_SUCCESS) {
      delete connection;
      return nullptr;
    }
  }
  return connection;
}

// Returns a macro's value, "" when unset.
std::string macro(SMFICTX* ctx, const char* name) {
  const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
  return value != nullptr ? value : "";
}

// Maps the configured failure action to a libmilter status (used when the session itself is unusable).
sfsistat failure_status() {
  switch (g_globals.settings->on_failure) {
    case FailureAction::accept: return SMFIS_ACCEPT;
    case FailureAction::reject: return SMFIS_REJECT;
    case FailureAction::tempfail: break;
  }
  return SMFIS_TEMPFAIL;
}

// Converts a session reply to a libmilter status; no_reply_flag is the SMFIP_NR_* bit of the stage.
sfsistat to_status(SMFICTX* ctx, const Reply& reply, const Connection* connection, unsigned long no_reply_flag) {
  if (connection != nullptr && (connection->protocol & no_reply_flag) != 0) return SMFIS_NOREPLY;
  switch (reply.verdict) {
    case Verdict::proceed: return SMFIS_CONTINUE;
    case Verdict::accept: return SMFIS_ACCEPT;
    case Verdict::reject:
    case Verdict::tempfail:
      if (!reply.code.empty()) {
        smfi_setreply(ctx, const_cast<char*>(reply.code.c_str()), const_cast<char*>(reply.xcode.c_str()),
                      const_cast<char*>(reply.text.c_str()));
      }
      return reply.verdict == Verdict::reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
  }
  return SMFIS_CONTINUE;
}

// Returns SMFIS_REJECT: what negotiation answers when it fails (the MTA then does not use the milter
// for this connection and applies its milter default action).
sfsistat reject_status() { return SMFIS_REJECT; }

// Returns SMFIS_CONTINUE: after an abort there is nothing left to decide.
sfsistat continue_status() { return SMFIS_CONTINUE; }

// Logs an exception that escaped the session at stage (never throws itself).
void log_escaped(const char* stage, const char* what) noexcept {
  try {
    if (g_globals.log != nullptr) {
      g_globals.log->log(LogLevel::error, std::string("NOQUEUE: error: ") + stage + ": " + what);
    }
  } catch (...) {
    // Out of memory while logging: the failure action below still reaches the MTA.
  }
}

// Runs body, the work of one callback; an exception escaping it is logged and answered with on_error()
// (the configured failure action unless told otherwise). Nothing crosses the libmilter C boundary.
template <typename Body>
sfsistat guarded(const char* stage, Body&& body, sfsistat (*on_error)() = failure_status) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    log_escaped(stage, e.what());
  } catch (...) {
    log_escaped(stage, "unknown error");
  }
  return on_error();
}

// MtaActions over smfi_* for one end-of-message callback.
class LibmilterActions : public MtaActions {
 public:
  explicit LibmilterActions(SMFICTX* ctx) : ctx_(ctx) {}
  bool change_sender(const std::string& address, const std::string& args) override {
    return smfi_chgfrom(ctx_, const_cast<char*>(address.c_str()), optional(args)) == MI_SUCCESS;
  }
  bool delete_recipient(const std::string& address) override {
    return smfi_delrcpt(ctx_, const_cast<char*>(address.c_str())) == MI_SUCCESS;
  }
  bool add_recipient(const std::string& address, const std::string& args) override {
    return smfi_addrcpt_par(ctx_, const_cast<char*>(address.c_str()), optional(args)) == MI_SUCCESS;
  }
  bool change_header(const std::string& name, int index, const std::string& value) override {
    return smfi_chgheader(ctx_, const_cast<char*>(name.c_str()), index, const_cast<char*>(value.c_str())) ==
           MI_SUCCESS;
  }
  bool add_header(const std::string& name, const std::string& value) override {
    // Not smfi_addheader: Sendmail puts an added field before the first field of the same name, so a
    // trace field of another shared domain would end up after ours. An index past the last field
    // appends on both MTAs.
    return smfi_insheader(ctx_, std::numeric_limits<int>::max(), const_cast<char*>(name.c_str()),
                          const_cast<char*>(value.c_str())) == MI_SUCCESS;
  }

 private:
  // ESMTP arguments: NULL when there are none.
  static char* optional(const std::string& args) { return args.empty() ? nullptr : const_cast<char*>(args.c_str()); }
  SMFICTX* ctx_;
};

// Describes the client from libmilter's connect arguments.
ClientInfo client_info(const char* hostname, const _SOCK_ADDR* address) {
  ClientInfo client;
  client.hostname = hostname != nullptr ? hostname : "";
  if (address == nullptr) return client;
  char text[INET6_ADDRSTRLEN] = "";
  switch (address->sa_family) {
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(address);
      client.family = ClientInfo::Family::inet;
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      client.port = ntohs(in->sin_port);
      break;
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
      client.family = ClientInfo::Family::inet6;
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      client.port = ntohs(in6->sin6_port);
      break;
    }
    case AF_UNIX:
      client.family = ClientInfo::Family::local;
      break;
    default:
      break;
  }
  client.address = text;
  return client;
}

// Returns argv[1..] (ESMTP arguments) as strings.
std::vector<std::string> esmtp_args(char** argv) {
  std::vector<std::string> args;
  if (argv == nullptr || argv[0] == nullptr) return args;
  for (char** arg = argv + 1; *arg != nullptr; ++arg) args.emplace_back(*arg);
  return args;
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long protocol, unsigned long,
                                 unsigned long, unsigned long* want_actions, unsigned long* want_protocol,
                                 unsigned long* want_2, unsigned long* want_3) {
  // Takes only what we need; a connection whose MTA cannot change the envelope is not filtered.
  return guarded("negotiate", [&] {
    const unsigned long required = required_actions();
    if ((actions & required) != required) {
      g_globals.log->log(LogLevel::error, "NOQUEUE: error: MTA does not offer the envelope and header change "
                                          "actions; not filtering this connection");
      return SMFIS_REJECT;
    }
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return SMFIS_REJECT;
    *want_actions = required;
    connection->protocol = protocol & wanted_protocol();
    *want_protocol = connection->protocol;
    *want_2 = 0;
    *want_3 = 0;
    if ((actions & SMFIF_SETSYMLIST) != 0) {
      *want_actions |= SMFIF_SETSYMLIST;
      smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{daemon_name}"));
      smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("{auth_authen} {daemon_name} {i}"));
      smfi_setsymlist(ctx, SMFIM_ENVRCPT, const_cast<char*>("{i}"));
      smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("{i}"));
    }
    connection->session.set_header_leading_space((connection->protocol & SMFIP_HDR_LEADSPC) != 0);
    return SMFIS_CONTINUE;
  }, reject_status);
}

sfsistat on_connect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* address) {
  return guarded("connect", [&] {
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return failure_status();
    const Reply reply = connection->session.connect(client_info(hostname, address), macro(ctx, "{daemon_name}"));
    return to_status(ctx, reply, connection, SMFIP_NR_CONN);
  });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return guarded("MAIL FROM", [&] {
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return failure_status();
    connection->begin_message();
    MailEvent event;
    event.sender = argv != nullptr && argv[0] != nullptr ? argv[0] : "";
    event.esmtp_args = esmtp_args(argv);
    event.auth_authen = macro(ctx, "{auth_authen}");
    event.daemon_name = macro(ctx, "{daemon_name}");
    event.queue_id = macro(ctx, "{i}");
    return to_status(ctx, connection->session.mail_from(event), connection, SMFIP_NR_MAIL);
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return guarded("RCPT TO", [&] {
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return failure_status();
    const std::string address = argv != nullptr && argv[0] != nullptr ? argv[0] : "";
    const Reply reply = connection->session.rcpt_to(address, esmtp_args(argv), macro(ctx, "{i}"));
    return to_status(ctx, reply, connection, SMFIP_NR_RCPT);
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return guarded("header", [&] {
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return failure_status();
    const Reply reply = connection->session.header(name != nullptr ? name : "", value != nullptr ? value : "");
    return to_status(ctx, reply, connection, SMFIP_NR_HDR);
  });
}

sfsistat on_eom(SMFICTX* ctx) {
  return guarded("end of message", [&] {
    Connection* connection = connection_of(ctx);
    if (connection == nullptr) return failure_status();
    LibmilterActions actions(ctx);
    const Reply reply = connection->session.end_of_message(macro(ctx, "{i}"), actions);
    connection->end_message();
    return to_status(ctx, reply, nullptr, 0);
  });
}

sfsistat on_abort(SMFICTX* ctx) {
  return guarded("abort", [&] {
    if (auto* connection = static_cast<Connection*>(smfi_getpriv(ctx))) {
      connection->end_message();
      connection->session.abort();
    }
    return SMFIS_CONTINUE;
  }, continue_status);
}

sfsistat on_close(SMFICTX* ctx) {
  // Frees the per-connection state.
  auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
  smfi_setpriv(ctx, nullptr);
  delete connection;
  return SMFIS_CONTINUE;
}

}  // namespace

void install_milter_globals(const MilterGlobals& globals) { g_globals = globals; }

int messages_in_progress() { return g_messages_in_progress.load(); }

smfiDesc make_filter_description() {
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("rewrite-milter");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = required_actions();
  desc.xxfi_connect = on_connect;
  desc.xxfi_envfrom = on_envfrom;
  desc.xxfi_envrcpt = on_envrcpt;
  desc.xxfi_header = on_header;
  desc.xxfi_eom = on_eom;
  desc.xxfi_abort = on_abort;
  desc.xxfi_close = on_close;
  desc.xxfi_negotiate = on_negotiate;
  return desc;
}

}  // namespace rewrite::milter
