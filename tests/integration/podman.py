# SPDX-License-Identifier: GPL-2.0
"""Real containers for the tests, with Debian's podman as root: runc and
the cgroupfs manager (crun refuses this project's hybrid cgroup layout),
and no default ulimits (podman's cannot be set here), from a
containers.conf of the test's own.  No registry is reachable, so an image
is a tarball holding only what a test needs, imported with `podman
import`.  Whatever a test starts is removed in its cleanup, even when it
fails."""
import os
import shutil
import subprocess
import tarfile
import time
import uuid

CONF = "[containers]\ndefault_ulimits = []\n"


class Podman:
    """Containers and images of one test, all named shmwatch-test-*."""

    def __init__(self, testcase, tmp):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "containers.conf")
        with open(self.conf, "w") as f:
            f.write(CONF)
        self.containers = []
        self.images = []
        testcase.addCleanup(self.remove_all)

    @staticmethod
    def skip_reason():
        if not shutil.which("podman"):
            return "podman is not installed (Debian package podman)"
        if not shutil.which("runc"):
            return "runc is not installed (Debian package runc)"
        return None

    def run_podman(self, *args, check=True, timeout=120):
        env = dict(os.environ, CONTAINERS_CONF=self.conf)
        proc = subprocess.run(["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"] +
                              list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout, env=env)
        if check and proc.returncode:
            raise AssertionError("podman %s: exit %d: %s"
                                 % (" ".join(args), proc.returncode, proc.stderr.strip()))
        return proc

    def image(self, files):
        """An image holding files ({path in the image: host file}), and
        nothing else."""
        name = "localhost/shmwatch-test-%s" % uuid.uuid4().hex[:12]
        tarball = os.path.join(self.tmp, "rootfs-%s.tar" % name.rsplit("-", 1)[1])
        with tarfile.open(tarball, "w") as t:
            for inside, host in files.items():
                t.add(host, arcname=inside.lstrip("/"))
        self.images.append(name)
        self.run_podman("import", tarball, name)
        return name

    def start(self, image, argv, *options, ready="ready", timeout=30):
        """Run a detached container; wait for a line `ready` in its output.
        Returns (full id, host pid of its first process)."""
        name = "shmwatch-test-%s" % uuid.uuid4().hex[:12]
        self.containers.append(name)
        self.run_podman("run", "-d", "--name", name, *options, image, *argv)
        deadline = time.monotonic() + timeout
        while True:
            logs = self.run_podman("logs", name, check=False)
            if ready in logs.stdout.split():
                break
            state = self.inspect(name, "{{.State.Status}}")
            if state not in ("running", "created", "configured") or time.monotonic() > deadline:
                raise AssertionError("container %s did not get ready (%s): %s %s"
                                     % (name, state, logs.stdout, logs.stderr))
            time.sleep(0.1)
        return self.inspect(name, "{{.Id}}"), int(self.inspect(name, "{{.State.Pid}}"))

    def static_image(self, source, inside):
        """An image holding one C program, built static from source, at
        inside (its only file)."""
        prog = os.path.join(self.tmp, "static-%s" % uuid.uuid4().hex[:12])
        subprocess.run(["cc", "-static", "-O2", "-o", prog, source], check=True, timeout=120)
        return self.image({inside: prog})

    def import_image(self, tarball):
        """An image of a root filesystem tarball made elsewhere (such as
        deploy/rootfs.sh's), removed with the rest."""
        name = "localhost/shmwatch-test-%s" % uuid.uuid4().hex[:12]
        self.images.append(name)
        self.run_podman("import", tarball, name)
        return name

    def start_until(self, image, argv, *options, seen, timeout=30):
        """Run a detached container and wait until the text `seen` is in
        its output, standard output or error (a tracer says that it is
        tracing on stderr).  Returns its name."""
        name = "shmwatch-test-%s" % uuid.uuid4().hex[:12]
        self.containers.append(name)
        self.run_podman("run", "-d", "--name", name, *options, image, *argv)
        deadline = time.monotonic() + timeout
        while True:
            out, err = self.logs(name)
            if seen in out or seen in err:
                return name
            state = self.inspect(name, "{{.State.Status}}")
            if state not in ("running", "created", "configured") or time.monotonic() > deadline:
                raise AssertionError("container %s never wrote %r (%s): %s %s"
                                     % (name, seen, state, out, err))
            time.sleep(0.1)

    def logs(self, name):
        """(standard output, standard error) of a container so far."""
        proc = self.run_podman("logs", name, check=False)
        return proc.stdout, proc.stderr

    def stop(self, name, timeout=30):
        """podman stop: SIGTERM, as a container engine or the kubelet
        stops a container, and SIGKILL after timeout seconds.  Returns
        the exit code of its first process."""
        self.run_podman("stop", "-t", str(timeout), name, timeout=timeout + 60)
        return int(self.inspect(name, "{{.State.ExitCode}}"))

    def inspect(self, name, fmt):
        return self.run_podman("inspect", "--format", fmt, name).stdout.strip()

    def remove_all(self):
        """Every container and image, each tried a few times (a container
        still on its way out refuses rm), whatever happened to the one
        before; what is left is named."""
        left = []
        for kind, names in (("container", self.containers), ("image", self.images)):
            for name in names:
                for _ in range(5):
                    try:
                        self.run_podman(*(["rm", "-f", "-t", "0", name] if kind == "container"
                                          else ["rmi", "-f", name]), check=False)
                        if self.run_podman(kind, "exists", name, check=False).returncode == 1:
                            break
                    except subprocess.TimeoutExpired:
                        pass
                    time.sleep(0.5)
                else:
                    left.append(name)
        if left:
            raise AssertionError("podman left behind: %s" % ", ".join(left))
