#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A generated NDJSON log of many short-lived processes, for soaking the
analyzer (tests/integration/test_soak.py, and the soak row of make bench).

Each job is a parent that a service (pid 1) started and a child it
forks, as a build farm or a pre-forking server makes them; jobs take
turns at SysV (create, attach, fork, detach in both, remove) and POSIX
shm (create a /dev/shm file, size, map, fork, unmap in both, unlink),
each process also mapping shared anonymous memory.  Two jobs in every
LEAK_EVERY leak instead (a segment nobody attached or removed; a /dev/shm file
nobody unlinked), and every STALE_EVERY-th child's exit is missing, as
if its record had been lost, so that the analyzer holds processes it
will never see exit.  Pids wrap at 32768, as with the kernel's default
pid_max, so pids are reused all the time (a reused pid retires the
process whose exit was missing); with --pid-max 4194304 (systemd's) they
are not, and those processes pile up, for the state cap to deal with.
With --held N, a store (pid 2) first creates N /dev/shm files and keeps
them, alive to the end: every exit then meets N objects it did not make.

    soak.py [--pid-max N] [--held N] EVENTS   write the log to standard output
    soak.py --expect N    print what a log of about N events must give,
                          as JSON: jobs, processes, leaks by rule

The expected findings are exact: one segment-leak per leaking SysV job,
one shm-object-leak per leaking POSIX job, and nothing else.
"""
import json
import sys

LEAK_EVERY = 5000
STALE_EVERY = 100
PID_MAX = 32768
FIRST_PID = 300
STORE_PID = 2
HELD_INO = 9000000
SHM_DEV = 27
FS_SIZE = 64 << 20
SEG = 65536
ADDR = 0x7f0000000000
ANON = 0x7e0000000000

HEADER = {"type": "header", "schema": 1, "tool": "shmwatch", "version": "0.1.0",
          "hostname": "soak", "kernel": "6.18.0", "ts": "2026-12-04T00:00:00.000000000Z",
          "ts_ns": 1000000000, "wall_offset_ns": 1796342400000000000, "mode": "system",
          "pids": [], "max_size": 268435456, "shmmax": 18446744073692774399,
          "mem_total": 25276502016, "shm_rmid_forced": False, "all_mmaps": False,
          "leak_window_ns": 0, "leak_count": 0}

# One line per call; %(...)s fields filled per job.
HEAD = ('{"type":"event","seq":%d,"ts_ns":%d,"pid":%d,"tid":%d,"ppid":%d,'
        '"uid":1000,"cgroup":1,"comm":"%s",')
CALLS = {
    "fork": '"call":"fork","args":{"child_pid":%d,"shares_vm":false},"ret":0,"errno":null}',
    "exit": '"call":"exit","args":{"exit_code":0},"ret":0,"errno":null}',
    "shmget": ('"call":"shmget","args":{"key":0,"size":65536,"shmflg":{"value":896,'
               '"names":["IPC_CREAT","0600"]}},"ret":%d,"errno":null}'),
    "shmat": ('"call":"shmat","args":{"shmid":%d,"shmaddr":0,"shmflg":{"value":0,'
              '"names":["0"]}},"ret":%d,"errno":null,"map":{"backing":"sysv","size":65536,'
              '"object_size":65536,"ino":%d,"shmid":%d,"name":"SYSV00000000"}}'),
    "shmdt": '"call":"shmdt","args":{"shmaddr":%d},"ret":0,"errno":null}',
    "rmid": ('"call":"shmctl","args":{"shmid":%d,"cmd":{"value":0,"names":["IPC_RMID"]},'
             '"buf":0},"ret":0,"errno":null}'),
    "ftruncate": ('"call":"ftruncate","args":{"fd":3,"length":65536},"ret":0,"errno":null,'
                  '"object":{"backing":"shmem_file","size":65536,"ino":%d,"dev":27,'
                  '"created":true,"fs_used":%d,"fs_size":67108864,"name":"/dev/shm/%s"}}'),
    "mmap_obj": ('"call":"mmap","args":{"addr":0,"length":65536,"prot":{"value":3,'
                 '"names":["PROT_READ","PROT_WRITE"]},"flags":{"value":1,"names":["MAP_SHARED"]},'
                 '"fd":3,"offset":0},"ret":%d,"errno":null,"map":{"backing":"shmem_file",'
                 '"size":65536,"object_size":65536,"ino":%d,"dev":27,"created":false,'
                 '"shmid":-1,"name":"%s"}}'),
    "mmap_anon": ('"call":"mmap","args":{"addr":0,"length":65536,"prot":{"value":3,'
                  '"names":["PROT_READ","PROT_WRITE"]},"flags":{"value":33,'
                  '"names":["MAP_SHARED","MAP_ANONYMOUS"]},"fd":-1,"offset":0},"ret":%d,'
                  '"errno":null,"map":{"backing":"anon_shared","size":65536,'
                  '"object_size":65536,"ino":%d,"dev":1,"created":true,"shmid":-1,'
                  '"name":"/dev/zero"}}'),
    "munmap": '"call":"munmap","args":{"addr":%d,"length":65536},"ret":0,"errno":null}',
    "unlink": ('"call":"unlink","args":{"path":"/dev/shm/%s"},"ret":0,"errno":null,'
               '"object":{"backing":"shmem_file","size":65536,"ino":%d,"dev":27,'
               '"created":false,"fs_used":%d,"fs_size":67108864,"name":"/dev/shm/%s"}}'),
}


class Gen:
    def __init__(self, out, pid_max):
        self.out = out
        self.pid_max = pid_max
        self.seq = 0
        self.ts = 2000000000
        self.next_pid = FIRST_PID
        self.buf = []

    def pid(self):
        p = self.next_pid
        self.next_pid = FIRST_PID if p + 1 >= self.pid_max else p + 1
        return p

    def ev(self, pid, ppid, comm, call, args=()):
        self.seq += 1
        self.ts += 10000
        self.buf.append(HEAD % (self.seq, self.ts, pid, pid, ppid, comm) + CALLS[call] % args)
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        if self.buf:
            self.out.write("\n".join(self.buf) + "\n")
            self.buf = []

    def anon(self, pid, ppid, comm, ino):
        self.ev(pid, ppid, comm, "mmap_anon", (ANON, ino))
        self.ev(pid, ppid, comm, "munmap", (ANON,))

    def sysv(self, job, leak, stale):
        p, c = self.pid(), self.pid()
        shmid = 1000000 + job
        self.ev(p, 1, "worker", "shmget", (shmid,))
        if leak:
            self.ev(p, 1, "worker", "fork", (c,))
            self.ev(c, p, "worker", "exit")
            self.ev(p, 1, "worker", "exit")
            return
        self.ev(p, 1, "worker", "shmat", (shmid, ADDR, shmid, shmid))
        self.ev(p, 1, "worker", "fork", (c,))
        self.anon(c, p, "worker", 0x100000 + job)
        self.ev(c, p, "worker", "shmdt", (ADDR,))
        if not stale:
            self.ev(c, p, "worker", "exit")
        self.ev(p, 1, "worker", "rmid", (shmid,))
        self.ev(p, 1, "worker", "shmdt", (ADDR,))
        self.ev(p, 1, "worker", "exit")

    def posix(self, job, leak, stale):
        p, c = self.pid(), self.pid()
        name = "soak-%d" % job
        ino = 5000000 + job
        self.ev(p, 1, "server", "ftruncate", (ino, 65536, name))
        self.ev(p, 1, "server", "mmap_obj", (ADDR, ino, name))
        if leak:
            self.ev(p, 1, "server", "munmap", (ADDR,))
            self.ev(p, 1, "server", "exit")
            return
        self.ev(p, 1, "server", "fork", (c,))
        self.anon(c, p, "server", 0x100000 + job)
        self.ev(c, p, "server", "munmap", (ADDR,))
        if not stale:
            self.ev(c, p, "server", "exit")
        self.ev(p, 1, "server", "munmap", (ADDR,))
        self.ev(p, 1, "server", "unlink", (name, ino, 0, name))
        self.ev(p, 1, "server", "exit")


def leaking(job):
    # Two jobs in a row, one of each kind.
    return job % LEAK_EVERY >= LEAK_EVERY - 2


def plan(events):
    """Jobs to write for about `events` events, and what they must give."""
    # A clean job is 10 events, a leaking one 4 or 5.
    jobs = events // 10
    leaks = {"segment-leak": 0, "shm-object-leak": 0}
    for job in range(jobs):
        if leaking(job):
            leaks["segment-leak" if job % 2 == 0 else "shm-object-leak"] += 1
    return {"jobs": jobs, "processes": 2 * jobs, "findings": leaks}


def write(events, out, pid_max, held=0):
    g = Gen(out, pid_max)
    out.write(json.dumps(HEADER, separators=(",", ":")) + "\n")
    for i in range(held):
        g.ev(STORE_PID, 1, "store", "ftruncate", (HELD_INO + i, 65536, "held-%d" % i))
    for job in range(plan(events)["jobs"]):
        leak = leaking(job)
        stale = job % STALE_EVERY == STALE_EVERY // 2
        (g.sysv if job % 2 == 0 else g.posix)(job, leak, stale)
    g.flush()
    out.flush()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--expect":
        print(json.dumps(plan(int(sys.argv[2]))))
        return 0
    args = sys.argv[1:]
    opts = {"--pid-max": PID_MAX, "--held": 0}
    while len(args) >= 3 and args[0] in opts:
        opts[args[0]] = int(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    try:
        write(int(args[0]), sys.stdout, opts["--pid-max"], opts["--held"])
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
