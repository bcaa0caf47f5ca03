# SPDX-License-Identifier: GPL-2.0
"""Paths as the traced process sees them, and paths that cannot be built
whole.  A /dev/shm object deeper than the kernel side climbs, or with a
path longer than a record holds, is marked truncated, matches no unlink
and gives no leak verdict (before, its cut path was announced as if
whole and its unlink was missed: a false shm-object-leak).  Inside a
chroot, object paths start at the chroot's root, so an unlink by the
same path matches its object; and shmwatch's own relative -o path keeps
working (it once wrote to the root directory after its mount namespace
step).  The same /dev/shm name in the host and in a mount namespace with
a tmpfs of its own names two files: the removal of one is not taken for
the other's (it once was, in the kernel and in the analyzer)."""
import os
import shutil
import subprocess

from common import BpfTestCase, SHMWATCH, events, read_log

PY = "/usr/bin/python3"

# Create NAME (relative to the cwd it is given), size it, close, unlink.
MAKE_AND_REMOVE = r"""
import os, sys
path = sys.argv[1]
fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
os.ftruncate(fd, 8192)
os.close(fd)
os.unlink(path)
"""


def findings(records, rule=None):
    return [r for r in records if r["type"] == "finding" and (rule is None or r["rule"] == rule)]


class CutPathTest(BpfTestCase):
    def setUp(self):
        super().setUp()
        self.top = "/dev/shm/shmwatch-test-deep-%d" % os.getpid()
        self.addCleanup(shutil.rmtree, self.top, True)

    def run_one(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--", PY, "-c", MAKE_AND_REMOVE, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = self.track(read_log(log))
        created = [e for e in events(records, "ftruncate") if e.get("object", {}).get("created")]
        self.assertEqual(len(created), 1, records)
        return records, created[0]

    def test_deep_path_is_marked_truncated_and_gives_no_leak(self):
        records, created = self.run_one(os.path.join(self.top, "a/b/c/d/e/f/g/h/obj"))
        self.assertTrue(created.get("name_truncated"), created)
        self.assertEqual(findings(records, "shm-object-leak"), [])

    def test_long_path_is_marked_truncated_and_gives_no_leak(self):
        records, created = self.run_one(os.path.join(self.top, "n" * 70))
        self.assertTrue(created.get("name_truncated"), created)
        self.assertEqual(findings(records, "shm-object-leak"), [])

    def test_whole_path_still_matches_its_unlink(self):
        records, created = self.run_one(os.path.join(self.top, "a/b/obj"))
        self.assertFalse(created.get("name_truncated", False))
        self.assertEqual(created["object"]["name"], os.path.join(self.top, "a/b/obj"))
        unlinks = events(records, "unlink")
        self.assertEqual(len(unlinks), 1)
        self.assertEqual(unlinks[0]["object"]["ino"], created["object"]["ino"])


class ChrootTest(BpfTestCase):
    """A chroot with the host's /usr (read-only), /proc and /sys, this
    build at /build, and a tmpfs of its own as /dev/shm."""

    def setUp(self):
        super().setUp()
        self.root = self.path("root")
        for d in ("usr", "proc", "sys", "build", "dev/shm", "work"):
            os.makedirs(os.path.join(self.root, d))
        for d in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink("/" + d):
                os.symlink(os.readlink("/" + d), os.path.join(self.root, d))
        self.mount(["--bind", "-o", "ro", "/usr", "usr"])
        self.mount(["--bind", "/proc", "proc"])
        self.mount(["--bind", "/sys", "sys"])
        self.mount(["--bind", "-o", "ro", os.path.dirname(SHMWATCH), "build"])
        self.mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", "dev/shm"])

    def mount(self, args):
        target = os.path.join(self.root, args[-1])
        subprocess.run(["mount"] + args[:-1] + [target], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", target])

    def test_object_paths_start_at_the_chroot(self):
        out = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", out, "--", "chroot", self.root, PY, "-c",
                               MAKE_AND_REMOVE, "/dev/shm/obj"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = self.track(read_log(out))
        created = [e for e in events(records, "ftruncate") if e.get("object", {}).get("created")]
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["object"]["name"], "/dev/shm/obj")
        unlinks = events(records, "unlink")
        self.assertEqual(len(unlinks), 1)
        self.assertEqual(unlinks[0]["object"]["ino"], created[0]["object"]["ino"])
        self.assertEqual(findings(records, "shm-object-leak"), [])

    def test_shmwatch_inside_a_chroot_keeps_its_root_and_cwd(self):
        """Rotation renames and SIGHUP reopens in the chroot's /work."""
        script = ('cd /work && exec /build/shmwatch -q -o rot.json --rotate-size 64K '
                  '--rotate-keep 1000 -- /build/tests/workloads/flood 3000')
        proc = subprocess.run(["chroot", self.root, "/bin/sh", "-c", script],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        work = os.path.join(self.root, "work")
        names = sorted(os.listdir(work))
        self.assertIn("rot.json.1", names)
        records = []
        for n in names:
            records += read_log(os.path.join(work, n))
        final = [r for r in records if r["type"] == "stats" and r.get("final")]
        self.assertEqual(len(final), 1, names)
        self.assertEqual(len(events(records, "shmdt")) + final[0]["lost_by"]["shmdt"], 3000)


# The traced command: NAME in this mount namespace, NAME in one with a
# /dev/shm of its own, and the namespace's process removes its NAME.
# "ns-first": the namespace's is made first, the host's while it waits
# to remove it; "host-first": the host's is made first.
TWO_VIEWS = r'''
import os, subprocess, sys, time
name, order, tmp = sys.argv[1:4]
ready, go = os.path.join(tmp, "ready"), os.path.join(tmp, "go")
child = """
import os, sys, time
name, ready, go = sys.argv[1:4]
fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
os.ftruncate(fd, 4096)
os.close(fd)
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
os.unlink(name)
"""
def host():
    fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    os.ftruncate(fd, 8192)
    os.close(fd)
if order == "host-first":
    host()
    open(go, "w").close()
ns = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                       'mount -t tmpfs -o size=1m none /dev/shm && exec "$@"', "sh",
                       sys.executable, "-c", child, name, ready, go])
while not os.path.exists(ready) and ns.poll() is None:
    time.sleep(0.01)
if order == "ns-first":
    host()
    open(go, "w").close()
sys.exit(ns.wait())
'''


class MountNamespaceTest(BpfTestCase):
    def run_order(self, order):
        name = "/dev/shm/shmwatch-test-views-%d" % os.getpid()
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--", PY, "-c", TWO_VIEWS, name, order,
                               self.tmp],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = self.track(read_log(log))
        made = {e["args"]["length"]: e["object"] for e in events(records, "ftruncate")
                if e["object"].get("created")}
        self.assertEqual(sorted(made), [4096, 8192], records)
        host, ns = made[8192], made[4096]
        self.assertNotEqual(host["dev"], ns["dev"])
        self.assertEqual(host["name"], name)
        self.assertEqual(ns["name"], name)
        # Still there, and said to be.
        self.assertEqual(os.stat(name).st_size, 8192)
        # The namespace's removal is of the namespace's file: the kernel
        # side names the file announced last under the path only if the
        # unlink took its last link, so with the host's announced last it
        # names none and the analyzer finds the namespace's by name.
        unlinks = events(records, "unlink")
        self.assertEqual(len(unlinks), 1, unlinks)
        named = unlinks[0].get("object")
        if order == "ns-first":
            self.assertIsNone(named, unlinks[0])
        else:
            self.assertEqual((named["dev"], named["ino"]), (ns["dev"], ns["ino"]))
        views = {r["dev"]: r for r in records if r["type"] == "tmpfs"}
        self.assertIn(host["dev"], views, records)
        left = [b for b in views[host["dev"]]["biggest"] if b["path"] == name]
        self.assertEqual([(b["size"], b["unlinked"]) for b in left], [(8192, False)],
                         views[host["dev"]])
        if ns["dev"] in views:
            self.assertEqual(views[ns["dev"]]["objects"], 0, views[ns["dev"]])

    def test_removal_in_a_namespace_is_of_its_own_file(self):
        """The namespace's file is made, then the host's with the same
        name: the kernel side took the namespace's unlink for the host's
        file, the one announced last under that path, and the host's
        /dev/shm showed nothing left."""
        self.run_order("ns-first")

    def test_host_file_outlives_a_namespace_file_of_the_same_name(self):
        """The host's file is made first: the analyzer took the
        namespace's file for a new one at the host's path, and the host's
        for removed, so the host's /dev/shm showed nothing left."""
        self.run_order("host-first")


class RelativeLogTest(BpfTestCase):
    def test_relative_log_path_rotation_and_reopen_stay_in_the_cwd(self):
        work = self.path("work")
        os.mkdir(work)
        flood = os.path.join(os.environ.get("SHMWATCH_BUILD", "build"), "tests", "workloads",
                             "flood")
        before_root = set(os.listdir("/"))
        proc = subprocess.run([SHMWATCH, "-q", "-o", "rot.json", "--rotate-size", "64K",
                               "--rotate-keep", "1000", "--", flood, "3000"], cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(set(os.listdir("/")) - before_root, set(), "files written in /")
        names = sorted(os.listdir(work))
        self.assertIn("rot.json", names)
        self.assertIn("rot.json.1", names)
        records = []
        for n in names:
            records += read_log(os.path.join(work, n))
        final = [r for r in records if r["type"] == "stats" and r.get("final")]
        self.assertEqual(len(final), 1)
        self.assertEqual(len(events(records, "shmdt")) + final[0]["lost_by"]["shmdt"], 3000)
