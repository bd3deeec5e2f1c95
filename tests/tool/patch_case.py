#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""patch_case.py: checks that the message part of `rewrite-test --diff` applies with patch(1).

Usage: patch_case.py BINARY --cwd DIR --message FILE [--last-field TEXT] -- ARGS...

Runs rewrite-test ARGS --message FILE twice: with --diff and without. The diff's message part (from
its first "--- " line not naming the envelope) is applied with patch(1) to a copy of FILE, exactly
(no fuzz, no offset); the result must equal the message printed without --diff. With --last-field,
TEXT must also be the last line of the patched message's header.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def run_tool(binary, cwd, args):
    """Runs rewrite-test; returns its standard output, or raises on a non-zero exit status."""
    result = subprocess.run([binary] + args, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit status {result.returncode}\n"
                           f"{result.stderr.decode('utf-8', 'replace')}")
    return result.stdout


def message_part(diff):
    """Returns the part of a --diff output after the envelope, or b"" when there is none."""
    lines = diff.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(b"--- ") and line.rstrip(b"\n") != b"--- envelope":
            return b"".join(lines[i:])
    return b""


def last_header_line(message):
    """Returns the last line of the message's header, without its line ending."""
    header = message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return header.split(b"\n")[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--message", required=True)
    parser.add_argument("--last-field")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])
    args = argv[split + 1:] + ["--message", options.message]

    problems = []
    diff = run_tool(options.binary, options.cwd, args + ["--diff"])
    rewritten = run_tool(options.binary, options.cwd, args)
    part = message_part(diff)
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "message")
        shutil.copyfile(os.path.join(options.cwd, options.message), copy)
        result = subprocess.run(["patch", "--batch", "--fuzz=0", "--no-backup-if-mismatch", copy],
                                input=part, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=60)
        report = result.stdout.decode("utf-8", "replace")
        with open(copy, "rb") as f:
            patched = f.read()
    if not part:
        problems.append("the diff has no message part")
    if result.returncode != 0:
        problems.append(f"patch failed with status {result.returncode}")
    if "offset" in report or "fuzz" in report:
        problems.append("patch applied a hunk away from the lines the diff names")
    if patched != rewritten:
        problems.append(f"the patched message differs from the rewritten one:\n"
                        f"--- patched\n{patched!r}\n--- rewritten\n{rewritten!r}")
    if options.last_field is not None and last_header_line(patched) != options.last_field.encode():
        problems.append(f"the patched header does not end with {options.last_field!r}")
    if problems:
        print("command:", " ".join([options.binary] + args + ["--diff"]))
        print("diff:\n" + diff.decode("utf-8", "replace"))
        print("patch:\n" + report)
        for problem in problems:
            print("FAILED:", problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
