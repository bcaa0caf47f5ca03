# SPDX-License-Identifier: GPL-2.0
# expect: none
"""py_shm_leak_clean.py - clean twin of py_shm_leak.py.

The same 1 MiB multiprocessing.shared_memory object, created and written,
then closed and unlinked by its owner, the way the documentation asks;
the resource tracker has nothing left to do at exit.  Run with
/usr/bin/python3 (3.11); exits 0.
"""
import os
import time
from multiprocessing import shared_memory

SIZE = 1024 * 1024


def main():
    shm = shared_memory.SharedMemory(name="shmwatch-test-leak-%d" % os.getpid(),
                                     create=True, size=SIZE)
    shm.buf[:5] = b"frame"
    shm.close()
    shm.unlink()  # also unregisters it from the resource tracker
    # Stay a moment, like the leaking twin.
    time.sleep(0.3)


if __name__ == "__main__":
    main()
