# SPDX-License-Identifier: GPL-2.0
"""Shm objects: POSIX shm, memfds and tmpfs files as the capture records
them.  The objects workload (tests/workloads/objects.c) makes calls that
must be recorded and calls that must not, and writes a manifest of what
really happened (fds, inodes from fstat, sizes, addresses); each test runs
it under shmwatch and compares the log with that manifest: the recorded
calls are there with the right arguments and "object" (or "map", or the
SIGBUS "mapping"), the others are not.

No successful openat is ever recorded (only an open of a /dev/shm path
that fails with ENOENT): a tmpfs file's creation is announced by the
first ftruncate, fallocate or shared mmap made through the open file that
created it, with created true and the file's absolute path as its name;
an unlink is recorded when its path (joined to its directory when
relative) is an announced object's, which it then names, or lies under
/dev/shm/ (docs/events.md)."""
import json
import os

from common import BpfTestCase, WORKLOADS, Tracer, events, read_log

OBJECTS = os.path.join(WORKLOADS, "objects")

# statfs f_type of the filesystems whose files are shm objects.
MEMORY_FS = {0x01021994: "tmpfs", 0x958458f6: "hugetlbfs"}

O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC = 0o3, 0o100, 0o200, 0o1000
OPEN_BITS = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC

# The calls the workload makes that may be recorded: the log must hold
# exactly those of the manifest marked recorded, and nothing else of the
# workload.  Each is told apart by its return value and arguments.
FILE_CALLS = ("memfd_create", "unlink", "unlinkat", "ftruncate", "fallocate", "mmap")

# How a manifest line and an event of each call are compared.
MANIFEST_KEY = {
    "memfd_create": lambda m: (m["ret"], m["name"]),
    "unlink": lambda m: (m["ret"], m["path"]),
    "unlinkat": lambda m: (m["ret"], m["dfd"], m["path"], m["flags"]),
    "ftruncate": lambda m: (m["ret"], m["fd"], m["length"]),
    "fallocate": lambda m: (m["ret"], m["fd"], m["length"]),
    "mmap": lambda m: (m["ret"], m["fd"], m["length"]),
}
EVENT_KEY = {
    "memfd_create": lambda e: (e["ret"], e["args"]["name"]),
    "unlink": lambda e: (e["ret"], e["args"]["path"]),
    "unlinkat": lambda e: (e["ret"], e["args"]["dfd"], e["args"]["path"],
                           e["args"]["flags"]["value"]),
    "ftruncate": lambda e: (e["ret"], e["args"]["fd"], e["args"]["length"]),
    "fallocate": lambda e: (e["ret"], e["args"]["fd"], e["args"]["len"]),
    "mmap": lambda e: (e["ret"], e["args"]["fd"], e["args"]["length"]),
}
# What else the workload's pid may show: its lifecycle, and the munmaps
# of its shared mappings.
OTHER_CALLS = ("exec", "exit", "signal", "munmap")


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


def ident(d):
    return (d["ino"], d["dev"])


def described(e):
    """The objects an event describes: its object, map, or SIGBUS mapping."""
    return [o for o in (e.get("object"), e.get("map"), e["args"].get("mapping")) if o]


def strings_of(e):
    """Every path or name an event carries."""
    out = [e["args"].get(k) for k in ("path", "filename", "name")]
    out += [o.get("name") for o in described(e)]
    return [s for s in out if isinstance(s, str)]


def touching(evs, want):
    """The events that describe the object with want's (ino, dev)."""
    return [e for e in evs if any(ident(o) == ident(want) for o in described(e))]


def history(evs, want):
    """(call, created) of each event describing the object, in order."""
    return [(e["call"], (e.get("object") or e.get("map"))["created"])
            for e in touching(evs, want)]


def shm_dirs():
    return {n for n in os.listdir("/dev/shm") if n.startswith("shmwatch-test-dir-")}


class ObjectsTest(BpfTestCase):
    def run_workload(self):
        """Trace one run; returns (manifest, the workload's events, records)."""
        log, manifest = self.path("log.json"), self.path("manifest.json")
        disk = self.path("disk")
        os.mkdir(disk)
        self.tracers_before = other_tracers()
        # The workload makes and removes a directory in /dev/shm; if it
        # died in between, remove it before BpfTestCase's clean-up (which
        # unlinks files there) runs.
        dirs_before = shm_dirs()
        self.addCleanup(lambda: [os.rmdir(os.path.join("/dev/shm", d))
                                 for d in shm_dirs() - dirs_before])
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

    def evs_of(self, evs, want, call):
        """The events of call that describe want's object."""
        return events(touching(evs, want), call)

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

    def check_unlinked(self, e, want, path):
        """A recorded unlink of an announced object: the object is the one
        announced (fstat's identity), named by the path as given.  Its
        size, fs_used and fs_size are not checked: the kernel side has no
        file to read them from at unlink's exit and writes 0, which is
        neither the size of an object still held open nor "no limit"."""
        self.assertEqual(e["ret"], 0, e)
        self.assertIsNone(e["errno"], e)
        obj = e.get("object")
        self.assertIsNotNone(obj, "an unlink of an announced object names it: %s" % e)
        self.assertEqual(obj["backing"], "shmem_file", obj)
        self.assertEqual(ident(obj), ident(want), obj)
        self.assertEqual(obj["name"], path, obj)
        self.assertIs(obj["created"], False, obj)

    def test_disk_files_not_recorded(self):
        """Opens, sizing and unlink of a file on the disk leave no trace,
        not even with O_CREAT|O_TRUNC (the manifest itself is one): no
        event of any process carries its path, name or inode."""
        manifest, evs, records = self.run_workload()
        disk = self.step(manifest, "disk", "openat")
        fs_type = disk[0]["fs_type"]
        self.assertNotIn(fs_type, MEMORY_FS,
                         "the disk directory is on %s: the test needs a disk"
                         % MEMORY_FS.get(fs_type))
        regular = disk[0]["path"]
        self.assertTrue(any(d["flags"] & O_CREAT and d["flags"] & O_TRUNC for d in disk))
        self.assertTrue(any(d["flags"] & O_ACCMODE == os.O_RDONLY for d in disk))
        for m in self.step(manifest, "disk_resize", "ftruncate") + \
                self.step(manifest, "disk_resize", "fallocate"):
            self.assertEqual(m["ret"], 0, m)
            self.assertEqual(ident(m), ident(disk[0]), m)
            self.assertEqual(m["size"], m["length"], m)
            size_arg = "length" if m["call"] == "ftruncate" else "len"
            self.assertFalse([e for e in events(evs, m["call"])
                              if e["args"][size_arg] == m["length"]], m)
        u = self.step(manifest, "disk_unlink", "unlink")[0]
        self.assertFalse(u["recorded"])
        self.assertEqual((u["ret"], u["path"], ident(u)), (0, regular, ident(disk[0])))
        self.assertFalse(os.path.exists(regular))

        unwanted = (regular, self.path("manifest.json"))
        for e in events(records):
            for s in strings_of(e):
                self.assertNotIn(s, unwanted, e)
                self.assertNotEqual(os.path.basename(s), "regular", e)
            for o in described(e):
                self.assertNotEqual(ident(o), ident(disk[0]), e)
        # What is recorded of the workload is of memory-filesystem files.
        for e in evs:
            for o in described(e):
                self.assertIn(o["backing"], ("shmem_file", "memfd"), e)

    def test_no_successful_open_recorded(self):
        """No successful openat is recorded, whatever its flags: not the
        shm_open that created the object, not the plain one, not the
        O_TRUNC one that really cut it, not the creating openats on the
        tmpfs (only an open of a /dev/shm path failing with ENOENT is, see
        the scenario py_tracker_unlink.py).  The call counts 0 in the
        counters, and the first record of the shm object is its first
        ftruncate."""
        manifest, evs, records = self.run_workload()
        opens = [m for m in manifest if m["call"] == "openat"]
        self.assertGreaterEqual(len(opens), 9)
        self.assertFalse([m for m in opens if m["recorded"]])
        self.assertTrue(all(m["ret"] >= 0 for m in opens), opens)

        create = self.step(manifest, "shm_create", "openat")[0]
        plain = self.step(manifest, "shm_reopen", "openat")[0]
        trunc = self.step(manifest, "shm_trunc", "openat")[0]
        self.assertEqual(create["oflag"] & OPEN_BITS, O_CREAT | O_EXCL | os.O_RDWR)
        self.assertEqual(create["size_before"], -1)
        self.assertEqual(plain["oflag"] & (O_CREAT | O_TRUNC), 0)
        self.assertEqual(trunc["oflag"] & OPEN_BITS, O_TRUNC | os.O_RDWR)
        self.assertEqual((trunc["size_before"], trunc["size"]), (8, 0))
        for m in (plain, trunc):
            self.assertEqual(ident(m), ident(create), m)

        self.assertEqual([r for r in records if r.get("call") == "openat"], [])
        final = records[-1]
        self.assertEqual(final["type"], "stats")
        for counter in ("calls", "failed", "lost_by"):
            self.assertEqual(final[counter]["openat"], 0, counter)
            self.assertIn("unlinkat", final[counter], counter)

        resize = self.step(manifest, "shm_resize", "ftruncate")[0]
        first = touching(evs, create)[0]
        self.assertEqual((first["call"], first["args"]["fd"], first["args"]["length"]),
                         ("ftruncate", resize["fd"], resize["length"]), first)

    def test_only_enoent_opens_under_dev_shm_recorded(self):
        """Opens are recorded only once an object was unlinked by a
        process that neither made nor mapped it, and then only when one
        fails with ENOENT on an absolute path under /dev/shm/ (shm_open of
        a name that is gone), with the caller's mount namespace; a path
        longer than the record holds is cut and says so.  ENOENT elsewhere
        or on a relative path, and other errors under /dev/shm/, are not
        recorded."""
        tag = "shmwatch-test-open-%d" % os.getpid()
        here, made = "/dev/shm/%s-here" % tag, "/dev/shm/%s-made" % tag
        with open(here, "w"):
            pass
        gone, long = "/dev/shm/%s-gone" % tag, "/dev/shm/%s-%s" % (tag, "l" * 80)
        script = "\n".join([
            "import os, time",
            "def tryopen(path, flags=os.O_RDWR):",
            "    try: os.close(os.open(path, flags))",
            "    except OSError as e: print(path, e.errno)",
            "tryopen(%r + '-before')" % gone,
            # Made and sized here, unlinked by a child that never mapped it.
            "fd = os.open(%r, os.O_RDWR | os.O_CREAT | os.O_EXCL)" % made,
            "os.ftruncate(fd, 4096)",
            "pid = os.fork()",
            "if pid == 0: os.unlink(%r); os._exit(0)" % made,
            "os.waitpid(pid, 0)",
            "time.sleep(0.5)",
            "tryopen(%r)" % gone,
            "tryopen(%r)" % long,
            "tryopen('/dev/shmwatch-test-gone')",
            "tryopen('/tmp/%s-gone')" % tag,
            "tryopen(%r, os.O_RDWR | os.O_CREAT | os.O_EXCL)" % here,
            "os.chdir('/dev/shm')",
            "tryopen('%s-rel')" % tag,
        ])
        log = self.path("log.json")
        with Tracer(["-q", "--", "/usr/bin/python3", "-c", script], log) as t:
            rc = t.proc.wait(60)
            t.stop()
        self.assertEqual(rc, 0, t.stderr())
        opens = events(self.track(read_log(log)), "openat")
        self.assertEqual([(e["args"]["path"], e["errno"], e.get("name_truncated", False))
                          for e in opens],
                         [(gone, "ENOENT", False), (long[:63], "ENOENT", True)])
        mnt_ns = os.stat("/proc/self/ns/mnt").st_ino
        for e in opens:
            self.assertEqual(e["mnt_ns"], mnt_ns)
            self.assertEqual(e["args"]["flags"]["names"], ["O_RDWR", "O_CLOEXEC"])
            self.assertNotIn("object", e)

    def test_shm_open_create_announced_by_first_ftruncate(self):
        """The shm_open(O_CREAT|O_EXCL) object is announced by the first
        ftruncate (128 KiB) through the fd that created it: created true,
        /dev/shm/NAME, fstat's inode, the size after the call and a stack.
        The fallocate of 256 KiB after it has created false and the plain
        name; the object's records are those two and its unlink."""
        manifest, evs, _ = self.run_workload()
        create = self.step(manifest, "shm_create", "openat")[0]
        self.assertEqual(history(evs, create),
                         [("ftruncate", True), ("fallocate", False), ("unlink", False)])

        m = self.step(manifest, "shm_resize", "ftruncate")[0]
        self.assertEqual(m["fd"], create["ret"])
        self.assertEqual(m["size"], 128 << 10)
        e = self.one(self.evs_of(evs, create, "ftruncate"), "ftruncate",
                     fd=m["fd"], length=m["length"])
        self.assertEqual(e["ret"], m["ret"])
        self.assertIsNone(e["errno"])
        self.check_object(e["object"], dict(m, fs_size=create["fs_size"]),
                          "shmem_file", create["path"], True)
        self.assertTrue(e.get("stack"), "the announcing ftruncate has a stack")

        m = self.step(manifest, "shm_resize", "fallocate")[0]
        self.assertEqual(m["size"], 256 << 10)
        e = self.one(self.evs_of(evs, create, "fallocate"), "fallocate",
                     fd=m["fd"], len=m["length"])
        self.assertEqual(e["args"]["offset"], 0)
        self.assertEqual(e["args"]["mode"]["value"], 0)
        self.assertEqual(e["ret"], m["ret"])
        self.check_object(e["object"], dict(m, fs_size=create["fs_size"]),
                          "shmem_file", os.path.basename(create["path"]), False)

    def test_memfd_object_is_what_mmap_maps(self):
        """memfd_create's object has fstat's inode; the ftruncate and the
        MAP_SHARED mmap of that fd name the same (ino, dev), and neither
        announces a creation again."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "memfd", "memfd_create")[0]
        e = self.one(events(evs, "memfd_create"), "memfd_create", name=m["name"])
        self.assertEqual(e["ret"], m["ret"])
        self.assertEqual(e["args"]["flags"]["value"], m["flags"])
        self.check_object(e["object"], dict(m, size=0, fs_size=0), "memfd", m["name"], True)
        obj = e["object"]
        self.assertEqual(history(evs, m),
                         [("memfd_create", True), ("ftruncate", False), ("mmap", False)])

        t = self.step(manifest, "memfd", "ftruncate")[0]
        e = self.one(events(evs, "ftruncate"), "memfd ftruncate", fd=t["fd"], length=t["length"])
        self.check_object(e["object"], t, "memfd", "memfd:" + m["name"], False)

        mm = self.step(manifest, "memfd", "mmap")[0]
        e = self.one(events(evs, "mmap"), "memfd mmap", ret=mm["ret"], fd=mm["fd"])
        self.assertEqual(e["map"]["backing"], "memfd")
        self.assertEqual((e["map"]["ino"], e["map"]["dev"]), (obj["ino"], obj["dev"]))
        self.assertEqual(e["map"]["object_size"], t["size"])
        self.assertEqual(e["map"]["size"], mm["length"])
        self.assertIs(e["map"]["created"], False)
        self.assertEqual(e["map"]["name"], "memfd:" + m["name"])

    def test_tmpfs_relative_create_and_unlinkat(self):
        """openat(dirfd on a tmpfs, "rel", O_CREAT) is not recorded; the
        first ftruncate through it announces the file with the tmpfs
        directory's path + "/rel"; a fallocate beyond the mount fails and
        is recorded, created false; unlinkat(dirfd, "rel") is recorded
        after them, naming the file (fstat's inode) as "rel"."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "tmpfs", "openat")[0]
        self.assertEqual(m["path"], "rel")
        self.assertTrue(m["flags"] & O_CREAT)
        self.assertEqual(m["fs_size"], 1 << 20)
        abspath = m["dir"] + "/rel"
        self.assertEqual(history(evs, m),
                         [("ftruncate", True), ("fallocate", False), ("unlinkat", False)])

        t = self.step(manifest, "tmpfs", "ftruncate")[0]
        self.assertEqual((t["fd"], t["size"]), (m["ret"], 64 << 10))
        e = self.one(self.evs_of(evs, m, "ftruncate"), "ftruncate rel",
                     fd=t["fd"], length=t["length"])
        self.assertEqual(e["ret"], 0)
        self.check_object(e["object"], dict(t, fs_size=m["fs_size"]), "shmem_file", abspath, True)
        self.assertTrue(e.get("stack"), "the announcing ftruncate has a stack")
        announced = e["seq"]

        f = self.step(manifest, "tmpfs", "fallocate")[0]
        e = self.one(self.evs_of(evs, m, "fallocate"), "fallocate past the mount",
                     fd=f["fd"], len=f["length"])
        self.assertEqual(e["ret"], f["ret"])
        self.assertEqual(e["errno"], "ENOSPC")
        self.check_object(e["object"], dict(f, fs_size=m["fs_size"]), "shmem_file", "rel", False)

        u = self.step(manifest, "tmpfs", "unlinkat")[0]
        self.assertEqual(ident(u), ident(m))
        e = self.one(events(evs, "unlinkat"), "unlinkat rel", dfd=u["dfd"], path="rel")
        self.assertEqual(e["args"]["flags"]["value"], u["flags"])
        self.check_unlinked(e, m, "rel")
        self.assertGreater(e["seq"], announced)

    def test_tmpfs_mmap_announces_creation(self):
        """A tmpfs file sized through a second, plain open of it is not
        announced by that ftruncate (created false, plain name); the first
        MAP_SHARED mmap through the fd that created it is (map.created
        true, the absolute path), the second is not; unlink by the
        absolute path names it."""
        manifest, evs, _ = self.run_workload()
        creating, plain = self.step(manifest, "tmpfs_map", "openat")
        self.assertTrue(creating["flags"] & O_CREAT)
        self.assertEqual(plain["flags"] & (O_CREAT | O_TRUNC), 0)
        self.assertEqual(ident(plain), ident(creating))
        path = creating["path"]
        tmpfs_dir = self.step(manifest, "tmpfs", "openat")[0]
        self.assertEqual(path, tmpfs_dir["dir"] + "/mapped")
        self.assertEqual(history(evs, creating),
                         [("ftruncate", False), ("mmap", True), ("mmap", False),
                          ("unlink", False)])

        t = self.step(manifest, "tmpfs_map", "ftruncate")[0]
        self.assertEqual(t["fd"], plain["ret"])
        e = self.one(self.evs_of(evs, creating, "ftruncate"), "ftruncate through the plain fd",
                     fd=t["fd"], length=t["length"])
        self.assertEqual(e["ret"], 0)
        self.check_object(e["object"], dict(t, fs_size=tmpfs_dir["fs_size"]), "shmem_file",
                          "mapped", False)

        maps = self.step(manifest, "tmpfs_map", "mmap")
        self.assertEqual(len(maps), 2)
        got = self.evs_of(evs, creating, "mmap")
        self.assertEqual([e["ret"] for e in got], [mm["ret"] for mm in maps])
        for e, mm, created, name in zip(got, maps, (True, False), (path, "mapped")):
            self.assertEqual(mm["fd"], creating["ret"])
            self.assertEqual(e["args"]["fd"], mm["fd"])
            self.assertEqual(e["args"]["flags"]["value"] & 0x3, 0x1, e)  # MAP_SHARED
            mp = e["map"]
            self.assertEqual(mp["backing"], "shmem_file", mp)
            self.assertEqual(ident(mp), ident(creating), mp)
            self.assertEqual(mp["size"], mm["length"], mp)
            self.assertEqual(mp["object_size"], mm["size"], mp)
            self.assertEqual(mp["shmid"], -1, mp)
            self.assertIs(mp["created"], created, mp)
            self.assertEqual(mp["name"], name, mp)
        self.assertTrue(got[0].get("stack"), "the announcing mmap has a stack")

        u = self.step(manifest, "tmpfs_map", "unlink")[0]
        self.assertEqual(u["path"], path)
        e = self.one(events(evs, "unlink"), "unlink mapped", path=path)
        self.check_unlinked(e, creating, path)

    def test_tmpfs_unlink_relative_to_cwd(self):
        """A tmpfs file announced by its ftruncate, then unlinked by its
        bare name from the tmpfs directory as the cwd: the unlink joins
        the cwd's path to the name and names the object (fstat's inode)."""
        manifest, evs, _ = self.run_workload()
        m = self.step(manifest, "tmpfs_cwd", "openat")[0]
        tmpfs_dir = self.step(manifest, "tmpfs", "openat")[0]
        self.assertEqual(m["dfd"], tmpfs_dir["dfd"])
        self.assertEqual(history(evs, m), [("ftruncate", True), ("unlink", False)])

        t = self.step(manifest, "tmpfs_cwd", "ftruncate")[0]
        e = self.one(self.evs_of(evs, m, "ftruncate"), "ftruncate cwdrel",
                     fd=t["fd"], length=t["length"])
        self.check_object(e["object"], dict(t, fs_size=tmpfs_dir["fs_size"]), "shmem_file",
                          tmpfs_dir["dir"] + "/cwdrel", True)

        u = self.step(manifest, "tmpfs_cwd", "unlink")[0]
        self.assertEqual((u["path"], ident(u)), ("cwdrel", ident(m)))
        e = self.one(events(evs, "unlink"), "unlink from the cwd", path="cwdrel")
        self.check_unlinked(e, m, "cwdrel")
        self.assertFalse([e for e in events(evs, "unlinkat") if e["args"]["path"] == "cwdrel"])

    def test_shm_unlink(self):
        """shm_unlink is glibc's unlink of /dev/shm/NAME: recorded once,
        naming the object its ftruncate announced."""
        manifest, evs, _ = self.run_workload()
        create = self.step(manifest, "shm_create", "openat")[0]
        m = self.step(manifest, "shm_unlink", "unlink")[0]
        self.assertEqual((m["path"], ident(m)), (create["path"], ident(create)))
        e = self.one(events(evs, "unlink"), "shm_unlink", path=m["path"])
        self.assertEqual(e["ret"], m["ret"])
        self.check_unlinked(e, create, m["path"])
        self.assertFalse(os.path.exists(m["path"]))

    def test_shm_unlink_of_unannounced_object_failed_and_rmdir(self):
        """Under /dev/shm: the unlink of an object never sized or mapped
        (never announced) is recorded by its path, without an object; a
        failed unlink is not recorded, nor is unlinkat(AT_REMOVEDIR) of a
        directory there."""
        manifest, evs, _ = self.run_workload()
        done, failed = self.step(manifest, "shm_other", "unlink")
        path = done["path"]
        self.assertTrue(path.startswith("/dev/shm/shmwatch-test-una-"), path)
        self.assertEqual(done["ret"], 0)
        self.assertEqual((failed["path"], failed["ret"], failed["recorded"]), (path, -2, False))
        got = [e for e in events(evs, "unlink") + events(evs, "unlinkat")
               if e["args"]["path"] == path]
        self.assertEqual(len(got), 1, got)
        e = got[0]
        self.assertEqual((e["call"], e["ret"], e["errno"]), ("unlink", 0, None))
        self.assertNotIn("object", e)
        self.assertEqual(touching(evs, done), [])
        self.assertFalse(os.path.exists(path))

        rmdir = self.step(manifest, "shm_other", "unlinkat")[0]
        self.assertTrue(rmdir["path"].startswith("/dev/shm/shmwatch-test-dir-"), rmdir)
        self.assertEqual((rmdir["ret"], rmdir["flags"], rmdir["recorded"]),
                         (0, 0x200, False))  # AT_REMOVEDIR
        self.assertFalse([e for e in events(evs, "unlinkat") + events(evs, "unlink")
                          if e["args"]["path"] == rmdir["path"]])
        self.assertFalse(os.path.exists(rmdir["path"]))

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
        """Of the calls that may be recorded, the log holds exactly the
        manifest's recorded ones (glibc makes none of its own here), none
        lost, and nothing else of the workload; each object's creation is
        announced exactly once; the run left no shm object, directory,
        mount point or mount behind."""
        manifest, evs, records = self.run_workload()
        for call in FILE_CALLS:
            want = sorted(MANIFEST_KEY[call](m) for m in manifest
                          if m["call"] == call and m["recorded"])
            self.assertTrue(want, call)
            got = sorted(EVENT_KEY[call](e) for e in events(evs, call))
            self.assertEqual(got, want, call)
        self.assertEqual([e for e in evs if e["call"] not in FILE_CALLS + OTHER_CALLS], [])

        created = sorted(ident(o) for e in evs for o in described(e) if o.get("created"))
        announced = [self.step(manifest, "shm_create", "openat")[0],
                     self.step(manifest, "memfd", "memfd_create")[0],
                     self.step(manifest, "tmpfs", "openat")[0],
                     self.step(manifest, "tmpfs_map", "openat")[0],
                     self.step(manifest, "tmpfs_cwd", "openat")[0],
                     self.step(manifest, "sigbus", "memfd_create")[0]]
        self.assertEqual(created, sorted(ident(m) for m in announced))

        final = records[-1]
        self.assertEqual(final["type"], "stats")
        self.assertEqual(final["lost"], 0)
        exits = events(evs, "exit")
        self.assertEqual([e["args"]["exit_code"] for e in exits], [0])
        self.assertFalse(os.path.exists(self.step(manifest, "shm_create", "openat")[0]["path"]))
        self.assertFalse(os.path.exists(self.step(manifest, "shm_other", "openat")[0]["path"]))
        self.assertFalse(os.path.exists(self.step(manifest, "shm_other", "unlinkat")[0]["path"]))
        tmpfs_dir = self.step(manifest, "tmpfs", "openat")[0]["dir"]
        self.assertFalse(os.path.exists(tmpfs_dir))
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(tmpfs_dir, f.read())
