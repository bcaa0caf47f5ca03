# SPDX-License-Identifier: GPL-2.0
"""`shmwatch ls`, the inventory read from /proc with no BPF: a leaked SysV
segment, a segment removed while attached, a /dev/shm file whose creator
exited, a file deleted while a live process maps it, a memfd shared by two
processes, and a file on a container-like private /dev/shm.  Each must be
listed with the holders /proc shows (computed here independently) and
the right verdict.  The test removes everything it made."""
import ctypes
import json
import os
import subprocess
import time

from common import SHMWATCH, ScratchTestCase, remove_segment

PYTHON = "/usr/bin/python3"
MiB = 1 << 20

# Makes the objects, prints one JSON line naming them, then waits for
# stdin to close.  Children hold what they inherit.
HOLDER = r"""
import ctypes, json, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.restype = ctypes.c_int
libc.shmat.restype = ctypes.c_void_p
tag = sys.argv[1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:                       # leaks a segment and a file, then exits
    os.close(r)
    leak = libc.shmget(0, ctypes.c_size_t(1 << 20), 0o1000 | 0o600)
    fd = os.open("/dev/shm/%s-left" % tag, os.O_CREAT | os.O_RDWR, 0o600)
    os.ftruncate(fd, 65536)
    os.write(fd, b"x" * 8192)
    os.write(w, str(leak).encode())
    os._exit(0)
os.close(w)
leak = int(os.read(r, 64))
os.waitpid(pid, 0)
fd = os.open("/dev/shm/%s-gone" % tag, os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 2 << 20)
gone = mmap.mmap(fd, 2 << 20)
gone[:4096] = b"y" * 4096
os.close(fd)
os.unlink("/dev/shm/%s-gone" % tag)
mfd = os.memfd_create("%s-pool" % tag)
os.ftruncate(mfd, 4 << 20)
pool = mmap.mmap(mfd, 4 << 20)
removed = libc.shmget(0, ctypes.c_size_t(3 << 20), 0o1000 | 0o600)
assert libc.shmat(removed, None, 0) not in (None, ctypes.c_void_p(-1).value)
assert libc.shmctl(removed, 0, None) == 0
child = os.fork()
if child == 0:                     # shares the memfd, the mapping and the attachment
    sys.stdin.read()
    os._exit(0)
print(json.dumps({"leak": leak, "removed": removed, "child": child}), flush=True)
sys.stdin.read()
os.waitpid(child, 0)
"""

# In a private mount namespace with its own /dev/shm (as a container has):
# one file, held open.
CONTAINER = r"""
import os, sys
fd = os.open("/dev/shm/%s-inside" % sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 12345)
print(os.readlink("/proc/self/ns/mnt"), flush=True)
sys.stdin.read()
"""


def proc_holders(match_map, match_fd):
    """{pid: (maps, fds)} from /proc for the lines and fd targets that match."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        maps = fds = 0
        try:
            with open("/proc/%s/maps" % name) as f:
                maps = sum(1 for line in f if match_map(line.split()))
            for fd in os.listdir("/proc/%s/fd" % name):
                try:
                    st = os.stat("/proc/%s/fd/%s" % (name, fd))
                except OSError:
                    continue
                fds += match_fd(os.readlink("/proc/%s/fd/%s" % (name, fd)), st)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if maps or fds:
            out[int(name)] = (maps, fds)
    return out


class LsTest(ScratchTestCase):
    def setUp(self):
        super().setUp()
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        self.tag = "shmwatch-test-ls-%d" % os.getpid()
        self.segments = []
        self.addCleanup(self.remove_all)

    def remove_all(self):
        for shmid in self.segments:
            remove_segment(shmid)
        for suffix in ("left", "gone"):
            try:
                os.unlink("/dev/shm/%s-%s" % (self.tag, suffix))
            except FileNotFoundError:
                pass

    def start(self, argv):
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.procs.append(p)
        self.addCleanup(p.stdin.close)
        return p, p.stdout.readline()

    def ls(self, *args):
        proc = subprocess.run([SHMWATCH, "ls", "--format", "json"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return [json.loads(line) for line in proc.stdout.splitlines()]

    def holders(self, record):
        return {h["pid"]: (h["maps"], h["fds"]) for h in record["holders"]}

    def test_objects_holders_and_verdicts(self):
        p, line = self.start([PYTHON, "-c", HOLDER, self.tag])
        made = json.loads(line)
        self.segments += [made["leak"], made["removed"]]
        records = self.ls()
        segs = {r["shmid"]: r for r in records if r["type"] == "segment"}
        files = {r.get("path") or r.get("name"): r for r in records
                 if r["type"] in ("file", "memfd")}

        leak = segs[made["leak"]]
        self.assertEqual((leak["size"], leak["nattch"], leak["verdict"]),
                         (MiB, 0, "orphaned"))
        self.assertTrue(leak["creator_exited"])
        self.assertEqual(leak["holders"], [])

        removed = segs[made["removed"]]
        self.assertEqual((removed["size"], removed["nattch"], removed["removed"],
                          removed["verdict"]), (3 * MiB, 2, True, "deleted-but-held"))
        self.assertEqual(removed["creator_pid"], p.pid)
        self.assertFalse(removed["creator_exited"])
        self.assertEqual(self.holders(removed), proc_holders(
            lambda f: len(f) >= 6 and f[5].startswith("/SYSV") and int(f[4]) == made["removed"],
            lambda link, st: False))
        self.assertEqual(set(self.holders(removed)), {p.pid, made["child"]})

        left = files["/dev/shm/%s-left" % self.tag]
        self.assertEqual((left["size"], left["allocated"], left["deleted"], left["verdict"]),
                         (65536, 8192, False, "unheld"))
        self.assertEqual(left["mount"], "/dev/shm")

        gone = files["/dev/shm/%s-gone" % self.tag]
        self.assertEqual((gone["size"], gone["deleted"], gone["verdict"]),
                         (2 * MiB, True, "deleted-but-held"))
        ino = gone["ino"]
        self.assertEqual(self.holders(gone), proc_holders(
            lambda f: len(f) >= 5 and f[1].endswith("s") and int(f[4]) == ino and
            "/dev/shm/%s-gone" % self.tag in " ".join(f[5:]),
            lambda link, st: st.st_ino == ino and link.startswith("/dev/shm/%s-gone" % self.tag)))
        self.assertEqual(set(self.holders(gone)), {p.pid, made["child"]})

        pool = files["memfd:%s-pool" % self.tag]
        self.assertEqual((pool["size"], pool["verdict"]), (4 * MiB, "in-use"))
        pino = pool["ino"]
        self.assertEqual(self.holders(pool), proc_holders(
            lambda f: len(f) >= 6 and f[1].endswith("s") and int(f[4]) == pino and
            f[5] == "/memfd:%s-pool" % self.tag,
            lambda link, st: st.st_ino == pino and link.startswith("/memfd:%s-pool" % self.tag)))
        self.assertEqual(set(self.holders(pool)), {p.pid, made["child"]})

        # The filters: what the child holds; what nobody holds.
        mine = {r.get("shmid") or r.get("path") or r.get("name")
                for r in self.ls("-p", str(made["child"])) if r["type"] != "mount"}
        self.assertEqual(mine, {made["removed"], "/dev/shm/%s-gone" % self.tag,
                                "memfd:%s-pool" % self.tag})
        nobody = {r.get("shmid") or r.get("path")
                  for r in self.ls("--orphaned") if r["type"] != "mount"}
        self.assertIn(made["leak"], nobody)
        self.assertIn("/dev/shm/%s-left" % self.tag, nobody)
        self.assertNotIn(made["removed"], nobody)

    def test_private_dev_shm_of_another_mount_namespace(self):
        script = "mount -t tmpfs -o size=1m tmpfs /dev/shm && exec %s -c '%s' %s" % (
            PYTHON, CONTAINER.replace("'", "'\\''"), self.tag)
        p, ns = self.start(["unshare", "-m", "--propagation", "private", "sh", "-c", script])
        ns = int(ns.strip()[len("mnt:["):-1])
        records = self.ls()
        mounts = [r for r in records if r["type"] == "mount" and r["mnt_ns"] == ns]
        self.assertEqual(len(mounts), 1, records)
        self.assertEqual((mounts[0]["mount"], mounts[0]["fs_size"]), ("/dev/shm", MiB))
        inside = [r for r in records if r["type"] == "file" and r["dev"] == mounts[0]["dev"]]
        self.assertEqual([r["path"] for r in inside], ["/dev/shm/%s-inside" % self.tag])
        self.assertEqual(inside[0]["size"], 12345)
        self.assertEqual([h["pid"] for h in inside[0]["holders"]], [p.pid])
        self.assertEqual(inside[0]["verdict"], "in-use")
        # The host's /dev/shm does not have it.
        self.assertFalse(os.path.exists("/dev/shm/%s-inside" % self.tag))

    def test_bad_usage(self):
        for args, msg in ((["--format", "xml"], "invalid format 'xml' (text or json)"),
                          (["-p", "0"], "invalid pid '0'"),
                          (["extra"], "ls takes no operand ('extra')")):
            proc = subprocess.run([SHMWATCH, "ls"] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
            self.assertEqual(proc.returncode, 2)
            self.assertEqual(proc.stdout, "")
            self.assertEqual(proc.stderr.strip().splitlines(),
                             ["shmwatch: %s (see shmwatch ls --help)" % msg])
        out = os.path.join(self.tmp, "no-such-dir", "x")
        proc = subprocess.run([SHMWATCH, "ls", "-o", out], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.strip().splitlines(),
                         ["shmwatch: can't write %s: No such file or directory" % out])
