#!/usr/bin/env python3
"""routefabricd's and rfctl's usage texts are complete and true.

  help_test.py SOURCE_DIR ROUTEFABRICD RFCTL

routefabricd: --help and -h print the usage on stdout and exit 0; an unknown option, a missing or bad
value prints what is wrong and the usage on stderr and exits 2; every option the documentation (README,
docs/, scripts/) passes to routefabricd, and every option the daemon has, is in the usage; every option
of the usage is accepted. rfctl: every command of its usage is a command rfctl runs (against an address
where nothing listens it fails as unreachable, exit 4, never as a usage error, exit 1).
"""
import glob
import os
import re
import subprocess
import sys
import unittest

SOURCE_DIR, ROUTEFABRICD, RFCTL = sys.argv[1:4]

# The options the daemon has (daemon/options.cpp), also those the docs do not use yet.
DAEMON_OPTIONS = ["-c", "--config", "--check-config", "--check", "--emulator", "--no-emulator", "--fib",
                  "--no-fib", "--workers", "--log-level", "--log-format", "--eal", "-h", "--help", "--version",
                  "--dump-schema", "--graceful-restart"]
# What an option of the usage is given to prove that it is accepted.
SAMPLE_VALUES = {"FILE": "no-such-file.yaml", "N": "2", "LEVEL": "debug", "FORMAT": "json", "\"ARGS\"": "-l 0"}


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30, check=False)


def option_terms(usage):
    """The items of the usage's "options:" section, as lists of words."""
    section = usage.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    return [re.split(r"\s{2,}", line.strip())[0].replace(",", "").split()
            for line in section.splitlines() if re.match(r"  \S", line)]


def documented_invocations():
    """{option: [where]} for every option the docs and scripts pass to routefabricd."""
    files = [os.path.join(SOURCE_DIR, "README.md")]
    for pattern in ("docs/**/*.md", "docs/**/*.yaml", "scripts/**/*.sh"):
        files += glob.glob(os.path.join(SOURCE_DIR, pattern), recursive=True)
    invocation = re.compile(r"(?:^|(?<=[\s`\"'(/]))routefabricd((?:[ \t]+[^\s`\"'|;&()]+)*)")
    found = {}
    for path in files:
        with open(path, encoding="utf-8") as text:
            for number, line in enumerate(text, 1):
                for match in invocation.finditer(line):
                    # The words before the program's path (build/daemon/ of build/daemon/routefabricd too).
                    before = re.sub(r"\S*$", "", line[:match.start()]).split()
                    if before and before[-1].startswith("-"):
                        continue  # a value of another program's option (rfbench --targets routefabricd,
                        # rfbench --routefabricd build/daemon/routefabricd)
                    for word in match.group(1).split():
                        if word == "--":
                            break  # EAL arguments from here on
                        if re.fullmatch(r"--?[a-zA-Z][\w-]*", word):
                            where = "%s:%d" % (os.path.relpath(path, SOURCE_DIR), number)
                            found.setdefault(word, []).append(where)
    return found


class RoutefabricdUsage(unittest.TestCase):
    def test_help_and_h_print_the_usage_on_stdout_and_exit_0(self):
        for flag in ("--help", "-h"):
            result = run(ROUTEFABRICD, flag)
            self.assertEqual(result.returncode, 0, flag)
            self.assertTrue(result.stdout.startswith("usage: routefabricd"), result.stdout)
            self.assertIn("\noptions:\n", result.stdout)
            self.assertEqual(result.stderr, "")

    def test_unknown_option_names_it_and_prints_the_usage_on_stderr_exit_2(self):
        result = run(ROUTEFABRICD, "--no-such-option", "rf.yaml")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stdout, "")
        self.assertIn("routefabricd: unknown option '--no-such-option'", result.stderr)
        self.assertIn("usage: routefabricd", result.stderr)

    def test_missing_or_bad_values_are_usage_errors(self):
        for args, message in ((["--workers"], "--workers needs a value"),
                              (["--workers", "x", "rf.yaml"], "--workers needs a number 1-999, got 'x'"),
                              (["--workers", "0", "rf.yaml"], "--workers needs a number 1-999, got '0'"),
                              (["--log-level", "loud", "rf.yaml"], "--log-level takes trace, debug"),
                              (["--config"], "--config needs a value"),
                              (["a.yaml", "b.yaml"], "more than one configuration file: 'a.yaml' and 'b.yaml'"),
                              ([], "no configuration file given")):
            result = run(ROUTEFABRICD, *args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("routefabricd: " + message, result.stderr)
            self.assertIn("usage: routefabricd", result.stderr)

    def test_every_documented_and_every_parsed_option_is_in_the_usage(self):
        usage = run(ROUTEFABRICD, "--help").stdout
        listed = {word for term in option_terms(usage) for word in term if word.startswith("-")}
        documented = documented_invocations()
        self.assertIn("--check-config", documented)  # the scan finds the docs' invocations at all
        for option in sorted(set(documented) | set(DAEMON_OPTIONS)):
            self.assertIn(option, listed, "%s (used in %s) is not in routefabricd --help"
                          % (option, ", ".join(documented.get(option, ["daemon/options.cpp"]))))
        self.assertIn("-- EAL ARGS...", usage)

    def test_every_option_of_the_usage_is_accepted(self):
        for term in option_terms(run(ROUTEFABRICD, "--help").stdout):
            if term[0] == "--":
                continue
            value = [SAMPLE_VALUES[term[-1]]] if term[-1] in SAMPLE_VALUES else []
            for option in (word for word in term if word.startswith("-")):
                first_line = run(ROUTEFABRICD, option, *value).stderr.split("\n", 1)[0]
                self.assertNotIn("unknown option", first_line, option)
                self.assertNotIn("needs a", first_line, option)

    def test_dump_schema_prints_one_key_per_line_with_four_fields(self):
        result = run(ROUTEFABRICD, "--dump-schema")
        self.assertEqual(result.returncode, 0)
        rows = [line.split("\t") for line in result.stdout.splitlines()]
        self.assertTrue(all(len(row) == 4 for row in rows))
        self.assertIn(["route_server.asn", "ASN", "65515"], [row[:3] for row in rows])


class RfctlUsage(unittest.TestCase):
    def test_help_prints_the_usage_and_exits_0(self):
        result = run(RFCTL, "--help")
        self.assertEqual(result.returncode, 0)
        self.assertTrue(result.stdout.startswith("usage: rfctl"))

    def test_every_command_of_the_usage_is_one_rfctl_runs(self):
        usage = run(RFCTL, "--help").stdout
        section = usage.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
        commands = [re.split(r"\s{2,}", line.strip())[0] for line in section.splitlines()
                    if re.match(r"  \S", line)]
        self.assertGreaterEqual(len(commands), 10)
        for command in commands:
            words = []
            for word in command.split():
                if word.startswith("["):
                    break  # optional options: the required part is enough
                words.append({"NAME": "nva1", "ADDRESS": "10.0.0.1", "ASN": "65001", "PREFIX": "10.0.0.0/8",
                              "VNET/SUBNET": "hub/default"}.get(word, word))
            # Port 1 on loopback: nothing listens, the connection is refused at once.
            result = run(RFCTL, "--server", "http://127.0.0.1:1", *words)
            self.assertEqual(result.returncode, 4, "%s: %s" % (command, result.stderr))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
