# SPDX-License-Identifier: GPL-2.0
# expect: shm-object-leak 1
# expect-text: shm-object-leak ^/dev/shm/shmwatch-test-leak-\d+ \(1.0 MiB, ino \d+\) was never unlinked
"""py_shm_leak.py - a POSIX shm object that outlives the Python program.

multiprocessing.shared_memory registers every SharedMemory with Python's
resource tracker, which unlinks the objects still registered when the
program ends (and warns about them).  A widespread workaround for those
warnings, and for the tracker unlinking objects other processes still
use, is to unregister the object by hand; after that nothing unlinks it.
Here a 1 MiB object is created, written, unregistered and closed, and the
program exits without unlink(): /dev/shm/shmwatch-test-leak-PID stays.
Run with /usr/bin/python3 (3.11); exits 0.

The clean twin, py_shm_leak_clean.py, runs main(clean=True): the same
object, closed and then unlinked by its owner as the documentation asks
(which unregisters it too), so the tracker has nothing left to do.
"""
import os
import time
from multiprocessing import resource_tracker, shared_memory

SIZE = 1024 * 1024


def main(clean=False):
    shm = shared_memory.SharedMemory(name="shmwatch-test-leak-%d" % os.getpid(),
                                     create=True, size=SIZE)
    shm.buf[:5] = b"frame"
    if clean:
        shm.close()
        shm.unlink()  # also unregisters it from the resource tracker
    else:
        resource_tracker.unregister(shm._name, "shared_memory")  # the workaround
        shm.close()  # unmaps, but the object stays: no unlink()
    # Stay a moment: the tracer reads our maps to symbolize stacks.
    time.sleep(0.3)


if __name__ == "__main__":
    main()
