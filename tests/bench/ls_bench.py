#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""How long `shmwatch ls` takes on a host with many segments and
processes (issue 19 asks for 10,000 and 1,000): in a private IPC namespace
(so the host's kernel.shmmni and segments are untouched), SEGMENTS
segments, PROCS processes that attach ATTACH of them each and hold a
memfd; then the median of REPS runs of `shmwatch ls` in each format.
Everything goes with the namespace's last process.

  ls_bench.py SHMWATCH [SEGMENTS PROCS ATTACH REPS]   (run as root)
"""
import ctypes
import os
import signal
import statistics
import subprocess
import sys
import time


def main():
    if os.geteuid() != 0:
        print("ls_bench: skipped: needs root (a private IPC namespace with its own shmmni)")
        return
    shmwatch = sys.argv[1]
    segments, procs, attach, reps = (int(v) for v in (sys.argv[2:6] or (10000, 1000, 10, 5)))
    if "SHMWATCH_LS_BENCH_INNER" not in os.environ:
        env = dict(os.environ, SHMWATCH_LS_BENCH_INNER="1")
        sys.exit(subprocess.call(["unshare", "--ipc", sys.executable] + sys.argv, env=env))
    with open("/proc/sys/kernel/shmmni", "w") as f:
        f.write(str(max(segments + 16, 4096)))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmget.restype = ctypes.c_int
    libc.shmat.restype = ctypes.c_void_p
    ids = [libc.shmget(0, ctypes.c_size_t(4096), 0o1000 | 0o600) for _ in range(segments)]
    assert min(ids) >= 0, ctypes.get_errno()
    r, w = os.pipe()
    children = []
    for i in range(procs):
        pid = os.fork()
        if pid == 0:
            os.close(w)
            for k in range(attach):
                libc.shmat(ids[(i * attach + k) % segments], None, 0)
            os.memfd_create("bench-%d" % i)
            os.read(r, 1)
            os._exit(0)
        children.append(pid)
    os.close(r)
    time.sleep(1)
    try:
        for fmt in ("json", "text"):
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                out = subprocess.run([shmwatch, "ls", "--format", fmt],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - t)
                assert out.returncode == 0
            lines = out.stdout.count(b"\n")
            print("shmwatch ls --format %s: %d segments, %d processes x %d attachments: "
                  "median %.3f s of %d (min %.3f, max %.3f), %d lines"
                  % (fmt, segments, procs, attach, statistics.median(times), reps, min(times),
                     max(times), lines))
    finally:
        os.close(w)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
