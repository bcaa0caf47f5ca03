# SPDX-License-Identifier: GPL-2.0
"""Stacks and source lines: findings name the function and line where the
object was created and where the misuse happened, for a non-PIE and a PIE
executable and for a call made inside a shared library; a stripped binary
still gives module+offset frames; `analyze` prints the frames the live run
resolved.  Processes that are gone within a millisecond, exec'd or
forked, resolve as well.  A fault's frame is the faulting line itself."""
import json
import os
import re
import shutil
import subprocess

from common import BpfTestCase, ROOT, SCENARIOS, SHMWATCH, WORKLOADS, read_log


def marker_lines(source, folder="workloads"):
    """{marker: line number} for the /* LINE:name */ comments of a file."""
    lines = {}
    with open(os.path.join(ROOT, "tests", folder, source)) as f:
        for n, text in enumerate(f, 1):
            m = re.search(r"/\* LINE:([a-z-]+) \*/", text)
            if m:
                lines[m.group(1)] = n
    return lines


MAIN = marker_lines("stacks.c")
LIB = marker_lines("stackslib.c")
SHORT = marker_lines("shortlived.c")
FAULTS = marker_lines("use_after_detach.c", "scenarios")


def has_frame(stack, function, source, line):
    return any(f["function"] == function and (f["file"] or "").endswith(source)
               and f["line"] == line for f in stack)


class StackTest(BpfTestCase):
    def trace(self, binary, *extra):
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log] + list(extra) + ["--", binary],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        records = self.track(read_log(log))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        findings = {r["rule"]: r for r in records if r["type"] == "finding"}
        self.assertEqual(set(findings), {"segment-leak", "failed-then-used"},
                         proc.stdout)
        return log, findings, proc.stdout

    def check_resolved(self, binary):
        log, findings, text = self.trace(binary)
        origin = findings["segment-leak"]["origin_stack"]
        self.assertTrue(has_frame(origin, "create_segment", "stacks.c", MAIN["create"]), origin)
        self.assertTrue(has_frame(origin, "main", "stacks.c", MAIN["main-create"]), origin)
        site = findings["failed-then-used"]["stack"]
        self.assertTrue(has_frame(site, "lib_attach", "stackslib.c", LIB["lib-attach"]), site)
        self.assertTrue(has_frame(site, "main", "stacks.c", MAIN["main-attach"]), site)
        self.assertTrue(any(f["module"].endswith("libstackslib.so") for f in site), site)
        # The text view prints the same sites as function (file:line).
        self.assertIn("lib_attach (tests/workloads/stackslib.c:%d)" % LIB["lib-attach"], text)
        self.assertIn("create_segment (tests/workloads/stacks.c:%d)" % MAIN["create"], text)
        return log, findings

    def test_non_pie_executable_and_shared_library(self):
        self.check_resolved(os.path.join(WORKLOADS, "stacks_nopie"))

    def test_pie_executable_and_analyze_agrees(self):
        log, live = self.check_resolved(os.path.join(WORKLOADS, "stacks_pie"))
        proc = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        replayed = {r["rule"]: r for r in map(json.loads, proc.stdout.splitlines())
                    if r["type"] == "finding"}
        for rule, f in live.items():
            for key in ("stack", "origin_stack"):
                self.assertEqual(replayed[rule].get(key), f.get(key), (rule, key))

    def test_stripped_binary_gives_module_offsets(self):
        exe = self.path("stacks_stripped")
        shutil.copy(os.path.join(WORKLOADS, "stacks_pie"), exe)
        shutil.copy(os.path.join(WORKLOADS, "libstackslib.so"), self.tmp)
        subprocess.run(["strip", "--strip-all", exe], check=True)
        log, findings, _ = self.trace(exe)
        origin = findings["segment-leak"]["origin_stack"]
        ours = [f for f in origin if f["module"] == exe]
        self.assertTrue(ours, origin)
        for f in ours:
            self.assertIsNone(f["file"])
            self.assertIsNotNone(f["offset"])

    def test_no_stacks(self):
        log, findings, _ = self.trace(os.path.join(WORKLOADS, "stacks_pie"), "--no-stacks")
        for f in findings.values():
            self.assertNotIn("stack", f)
            self.assertNotIn("origin_stack", f)
        events = [r for r in read_log(log) if r["type"] == "event"]
        self.assertFalse([e for e in events if "stack" in e])

    def test_fault_is_its_own_line(self):
        """A stale write's SIGSEGV: the first frame is the faulting
        instruction, not a return address, so it is looked up as it is and
        names the write's line, not the detach on the line before."""
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--",
                               os.path.join(SCENARIOS, "use_after_detach")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        records = self.track(read_log(log))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        faults = {"stale_shm_write": FAULTS["shm-fault"],
                  "stale_mmap_write": FAULTS["mmap-fault"]}
        found = [r for r in records if r["type"] == "finding" and r["rule"] == "use-after-detach"]
        self.assertEqual(sorted(f["stack"][0]["function"] for f in found), sorted(faults))
        for f in found:
            at = f["stack"][0]
            self.assertEqual(at["line"], faults[at["function"]], f["stack"])
            # The frames further out are return addresses, looked up at the call.
            self.assertTrue(has_frame(f["stack"], "run_crashing", "use_after_detach.c",
                                      FAULTS["crash-call"]), f["stack"])
            self.assertIn("at %s (tests/scenarios/use_after_detach.c:%d)"
                          % (at["function"], at["line"]), proc.stdout)
        # The signal events in the log name the same line; analyze agrees.
        for e in (r for r in records if r["type"] == "event" and r["call"] == "signal"):
            self.assertEqual(e["stack"][0]["line"], faults[e["stack"][0]["function"]])
        replay = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                timeout=60)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        replayed = [r for r in map(json.loads, replay.stdout.splitlines())
                    if r["type"] == "finding" and r["rule"] == "use-after-detach"]
        self.assertEqual(sorted(map(json.dumps, (f["stack"] for f in replayed))),
                         sorted(map(json.dumps, (f["stack"] for f in found))))


class ShortLivedTest(BpfTestCase):
    """Each process leaks a segment and exits at once, before shmwatch can
    read its /proc/PID/maps; every leak's origin must still name the
    function and main with their lines."""

    def leaks(self, program, mode, n):
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--", program, mode, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        records = self.track(read_log(log))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        leaks = [r for r in records if r["type"] == "finding" and r["rule"] == "segment-leak"]
        self.assertEqual(len(leaks), n, [f["message"] for f in leaks])
        return leaks

    def check_origins(self, leaks, main_line):
        unresolved = [f["origin_stack"] for f in leaks
                      if not has_frame(f["origin_stack"], "leak_segment", "shortlived.c",
                                       SHORT["leak"])
                      or not has_frame(f["origin_stack"], "main", "shortlived.c", main_line)]
        self.assertFalse(unresolved, "%d of %d leaks unresolved, first: %s"
                         % (len(unresolved), len(leaks), unresolved[:1]))

    def test_processes_that_exit_at_once(self):
        """The kernel describes the mappings of each image's first stack."""
        leaks = self.leaks(os.path.join(WORKLOADS, "shortlived"), "spawn", 20)
        self.check_origins(leaks, SHORT["main-leak"])

    def test_forked_children_that_exit_at_once(self):
        """The same for each child, though the next one's address space
        may take the place of the last one's in the kernel's memory."""
        leaks = self.leaks(os.path.join(WORKLOADS, "shortlived"), "fork", 20)
        self.check_origins(leaks, SHORT["main-fork-leak"])

    def test_forked_children_of_a_program_the_kernel_cannot_name(self):
        """A path longer than the kernel side builds (63 bytes): the
        children resolve through what their parent's maps showed."""
        exe = os.path.join(self.tmp, "d" * 64, "shortlived")
        os.mkdir(os.path.dirname(exe))
        shutil.copy(os.path.join(WORKLOADS, "shortlived"), exe)
        leaks = self.leaks(exe, "call-fork", 10)
        self.check_origins(leaks, SHORT["main-fork-leak"])
