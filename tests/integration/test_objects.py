# SPDX-License-Identifier: GPL-2.0
"""Shm objects: POSIX shm, memfds and tmpfs files as the capture records
them.  The objects workload (tests/workloads/objects.c) makes calls that
must be recorded and calls that must not, and writes a manifest of what
really happened (fds, inodes from fstat, sizes, addresses); each test runs
it under shmwatch and compares the log with that manifest: the recorded
calls are there with the right arguments and "object" (or "map", or the
SIGBUS "mapping"), the others are not."""
import json
import os

from common import BpfTestCase, WORKLOADS, Tracer, events, read_log

OBJECTS = os.path.join(WORKLOADS, "objects")

# statfs f_type of the filesystems whose files are shm objects.
MEMORY_FS = {0x01021994: "tmpfs", 0x958458f6: "hugetlbfs"}

O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC = 0o3, 0o100, 0o200, 0o1000
OPEN_BITS = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC

# The calls recorded only for memory-filesystem files: the log must hold
# exactly those of the manifest, and nothing else of the workload.
FILE_CALLS = ("memfd_create", "openat", "unlink", "unlinkat", "ftruncate", "fallocate")


def other_tracers():
    """Pids of shmwatch processes running now (another test, another user)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() == "shmwatch":
                    pids.append(int(pid))
        except OSError:
            continue
    return pids


def read_manifest(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class ObjectsTest(BpfTestCase):
    def run_workload(self):
        """Trace one run; returns (manifest, the workload's events, records)."""
        log, manifest = self.path("log.json"), self.path("manifest.json")
        disk = self.path("disk")
        os.mkdir(disk)
        self.tracers_before = other_tracers()
        with Tracer(["-q", "--", OBJECTS, manifest, disk], log) as t:
            rc = t.proc.wait(60)
            t.stop()
        self.assertEqual(rc, 0, t.stderr())
        records = self.track(read_log(log))
        want = read_manifest(manifest)
        self.assertTrue(want, "the workload wrote no manifest")
        pid = want[0]["pid"]
        return want, events(records, pid=pid), records

    def step(self, manifest, step, call):
        """The manifest lines of one step and call, in order."""
        lines = [m for m in manifest if m["step"] == step and m["call"] == call]
        self.assertTrue(lines, "no %s %s in the manifest" % (step, call))
        return lines

    def one(self, evs, what, **match):
        """The single event whose args (or ret) match."""
        found = [e for e in evs
                 if all((e["ret"] if k == "ret" else e["args"].get(k)) == v
                        for k, v in match.items())]
        self.assertEqual(len(found), 1, "%s: want one event with %s, got %s"
                         % (what, match, json.dumps(found)))
        return found[0]

    def check_object(self, obj, want, backing, name, created):
        self.assertEqual(obj["backing"], backing, obj)
        self.assertEqual(obj["ino"], want["ino"], obj)
        self.assertEqual(obj["dev"], want["dev"], obj)
        self.assertEqual(obj["name"], name, obj)
        self.assertIs(obj["created"], created, obj)
        if "size" in want:
            self.assertEqual(obj["size"], want["size"], obj)
        if "fs_size" in want:
            self.assertEqual(obj["fs_size"], want["fs_size"], obj)
        if obj["fs_size"]:
            self.assertLessEqual(obj["fs_used"], obj["fs_size"], obj)

    def test_disk_files_not_recorded(self):
        """Opens, sizing and unlink of a file on the disk leave no trace,
        not even with O_CREAT|O_TRUNC (the manifest itself is one)."""
        manifest, evs, _ = self.run_workload()
        disk = self.step(manifest, "disk", "openat")
        fs_type = disk[0]["fs_type"]
        self.assertNotIn(fs_type, MEMORY_FS,
                         "the disk directory is on %s: the test needs a disk"
                         % MEMORY_FS.get(fs_type))
        regular = disk[0]["path"]
        self.assertTrue(any(d["flags"] & O_CREAT and d["flags"] & O_TRUNC for d in disk))
        self.assertTrue(any(d["flags"] & O_ACCMODE == os.O_RDONLY for d in disk))
        paths = {e["args"].get("path") for e in evs}
        self.assertNotIn(regular, paths)
        self.assertNotIn(self.path("manifest.json"), paths)
        ident = (disk[0]["ino"], disk[0]["dev"])
        self.assertFalse([e for e in evs if "object" in e
                          and (e["object"]["ino"], e["object"]["dev"]) == ident])
        for m in self.step(manifest, "disk_resize", "ftruncate") + \
                self.step(manifest, "disk_resize", "fallocate"):
            self.assertEqual(m["ret"], 0, m)
            size_arg = "length" if m["call"] == "ftruncate" else "len"
            self.assertFalse([e for e in events(evs, m["call"])
                              if e["args"][size_arg] == m["length"]], m)
        # Every openat recorded is of a memory-filesystem file.
        for e in events(evs, "openat"):
            self.assertIn(e["object"]["backing"], ("shmem_file", "hugetlb"), e)

    def test_shm_open_create(self):
        """shm_open(O_CREAT|O_EXCL) is an openat of /dev/shm/NAME that
        created the file: the inode is fstat's, and it has a stack."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "shm_create", "openat")[0]
        e = self.one(events(evs, "openat"), "shm_open create", path=m["path"], ret=m["ret"])
        self.assertEqual(e["args"]["dfd"], -100)
        self.assertEqual(e["args"]["flags"]["value"] & OPEN_BITS, m["oflag"])
        self.assertIn("O_CREAT", e["args"]["flags"]["names"])
        self.assertEqual(e["args"]["mode"]["value"], m["mode"])
        self.assertIsNone(e["errno"])
        self.check_object(e["object"], m, "shmem_file", m["path"], True)
        self.assertTrue(e.get("stack"), "an openat that created a file has a stack")

    def test_shm_open_without_create_or_trunc_not_recorded(self):
        """Of the three shm_opens of one name, the plain O_RDWR one is not
        in the log: exactly the create and the O_TRUNC one are, in order."""
        manifest, evs, _ = self.run_workload()
        create = self.step(manifest, "shm_create", "openat")[0]
        plain = self.step(manifest, "shm_reopen", "openat")[0]
        trunc = self.step(manifest, "shm_trunc", "openat")[0]
        self.assertEqual(plain["oflag"] & (O_CREAT | O_TRUNC), 0)
        self.assertNotIn(plain["ret"], (create["ret"], trunc["ret"]))
        got = [e["ret"] for e in events(evs, "openat") if e["args"]["path"] == plain["path"]]
        self.assertEqual(got, [create["ret"], trunc["ret"]])

    def test_shm_open_trunc_existing(self):
        """shm_open(O_TRUNC) of an existing object: recorded, created false,
        the same inode, and the size after the call (0, from 8)."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "shm_trunc", "openat")[0]
        self.assertGreater(m["size_before"], 0)
        e = self.one(events(evs, "openat"), "shm_open O_TRUNC", path=m["path"], ret=m["ret"])
        self.assertEqual(e["args"]["flags"]["value"] & OPEN_BITS, m["oflag"])
        self.assertNotIn("O_CREAT", e["args"]["flags"]["names"])
        self.check_object(e["object"], m, "shmem_file", m["path"], False)
        create = self.step(manifest, "shm_create", "openat")[0]
        self.assertEqual(e["object"]["ino"], create["ino"])

    def test_shm_resize(self):
        """ftruncate to 128 KiB and fallocate of 256 KiB of the shm object:
        recorded with the size after each call and the file's name."""
        manifest, evs, _ = self.run_workload()
        create = self.step(manifest, "shm_create", "openat")[0]
        name = os.path.basename(create["path"])
        m = self.step(manifest, "shm_resize", "ftruncate")[0]
        self.assertEqual(m["size"], 128 << 10)
        e = self.one(events(evs, "ftruncate"), "ftruncate", fd=m["fd"], length=m["length"])
        self.assertEqual(e["ret"], m["ret"])
        self.check_object(e["object"], dict(m, fs_size=create["fs_size"]),
                          "shmem_file", name, False)
        m = self.step(manifest, "shm_resize", "fallocate")[0]
        self.assertEqual(m["size"], 256 << 10)
        e = self.one(events(evs, "fallocate"), "fallocate", fd=m["fd"], len=m["length"])
        self.assertEqual(e["args"]["offset"], 0)
        self.assertEqual(e["args"]["mode"]["value"], 0)
        self.assertEqual(e["ret"], m["ret"])
        self.check_object(e["object"], dict(m, fs_size=create["fs_size"]),
                          "shmem_file", name, False)

    def test_memfd_object_is_what_mmap_maps(self):
        """memfd_create's object has fstat's inode; the ftruncate and the
        MAP_SHARED mmap of that fd name the same (ino, dev)."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "memfd", "memfd_create")[0]
        e = self.one(events(evs, "memfd_create"), "memfd_create", name=m["name"])
        self.assertEqual(e["ret"], m["ret"])
        self.assertEqual(e["args"]["flags"]["value"], m["flags"])
        self.check_object(e["object"], dict(m, size=0, fs_size=0), "memfd", m["name"], True)
        obj = e["object"]

        t = self.step(manifest, "memfd", "ftruncate")[0]
        e = self.one(events(evs, "ftruncate"), "memfd ftruncate", fd=t["fd"], length=t["length"])
        self.check_object(e["object"], t, "memfd", "memfd:" + m["name"], False)

        mm = self.step(manifest, "memfd", "mmap")[0]
        e = self.one(events(evs, "mmap"), "memfd mmap", ret=mm["ret"], fd=mm["fd"])
        self.assertEqual(e["map"]["backing"], "memfd")
        self.assertEqual((e["map"]["ino"], e["map"]["dev"]), (obj["ino"], obj["dev"]))
        self.assertEqual(e["map"]["object_size"], t["size"])
        self.assertEqual(e["map"]["name"], "memfd:" + m["name"])

    def test_tmpfs_relative_create_and_unlinkat(self):
        """openat(dirfd on a tmpfs, "rel", O_CREAT) is recorded as spelled;
        a fallocate beyond the mount fails and is recorded; unlinkat(dirfd,
        "rel") is recorded after it; unlink of a disk file is not."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "tmpfs", "openat")[0]
        e = self.one(events(evs, "openat"), "relative openat", dfd=m["dfd"], path="rel")
        self.assertEqual(e["ret"], m["ret"])
        self.assertEqual(e["args"]["flags"]["value"], m["flags"])
        self.assertEqual(e["args"]["mode"]["value"], m["mode"])
        self.check_object(e["object"], dict(m, size=0), "shmem_file", "rel", True)
        created = e["seq"]

        f = self.step(manifest, "tmpfs", "fallocate")[0]
        e = self.one(events(evs, "fallocate"), "fallocate past the mount",
                     fd=f["fd"], len=f["length"])
        self.assertEqual(e["ret"], f["ret"])
        self.assertEqual(e["errno"], "ENOSPC")
        self.check_object(e["object"], dict(f, fs_size=m["fs_size"]), "shmem_file", "rel", False)

        u = self.step(manifest, "tmpfs", "unlinkat")[0]
        e = self.one(events(evs, "unlinkat"), "unlinkat rel", dfd=u["dfd"], path="rel")
        self.assertEqual(e["ret"], 0)
        self.assertEqual(e["args"]["flags"]["value"], u["flags"])
        self.assertGreater(e["seq"], created)

        d = self.step(manifest, "tmpfs", "unlink")[0]
        self.assertEqual(d["ret"], 0)
        self.assertFalse([e for e in events(evs, "unlink") + events(evs, "unlinkat")
                          if e["args"]["path"] == d["path"]])

    def test_shm_unlink(self):
        """shm_unlink is glibc's unlink of /dev/shm/NAME: recorded once."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "shm_unlink", "unlink")[0]
        e = self.one(events(evs, "unlink"), "shm_unlink", path=m["path"])
        self.assertEqual(e["ret"], m["ret"])
        self.assertIsNone(e["errno"])
        self.assertFalse(os.path.exists(m["path"]))

    def test_sigbus_mapping(self):
        """A touch at 32 KiB of a 64 KiB mapping of a 4 KiB memfd: the
        SIGBUS names the memfd (fstat's inode), the offset and its size."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "sigbus", "signal")[0]
        created = self.step(manifest, "sigbus", "memfd_create")[0]
        e = self.one(events(evs, "memfd_create"), "SIGBUS memfd", name=created["name"])
        self.assertEqual(e["object"]["ino"], m["ino"])
        sigs = [s for s in events(evs, "signal") if s["args"]["signo"] == m["signo"]]
        self.assertEqual(len(sigs), 1, sigs)
        args = sigs[0]["args"]
        self.assertEqual(args["signal"], "SIGBUS")
        self.assertEqual(args["code_name"], "BUS_ADRERR")
        self.assertEqual(args["addr"], m["addr"])
        mapping = args.get("mapping")
        # The kernel side looks the mapping up with bpf_find_vma under the
        # signal lock (interrupts off), which needs a per-CPU irq_work that
        # a BPF program attached earlier to the same signal (another
        # shmwatch, say) may hold: then the lookup fails with EBUSY.
        self.assertIsNotNone(mapping, "a SIGBUS from a fault has a mapping (shmwatch "
                             "processes already running when the test started: %s)"
                             % (self.tracers_before or "none"))
        self.assertEqual(mapping["backing"], "memfd")
        self.assertEqual(mapping["start"], m["start"])
        self.assertEqual(mapping["offset"], m["offset"])
        self.assertEqual(mapping["offset"], 32768)
        self.assertEqual(mapping["object_size"], m["object_size"])
        self.assertEqual(mapping["object_size"], 4096)
        self.assertEqual((mapping["ino"], mapping["dev"]), (m["ino"], m["dev"]))
        self.assertEqual(mapping["name"], "memfd:" + created["name"])
        self.assertEqual(mapping["fs_size"], 0)
        self.assertEqual(mapping["top"], [])

    def test_exactly_the_recorded_calls(self):
        """Of the file calls, the log holds exactly the manifest's recorded
        ones (glibc makes none of its own here), none lost; the run left
        no shm object, mount point or mount behind."""
        manifest, evs, records = self.run_workload()
        for call in FILE_CALLS:
            want = sorted(m["ret"] for m in manifest if m["call"] == call and m["recorded"])
            got = sorted(e["ret"] for e in events(evs, call))
            self.assertEqual(got, want, call)
        final = records[-1]
        self.assertEqual(final["type"], "stats")
        self.assertEqual(final["lost"], 0)
        exits = events(evs, "exit")
        self.assertEqual([e["args"]["exit_code"] for e in exits], [0])
        self.assertFalse(os.path.exists(self.step(manifest, "shm_create", "openat")[0]["path"]))
        tmpfs_dir = self.step(manifest, "tmpfs", "openat")[0]["dir"]
        self.assertFalse(os.path.exists(tmpfs_dir))
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(tmpfs_dir, f.read())
