# SPDX-License-Identifier: GPL-2.0
"""The exit grace of --exit-with-command: the trace ends with the launched
command, but what the command started gets up to 500 ms
(SW_DEFAULT_EXIT_GRACE_NS) to finish first, so that a helper that cleans
up at the command's exit is seen doing so: its unlink is traced, the
object is neither a finding nor listed as left in the end-of-run tmpfs
view.  A process that runs on does not hold the trace past the grace."""
import os
import signal
import subprocess
import time

from common import BpfTestCase, SHMWATCH, events, read_log

PYTHON = "/usr/bin/python3"  # Debian's, as in test_scenarios

# The object is left registered with Python's resource tracker (a child of
# the program, traced through follow), which unlinks it once the program
# has exited, and warns.
TRACKER = """
import os
from multiprocessing import shared_memory
shm = shared_memory.SharedMemory(name="shmwatch-test-grace-%d" % os.getpid(),
                                 create=True, size=1 << 20)
shm.buf[:5] = b"frame"
shm.close()
"""

# A helper forked by the program removes the object 150 ms after the
# program has exited: later than the tracker does, so that a trace that
# ends with the command is sure to miss it.
HELPER = """
import os, time
path = "/dev/shm/shmwatch-test-grace-%d" % os.getpid()
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, 65536)
os.close(fd)
r, w = os.pipe()
if os.fork() == 0:
    os.close(w)
    os.read(r, 1)  # the program's exit
    time.sleep(0.15)
    os.unlink(path)
    os._exit(0)
"""


class ExitGraceTest(BpfTestCase):
    def trace(self, argv):
        """Run shmwatch --exit-with-command on argv; (rc, records, stderr,
        seconds).  stderr goes to a file: a process the command leaves
        running keeps it open."""
        log = self.path("log.json")
        with open(self.path("stderr"), "w+") as err:
            start = time.time()
            rc = subprocess.run([SHMWATCH, "-q", "--exit-with-command", "-o", log, "--"] +
                                argv, stdout=subprocess.DEVNULL, stderr=err,
                                timeout=60).returncode
            took = time.time() - start
            err.seek(0)
            stderr = err.read()
        return rc, self.track(read_log(log)), stderr, took

    def check_removed_in_grace(self, records, stderr):
        created = [e for e in records if e["type"] == "event" and
                   e.get("object", {}).get("created")]
        self.assertEqual(len(created), 1, stderr)
        path, creator = created[0]["object"]["name"], created[0]["pid"]
        exits = [e["seq"] for e in events(records, "exit", pid=creator)]
        self.assertEqual(len(exits), 1, stderr)
        unlinks = [e for e in events(records, "unlink") if e["args"]["path"] == path]
        self.assertEqual(len(unlinks), 1, "the clean-up after the exit was not traced: %s" %
                         stderr)
        self.assertNotEqual(unlinks[0]["pid"], creator)
        self.assertGreater(unlinks[0]["seq"], exits[0])
        self.assertEqual([r["message"] for r in records if r["type"] == "finding"], [])
        left = [b["path"] for r in records if r["type"] == "tmpfs" for b in r["biggest"]]
        self.assertNotIn(path, left)
        self.assertFalse(os.path.exists(path))

    def test_resource_tracker_unlink_is_seen(self):
        rc, records, stderr, took = self.trace([PYTHON, "-c", TRACKER])
        self.assertEqual(rc, 0, stderr)
        self.check_removed_in_grace(records, stderr)
        self.assertLess(took, 10, stderr)

    def test_helper_unlink_after_exit_is_seen(self):
        rc, records, stderr, took = self.trace([PYTHON, "-c", HELPER])
        self.assertEqual(rc, 0, stderr)
        self.check_removed_in_grace(records, stderr)
        # The grace ended when the helper did, not 500 ms after the exit.
        helper = [e for e in events(records, "unlink")][0]["pid"]
        self.assertTrue(events(records, "exit", pid=helper), stderr)
        self.assertNotIn("left running untraced", stderr)

    def test_process_left_running_ends_the_grace(self):
        """A daemon the command leaves behind (pg_ctl start) is traced for
        the grace only, and named as left running."""
        pidfile = self.path("daemon.pid")
        self.addCleanup(self._kill_daemon, pidfile)
        rc, records, stderr, took = self.trace(
            ["sh", "-c", 'sleep 30 >/dev/null 2>&1 & echo $! > "$0"', pidfile])
        self.assertEqual(rc, 0, stderr)
        self.assertLess(took, 5, stderr)
        self.assertIn("left running untraced", stderr)
        with open(pidfile) as f:
            daemon = int(f.read())
        os.kill(daemon, 0)  # still running: the trace did not wait for it
        self.assertFalse(events(records, "exit", pid=daemon))

    def _kill_daemon(self, pidfile):
        try:
            with open(pidfile) as f:
                os.kill(int(f.read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
