// SPDX-License-Identifier: BSD-2-Clause
// test_classify.cpp: internal-hosts CIDR parsing and matching (IPv4, IPv6, mapped), and the outbound /
// inbound decision with its reason.
#include <catch2/catch.hpp>

#include "classify.h"

namespace rewrite::milter {
namespace {

// Parses a network that the test requires to be valid.
Cidr net(const std::string& text) {
  auto network = parse_cidr(text);
  INFO(network.error().message());
  REQUIRE(network);
  return *network;
}

// True when text (an address) lies in network (a CIDR).
bool in(const std::string& network, const std::string& address) {
  const auto ip = parse_ip(address);
  REQUIRE(ip);
  return cidr_contains(net(network), *ip);
}

TEST_CASE("CIDR parsing rejects malformed networks with a reason", "[classify]") {
  for (const std::string bad : {"10.0.0.0/33", "::/129", "10.1.0.0/8", "10.0.0/8", "hostname", "10.0.0.0/",
                                "10.0.0.0/x", "fe80::1/64", ""}) {
    const auto network = parse_cidr(bad);
    CHECK_FALSE(network);
    CHECK_FALSE(network.error().message().empty());
  }
  CHECK(net("192.0.2.7").prefix == 32);
  CHECK(net("2001:db8::/32").prefix == 32);
  CHECK(net("0.0.0.0/0").prefix == 0);
}

TEST_CASE("IPv4 and IPv6 membership", "[classify]") {
  CHECK(in("10.0.0.0/8", "10.255.1.2"));
  CHECK_FALSE(in("10.0.0.0/8", "11.0.0.1"));
  CHECK(in("192.168.4.0/22", "192.168.7.255"));
  CHECK_FALSE(in("192.168.4.0/22", "192.168.8.0"));
  CHECK(in("127.0.0.0/8", "127.0.0.1"));
  CHECK(in("2001:db8::/32", "2001:db8:ffff::1"));
  CHECK_FALSE(in("2001:db8::/32", "2001:db9::1"));
  CHECK(in("::1/128", "::1"));
  CHECK_FALSE(in("::1/128", "::2"));
  CHECK(in("0.0.0.0/0", "203.0.113.9"));
  SECTION("IPv4-mapped IPv6 matches IPv4 networks, not the other way round") {
    CHECK(in("10.0.0.0/8", "::ffff:10.1.2.3"));
    CHECK_FALSE(in("10.0.0.0/8", "::ffff:11.1.2.3"));
    CHECK_FALSE(in("::ffff:0:0/96", "10.1.2.3"));
    CHECK_FALSE(in("::/0", "10.1.2.3"));
  }
}

struct Fixture {
  ClassifySettings settings;
  Fixture() {
    settings.internal_hosts = {net("127.0.0.0/8"), net("::1/128"), net("10.0.0.0/8"), net("2001:db8:1::/48")};
    settings.outbound_daemon_names = {"ORIGINATING", "submission"};
  }
  Classification of(const ClientInfo& client, const std::string& auth = "", const std::string& daemon = "") const {
    return classify(client, auth, daemon, settings);
  }
};

using F = ClientInfo::Family;

TEST_CASE("classification: internal hosts by address", "[classify]") {
  Fixture f;
  const Classification v4 = f.of({F::inet, "ws1", "10.20.30.40", 5123});
  CHECK(v4.direction == Direction::outbound);
  CHECK(v4.reason == "client address 10.20.30.40 is in internal hosts 10.0.0.0/8");
  CHECK(f.of({F::inet6, "ws6", "2001:db8:1:2::5", 5123}).direction == Direction::outbound);
  CHECK(f.of({F::inet6, "ws6", "::1", 5123}).direction == Direction::outbound);
  CHECK(f.of({F::inet6, "mapped", "::ffff:10.0.0.9", 5123}).direction == Direction::outbound);
  const Classification outside = f.of({F::inet, "mx.example.net", "192.0.2.1", 40000});
  CHECK(outside.direction == Direction::inbound);
  CHECK(outside.reason.find("mx.example.net[192.0.2.1]") != std::string::npos);
  CHECK(f.of({F::inet6, "mx6", "2001:db8:2::1", 40000}).direction == Direction::inbound);
}

TEST_CASE("classification: authentication and daemon names", "[classify]") {
  Fixture f;
  const ClientInfo outside{F::inet, "dsl.example.net", "198.51.100.7", 40000};
  const Classification auth = f.of(outside, "alice");
  CHECK(auth.direction == Direction::outbound);
  CHECK(auth.reason == "client authenticated as alice");
  const Classification daemon = f.of(outside, "", "Submission");
  CHECK(daemon.direction == Direction::outbound);
  CHECK(daemon.reason.find("daemon name Submission") != std::string::npos);
  CHECK(f.of(outside, "", "smtpd").direction == Direction::inbound);
  CHECK(f.of(outside, "", "").direction == Direction::inbound);
}

TEST_CASE("classification: local submissions without SMTP are outbound", "[classify]") {
  Fixture f;
  f.settings.internal_hosts.clear();
  SECTION("Postfix non_smtpd_milters: localhost, 127.0.0.1, port 0") {
    const ClientInfo postfix{F::inet, "localhost", "127.0.0.1", 0};
    CHECK(is_postfix_non_smtp(postfix));
    const Classification c = f.of(postfix);
    CHECK(c.direction == Direction::outbound);
    CHECK(c.reason.find("Postfix non-SMTP") != std::string::npos);
  }
  SECTION("a real TCP client from 127.0.0.1 has a port and is not a local submission") {
    const ClientInfo tcp{F::inet, "localhost", "127.0.0.1", 42424};
    CHECK_FALSE(is_postfix_non_smtp(tcp));
    CHECK(f.of(tcp).direction == Direction::inbound);
  }
  SECTION("Sendmail local submission: no address") {
    CHECK(f.of({F::none, "localhost", "", 0}).direction == Direction::outbound);
  }
  SECTION("Unix-domain peer") {
    CHECK(f.of({F::local, "localhost", "", 0}).direction == Direction::outbound);
  }
}

}  // namespace
}  // namespace rewrite::milter
