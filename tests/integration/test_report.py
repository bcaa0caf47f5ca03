# SPDX-License-Identifier: GPL-2.0
"""`shmwatch report`: logs of real scenario runs (the demo's SysV segments
and memfd, a tmpfs that fills up, a process with a hostile name) made
into HTML, rendered in headless Chromium, and the page's DOM compared
with what `shmwatch analyze --format json` says of the same log: the
timeline of each mount with the peak of its usage record, every finding
with its message and its stacks' functions and source lines, the
summaries.  Also: no external reference, log text escaped, bad input
leaves no file and keeps an existing one, and a big generated log gives
a small page."""
import glob
import html
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
from html.parser import HTMLParser

from common import (BpfTestCase, SCENARIOS, SHMWATCH, ROOT, ScratchTestCase, events,
                    read_log)

PYTHON = "/usr/bin/python3"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A process named "<script>&x" that leaves a /dev/shm object with a
# hostile name behind (shm-object-leak), made with plain os calls.
HOSTILE = r"""
import ctypes, mmap, os
libc = ctypes.CDLL(None)
libc.prctl(15, b"<script>&x", 0, 0, 0)  # PR_SET_NAME
path = "/dev/shm/shmwatch-test-<b>&\"x'-%d" % os.getpid()
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, 1 << 20)
m = mmap.mmap(fd, 1 << 20, mmap.MAP_SHARED)
m[:4] = b"data"
m.close()
os.close(fd)
"""


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag=None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def cls(self):
        return (self.attrs.get("class") or "").split()


VOID = {"meta", "br", "img", "input", "link", "hr", "circle", "line", "rect", "path"}


class Tree(HTMLParser):
    """The DOM as Chromium dumped it, as a tree of Nodes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(dom):
    t = Tree()
    t.feed(dom)
    return t.root


def squash(s):
    return " ".join(s.split())


def human(n):
    """human_size() of user/lib/names.c."""
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    if n < 1024:
        return "%d B" % n
    v, u = float(n), 0
    while v >= 1024 and u < len(units) - 1:
        v /= 1024
        u += 1
    return ("%.1f %s" if v < 10 else "%.0f %s") % (v, units[u])


class Chromium:
    """Headless Chromium with a private profile; every process it started
    is gone when this returns, whatever happened."""

    def __init__(self, tmp):
        self.profile = os.path.join(tmp, "chromium-profile")

    def _leftovers(self):
        pids = []
        for d in glob.glob("/proc/[0-9]*"):
            try:
                with open(os.path.join(d, "cmdline"), "rb") as f:
                    if self.profile.encode() in f.read():
                        pids.append(int(os.path.basename(d)))
            except OSError:
                pass
        return pids

    def run(self, args, timeout=90):
        argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + self.profile, "--hide-scrollbars"] + args
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            for pid in self._leftovers():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 10
        while self._leftovers() and time.time() < deadline:
            time.sleep(0.1)
        assert not self._leftovers(), "chromium processes left: %s" % self._leftovers()
        assert proc.returncode == 0 or out, "chromium failed (%d)" % proc.returncode
        return out.decode(errors="replace")

    def dom(self, path):
        return self.run(["--dump-dom", "file://" + os.path.abspath(path)])

    def screenshot(self, path, png, size="1366,900"):
        self.run(["--window-size=" + size, "--screenshot=" + png,
                  "file://" + os.path.abspath(path)])


def report(*args):
    proc = subprocess.run([SHMWATCH, "report"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr.splitlines()


def analyze_json(log):
    proc = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          timeout=120)
    return [json.loads(l) for l in proc.stdout.splitlines()]


def check_self_contained(test, page):
    """No reference leaves the file: no URL, no src other than data:."""
    test.assertNotIn("http://", page)
    test.assertNotIn("https://", page)
    test.assertEqual(re.findall(r"src=[\"']?(?!data:)", page), [])
    test.assertNotIn("<link", page)
    test.assertNotIn("@import", page)
    test.assertNotIn("url(", page)


class ReportOfScenarios(BpfTestCase):
    def setUp(self):
        super().setUp()
        if not CHROMIUM:
            self.skipTest("chromium is not installed (TEST_DEPS)")
        self.chromium = Chromium(self.tmp)

    def trace(self, argv, name):
        log = self.path(name + ".json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--"] + argv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        records = self.track(read_log(log))
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        return log, records

    def render(self, log, name):
        out = self.path(name + ".html")
        status, stdout, err = report(log, "-o", out)
        self.assertEqual(status, 0, err)
        self.assertEqual(stdout, "")
        self.assertRegex(err[-1], r"^shmwatch: wrote %s: \d+ events, \d+ findings$"
                         % re.escape(out))
        with open(out) as f:
            page = f.read()
        check_self_contained(self, page)
        return out, page, parse(self.chromium.dom(out))

    def check_findings(self, root, records):
        """Each finding analyze gives is an article with its message, hint,
        evidence and its stacks' functions and file:line, in order."""
        want = [r for r in records if r["type"] == "finding"]
        arts = [a for a in root.iter("article") if "finding" in a.cls()]
        self.assertEqual(len(arts), len(want))
        for n, (f, art) in enumerate(zip(want, arts), 1):
            self.assertEqual(art.attrs.get("id"), "finding-%d" % n)
            text = squash(art.text())
            self.assertIn(squash(f["message"]), text)
            self.assertIn(f["rule"], text)
            self.assertIn("pid %d" % f["pid"], text)
            if f.get("hint"):
                self.assertIn(squash(f["hint"]), text)
            for seq in f["evidence"]:
                self.assertIn("#%d" % seq, text)
            stacks = {s.attrs["class"].split()[1]: s for s in art.iter("div")
                      if "stack" in s.cls()}
            for key, cls in (("stack", "site"), ("origin_stack", "origin")):
                frames = f.get(key) or []
                if not frames:
                    self.assertNotIn(cls, stacks, "finding %d: %s" % (n, cls))
                    continue
                items = [squash(li.text()) for li in stacks[cls].iter("li")
                         if "more" not in li.cls()]
                self.assertEqual(len(items), len(frames), "finding %d %s" % (n, cls))
                for fr, item in zip(frames, items):
                    if fr.get("function"):
                        self.assertTrue(item.startswith(fr["function"]), (fr, item))
                    if fr.get("file") and fr.get("line"):
                        self.assertIn("%s:%d" % (fr["file"], fr["line"]), item)
            # The finding is a marker on the timelines and links back.
            when = [a for a in art.iter("a") if "when" in a.cls()]
            self.assertEqual(when[0].attrs.get("href"), "#timelines")
        marks = {a.attrs["href"] for a in root.iter("a") if "mk" in a.cls()}
        for n in range(1, len(want) + 1):
            if "#finding-%d" % n not in marks:
                # Markers closer than a few pixels share one: the first.
                self.assertTrue(any(int(m.split("-")[1]) < n for m in marks), n)
        return arts

    def timeline(self, root, kind, ident):
        for svg in root.iter("svg"):
            if svg.attrs.get("data-kind") == kind and svg.attrs.get("data-id") == str(ident):
                return svg
        self.fail("no %s timeline %s" % (kind, ident))

    def check_peak(self, svg, peak):
        labels = [t for t in svg.iter("text") if "pl" in t.cls()]
        self.assertEqual(len(labels), 1)
        self.assertEqual(int(labels[0].attrs["data-bytes"]), peak)
        self.assertTrue(labels[0].text().startswith("peak %s at +" % human(peak)),
                        labels[0].text())
        self.assertTrue([p for p in svg.iter("path") if "used" in p.cls()])

    def check_summaries(self, root, records):
        table = [t for t in root.iter("table") if "sum" in t.cls()][0]
        rows = {}
        for tr in table.iter("tr"):
            cells = [squash(td.text()) for td in tr.iter("td")]
            if cells:
                rows[cells[0]] = " | ".join(cells)
        for s in (r for r in records if r["type"] == "summary"):
            self.assertIn(str(s["pid"]), rows)
            row = rows[str(s["pid"])]
            self.assertIn("%d / %d" % (s["segments_created"], s["segments_removed"]), row)
            self.assertIn("%d / %d" % (s["attaches"], s["detaches"]), row)
            for rule, n in s["findings"].items():
                self.assertIn("%s %d" % (rule, n), row)

    def test_demo(self):
        """The demo (SysV segments, a memfd, six findings): the SysV
        timeline peaks where the sysv record says, each finding with its
        stacks, the lifetimes of its three segments, the summaries; and
        the screenshot docs/report.png is rendered from it."""
        log, records = self.trace([os.path.join(SCENARIOS, "demo_backingstore")], "demo")
        out, page, root = self.render(log, "demo")
        want = analyze_json(log)
        self.assertTrue([r for r in want if r["type"] == "finding"])
        self.check_findings(root, want)
        sysv = [r for r in want if r["type"] == "sysv"]
        self.assertEqual(len(sysv), 1)
        self.check_peak(self.timeline(root, "sysv", sysv[0]["ipc_ns"]), sysv[0]["peak_bytes"])
        # The segments in the lifetimes, the leaked one still there.
        gantt = [s for s in root.iter("svg") if "gantt" in s.cls()][0]
        labels = [squash(t.text()) for t in gantt.iter("text") if "rl" in t.cls()]
        for e in events(records, "shmget"):
            if e["errno"] is None:
                self.assertTrue(any(l.startswith("segment %d " % e["ret"]) for l in labels),
                                (e["ret"], labels))
        self.assertTrue([p for p in gantt.iter("path") if "held" in p.cls()])
        self.check_summaries(root, want)
        rules = {d.attrs.get("id") for d in root.iter("dt")}
        for f in (r for r in want if r["type"] == "finding"):
            self.assertIn("rule-" + f["rule"], rules)
        if os.environ.get("SHMWATCH_REPORT_PNG"):
            self.chromium.screenshot(out, os.environ["SHMWATCH_REPORT_PNG"])

    def test_tmpfs_fills(self):
        """A 4 MiB tmpfs that fills up (tmpfs_full): its timeline, the
        size limit drawn, the peak of its usage record, the SIGBUS
        finding with its stack."""
        log, records = self.trace([os.path.join(SCENARIOS, "tmpfs_full")], "tmpfs")
        out, page, root = self.render(log, "tmpfs")
        want = analyze_json(log)
        views = [r for r in want if r["type"] == "tmpfs" and r["fs_size"] == 4 << 20]
        self.assertEqual(len(views), 1, want)
        svg = self.timeline(root, "tmpfs", views[0]["dev"])
        self.check_peak(svg, views[0]["peak_used"])
        self.assertTrue([l for l in svg.iter("line") if "limit" in l.cls()])
        limit = [t for t in svg.iter("text") if "ll" in t.cls()]
        self.assertEqual(squash(limit[0].text()), "size 4.0 MiB")
        arts = self.check_findings(root, want)
        self.assertTrue(any("sigbus-explained" in a.text() for a in arts))
        peaks = [td for td in root.iter("td") if "peakv" in td.cls()]
        self.assertIn(str(views[0]["peak_used"]), [td.attrs["data-bytes"] for td in peaks])

    def test_hostile_names_are_text(self):
        """A comm of "<script>&x" and a /dev/shm name with < & " ': shown
        as those characters, never as markup."""
        log, records = self.trace([PYTHON, "-c", HOSTILE], "hostile")
        for name in glob.glob("/dev/shm/shmwatch-test-<b>*"):
            self.addCleanup(lambda n=name: os.path.exists(n) and os.unlink(n))
        self.assertTrue([e for e in records if e.get("comm") == "<script>&x"])
        out, page, root = self.render(log, "hostile")
        self.assertNotIn("<script", page)
        self.assertNotIn("<b>&", page)
        self.assertFalse(list(root.iter("script")))
        # The path's "<b>" made no element.
        self.assertFalse([b for b in root.iter("b") if b.text().startswith("&\"x'")])
        text = root.text()
        self.assertIn("<script>&x", text)
        want = analyze_json(log)
        leaks = [f for f in want if f["type"] == "finding" and f["rule"] == "shm-object-leak"]
        self.assertEqual(len(leaks), 1, want)
        self.assertIn("shmwatch-test-<b>&\"x'", text)
        self.check_findings(root, want)


class ReportCommand(ScratchTestCase):
    """The command without BPF: its inputs, outputs and statuses."""

    HEADER = '{"type":"header","schema":1,"max_size":4096}\n'
    EVENT = ('{"type":"event","seq":1,"ts_ns":1000,"pid":10,"tid":10,"ppid":1,"uid":0,'
             '"cgroup":1,"comm":"p","call":"shmget","args":{"key":0,"size":1099511627776,'
             '"shmflg":{"value":896}},"ret":-12,"errno":"ENOMEM"}\n')

    def setUp(self):
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        super().setUp()

    def file(self, name, data):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(data)
        return p

    def xz(self):
        """A file in a compression the reader refuses (not an NDJSON log)."""
        p = self.path("log.json.xz")
        with open(p, "wb") as f:
            f.write(b"\xfd7zXZ\x00" + bytes(range(256)))
        return p

    def test_writes_a_report(self):
        log = self.file("log.json", self.HEADER + self.EVENT)
        out = self.path("r.html")
        status, stdout, err = report(log, "-o", out, "--title", "run <1>")
        self.assertEqual(status, 0, err)
        self.assertEqual(err[-1], "shmwatch: wrote %s: 1 events, 1 findings" % out)
        with open(out) as f:
            page = f.read()
        self.assertIn("<title>run &lt;1&gt; &ndash;", page)
        self.assertIn('id="finding-1"', page)
        check_self_contained(self, page)
        # Options after the operand, and to standard output.
        status, stdout, err = report(log, "--strict")
        self.assertEqual(status, 0, err)
        self.assertTrue(stdout.startswith("<!DOCTYPE html>"))
        self.assertTrue(stdout.endswith("</html>\n"))
        # Replacing: said so.
        status, _, err = report(log, "-o", out)
        self.assertEqual(err[-1], "shmwatch: replaced %s: 1 events, 1 findings" % out)

    def test_never_replaces_what_it_should_not(self):
        """-o naming a log it reads is refused; logs without a record leave
        an existing page as it was; a report stopped by a signal leaves
        neither a page nor its temporary file."""
        log = self.file("log.json", self.HEADER + self.EVENT)
        status, _, err = report(log, "-o", log)
        self.assertEqual(status, 2, err)
        self.assertEqual(err, ["shmwatch: %s is one of the logs read: the report would replace it"
                               % log])
        with open(log) as f:
            self.assertEqual(f.read(), self.HEADER + self.EVENT)
        old = self.file("old.html", "keep")
        empty = self.file("empty.json", "")
        status, _, err = report(empty, "-o", old)
        self.assertEqual(status, 1, err)
        self.assertIn("shmwatch: the logs held no record: %s not written" % old, err)
        with open(old) as f:
            self.assertEqual(f.read(), "keep")
        # A pipe that never ends, then SIGTERM: no file at all.
        before = set(os.listdir(self.tmp))
        feeder = self.spawn(["sh", "-c", "cat %s; sleep 60" % log], stdout=subprocess.PIPE)
        proc = self.spawn([SHMWATCH, "report", "-", "-o", self.path("stopped.html")],
                          stdin=feeder.stdout, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
        feeder.stdout.close()
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(30), -signal.SIGTERM)
        self.assertEqual(set(os.listdir(self.tmp)), before)

    def test_bad_input_leaves_no_file(self):
        out = self.path("r.html")
        cases = [
            ([self.path("missing.json")], "shmwatch: can't open %s: No such file or directory"
             % self.path("missing.json")),
            ([self.xz()], None),
            (["/dev/zero"], "/dev/zero: not an NDJSON log: a character device"),
        ]
        for args, line in cases:
            status, stdout, err = report(*(args + ["-o", out]))
            self.assertEqual(status, 2, (args, err))
            self.assertEqual(len(err), 1, err)
            if line:
                self.assertEqual(err[0], line)
            self.assertFalse(os.path.exists(out), args)
            self.assertEqual(os.listdir(self.tmp) and
                             [n for n in os.listdir(self.tmp) if n.startswith(".")], [])
        # An output that cannot be made or written: 2, one line.
        log = self.file("log.json", self.HEADER + self.EVENT)
        status, _, err = report(log, "-o", self.path("no/such/dir/r.html"))
        self.assertEqual(status, 2, err)
        self.assertEqual([l for l in err if not re.match(r"shmwatch: \d+ events", l)],
                         ["shmwatch: can't create %s: No such file or directory"
                          % self.path("no/such/dir/r.html")])
        with open("/dev/full", "w") as full:
            proc = subprocess.run([SHMWATCH, "report", log], stdout=full,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.splitlines()[-1],
                         "shmwatch: can't write output: No space left on device")
        # --strict on a malformed line: 2, and an existing file is kept.
        with open(out, "w") as f:
            f.write("old report\n")
        bad = self.file("bad.json", self.HEADER + "{broken\n" + self.EVENT)
        status, _, err = report(bad, "--strict", "-o", out)
        self.assertEqual(status, 2, err)
        with open(out) as f:
            self.assertEqual(f.read(), "old report\n")
        # Without --strict the line is skipped: 1, and a report.
        status, _, err = report(bad, "-o", out)
        self.assertEqual(status, 1, err)
        with open(out) as f:
            self.assertTrue(f.read().startswith("<!DOCTYPE html>"))

    def test_usage_errors(self):
        for args, msg in (([], "report needs at least one LOG"),
                          (["--bogus", "x"], "unknown option"),
                          (["--state-max", "1", "x"], "invalid state cap")):
            status, _, err = report(*args)
            self.assertEqual(status, 2, err)
            self.assertEqual(len(err), 1, err)
            self.assertIn(msg, err[0])
        status, stdout, _ = report("--help")
        self.assertEqual(status, 0)
        self.assertTrue(stdout.startswith("usage: shmwatch report"))

    def test_refuses_a_terminal(self):
        log = self.file("log.json", self.HEADER + self.EVENT)
        master, slave = pty.openpty()
        try:
            proc = subprocess.run([SHMWATCH, "report", log], stdout=slave,
                                  stderr=subprocess.PIPE, text=True, timeout=30)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "shmwatch: report writes HTML: give -o FILE or redirect\n")

    def test_big_log_small_page(self):
        """200,000 generated events (tests/bench/soak.py): a page far below
        3 MB with every finding the soak expects, and the bounds said."""
        n = 200000
        log = self.path("soak.json")
        with open(log, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "tests/bench/soak.py"), str(n)],
                           stdout=f, check=True, timeout=300)
        expect = json.loads(subprocess.run(
            [sys.executable, os.path.join(ROOT, "tests/bench/soak.py"), "--expect", str(n)],
            stdout=subprocess.PIPE, check=True, text=True).stdout)
        out = self.path("soak.html")
        status, _, err = report(log, "-o", out)
        self.assertEqual(status, 0, err)
        total = sum(expect["findings"].values())
        self.assertRegex(err[-1], r"wrote .*: \d+ events, %d findings$" % total)
        size = os.path.getsize(out)
        self.assertLess(size, 3 << 20)
        with open(out) as f:
            page = f.read()
        self.assertEqual(page.count('<article class="finding'), min(total, 200))
        self.assertIn("processes that held shared memory", page)
        # Both timelines: SysV and the soak's /dev/shm.
        self.assertIn('data-kind="sysv"', page)
        self.assertIn('data-kind="tmpfs" data-id="27"', page)


if __name__ == "__main__":
    unittest.main()
