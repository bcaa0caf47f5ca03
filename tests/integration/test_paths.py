# SPDX-License-Identifier: GPL-2.0
"""Paths as the traced process sees them, and paths that cannot be built
whole.  A /dev/shm object deeper than the kernel side climbs, or with a
path longer than a record holds, is marked truncated, matches no unlink
and gives no leak verdict (before, its cut path was announced as if
whole and its unlink was missed: a false shm-object-leak).  Inside a
chroot, object paths start at the chroot's root, so an unlink by the
same path matches its object; and shmwatch's own relative -o path keeps
working (it once wrote to the root directory after its mount namespace
step)."""
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
