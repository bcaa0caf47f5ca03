# SPDX-License-Identifier: GPL-2.0
"""Analyzer scenarios: each program under tests/scenarios/ declares the
findings it must produce (/* expect: RULE COUNT */, or /* expect: none */
for a clean twin; `# expect: ...` lines in a Python scenario, which runs
under /usr/bin/python3), and the shmwatch options it is traced with, if
any (/* options: --all-mmaps */).  shmwatch runs it live and the findings, counted
by rule, must equal the declaration exactly; `shmwatch analyze` on the
saved log must then give the very same findings."""
import collections
import json
import glob
import os
import re
import subprocess

from common import BpfTestCase, ROOT, SCENARIOS, SHMWATCH, Tracer, read_log

# tests/kernels/run.py replays SOURCES in a guest without Python.
SOURCES = sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.c")))
PY_SOURCES = sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.py")))
PYTHON = "/usr/bin/python3"  # Debian's, whatever python3 is first in PATH

# A declaration line in C and in Python: /* KEY: VALUE */ or # KEY: VALUE
DECL = {".c": r"/\* %s: (.+?) \*/", ".py": r"^# %s: (.+?)$"}


def scenario_name(source):
    return os.path.splitext(os.path.basename(source))[0]


def scenario_program(source):
    """What runs: the built binary of a C scenario, a Python one itself."""
    if source.endswith(".py"):
        return source
    return os.path.join(SCENARIOS, scenario_name(source))


def argv_of(program):
    return [PYTHON, program] if program.endswith(".py") else [program]


def declared(source):
    """(expected {rule: count}, mode) from a scenario's header comments."""
    with open(source) as f:
        text = f.read()
    decl = DECL[os.path.splitext(source)[1]]
    values = re.findall(decl % "expect", text, re.M)
    expect = collections.Counter()
    for value in values:
        m = re.fullmatch(r"([a-z-]+) (\d+)", value)
        if m:
            expect[m.group(1)] += int(m.group(2))
    if not expect and "none" not in values:
        raise ValueError("%s declares no expectation" % source)
    mode = re.search(decl % "mode", text, re.M)
    return dict(expect), mode.group(1) if mode else "command"


def declared_options(source):
    """The shmwatch options of /* options: ... */, [] when none."""
    with open(source) as f:
        text = f.read()
    m = re.search(DECL[os.path.splitext(source)[1]] % "options", text, re.M)
    return m.group(1).split() if m else []


def declared_texts(source):
    """[(rule, regex)] from /* expect-text: RULE REGEX */ lines: every
    finding of RULE must match REGEX (the object, the cause)."""
    with open(source) as f:
        text = f.read()
    decl = DECL[os.path.splitext(source)[1]]
    return [tuple(v.split(" ", 1)) for v in re.findall(decl % "expect-text", text, re.M)]


def findings(records):
    return [r for r in records if r["type"] == "finding"]


def by_rule(found):
    return dict(collections.Counter(f["rule"] for f in found))


def comparable(found):
    """What must agree between live and analyze: everything but wall time."""
    return sorted((f["rule"], f["severity"], f["pid"], f["tid"], f["comm"], f["message"],
                   tuple(f["evidence"]), f["uncertain"]) for f in found)


class ScenarioTest(BpfTestCase):
    options = []  # the scenario's declared shmwatch options

    def run_command(self, binary, log):
        with Tracer(["-q"] + self.options + ["--"] + argv_of(binary), log) as t:
            t.proc.wait(120)
            rc = t.stop()  # collects the rest of stderr, the program's too
        self.assertEqual(rc, 0, "%s exited %d: %s" % (binary, rc, t.stderr()))

    def run_pid(self, binary, log):
        """Start the program, let it set up, then attach with -p."""
        prog = self.spawn(argv_of(binary), env=dict(os.environ, WORKLOAD_WAIT="1"),
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.assertEqual(prog.stdout.readline().strip(), "ready")
        with Tracer(["-q"] + self.options + ["-p", str(prog.pid)], log) as t:
            t.wait_attached()
            prog.stdin.write("go\n")
            prog.stdin.flush()
            self.assertEqual(prog.wait(60), 0)
            self.assertEqual(t.stop(), 0, t.stderr())

    def check_scenario(self, source):
        name = scenario_name(source)
        expect, mode = declared(source)
        self.options = declared_options(source)
        log = self.path(name + ".json")
        binary = scenario_program(source)
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
        for rule, regex in declared_texts(source):
            for f in live:
                if f["rule"] == rule:
                    self.assertRegex(f["message"], regex)
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


for _src in SOURCES + PY_SOURCES:
    setattr(ScenarioTest, "test_" + scenario_name(_src), _make_test(_src))
