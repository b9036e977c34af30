#!/usr/bin/env python3
"""The generated man pages exist, render without a groff warning and say what the programs say.

  man_test.py BUILD_DIR ROUTEFABRICD RFCTL

routefabricd(8) and rfctl(1) hold every option and command of their --help, routefabric.yaml(5) every key
of `routefabricd --dump-schema`; `MANWIDTH=80 man --warnings -l PAGE` prints nothing on stderr.
"""
import os
import re
import subprocess
import sys
import unittest

BUILD_DIR, ROUTEFABRICD, RFCTL = sys.argv[1:4]
MAN_DIR = os.path.join(BUILD_DIR, "operator", "man")
PAGES = ("routefabricd.8", "rfctl.1", "routefabric.yaml.5")


def rendered(page):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    result = subprocess.run(["man", "--warnings", "-l", os.path.join(MAN_DIR, page)], capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    return result


def flat(text):
    """Rendered text without hyphenation and line breaks, to search for phrases."""
    return " ".join(re.sub(r"-\n\s*", "-", text).split())


class ManPages(unittest.TestCase):
    def test_every_page_is_built_compressed_and_renders_without_warnings(self):
        for page in PAGES:
            self.assertTrue(os.path.exists(os.path.join(MAN_DIR, page + ".gz")), page + ".gz")
            result = rendered(page)
            self.assertEqual(result.returncode, 0, page)
            self.assertEqual(result.stderr, "", "%s: man --warnings says:\n%s" % (page, result.stderr))
            self.assertIn("NAME", result.stdout)

    def test_program_pages_hold_every_item_of_the_usage(self):
        for page, program in (("routefabricd.8", ROUTEFABRICD), ("rfctl.1", RFCTL)):
            usage = subprocess.run([program, "--help"], capture_output=True, text=True, timeout=30,
                                   check=True).stdout
            text = flat(rendered(page).stdout)
            for line in usage.splitlines():
                if re.match(r"  \S", line):
                    item = re.split(r"\s{2,}", line.strip())[0]
                    self.assertIn(" ".join(item.split()), text, "%s lacks '%s'" % (page, item))

    def test_configuration_page_holds_every_key_of_the_schema(self):
        schema = subprocess.run([ROUTEFABRICD, "--dump-schema"], capture_output=True, text=True, timeout=30,
                                check=True).stdout
        text = flat(rendered("routefabric.yaml.5").stdout)
        for row in schema.splitlines():
            key = row.split("\t")[0]
            self.assertIn(key if "." in key or "[" in key else key.upper(), text, key)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
