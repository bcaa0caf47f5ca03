# SPDX-License-Identifier: GPL-2.0
"""`shmwatch analyze` as a command, without BPF: the inputs it takes (files,
pipes, FIFOs) and refuses (devices), that it always ends, and its exit
statuses."""
import json
import os
import re
import select
import shutil
import subprocess
import unittest

from common import SHMWATCH, ScratchTestCase

HEADER = '{"type":"header","schema":1,"max_size":4096}\n'
# A shmget that failed for a size past --max-size: a finding at once.
OVERSIZED = ('{"type":"event","seq":1,"ts_ns":1000,"pid":10,"tid":10,"ppid":1,"uid":0,'
             '"cgroup":1,"comm":"p","call":"shmget","args":{"key":0,"size":1099511627776,'
             '"shmflg":{"value":896}},"ret":-12,"errno":"ENOMEM"}\n')
LOG = HEADER + OVERSIZED


class AnalyzeTestCase(ScratchTestCase):
    def setUp(self):
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        super().setUp()

    def file(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def analyze(self, *args, stdin=None, data=None, timeout=60):
        """Run analyze; returns (status, stdout, stderr lines)."""
        proc = subprocess.run([SHMWATCH, "analyze"] + list(args), input=data, stdin=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return proc.returncode, proc.stdout.decode(), diagnostics(proc.stderr)


def diagnostics(stderr):
    """stderr without the closing count line."""
    return [l for l in stderr.decode(errors="replace").splitlines()
            if not re.match(r"shmwatch: \d+ events[:;]", l)]


class InputTest(AnalyzeTestCase):
    def test_character_device_is_refused(self):
        for dev in ("/dev/zero", "/dev/urandom", "/dev/null"):
            status, out, err = self.analyze(dev, timeout=20)
            self.assertEqual(status, 2, err)
            self.assertEqual(err, ["%s: not an NDJSON log: a character device" % dev])
            self.assertEqual(out, "")

    def test_endless_line_from_a_pipe_ends(self):
        zeros = self.spawn(["cat", "/dev/zero"], stdout=subprocess.PIPE)
        status, out, err = self.analyze("-", stdin=zeros.stdout, timeout=60)
        zeros.stdout.close()
        self.assertEqual(status, 2, err)
        self.assertEqual(err, ["<stdin>:1: not an NDJSON log: no newline in 16 MiB"])

    def test_pipe_and_fifo(self):
        status, out, err = self.analyze("-", data=LOG.encode())
        self.assertEqual((status, err), (0, []))
        self.assertIn("oversized-request", out)

        fifo = self.path("fifo")
        os.mkfifo(fifo)
        writer = self.spawn(["sh", "-c", 'cat "$1" > "$2"', "sh", self.file("log", LOG), fifo])
        status, out, err = self.analyze(fifo)
        self.assertEqual(writer.wait(10), 0)
        self.assertEqual((status, err), (0, []))
        self.assertIn("oversized-request", out)

    def test_pipe_is_read_as_it_is_written(self):
        # The diagnostic of the bad second line must come while the writer
        # still holds the pipe open: analyze reads what has arrived, not
        # whole buffers (stdout may be buffered, stderr is not).
        proc = self.spawn([SHMWATCH, "analyze", "-"], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        proc.stdin.write((HEADER + "{oops\n").encode())
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stderr], [], [], 20)
        self.assertTrue(ready, "nothing read while the pipe stays open")
        self.assertEqual(proc.stderr.readline(), b"<stdin>:2: not JSON: quoted object property "
                         b"name expected at byte 2\n")
        proc.stdin.close()
        self.assertEqual(proc.wait(20), 1)
        proc.stderr.close()

class CompressedTest(AnalyzeTestCase):
    def test_gzip_file_and_pipe(self):
        # A rotated run as logrotate leaves it: the oldest file gzip'd.
        old = self.file("log.2", HEADER + OVERSIZED)
        subprocess.run(["gzip", old], check=True)
        new = self.file("log.1", OVERSIZED.replace('"seq":1,', '"seq":2,')
                        .replace('"pid":10,"tid":10', '"pid":11,"tid":11'))
        status, out, err = self.analyze(old + ".gz", new)
        self.assertEqual((status, err), (0, []))
        self.assertEqual(out.count("FINDING"), 2, out)

        gz = subprocess.run(["gzip", "-c"], input=LOG.encode(), stdout=subprocess.PIPE,
                            check=True).stdout
        status, out, err = self.analyze("-", data=gz)
        self.assertEqual((status, err), (0, []))
        self.assertIn("oversized-request", out)

    def test_other_compressions_say_what_to_run(self):
        tools = [(t, e) for t, e in (("xz", "xz"), ("zstd", "zst"), ("bzip2", "bz2"),
                                     ("lz4", "lz4")) if shutil.which(t)]
        if not tools:
            self.skipTest("none of xz, zstd, bzip2 and lz4 is installed")
        for tool, ext in tools:
            log = self.file("log", LOG)
            packed = self.path("log." + ext)
            with open(packed, "wb") as f:
                subprocess.run([tool, "-c", log], stdout=f, stderr=subprocess.DEVNULL,
                               check=True)
            status, out, err = self.analyze(packed)
            self.assertEqual(status, 2, err)
            self.assertEqual(err, ['%s: compressed with %s, which analyze does not read: run '
                                   '"%s -dc %s | shmwatch analyze -"'
                                   % (packed, tool, tool, packed)])
            # and what it says to run works
            proc = subprocess.run("%s -dc %s | %s analyze -" % (tool, packed, SHMWATCH),
                                  shell=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn(b"oversized-request", proc.stdout)

            with open(packed, "rb") as f:
                status, out, err = self.analyze("-", stdin=f)
            self.assertEqual(status, 2, err)
            self.assertEqual(len(err), 1, err)
            self.assertIn("(... | %s -dc | shmwatch analyze -)" % tool, err[0])

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")


class ParsersTest(AnalyzeTestCase):
    """The reader parses a line with simdjson, and with json-c the lines
    simdjson refuses (user/log/jval.h): a member that only json-c reads,
    a number past a double's range, put into every line of the corpus's
    real logs must change nothing in what analyze makes of them."""

    def test_json_c_reads_what_simdjson_reads(self):
        logs = 0
        for name in sorted(f for f in os.listdir(CORPUS) if f.endswith(".json")):
            with open(os.path.join(CORPUS, name)) as f:
                lines = f.read().splitlines()
            # Real logs only, whose every line is an object (parsers.json
            # is the fuzzer's seed of malformed lines).
            try:
                if not all(isinstance(json.loads(l), dict) for l in lines):
                    continue
            except ValueError:
                continue
            logs += 1
            twin = "".join('{"from_a_newer_writer":1e999,' + l[1:] + "\n" for l in lines)
            runs = []
            for log, folded in ((os.path.join(CORPUS, name), self.path("a.folded")),
                                (self.file(name, twin), self.path("b.folded"))):
                run = self.analyze("--format", "json", "--folded", folded, log)
                with open(folded) as f:
                    runs.append(run + (f.read(),))
            self.assertEqual(runs[0][0], 0, (name, runs[0][2]))
            self.assertEqual(runs[0], runs[1], name)
            stats = [json.loads(l) for l in runs[0][1].splitlines() if '"type":"stats"' in l]
            self.assertEqual(stats[-1]["events"], sum(1 for l in lines if '"event"' in l), name)
        self.assertGreater(logs, 5)


class ExitStatusTest(AnalyzeTestCase):
    def test_empty_log(self):
        empty = self.file("empty.json", "")
        status, out, err = self.analyze(empty)
        self.assertEqual(status, 1, err)
        self.assertEqual(err, ["%s: empty log: no records" % empty])

        status, out, err = self.analyze("-", data=b"\n\n")
        self.assertEqual(status, 1, err)
        self.assertEqual(err, ["<stdin>: empty log: no records"])

        # One empty file among logs with records (logrotate's new FILE) is
        # said, and the run is still judged by its lines.
        log = self.file("log.json", LOG)
        status, out, err = self.analyze(log, empty)
        self.assertEqual(status, 0, err)
        self.assertEqual(err, ["%s: empty log: no records" % empty])
        self.assertIn("oversized-request", out)

    def test_statuses(self):
        log = self.file("log.json", LOG)
        bad = self.file("bad.json", LOG + "{oops\n")
        self.assertEqual(self.analyze(log)[0], 0)
        self.assertEqual(self.analyze(bad)[0], 1)
        self.assertEqual(self.analyze(bad, "--strict")[0], 2)
        self.assertEqual(self.analyze(self.path("missing.json"))[0], 2)
        status, out, err = self.analyze(log, "--format", "json")
        self.assertEqual((status, err), (0, []))
        self.assertEqual(json.loads(out.splitlines()[0])["type"], "header")

if __name__ == "__main__":
    unittest.main()


SOAK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "soak.py")
PROGRESS = re.compile(r"shmwatch: ([\d.]+ [KMG]?i?B) of ([\d.]+ [KMG]?i?B) \((\d+)%\), (\d+) events, "
                      r"(\d+) findings?(?:, about (\d+) s left)?$")


class ProgressTest(AnalyzeTestCase):
    """A progress line on a terminal's standard error, redrawn in place and
    cleared before the findings; nothing when standard error is a pipe."""

    def big_log(self):
        # Seconds of analysis, long enough for several redraws (the first
        # at 0.5 s, then every 0.25 s): 600,000 events once were, until
        # the reader got fast enough to finish them in one.
        path = self.path("big.ndjson")
        with open(path, "wb") as f:
            subprocess.run(["python3", SOAK, "3000000"], stdout=f, check=True, timeout=300)
        return path

    def on_terminal(self, args):
        """Run analyze with stdout and stderr on a pty; returns (status,
        everything the terminal got)."""
        import fcntl, pty, struct, termios
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # Wide enough that no progress line is cut to the width.
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
                os.execv(SHMWATCH, [SHMWATCH, "analyze"] + args)
            finally:
                os._exit(127)
        out = b""
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            os.close(fd)
            _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.decode(errors="replace")

    def test_progress_on_a_terminal_only(self):
        log = self.big_log()
        size = os.path.getsize(log)
        status, screen = self.on_terminal([log, "--summaries", "none"])
        self.assertEqual(status, 0, screen[-2000:])
        draws = [d[:-len("\x1b[K")] for d in screen.split("\r") if d.endswith("\x1b[K")]
        lines = [PROGRESS.match(d) for d in draws if d]
        self.assertGreaterEqual(len(lines), 2, screen[:2000])
        self.assertTrue(all(lines), draws)
        done = [int(m.group(3)) for m in lines]
        events = [int(m.group(4)) for m in lines]
        self.assertEqual(done, sorted(done))
        self.assertEqual(events, sorted(events))
        self.assertTrue(all(m.group(2) == lines[0].group(2) for m in lines))
        # The total is the file's size as human_size writes it.
        self.assertIn(lines[0].group(2).split()[1], ("MiB",))
        self.assertAlmostEqual(float(lines[0].group(2).split()[0]), size / (1 << 20), delta=1)
        # The last line drawn is cleared before the findings, which start
        # at the first column of a clean line.
        cleared = "\x1b[K\r\x1b[K"
        self.assertEqual(screen.count(cleared), 1, screen[-3000:])
        tail = screen[screen.index(cleared) + len(cleared):]
        self.assertRegex(tail, r"^\d\d:\d\d:\d\d\.\d+ FINDING error segment-leak ")
        self.assertNotIn("\r\x1b[K", tail)
        self.assertRegex(tail.splitlines()[-1], r"^shmwatch: \d+ events:")
        # Standard error a pipe: no progress at all.
        proc = subprocess.run([SHMWATCH, "analyze", log, "--summaries", "none"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn(b"\r", proc.stderr)
        self.assertNotIn(b"\x1b[", proc.stderr)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
