# SPDX-License-Identifier: GPL-2.0
"""shmwatch itself in a container, as a DaemonSet runs it
(docs/container.md): an image made by deploy/rootfs.sh from the built
binary, run by podman with the host's PID, IPC and UTS namespaces, the
runtimes' state and the debug files read-only at their host paths, the
host's network for the metrics and a host directory for the log.  It
traces a host program while shmwatch on the host traces the same run: the
two logs must agree record for record (stacks with functions and lines,
the hostname, the IPC namespace), a container's process must be named
with its container's name, the metrics must count the findings, and
`shmwatch ls` in the container must list what `shmwatch ls` on the host
lists.  Once with --privileged, once with only the capabilities
docs/container.md gives as the least."""
import json
import os
import socket
import subprocess
import time
import unittest
import urllib.request

from common import (ROOT, SHMWATCH, WORKLOADS, BpfTestCase, Tracer, bpf_skip_reason,
                    our_bpf_programs, read_log)
from podman import Podman

MiB = 1 << 20
ROOTFS = os.path.join(ROOT, "deploy", "rootfs.sh")
CONTAINER_SHM = os.path.join(ROOT, "tests", "workloads", "container_shm.c")
DOC = os.path.join(ROOT, "docs", "container.md")
DAEMONSET = os.path.join(ROOT, "docs", "kubernetes", "shmwatch-daemonset.yaml")
# The runtimes' state that names containers (user/lib/container_names.h),
# the separate debug files of the host's libraries.
HOST_DIRS = ["/var/lib/containers/storage", "/run/containers/storage",
             "/var/lib/docker/containers", "/run/containerd/io.containerd.runtime.v2.task",
             "/usr/lib/debug"]
NAMESPACES = ["--pid=host", "--ipc=host", "--uts=host", "--cgroupns=host", "--network=host"]
PRIVILEGED = ["--privileged"]
LEAST = ["--cap-drop=all",
         "--cap-add=BPF,PERFMON,SYS_ADMIN,SYS_PTRACE,DAC_READ_SEARCH"]
# What a record may differ in between two tracers of one run: when each
# read the clock (the header's wall offset, when a usage peak was seen).
CLOCK_FIELDS = {"ts", "ts_ns", "wall_offset_ns", "peak_ts_ns"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def without_clock(records, types):
    return [{k: v for k, v in r.items() if k not in CLOCK_FIELDS}
            for r in records if r["type"] in types]


class AsContainerTest(BpfTestCase):
    def setUp(self):
        reason = Podman.skip_reason() or bpf_skip_reason()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.podman = Podman(self, self.tmp)
        tarball = self.path("shmwatch-rootfs.tar")
        subprocess.run([ROOTFS, SHMWATCH, tarball], check=True, timeout=120)
        self.image = self.podman.import_image(tarball)
        self.logdir = self.path("log")
        os.mkdir(self.logdir)
        self.addCleanup(self.no_bpf_program_left)

    def no_bpf_program_left(self):
        self.assertEqual(our_bpf_programs(), [], "BPF programs left behind")

    def mounts(self):
        """The bind mounts of docs/container.md, of what this host has."""
        out = ["-v", self.logdir + ":/var/log/shmwatch"]
        for d in HOST_DIRS:
            if os.path.isdir(d):
                out += ["-v", "%s:%s:ro" % (d, d)]
        return out

    def start_tracer(self, privileges, *args):
        return self.podman.start_until(
            self.image, ["/usr/sbin/shmwatch"] + list(args),
            *(privileges + NAMESPACES + self.mounts()), seen="shmwatch: tracing")

    def trace_matches_host(self, privileges):
        """The workload that leaves a segment and uses a failed shmat's -1
        from a shared library (tests/workloads/stacks.c), traced by both;
        then a process in a podman container, traced by the container."""
        port = free_port()
        comm_opts = ["-q", "--comm", "stacks_pie", "--stats-interval", "1"]
        name = self.start_tracer(privileges, *comm_opts, "-o", "/var/log/shmwatch/c.ndjson",
                                 "--metrics", "127.0.0.1:%d" % port)
        host_log = self.path("host.ndjson")
        with Tracer(comm_opts, host_log) as host:
            host.wait_attached()
            prog = self.spawn([os.path.join(WORKLOADS, "stacks_pie")],
                              stdout=subprocess.DEVNULL)
            self.assertEqual(prog.wait(60), 0)
            self.assertEqual(self.metric(port, 'shmwatch_findings_total{rule="segment-leak",'
                                         'severity="error"}', 1), 1)
            self.assertEqual(host.stop(), 0, host.stderr())
        self.assertEqual(self.podman.stop(name), 0, self.podman.logs(name))
        theirs = self.track(read_log(host_log))
        ours = self.track(read_log(os.path.join(self.logdir, "c.ndjson")))
        found = [f for f in ours if f["type"] == "finding"]
        self.assertEqual(sorted(f["rule"] for f in found),
                         ["failed-then-used", "segment-leak"], found)
        frames = {(s["function"], s["file"]) for f in found
                  for s in f.get("stack", []) + f.get("origin_stack", [])}
        self.assertIn(("lib_attach", "tests/workloads/stackslib.c"), frames)
        self.assertIn(("create_segment", "tests/workloads/stacks.c"), frames)
        types = ("header", "event", "finding", "summary")
        self.assertEqual(without_clock(ours, types), without_clock(theirs, types))
        # Usage is written at every stats record, whose times differ: the
        # last one's counts (whether a held segment's creator is known to
        # have exited by then is a matter of when each wrote it).
        def usage(records):
            last = without_clock(records, ("sysv",))[-1]
            return {k: v for k, v in last.items() if k not in ("peak_held", "biggest")}
        self.assertEqual(usage(ours), usage(theirs))
        self.assertTrue(ours[-1]["type"] == "stats" and ours[-1]["final"], ours[-1])

    def metric(self, port, series, want, timeout=15):
        """The value of one series once it is want (or the last one read)."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                        timeout=5) as r:
                for line in r.read().decode().splitlines():
                    if line.startswith(series + " "):
                        value = float(line.split()[-1])
            if value == want:
                break
            time.sleep(0.3)
        return value

    def container_named(self, privileges):
        """A process in a podman container named web-N: its events carry
        the container's id, name and image, read from podman's state."""
        work = self.podman.static_image(CONTAINER_SHM, "/container_shm")
        name = self.start_tracer(privileges, "-q", "--comm", "container_shm", "-o",
                                 "/var/log/shmwatch/web.ndjson")
        cid, _ = self.podman.start(work, ["/container_shm", "/dev/shm/blob", str(MiB), "120"],
                                   "--shm-size=4m")
        web = self.podman.inspect(cid, "{{.Name}}")
        deadline = time.monotonic() + 10
        log = os.path.join(self.logdir, "web.ndjson")
        while time.monotonic() < deadline and not (
                os.path.exists(log) and '"ftruncate"' in open(log).read()):
            time.sleep(0.2)
        self.assertEqual(self.podman.stop(name), 0, self.podman.logs(name))
        evs = [r for r in read_log(log) if r["type"] == "event" and r["call"] == "ftruncate"]
        self.assertTrue(evs, "no ftruncate traced")
        self.assertEqual(evs[0]["container"]["id"], cid)
        self.assertEqual(evs[0]["container"]["runtime"], "podman")
        self.assertEqual(evs[0]["container"]["name"], web)
        self.assertEqual(evs[0]["container"]["image"], work + ":latest")

    def ls_matches_host(self, privileges):
        """A host /dev/shm file mapped by a process of another user, a SysV
        segment attached on the host, a container's own /dev/shm: `ls` in
        the container lists them with their holders as `ls` on the host."""
        path = "/dev/shm/shmwatch-test-ctr-%d" % os.getpid()
        holder = self.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             os.path.join(WORKLOADS, "container_shm"), path, str(MiB), "120"],
                            stdout=subprocess.PIPE, text=True)
        self.assertEqual(holder.stdout.readline().strip(), "ready")
        seg = self.spawn(["python3", "-c", SEGMENT_HOLDER], stdout=subprocess.PIPE, text=True)
        shmid = int(seg.stdout.readline())
        self.pids.add(seg.pid)
        work = self.podman.static_image(CONTAINER_SHM, "/container_shm")
        cid, cpid = self.podman.start(work, ["/container_shm", "/dev/shm/blob", str(MiB), "120"],
                                      "--shm-size=4m")
        inside = self.podman.run_podman(
            "run", "--rm", *(privileges + NAMESPACES + self.mounts()), self.image,
            "/usr/sbin/shmwatch", "ls", "--format", "json", "-v")
        outside = subprocess.run([SHMWATCH, "ls", "--format", "json", "-v"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 timeout=120, check=True)

        def pick(out):
            recs = [json.loads(l) for l in out.splitlines()]
            keep = {}
            for r in recs:
                if r["type"] == "file" and r["path"] == path:
                    keep["host file"] = r
                elif r["type"] == "segment" and r["shmid"] == shmid:
                    keep["segment"] = r
                elif r["type"] == "mount" and r.get("container", {}).get("id") == cid:
                    keep["container mount"] = r
                elif r["type"] == "file" and any(h["pid"] == cpid for h in r["holders"]):
                    keep["container file"] = r
            return keep
        ours, theirs = pick(inside.stdout), pick(outside.stdout)
        self.assertEqual(sorted(theirs), ["container file", "container mount", "host file",
                                          "segment"], outside.stdout)
        self.assertEqual(ours, theirs)
        self.assertEqual([h["pid"] for h in ours["host file"]["holders"]], [holder.pid])
        self.assertEqual(ours["host file"]["holders"][0]["fds"], 1)  # another user's fd
        self.assertEqual([h["pid"] for h in ours["segment"]["holders"]], [seg.pid])

    def test_privileged_trace_matches_host(self):
        self.trace_matches_host(PRIVILEGED)

    def test_privileged_names_containers(self):
        self.container_named(PRIVILEGED)

    def test_privileged_ls_matches_host(self):
        self.ls_matches_host(PRIVILEGED)

    def test_least_capabilities(self):
        self.trace_matches_host(LEAST)
        self.ls_matches_host(LEAST)



class AsContainerDocTest(unittest.TestCase):
    def test_doc_gives_the_tested_flags(self):
        """docs/container.md's podman commands are the ones tested here."""
        with open(DOC) as f:
            doc = f.read()
        for flag in NAMESPACES + PRIVILEGED + LEAST:
            self.assertIn(flag, doc)
        for d in HOST_DIRS:
            self.assertIn("-v %s:%s:ro" % (d, d), doc)

    def test_daemonset_asks_for_what_is_tested(self):
        """The DaemonSet has the namespaces, privileges and read-only host
        paths of the tested podman command."""
        try:
            import yaml
        except ImportError:
            self.skipTest("python3-yaml is not installed")
        with open(DAEMONSET) as f:
            ds = [d for d in yaml.safe_load_all(f) if d["kind"] == "DaemonSet"][0]
        pod = ds["spec"]["template"]["spec"]
        self.assertTrue(pod["hostPID"] and pod["hostIPC"] and pod["hostNetwork"])
        (c,) = pod["containers"]
        self.assertTrue(c["securityContext"]["privileged"])
        paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
        mounted = {paths[m["name"]]: (m["mountPath"], m.get("readOnly", False))
                   for m in c["volumeMounts"]}
        for d in HOST_DIRS:
            self.assertEqual(mounted.get(d), (d, True), d)
        self.assertIn("/var/log/shmwatch", mounted)


# A SysV segment, attached, its id on stdout, held until killed.
SEGMENT_HOLDER = """
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0, 65536, 0o1600)
assert shmid >= 0 and libc.shmat(shmid, None, 0) not in (None, 2**64 - 1)
print(shmid, flush=True)
time.sleep(120)
"""
