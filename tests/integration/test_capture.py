# SPDX-License-Identifier: GPL-2.0
"""Capture: every call a workload makes appears in the log with the right
arguments, return value, errno, pid and tid; -p sees a running process and
nothing else; a launched command's first call is seen; losses are counted
exactly; bad input stops early with one line and exit status 2."""
import json
import os
import signal
import subprocess
import time

from common import (BpfTestCase, SHMWATCH, WORKLOADS, Tracer, events, our_bpf_programs,
                    read_log)

# Arguments the log shows as a C int (the kernel reads the low 32 bits).
INT_ARGS = {"shmid", "fd", "key"}


def norm_arg(name, value):
    if isinstance(value, dict):
        value = value["value"]
    if name in INT_ARGS and isinstance(value, int):
        value &= 0xffffffff
    return value


def read_manifest(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class CaptureTest(BpfTestCase):
    def matches(self, want, got):
        if got["call"] != want["call"] or got["ret"] != want["ret"]:
            return False
        return all(norm_arg(k, got["args"].get(k)) == norm_arg(k, v)
                   for k, v in want["args"].items())

    def check_manifest(self, manifest, records):
        """Each manifest call appears, in order per thread, with the same
        pid, arguments, return value and errno.  The log may hold more
        (glibc's own thread-stack and arena mappings)."""
        by_tid = {}
        for e in events(records):
            by_tid.setdefault(e["tid"], []).append(e)
        pos = {}
        for want in manifest:
            logged = by_tid.get(want["tid"], [])
            i = pos.get(want["tid"], 0)
            while i < len(logged) and not self.matches(want, logged[i]):
                i += 1
            self.assertLess(i, len(logged), "not in the log, in order: %s" % json.dumps(want))
            got = logged[i]
            pos[want["tid"]] = i + 1
            self.assertEqual(got["pid"], want["pid"], json.dumps(want))
            self.assertEqual(got["errno"], want["errno"], json.dumps(want))

    def test_launched_command_every_call(self):
        log, manifest = self.path("log.json"), self.path("manifest.json")
        with Tracer(["-q", "--", os.path.join(WORKLOADS, "capture"), manifest], log) as t:
            rc = t.proc.wait(60)
            t.stop()
        self.assertEqual(rc, 0, t.stderr())
        records = self.track(read_log(log))
        want = read_manifest(manifest)
        self.assertGreater(len(want), 20)
        self.check_manifest(want, records)
        # Two threads and a forked child made calls, and the first call of
        # the command (a shmget right after exec) was seen.
        self.assertGreaterEqual(len({w["tid"] for w in want}), 3)
        self.assertGreaterEqual(len({w["pid"] for w in want}), 2)
        main_pid = want[0]["pid"]
        # (The manifest itself is a file the workload creates: on a tmpfs
        # /tmp, as in the kernels' guest, its openat is recorded too.)
        calls = {w["call"] for w in want} - {"munmap"}
        first = [e for e in events(records, pid=main_pid) if e["call"] in calls]
        self.assertEqual(first[0]["call"], want[0]["call"])
        self.assertEqual(first[0]["ret"], want[0]["ret"])
        self.assertEqual(records[0]["type"], "header")
        self.assertEqual(records[-1]["type"], "stats")
        self.assertTrue(records[-1]["final"])
        self.assertEqual(records[-1]["lost"], 0)

    def test_mapping_backing_from_kernel(self):
        log, manifest = self.path("log.json"), self.path("manifest.json")
        with Tracer(["-q", "--", os.path.join(WORKLOADS, "capture"), manifest], log) as t:
            t.proc.wait(60)
            t.stop()
        records = self.track(read_log(log))
        backings = {e["map"]["backing"] for e in events(records) if "map" in e}
        self.assertIn("sysv", backings)
        self.assertIn("anon_shared", backings)
        self.assertIn("memfd", backings)
        sizes = []
        for e in events(records, "shmat"):
            if e["errno"] is None:
                self.assertEqual(e["map"]["shmid"], e["args"]["shmid"])
                sizes.append(e["map"]["object_size"])
        # 0 means the kernel's mapping lock was busy (another thread was
        # mapping); the single-threaded first cycle always has the size.
        self.assertEqual(sizes[0], 1 << 20)
        self.assertLessEqual(set(sizes), {0, 1 << 20})

    def test_pid_mode_sees_running_process_only(self):
        log, manifest = self.path("log.json"), self.path("manifest.json")
        noise = self.spawn([os.path.join(WORKLOADS, "noise"), "30"])
        work = self.spawn([os.path.join(WORKLOADS, "capture"), manifest],
                          env=dict(os.environ, WORKLOAD_WAIT="1"),
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.assertEqual(work.stdout.readline().strip(), "ready")
        with Tracer(["-q", "-f", "-p", str(work.pid)], log) as t:
            t.wait_attached()
            work.stdin.write("go\n")
            work.stdin.flush()
            self.assertEqual(work.wait(60), 0)
            rc = t.stop()
        self.assertEqual(rc, 0, t.stderr())
        records = self.track(read_log(log))
        want = read_manifest(manifest)
        self.check_manifest(want, records)
        traced = {work.pid} | {w["pid"] for w in want}
        strangers = {e["pid"] for e in events(records)} - traced
        self.assertFalse(strangers, "events from untraced pids %s (noise is %d)"
                         % (strangers, noise.pid))

    def test_system_wide_sees_everyone(self):
        log = self.path("log.json")
        with Tracer(["-q"], log) as t:
            t.wait_attached()
            noise = self.spawn([os.path.join(WORKLOADS, "noise"), "1"])
            noise.wait(30)
            rc = t.stop()
        self.assertEqual(rc, 0, t.stderr())
        records = self.track(read_log(log))
        self.assertTrue(events(records, "shmget", pid=noise.pid))

    def test_loss_accounting_is_exact(self):
        """A 4 KiB ring buffer against a flood: logged + lost == calls."""
        log, calls = self.path("log.json"), 200000
        with Tracer(["-q", "--ringbuf-size", "4096", "--",
                     os.path.join(WORKLOADS, "flood"), str(calls)], log) as t:
            self.assertEqual(t.proc.wait(120), 0, t.stderr())
        records = self.track(read_log(log))
        final = records[-1]
        self.assertEqual(final["type"], "stats")
        logged = len(events(records, "shmdt"))
        lost = final["lost_by"]["shmdt"]
        self.assertGreater(lost, 0, "the flood should overflow a 4 KiB buffer")
        self.assertEqual(logged + lost, calls)
        self.assertEqual(final["lost"], sum(final["lost_by"].values()))

    def test_sigterm_drains_and_summarizes(self):
        log = self.path("log.json")
        with Tracer(["-q", "--comm", "noise"], log) as t:
            t.wait_attached()
            noise = self.spawn([os.path.join(WORKLOADS, "noise"), "1"])
            noise.wait(30)
            rc = t.stop(signal.SIGTERM)
        self.assertEqual(rc, 0, t.stderr())
        records = self.track(read_log(log))
        self.assertTrue(records[-1]["final"])
        self.assertEqual({e["comm"] for e in events(records)}, {"noise"})
        self.assertEqual(our_bpf_programs(), [])

    def test_duration_stops(self):
        start = time.time()
        proc = subprocess.run([SHMWATCH, "-q", "-d", "0.5", "--comm", "no-such-comm"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertLess(time.time() - start, 10)
        self.assertRegex(proc.stderr, r"shmwatch: \d+ events(:[^;]*)?; 0 failed; 0 findings; 0 lost\n")


class BadInputTest(BpfTestCase):
    def check_usage_error(self, args, fragment):
        proc = subprocess.run([SHMWATCH] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn(fragment, lines[0])
        self.assertNotIn("libbpf", proc.stderr)
        self.assertEqual(our_bpf_programs(), [])

    def test_pid_that_does_not_exist(self):
        self.check_usage_error(["-p", "999999999"], "no such process")

    def test_unknown_option(self):
        self.check_usage_error(["--frobnicate"], "unknown option '--frobnicate'")

    def test_malformed_values(self):
        self.check_usage_error(["-p", "12x"], "invalid pid")
        self.check_usage_error(["-d", "soon"], "invalid duration")
        self.check_usage_error(["--max-size", "lots"], "invalid size")
        self.check_usage_error(["--ringbuf-size", "5000"], "power of two")

    def test_output_cannot_be_created(self):
        self.check_usage_error(["-o", "/nonexistent-dir/log.json", "-d", "1"], "can't create")

    def test_command_that_does_not_exist(self):
        self.check_usage_error(["--", "/nonexistent/program"], "can't run")

    def test_log_is_not_written_through_a_symlink(self):
        target = self.path("target")
        with open(target, "w") as f:
            f.write("precious\n")
        link = self.path("log.json")
        os.symlink(target, link)
        self.check_usage_error(["-o", link, "-d", "1"], "can't create")
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n")

    def test_log_mode_is_0600(self):
        log = self.path("log.json")
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "-d", "0.2", "--comm", "nobody"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(os.stat(log).st_mode & 0o777, 0o600)

    def listing(self):
        """Every entry of the test directory, with what a write or a
        replacement would change."""
        out = {}
        for name in os.listdir(self.tmp):
            st = os.lstat(self.path(name))
            out[name] = (st.st_ino, st.st_mode, st.st_uid, st.st_nlink, st.st_size,
                         st.st_mtime_ns)
        return out

    def check_log_refused(self, path, fragment):
        """-o at something that is not shmwatch's to replace: one line,
        exit 2, and the directory exactly as it was."""
        before = self.listing()
        self.check_usage_error(["-o", path, "-d", "1"], fragment)
        self.assertEqual(self.listing(), before)

    def test_log_refuses_a_fifo_without_blocking(self):
        fifo = self.path("log.json")
        os.mkfifo(fifo)
        self.check_log_refused(fifo, "it is a FIFO")

    def test_log_refuses_a_hard_link(self):
        copy = self.path("passwd-copy")
        with open(copy, "w") as f:
            f.write("root:x:0:0\n")
        os.link(copy, self.path("h.json"))
        self.check_log_refused(self.path("h.json"), "it has 2 hard links")
        with open(copy) as f:
            self.assertEqual(f.read(), "root:x:0:0\n")

    def test_log_refuses_another_users_file(self):
        log = self.path("log.json")
        with open(log, "w") as f:
            f.write("theirs\n")
        os.chown(log, 65534, 65534)
        os.chmod(log, 0o666)
        self.check_log_refused(log, "it belongs to uid 65534")

    def test_log_refuses_a_directory(self):
        os.mkdir(self.path("log.json"))
        self.check_log_refused(self.path("log.json"), "it is a directory")

    def test_no_log_when_tracing_cannot_start(self):
        """Neither a header-only log nor a temporary file is left, and a
        file already at the path keeps its content."""
        old = self.path("old.json")
        with open(old, "w") as f:
            f.write("kept\n")
        before = self.listing()
        for log in (self.path("new.json"), old):
            self.check_usage_error(["-o", log, "--cgroup", self.path("no-such-cgroup")],
                                   "can't open cgroup")
            self.check_usage_error(["-o", log, "--", "/nonexistent/program"], "can't run")
            self.assertEqual(self.listing(), before)

    def test_existing_log_is_replaced_not_truncated(self):
        log = self.path("log.json")
        with open(log, "w") as f:
            f.write("old log\n")
        with open(log) as held:
            proc = subprocess.run([SHMWATCH, "-q", "-o", log, "-d", "0.2", "--comm", "nobody"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  timeout=30)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(held.read(), "old log\n")
        self.assertIn("shmwatch: replaced the existing file %s\n" % log, proc.stderr)
        self.assertEqual(read_log(log)[0]["type"], "header")
        self.assertEqual(os.stat(log).st_mode & 0o777, 0o600)
        self.assertEqual(os.listdir(self.tmp), ["log.json"])

    def test_not_root(self):
        if not os.path.exists("/usr/bin/setpriv"):
            self.skipTest("setpriv (util-linux) is not installed")
        self.check_usage_error_as_nobody()

    def check_usage_error_as_nobody(self):
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "--inh-caps=-all", SHMWATCH, "-d", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
        self.assertIn("permission denied", proc.stderr)


class ReadOnlySharedTest(BpfTestCase):
    def test_read_only_shared_file_mapping_is_shared(self):
        """MAP_SHARED of a file opened read-only has VM_MAYSHARE without
        VM_SHARED in the kernel; /proc/PID/maps shows it shared (glibc's
        gconv-modules.cache is one), so it must be recorded as shared."""
        log = self.path("log.json")
        target = self.path("data")
        with open(target, "wb") as f:
            f.write(b"x" * 8192)
        code = ("import mmap; f = open(%r, 'rb'); "
                "m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)" % target)
        proc = subprocess.run([SHMWATCH, "-q", "-o", log, "--", "/usr/bin/python3", "-c", code],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        maps = [e for e in events(self.track(read_log(log)), "mmap")
                if e.get("map", {}).get("name") == "data"]
        self.assertEqual(len(maps), 1, maps)
        self.assertEqual(maps[0]["map"]["backing"], "file_shared")
        self.assertIn("MAP_SHARED", maps[0]["args"]["flags"]["names"])


class DontForkTest(BpfTestCase):
    def _kill_child(self, pidfile):
        try:
            with open(pidfile) as f:
                pid = int(f.read())
        except (OSError, ValueError):
            return
        self.pids.add(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def test_dontfork_attachment_stays_with_the_parent(self):
        """A fork does not copy an attachment marked MADV_DONTFORK: the
        madvise calls are recorded, and at the end, with the parent gone
        and its child still running, shmwatch's state agrees with the
        kernel's: segment A is gone, the child holds the middle page of
        segment B, which it alone inherited."""
        log, pidfile = self.path("log.json"), self.path("child.pid")
        self.addCleanup(self._kill_child, pidfile)
        # A file, not a pipe: the child keeps the command's stderr open.
        with open(self.path("stderr"), "w+") as err:
            rc = subprocess.run([SHMWATCH, "-q", "--check-state", "--exit-with-command",
                                 "-o", log, "--", os.path.join(WORKLOADS, "dontfork"),
                                 pidfile],
                                stdout=subprocess.DEVNULL, stderr=err, timeout=60).returncode
            err.seek(0)
            stderr = err.read()
        records = self.track(read_log(log))
        self.assertEqual(rc, 0, stderr)
        self.assertIn("check-state: agrees: 1 segments, 1 processes compared", stderr)
        advice = [(e["args"]["length"], e["args"]["advice"]["names"], e["ret"])
                  for e in events(records, "madvise")]
        self.assertEqual(advice, [(1 << 20, ["MADV_DONTFORK"], 0),
                                  (1 << 20, ["MADV_DONTFORK"], 0),
                                  (4096, ["MADV_DOFORK"], 0)])
