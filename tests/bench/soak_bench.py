#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The analyzer on a long run (issue 18), for make bench:

  soak_bench.py BUILD [EVENTS] [REPS]     (default 10000000 3)

1. `shmwatch analyze` of the soak log (tests/bench/soak.py: a million
   short-lived processes for ten million events), written to a file under
   BUILD/bench first so that its generation is not timed: median wall
   time, events per second and max RSS of REPS runs, with the default
   state cap and with --state-max 8M; then with the default cap, the
   same log with 5,000 /dev/shm files held all along (soak.py --held),
   which every exit meets.
2. Memory per live object: BUILD/bench/analyzer_bench's max RSS with 16
   processes holding 64 and then 2048 attachments and as many shared
   mappings each (16-frame stacks); the difference divided by the objects
   added (an attachment with its segment, or a mapping).

Timings are printed, never judged; the exit status is 0 when every run
worked.  The log file is removed at the end, also on failure.
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HELD = 5000


def vm_hwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def analyze_once(shmwatch, log, state_max):
    """Wall time, events, peak RSS in KiB, final state.  The peak is
    VmHWM read every 20 ms (the last read before the exit): wait4's
    ru_maxrss would count the Python process the child was forked from."""
    t0 = time.monotonic()
    out = open(log + ".out", "w+")
    p = subprocess.Popen([shmwatch, "analyze", "--format", "json", "--summaries", "none",
                          "--state-max", state_max, log],
                         stdout=out, stderr=subprocess.DEVNULL)
    hwm = 0
    while p.poll() is None:
        hwm = max(hwm, vm_hwm(p.pid) or 0)
        time.sleep(0.02)
    wall = time.monotonic() - t0
    out.seek(0)
    records = out.read()
    out.close()
    os.unlink(log + ".out")
    if p.returncode != 0:
        raise RuntimeError("analyze exited %d" % p.returncode)
    stats = [json.loads(l) for l in records.splitlines() if '"type":"stats"' in l][-1]
    return wall, stats["events"], hwm, stats["state"]


def analyzer_bench_rss(build, live):
    """Its peak RSS in KiB, read as analyze_once reads it (the figure it
    prints itself comes from getrusage, which counts the Python parent)."""
    p = subprocess.Popen([os.path.join(build, "bench", "analyzer_bench"), "2000000", "16",
                          str(live), "16"], stdout=subprocess.DEVNULL)
    hwm = 0
    while p.poll() is None:
        hwm = max(hwm, vm_hwm(p.pid) or 0)
        time.sleep(0.02)
    if p.returncode != 0:
        raise RuntimeError("analyzer_bench exited %d" % p.returncode)
    return hwm


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    build = sys.argv[1]
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    shmwatch = os.path.join(build, "shmwatch")
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    log = os.path.join(build, "bench", "soak-%d.ndjson" % os.getpid())
    held_log = log.replace(".ndjson", "-held.ndjson")
    print("soak: %d events, %d processes (tests/bench/soak.py)" %
          (events, json.loads(subprocess.run([sys.executable, os.path.join(HERE, "soak.py"),
                                              "--expect", str(events)], check=True,
                                             capture_output=True, text=True).stdout)
           ["processes"]))
    try:
        for path, held in ((log, 0), (held_log, HELD)):
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "soak.py"), "--pid-max",
                                "4194304", "--held", str(held), str(events)], stdout=f,
                               check=True)
        print("log: %.0f MB" % (os.path.getsize(log) / 1e6))
        runs = {("256M", log): [], ("8M", log): [], ("256M", held_log): []}
        for _ in range(reps):
            for cap, path in runs:  # interleaved
                runs[(cap, path)].append(analyze_once(shmwatch, path, cap))
        for (cap, path), rs in runs.items():
            wall = statistics.median(r[0] for r in rs)
            n = rs[0][1]
            rss = max(r[2] for r in rs)
            st = rs[-1][3]
            print("analyze --state-max %s%s: median %.2f s of %d, %.0f events/s, max RSS %d KiB; "
                  "state at the end %d KiB, %d processes forgotten"
                  % (cap, ", %d files held" % HELD if path == held_log else "", wall, len(rs),
                     n / wall, rss, st["bytes"] // 1024, st["dropped_procs"]))
    finally:
        for f in (log, log + ".out", held_log, held_log + ".out"):
            if os.path.exists(f):
                os.unlink(f)
    small, big = analyzer_bench_rss(build, 64), analyzer_bench_rss(build, 2048)
    added = 16 * (2048 - 64) * 2
    print("memory per live object: %.0f bytes (analyzer_bench max RSS %d -> %d KiB for %d more "
          "attachments and mappings, 16-frame stacks)" % ((big - small) * 1024 / added, small, big,
                                                          added))
    return 0


if __name__ == "__main__":
    sys.exit(main())
