# SPDX-License-Identifier: GPL-2.0
"""Options as a user meets them: --max-size judges shared-memory requests
without flagging every private mapping a program's loader makes; colours
follow --color and NO_COLOR; text lines carry the sequence numbers that
findings cite; --uid takes a user name and --comm a long command name;
the counters line reads well when nothing was traced."""
import os
import re
import subprocess

from common import BpfTestCase, SHMWATCH, WORKLOADS, events, read_log

NOISE = os.path.join(WORKLOADS, "noise")


def run(args, **kw):
    return subprocess.run([SHMWATCH] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120, **kw)


class MaxSizeTest(BpfTestCase):
    def test_small_max_size_flags_shared_requests_only(self):
        log = self.path("log.json")
        # python3 maps dozens of private regions of 32 KiB and more at
        # start-up; noise makes 4 KiB segments, below the threshold too;
        # the 64 KiB shared anonymous mapping is the one request to flag.
        script = ("import mmap; m = mmap.mmap(-1, 65536, mmap.MAP_SHARED); m.close()")
        proc = run(["-q", "--max-size", "32K", "-o", log, "--", "/usr/bin/python3", "-c", script])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = self.track(read_log(log))
        flagged = [r for r in records if r["type"] == "finding" and r["rule"] == "oversized-request"]
        self.assertEqual(len(flagged), 1, [f["message"] for f in flagged])
        self.assertIn("64 KiB", flagged[0]["message"])
        self.assertIn("--max-size (32 KiB)", flagged[0]["message"])


class TextViewTest(BpfTestCase):
    def test_event_lines_carry_their_sequence_number(self):
        log = self.path("log.json")
        proc = run(["-o", log, "--", NOISE, "0.1"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = self.track(read_log(log))
        lines = [l for l in proc.stdout.splitlines() if re.match(r"\d\d:\d\d:\d\d\.\d{6} #", l)]
        self.assertEqual(len(lines), len(events(records)))
        for line, e in zip(lines, events(records)):
            self.assertIn("#%d %d/%d " % (e["seq"], e["pid"], e["tid"]), line)

    def colours(self, args, env=None):
        proc = run(args + ["--", NOISE, "0.05"], env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return "\x1b[" in proc.stdout

    def test_color_option_and_no_color(self):
        # Standard output is a pipe here: auto means none.
        self.assertFalse(self.colours([]))
        self.assertTrue(self.colours(["--color", "always"]))
        self.assertFalse(self.colours(["--color", "never"]))
        env = dict(os.environ, NO_COLOR="1")
        self.assertTrue(self.colours(["--color", "always"], env))
        self.assertFalse(self.colours([], env))

    def test_counters_line_when_nothing_was_traced(self):
        proc = run(["-q", "-d", "0.2", "--comm", "no-such-comm"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stderr, r"(?m)^shmwatch: 0 events; 0 failed; 0 findings; 0 lost$")


class FilterOptionTest(BpfTestCase):
    def trace_noise(self, args, program=NOISE):
        """Trace with args while a noise process runs 0.3 s."""
        log = self.path("log-%d.json" % len(self.procs))
        with subprocess.Popen([SHMWATCH, "-q", "-o", log, "-d", "3"] + args,
                              stderr=subprocess.PIPE, text=True) as sw:
            self.procs.append(sw)
            line = sw.stderr.readline()
            self.assertIn("tracing", line)
            self.spawn([program, "0.3"]).wait(30)
            self.assertEqual(sw.wait(30), 0)
        return self.track(read_log(log))

    def test_uid_by_name(self):
        root = self.trace_noise(["--comm", "noise", "--uid", "root"])
        self.assertTrue(events(root, "shmget"))
        self.assertEqual({e["uid"] for e in events(root)}, {0})
        nobody = self.trace_noise(["--comm", "noise", "--uid", "nobody"])
        self.assertEqual(events(nobody), [])
        bad = run(["-q", "--uid", "no-such-user-here", "-d", "0.1"])
        self.assertEqual(bad.returncode, 2)
        self.assertIn("unknown user 'no-such-user-here'", bad.stderr)

    def test_long_comm_matches_its_first_15_characters(self):
        long_name = os.path.join(self.tmp, "a-very-long-program-name")
        os.symlink(NOISE, long_name)
        records = self.trace_noise(["--comm", "a-very-long-program-name"], long_name)
        self.assertTrue(events(records, "shmget"), "the long-named program was not traced")
        self.assertEqual({e["comm"] for e in events(records)}, {"a-very-long-pro"})


GROW = r"""
import os, sys, time
path = sys.argv[1]
fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
size = 4096
end = time.time() + 30
while time.time() < end:
    size += 4096
    os.ftruncate(fd, size)
    time.sleep(0.005)
"""


class StatsTest(BpfTestCase):
    def test_last_round_does_not_repeat_the_final_views(self):
        """Stats due in the round that ends the trace are the final ones:
        no periodic stats or tmpfs view with the final one's time."""
        path = "/dev/shm/shmwatch-test-grow-%d" % os.getpid()
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        grower = self.spawn(["/usr/bin/python3", "-c", GROW, path])
        for _ in range(3):
            log = self.path("log.json")
            proc = run(["-q", "-d", "1", "--stats-interval", "0.01", "-o", log, "-p",
                        str(grower.pid)])
            self.assertEqual(proc.returncode, 0, proc.stderr)
            records = read_log(log)
            final = [r for r in records if r["type"] == "stats" and r["final"]][0]
            at_end = [r["type"] for r in records
                      if r["ts_ns"] == final["ts_ns"] and r["type"] in ("stats", "tmpfs")]
            self.assertEqual(at_end.count("stats"), 1, at_end)
            self.assertLessEqual(at_end.count("tmpfs"), 1, at_end)


class EventsOptionTest(BpfTestCase):
    """--events failed|none keeps events out of the outputs, not out of
    the analyzer: the findings are the same as with every event."""

    SCENARIO = "failed_then_used"

    def findings_with(self, *args):
        from common import SCENARIOS
        log = self.path("log-%s.json" % "-".join(args or ("all",)))
        proc = run(["-q", "-o", log] + list(args) + ["--", os.path.join(SCENARIOS,
                                                                        self.SCENARIO)])
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        records = self.track(read_log(log))
        found = sorted((r["rule"], r["message"]) for r in records if r["type"] == "finding")
        return log, records, found

    def test_failed_and_none(self):
        _, every, found = self.findings_with()
        self.assertTrue(found)
        self.assertNotIn("events", every[0])
        log, failed, found_failed = self.findings_with("--events", "failed")
        self.assertEqual(failed[0]["events"], "failed")
        kept = events(failed)
        self.assertTrue(kept)
        for e in kept:
            self.assertTrue(e["errno"] or e["call"] == "signal", e)
        self.assertEqual(len(kept), len([e for e in events(every)
                                         if e["errno"] or e["call"] == "signal"]))
        self.assertEqual(found_failed, found)
        log, none, found_none = self.findings_with("--events", "none")
        self.assertEqual(events(none), [])
        self.assertEqual(found_none, found)
        stats = [r for r in none if r["type"] == "stats" and r["final"]][0]
        self.assertGreater(stats["events"], 0)  # counted, not written
        # analyze sees no events: it says so, in one line.
        proc = run(["analyze", log])
        warning = ("%s:1: written with --events none: the findings of the live run are in "
                   "the log, and analyze, which sees only the events it holds, may not find "
                   "them all again" % log)
        self.assertEqual([l for l in proc.stderr.splitlines() if l.startswith(log)], [warning])
