# SPDX-License-Identifier: GPL-2.0
"""Load and truth: stress-ng's SysV shm, POSIX shm and mmap stressors
under a system-wide `shmwatch --check-state` for a bounded time.  The
stressors are frozen (SIGSTOP) before shmwatch stops, so the kernel's
state holds still while shmwatch compares its view with /proc; then they
are killed and every segment and /dev/shm object they left is removed."""
import os
import re
import shutil
import signal
import subprocess
import time

from common import BpfTestCase, Tracer, read_log, remove_segment, segments

STRESS_SECS = 10


def group_members(pgid):
    """Pids of the processes in process group pgid."""
    pids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.add(int(pid))
    return pids


def stress_ng_objects(records, stopped):
    """A predicate on --check-state lines: does it name a stress-ng
    process, or a segment whose creator (the kernel's, or the last shmget
    that made the id in the log) is one?"""
    pids = set(stopped) | {r["pid"] for r in records if r["type"] == "event"
                           and r["comm"].startswith("stress-ng")}
    creator = {}
    for e in records:
        if e["type"] == "event" and e["call"] == "shmget" and e["errno"] is None:
            creator[e["ret"]] = e["pid"]

    def ours(line):
        m = re.search(r"\bpid (\d+)", line) or re.search(r"\bcreator (\d+)", line)
        if m:
            return int(m.group(1)) in pids
        m = re.search(r"\bsegment (-?\d+)", line)
        return not m or creator.get(int(m.group(1))) in pids
    return ours


class StressTest(BpfTestCase):
    def setUp(self):
        super().setUp()
        if not shutil.which("stress-ng"):
            self.skipTest("stress-ng is not installed (make deps installs it)")
        self.shm_before = set(os.listdir("/dev/shm"))
        self.segs_before = set(segments())
        self.stress = None
        self.addCleanup(self._stop_stress)

    def _stop_stress(self):
        """Kill the stress-ng process group, then remove what it left."""
        if self.stress is not None:
            try:
                os.killpg(self.stress.pid, signal.SIGKILL)
                os.killpg(self.stress.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            self.stress.wait()
            # Its children may take a moment to be reaped by init.
            deadline = time.time() + 5
            while time.time() < deadline:
                try:
                    os.killpg(self.stress.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        for shmid, s in segments().items():
            if shmid not in self.segs_before and (s["cpid"] in self.pids or
                                                  s["nattch"] == 0 and
                                                  not os.path.exists("/proc/%d" % s["cpid"])):
                remove_segment(shmid)
        for name in set(os.listdir("/dev/shm")) - self.shm_before:
            if name.startswith("stress-ng"):
                try:
                    os.unlink(os.path.join("/dev/shm", name))
                except OSError:
                    pass

    def test_stress_state_agrees(self):
        log = self.path("stress.json")
        with Tracer(["-q", "--check-state", "--stats-interval", "1"], log) as t:
            t.wait_attached()
            # Its own session: the whole tree is stopped and killed by
            # process group, without touching anything else.
            self.stress = subprocess.Popen(
                ["stress-ng", "--shm-sysv", "2", "--shm", "2", "--mmap", "2",
                 "--timeout", "%ds" % (STRESS_SECS + 20), "-q"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            self.pids.add(self.stress.pid)
            time.sleep(STRESS_SECS)
            os.killpg(self.stress.pid, signal.SIGSTOP)
            stopped = group_members(self.stress.pid)
            time.sleep(1.5)  # let shmwatch take in what is queued
            rc = t.stop(signal.SIGINT, timeout=60)
            err = t.stderr()
        records = self.track(read_log(log))
        self.assertGreaterEqual(rc, 0, "shmwatch crashed:\n" + err[-3000:])
        final = [r for r in records if r["type"] == "stats" and r.get("final")]
        self.assertEqual(len(final), 1, err[-2000:])
        final = final[0]
        # Every event counted is in the log, and the losses are the sum
        # of the per-call counters.
        n_events = sum(1 for r in records if r["type"] == "event")
        self.assertEqual(final["events"], n_events)
        self.assertEqual(final["lost"], sum(final["lost_by"].values()))
        self.assertGreater(final["calls"]["shmget"], 0)
        self.assertGreater(final["calls"]["mmap"], 0)
        self.assertIn("%d lost" % final["lost"], err)
        # The stress-ng processes are stopped, so their state must agree
        # exactly.  Other processes of the host (shells, this test runner,
        # other tests) keep running while the check reads /proc and may
        # legitimately change under it: a difference about one of them, or
        # about a segment one of them made, is not counted.
        ours = stress_ng_objects(records, stopped)
        mismatches = [l for l in err.splitlines() if "check-state: mismatch" in l and ours(l)]
        self.assertEqual(mismatches, [], err[-3000:])
        if final["lost"] == 0:
            unsure = [l for l in err.splitlines() if "check-state: uncertain" in l and ours(l)]
            self.assertEqual(unsure, [], err[-3000:])
        self.assertIn("check-state: ", err)
