# SPDX-License-Identifier: GPL-2.0
"""The Debian package, without BPF: `make deb` builds it from a copy of the
working tree and leaves the tree as it was; the .deb holds the files
make install lays out, with the fields, conffile and maintainer scripts
meant (the service neither enabled nor started, but stopped on removal);
lintian reports no error; and in a fresh Debian 12 chroot apt installs it,
`shmwatch --version` and `shmwatch analyze` run, `dpkg -r` leaves only the
conffile and `dpkg --purge` leaves nothing at all."""
import fcntl
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

from common import BUILD, ROOT, ScratchTestCase

DEB_DIR = os.path.join(BUILD, "deb")
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# debootstrap takes a minute or two: the finished chroot is kept here as a
# tarball that every run unpacks afresh.  It is made again once it is a
# month old, or when it is deleted.
CACHE_DIR = "/var/cache/shmwatch-tests"
CHROOT_TARBALL = os.path.join(CACHE_DIR, SUITE + "-minbase.tar.gz")
CHROOT_MAX_AGE = 30 * 86400
CONFFILE = "/etc/default/shmwatch"
DSH_STATE = "/var/lib/systemd/deb-systemd-helper-enabled"
MAINTAINER = "shmwatch maintainers <maintainers@users.noreply.r-seed-1e36ea6d.example>"
LOG = os.path.join(ROOT, "tests", "fuzz", "corpus", "invalid_detach.json")
# Where dpkg and apt keep their records, caches and logs: they change with
# every install and removal, and are not the package's files.
STATE_DIRS = ("/var/lib/dpkg", "/var/lib/apt", "/var/cache/apt", "/var/cache/debconf",
              "/var/log")
# Mount points and scratch space, no package's business.
SKIP_DIRS = ("/proc", "/sys", "/dev", "/run", "/tmp")
CHROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "HOME": "/root",
              "DEBIAN_FRONTEND": "noninteractive"}
# Make variables a caller's environment could set (make install takes
# some with ?=): the build sees only what debian/rules passes.
INSTALL_VARS = ("PREFIX", "DESTDIR", "UNITDIR", "SYSCONFDIR", "BASHCOMPDIR")
TOOLS = {"dpkg-buildpackage": "dpkg-dev", "dh": "debhelper", "lintian": "lintian",
         "debootstrap": "debootstrap", "git": "git"}


def version():
    with open(os.path.join(ROOT, "user", "pipeline.h")) as f:
        return re.search(r'#define SHMWATCH_VERSION "([^"]+)"', f.read()).group(1)


def missing_tools():
    return ["%s (Debian package %s)" % (t, p) for t, p in sorted(TOOLS.items())
            if not shutil.which(t)]


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


def apt_sources():
    """(URI, suite) of every deb source this machine's apt reads, one-line
    and deb822 alike."""
    pairs = []
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split("#", 1)[0].split()
            if words[:1] != ["deb"]:
                continue
            words = words[1:]
            if words and words[0].startswith("["):  # [arch=... signed-by=...]
                while words and not words[0].endswith("]"):
                    words.pop(0)
                words = words[1:]
            if len(words) >= 2:
                pairs.append((words[0], words[1]))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        for stanza in re.split(r"\n\s*\n", text):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or not line.strip() or line[0].isspace():
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
            if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                pairs += [(u, s) for u in fields.get("uris", []) for s in fields.get("suites", [])]
    return pairs


def mirror_for(suite, default=None):
    """The URI this machine fetches suite from, plain HTTP first (a
    minbase system has no CA certificates for HTTPS)."""
    uris = [u.rstrip("/") for u, s in apt_sources()
            if s == suite and u.startswith(("http://", "https://"))]
    uris.sort(key=lambda u: not u.startswith("http://"))
    return uris[0] if uris else default


def mounts_under(path):
    path = os.path.realpath(path)
    found = []
    with open("/proc/self/mounts") as f:
        for line in f:
            point = line.split()[1].encode().decode("unicode_escape")  # \040 is a space
            if point == path or point.startswith(path + "/"):
                found.append(point)
    return found


def remove_tree(path):
    """Unmount whatever is mounted below path, then remove it; rmtree
    would otherwise descend into a mounted /proc.  Leaves the tree and
    fails if something stays mounted."""
    for point in sorted(mounts_under(path), key=len, reverse=True):
        if subprocess.run(["umount", point]).returncode != 0:
            subprocess.run(["umount", "-l", point])
    left = mounts_under(path)
    if left:
        raise AssertionError("still mounted, %s not removed: %s" % (path, ", ".join(left)))
    shutil.rmtree(path)


def make_chroot_tarball():
    """debootstrap a minbase Debian 12 and keep it as CHROOT_TARBALL.
    Without the mirror there is no test: fail, and say so."""
    mirror = mirror_for(SUITE, DEFAULT_MIRROR)
    work = tempfile.mkdtemp(prefix="shmwatch-test-debootstrap-", dir="/var/tmp")
    try:
        target = os.path.join(work, "root")
        proc = subprocess.run(["debootstrap", "--variant=minbase", SUITE, target, mirror],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=1800)
        if proc.returncode != 0:
            log = ""
            try:
                with open(os.path.join(target, "debootstrap", "debootstrap.log")) as f:
                    log = f.read()
            except OSError:
                pass
            raise AssertionError("debootstrap could not make a Debian 12 chroot from %s "
                                 "(is the mirror reachable?):\n%s"
                                 % (mirror, tail(proc.stdout + log)))
        # Every run fetches fresh package lists and packages.
        for junk in glob.glob(target + "/var/lib/apt/lists/*") + \
                glob.glob(target + "/var/cache/apt/archives/*.deb") + \
                glob.glob(target + "/var/cache/apt/*.bin"):
            if os.path.isfile(junk):
                os.unlink(junk)
        tmp = CHROOT_TARBALL + ".tmp"
        subprocess.run(["tar", "--numeric-owner", "-C", target, "-czf", tmp, "."], check=True)
        os.replace(tmp, CHROOT_TARBALL)
    finally:
        remove_tree(work)


def fresh_chroot_tarball():
    os.makedirs(CACHE_DIR, exist_ok=True)
    with open(os.path.join(CACHE_DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be making it
        try:
            fresh = time.time() - os.stat(CHROOT_TARBALL).st_mtime < CHROOT_MAX_AGE
        except FileNotFoundError:
            fresh = False
        if not fresh:
            make_chroot_tarball()
    return CHROOT_TARBALL


def snapshot(root):
    """Every path below root, with its file type, but for the mount
    points, scratch and dpkg's and apt's own records."""
    out = {}
    for d, dirs, names in os.walk(root):
        rel = "" if d == root else "/" + os.path.relpath(d, root)
        dirs[:] = [x for x in dirs if rel + "/" + x not in SKIP_DIRS + STATE_DIRS]
        for n in dirs + names:
            out[rel + "/" + n] = stat.S_IFMT(os.lstat(os.path.join(d, n)).st_mode)
    return out


def deb_listing(deb):
    """The .deb's paths (without the leading '.'), each with its mode
    string and owner."""
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                         check=True).stdout
    entries = {}
    for line in out.splitlines():
        perms, owner, _size, _date, _time, path = line.split(None, 5)
        path = path.split(" -> ")[0].lstrip(".").rstrip("/")
        if path:
            entries[path] = (perms, owner)
    return entries


def expected_files():
    """The non-directories of the package, and their modes."""
    doc = "/usr/share/doc/shmwatch/"
    files = {"/usr/sbin/shmwatch": "-rwxr-xr-x"}
    for p in [CONFFILE, "/lib/systemd/system/shmwatch.service",
              "/usr/share/bash-completion/completions/shmwatch",
              "/usr/share/man/man8/shmwatch.8.gz", "/usr/share/lintian/overrides/shmwatch",
              doc + "README.md", doc + "changelog.gz", doc + "copyright",
              doc + "examples/shmwatch-alerts.yml", doc + "examples/shmwatch.logrotate"]:
        files[p] = "-rw-r--r--"
    for md in glob.glob(os.path.join(ROOT, "docs", "*.md")):
        files[doc + os.path.basename(md)] = "-rw-r--r--"
    return files


def tree_byproducts():
    """What a package build in the tree itself would leave: in debian/,
    and next to the tree."""
    return set(os.listdir(os.path.join(ROOT, "debian"))) | \
        set(glob.glob(os.path.join(os.path.dirname(ROOT), "shmwatch*_*")))


@unittest.skipIf(missing_tools(), "needs %s" % ", ".join(missing_tools()))
class PackageTest(ScratchTestCase):
    @classmethod
    def setUpClass(cls):
        """One `make deb` for every test."""
        before = tree_byproducts()
        env = {k: v for k, v in os.environ.items() if k not in INSTALL_VARS}
        proc = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "deb",
                               "BUILD=" + BUILD], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=1800)
        if proc.returncode != 0:
            raise AssertionError("make deb failed:\n" + tail(proc.stdout, 60))
        cls.new_in_tree = tree_byproducts() - before
        name = "shmwatch_%s_amd64" % version()
        cls.deb = os.path.join(DEB_DIR, name + ".deb")
        cls.changes = os.path.join(DEB_DIR, name + ".changes")

    def control(self):
        """The control archive, unpacked: path of its directory."""
        ctrl = self.path("control")
        subprocess.run(["dpkg-deb", "-e", self.deb, ctrl], check=True)
        return ctrl

    def test_built_outside_the_tree(self):
        self.assertEqual(self.new_in_tree, set())
        self.assertTrue(os.path.exists(self.deb), self.deb)
        self.assertTrue(os.path.exists(self.changes), self.changes)
        self.assertFalse(os.path.exists(os.path.join(DEB_DIR, "src")), "copy left behind")

    def test_contents(self):
        listing = deb_listing(self.deb)
        files = {p: perms for p, (perms, _) in listing.items() if not perms.startswith("d")}
        self.assertEqual(files, expected_files())
        self.assertEqual({owner for _, owner in listing.values()}, {"root/root"})

        tree = self.path("tree")
        subprocess.run(["dpkg-deb", "-x", self.deb, tree], check=True)
        with open(tree + "/lib/systemd/system/shmwatch.service") as f:
            unit = f.read()
        self.assertRegex(unit, r"(?m)^ExecStart=/usr/sbin/shmwatch ")
        self.assertRegex(unit, r"(?m)^EnvironmentFile=-/etc/default/shmwatch$")
        with open(tree + CONFFILE) as a, \
                open(os.path.join(ROOT, "docs", "service", "shmwatch.default")) as b:
            self.assertEqual(a.read(), b.read())

    def test_fields(self):
        out = subprocess.run(["dpkg-deb", "-f", self.deb], capture_output=True, text=True,
                             check=True).stdout
        fields = dict(re.findall(r"(?m)^(\S+): (.*)$", out))
        self.assertEqual(fields["Package"], "shmwatch")
        self.assertEqual(fields["Version"], version())
        self.assertEqual(fields["Architecture"], "amd64")
        self.assertEqual(fields["Section"], "admin")
        self.assertEqual(fields["Priority"], "optional")
        self.assertEqual(fields["Maintainer"], MAINTAINER)
        self.assertEqual(fields["Description"], "eBPF tracer for shared-memory misuse")
        depends = {d.split()[0] for d in fields["Depends"].split(", ")}
        self.assertLessEqual({"libbpf1", "libc6", "libdw1", "libelf1", "libjson-c5", "libsimdjson14",
                              "libmicrohttpd12", "zlib1g", "procps"}, depends)

    def test_conffile_and_maintainer_scripts(self):
        ctrl = self.control()
        with open(os.path.join(ctrl, "conffiles")) as f:
            self.assertEqual(f.read().split(), [CONFFILE])
        with open(os.path.join(ctrl, "postinst")) as f:
            postinst = f.read()
        # Started by nobody but the administrator; on an upgrade only a
        # running service is restarted.
        self.assertNotRegex(postinst, r"deb-systemd-invoke (start|restart)\b|_dh_action=start")
        self.assertIn("deb-systemd-invoke try-restart 'shmwatch.service'", postinst)
        with open(os.path.join(ctrl, "prerm")) as f:
            self.assertRegex(f.read(), r'"\$1" = remove .*\n\s*deb-systemd-invoke stop '
                                       r'shmwatch\.service')

    def test_lintian(self):
        proc = subprocess.run(["lintian", "--fail-on", "error", self.changes],
                              capture_output=True, text=True, timeout=600)
        errors = [l for l in proc.stdout.splitlines() if l.startswith("E:")]
        self.assertEqual(errors, [], proc.stdout)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "needs root for debootstrap and chroot")
    def test_installs_and_removes_cleanly_in_a_fresh_chroot(self):
        tarball = fresh_chroot_tarball()
        root = tempfile.mkdtemp(prefix="shmwatch-test-chroot-", dir="/var/tmp")
        self.addCleanup(remove_tree, root)
        self.root = root
        subprocess.run(["tar", "--numeric-owner", "-C", root, "-xpzf", tarball], check=True)
        self.configure_apt()
        subprocess.run(["mount", "-t", "proc", "proc", root + "/proc"], check=True)
        # remove_tree unmounts it too; this is for the check below.
        self.addCleanup(self.unmount, root + "/proc")

        update = self.chroot("apt-get", "update", check=False)
        self.assertEqual(update.returncode, 0, "apt-get update in the chroot failed "
                         "(is the mirror reachable?):\n" + tail(update.stdout + update.stderr))
        # The dependencies first, so that what the package itself adds is
        # all that changes from here on.
        fields = subprocess.run(["dpkg-deb", "-f", self.deb, "Depends"], capture_output=True,
                                text=True, check=True).stdout.strip()
        self.chroot("apt-get", "satisfy", "-y", fields)
        packages = self.packages()
        before = snapshot(root)
        paths = sorted(deb_listing(self.deb))
        existed = self.present(paths)

        shutil.copy(self.deb, root + "/tmp/")
        shutil.copy(LOG, root + "/tmp/log.json")
        self.chroot("apt-get", "install", "-y", "/tmp/" + os.path.basename(self.deb))
        self.assertEqual(self.packages() - packages, {"shmwatch"})
        self.assertEqual(self.present(paths), set(paths))
        self.assertEqual(self.chroot("shmwatch", "--version").stdout.strip(),
                         "shmwatch " + version())
        analyze = self.chroot("shmwatch", "analyze", "--format", "json", "/tmp/log.json")
        findings = [r["rule"] for r in map(json.loads, analyze.stdout.splitlines())
                    if r["type"] == "finding"]
        self.assertEqual(findings, ["invalid-detach"])
        enabled = [p for p in snapshot(root) if p.startswith("/etc/systemd/") and "shmwatch" in p]
        self.assertEqual(enabled, [], "the package enabled the service")

        self.chroot("dpkg", "-r", "shmwatch")
        self.assertEqual(self.status(), "rc")
        self.assertEqual(self.present(paths), existed | {CONFFILE})
        # deb-systemd-helper keeps what it knows of the unit until the purge.
        self.assertEqual(sorted(set(snapshot(root)) - set(before)),
                         [CONFFILE, DSH_STATE + "/shmwatch.service.dsh-also"])

        self.chroot("dpkg", "--purge", "shmwatch")
        self.assertIsNone(self.status())
        self.assertEqual(self.present(paths), existed)
        after = snapshot(root)
        self.assertEqual(sorted(set(after) - set(before)), [], "left behind by the package")
        self.assertEqual(sorted(set(before) - set(after)), [], "removed by the package")
        self.assertEqual({p for p in before if before[p] != after[p]}, set())

    def configure_apt(self):
        """The sources a Debian 12 installation has, from this machine's
        mirrors, and its resolver."""
        mirror = mirror_for(SUITE, DEFAULT_MIRROR)
        lines = ["deb %s %s main" % (mirror, SUITE), "deb %s %s-updates main" % (mirror, SUITE)]
        security = mirror_for(SUITE + "-security")
        if security:
            lines.append("deb %s %s-security main" % (security, SUITE))
        with open(self.root + "/etc/apt/sources.list", "w") as f:
            f.write("\n".join(lines) + "\n")
        resolv = self.root + "/etc/resolv.conf"
        if os.path.lexists(resolv):
            os.unlink(resolv)
        shutil.copy("/etc/resolv.conf", resolv)

    def unmount(self, point):
        if point in mounts_under(point):
            subprocess.run(["umount", point], check=True)

    def chroot(self, *argv, check=True):
        proc = subprocess.run(["chroot", self.root] + list(argv), env=CHROOT_ENV,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=900)
        if check:
            self.assertEqual(proc.returncode, 0, "%s:\n%s" % (
                " ".join(argv), tail(proc.stdout + proc.stderr)))
        return proc

    def present(self, paths):
        """Which of paths exist in the chroot, looked up from inside it
        (/lib is a symbolic link there)."""
        script = 'for p; do if [ -e "$p" ] || [ -L "$p" ]; then echo "$p"; fi; done'
        return set(self.chroot("sh", "-c", script, "sh", *paths).stdout.splitlines())

    def packages(self):
        out = self.chroot("dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Package}\n").stdout
        return {l.split()[1] for l in out.splitlines() if l.startswith("ii")}

    def status(self):
        """shmwatch's dpkg status ('ii', 'rc'), None when dpkg forgot it."""
        proc = self.chroot("dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "shmwatch",
                           check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None


if __name__ == "__main__":
    unittest.main()
