// SPDX-License-Identifier: BSD-2-Clause
/* floor-milter.c: a filter that does nothing and speaks the milter protocol without libmilter: one
 * thread, poll() over every connection, one read() per burst of packets. It negotiates exactly like
 * rewrite-milter (same actions, skipped events, no-reply flags and macro lists, plus no reply at
 * RCPT). bench/postfix-throughput compiles it for its `floor-milter` configuration: what a milter
 * costs Postfix itself when the filter side costs next to nothing. Measurement only; it is not part
 * of the product and handles just what Postfix sends it in the benchmark.
 * Usage: floor-milter -s unix:/path [other arguments are ignored]. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Protocol constants (libmilter's mfdef.h values, spelled out so no libmilter header is needed). */
enum {
  kVersion = 6,
  kActChgFrom = 0x40, kActAddRcptPar = 0x80, kActDelRcpt = 0x08, kActChgHdrs = 0x10, kActSetSymList = 0x100,
  kNoHelo = 0x2, kNoBody = 0x10, kNoEoh = 0x40, kNrHdr = 0x80, kNoUnknown = 0x100, kNoData = 0x200,
  kNrConn = 0x1000, kNrHelo = 0x2000, kNrMail = 0x4000, kNrRcpt = 0x8000, kNrData = 0x10000,
  kNrUnkn = 0x20000, kNrEoh = 0x40000, kNrBody = 0x80000, kHdrLeadSpc = 0x100000,
};
static const uint32_t kActions = kActChgFrom | kActAddRcptPar | kActDelRcpt | kActChgHdrs;
static const uint32_t kProtocol = kNoHelo | kNoUnknown | kNoData | kNoBody | kNoEoh | kNrConn | kNrMail | kNrHdr |
                                  kNrHelo | kNrData | kNrUnkn | kNrEoh | kNrBody | kHdrLeadSpc | kNrRcpt;

#define MAX_CONNECTIONS 1024
#define MAX_PACKET 65536

struct connection {
  int fd;
  uint32_t protocol; /* negotiated SMFIP_* flags */
  size_t used;
  unsigned char buffer[MAX_PACKET + 8];
};

static void put32(unsigned char **at, uint32_t value) {
  value = htonl(value);
  memcpy(*at, &value, 4);
  *at += 4;
}

/* Writes one reply packet; -1 on failure. */
static int reply(int fd, char command, const unsigned char *data, uint32_t size) {
  unsigned char packet[512];
  unsigned char *at = packet;
  put32(&at, size + 1);
  *at++ = (unsigned char)command;
  if (size > 0) memcpy(at, data, size);
  return write(fd, packet, size + 5) == (ssize_t)(size + 5) ? 0 : -1;
}

/* The option negotiation answer, with the same macro lists as rewrite-milter. */
static int negotiate(struct connection *c, const unsigned char *data, uint32_t size) {
  static const struct { uint32_t stage; const char *names; } lists[] = {
      {0, "{daemon_name}"}, {2, "{auth_authen} {daemon_name} {i}"}, {3, "{i}"}, {5, "{i}"}};
  uint32_t offered[3];
  unsigned char answer[400];
  unsigned char *at = answer;
  if (size < 12) return -1;
  memcpy(offered, data, 12);
  const uint32_t actions = ntohl(offered[1]);
  c->protocol = kProtocol & ntohl(offered[2]);
  const int symlists = (actions & kActSetSymList) != 0;
  put32(&at, kVersion);
  put32(&at, (kActions & actions) | (symlists ? kActSetSymList : 0));
  put32(&at, c->protocol);
  for (size_t i = 0; symlists && i < sizeof lists / sizeof lists[0]; ++i) {
    put32(&at, lists[i].stage);
    const size_t length = strlen(lists[i].names) + 1;
    memcpy(at, lists[i].names, length);
    at += length;
  }
  return reply(c->fd, 'O', answer, (uint32_t)(at - answer));
}

/* Handles one packet: answers "continue" where the negotiation leaves a reply due; -1 closes. */
static int handle(struct connection *c, char command, const unsigned char *data, uint32_t size) {
  uint32_t no_reply = 0;
  switch (command) {
    case 'O': return negotiate(c, data, size);
    case 'Q': return -1;
    case 'D': case 'A': return 0; /* macros and abort never get a reply */
    case 'E': return reply(c->fd, 'c', NULL, 0);
    case 'C': no_reply = kNrConn; break;
    case 'H': no_reply = kNrHelo; break;
    case 'M': no_reply = kNrMail; break;
    case 'R': no_reply = kNrRcpt; break;
    case 'T': no_reply = kNrData; break;
    case 'U': no_reply = kNrUnkn; break;
    case 'L': no_reply = kNrHdr; break;
    case 'N': no_reply = kNrEoh; break;
    case 'B': no_reply = kNrBody; break;
    default: return -1;
  }
  return (c->protocol & no_reply) ? 0 : reply(c->fd, 'c', NULL, 0);
}

/* Reads what is there and handles every complete packet; -1 when the connection is done. */
static int serve(struct connection *c) {
  const ssize_t got = read(c->fd, c->buffer + c->used, sizeof c->buffer - c->used);
  if (got <= 0) return -1;
  c->used += (size_t)got;
  size_t at = 0;
  while (c->used - at >= 5) {
    uint32_t length;
    memcpy(&length, c->buffer + at, 4);
    length = ntohl(length);
    if (length == 0 || length > MAX_PACKET) return -1;
    if (c->used - at < 4 + (size_t)length) break;
    if (handle(c, (char)c->buffer[at + 4], c->buffer + at + 5, length - 1) != 0) return -1;
    at += 4 + (size_t)length;
  }
  memmove(c->buffer, c->buffer + at, c->used - at);
  c->used -= at;
  return 0;
}

int main(int argc, char **argv) {
  const char *spec = NULL;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "-s") == 0) spec = argv[i + 1];
  }
  if (spec == NULL || strncmp(spec, "unix:", 5) != 0) return 2;
  struct sockaddr_un address;
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  strncpy(address.sun_path, spec + 5, sizeof address.sun_path - 1);
  umask(0); /* the socket must be writable by the Postfix daemons' user */
  unlink(address.sun_path);
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0)
    return 1;
  static struct pollfd polled[MAX_CONNECTIONS];
  static struct connection *connections[MAX_CONNECTIONS];
  int count = 1;
  polled[0].fd = listener;
  polled[0].events = POLLIN;
  for (;;) {
    if (poll(polled, (nfds_t)count, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (polled[0].revents & POLLIN) {
      const int fd = accept(listener, NULL, NULL);
      struct connection *c = fd >= 0 && count < MAX_CONNECTIONS ? calloc(1, sizeof *c) : NULL;
      if (c == NULL) {
        if (fd >= 0) close(fd);
      } else {
        c->fd = fd;
        connections[count] = c;
        polled[count].fd = fd;
        polled[count].events = POLLIN;
        polled[count].revents = 0;
        ++count;
      }
    }
    for (int i = 1; i < count; ++i) {
      if (polled[i].revents == 0) continue;
      polled[i].revents = 0;
      if (serve(connections[i]) == 0) continue;
      close(connections[i]->fd);
      free(connections[i]);
      --count; /* move the last connection here and look at it again */
      connections[i] = connections[count];
      polled[i] = polled[count];
      --i;
    }
  }
}
