#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""CO-RE portability: boot Debian 12's stock cloud kernel under qemu (TCG)
with shmwatch, the integration workloads and the scenarios in an
initramfs, run them inside the guest, bring the logs back over the serial
console, and judge them with the host's own integration tests.

The host tests are reused, not copied: CaptureTest's tests run unchanged
with common.Tracer replaced by GuestTracer, which hands them the log the
guest recorded for the same command line; ScenarioTest runs unchanged but
for run_command/run_pid, which fetch the guest's log instead of starting
the program.  Nothing in the replay touches the host's kernel.

Usage: tests/kernels/run.py --build BUILD [--package PKG] [--timeout SECS]
                            [--cache DIR] [--keep]

Prints one line per check ('ok - ...' / 'not ok - ...') and a closing
'N passed, N failed'; exits 1 if anything failed.  When qemu or the kernel
cannot be obtained (no route to the Debian archive, not root to install)
it prints 'skipped: REASON' and exits 0.
"""
import argparse
import base64
import glob
import gzip
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INTEGRATION = os.path.join(ROOT, "tests", "integration")

META_PACKAGE = "linux-image-cloud-amd64"
# Debian packages the suite needs (the initramfs is written here, in
# Python, so no cpio and no mknod are needed).
TOOLS = ["qemu-system-x86", "busybox-static"]
# Programs the scenarios exec (removed_under_user.c runs util-linux's
# ipcrm as a cleanup job does), copied into the guest at the same path.
SCENARIO_PROGRAMS = ["/usr/bin/ipcrm"]

# The shmwatch runs the replayed host tests ask for, as (name, arguments,
# guest timeout).  "@W/x" is workload x; "@OUT:label" is a file the
# workload writes, given back to the test under whatever path it chose.
# A host test whose command line is not here fails with a message saying
# so: add the line, do not loosen the match.
CAPTURE_RUNS = [
    ("capture", ["-q", "--", "@W/capture", "@OUT:manifest"], 120),
    ("flood", ["-q", "--ringbuf-size", "4096", "--", "@W/flood", "200000"], 300),
]
# CaptureTest tests whose whole body can be replayed from CAPTURE_RUNS.
CAPTURE_TESTS = [
    ("capture manifest", "test_launched_command_every_call"),
    ("capture mapping backings", "test_mapping_backing_from_kernel"),
    ("loss accounting", "test_loss_accounting_is_exact"),
]


class Skip(Exception):
    """qemu or the kernel cannot be obtained here."""


def log(msg):
    print("# " + msg, flush=True)


# ---------------------------------------------------------------- host set-up

def installed(pkg):
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc.returncode == 0 and proc.stdout.endswith("ok installed")


_updated = False


def apt_update():
    global _updated
    if _updated:
        return True
    _updated = True
    log("apt-get update")
    return subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL).returncode == 0


def ensure_tools():
    missing = [p for p in TOOLS if not installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise Skip("%s not installed, and installing needs root" % " ".join(missing))
    log("installing " + " ".join(missing))
    apt_update()
    proc = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"]
                          + missing, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise Skip("can't install %s from the Debian archive: %s"
                   % (" ".join(missing), (proc.stdout.strip().splitlines() or ["?"])[-1]))


def apt_query(args):
    return subprocess.run(["apt-cache"] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout


def current_kernel_package():
    """The package linux-image-cloud-amd64 depends on right now."""
    for attempt in range(2):
        m = re.search(r"Depends: (linux-image-\S+-cloud-amd64)\b", apt_query(["depends", META_PACKAGE]))
        if m:
            return m.group(1)
        if attempt == 0 and not apt_update():
            break
    return None


def candidate_version(pkg):
    m = re.search(r"^Version: (\S+)", apt_query(["show", "--no-all-versions", pkg]), re.M)
    return m.group(1) if m else None


def fetch_kernel(cache, pkg):
    """Unpack pkg (the candidate version) under cache once; return
    (kernel release, vmlinuz path, package version)."""
    version = candidate_version(pkg)
    if not version:
        cached = sorted(glob.glob(os.path.join(cache, pkg + "_*", "boot", "vmlinuz-*")))
        if len(cached) != 1:
            raise Skip("%s is not known to apt and not cached" % pkg)
        version = os.path.basename(cached[0].split("/boot/")[0]).split("_", 1)[1]
        log("apt does not know %s; using the cached %s" % (pkg, version))
    release = pkg[len("linux-image-"):]
    tree = os.path.join(cache, "%s_%s" % (pkg, version))
    vmlinuz = os.path.join(tree, "boot", "vmlinuz-" + release)
    if os.path.exists(vmlinuz):
        return release, vmlinuz, version
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fetch-", dir=cache)
    try:
        log("downloading %s %s" % (pkg, version))
        cmd = ["apt-get", "download", "-q", "%s=%s" % (pkg, version)]
        if os.geteuid() == 0:  # _apt could not write here; apt would warn
            cmd[1:1] = ["-o", "APT::Sandbox::User=root"]
        proc = subprocess.run(cmd, cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        debs = glob.glob(os.path.join(work, "*.deb"))
        if proc.returncode != 0 or len(debs) != 1:
            errors = [l for l in proc.stdout.splitlines() if l.startswith("E:")]
            raise Skip("can't download %s from the Debian archive: %s"
                       % (pkg, (errors or proc.stdout.splitlines() or ["?"])[-1]))
        subprocess.run(["dpkg-deb", "-x", debs[0], os.path.join(work, "tree")], check=True)
        os.rename(os.path.join(work, "tree"), tree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return release, vmlinuz, version


# ---------------------------------------------------------------- initramfs

class Cpio:
    """An in-memory cpio 'newc' archive: everything owned by root, mtime 0,
    parents before children, and /dev/console without needing mknod."""

    def __init__(self):
        self.entries = []
        self.seen = set()

    def _add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parent = os.path.dirname(path)
        if parent and parent not in self.seen:
            self.mkdir(parent)
        if path in self.seen:
            return
        self.seen.add(path)
        self.entries.append((path, mode, data, rdev))

    def mkdir(self, path):
        self._add(path, stat.S_IFDIR | 0o755)

    def file(self, path, data, mode=0o755):
        self._add(path, stat.S_IFREG | mode, data)

    def copy(self, path, host_path):
        with open(host_path, "rb") as f:  # follows symlinks: the real file
            self.file(path, f.read(), os.stat(host_path).st_mode & 0o777)

    def chardev(self, path, major, minor):
        self._add(path, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def write(self, out):
        def pad(n):
            return b"\0" * (-n % 4)
        with gzip.open(out, "wb", compresslevel=6) as f:
            for ino, (path, mode, data, rdev) in enumerate(
                    self.entries + [("TRAILER!!!", 0, b"", (0, 0))], 1):
                name = path.encode() + b"\0"
                nlink = 2 if stat.S_ISDIR(mode) else 1
                hdr = ("070701" + "%08X" * 13 % (ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                                                  rdev[0], rdev[1], len(name), 0)).encode()
                f.write(hdr + name + pad(len(hdr) + len(name)) + data + pad(len(data)))


def shared_libraries(binary):
    """Paths ldd names for binary, the ELF interpreter included."""
    proc = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, env=dict(os.environ, LC_ALL="C"))
    if proc.returncode != 0:
        return []  # static
    libs = []
    for line in proc.stdout.splitlines():
        m = re.search(r"(?:=>\s*)?(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
        elif "not found" in line:
            raise RuntimeError("%s: %s" % (binary, line.strip()))
    return libs


def busybox_path():
    proc = subprocess.run(["dpkg-query", "-L", "busybox-static"], stdout=subprocess.PIPE,
                          text=True)
    for line in proc.stdout.splitlines():
        if line.endswith("bin/busybox"):
            return line
    raise RuntimeError("busybox-static installs no bin/busybox")


def build_initramfs(out, shmwatch, workloads, scenarios, init):
    cpio = Cpio()
    for d in ("bin", "proc", "sys", "dev", "tmp", "etc", "workloads", "scenarios"):
        cpio.mkdir(d)
    cpio.chardev("dev/console", 5, 1)
    cpio.copy("bin/busybox", busybox_path())
    cpio.copy("bin/shmwatch", shmwatch)
    binaries = [shmwatch]
    # Real programs that scenarios run, at their host paths.
    for prog in SCENARIO_PROGRAMS:
        cpio.copy(prog.lstrip("/"), prog)
        binaries.append(prog)
    for guest_dir, progs in (("workloads", workloads), ("scenarios", scenarios)):
        for p in progs:
            cpio.copy("%s/%s" % (guest_dir, os.path.basename(p)), p)
            binaries.append(p)
    for lib in sorted({l for b in binaries for l in shared_libraries(b)}):
        cpio.copy(lib, lib)
    cpio.file("etc/passwd", b"root:x:0:0:root:/:/bin/sh\n", 0o644)
    cpio.file("init", init.encode(), 0o755)
    cpio.write(out)


# ---------------------------------------------------------------- guest plan

GUEST_PRELUDE = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
# tracefs is left unmounted on purpose: shmwatch mounts it itself.
echo 1 > /proc/sys/kernel/printk  # kernel messages off the result stream

now() { cut -d' ' -f1 /proc/uptime; }
emit() {  # emit NAME FILE: a file as gzip+base64 between markers
	[ -f "$2" ] || return 0
	echo "=== FILE $1 ==="
	gzip -c "$2" | base64
	echo "=== END ==="
}
emit_run() {  # emit_run NAME: the log, stdout and stderr of one run
	for f in json out err prog.out prog.err manifest; do
		emit "$1.$f" "/tmp/$1.$f"
	done
}
wait_for() {  # wait_for PATTERN FILE PID: until FILE has PATTERN; 1 if PID died or 60 s
	i=0
	until grep -q "$1" "$2" 2>/dev/null; do
		kill -0 "$3" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		sleep 0.1
	done
}
echo "=== SUITE BEGIN uptime=$(now) ==="
echo "=== UNAME $(uname -r) ==="
"""

GUEST_EPILOGUE = r"""dmesg > /tmp/dmesg.txt
emit dmesg.txt /tmp/dmesg.txt
echo "=== SUITE END uptime=$(now) ==="
poweroff -f
"""


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def guest_args(name, args):
    """Host-side run arguments -> the guest's command line."""
    out = []
    for a in args:
        if a.startswith("@W/"):
            out.append("/workloads/" + a[3:])
        elif a.startswith("@OUT:"):
            out.append("/tmp/%s.%s" % (name, a[5:]))
        else:
            out.append(a)
    return " ".join(sh_quote(a) for a in out)


def guest_command_run(name, args, timeout):
    """shmwatch launching a command, as the host's Tracer does."""
    return ("t0=$(now)\n"
            "timeout %d /bin/shmwatch -o /tmp/%s.json %s >/tmp/%s.out 2>/tmp/%s.err\n"
            "rc=$?\n"
            'echo "=== RUN %s rc=$rc prog_rc=- pid=- start=$t0 end=$(now) ==="\n'
            "emit_run %s\n" % (timeout, name, guest_args(name, args), name, name, name, name))


def guest_pid_run(name, opts, prog, timeout, noise=False):
    """A program started with WORKLOAD_WAIT=1, attached with -p once it
    says 'ready', told to go once shmwatch says it is tracing, and
    stopped with SIGINT after the program exits: the host's run_pid."""
    return """t0=$(now)
{noise_start}rm -f /tmp/go && mkfifo /tmp/go
WORKLOAD_WAIT=1 timeout {t} {prog} </tmp/go >/tmp/{n}.prog.out 2>/tmp/{n}.prog.err &
prog=$!
exec 3>/tmp/go
rc=- prc=-
if wait_for '^ready' /tmp/{n}.prog.out $prog; then
	timeout {t} /bin/shmwatch -o /tmp/{n}.json {opts} -p $prog >/tmp/{n}.out 2>/tmp/{n}.err &
	sw=$!
	if wait_for '^shmwatch: tracing' /tmp/{n}.err $sw; then
		echo go >&3
		exec 3>&-
		wait $prog; prc=$?
		kill -INT $sw 2>/dev/null
		wait $sw; rc=$?
	else
		echo "shmwatch did not attach" >>/tmp/{n}.err
		kill -KILL $prog $sw 2>/dev/null
		wait $sw; rc=$?
	fi
else
	echo "the program never said ready" >>/tmp/{n}.err
	kill -KILL $prog 2>/dev/null
fi
exec 3>&-
{noise_stop}echo "=== RUN {n} rc=$rc prog_rc=$prc pid=$prog start=$t0 end=$(now) ==="
emit_run {n}
""".format(n=name, t=timeout, prog=prog, opts=" ".join(map(sh_quote, opts)),
           noise_start="/workloads/noise 600 >/dev/null 2>&1 &\nnoise=$!\n" if noise else "",
           noise_stop="kill $noise 2>/dev/null; wait $noise\n" if noise else "")


def guest_script(scenarios):
    """scenarios: [(name, mode, options)] with a binary in the initramfs."""
    parts = [GUEST_PRELUDE,
             # Load and attach everything once, with libbpf's log kept.
             "t0=$(now)\n"
             "timeout 120 /bin/shmwatch -v -q -d 0.5 --comm no-such-comm "
             ">/tmp/probe.out 2>/tmp/probe.err\n"
             "rc=$?\n"
             'echo "=== RUN probe rc=$rc prog_rc=- pid=- start=$t0 end=$(now) ==="\n'
             "emit_run probe\n"]
    for name, args, timeout in CAPTURE_RUNS:
        parts.append(guest_command_run(name, args, timeout))
    parts.append(guest_pid_run("pidmode", ["-q", "-f"],
                               "/workloads/capture /tmp/pidmode.manifest", 120, noise=True))
    for name, mode, options in scenarios:
        run = "scenario-" + name
        if mode == "pid":
            parts.append(guest_pid_run(run, ["-q"] + options, "/scenarios/" + name, 120))
        else:
            parts.append(guest_command_run(run, ["-q"] + options + ["--", "/scenarios/" + name],
                                           120))
    parts.append(GUEST_EPILOGUE)
    return "".join(parts)


# ---------------------------------------------------------------- boot

def boot(vmlinuz, initrd, timeout, console_log):
    """Run the guest; return (console text, seconds to the first marker,
    total seconds, timed out?).  qemu never outlives this call.

    rootfstype=ramfs: by default the initramfs is unpacked on tmpfs, and
    shmwatch reports ld.so's MAP_PRIVATE mappings of libraries on tmpfs
    as shmem_file mappings (it does so on the host too, for libraries in
    /dev/shm), which the capture test rightly counts as calls before the
    workload's first.  On ramfs the programs sit on a plain filesystem,
    as they do on the host; /tmp and /dev/shm stay tmpfs."""
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-nographic", "-no-reboot",
           "-m", "1024", "-smp", "2", "-kernel", vmlinuz, "-initrd", initrd,
           "-append", "console=ttyS0 panic=-1 quiet rootfstype=ramfs"]
    start = time.monotonic()
    first = None
    timed_out = False
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = bytearray()
    try:
        os.set_blocking(proc.stdout.fileno(), False)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not sel.select(min(left, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            chunk = proc.stdout.read()
            if not chunk:
                if proc.poll() is not None:
                    break
                continue
            out += chunk
            if first is None and b"=== SUITE BEGIN" in out:
                first = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        rest = proc.stdout.read() if not timed_out else None
        if rest:
            out += rest
        proc.stdout.close()
    total = time.monotonic() - start
    text = out.decode("utf-8", "replace").replace("\r", "")
    with open(console_log, "w") as f:
        f.write(text)
    return text, first, total, timed_out


class GuestRun:
    def __init__(self, name, fields, files):
        self.name = name
        self.rc = _int(fields.get("rc"))
        self.prog_rc = _int(fields.get("prog_rc"))
        self.pid = _int(fields.get("pid"))
        self.secs = float(fields["end"]) - float(fields["start"])
        self.files = files  # suffix -> bytes

    def text(self, suffix):
        return self.files.get(suffix, b"").decode("utf-8", "replace")

    def copy(self, suffix, dest):
        if suffix not in self.files:
            raise AssertionError("the guest brought back no %s.%s (exit status %s): %s"
                                 % (self.name, suffix, self.rc, self.text("err").strip()))
        with open(dest, "wb") as f:
            f.write(self.files[suffix])


def _int(s):
    return int(s) if s not in (None, "-") else None


def parse_console(text):
    """(uname, {run name: GuestRun}, other files, suite seconds, problems)."""
    uname = None
    files = {}
    runs = {}
    problems = []
    begin = end = None
    cur = None
    buf = []
    for line in text.splitlines():
        if cur is not None:
            if line == "=== END ===":
                try:
                    files[cur] = gzip.decompress(base64.b64decode("".join(buf)))
                except (ValueError, OSError, EOFError) as e:
                    problems.append("%s: garbled on the console (%s)" % (cur, e))
                cur = None
            else:
                buf.append(line.strip())
            continue
        m = re.search(r"=== FILE (\S+) ===$", line)
        if m:
            cur, buf = m.group(1), []
            continue
        # Markers may follow terminal escapes (SeaBIOS clears the screen).
        m = re.search(r"=== UNAME (\S+) ===$", line)
        if m:
            uname = m.group(1)
        m = re.search(r"=== SUITE (BEGIN|END) uptime=([\d.]+) ===$", line)
        if m:
            if m.group(1) == "BEGIN":
                begin = float(m.group(2))
            else:
                end = float(m.group(2))
        m = re.search(r"=== RUN (\S+) (.*) ===$", line)
        if m:
            runs[m.group(1)] = dict(kv.split("=", 1) for kv in m.group(2).split())
    if cur is not None:
        problems.append("%s: cut off on the console" % cur)
    out = {}
    for name, fields in runs.items():
        mine = {k[len(name) + 1:]: v for k, v in files.items() if k.startswith(name + ".")}
        out[name] = GuestRun(name, fields, mine)
    suite = end - begin if begin is not None and end is not None else None
    return uname, out, files, begin, suite, problems


# ---------------------------------------------------------------- judging

def import_host_tests(build):
    os.environ["SHMWATCH_BUILD"] = os.path.abspath(build)
    sys.path.insert(0, INTEGRATION)
    import common  # noqa: E402
    import test_capture  # noqa: E402
    import test_scenarios  # noqa: E402
    return common, test_capture, test_scenarios


def make_replay_classes(common, test_capture, test_scenarios, runs, workdir):
    """Subclasses of the host's tests that read the guest's results."""

    def setup(tc):
        # BpfTestCase.setUp would probe the host kernel and clean up host
        # segments by the guest's pids; the replay needs only a directory.
        tc.tmp = tempfile.mkdtemp(prefix="t-", dir=workdir)
        tc.procs = []
        tc.pids = set()

    class _Finished:
        def __init__(self, rc):
            self.returncode = rc

        def wait(self, timeout=None):
            return self.returncode

        def poll(self):
            return self.returncode

    class GuestTracer:
        """common.Tracer's interface over a run the guest already made."""

        def __init__(self, args, log, stdin=None, stdout=None):
            run, outputs = self._find(list(args))
            if log:
                run.copy("json", log)
            for suffix, dest in outputs:
                run.copy(suffix, dest)
            self.proc = _Finished(run.rc)
            self.stderr_lines = [run.text("err")]

        @staticmethod
        def _find(args):
            for name, want, _ in CAPTURE_RUNS:
                if len(want) != len(args):
                    continue
                outputs = []
                for w, a in zip(want, args):
                    if w.startswith("@W/"):
                        if a != os.path.join(common.WORKLOADS, w[3:]):
                            break
                    elif w.startswith("@OUT:"):
                        outputs.append((w[5:], a))
                    elif w != a:
                        break
                else:
                    if name not in runs:
                        raise AssertionError("the guest did not finish run %s" % name)
                    return runs[name], outputs
            raise AssertionError("the guest made no run of shmwatch %s; add it to "
                                 "CAPTURE_RUNS in tests/kernels/run.py" % " ".join(args))

        def wait_attached(self, timeout=20):
            pass

        def stop(self, sig=None, timeout=30):
            return self.proc.returncode

        def stderr(self):
            return "".join(self.stderr_lines)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

    test_capture.Tracer = GuestTracer

    class GuestCaptureTest(test_capture.CaptureTest):
        def setUp(self):
            setup(self)

        def test_guest_pid_mode(self):
            """test_pid_mode_sees_running_process_only's checks, on the
            guest's -f -p run next to the noise workload."""
            run = runs.get("pidmode")
            if run is None:
                self.fail("the guest did not finish the -p run")
            self.assertEqual(run.prog_rc, 0, run.text("prog.err") + run.text("err"))
            self.assertEqual(run.rc, 0, run.text("err"))
            log, manifest = self.path("log.json"), self.path("manifest.json")
            run.copy("json", log)
            run.copy("manifest", manifest)
            records = common.read_log(log)
            want = test_capture.read_manifest(manifest)
            self.check_manifest(want, records)
            traced = {run.pid} | {w["pid"] for w in want}
            strangers = {e["pid"] for e in common.events(records)} - traced
            self.assertFalse(strangers, "events from untraced pids %s" % strangers)

    class GuestScenarioTest(test_scenarios.ScenarioTest):
        def setUp(self):
            setup(self)

        def _run(self, binary):
            run = runs.get("scenario-" + os.path.basename(binary))
            if run is None:
                self.fail("the guest did not finish %s" % os.path.basename(binary))
            return run

        def run_command(self, binary, log):
            run = self._run(binary)
            self.assertEqual(run.rc, 0, "%s exited %s: %s" % (binary, run.rc, run.text("err")))
            run.copy("json", log)

        def run_pid(self, binary, log):
            run = self._run(binary)
            self.assertEqual(run.prog_rc, 0, run.text("prog.err") + run.text("err"))
            self.assertEqual(run.rc, 0, run.text("err"))
            run.copy("json", log)

    return GuestCaptureTest, GuestScenarioTest


def run_case(case):
    """None if the test passed, else the gist of why not."""
    result = unittest.TestResult()
    case.run(result)
    for _, tb in result.failures + result.errors:
        lines = tb.strip().splitlines()
        # From the exception line on: the assertion and its message.
        for i, l in enumerate(lines):
            if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", l):
                return "\n".join(lines[i:])[:3000]
        return "\n".join(lines[-6:])
    for _, why in result.skipped:
        return "skipped: " + why
    return None


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, problem):
        if problem is None:
            self.passed += 1
            print("ok - " + what, flush=True)
        else:
            self.failed += 1
            print("not ok - " + what, flush=True)
            for line in str(problem).splitlines():
                print("#   " + line)


LOAD_ERRORS = ("can't load BPF", "can't attach BPF", "can't open BPF", "libbpf:",
               "needs Linux", "no BTF")


def verifier_gist(stderr):
    """What matters in a failed load's libbpf log: libbpf's own error
    lines, the last lines of each verifier log, and shmwatch's verdict."""
    keep = []
    lines = stderr.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("shmwatch:") or (l.startswith("libbpf:") and re.search(
                r"fail|error|warn|unknown|not found|invalid", l, re.I)):
            keep.append(l)
        elif l.startswith("-- END PROG LOAD LOG"):
            keep.extend(x for x in lines[max(0, i - 4):i] if not x.startswith(";"))
    return keep


def load_problem(runs, release, full_log):
    probe = runs.get("probe")
    if probe is None:
        return "the guest never reached the load check"
    with open(full_log, "w") as f:
        f.write(probe.text("err"))
    if probe.rc != 0:
        return ("shmwatch -v exited %s on %s (full libbpf log: %s):\n%s"
                % (probe.rc, release, full_log, "\n".join(verifier_gist(probe.text("err")))))
    for name, run in sorted(runs.items()):
        if name == "probe":
            continue
        bad = [l for l in run.text("err").splitlines() if any(e in l for e in LOAD_ERRORS)]
        if bad:
            return "%s: %s" % (name, " | ".join(bad[:5]))
    return None


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--package", help="kernel package (default: what %s depends on)"
                    % META_PACKAGE)
    ap.add_argument("--cache", help="where kernels are unpacked (default: BUILD/kernels)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for the whole guest run")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    o = ap.parse_args()
    # A killed run (make's or CI's timeout) must still take qemu down.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signo, frame: sys.exit(128 + signo))
    build = os.path.abspath(o.build)
    cache = os.path.abspath(o.cache or os.path.join(build, "kernels"))
    t_start = time.monotonic()

    shmwatch = os.path.join(build, "shmwatch")
    workloads = sorted(p for p in glob.glob(os.path.join(build, "tests", "workloads", "*"))
                       if os.access(p, os.X_OK) and os.path.isfile(p))
    scen_bins = {os.path.basename(p): p
                 for p in glob.glob(os.path.join(build, "tests", "scenarios", "*"))
                 if os.access(p, os.X_OK) and os.path.isfile(p)}
    if not os.access(shmwatch, os.X_OK) or not workloads:
        print("error: %s or its workloads are not built (make build/shmwatch progs)" % shmwatch,
              file=sys.stderr)
        return 2
    if os.uname().machine != "x86_64":
        print("skipped: the test kernel is amd64 and shmwatch is built for %s"
              % os.uname().machine)
        return 0

    try:
        ensure_tools()
        pkg = o.package or current_kernel_package()
        if not pkg:
            raise Skip("can't find the package %s depends on (apt-get update failed?)"
                       % META_PACKAGE)
        release, vmlinuz, version = fetch_kernel(cache, pkg)
    except Skip as e:
        print("skipped: %s" % e)
        return 0

    common, test_capture, test_scenarios = import_host_tests(build)
    scenarios = []
    report = Report()
    for src in test_scenarios.SOURCES:
        name = os.path.basename(src)[:-2]
        if name in scen_bins:
            scenarios.append((name, test_scenarios.declared(src)[1],
                              test_scenarios.declared_options(src)))
    workdir = tempfile.mkdtemp(prefix="shmwatch-kernels-")
    try:
        initrd = os.path.join(workdir, "initramfs.cpio.gz")
        build_initramfs(initrd, shmwatch, workloads,
                        [scen_bins[n] for n, _, _ in scenarios], guest_script(scenarios))
        log("booting %s (%s %s) under qemu TCG, initramfs %.1f MiB"
            % (release, pkg, version, os.path.getsize(initrd) / 2**20))
        console_log = os.path.join(cache, "console-%s.log" % release)
        text, first, total, timed_out = boot(vmlinuz, initrd, o.timeout, console_log)
        uname, runs, files, begin, suite, problems = parse_console(text)
        log("boot to userspace: %s s on the host (guest uptime %s s); in-guest suite %s s; "
            "qemu %.1f s; console log %s"
            % ("%.1f" % first if first else "?", begin, "%.1f" % suite if suite else "?",
               total, console_log))
        slow = sorted(runs.values(), key=lambda r: -r.secs)[:3]
        if slow:
            log("slowest guest runs: " + ", ".join("%s %.1f s" % (r.name, r.secs) for r in slow))

        on = " on " + release
        report.check("guest boots and finishes the suite" + on,
                     "qemu timed out after %d s" % o.timeout if timed_out else
                     "; ".join(problems) if problems else
                     None if suite is not None else
                     "no end marker on the console (see %s)" % console_log)
        report.check("guest kernel is %s" % release,
                     None if uname == release else "uname -r says %s" % uname)
        report.check("BPF programs load and attach" + on,
                     load_problem(runs, release,
                                  os.path.join(cache, "libbpf-%s.log" % release)))

        GuestCaptureTest, GuestScenarioTest = make_replay_classes(
            common, test_capture, test_scenarios, runs, workdir)
        for what, test in CAPTURE_TESTS:
            report.check("%s%s (%s)" % (what, on, test), run_case(GuestCaptureTest(test)))
        report.check("capture -p of a running process" + on,
                     run_case(GuestCaptureTest("test_guest_pid_mode")))
        for src in test_scenarios.SOURCES:
            name = os.path.basename(src)[:-2]
            what = "scenario %s%s" % (name, on)
            if name not in scen_bins:
                report.check(what, "%s/tests/scenarios/%s is not built" % (build, name))
                continue
            report.check(what, run_case(GuestScenarioTest("test_" + name)))
    finally:
        if o.keep:
            log("work directory kept: " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log("total %.1f s" % (time.monotonic() - t_start))
    print("%d passed, %d failed" % (report.passed, report.failed))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
