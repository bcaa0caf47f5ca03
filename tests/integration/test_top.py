# SPDX-License-Identifier: GPL-2.0
"""`shmwatch top`, the live view, driven in a private tmux server at 80x24
as a person would: it traces the holder workload (two processes that hold
different amounts of shared memory and fail different numbers of calls),
and the screen must show each of them with what /proc/PID/maps and the
program itself say it holds; the sort keys must reorder the rows, the
filter must hide the other process, Tab must step through the panes, and
q must end the trace.  Afterwards the terminal is as it was (stty -a, the
main screen, the prompt), the lines shmwatch held back while the view was
up are there, and the log it wrote meanwhile lost nothing: its final
stats say 0 lost and its events are the calls the workload made.  The
other ways out (-d, Ctrl-C, a fatal signal) restore the terminal too; a
command name made of escape sequences reaches the screen as text; and top
without a terminal, or with NDJSON on standard output, is refused."""
import os
import re
import signal
import subprocess
import time
import unittest

from common import SHMWATCH, WORKLOADS, BpfTestCase, ScratchTestCase, events, read_log

HOLDER = os.path.join(WORKLOADS, "holder")
PROMPT = "top-test$ "
LIFECYCLE = {"fork", "exec", "exit", "signal"}
# Columns of a process row ("%7u %-15s %8s %9s %4u %4u %7s %6llu %5llu").
COLS = {"pid": (0, 7), "comm": (8, 23), "held": (24, 32), "growth": (33, 42),
        "segs": (43, 47), "maps": (48, 52), "rate": (53, 60), "failed": (61, 67),
        "findings": (68, 73)}


def human_size(n):
    """user/lib/names.c human_size()."""
    if n < 1024:
        return "%d B" % n
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    v, u = float(n), 0
    while v >= 1024 and u < 6:
        v /= 1024
        u += 1
    return ("%.1f %s" if v < 10 else "%.0f %s") % (v, units[u])


def shared_bytes(pid):
    """What /proc/PID/maps shows mapped shared (the 's' of the flags)."""
    total = 0
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            cols = line.split()
            if cols[1][3] == "s":
                start, end = (int(x, 16) for x in cols[0].split("-"))
                total += end - start
    return total


def process_rows(screen):
    """{pid: {column: text}} of the process rows on a captured screen."""
    rows = {}
    for line in screen.splitlines():
        if not re.match(r"^ *\d+ \S", line) or len(line) < COLS["findings"][1]:
            continue
        row = {k: line[a:b].strip() for k, (a, b) in COLS.items()}
        if row["pid"].isdigit():
            rows[int(row["pid"])] = row
    return rows


def row_order(screen, pids):
    """The pids in the order their rows appear on the screen."""
    order = [int(l.split()[0]) for l in screen.splitlines()
             if re.match(r"^ *\d+ \S", l) and int(l.split()[0]) in pids]
    return order


class Tmux:
    """A private tmux server (its own socket) with one 80x24 pane running
    a plain bash; stop() kills what runs in the pane, then the server."""

    def __init__(self, socket, cwd):
        self.base = ["tmux", "-S", socket, "-f", "/dev/null"]
        subprocess.run(self.base + ["new-session", "-d", "-x", "80", "-y", "24",
                                    "-c", cwd,
                                    "env PS1='%s' bash --norc --noprofile" % PROMPT],
                               check=True)
        subprocess.run(self.base + ["set-option", "-g", "status", "off"], check=True)
        self.pane_pid = int(self.query("#{pane_pid}"))

    def query(self, fmt):
        return subprocess.run(self.base + ["display-message", "-p", fmt], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()

    def keys(self, *keys):
        subprocess.run(self.base + ["send-keys"] + list(keys), check=True)

    def line(self, text):
        self.keys("-l", text)
        self.keys("Enter")

    def screen(self):
        return subprocess.run(self.base + ["capture-pane", "-p"], check=True,
                              stdout=subprocess.PIPE, text=True).stdout

    def wait_for(self, pred, what, timeout=15):
        deadline = time.time() + timeout
        while True:
            s = self.screen()
            if pred(s):
                return s
            if time.time() > deadline:
                raise AssertionError("%s: not on the screen within %d s:\n%s"
                                     % (what, timeout, s))
            time.sleep(0.2)

    def descendants(self):
        kids = {}
        for p in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/stat" % p) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(p))
        out, todo = [], [self.pane_pid]
        while todo:
            for k in kids.get(todo.pop(), []):
                out.append(k)
                todo.append(k)
        return out

    def stop(self):
        for pid in self.descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(self.base + ["kill-server"], stderr=subprocess.DEVNULL)


def wait_file(path, lines=1, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            if text.count("\n") >= lines:
                return text
        time.sleep(0.1)
    raise AssertionError("%s: fewer than %d lines after %d s" % (path, lines, timeout))


def manifest(text):
    """{pid: {"comm", "held", "calls": {call: n}}} of holder's manifest."""
    out = {}
    for line in text.splitlines():
        cols = line.split()
        pid = int(cols[0])
        p = out.setdefault(pid, {"calls": {}})
        if cols[1] != "exit":
            p["comm"], p["held"] = cols[1], int(cols[2])
            kvs = cols[3:]
        else:
            kvs = cols[2:]
        for kv in kvs:
            k, v = kv.split("=")
            p["calls"][k] = p["calls"].get(k, 0) + int(v)
    return out


class TopTest(BpfTestCase):
    def setUp(self):
        super().setUp()
        # The socket in the test's directory, which goes with it.
        self.tmux = Tmux(self.path("tmux.sock"), self.tmp)
        self.addCleanup(self.tmux.stop)
        self.tmux.wait_for(lambda s: PROMPT.strip() in s, "the prompt")
        # A core dump of the fatal-signal test is not wanted.
        self.tmux.line("ulimit -c 0; stty -a > stty-before")
        wait_file(self.path("stty-before"))

    def tearDown(self):
        # The holder's processes, should the view not have stopped them.
        path = self.path("manifest")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    self.pids.add(int(line.split()[0]))
                    try:
                        os.kill(int(line.split()[0]), signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    def start_top(self, args=""):
        self.tmux.line("%s top %s -- %s manifest 60; echo top-exit=$? > top-exit"
                       % (SHMWATCH, args, HOLDER))
        held = manifest(wait_file(self.path("manifest"), lines=2))
        self.assertEqual(len(held), 2, held)
        self.pids.update(held)
        return held

    def assert_restored(self):
        """The main screen is back, with the prompt, in the modes of before."""
        self.assertEqual(self.tmux.query("#{alternate_on}"), "0")
        self.tmux.line("stty -a > stty-after")
        wait_file(self.path("stty-after"))
        with open(self.path("stty-before")) as a, open(self.path("stty-after")) as b:
            self.assertEqual(a.read(), b.read(), "stty -a differs after the view")
        screen = self.tmux.wait_for(lambda s: s.rstrip().endswith(PROMPT.strip()),
                                    "the prompt after the view")
        self.assertNotIn("CALLS/s", screen, "the view is still on the screen")
        return screen

    def exit_status(self):
        text = wait_file(self.path("top-exit"), timeout=20)
        return int(text.strip().split("=")[1])

    def test_live_view(self):
        held = self.start_top("-o trace.ndjson")
        parent, child = sorted(held)
        procs = {pid: shared_bytes(pid) for pid in held}
        for pid in held:
            # The program's own count and the kernel's agree first...
            self.assertEqual(procs[pid], held[pid]["held"], "pid %d" % pid)
        # ... then the view must show both, as the analyzer counts them.
        screen = self.tmux.wait_for(
            lambda s: all(process_rows(s).get(p, {}).get("held") == human_size(procs[p])
                          for p in held), "both holders with what they hold")
        self.assertEqual(self.tmux.query("#{alternate_on}"), "1")
        rows = process_rows(screen)
        for pid in held:
            self.assertEqual(rows[pid]["comm"], held[pid]["comm"])
            self.assertEqual((rows[pid]["segs"], rows[pid]["maps"]), ("1", "1"))
        self.assertEqual(rows[parent]["failed"], str(held[parent]["calls"]["failed_shmget"]))
        self.assertEqual(rows[child]["failed"], "0")
        self.assertIn("sort: held", screen)
        # Most held first: the child holds twice what its parent holds.
        self.assertEqual(row_order(screen, held), [child, parent])
        self.tmux.keys("s", "s")  # held -> growth -> failed
        screen = self.tmux.wait_for(lambda s: "sort: failed" in s, "sort by failed")
        self.assertEqual(row_order(screen, held), [parent, child])
        self.tmux.keys("s", "s")  # -> findings -> pid
        screen = self.tmux.wait_for(lambda s: "sort: pid" in s, "sort by pid")
        self.assertEqual(row_order(screen, held), [parent, child])
        self.tmux.keys(">")  # back to the first column
        screen = self.tmux.wait_for(lambda s: "sort: held" in s, "> to sort by held")
        self.assertEqual(row_order(screen, held), [child, parent])
        self.tmux.keys("<")
        self.tmux.wait_for(lambda s: "sort: pid" in s, "< to sort by pid")
        self.tmux.keys(">")
        # The filter: only the child's name has "child" in it.
        self.tmux.keys("/")
        self.tmux.keys("-l", "child")
        self.tmux.wait_for(lambda s: "filter: child_" in s, "the filter being typed")
        self.tmux.keys("Enter")
        screen = self.tmux.wait_for(lambda s: "filter: child" in s and
                                    row_order(s, held) == [child], "the filter applied")
        self.tmux.keys("Escape")
        self.tmux.wait_for(lambda s: row_order(s, held) == [child, parent], "the filter cleared")
        # The panes.
        for heading in ("CONTAINER", "OBJ BYTES", "SEGMENTS", "MESSAGE", "CALLS/s"):
            self.tmux.keys("Tab")
            self.tmux.wait_for(lambda s: heading in s, "the pane with %s" % heading)
        self.tmux.keys("h")
        self.tmux.wait_for(lambda s: "held now minus held 10 s ago" in s, "the help")
        self.tmux.keys("x")
        self.tmux.wait_for(lambda s: "CALLS/s" in s, "the help closed")
        # q: the command is stopped as by Ctrl-C; it cleans up and exits 0.
        self.tmux.keys("q")
        self.assertEqual(self.exit_status(), 0)
        screen = self.assert_restored()
        # What shmwatch wrote to stderr meanwhile comes after the view.
        self.assertRegex(screen, r"shmwatch: tracing \S+holder \(pid %d\)" % parent)
        self.assertRegex(" ".join(screen.split()), r"shmwatch: \d+ events: .*; 3 failed; "
                         r"0 findings; 0 lost")
        # The log the trace wrote while the view was up lost nothing.
        records = self.track(read_log(self.path("trace.ndjson")))
        final = [r for r in records if r["type"] == "stats" and r.get("final")]
        self.assertEqual(len(final), 1)
        self.assertEqual(final[0]["lost"], 0)
        did = manifest(wait_file(self.path("manifest"), lines=4))
        for pid, p in did.items():
            for call, n in p["calls"].items():
                if call == "failed_shmget":
                    got = [e for e in events(records, "shmget", pid) if e["ret"] < 0]
                    self.assertEqual(len(got), n, "pid %d failed shmget" % pid)
                    continue
                self.assertEqual(len(events(records, call, pid)), n, "pid %d %s" % (pid, call))
            logged = {e["call"] for e in events(records, pid=pid)} - LIFECYCLE
            self.assertEqual(logged, set(c for c in p["calls"] if c != "failed_shmget"),
                             "pid %d: calls in the log" % pid)

    def test_duration_ends_the_view(self):
        held = self.start_top("-d 3")
        self.tmux.wait_for(lambda s: all(str(p) in s for p in held), "the holders")
        # -d stops the command with SIGTERM, which it takes to clean up.
        self.assertEqual(self.exit_status(), 0)
        self.assert_restored()

    def test_ctrl_c_ends_the_view(self):
        held = self.start_top()
        self.tmux.wait_for(lambda s: all(str(p) in s for p in held), "the holders")
        # Ctrl-C reaches the command too (the view keeps the terminal's
        # signals): it cleans up and exits 0, and the trace ends with it.
        self.tmux.keys("C-c")
        self.assertEqual(self.exit_status(), 0)
        screen = self.assert_restored()
        self.assertRegex(" ".join(screen.split()), r"shmwatch: \d+ events: .*; 0 lost")

    def test_hostile_comm_is_escaped(self):
        # System-wide, with the process that names itself with an ANSI
        # sequence, a newline and the start of a title change started
        # once the view is up.
        self.tmux.line("%s top -d 20; echo top-exit=$? > top-exit" % SHMWATCH)
        self.tmux.wait_for(lambda s: "CALLS/s" in s, "the view")
        title = self.tmux.query("#{pane_title}")
        p = subprocess.run([os.path.join(WORKLOADS, "hostile_comm"), "ansi"], timeout=30)
        self.assertEqual(p.returncode, 0)
        # Its 15 bytes as text, cut before an escape would be: the
        # COMM column is 15 wide.
        self.tmux.wait_for(lambda s: '\\x1b[31m\\"q\\\\' in s, "the escaped comm")
        self.assertEqual(self.tmux.query("#{pane_title}"), title)
        self.tmux.keys("q")
        self.assertEqual(self.exit_status(), 0)
        self.assert_restored()

    def test_fatal_signal_restores_the_terminal(self):
        held = self.start_top()
        self.tmux.wait_for(lambda s: all(str(p) in s for p in held), "the holders")
        top = [p for p in self.tmux.descendants() if open("/proc/%d/comm" % p).read() ==
               "shmwatch\n"]
        self.assertEqual(len(top), 1)
        os.kill(top[0], signal.SIGABRT)
        self.assertEqual(self.exit_status(), 128 + signal.SIGABRT)
        screen = self.assert_restored()
        # What it held of stderr is written before it dies.
        self.assertIn("shmwatch: tracing", screen)


class TopUsageTest(ScratchTestCase):
    """No BPF needed: these are refused before tracing starts."""

    def run_top(self, *args):
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        return subprocess.run([SHMWATCH, "top"] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=30)

    def test_needs_a_terminal(self):
        p = self.run_top("-d", "1")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("top needs a terminal", p.stderr)

    def test_ndjson_on_stdout_is_refused(self):
        for args in (["-o", "-"], ["--format", "json"]):
            p = self.run_top(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertIn("top draws on standard output", p.stderr)
        p = self.run_top("--stats-interval", "0")
        self.assertEqual(p.returncode, 2)
        self.assertIn("see shmwatch top --help", p.stderr)

    def test_help(self):
        p = self.run_top("--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("usage: shmwatch top "))
        self.assertIn("--stats-interval SECS  seconds between stats records (default 1)",
                      p.stdout)
        for absent in ("--format", "--quiet", "--stack-depth"):
            self.assertNotIn(absent, p.stdout)


if __name__ == "__main__":
    unittest.main()
