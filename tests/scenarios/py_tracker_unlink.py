# SPDX-License-Identifier: GPL-2.0
# expect: removed-while-in-use 1
# expect-text: removed-while-in-use ^openat\(/dev/shm/shmwatch-test-tracker-\d+\) failed with ENOENT: /dev/shm/shmwatch-test-tracker-\d+ \(1.0 MiB, made by pid \d+ python3\) was unlinked at seq \d+ by pid \d+ python3, uid \d+, \S*python3 .*-c from multiprocessing.resource_tracker import main;main\(\d+\).*, which neither created nor mapped it$
"""py_tracker_unlink.py - another program's resource tracker unlinks a
shared object under its owner (python/cpython #82300).

The owner creates /dev/shm/shmwatch-test-tracker-PID (1 MiB) with
multiprocessing.shared_memory and keeps using it.  A second, independent
Python program attaches it by name, reads it, close()s it and exits, as
the documentation shows.  But attaching registered the name with that
program's own resource tracker, which, once the program has gone,
"cleans up" what it calls a leak: it unlinks the owner's object.  A third
program that then attaches by name fails with FileNotFoundError (the
openat of shm_open fails with ENOENT), and nobody knows who removed it.
Run with /usr/bin/python3 (3.11); exits 0.

The clean twin, py_tracker_unlink_clean.py, runs main(clean=True): the
second program unregisters the name from its tracker after attaching
(the workaround for Python before 3.13, which adds track=False), the
third attaches fine, and the owner unlinks the object at the end.
"""
import os
import subprocess
import sys
import time
from multiprocessing import shared_memory

SIZE = 1024 * 1024

ATTACH = """
import sys
from multiprocessing import resource_tracker, shared_memory
shm = shared_memory.SharedMemory(name=sys.argv[1])
assert bytes(shm.buf[:5]) == b"frame"
if sys.argv[2] == "clean":
    resource_tracker.unregister(shm._name, "shared_memory")
shm.close()
"""

OPEN = """
import sys
from multiprocessing import shared_memory
try:
    shm = shared_memory.SharedMemory(name=sys.argv[1])
except FileNotFoundError:
    sys.exit(3)
shm.close()
"""


def main(clean=False):
    name = "shmwatch-test-tracker-%d" % os.getpid()
    path = "/dev/shm/" + name
    shm = shared_memory.SharedMemory(name=name, create=True, size=SIZE)
    try:
        shm.buf[:5] = b"frame"
        subprocess.run([sys.executable, "-c", ATTACH, name, "clean" if clean else "close"],
                       check=True)
        # The second program's tracker outlives it a moment.
        for _ in range(200):
            if clean or not os.path.exists(path):
                break
            time.sleep(0.02)
        # shmwatch records failed opens from the moment it has read that
        # unlink: the victim of a real cleanup comes much later.
        time.sleep(0.5)
        rc = subprocess.run([sys.executable, "-c", OPEN, name]).returncode
        if rc != (0 if clean else 3):
            sys.exit("the third program exited %d" % rc)
    finally:
        shm.close()
        try:
            shm.unlink()
        except FileNotFoundError:
            # Gone already; unlink() did not get to unregister it.
            from multiprocessing import resource_tracker
            resource_tracker.unregister(shm._name, "shared_memory")
    # Stay a moment: the tracer reads our maps to symbolize stacks.
    time.sleep(0.3)


if __name__ == "__main__":
    main()
