#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""run_case.py: runs rewrite-test once and checks its exit status and output.

Usage: run_case.py BINARY [--cwd DIR] [--stdin FILE] [--exit N] [--stdout FILE]
                   [--stdout-line TEXT]... [--stdout-has TEXT]... [--stderr-has TEXT]...
                   [--stdout-empty] [--stderr-empty] -- ARGS...

--stdout FILE compares standard output byte for byte with FILE; --stdout-line requires TEXT to be
one whole line of standard output; --stdout-has and --stderr-has require TEXT somewhere in it.
"""
import argparse
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--cwd")
    parser.add_argument("--stdin")
    parser.add_argument("--exit", type=int, default=0)
    parser.add_argument("--stdout")
    parser.add_argument("--stdout-line", action="append", default=[])
    parser.add_argument("--stdout-has", action="append", default=[])
    parser.add_argument("--stderr-has", action="append", default=[])
    parser.add_argument("--stderr-empty", action="store_true")
    parser.add_argument("--stdout-empty", action="store_true")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])
    args = argv[split + 1:]

    stdin = open(options.stdin, "rb") if options.stdin else subprocess.DEVNULL
    result = subprocess.run([options.binary] + args, cwd=options.cwd, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out, err = result.stdout, result.stderr
    problems = []
    if result.returncode != options.exit:
        problems.append(f"exit status {result.returncode}, expected {options.exit}")
    if options.stdout is not None:
        with open(options.stdout, "rb") as f:
            expected = f.read()
        if out != expected:
            problems.append(f"standard output differs from {options.stdout}:\n"
                            f"--- expected\n{expected!r}\n--- got\n{out!r}")
    lines = out.decode("utf-8", "replace").split("\n")
    for line in options.stdout_line:
        if line not in lines:
            problems.append(f"no output line {line!r}")
    text_out = out.decode("utf-8", "replace")
    text_err = err.decode("utf-8", "replace")
    for text in options.stdout_has:
        if text not in text_out:
            problems.append(f"standard output lacks {text!r}")
    for text in options.stderr_has:
        if text not in text_err:
            problems.append(f"standard error lacks {text!r}")
    if options.stdout_empty and out:
        problems.append("standard output is not empty")
    if options.stderr_empty and err:
        problems.append("standard error is not empty")
    if problems:
        print("command:", " ".join([options.binary] + args))
        print("standard output:\n" + text_out)
        print("standard error:\n" + text_err)
        for problem in problems:
            print("FAILED:", problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
