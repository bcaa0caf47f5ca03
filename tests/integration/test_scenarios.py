# SPDX-License-Identifier: GPL-2.0
"""Analyzer scenarios: each program under tests/scenarios/ declares the
findings it must produce (/* expect: RULE COUNT */, or /* expect: none */
for a clean twin).  shmwatch runs it live and the findings, counted by
rule, must equal the declaration exactly; `shmwatch analyze` on the saved
log must then give the very same findings."""
import collections
import json
import glob
import os
import re
import subprocess

from common import BpfTestCase, ROOT, SCENARIOS, SHMWATCH, Tracer, read_log

SOURCES = sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.c")))


def declared(source):
    """(expected {rule: count}, mode) from a scenario's header comments."""
    with open(source) as f:
        text = f.read()
    expect = collections.Counter()
    for rule, count in re.findall(r"/\* expect: ([a-z-]+) (\d+) \*/", text):
        expect[rule] += int(count)
    if not expect and "/* expect: none */" not in text:
        raise ValueError("%s declares no expectation" % source)
    mode = re.search(r"/\* mode: (\w+) \*/", text)
    return dict(expect), mode.group(1) if mode else "command"


def findings(records):
    return [r for r in records if r["type"] == "finding"]


def by_rule(found):
    return dict(collections.Counter(f["rule"] for f in found))


def comparable(found):
    """What must agree between live and analyze: everything but wall time."""
    return sorted((f["rule"], f["severity"], f["pid"], f["tid"], f["comm"], f["message"],
                   tuple(f["evidence"]), f["uncertain"]) for f in found)


class ScenarioTest(BpfTestCase):
    def run_command(self, binary, log):
        with Tracer(["-q", "--", binary], log) as t:
            t.proc.wait(120)
            rc = t.stop()  # collects the rest of stderr, the program's too
        self.assertEqual(rc, 0, "%s exited %d: %s" % (binary, rc, t.stderr()))

    def run_pid(self, binary, log):
        """Start the program, let it set up, then attach with -p."""
        prog = self.spawn([binary], env=dict(os.environ, WORKLOAD_WAIT="1"),
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.assertEqual(prog.stdout.readline().strip(), "ready")
        with Tracer(["-q", "-p", str(prog.pid)], log) as t:
            t.wait_attached()
            prog.stdin.write("go\n")
            prog.stdin.flush()
            self.assertEqual(prog.wait(60), 0)
            self.assertEqual(t.stop(), 0, t.stderr())

    def check_scenario(self, source):
        name = os.path.basename(source)[:-2]
        expect, mode = declared(source)
        log = self.path(name + ".json")
        binary = os.path.join(SCENARIOS, name)
        if mode == "pid":
            self.run_pid(binary, log)
        else:
            self.run_command(binary, log)
        records = self.track(read_log(log))
        live = findings(records)
        self.assertEqual(by_rule(live), expect,
                         "%s: findings %s" % (name, [f["message"] for f in live]))
        for f in live:
            self.assertIn(f["severity"], ("error", "warning", "info"))
            self.assertTrue(f["evidence"], f)
        self.check_analyze_agrees(log, live)

    def check_analyze_agrees(self, log, live):
        proc = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        replayed = [r for r in map(json.loads, proc.stdout.splitlines())
                    if r["type"] == "finding"]
        self.assertEqual(comparable(replayed), comparable(live))


def _make_test(source):
    def test(self):
        self.check_scenario(source)
    test.__doc__ = "scenario %s" % os.path.basename(source)
    return test


for _src in SOURCES:
    setattr(ScenarioTest, "test_" + os.path.basename(_src)[:-2], _make_test(_src))
