# SPDX-License-Identifier: GPL-2.0
"""make install and make uninstall, without BPF: into a scratch DESTDIR
with PREFIX=/usr and PREFIX=/usr/local, from the build the tests were
given and without rebuilding it; every file where it belongs with its
mode; the installed binary runs and analyzes a log; the unit names the
installed binary and passes systemd-analyze verify; uninstall leaves no
file behind, and keeps a configuration the administrator changed."""
import filecmp
import glob
import json
import os
import re
import subprocess
import unittest

from common import BUILD, ROOT, SHMWATCH, ScratchTestCase

SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze"
# A small log from the fuzz corpus: one invalid-detach finding.
LOG = os.path.join(ROOT, "tests", "fuzz", "corpus", "invalid_detach.json")
# Make variables a caller's environment could set: make install sees only
# those a test passes.
INSTALL_VARS = ("PREFIX", "DESTDIR", "SBINDIR", "MANDIR", "DOCDIR", "UNITDIR",
                "SYSCONFDIR", "BASHCOMPDIR")


def version():
    with open(os.path.join(ROOT, "user", "pipeline.h")) as f:
        return re.search(r'#define SHMWATCH_VERSION "([^"]+)"', f.read()).group(1)


def expected_files(prefix, sysconfdir="/etc", unitdir=None):
    """What make install puts under DESTDIR, path: mode."""
    docdir = prefix + "/share/doc/shmwatch"
    files = {
        prefix + "/sbin/shmwatch": 0o755,
        prefix + "/share/man/man8/shmwatch.8": 0o644,
        docdir + "/README.md": 0o644,
        docdir + "/examples/shmwatch-alerts.yml": 0o644,
        docdir + "/examples/shmwatch.logrotate": 0o644,
        (unitdir or prefix + "/lib/systemd/system") + "/shmwatch.service": 0o644,
        sysconfdir + "/default/shmwatch": 0o644,
        prefix + "/share/bash-completion/completions/shmwatch": 0o644,
    }
    for md in glob.glob(os.path.join(ROOT, "docs", "*.md")):
        files[docdir + "/" + os.path.basename(md)] = 0o644
    return files


def sources(prefix):
    """The files installed as they are (not the unit, which is edited):
    source: where it goes."""
    docdir = prefix + "/share/doc/shmwatch"
    out = {
        BUILD + "/shmwatch": prefix + "/sbin/shmwatch",
        "docs/shmwatch.8": prefix + "/share/man/man8/shmwatch.8",
        "docs/prometheus/shmwatch-alerts.yml": docdir + "/examples/shmwatch-alerts.yml",
        "docs/service/shmwatch.logrotate": docdir + "/examples/shmwatch.logrotate",
        "docs/service/shmwatch.default": "/etc/default/shmwatch",
        "docs/completion/shmwatch.bash": prefix + "/share/bash-completion/completions/shmwatch",
    }
    for md in ["README.md"] + glob.glob(os.path.join(ROOT, "docs", "*.md")):
        out[md] = docdir + "/" + os.path.basename(md)
    return {os.path.join(ROOT, src): dst for src, dst in out.items()}


def files_under(root):
    """Every non-directory below root, as absolute paths inside it."""
    out = set()
    for d, dirs, names in os.walk(root):
        for n in names + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add("/" + os.path.relpath(os.path.join(d, n), root))
    return out


def unit_setting(text, key):
    return [l.split("=", 1)[1] for l in text.splitlines() if l.startswith(key + "=")]


@unittest.skipUnless(os.path.exists(SHMWATCH), "%s is not built" % SHMWATCH)
class InstallTest(ScratchTestCase):
    def make(self, target, **variables):
        env = {k: v for k, v in os.environ.items() if k not in INSTALL_VARS}
        argv = ["make", "--no-print-directory", "-C", ROOT, target, "BUILD=" + BUILD]
        argv += ["%s=%s" % kv for kv in sorted(variables.items())]
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, "%s:\n%s" % (" ".join(argv), proc.stdout))
        return proc.stdout

    def install(self, **variables):
        """make install without rebuilding: the binary installed is the
        one the tests were given, untouched."""
        before = os.stat(SHMWATCH).st_mtime_ns
        out = self.make("install", **variables)
        self.assertEqual(os.stat(SHMWATCH).st_mtime_ns, before, "make install rebuilt:\n" + out)
        return out

    def check_installed(self, root, expected):
        self.assertEqual(files_under(root), set(expected))
        for path, mode in expected.items():
            st = os.lstat(root + path)
            self.assertEqual(oct(st.st_mode & 0o7777), oct(mode), path)

    def test_install_and_uninstall_by_default_under_usr(self):
        root = self.path("root")
        self.install(DESTDIR=root)
        self.check_installed(root, expected_files("/usr"))
        for src, dst in sources("/usr").items():
            self.assertTrue(filecmp.cmp(src, root + dst, shallow=False), dst)
        binary = root + "/usr/sbin/shmwatch"

        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "shmwatch " + version())

        proc = subprocess.run([binary, "analyze", "--format", "json", LOG], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rules = [r["rule"] for r in map(json.loads, proc.stdout.splitlines())
                 if r["type"] == "finding"]
        self.assertEqual(rules, ["invalid-detach"])

        with open(root + "/usr/lib/systemd/system/shmwatch.service") as f:
            unit = f.read()
        self.assertEqual([s.split()[0] for s in unit_setting(unit, "ExecStart")],
                         ["/usr/sbin/shmwatch"])
        self.assertEqual(unit_setting(unit, "EnvironmentFile"), ["-/etc/default/shmwatch"])

        self.make("uninstall", DESTDIR=root)
        self.assertEqual(files_under(root), set())
        self.assertFalse(os.path.exists(root + "/usr/share/doc/shmwatch"))

    def test_prefix_usr_local_keeps_etc(self):
        root = self.path("root")
        self.install(DESTDIR=root, PREFIX="/usr/local")
        self.check_installed(root, expected_files("/usr/local"))
        with open(root + "/usr/local/lib/systemd/system/shmwatch.service") as f:
            unit = f.read()
        self.assertEqual([s.split()[0] for s in unit_setting(unit, "ExecStart")],
                         ["/usr/local/sbin/shmwatch"])
        self.assertIn("file:/usr/local/share/doc/shmwatch/", unit_setting(unit, "Documentation")[0])
        self.assertNotIn("/usr/sbin/shmwatch", unit)
        self.make("uninstall", DESTDIR=root, PREFIX="/usr/local")
        self.assertEqual(files_under(root), set())

    def test_unitdir_as_the_package_sets_it(self):
        """As debian/rules installs: the unit in /lib/systemd/system."""
        root = self.path("root")
        self.install(DESTDIR=root, PREFIX="/usr", UNITDIR="/lib/systemd/system")
        self.check_installed(root, expected_files("/usr", unitdir="/lib/systemd/system"))
        self.make("uninstall", DESTDIR=root, PREFIX="/usr", UNITDIR="/lib/systemd/system")
        self.assertEqual(files_under(root), set())

    def test_changed_configuration_is_kept(self):
        root = self.path("root")
        conf = root + "/etc/default/shmwatch"
        os.makedirs(os.path.dirname(conf))
        with open(conf, "w") as f:
            f.write('SHMWATCH_OPTS="--events failed"\n')
        out = self.install(DESTDIR=root, PREFIX="/usr")
        self.assertIn("keeping " + conf, out)
        out = self.make("uninstall", DESTDIR=root, PREFIX="/usr")
        self.assertIn("keeping " + conf, out)
        self.assertEqual(files_under(root), {"/etc/default/shmwatch"})
        with open(conf) as f:
            self.assertEqual(f.read(), 'SHMWATCH_OPTS="--events failed"\n')

    @unittest.skipUnless(os.access(SYSTEMD_ANALYZE, os.X_OK),
                         "needs systemd-analyze (Debian package systemd)")
    def test_unit_verifies(self):
        """systemd-analyze verify checks the commands the unit runs and its
        man page exist, against the host's units (sysinit.target ...).
        With --root=DESTDIR it would look for all of them inside DESTDIR,
        so the unit is installed without DESTDIR, with every directory
        inside the scratch directory, and man finds the page by MANPATH."""
        prefix = self.path("usr")
        self.install(PREFIX=prefix, SYSCONFDIR=self.path("etc"))
        unit = prefix + "/lib/systemd/system/shmwatch.service"
        with open(unit) as f:
            self.assertIn("ExecStart=%s/sbin/shmwatch " % prefix, f.read())
        env = dict(os.environ, MANPATH=prefix + "/share/man", SYSTEMD_LOG_COLOR="0")
        proc = subprocess.run([SYSTEMD_ANALYZE, "verify", unit], env=env, capture_output=True,
                              text=True, timeout=60)
        ours = [l for l in (proc.stdout + proc.stderr).splitlines() if "shmwatch" in l]
        self.assertEqual(ours, [])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.make("uninstall", PREFIX=prefix, SYSCONFDIR=self.path("etc"))
        self.assertEqual(files_under(self.tmp), set())


if __name__ == "__main__":
    unittest.main()
