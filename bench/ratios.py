#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ratios.py: reads Google Benchmark JSON files from bench_lookup, bench_header, bench_load, bench_metrics
and bench_session and prints each result as a ratio against its baseline from the same run (CPU time, so that other load on the
machine distorts less), next to the absolute figure the targets are stated in."""
import json
import re
import sys


def load_results(paths):
    """Returns {benchmark name: result} for every non-aggregate result in the given JSON files."""
    results = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for bench in json.load(handle)["benchmarks"]:
                if bench.get("run_type") == "aggregate" or bench.get("error_occurred"):
                    continue
                name = bench.get("run_name", bench["name"])
                results[re.sub(r"/iterations:\d+$", "", name)] = bench
    return results


def ns(bench):
    """Returns the CPU time of one iteration in nanoseconds."""
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[bench["time_unit"]]
    return bench["cpu_time"] * scale


def lookup_table(results):
    """Prints lookups per probe kind and table size, relative to the 10-rule table."""
    print("rule lookup (CPU ns per lookup; ratio to the same probe on a 10-rule table; target < 1000 ns at 1M and 10M)")
    for kind in ("address_hit", "domain_hit", "deep_wildcard", "miss", "inbound_hit"):
        base = results.get(f"lookup/{kind}/10")
        if not base:
            continue
        cells = []
        for size in (10, 10000, 1000000, 10000000):
            bench = results.get(f"lookup/{kind}/{size}")
            if bench:
                cells.append(f"{size:>8}: {ns(bench):7.0f} ns x{ns(bench) / ns(base):5.1f}")
        print(f"  {kind:<14}" + "   ".join(cells))


def header_table(results):
    """Prints header rewriting relative to a string copy and a plain GMime parse of the same value."""
    print("header rewrite (CPU ns; ratio to a std::string copy and to a plain GMime parse of the same value)")
    for value in ("from", "to20", "unchanged"):
        rewrite = results.get(f"rewrite_value/{value}")
        copy = results.get(f"copy_value/{value}")
        parse = results.get(f"gmime_parse/{value}")
        if not (rewrite and copy and parse):
            continue
        print(f"  {value:<10} rewrite {ns(rewrite):8.0f} ns   x{ns(rewrite) / ns(copy):6.1f} copy"
              f"   x{ns(rewrite) / ns(parse):4.2f} GMime parse ({ns(parse):.0f} ns)")


def load_table(results):
    """Prints load time and memory, relative to splitting the same text into lines."""
    print("table load (CPU; ratio to splitting the same text into lines; target 1M rules < 2 s, < 500 MB)")
    small = results.get("load/10000")
    for size in (10000, 100000, 1000000, 10000000):
        bench = results.get(f"load/{size}")
        base = results.get(f"split_lines_baseline/{size}")
        if not (bench and base):
            continue
        per_rule = ns(bench) / size
        scaling = f"   per rule x{per_rule / (ns(small) / 10000):4.2f} of 10k" if small and size != 10000 else ""
        print(f"  {size:>8} rules {ns(bench) / 1e9:6.2f} s  x{ns(bench) / ns(base):5.1f} line split"
              f"   {bench['rss_delta_MB']:7.1f} MB resident ({bench['bytes_per_rule']:.0f} B/rule, process peak {bench['peak_rss_MB']:.0f} MB){scaling}")


def metrics_table(results):
    """Prints the cost of counting a message, relative to deciding it without counting."""
    counted = results.get("end_of_message/counted")
    plain = results.get("end_of_message/uncounted")
    if not (counted and plain):
        return
    print("metrics (CPU ns per message through the engine; counted / uncounted in the same run)")
    print(f"  uncounted {ns(plain):8.0f} ns   counted {ns(counted):8.0f} ns   x{ns(counted) / ns(plain):5.3f}"
          f"   ({ns(counted) - ns(plain):+.0f} ns per message)")


def session_table(results):
    """Prints one message through the daemon's session, relative to rewriting one From value."""
    base = results.get("header")
    if not base:
        return
    print("session (CPU ns per message: connect, MAIL, RCPT, 7 fields, end of message; ratio to one From rewrite)")
    for name in ("rewritten", "untouched"):
        bench = results.get(f"message/{name}")
        if bench:
            print(f"  {name:<10} {ns(bench):8.0f} ns   x{ns(bench) / ns(base):5.1f} From rewrite ({ns(base):.0f} ns)")
    empty = results.get("empty_thread/process_time")
    fresh = results.get("message/rewritten_in_new_thread/process_time")
    warm = results.get("message/rewritten")
    if empty and fresh and warm:
        print(f"  in a new thread (process CPU): {ns(fresh):8.0f} ns, of which thread start {ns(empty):8.0f} ns and"
              f" first use of the thread {ns(fresh) - ns(empty) - ns(warm):+8.0f} ns beyond the warm message")


def main():
    results = load_results(sys.argv[1:])
    for table in (lookup_table, header_table, load_table, metrics_table, session_table):
        table(results)


if __name__ == "__main__":
    main()
