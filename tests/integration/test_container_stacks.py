# SPDX-License-Identifier: GPL-2.0
"""Stacks of a program in a real container (podman): a static program
built with -g, its own copy in the image at a path the host does not have
(or where the host has another program), gets stacks with function and
file:line, whether they are resolved while it lives or only once it and
its container are gone (the tracer stopped meanwhile: its image's layer
holds the file the kernel named), and with its DWARF in a separate debug
file inside the image.  Once the image is gone too, its frames say
module+offset and name no function."""
import os
import shutil
import signal
import subprocess
import unittest
import uuid

from common import ROOT, BpfTestCase, Tracer, bpf_skip_reason, read_log
from podman import Podman
from test_stacks import has_frame, marker_lines

SOURCE = "tests/workloads/container_stacks.c"
MARK = marker_lines("container_stacks.c")
COMM = "cstacks"


class ContainerStacksTest(BpfTestCase):
    def setUp(self):
        reason = Podman.skip_reason() or bpf_skip_reason()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.podman = Podman(self, self.tmp)
        # From the top of the tree: DWARF names the source as the test checks it.
        self.prog = self.path(COMM)
        subprocess.run(["cc", "-static", "-g", "-O0", "-fno-omit-frame-pointer",
                        "-mno-omit-leaf-frame-pointer", "-o", self.prog, SOURCE],
                       cwd=ROOT, check=True, timeout=120)
        # A path the host has not.
        self.inside = "/shmwatch-test-box-%s/%s" % (uuid.uuid4().hex[:12], COMM)
        self.assertFalse(os.path.exists(os.path.dirname(self.inside)))

    def stripped_with_debug_file(self):
        """The program stripped, and its DWARF in a file of its build-id."""
        stripped, debug = self.path("stripped"), self.path("stripped.debug")
        subprocess.run(["objcopy", "--only-keep-debug", self.prog, debug], check=True)
        shutil.copy(self.prog, stripped)
        subprocess.run(["strip", "--strip-all", stripped], check=True)
        notes = subprocess.run(["readelf", "-n", self.prog], stdout=subprocess.PIPE,
                               text=True, check=True).stdout
        build_id = notes.split("Build ID:")[1].split()[0]
        return stripped, {"/usr/lib/debug/.build-id/%s/%s.debug"
                          % (build_id[:2], build_id[2:]): debug}

    def stacks(self, image, path, gone=False, before_resume=None):
        """The shmget stacks of path run in a container from image: with
        the tracer stopped until the container is gone when gone."""
        log = self.path("trace-%s.ndjson" % uuid.uuid4().hex[:8])
        with Tracer(["--comm", COMM], log) as t:
            t.wait_attached()
            if gone:
                name = "shmwatch-test-%s" % uuid.uuid4().hex[:12]
                self.podman.containers.append(name)
                t.proc.send_signal(signal.SIGSTOP)
                try:
                    self.podman.run_podman("run", "--name", name, image, path, "0",
                                           timeout=60)
                    # Gone: no process left whose root would reach the file.
                    self.assertEqual(self.podman.inspect(name, "{{.State.Status}}"), "exited")
                    if before_resume:
                        before_resume(name)
                finally:
                    t.proc.send_signal(signal.SIGCONT)
            else:
                cid, _ = self.podman.start(image, [path, "1"])
                self.podman.run_podman("wait", cid, timeout=60)
            self.assertEqual(t.stop(), 0, t.stderr())
        calls = [r for r in self.track(read_log(log))
                 if r["type"] == "event" and r.get("call") == "shmget" and r["comm"] == COMM]
        self.assertEqual(len(calls), 1, calls)
        return calls[0]["stack"]

    def check_resolved(self, stack, path):
        self.assertTrue(has_frame(stack, "make_segment", "container_stacks.c", MARK["make"]),
                        stack)
        self.assertTrue(has_frame(stack, "main", "container_stacks.c", MARK["main-make"]),
                        stack)
        for f in stack:
            if f["function"] in ("make_segment", "main"):
                self.assertEqual(f["module"], path, f)

    def test_resolved_while_it_lives(self):
        image = self.podman.image({self.inside: self.prog})
        self.check_resolved(self.stacks(image, self.inside), self.inside)

    def test_resolved_after_it_is_gone_with_another_program_at_its_path_on_the_host(self):
        # The host's file at the same path is another program (with DWARF):
        # resolving through it would name its functions.
        inside = os.path.join(self.tmp, "box", COMM)
        os.mkdir(os.path.dirname(inside))
        subprocess.run(["cc", "-static", "-g", "-O0", "-o", inside,
                        os.path.join(ROOT, "tests", "workloads", "container_shm.c")],
                       check=True, timeout=120)
        image = self.podman.image({inside: self.prog})
        self.check_resolved(self.stacks(image, inside, gone=True), inside)
        self.check_resolved(self.stacks(image, inside), inside)

    def test_separate_debug_file_in_the_image(self):
        stripped, debug = self.stripped_with_debug_file()
        files = dict(debug)
        files[self.inside] = stripped
        image = self.podman.image(files)
        self.check_resolved(self.stacks(image, self.inside), self.inside)
        self.check_resolved(self.stacks(image, self.inside, gone=True), self.inside)

    def test_nothing_left_to_read_gives_module_offsets(self):
        image = self.podman.image({self.inside: self.prog})

        def remove_all(name):
            self.podman.run_podman("rm", "-f", name)
            self.podman.run_podman("rmi", "-f", image)

        stack = self.stacks(image, self.inside, gone=True, before_resume=remove_all)
        ours = [f for f in stack if f["module"] == self.inside]
        self.assertGreaterEqual(len(ours), 3, stack)
        for f in ours:
            self.assertIsNone(f["function"], f)
            self.assertIsNone(f["file"], f)
            self.assertIsNotNone(f["offset"], f)


if __name__ == "__main__":
    unittest.main()
