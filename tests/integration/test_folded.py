# SPDX-License-Identifier: GPL-2.0
"""--folded FILE: the shared memory held by creating stack, at the peak and
at the end, in the folded format of flame graph tools, live and from a
saved log.  segment_leak makes two 64 KiB segments and leaks both; its
clean twin removes them: the peak tree holds both in either case, the end
tree only the leaks.  What /dev/shm held before the trace is no traced
program's and is left out."""
import os
import re
import subprocess

from common import BpfTestCase, SCENARIOS, SHMWATCH, read_log

SEG = 64 * 1024
LINE = re.compile(r"^(peak|end);(\S.*) (\d+)$")


def folded(path):
    """{(tree, frames): bytes}; every line must be well formed."""
    out = {}
    with open(path) as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            assert m, "not a folded line: %r" % line
            key = (m.group(1), m.group(2))
            assert key not in out, "line twice: %r" % line
            out[key] = int(m.group(3))
    return out


def by_tree(lines, tree):
    return {frames: n for (t, frames), n in lines.items() if t == tree}


class FoldedTest(BpfTestCase):
    def trace(self, scenario):
        log, fold = self.path(scenario + ".ndjson"), self.path(scenario + ".folded")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--folded", fold, "--",
                               os.path.join(SCENARIOS, scenario)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        self.track(read_log(log))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return log, fold

    def check_stacks(self, tree):
        """Both segments, 2 x 64 KiB, from main (create_keyed may be
        inlined into it), each site ending in the call that made it."""
        self.assertEqual(sum(tree.values()), 2 * SEG, tree)
        for frames in tree:
            names = frames.split(";")
            self.assertIn("main", names, frames)
            self.assertRegex(names[-1], r"shmget")

    def test_leak_and_clean_twin(self):
        log, fold = self.trace("segment_leak")
        lines = folded(fold)
        self.check_stacks(by_tree(lines, "peak"))
        self.check_stacks(by_tree(lines, "end"))
        # The same from the saved log, whose frames the live run resolved.
        again = self.path("again.folded")
        proc = subprocess.run([SHMWATCH, "analyze", log, "--folded", again],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(folded(again), lines)

        log, fold = self.trace("segment_leak_clean")
        lines = folded(fold)
        self.check_stacks(by_tree(lines, "peak"))
        self.assertEqual(by_tree(lines, "end"), {})

    def test_no_file_when_the_trace_cannot_start(self):
        fold = self.path("never.folded")
        proc = subprocess.run([SHMWATCH, "--folded", fold, "--ringbuf-size", "3", "--", "true"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertFalse(os.path.exists(fold))
        proc = subprocess.run([SHMWATCH, "analyze", self.path("missing.ndjson"), "--folded", fold],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
        self.assertFalse(os.path.exists(fold))
        self.assertEqual(os.listdir(self.tmp), [])
