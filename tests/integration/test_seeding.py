# SPDX-License-Identifier: GPL-2.0
"""Objects that were in /dev/shm before the trace: shmwatch seeds itself
from the inventory at start, so an unlink of one by name is matched, and
an open that fails on it afterwards is explained (removed-while-in-use)
when the remover mapped nothing of it while another process mapped it;
nobody mapping it, the same unlink explains nothing."""
import json
import os
import subprocess
import time

from common import BpfTestCase, Tracer, read_log

PYTHON = "/usr/bin/python3"

# Made and (with "map") mapped before the trace starts; on "go", an rm
# that maps nothing removes it, and a second program then fails to open
# it.  The holder keeps it mapped until its stdin closes.
HOLDER = r"""
import mmap, os, subprocess, sys, time
path, mapped = sys.argv[1], sys.argv[2] == "map"
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, 1 << 20)
m = mmap.mmap(fd, 1 << 20) if mapped else None
os.close(fd)
print("ready", flush=True)
sys.stdin.readline()
subprocess.run(["rm", path], check=True)
time.sleep(0.5)  # the open program is attached once such an unlink is seen
r = subprocess.run([sys.executable, "-c", "import os, sys\ntry: os.open(sys.argv[1], os.O_RDWR)\n"
                    "except FileNotFoundError: print('gone')", path], capture_output=True, text=True)
print(r.stdout.strip(), flush=True)
sys.stdin.read()
"""


class SeedingTest(BpfTestCase):
    def run_case(self, how):
        path = "/dev/shm/shmwatch-test-seed-%d-%s" % (os.getpid(), how)
        holder = subprocess.Popen([PYTHON, "-c", HOLDER, path, how], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.procs.append(holder)
        self.addCleanup(holder.stdin.close)
        self.assertEqual(holder.stdout.readline().strip(), "ready")
        log = os.path.join(self.tmp, "log.json")
        with Tracer(["-q", "-f", "-p", str(holder.pid)], log) as t:
            t.wait_attached()
            holder.stdin.write("go\n")
            holder.stdin.flush()
            self.assertEqual(holder.stdout.readline().strip(), "gone")
            time.sleep(0.3)
            t.stop()
        self.assertFalse(os.path.exists(path))
        records = read_log(log)
        return path, holder.pid, [r for r in records if r["type"] == "finding"]

    def test_seeded_object_removed_under_its_user(self):
        path, pid, found = self.run_case("map")
        self.assertEqual([f["rule"] for f in found], ["removed-while-in-use"], found)
        msg = found[0]["message"]
        self.assertIn("openat(%s) failed with ENOENT: %s (1.0 MiB, there before the trace) "
                      "was unlinked at seq" % (path, path), msg)
        self.assertIn(" rm, uid 0, rm %s, which did not map it while pid %d python3 did"
                      % (path, pid), msg)

    def test_seeded_object_nobody_mapped(self):
        path, pid, found = self.run_case("nomap")
        self.assertEqual(found, [])
