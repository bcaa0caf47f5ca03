# SPDX-License-Identifier: GPL-2.0
"""Shared memory in real containers (podman): `shmwatch ls` tells each
container's own /dev/shm, and the processes that hold its files, by the
container they run in, and --container keeps one container's and leaves
the host's and the other's out.  No BPF is loaded."""
import json
import os
import subprocess
import unittest

from common import ROOT, SHMWATCH, ScratchTestCase
from podman import Podman

MiB = 1 << 20


class LsInContainersTest(ScratchTestCase):
    def setUp(self):
        reason = Podman.skip_reason()
        if reason:
            self.skipTest(reason)
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        super().setUp()
        self.podman = Podman(self, self.tmp)
        prog = self.path("container_shm")
        subprocess.run(["cc", "-static", "-O2", "-o", prog,
                        os.path.join(ROOT, "tests", "workloads", "container_shm.c")],
                       check=True, timeout=120)
        self.image = self.podman.image({"/container_shm": prog})

    def ls(self, *args):
        proc = subprocess.run([SHMWATCH, "ls"] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def ls_json(self, *args):
        return [json.loads(l) for l in self.ls("--format", "json", *args).splitlines()]

    def test_each_container_its_own_dev_shm(self):
        # One fills 3 of its 8 MiB, the other 1 of its 4 MiB.
        a_id, a_pid = self.podman.start(self.image, ["/container_shm", "/dev/shm/blob-a",
                                                     str(3 * MiB), "120"], "--shm-size=8m")
        b_id, b_pid = self.podman.start(self.image, ["/container_shm", "/dev/shm/blob-b",
                                                     str(1 * MiB), "120"], "--shm-size=4m")
        records = self.ls_json()
        mounts = {r["container"]["id"]: r for r in records
                  if r["type"] == "mount" and "container" in r}
        self.assertIn(a_id, mounts, records)
        self.assertIn(b_id, mounts, records)
        for cid, size, used in ((a_id, 8 * MiB, 3 * MiB), (b_id, 4 * MiB, 1 * MiB)):
            m = mounts[cid]
            self.assertEqual(m["container"]["runtime"], "podman")
            self.assertEqual(m["mount"], "/dev/shm")
            self.assertEqual(m["fs_size"], size)
            self.assertGreaterEqual(m["fs_used"], used)
            self.assertLess(m["fs_used"], used + MiB)
        files = {r["path"]: r for r in records if r["type"] == "file"}
        for path, pid, cid, size in (("/dev/shm/blob-a", a_pid, a_id, 3 * MiB),
                                     ("/dev/shm/blob-b", b_pid, b_id, 1 * MiB)):
            f = [r for r in records if r["type"] == "file" and r["path"] == path]
            self.assertEqual(len(f), 1, files.keys())
            self.assertEqual(f[0]["size"], size)
            self.assertEqual(f[0]["verdict"], "in-use")
            holders = {h["pid"]: h for h in f[0]["holders"]}
            self.assertIn(pid, holders)
            self.assertEqual(holders[pid]["container"]["id"], cid)
        # One container: its mount and file, nothing of the other or the host.
        text = self.ls("--container", a_id[:12])
        self.assertIn("tmpfs /dev/shm of container podman:%s" % a_id[:12], text)
        self.assertIn("/dev/shm/blob-a", text)
        self.assertIn("in podman:%s" % a_id[:12], text)
        self.assertNotIn("blob-b", text)
        self.assertNotIn(b_id[:12], text)
        self.assertNotIn("tmpfs /dev/shm (", text)  # the host's own, no container
        only_a = self.ls_json("--container", a_id[:12])
        self.assertTrue(only_a)
        for r in only_a:
            if r["type"] == "mount":
                self.assertEqual(r.get("container", {}).get("id"), a_id, r)
        # The host: neither container's mount nor file.
        host = self.ls_json("--container", "host")
        self.assertFalse([r for r in host if "container" in r or
                          any("container" in h for h in r.get("holders", []))], host)
        self.assertFalse([r for r in host if r.get("path", "").startswith("/dev/shm/blob-")])

    def test_bad_container_selector(self):
        proc = subprocess.run([SHMWATCH, "ls", "--container", ""], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
        self.assertEqual(proc.stdout, "")


if __name__ == "__main__":
    unittest.main()
