// SPDX-License-Identifier: BSD-2-Clause
// bench_header.cpp: rewrite_header_value on a typical From, a 20-address To and a header that needs no
// change, against two baselines measured on the same values in the same run: a std::string copy and a
// plain GMime parse (internet_address_list_parse), the least a correct rewriter must do.
#include <benchmark/benchmark.h>
#include <gmime/gmime.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "rewrite/header_rewriter.h"
#include "rewrite/rule_table.h"

namespace {

// The seed's rules, plus partners: a realistic small table.
constexpr const char* kRules =
    "*.contoso.com             contoso.com  except=legal.contoso.com\n"
    "japan.sales.contoso.com   contoso.jp\n"
    "fourthcoffee.com          contoso.com\n"
    "support@contoso.com       support@wingtiptoys.com\n"
    "john@contoso.com          support@contoso.com  outbound-only\n";

const std::string kFrom = " \"Masato Kobayashi\" <masato@japan.sales.contoso.com>";

// Returns a To value of 20 addresses, five of them internal, folded as a mail client would.
std::string twenty_addresses() {
  std::string value;
  for (int i = 0; i < 20; ++i) {
    value += i == 0 ? " " : ",\n ";
    if (i % 4 == 0) {
      value += "\"Staff Member " + std::to_string(i) + "\" <staff" + std::to_string(i) + "@research.contoso.com>";
    } else if (i % 4 == 1) {
      value += "=?UTF-8?Q?J=C3=BCrgen_" + std::to_string(i) + "?= <j" + std::to_string(i) + "@fabrikam.example>";
    } else {
      value += "partner" + std::to_string(i) + "@example.net (Partner " + std::to_string(i) + ")";
    }
  }
  return value;
}

const std::string kTwenty = twenty_addresses();
const std::string kUnchanged = " \"Ana Trujillo\" <ana@fabrikam.example>, Sales <sales@example.net>";

// Returns the shared benchmark table.
const rewrite::RuleTable& table() {
  static const auto loaded = rewrite::RuleTable::parse(kRules, "<bench>", rewrite::RuleFormat::native);
  if (!loaded.ok()) {
    std::cerr << rewrite::format_errors(loaded.errors);
    std::abort();
  }
  return *loaded.table;
}

// Rewrites value each iteration; skips with an error if the status is not the expected one.
void rewrite_value(benchmark::State& state, const std::string* value, rewrite::HeaderRewrite::Status expected) {
  rewrite::initialize_gmime();
  if (rewrite::rewrite_header_value(*value, table(), rewrite::Direction::outbound).status != expected) {
    state.SkipWithError("unexpected rewrite status");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(rewrite::rewrite_header_value(*value, table(), rewrite::Direction::outbound));
  }
}

// Baseline: copies value into a new std::string each iteration.
void copy_value(benchmark::State& state, const std::string* value) {
  for (auto _ : state) {
    std::string copy = *value;
    benchmark::DoNotOptimize(copy.data());
  }
}

// Baseline: parses value with GMime and frees the list, nothing else (no warning callback, no scan).
void gmime_parse(benchmark::State& state, const std::string* value) {
  rewrite::initialize_gmime();
  for (auto _ : state) {
    InternetAddressList* list = internet_address_list_parse(nullptr, value->c_str());
    benchmark::DoNotOptimize(list);
    if (list) g_object_unref(list);
  }
}

using Status = rewrite::HeaderRewrite::Status;

}  // namespace

BENCHMARK_CAPTURE(copy_value, from, &kFrom);
BENCHMARK_CAPTURE(gmime_parse, from, &kFrom);
BENCHMARK_CAPTURE(rewrite_value, from, &kFrom, Status::changed);
BENCHMARK_CAPTURE(copy_value, to20, &kTwenty);
BENCHMARK_CAPTURE(gmime_parse, to20, &kTwenty);
BENCHMARK_CAPTURE(rewrite_value, to20, &kTwenty, Status::changed);
BENCHMARK_CAPTURE(copy_value, unchanged, &kUnchanged);
BENCHMARK_CAPTURE(gmime_parse, unchanged, &kUnchanged);
BENCHMARK_CAPTURE(rewrite_value, unchanged, &kUnchanged, Status::unchanged);
