# SPDX-License-Identifier: GPL-2.0
"""The end-of-run usage views under the real BPF programs: a memory
filesystem's peak and what held it (`tmpfs`), and SysV shared memory's
peak per IPC namespace with what held it and the limits that would have
sufficed (`sysv`)."""
import os
import subprocess

from common import BpfTestCase, SCENARIOS, SHMWATCH, events, read_log

PYTHON = "/usr/bin/python3"  # Debian's, as in test_scenarios
MiB = 1 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")

# Segments of 1 MiB and 3 MiB + 1 byte, the first removed, then one of
# 512 KiB: the peak is the first two.  The program removes all it made.
SYSV = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.restype = ctypes.c_int
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
ids = []
def make(size):
    i = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(size), IPC_CREAT | 0o600)
    assert i >= 0, ctypes.get_errno()
    ids.append(i)
    return i
def remove(i):
    assert libc.shmctl(i, IPC_RMID, None) == 0
    ids.remove(i)
try:
    a = make(1 << 20)
    b = make((3 << 20) + 1)
    remove(a)
    make(512 << 10)
finally:
    for i in list(ids):
        remove(i)
"""

# On a 1 MiB tmpfs: 20 pages written from CPU 1, which stay in that CPU's
# part of the mount's used-blocks counter, then CPU 0 writes until the
# mount refuses a page (ENOSPC).  Both files are removed at the end.
LAGGED_FILL = """
import errno, os, sys
d = sys.argv[1]
def writer(cpu, pages):
    os.sched_setaffinity(0, {cpu})
    fd = os.open(os.path.join(d, "f%d" % cpu), os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for _ in range(pages):
            os.write(fd, b"x" * 4096)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            os._exit(1)
    os._exit(0)
try:
    for cpu, pages in ((1, 20), (0, 1 << 20)):
        pid = os.fork()
        if pid == 0:
            writer(cpu, pages)
        assert os.waitpid(pid, 0)[1] == 0
finally:
    for cpu in (0, 1):
        try:
            os.unlink(os.path.join(d, "f%d" % cpu))
        except FileNotFoundError:
            pass
"""


class UsageTest(BpfTestCase):
    def trace(self, argv):
        log = os.path.join(self.tmp, "trace.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--"] + argv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        records = read_log(log)
        # Whatever the outcome, the segments the program made go.
        self.pids.update(e["pid"] for e in events(records, "shmget"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return records

    def test_tmpfs_peak_held(self):
        """A pool of workers on an 8 MiB tmpfs (the clean twin of
        shm_pool_full): at the peak two 1.5 MiB buffers were linked
        there, and the view names them with their creators."""
        records = self.trace([os.path.join(SCENARIOS, "shm_pool_full_clean")])
        views = [r for r in records if r["type"] == "tmpfs" and r["fs_size"] == 8 * MiB]
        self.assertEqual(len(views), 1, views)
        v = views[0]
        self.assertGreaterEqual(v["peak_used"], 3 * MiB)
        held = {os.path.basename(h["path"]): h for h in v["peak_held"]}
        self.assertIn("w2", held)
        self.assertIn("w3", held)
        for name in ("w2", "w3"):
            self.assertEqual(held[name]["size"], 1536 * 1024)
            self.assertFalse(held[name]["unlinked"])
            self.assertNotEqual(held[name]["creator_pid"], 0)
        self.assertLessEqual(sum(h["size"] for h in v["peak_held"]), v["fs_size"])
        # Each worker removed its file: nothing is left on the mount.
        self.assertEqual(v["objects"], 0)
        self.assertEqual(v["biggest"], [])

    def test_full_mount_is_full_whatever_other_cpus_hold(self):
        """The kernel's count of a tmpfs's used blocks lags by what other
        CPUs have not folded into it, even when the mount refuses a page:
        the write refused with ENOSPC shows the mount full, and the
        finding and the peak say so, not the lagging count."""
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("needs two CPUs: the count lags by another CPU's part")
        log = os.path.join(self.tmp, "trace.json")
        prog = os.path.join(self.tmp, "fill.py")
        with open(prog, "w") as f:
            f.write(LAGGED_FILL)
        # The 1 MiB tmpfs is over /dev/shm in a mount namespace of its own,
        # gone with it.
        proc = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs -o size=1m none /dev/shm && exec "$@"', "sh",
             SHMWATCH, "--writes", "-q", "-o", log, "--", PYTHON, prog, "/dev/shm"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = read_log(log)
        refused = [e for e in events(records, "write") if e["errno"] == "ENOSPC"]
        self.assertEqual(len(refused), 1, refused)
        self.assertEqual(refused[0]["object"]["fs_size"], MiB)
        found = [r for r in records if r["type"] == "finding"]
        self.assertEqual([f["rule"] for f in found], ["shm-space-exhausted"], found)
        self.assertIn("had 0 B free, 1.0 MiB used", found[0]["message"])
        views = [r for r in records if r["type"] == "tmpfs" and r["fs_size"] == MiB]
        self.assertEqual(len(views), 1, views)
        self.assertEqual(views[0]["peak_used"], MiB)

    def check_sysv(self, v):
        self.assertEqual(v["segments"], 0)
        self.assertEqual(v["bytes"], 0)
        self.assertEqual(v["peak_bytes"], 4 * MiB + 1)
        self.assertEqual(v["peak_bytes_segments"], 2)
        self.assertEqual(v["peak_segments"], 2)
        self.assertEqual(v["biggest_size"], 3 * MiB + 1)
        self.assertEqual(v["sufficient_shmall"], MiB // PAGE + (3 * MiB) // PAGE + 1)
        self.assertEqual(v["sufficient_shmmni"], 2)
        self.assertEqual(v["sufficient_shmmax"], 3 * MiB + 1)
        self.assertEqual([h["size"] for h in v["peak_held"]], [3 * MiB + 1, MiB])
        self.assertEqual(v["biggest"], [])

    def test_sysv_peak(self):
        """The initial namespace: the peak, what held it, and the limits
        shmwatch read, which are the kernel's."""
        records = self.trace([PYTHON, "-c", SYSV])
        made = events(records, "shmget")
        self.assertEqual(len(made), 3)
        views = [r for r in records if r["type"] == "sysv"]
        self.assertEqual([v["ipc_ns"] for v in views], [made[0].get("ipc_ns", 0)], views)
        v = views[0]
        self.check_sysv(v)
        self.assertEqual([h["shmid"] for h in v["peak_held"]], [made[1]["ret"], made[0]["ret"]])
        pid = made[0]["pid"]
        self.assertEqual({h["creator_pid"] for h in v["peak_held"]}, {pid})
        with open("/proc/sys/kernel/shmmni") as f:
            self.assertEqual(v["shmmni"], int(f.read()))
        with open("/proc/sys/kernel/shmall") as f:
            self.assertEqual(v["shmall"], int(f.read()))

    def test_sysv_peak_in_another_namespace(self):
        """A program in its own IPC namespace (as in a container) gets a
        view of its own, whose limits shmwatch cannot read."""
        records = self.trace(["unshare", "--ipc", PYTHON, "-c", SYSV])
        made = events(records, "shmget")
        self.assertEqual(len(made), 3)
        self.assertNotEqual(made[0].get("ipc_ns", 0), 0)
        views = [r for r in records if r["type"] == "sysv"]
        self.assertEqual([v["ipc_ns"] for v in views], [made[0]["ipc_ns"]], views)
        self.check_sysv(views[0])
        self.assertEqual((views[0]["shmall"], views[0]["shmmni"], views[0]["shmmax"]), (0, 0, 0))
