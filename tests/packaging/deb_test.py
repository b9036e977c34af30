#!/usr/bin/env python3
"""The .deb that CPack builds from this tree installs a working routefabric.

  deb_test.py SOURCE_DIR BUILD_DIR CPACK SCRATCH_DIR

Builds the package with `cpack -G DEB` (the programs, man pages and completion must be built: this test
builds nothing itself), checks its control fields (Depends from dpkg-shlibdeps, maintainer scripts, no
conffile), its file list (what an operator needs, nothing of the benchmarks, nothing outside /usr),
extracts it into a scratch root with `dpkg -x` and runs the extracted routefabricd: --version finds the
extracted forwarding module, --check-config accepts the shipped example. Runs lintian when it is
installed: prints every finding, fails on an error-level finding.
"""
import glob
import os
import shutil
import subprocess
import sys
import unittest

SOURCE_DIR, BUILD_DIR, CPACK, SCRATCH = sys.argv[1:5]
PACKAGE = None


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=120, **kwargs)


def build_package():
    needed = ["daemon/routefabricd", "daemon/routefabric-forwarding.so", "daemon/api/rfctl",
              "control/tools/rf-decode", "operator/man/routefabricd.8.gz", "operator/man/rfctl.1.gz",
              "operator/man/routefabric.yaml.5.gz", "operator/completions/rfctl"]
    missing = [f for f in needed if not os.path.exists(os.path.join(BUILD_DIR, f))]
    if missing:
        sys.exit("deb_test: not built in this tree: %s (cmake --build build --target routefabricd rfctl "
                 "rf-decode rf_operator_files)" % ", ".join(missing))
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.makedirs(SCRATCH)
    result = run(CPACK, "-G", "DEB", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-B", SCRATCH)
    if result.returncode != 0:
        sys.exit("deb_test: cpack failed (%d):\n%s%s" % (result.returncode, result.stdout, result.stderr))
    debs = glob.glob(os.path.join(SCRATCH, "*.deb"))
    if len(debs) != 1:
        sys.exit("deb_test: cpack made %s, not one .deb" % debs)
    return debs[0]


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.deb = PACKAGE
        cls.root = os.path.join(SCRATCH, "root")
        result = run("dpkg", "-x", cls.deb, cls.root)
        assert result.returncode == 0, result.stderr
        contents = run("dpkg-deb", "-c", cls.deb).stdout.splitlines()
        cls.files = sorted(line.split()[5].lstrip(".") for line in contents)

    def field(self, name):
        return run("dpkg-deb", "-f", self.deb, name).stdout.strip()

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "routefabric")
        self.assertEqual(self.field("Section"), "net")
        depends = self.field("Depends")
        print("Depends:", depends)
        for library in ("libc6", "libstdc++6", "librte-"):  # the daemon, and DPDK for its module
            self.assertIn(library, depends)

    def test_maintainer_scripts_and_no_conffile(self):
        control = os.path.join(SCRATCH, "control")
        result = run("dpkg-deb", "-e", self.deb, control)
        self.assertEqual(result.returncode, 0, result.stderr)
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            self.assertTrue(os.access(path, os.X_OK), script)
            self.assertEqual(run("sh", "-n", path).returncode, 0, script)
        # routefabricd rewrites its configuration: postinst creates it, dpkg must not own it.
        self.assertFalse(os.path.exists(os.path.join(control, "conffiles")))

    def test_file_list(self):
        module = [f for f in self.files if f.endswith("/routefabric/routefabric-forwarding.so")]
        self.assertEqual(len(module), 1, self.files)
        self.assertTrue(module[0].startswith("/usr/lib/"), module)
        for path in ("/usr/sbin/routefabricd", "/usr/bin/rfctl", "/usr/bin/rf-decode",
                     "/usr/lib/systemd/system/routefabricd.service", "/usr/lib/sysusers.d/routefabric.conf",
                     "/usr/lib/tmpfiles.d/routefabric.conf", "/usr/share/routefabric/routefabric.yaml.example",
                     "/usr/share/man/man8/routefabricd.8.gz", "/usr/share/man/man1/rfctl.1.gz",
                     "/usr/share/man/man5/routefabric.yaml.5.gz",
                     "/usr/share/bash-completion/completions/rfctl", "/usr/share/doc/routefabric/copyright",
                     "/usr/share/doc/routefabric/changelog.gz", "/usr/share/doc/routefabric/user-guide.md"):
            self.assertIn(path, self.files)
        for path in self.files:
            self.assertTrue(path == "/" or path.startswith("/usr/"), path)
            self.assertNotRegex(path, r"/(rf-emulator|rfbench)$|\.a$|/usr/local/")

    def test_unit_and_tmpfiles_name_the_installed_paths(self):
        for installed, source in (("usr/lib/systemd/system/routefabricd.service", "routefabricd.service"),
                                  ("usr/lib/tmpfiles.d/routefabric.conf", "routefabric.tmpfiles")):
            with open(os.path.join(self.root, installed), encoding="utf-8") as got, \
                    open(os.path.join(SOURCE_DIR, "scripts/packaging", source), encoding="utf-8") as want:
                self.assertEqual(got.read(), want.read(), installed)

    def test_installed_daemon_finds_its_module_and_accepts_the_example(self):
        daemon = os.path.join(self.root, "usr/sbin/routefabricd")
        env = {k: v for k, v in os.environ.items() if k != "RF_FORWARDING_MODULE"}
        version = run(daemon, "--version", env=env)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertRegex(version.stdout, r"forwarding module: %s/usr/lib/\S*routefabric/routefabric-forwarding\.so "
                         r"\(DPDK" % self.root)
        example = os.path.join(self.root, "usr/share/routefabric/routefabric.yaml.example")
        check = run(daemon, "--check-config", example, env=env)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("OK", check.stdout)
        self.assertEqual(run(os.path.join(self.root, "usr/bin/rfctl"), "--help").returncode, 0)
        self.assertEqual(run(os.path.join(self.root, "usr/bin/rf-decode"), "--help").returncode, 0)

    def test_lintian(self):
        if shutil.which("lintian") is None:
            self.skipTest("lintian is not installed (apt-get install lintian)")
        result = run("lintian", "--display-level", ">=pedantic", self.deb)
        print("lintian findings:\n" + (result.stdout or "(none)"))
        errors = [line for line in result.stdout.splitlines() if line.startswith("E: ")]
        self.assertEqual(errors, [], "lintian errors")


if __name__ == "__main__":
    PACKAGE = build_package()
    unittest.main(argv=sys.argv[:1], verbosity=2)
