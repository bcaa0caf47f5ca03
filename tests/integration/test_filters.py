# SPDX-License-Identifier: GPL-2.0
"""Namespaces and filters: a process in its own PID namespace is reported
with its host pid and its namespace pid; --cgroup selects a container's
processes and nothing else; --comm and --uid filter in the kernel; a
signal is judged and attributed by the process it is sent to, not by the
one that sends it."""
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

from common import BpfTestCase, SHMWATCH, WORKLOADS, Tracer, events, read_log


def cgroup2_root():
    with open("/proc/self/mounts") as f:
        for line in f:
            dev, path, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return path
    return None


class NamespaceTest(BpfTestCase):
    def test_pid_namespace_reports_host_and_namespace_pid(self):
        log = self.path("log.json")
        noise = os.path.join(WORKLOADS, "noise")
        with Tracer(["-q", "--", "unshare", "--pid", "--fork", noise, "0.2"], log) as t:
            self.assertEqual(t.proc.wait(60), 0, t.stderr())
        records = self.track(read_log(log))
        got = events(records, "shmget")
        self.assertTrue(got)
        for e in got:
            # The namespace's first process is pid 1 there, never on the host.
            self.assertEqual(e["ns_pid"], 1)
            self.assertNotEqual(e["pid"], 1)
        # Processes of the initial namespace carry no ns_pid.
        self.assertFalse([e for e in events(records, "exec") if e["comm"] == "unshare"
                          and "ns_pid" in e])


class CgroupFilterTest(BpfTestCase):
    def setUp(self):
        super().setUp()
        root = cgroup2_root()
        if not root:
            self.skipTest("no cgroup v2 hierarchy mounted")
        self.cgroup = tempfile.mkdtemp(prefix="shmwatch-test-", dir=root)
        self.addCleanup(self.remove_cgroup)

    def remove_cgroup(self):
        # Processes must leave before the directory can go.
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        os.rmdir(self.cgroup)

    def test_cgroup_selects_the_container(self):
        noise = os.path.join(WORKLOADS, "noise")
        inside = self.spawn([noise, "2"], preexec_fn=lambda: self.join_cgroup())
        outside = self.spawn([noise, "2"])
        log = self.path("log.json")
        with Tracer(["-q", "--cgroup", self.cgroup], log) as t:
            t.wait_attached()
            inside.wait(30)
            outside.wait(30)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        pids = {e["pid"] for e in events(records)}
        self.assertIn(inside.pid, pids)
        self.assertNotIn(outside.pid, pids)

    def join_cgroup(self):
        with open(os.path.join(self.cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def test_signal_is_judged_by_its_receiver(self):
        """A SIGBUS sent from outside the cgroup to a process inside is
        recorded, with the receiver's cgroup; one sent from inside to a
        process outside is not."""
        inside = self.spawn(["sleep", "30"], preexec_fn=lambda: (no_core(), self.join_cgroup()))
        outside = self.spawn(["sleep", "30"], preexec_fn=no_core)
        log = self.path("log.json")
        with Tracer(["-q", "--cgroup", self.cgroup], log) as t:
            t.wait_attached()
            os.kill(inside.pid, signal.SIGBUS)
            sender = self.spawn([sys.executable, "-c", "import os, signal; "
                                 "os.kill(%d, signal.SIGBUS)" % outside.pid],
                                preexec_fn=self.join_cgroup)
            self.assertEqual(sender.wait(30), 0)
            inside.wait(30)
            outside.wait(30)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        got = events(records, "signal", pid=inside.pid)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["args"]["signo"], signal.SIGBUS)
        self.assertEqual(got[0]["cgroup"], os.stat(self.cgroup).st_ino)
        self.assertFalse(events(records, "signal", pid=outside.pid))

    def test_cgroup_that_does_not_exist(self):
        proc = subprocess.run([SHMWATCH, "--cgroup", self.cgroup + "/nope", "-d", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("can't open cgroup", proc.stderr)


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class CommUidFilterTest(BpfTestCase):
    def test_comm_and_uid(self):
        log = self.path("log.json")
        noise = os.path.join(WORKLOADS, "noise")
        with Tracer(["-q", "--comm", "noise", "--uid", "0"], log) as t:
            t.wait_attached()
            n = self.spawn([noise, "0.3"])
            n.wait(30)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        got = events(records)
        self.assertTrue(events(records, "shmget", pid=n.pid))
        self.assertEqual({e["comm"] for e in got}, {"noise"})
        self.assertEqual({e["uid"] for e in got}, {0})

    def test_signal_from_another_comm(self):
        """--comm keeps a SIGBUS that a process of another name (this
        test) sends to a traced one, and names the receiver."""
        victim = self.path("swvictim")
        shutil.copy("/bin/sleep", victim)
        log = self.path("log.json")
        with Tracer(["-q", "--comm", "swvictim"], log) as t:
            t.wait_attached()
            # Popen returns once the child has exec'd: it is swvictim.
            p = self.spawn([victim, "30"], preexec_fn=no_core)
            os.kill(p.pid, signal.SIGBUS)
            p.wait(30)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        got = events(records, "signal", pid=p.pid)
        self.assertEqual(len(got), 1, [r for r in records if r["type"] == "event"])
        self.assertEqual(got[0]["comm"], "swvictim")
        self.assertEqual(got[0]["args"]["signo"], signal.SIGBUS)
        self.assertEqual(got[0]["args"]["code_name"], "SI_USER")
        self.assertEqual(got[0]["uid"], os.getuid())
