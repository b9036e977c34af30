#!/usr/bin/env python3
"""The generated bash completion of rfctl completes its commands and options.

  completion_test.py COMPLETION_FILE

Sources the file in bash (without the bash-completion package) and asks _rfctl for the words of a few
command lines.
"""
import subprocess
import sys
import unittest

COMPLETION = sys.argv[1]


def complete(line):
    """The completions bash offers for the last word of `line` (which may be empty: "rfctl peering ")."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rfctl; ' \
             'printf "%s\\n" "${COMPREPLY[@]}"'
    result = subprocess.run(["bash", "-c", script, "complete", COMPLETION] + words, capture_output=True,
                            text=True, timeout=30, check=True)
    return sorted(w for w in result.stdout.split("\n") if w)


class RfctlCompletion(unittest.TestCase):
    def test_is_registered_for_rfctl(self):
        result = subprocess.run(["bash", "-c", 'source "$1"; complete -p rfctl', "complete", COMPLETION],
                                capture_output=True, text=True, timeout=30, check=True)
        self.assertEqual(result.stdout.strip(), "complete -F _rfctl rfctl")

    def test_commands(self):
        self.assertEqual(complete("rfctl "), ["bmp", "emulator", "peering", "rib", "routeserver", "rpki", "subnet", "vm"])
        self.assertEqual(complete("rfctl rpki "), ["show"])
        self.assertEqual(complete("rfctl pe"), ["peering"])
        self.assertEqual(complete("rfctl peering "),
                         ["create", "delete", "list", "list-advertised-routes", "list-learned-routes", "reset", "show"])
        self.assertEqual(complete("rfctl peering list-a"), ["list-advertised-routes"])
        self.assertEqual(complete("rfctl vm "), ["effective-routes"])

    def test_options_and_their_values(self):
        self.assertEqual(complete("rfctl -o "), ["json", "table"])
        self.assertEqual(complete("rfctl --output j"), ["json"])
        self.assertEqual(complete("rfctl --se"), ["--server"])
        self.assertEqual(complete("rfctl peering create --peer-"), ["--peer-asn", "--peer-ip"])
        self.assertIn("--active", complete("rfctl peering create --name nva1 --"))
        self.assertNotIn("--active", complete("rfctl peering list --"))
        self.assertEqual(complete("rfctl peering create --route-limit-"),
                         ["--route-limit-action", "--route-limit-warning-percent"])
        self.assertIn("--gtsm", complete("rfctl peering create --name nva1 --"))
        # An option's value is not completed, nor taken for a command word.
        self.assertEqual(complete("rfctl peering create --name "), [])
        self.assertEqual(complete("rfctl --server http://127.0.0.1:9179 -o json peering s"), ["show"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
