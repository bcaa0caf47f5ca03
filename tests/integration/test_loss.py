# SPDX-License-Identifier: GPL-2.0
"""Lost and late records never make a certain finding.  The analyzer learns
of a gap where it is in the stream (each record carries the kernel's
running loss count), and a finding that rests on state the gap may have
changed is marked uncertain, live and in `analyze` of the saved log; the
text view shows such a finding as UNCERTAIN, never as a plain FINDING.
A thread's munmap record that arrives after another thread mapped and
unmapped the same address is not a double unmap."""
import json
import os
import subprocess

from common import BpfTestCase, SHMWATCH, WORKLOADS, read_log


def findings(records):
    return [r for r in records if r["type"] == "finding"]


class TinyBufferTest(BpfTestCase):
    def test_correct_program_under_loss_gets_only_uncertain_findings(self):
        log = self.path("log.json")
        # The buffer loses nearly all of the 1,500 rounds; a last round,
        # after the reader has had time to drain it, carries the count of
        # what was lost before it (else the gaps may all be at the end).
        proc = subprocess.run([SHMWATCH, "--ringbuf-size", "4K", "-o", log, "--",
                               "sh", "-c", '"$1" 1500 && sleep 0.5 && exec "$1" 1', "sh",
                               os.path.join(WORKLOADS, "rounds")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        records = self.track(read_log(log))
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        final = [r for r in records if r["type"] == "stats" and r["final"]][0]
        self.assertGreater(final["lost"], 0, "a 4 KiB buffer should overflow")
        # The gaps are in the log where they happened.
        gaps = sum(r.get("lost_before", 0) for r in records if r["type"] == "event")
        self.assertGreater(gaps, 0)
        self.assertLessEqual(gaps, final["lost"])
        certain = [f for f in findings(records) if not f["uncertain"]]
        self.assertEqual(certain, [], "certain findings from a correct program")
        self.assertNotRegex(proc.stdout, r"(?m)^\S+ FINDING ")
        if findings(records):
            self.assertRegex(proc.stdout, r"(?m)^\S+ UNCERTAIN ")
        self.assertRegex(proc.stdout, r"--- \d+ records lost here")
        self.assertIn("marked uncertain", proc.stderr)
        # The saved log says the same to analyze.
        again = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=120)
        replayed = [json.loads(l) for l in again.stdout.splitlines()]
        self.assertEqual([f for f in findings(replayed) if not f["uncertain"]], [])
        self.assertEqual(len(findings(replayed)), len(findings(records)))


class RecordOrderTest(BpfTestCase):
    def test_many_threads_reusing_addresses_unmap_nothing_twice(self):
        # A race: the old analyzer was fooled in about one run of two.
        for _ in range(3):
            log = self.path("log.json")
            proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--",
                                   os.path.join(WORKLOADS, "threads_mmap"), "3000", "10"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
            records = self.track(read_log(log))
            self.assertEqual([f["message"] for f in findings(records)], [])


HEADER = {"type": "header", "schema": 1, "tool": "shmwatch", "version": "0.1.0",
          "hostname": "h", "kernel": "6.1", "mode": "command", "ts_ns": 1000,
          "wall_offset_ns": 0, "max_size": 268435456}


def event(seq, call, ret, args, **extra):
    e = {"type": "event", "seq": seq, "ts_ns": 1000 + seq, "pid": 50, "tid": 50, "ppid": 1,
         "uid": 0, "cgroup": 1, "comm": "prog", "call": call, "args": args, "ret": ret,
         "errno": None}
    e.update(extra)
    return e


class GapInLogTest(BpfTestCase):
    """No BPF needed: a log whose gap sits between a segment's creation and
    its creator's exit.  (BpfTestCase only for its clean-up.)"""

    def analyze(self, gap):
        log = self.path("gap.json")
        exit_extra = {"lost_before": gap} if gap else {}
        lines = [HEADER,
                 event(1, "shmget", 7, {"key": 0, "size": 4096,
                                        "shmflg": {"value": 0o1600, "names": []}}),
                 event(2, "exit", 0, {"exit_code": 0}, **exit_extra)]
        with open(log, "w") as f:
            for r in lines:
                f.write(json.dumps(r) + "\n")
        proc = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return findings([json.loads(l) for l in proc.stdout.splitlines()])

    def test_gap_before_exit_makes_the_leak_uncertain(self):
        leak = [f for f in self.analyze(3) if f["rule"] == "segment-leak"]
        self.assertEqual(len(leak), 1)
        self.assertTrue(leak[0]["uncertain"], leak[0])
        self.assertIn("3 records were lost", leak[0]["message"])

    def test_no_gap_leak_is_certain(self):
        leak = [f for f in self.analyze(0) if f["rule"] == "segment-leak"]
        self.assertEqual(len(leak), 1)
        self.assertFalse(leak[0]["uncertain"], leak[0])
