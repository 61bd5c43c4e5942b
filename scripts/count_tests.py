#!/usr/bin/env python3
"""Counts each test once from cargo test's per-test lines, and the tests that skipped part of their
work because a tool was missing.

Why not add up libtest's `test result:` lines: a test that re-runs itself inside a network
namespace (tests/src/lib.rs `reexec_in_netns`) prints its own `running 1 test … test result:` block
inside the outer run's, so summing summaries counts it twice. Here a test is one (test binary,
name) pair, and its last status wins (the outer run, which fails when the inner one did).

Usage: count_tests.py CARGO_LOG [SKIPPED_FILE]    prints "passed failed ignored skipped"
"""

import re
import sys

# `     Running unittests src/lib.rs (target/debug/deps/foundry_onboard_core-1a2b)` or
# `     Running e2e/main.rs (…/deps/e2e-3c4d)`: the binary in parentheses names the section.
RUNNING = re.compile(r"^\s*Running .* \((?P<binary>[^)]+)\)\s*$")
DOCTESTS = re.compile(r"^\s*Doc-tests (?P<crate>\S+)")
# libtest's per-test line; with several threads a line may carry another test's output in front.
TEST = re.compile(r"test (?P<name>\S+(?: - .+? \(line \d+\))?) \.\.\. (?P<status>ok|FAILED|ignored)\b")


def binary_key(path):
    """The test binary without cargo's hash, so two runs of the same binary are one section."""
    name = path.rsplit("/", 1)[-1]
    return re.sub(r"-[0-9a-f]{16}$", "", name)


# libtest's closing list of the failed tests: `failures:` then one indented name a line. It is
# the backstop for a test whose status word landed away from its `test … ...` line (output of a
# child written straight to the terminal in between).
FAILURE_NAME = re.compile(r"^    (?P<name>\S+)\s*$")


def count(log_lines):
    """Returns (passed, failed, ignored) over distinct tests."""
    section = "?"
    status = {}
    in_failures = False
    for line in log_lines:
        line = line.rstrip("\n")
        m = RUNNING.match(line)
        if m:
            section = binary_key(m.group("binary"))
            in_failures = False
            continue
        m = DOCTESTS.match(line)
        if m:
            section = "doctest:" + m.group("crate")
            in_failures = False
            continue
        if line == "failures:":
            in_failures = True
            continue
        if in_failures:
            m = FAILURE_NAME.match(line)
            if m:
                status[(section, m.group("name"))] = "FAILED"
                continue
            if line.startswith("test result:"):
                in_failures = False
        for t in TEST.finditer(line):
            status[(section, t.group("name"))] = t.group("status")
    values = list(status.values())
    return values.count("ok"), values.count("FAILED"), values.count("ignored")


def skipped(lines):
    """Distinct tests that recorded a skip (one `test-name<TAB>reason` line each)."""
    return len({line.split("\t", 1)[0] for line in lines if line.strip()})


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 3
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        passed, failed, ignored = count(f)
    n_skipped = 0
    if len(argv) > 2:
        try:
            with open(argv[2], encoding="utf-8", errors="replace") as f:
                n_skipped = skipped(f)
        except FileNotFoundError:
            pass
    print(passed, failed, ignored, n_skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
