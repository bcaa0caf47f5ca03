# SPDX-License-Identifier: GPL-2.0
"""Shared plumbing for the integration tests: find the build, decide once
whether BPF programs can be loaded here, run shmwatch as a tracer around a
workload, read its NDJSON log back, and clean up every segment, process
and file a test made, even when the test fails."""
import ctypes
import json
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

BUILD = os.environ.get("SHMWATCH_BUILD", os.path.abspath("build"))
SHMWATCH = os.path.join(BUILD, "shmwatch")
WORKLOADS = os.path.join(BUILD, "tests", "workloads")
SCENARIOS = os.path.join(BUILD, "tests", "scenarios")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_libc = ctypes.CDLL(None, use_errno=True)
_skip_reason = None
_probed = False


def bpf_skip_reason():
    """None if shmwatch can load its programs here, else why not."""
    global _skip_reason, _probed
    if _probed:
        return _skip_reason
    _probed = True
    if not os.path.exists(SHMWATCH):
        _skip_reason = "%s is not built" % SHMWATCH
    elif os.geteuid() != 0:
        _skip_reason = "needs root (CAP_BPF and CAP_PERFMON) to load BPF programs"
    elif not os.path.exists("/sys/kernel/btf/vmlinux"):
        _skip_reason = "kernel has no BTF (/sys/kernel/btf/vmlinux)"
    else:
        proc = subprocess.run([SHMWATCH, "-q", "-d", "0.2", "--comm", "no-such-comm"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            _skip_reason = "shmwatch cannot trace here: " + proc.stderr.strip()
    return _skip_reason


def read_log(path):
    """Every record of an NDJSON log; each line must be valid JSON."""
    records = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            assert line.endswith("\n"), "%s:%d: line not terminated" % (path, n)
            records.append(json.loads(line))
    return records


def events(records, call=None, pid=None):
    out = [r for r in records if r["type"] == "event"]
    if call is not None:
        out = [r for r in out if r["call"] == call]
    if pid is not None:
        out = [r for r in out if r["pid"] == pid]
    return out


def segments():
    """Live SysV segments as {shmid: {key, size, cpid, lpid, nattch}}."""
    segs = {}
    with open("/proc/sysvipc/shm") as f:
        cols = f.readline().split()
        for line in f:
            row = dict(zip(cols, line.split()))
            segs[int(row["shmid"])] = {"key": int(row["key"]), "size": int(row["size"]),
                                       "cpid": int(row["cpid"]), "lpid": int(row["lpid"]),
                                       "nattch": int(row["nattch"])}
    return segs


def remove_segment(shmid):
    _libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(0), None)  # IPC_RMID


def remove_segments_of(pids):
    """Remove every segment created by one of pids (tests that leak on
    purpose, and tests that failed half-way)."""
    pids = set(pids)
    for shmid, s in segments().items():
        if s["cpid"] in pids:
            remove_segment(shmid)


def shm_objects():
    """Names of the POSIX shm objects the tests and scenarios make."""
    return {n for n in os.listdir("/dev/shm") if n.startswith("shmwatch-test-")}


def _held_prog_ids():
    """Ids of BPF programs some live process holds an fd of."""
    held = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fddir = "/proc/%s/fdinfo" % pid
        try:
            fds = os.listdir(fddir)
        except OSError:
            continue
        for fd in fds:
            try:
                with open(os.path.join(fddir, fd)) as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            held.add(int(line.split()[1]))
            except (OSError, ValueError):
                continue
    return held


def our_bpf_programs(settle=3.0):
    """shmwatch's BPF programs (bpf/shmwatch.bpf.c names them sw_<hook>)
    that no live process holds: what a crashed or careless shmwatch would
    leave behind.  Programs of another shmwatch running right now are held
    by it and do not count; the kernel frees a closed program a moment
    later, so wait up to `settle` seconds for the list to empty."""
    deadline = time.time() + settle
    while True:
        left = _unheld_programs()
        if not left or time.time() >= deadline:
            return left
        time.sleep(0.1)


def _unheld_programs():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    try:
        progs = json.loads(out or "[]")
    except ValueError:
        return []
    ours = [p for p in progs if str(p.get("name", "")).startswith("sw_")]
    if not ours:
        return []
    held = _held_prog_ids()
    return [p["name"] for p in ours if p["id"] not in held]


class Tracer:
    """shmwatch running in the background with a log; use as a context
    manager.  start() returns once the probes are attached."""

    def __init__(self, args, log, stdin=None, stdout=subprocess.DEVNULL):
        self.args = [SHMWATCH] + list(args)
        self.log = log
        if log:  # before the arguments: they may end with "-- COMMAND"
            self.args[1:1] = ["-o", log]
        self.proc = subprocess.Popen(self.args,
                                     stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                                     text=True)
        self.stderr_lines = []

    def wait_attached(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            if line.startswith("shmwatch: tracing"):
                return
        raise AssertionError("shmwatch did not attach: %s" % "".join(self.stderr_lines))

    def stop(self, sig=signal.SIGINT, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("shmwatch did not stop on %s" % sig)
        self.stderr_lines.append(self.proc.stderr.read())
        return self.proc.returncode

    def stderr(self):
        return "".join(self.stderr_lines)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


class ScratchTestCase(unittest.TestCase):
    """Gives each test a temporary directory and removes it, and the
    processes it started, whatever the outcome."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="shmwatch-test-")
        self.procs = []
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.addCleanup(self.stop_procs)

    def stop_procs(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p


class BpfTestCase(ScratchTestCase):
    """Skips with the reason when BPF cannot be used; besides what
    ScratchTestCase removes, removes the segments the test's processes
    made and the shmwatch-test-* objects that appeared in /dev/shm."""

    def setUp(self):
        reason = bpf_skip_reason()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.pids = set()
        self.shm_objects_before = shm_objects()
        self.tmpfs_dirs_before = set(glob.glob("/tmp/shmwatch-test-tmpfs-*"))
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self.stop_procs()
        self.pids.update(p.pid for p in self.procs)
        remove_segments_of(self.pids)
        for name in shm_objects() - self.shm_objects_before:
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except FileNotFoundError:
                pass
        # A killed tmpfs scenario leaves its (unmounted) mount point.
        for d in glob.glob("/tmp/shmwatch-test-tmpfs-*"):
            if d not in self.tmpfs_dirs_before:
                try:
                    os.rmdir(d)
                except OSError:
                    pass

    def track(self, records):
        """Remember every pid a log mentions, for segment clean-up."""
        for r in records:
            if "pid" in r:
                self.pids.add(r["pid"])
        return records
