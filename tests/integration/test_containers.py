# SPDX-License-Identifier: GPL-2.0
"""Shared memory in real containers (podman): `shmwatch ls` tells each
container's own /dev/shm, and the processes that hold its files, by the
container they run in, and --container keeps one container's and leaves
the host's and the other's out (no BPF); a system-wide trace tells a
process in a container from one on the host, in the text view, in
NDJSON and in `analyze` of the saved log; two containers side by side,
one overfilling its /dev/shm and one well behaved, are told apart in
findings and tmpfs usage, and `--container` traces one and not the
other, also once it is made again under the same name, and one that runs
already when the trace starts; two containers that use the same /dev/shm
name, each in its own, are told apart in the removal of one."""
import json
import os
import subprocess
import unittest

from common import (ROOT, SHMWATCH, BpfTestCase, ScratchTestCase, Tracer, bpf_skip_reason,
                    read_log)
from podman import Podman

MiB = 1 << 20


class LsInContainersTest(ScratchTestCase):
    def setUp(self):
        reason = Podman.skip_reason()
        if reason:
            self.skipTest(reason)
        if not os.path.exists(SHMWATCH):
            self.skipTest("%s is not built" % SHMWATCH)
        super().setUp()
        self.podman = Podman(self, self.tmp)
        prog = self.path("container_shm")
        subprocess.run(["cc", "-static", "-O2", "-o", prog,
                        os.path.join(ROOT, "tests", "workloads", "container_shm.c")],
                       check=True, timeout=120)
        self.image = self.podman.image({"/container_shm": prog})

    def ls(self, *args):
        proc = subprocess.run([SHMWATCH, "ls"] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def ls_json(self, *args):
        return [json.loads(l) for l in self.ls("--format", "json", *args).splitlines()]

    def test_each_container_its_own_dev_shm(self):
        # One fills 3 of its 8 MiB, the other 1 of its 4 MiB.
        a_id, a_pid = self.podman.start(self.image, ["/container_shm", "/dev/shm/blob-a",
                                                     str(3 * MiB), "120"], "--shm-size=8m")
        b_id, b_pid = self.podman.start(self.image, ["/container_shm", "/dev/shm/blob-b",
                                                     str(1 * MiB), "120"], "--shm-size=4m")
        records = self.ls_json()
        mounts = {r["container"]["id"]: r for r in records
                  if r["type"] == "mount" and "container" in r}
        self.assertIn(a_id, mounts, records)
        self.assertIn(b_id, mounts, records)
        for cid, size, used in ((a_id, 8 * MiB, 3 * MiB), (b_id, 4 * MiB, 1 * MiB)):
            m = mounts[cid]
            self.assertEqual(m["container"]["runtime"], "podman")
            self.assertEqual(m["mount"], "/dev/shm")
            self.assertEqual(m["fs_size"], size)
            self.assertGreaterEqual(m["fs_used"], used)
            self.assertLess(m["fs_used"], used + MiB)
        files = {r["path"]: r for r in records if r["type"] == "file"}
        for path, pid, cid, size in (("/dev/shm/blob-a", a_pid, a_id, 3 * MiB),
                                     ("/dev/shm/blob-b", b_pid, b_id, 1 * MiB)):
            # The file of this container's mount (not a namesake another
            # container, such as one a killed run left, holds).
            f = [r for r in records if r["type"] == "file" and r["path"] == path and
                 r["dev"] == mounts[cid]["dev"]]
            self.assertEqual(len(f), 1, files.keys())
            self.assertEqual(f[0]["size"], size)
            self.assertEqual(f[0]["verdict"], "in-use")
            holders = {h["pid"]: h for h in f[0]["holders"]}
            self.assertIn(pid, holders)
            self.assertEqual(holders[pid]["container"]["id"], cid)
        # One container: its mount and file, nothing of the other or the host.
        text = self.ls("--container", a_id[:12])
        self.assertIn("tmpfs /dev/shm of container podman:%s" % a_id[:12], text)
        self.assertIn("/dev/shm/blob-a", text)
        self.assertIn("in podman:%s" % a_id[:12], text)
        self.assertNotIn("blob-b", text)
        self.assertNotIn(b_id[:12], text)
        self.assertNotIn("tmpfs /dev/shm (", text)  # the host's own, no container
        only_a = self.ls_json("--container", a_id[:12])
        self.assertTrue(only_a)
        # By its name, the same.
        name = self.podman.inspect(a_id, "{{.Name}}")
        self.assertEqual(self.ls("--container", name), text)
        for r in only_a:
            if r["type"] == "mount":
                self.assertEqual(r.get("container", {}).get("id"), a_id, r)
        # The host: neither container's mount nor file.
        host = self.ls_json("--container", "host")
        self.assertFalse([r for r in host if "container" in r or
                          any("container" in h for h in r.get("holders", []))], host)
        self.assertFalse([r for r in host if r.get("path", "").startswith("/dev/shm/blob-")])

    def test_bad_container_selector(self):
        proc = subprocess.run([SHMWATCH, "ls", "--container", ""], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
        self.assertEqual(proc.stdout, "")


class ContainerTraceCase(BpfTestCase):
    """A trace beside podman containers of an image holding only
    container_shm (built static, also run on the host as self.prog)."""

    def setUp(self):
        reason = Podman.skip_reason() or bpf_skip_reason()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.podman = Podman(self, self.tmp)
        self.prog = self.path("container_shm")
        subprocess.run(["cc", "-static", "-O2", "-o", self.prog,
                        os.path.join(ROOT, "tests", "workloads", "container_shm.c")],
                       check=True, timeout=120)
        self.image = self.podman.image({"/container_shm": self.prog})


class TraceInContainersTest(ContainerTraceCase):

    def test_host_and_container_told_apart(self):
        log, text = self.path("trace.ndjson"), self.path("trace.txt")
        with open(text, "w") as out, \
                Tracer(["--comm", "container_shm"], log, stdout=out) as t:
            t.wait_attached()
            cid, cpid = self.podman.start(self.image, ["/container_shm", "/dev/shm/in-box",
                                                       str(MiB), "1"], "--shm-size=8m")
            name = self.podman.inspect(cid, "{{.Name}}")
            host_path = "/dev/shm/shmwatch-test-on-host-%d" % os.getpid()
            self.addCleanup(lambda: os.path.exists(host_path) and os.unlink(host_path))
            host = self.spawn([self.prog, host_path, str(MiB), "1"], stdout=subprocess.PIPE)
            self.assertEqual(host.stdout.readline().strip(), b"ready")
            host.wait(timeout=30)
            self.podman.run_podman("wait", cid, timeout=60)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        events = [r for r in records if r["type"] == "event"]
        boxed = [r for r in events if r["pid"] == cpid]
        on_host = [r for r in events if r["pid"] == host.pid]
        self.assertTrue(boxed and on_host, events)
        for r in boxed:
            self.assertEqual(r["container"]["runtime"], "podman", r)
            self.assertEqual(r["container"]["id"], cid, r)
            self.assertEqual(r["container"]["name"], name, r)
        for r in on_host:
            self.assertNotIn("container", r)
        # The files each left behind: a finding each, named alike.
        leaks = {r["pid"]: r for r in records
                 if r["type"] == "finding" and r["rule"] == "shm-object-leak"}
        self.assertIn(cpid, leaks, records)
        self.assertIn(host.pid, leaks, records)
        self.assertEqual(leaks[cpid]["container"]["id"], cid)
        self.assertNotIn("container", leaks[host.pid])
        # The text view: the comm of the one in the container carries its name.
        with open(text) as f:
            lines = f.read().splitlines()
        self.assertTrue([l for l in lines if " %d/%d container_shm@%s " % (cpid, cpid, name) in l],
                        lines)
        self.assertTrue([l for l in lines if " %d/%d container_shm " % (host.pid, host.pid) in l],
                        lines)
        self.assertTrue([l for l in lines if "shm-object-leak pid %d (container_shm@%s)"
                         % (cpid, name) in l], lines)
        # analyze of the saved log names them the same way.
        proc = subprocess.run([SHMWATCH, "analyze", "--format", "json", log],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        again = {r["pid"]: r for r in map(json.loads, proc.stdout.splitlines())
                 if r["type"] == "finding" and r["rule"] == "shm-object-leak"}
        self.assertEqual(again[cpid]["container"], leaks[cpid]["container"])
        self.assertNotIn("container", again[host.pid])


    def test_same_name_in_two_containers(self):
        """Two containers of one image use the same /dev/shm name, each in
        its own /dev/shm; the first removes its file after the second made
        its own and left.  The removal was taken for the second's file,
        the one announced last under the name: the log said the other
        container's file was removed.  The one that left its file is the
        only finding."""
        log = self.path("trace.ndjson")
        path = "/dev/shm/app-state"
        with Tracer(["--comm", "container_shm"], log) as t:
            t.wait_attached()
            # Each holds its file long enough to be asked for its pid.
            clean_id, clean_pid = self.podman.start(
                self.image, ["/container_shm", path, str(MiB), "4", "clean"], "--shm-size=8m")
            left_id, left_pid = self.podman.start(
                self.image, ["/container_shm", path, str(MiB), "1"], "--shm-size=8m")
            self.podman.run_podman("wait", left_id, timeout=60)
            self.podman.run_podman("wait", clean_id, timeout=60)
            self.assertEqual(t.stop(), 0, t.stderr())
        records = self.track(read_log(log))
        made = {r["pid"]: r["object"] for r in records if r["type"] == "event" and
                r["call"] == "ftruncate" and r["object"].get("created")}
        self.assertEqual(set(made), {clean_pid, left_pid}, records)
        self.assertEqual(made[clean_pid]["name"], path)
        self.assertEqual(made[left_pid]["name"], path)
        # The clean one's unlink names no other file than its own.
        unlinks = [r for r in records if r["type"] == "event" and r["call"] == "unlink"]
        self.assertEqual([r["pid"] for r in unlinks], [clean_pid], unlinks)
        if "object" in unlinks[0]:
            self.assertEqual(unlinks[0]["object"]["ino"], made[clean_pid]["ino"])
            self.assertEqual(unlinks[0]["object"]["dev"], made[clean_pid]["dev"])
        findings = [r for r in records if r["type"] == "finding"]
        self.assertEqual([(r["rule"], r["pid"], r["container"]["id"]) for r in findings],
                         [("shm-object-leak", left_pid, left_id)], findings)


class ContainerFilterTest(ContainerTraceCase):
    """--container: filtered in the kernel by the containers' cgroups."""

    def run_detached(self, name, *args):
        """A container that may die before it says ready (of SIGBUS)."""
        self.podman.containers.append(name)
        self.podman.run_podman("run", "-d", "--name", name, *args)
        return self.podman.inspect(name, "{{.Id}}")

    def wait_exit(self, name):
        return int(self.podman.run_podman("wait", name, timeout=60).stdout.strip())

    def side_by_side(self, filler, clean):
        """The two containers at once: 6 MiB written into 4 (SIGBUS), and
        1 MiB allocated in 8, then unmapped and unlinked.  Their ids."""
        fid = self.run_detached(filler, "--shm-size=4m", self.image, "/container_shm",
                                "/dev/shm/fill", str(6 * MiB), "0")
        cid = self.run_detached(clean, "--shm-size=8m", self.image, "/container_shm",
                                "/dev/shm/tidy", str(MiB), "1", "fallocate", "clean")
        self.assertEqual(self.wait_exit(filler), 128 + 7)  # SIGBUS
        self.assertEqual(self.wait_exit(clean), 0)
        for name in (filler, clean):
            self.podman.run_podman("rm", "-f", "-t", "0", name)
        return fid, cid

    def test_filler_and_clean_twin(self):
        filler = "shmwatch-test-filler-%d" % os.getpid()
        clean = "shmwatch-test-clean-%d" % os.getpid()
        all_log, one_log = self.path("all.ndjson"), self.path("one.ndjson")
        one_txt = self.path("one.txt")
        # One tracer at a time: a fault is described through bpf_find_vma,
        # which a second tracer's program on the same fault finds busy.
        with Tracer(["--comm", "container_shm"], all_log) as everything:
            everything.wait_attached()
            fid, cid = self.side_by_side(filler, clean)
            self.assertEqual(everything.stop(), 0, everything.stderr())
        with open(one_txt, "w") as out, \
                Tracer(["--container", filler], one_log, stdout=out) as one:
            one.wait_attached()
            self.assertIn("no container %s yet" % filler, one.stderr())
            fid2, _ = self.side_by_side(filler, clean)
            # Made again under the same name: a new id, a new cgroup.
            again = self.run_detached(filler, "--shm-size=8m", self.image, "/container_shm",
                                      "/dev/shm/second", str(MiB), "0", "clean")
            self.assertEqual(self.wait_exit(filler), 0)
            self.assertNotEqual(again, fid2)
            self.assertEqual(one.stop(), 0, one.stderr())
        records = self.track(read_log(all_log))
        findings = [r for r in records if r["type"] == "finding"]
        bus = [r for r in findings if r["rule"] == "sigbus-explained"]
        self.assertEqual(len(bus), 1, findings)
        self.assertEqual(bus[0]["container"]["id"], fid)
        self.assertEqual(bus[0]["container"]["name"], filler)
        # The clean twin has none.
        self.assertFalse([r for r in findings if r.get("container", {}).get("id") == cid],
                         findings)
        # Each container's /dev/shm on its own, named, with its peak.
        tmpfs = {}
        for r in records:
            if r["type"] == "tmpfs" and "container" in r:
                tmpfs[r["container"]["id"]] = r  # the last one of each
        self.assertIn(fid, tmpfs, [r for r in records if r["type"] == "tmpfs"])
        self.assertIn(cid, tmpfs, [r for r in records if r["type"] == "tmpfs"])
        # (Their dev may be the same: the filler's was gone, and given
        # again to the twin's.)
        self.assertEqual(tmpfs[fid]["fs_size"], 4 * MiB)
        self.assertEqual(tmpfs[fid]["peak_used"], 4 * MiB)  # full
        self.assertEqual(tmpfs[cid]["fs_size"], 8 * MiB)
        # The kernel counts a tmpfs's use per CPU, folded in batches of
        # up to 128 KiB each away from its limit.
        self.assertLessEqual(tmpfs[cid]["peak_used"], MiB)
        self.assertGreater(tmpfs[cid]["peak_used"], MiB - 2 * 128 * 1024 * os.cpu_count())
        # What would have sufficed: the 6 MiB the filler wrote, 1 MiB.
        self.assertEqual(tmpfs[fid]["sufficient_size"], 6 * MiB)
        self.assertEqual(tmpfs[cid]["sufficient_size"], MiB)
        # The text of analyze names each as the container sees it.
        proc = subprocess.run([SHMWATCH, "analyze", all_log], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for name, size in ((filler, "4.0 MiB"), (clean, "8.0 MiB")):
            self.assertRegex(proc.stdout, r"tmpfs /dev/shm in container %s \(.*/%s"
                             % (name, size))
        # --container: the filler's two lives, nothing of the twin's.
        mine = self.track(read_log(one_log))
        events = [r for r in mine if r["type"] == "event"]
        self.assertTrue(events)
        ids = {r.get("container", {}).get("id") for r in events}
        self.assertEqual(ids, {fid2, again}, events)
        names = {r.get("object", {}).get("name") for r in events} - {None}
        self.assertTrue({"/dev/shm/fill", "/dev/shm/second"} <= names, names)
        self.assertFalse([r for r in mine if "tidy" in json.dumps(r)])
        # The filler's fault, and its file left behind (its own /dev/shm
        # goes with the container, but its program never unlinks it).
        self.assertEqual(sorted(r["rule"] for r in mine if r["type"] == "finding"),
                         ["shm-object-leak", "sigbus-explained"])
        with open(one_txt) as f:
            text = f.read()
        self.assertIn("container_shm@%s" % filler, text)
        self.assertNotIn(clean, text)

    def test_running_container_by_id(self):
        # Already running when the trace starts: found by the scan, and
        # a process podman exec starts in it is traced; the host is not.
        cid, _ = self.podman.start(self.image, ["/container_shm", "/dev/shm/first",
                                                str(MiB), "120"], "--shm-size=8m")
        log = self.path("one.ndjson")
        host_path = "/dev/shm/shmwatch-test-host-%d" % os.getpid()
        self.addCleanup(lambda: os.path.exists(host_path) and os.unlink(host_path))
        with Tracer(["--container", cid[:12]], log) as t:
            t.wait_attached()
            self.assertNotIn("yet", t.stderr())
            self.podman.run_podman("exec", cid, "/container_shm", "/dev/shm/exec",
                                   str(MiB), "0", "clean")
            subprocess.run([self.prog, host_path, str(MiB), "0", "clean"], check=True, stdout=subprocess.DEVNULL, timeout=60)
            self.assertEqual(t.stop(), 0, t.stderr())
        events = [r for r in self.track(read_log(log)) if r["type"] == "event"]
        self.assertTrue([r for r in events if r.get("object", {}).get("name") == "/dev/shm/exec"], events)
        self.assertFalse([r for r in events if r.get("container", {}).get("id") != cid],
                         events)

    def test_bad_selector(self):
        proc = subprocess.run([SHMWATCH, "--container", "", "-d", "1"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)


if __name__ == "__main__":
    unittest.main()
