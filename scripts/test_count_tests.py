#!/usr/bin/env python3
"""Unit tests of count_tests.py: a namespace re-run is one test, not two; the last status wins."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import count_tests  # noqa: E402

# What `cargo test` printed in a real run, cut down: a unit-test binary, the e2e binary in which
# doctor::dns::stale re-ran itself under `unshare -n -m` (its inner block inside the outer one, a
# line of the inner test's output in front of another test's line), and the e2e binary again in
# the second cargo invocation (the GUI's timed tests, run alone).
LOG = """\
   Compiling foundry-onboard-core v0.1.0
     Running unittests src/lib.rs (/ci/target/debug/deps/foundry_onboard_core-0123456789abcdef)

running 3 tests
test config::tests::a ... ok
test config::tests::b ... ok
test profile::tests::c ... ignored

test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

     Running e2e/main.rs (/ci/target/debug/deps/e2e-fedcba9876543210)

running 4 tests
test cli::version ... ok

running 1 test
dnsmasq started on 127.0.0.1:5353
test doctor::dns::stale ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 4.2s

resolver answered in 3 mstest doctor::dns::stale ... ok
test gui::netns::in_the_window ... FAILED

running 1 test
test gui::netns::in_the_window ... FAILED

test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 9 filtered out; finished in 9.9s

test gui::netns::in_the_window ... FAILED
test profile::writes ... ok

test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 2 filtered out; finished in 30s

     Running e2e/main.rs (/ci/target/debug/deps/e2e-fedcba9876543210)

running 2 tests
test gui::scale::thousand_accounts ... ok
test gui::doctor::a_black_hole ... ok

test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 8 filtered out; finished in 60s
"""


class CountTests(unittest.TestCase):
    def test_a_namespace_rerun_counts_once(self):
        passed, failed, ignored = count_tests.count(LOG.splitlines())
        # core: a, b (c ignored); e2e: version, stale, writes, scale, black_hole; failed: in_the_window
        self.assertEqual((passed, failed, ignored), (7, 1, 1))

    def test_summing_summaries_would_have_counted_twice(self):
        # The old way (add every `test result:` line) says 8 passed and 2 failed for the same log.
        summed = [0, 0]
        for line in LOG.splitlines():
            if line.startswith("test result:"):
                words = line.split()
                summed[0] += int(words[3])
                summed[1] += int(words[5])
        self.assertEqual(summed, [8, 2])

    def test_a_failure_whose_status_word_landed_elsewhere_is_still_counted(self):
        # With one test thread, a child writing to the terminal puts its output between the outer
        # `test … ... ` and its `FAILED`; libtest's closing `failures:` list still names it.
        log = [
            "     Running e2e/main.rs (/t/deps/e2e-fedcba9876543210)",
            "running 2 tests",
            "test gui::doctor::black_hole ... ok",
            "test gui::scale::thousand ... ",
            "running 1 test",
            "test gui::scale::thousand ... light: sign-in 5773 ms; phase 1 4097 ms",
            "thread 'gui::scale::thousand' panicked at tests/e2e/gui/scale.rs:55:35:",
            "FAILED",
            "",
            "failures:",
            "",
            "---- gui::scale::thousand stdout ----",
            "thread 'gui::scale::thousand' panicked at tests/src/lib.rs:258:5:",
            "",
            "failures:",
            "    gui::scale::thousand",
            "",
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 100 filtered out; finished in 60s",
        ]
        self.assertEqual(count_tests.count(log), (1, 1, 0))

    def test_the_last_status_of_a_test_wins(self):
        log = [
            "     Running e2e/main.rs (/t/deps/e2e-fedcba9876543210)",
            "test a ... FAILED",
            "     Running e2e/main.rs (/t/deps/e2e-fedcba9876543210)",
            "test a ... ok",
        ]
        self.assertEqual(count_tests.count(log), (1, 0, 0))

    def test_same_name_in_two_binaries_is_two_tests(self):
        log = [
            "     Running unittests src/lib.rs (/t/deps/foundry_onboard_core-0123456789abcdef)",
            "test tests::same ... ok",
            "     Running unittests src/main.rs (/t/deps/foundry_onboard-0123456789abcdef)",
            "test tests::same ... ok",
        ]
        self.assertEqual(count_tests.count(log), (2, 0, 0))

    def test_skips_are_counted_per_test(self):
        lines = ["claude::entra\tazure-cli is not installed\n", "claude::entra\tazure-cli is not installed\n", "profile::pwsh\tpwsh is not packaged by Debian\n", "\n"]
        self.assertEqual(count_tests.skipped(lines), 2)


if __name__ == "__main__":
    unittest.main()
