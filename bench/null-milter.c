// SPDX-License-Identifier: BSD-2-Clause
/* null-milter.c: a libmilter filter that does nothing, negotiated exactly like rewrite-milter without
 * the shared address space (same actions, same skipped events and no-reply flags, RCPT included, same
 * macro lists), and answering SMFIS_NOREPLY wherever no reply was negotiated, as libmilter requires
 * (SMFIS_CONTINUE there makes libmilter log a complaint for every event). bench/postfix-throughput
 * compiles it for its `null-milter` configuration: the cost of the milter protocol itself, the floor
 * any libmilter-based filter pays, against which rewrite-milter's own work can be read.
 *
 * Compiled with -DNULL_MILTER_EDITS it is bench/postfix-throughput's `edit-milter`: at the end of each
 * message it makes the two edits rewrite-milter makes to the bench's message (envelope sender and From,
 * constant values) and logs the same two lines through syslog(3), with the queue id, as rewrite-milter
 * does. That is the I/O the job itself requires, without any parsing, lookup or planning: what is left
 * between it and rewrite-milter is rewrite-milter's own computation.
 * Usage: null-milter -s unix:/path [other arguments are ignored]. */
#include <libmilter/mfapi.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef NULL_MILTER_EDITS
#include <syslog.h>
#endif

static const unsigned long kActions = SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR | SMFIF_DELRCPT | SMFIF_CHGHDRS;
static const unsigned long kProtocol = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NOBODY | SMFIP_NOEOH |
                                       SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_HELO | SMFIP_NR_DATA |
                                       SMFIP_NR_UNKN | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NR_RCPT |
                                       SMFIP_HDR_LEADSPC;

/* What the MTA agreed to (the same for every connection of one MTA). */
static volatile unsigned long g_protocol;

/* SMFIS_NOREPLY when the stage's no-reply flag was negotiated, SMFIS_CONTINUE otherwise. */
static sfsistat no_reply(unsigned long flag) { return (g_protocol & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE; }

/* Negotiates the same steps and macros as rewrite-milter. */
static sfsistat on_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long protocol, unsigned long unused2,
                             unsigned long unused3, unsigned long *want_actions, unsigned long *want_protocol,
                             unsigned long *want2, unsigned long *want3) {
  (void)unused2;
  (void)unused3;
  *want_actions = kActions & actions;
  *want_protocol = kProtocol & protocol;
  g_protocol = *want_protocol;
  *want2 = 0;
  *want3 = 0;
  if (actions & SMFIF_SETSYMLIST) {
    *want_actions |= SMFIF_SETSYMLIST;
    smfi_setsymlist(ctx, SMFIM_CONNECT, "{daemon_name}");
    smfi_setsymlist(ctx, SMFIM_ENVFROM, "{auth_authen} {daemon_name} {i}");
    smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{i}");
    smfi_setsymlist(ctx, SMFIM_EOM, "{i}");
  }
  return SMFIS_CONTINUE;
}

/* Every event: nothing to do. */
static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr) {
  (void)ctx; (void)host; (void)addr;
  return no_reply(SMFIP_NR_CONN);
}
static sfsistat on_mail(SMFICTX *ctx, char **args) { (void)ctx; (void)args; return no_reply(SMFIP_NR_MAIL); }
static sfsistat on_rcpt(SMFICTX *ctx, char **args) { (void)ctx; (void)args; return no_reply(SMFIP_NR_RCPT); }
static sfsistat on_header(SMFICTX *ctx, char *name, char *value) {
  (void)ctx; (void)name; (void)value;
  return no_reply(SMFIP_NR_HDR);
}
#ifdef NULL_MILTER_EDITS
/* The bench message's two edits and change lines, the values fixed (the message is always the same). */
static sfsistat on_eom(SMFICTX *ctx) {
  const char *queue_id = smfi_getsymval(ctx, (char *)"i");
  if (queue_id == NULL) queue_id = "NOQUEUE";
  const char *from = (g_protocol & SMFIP_HDR_LEADSPC) ? " Alice Example <alice@contoso.com>"
                                                       : "Alice Example <alice@contoso.com>";
  if (smfi_chgfrom(ctx, (char *)"<alice@contoso.com>", NULL) != MI_SUCCESS ||
      smfi_chgheader(ctx, (char *)"From", 1, (char *)from) != MI_SUCCESS) {
    return SMFIS_TEMPFAIL;
  }
  syslog(LOG_INFO, "%s: from=<alice@sales.contoso.com> -> <alice@contoso.com> rule=flatten", queue_id);
  syslog(LOG_INFO, "%s: header=From <alice@sales.contoso.com> -> <alice@contoso.com> rule=flatten", queue_id);
  return SMFIS_CONTINUE;
}
#else
static sfsistat on_eom(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
#endif

/* Registers the filter on the -s socket and runs it until stopped. */
int main(int argc, char **argv) {
  const char *socket_spec = NULL;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "-s") == 0) socket_spec = argv[i + 1];
  }
  if (socket_spec == NULL || strncmp(socket_spec, "unix:", 5) != 0) return 2;
  struct smfiDesc desc;
  memset(&desc, 0, sizeof desc);
  desc.xxfi_name = (char *)"null-milter";
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = kActions;
  desc.xxfi_connect = on_connect;
  desc.xxfi_envfrom = on_mail;
  desc.xxfi_envrcpt = on_rcpt;
  desc.xxfi_header = on_header;
  desc.xxfi_eom = on_eom;
  desc.xxfi_negotiate = on_negotiate;
#ifdef NULL_MILTER_EDITS
  openlog("edit-milter", LOG_PID | LOG_NDELAY, LOG_MAIL); /* as rewrite-milter opens it */
#endif
  umask(0); /* the socket must be writable by the Postfix daemons' user */
  unlink(socket_spec + 5);
  if (smfi_setconn((char *)socket_spec) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) return 1;
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
