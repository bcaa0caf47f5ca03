/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.h - the record contract between bpf/shmwatch.bpf.c and user/.
 *
 * The kernel side fills one struct sw_event per completed call or process
 * lifecycle step and hands it over through the ring buffer.  Everything in
 * user/ (capture, outputs, the log reader, the analyzer) speaks this struct;
 * a saved NDJSON log is parsed back into it, so live tracing and offline
 * analysis feed the analyzer the same thing.
 *
 * The file is included by BPF C (with vmlinux.h, which defines the __u32
 * family) and by userspace C (with <linux/types.h>).  Keep it free of
 * anything either side lacks.
 */
#ifndef SHMWATCH_EVENTS_H
#define SHMWATCH_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SW_COMM_LEN 16
#define SW_NAME_LEN 64
#define SW_MAX_FRAMES 32
#define SW_TOP_HOLDERS 4
/* Private mappings are recorded (and judged oversized) from this size,
 * or from --max-size when that is larger. */
#define SW_PRIVATE_RECORD_MIN (256ULL << 20)

/* Record type tag: the first field of every record. */
enum sw_kind {
	SW_EV_CALL = 1, /* a completed system call, see enum sw_call */
	SW_EV_FORK,	/* a new process (not a thread) was forked */
	SW_EV_EXEC,	/* the process replaced its image */
	SW_EV_EXIT,	/* the last thread of a process exited */
	SW_EV_SIGNAL,	/* SIGSEGV or SIGBUS generated for a process */
	SW_EV_KIND_MAX,
	/* Not an event: no seq, not counted, never logged. */
	SW_REC_MAPPING = 64, /* a mapping of a first stack, sw_mapping_info */
	SW_REC_CGROUP,	     /* a cgroup made while --container traces */
};

/* Which call an SW_EV_CALL record describes. */
enum sw_call {
	SW_CALL_NONE = 0,
	SW_SHMGET,
	SW_SHMAT,
	SW_SHMDT,
	SW_SHMCTL,
	SW_MMAP,
	SW_MUNMAP,
	SW_MREMAP,
	SW_MEMFD_CREATE,
	/* Files on a tmpfs or hugetlbfs (POSIX shm objects, memfds): */
	SW_UNLINK,    /* recorded when the path is an announced object's */
	SW_UNLINKAT,  /*   (see created below) or lies under /dev/shm/ */
	SW_FTRUNCATE, /* recorded when the fd is such a file */
	SW_FALLOCATE,
	SW_MADVISE,   /* recorded for SW_MADV_DONTFORK and SW_MADV_DOFORK */
	SW_WRITE,     /* recorded only when it fails with ENOSPC on a file */
	SW_PWRITE64,  /*   of a memory filesystem */
	SW_OPENAT,    /* recorded only when it fails with ENOENT on an
			 absolute path under /dev/shm/ (shm_open of a name
			 that is gone), once an object was unlinked under
			 its users (capture__record_opens) */
	SW_CALL_MAX,
};

/* The madvise advice that decides whether fork copies a mapping into the
 * child (VM_DONTCOPY); the only advice recorded. */
#define SW_MADV_DONTFORK 10
#define SW_MADV_DOFORK 11

/*
 * What backs a mapping, classified in the kernel from the VMA (or, for a
 * failed mmap, from the requested flags).
 */
enum sw_backing {
	SW_BK_NONE = 0,	    /* no mapping (failed call, or not a mapping call) */
	SW_BK_ANON_PRIVATE, /* MAP_PRIVATE|MAP_ANONYMOUS */
	SW_BK_ANON_SHARED,  /* MAP_SHARED|MAP_ANONYMOUS (shmem "dev/zero") */
	SW_BK_SYSV,	    /* a SysV segment (shmat, or mmap of its file) */
	SW_BK_MEMFD,	    /* a memfd_create object */
	SW_BK_SHMEM_FILE,   /* a file on a tmpfs mount, e.g. POSIX shm in /dev/shm */
	SW_BK_HUGETLB,	    /* hugetlbfs file or MAP_HUGETLB */
	SW_BK_FILE_SHARED,  /* MAP_SHARED of a file on another filesystem */
	SW_BK_FILE_PRIVATE, /* MAP_PRIVATE of a file */
	SW_BK_MAX,
};

/*
 * SW_EV_CALL.  args[] holds the syscall arguments in the kernel's order:
 *   shmget(key, size, shmflg)
 *   shmat(shmid, shmaddr, shmflg)
 *   shmdt(shmaddr)
 *   shmctl(shmid, cmd, buf)
 *   mmap(addr, length, prot, flags, fd, offset)
 *   munmap(addr, length)
 *   mremap(old_address, old_size, new_size, flags, new_address)
 *   memfd_create(name, flags)         name is copied into name[]
 *   unlink(path), unlinkat(dfd, path, flags)   path is copied into name[]
 *   ftruncate(fd, length)
 *   fallocate(fd, mode, offset, len)
 *   madvise(addr, length, advice)
 *   write(fd, buf, count), pwrite64(fd, buf, count, pos)
 *   openat(dfd, path, flags)           path is copied into name[]; the
 *                                      mode is not kept
 * ret is the kernel's return value: -errno on failure (-4095..-1),
 * otherwise an id, an fd or a user address.
 *
 * For memfd_create, ftruncate, fallocate, write and pwrite64 the object
 * fields describe
 * the file the fd names after the call: ino, dev, its size in seg_size,
 * its backing, and the usage of the mount it lives on; an unlink that
 * removed an announced object carries its ino and dev.
 *
 * created: memfd_create; or the first ftruncate, fallocate or shared mmap
 * of a tmpfs file through the open file that created it (FMODE_CREATED):
 * the object is announced once, and name[] is then its absolute path,
 * built from its dentries and mounts.  (Successful opens are never
 * recorded: every process opens files all the time.)
 */
struct sw_call_info {
	__s64 ret;
	__u64 args[6];
	__s32 shmid;	/* shmat: the id attached (-1 when unknown) */
	__u16 backing;	/* enum sw_backing */
	__u8 created;	/* this record announces the object's creation */
	/* name[] is not the whole path: it was cut at SW_NAME_LEN - 1 bytes
	 * or deeper than the kernel side climbs; such a path matches none. */
	__u8 name_cut;
	/* A call that describes no object ends here in the ring buffer
	 * (SW_EVENT_CALL_SIZE); readers zero the rest. */
	/* The sizes below are read from the VMA; 0 means unknown: the lookup
	 * only try-locks the mm and fails while another thread of the
	 * process is mapping (backing then comes from the request). */
	__u64 map_size; /* shmat/mmap/mremap: bytes of the resulting VMA */
	__u64 seg_size; /* shmat: the segment's size (shm_segsz); mmap of a
			   shmem object: the object's size at map time */
	__u64 ino;	/* inode of the backing object, 0 for none */
	__u32 dev;	/* the object's filesystem (kernel dev_t), 0: unknown */
	/* unlink, unlinkat, openat: the caller's mount namespace (the inode
	 * number ls -l /proc/PID/ns/mnt shows), since a path names a file
	 * only within one; 0 for other calls.  (In the room the 8-bit
	 * created and name_cut leave, so that no record grows.) */
	__u32 mnt_ns;
	/* The object's tmpfs after the call: bytes in use and the size
	 * limit (0: no limit, as on the internal mount of memfds). */
	__u64 fs_used;
	__u64 fs_size;
	char name[SW_NAME_LEN]; /* backing file name, memfd name or path */
	/* Bytes the kernel has allocated to the file (i_blocks): a sparse
	 * object sized by ftruncate and never written has none.  0 also in
	 * records from before it was carried. */
	__u64 obj_alloc;
	/* Which tmpfs has dev: the kernel gives a gone mount's dev number to
	 * the next one (a container's /dev/shm, mounted at each start), and
	 * its files' inode numbers start again.  The random generation of
	 * the mount's root inode; 0: not a tmpfs, or not known (old logs). */
	__u32 fs_gen;
	__u32 pad;
};

struct sw_fork_info {
	__u32 child_pid;
	__u32 shares_vm; /* CLONE_VM without CLONE_THREAD (vfork, posix_spawn) */
};

/* Bytes of an exec's arguments kept: with filename[], as much room as
 * the call record takes, so that no record grows. */
#define SW_ARGV_LEN 116

struct sw_exec_info {
	char filename[SW_NAME_LEN];
	__u16 argv_len; /* bytes of argv[] used */
	__u16 argv_cut; /* the arguments went on past argv[] */
	/* The new image's arguments, argv[0] first, each ended by a NUL
	 * (the last one cut short has none when argv_cut). */
	char argv[SW_ARGV_LEN];
};

struct sw_exit_info {
	__s32 exit_code; /* as wait(2) reports it: status << 8 | signal */
	__u32 pad;
};

/* A file of a memory filesystem and the bytes it has allocated. */
struct sw_holder {
	__u64 ino;
	__u64 bytes;
};

/*
 * A call that a memory filesystem refused for want of space (ENOSPC,
 * ftruncate to write64): the mount's files holding the most memory at
 * that moment, biggest first (ino 0: no more), and how many names each
 * had (0: deleted but still open or mapped, which ls does not show).
 */
struct sw_space_info {
	struct sw_holder top[SW_TOP_HOLDERS];
	__u32 nlink[SW_TOP_HOLDERS];
};

struct sw_signal_info {
	__s32 signo; /* SIGSEGV or SIGBUS */
	__s32 code;  /* si_code: SEGV_MAPERR, BUS_ADRERR, ... */
	__u64 addr;  /* the faulting address from the siginfo */
	/* SIGBUS: the mapping at addr, read when the signal is generated
	 * (backing SW_BK_NONE when there is none or it could not be read). */
	__u64 map_start;
	__u64 offset;	/* of addr in the mapped object */
	__u64 obj_size; /* the object's size at that moment */
	__u64 ino;
	__u64 fs_used;	/* its tmpfs: bytes in use and limit (0: none) */
	__u64 fs_size;
	__u32 dev;
	__u32 backing;	/* enum sw_backing */
	char name[SW_NAME_LEN];
	/* A tmpfs mapping: the mount's files holding the most memory at
	 * that moment, biggest first (ino 0: no more). */
	struct sw_holder top[SW_TOP_HOLDERS];
};

/*
 * SW_REC_MAPPING.  Ahead of the first stack of each process image the
 * kernel describes each file's executable mapping that the stack's frames
 * lie in, so that the stack still resolves when the process is gone
 * before userspace reads /proc/PID/maps.  Only the symbolizer reads it.
 */
struct sw_mapping_info {
	__u64 start;
	__u64 end;
	__u64 offset; /* in the file, of start */
	__u64 ino;
	__u32 dev; /* the file's filesystem (kernel dev_t) */
	__u32 pad;
	/* As the process's mount namespace names it, cut at SW_NAME_LEN - 1
	 * bytes or 8 components (a cut path names another inode, or none). */
	char path[SW_NAME_LEN];
};

/*
 * SW_REC_CGROUP.  Only with --container: a cgroup v2 directory was made
 * while tracing.  Its processes are recorded from then on, until
 * userspace has told from its path whether it is the selected
 * container's (a container that restarts comes back in a new cgroup);
 * the path itself is in cgroup_path.  Not an event: never logged.
 */
struct sw_cgroup_info {
	__u64 id;	/* the new cgroup's (its directory's inode number) */
	__u32 path_len; /* of cgroup_path; SW_CGROUP_PATH_LEN - 1: maybe cut */
	__u32 pad;
};

#define SW_CGROUP_PATH_LEN (SW_MAX_FRAMES * 8)

struct sw_event {
	__u32 kind; /* enum sw_kind */
	__u32 call; /* enum sw_call for SW_EV_CALL, else SW_CALL_NONE */
	__u64 ts_ns; /* CLOCK_MONOTONIC, from the kernel */
	__u64 cgroup_id;
	__u32 pid;  /* tgid */
	__u32 tid;
	__u32 ppid; /* tgid of the real parent */
	__u32 uid;
	__u32 ns_pid; /* tgid in the process's own PID namespace when that is
			 not the initial one (a container), else 0 */
	/* How many records the kernel had lost, on all CPUs, when this one
	 * was reserved (modulo 2^32): a change from one record to the next
	 * is a gap just before this one (lost_before). */
	__u32 lost_mark;
	char comm[SW_COMM_LEN];
	/* The user stack (see stack[] below) is described here, ahead of
	 * the union, so that a record can end anywhere after it. */
	__u16 n_frames;
	__u16 stack_flags; /* SW_STACK_* */
	/* The process's IPC namespace (the inode number ls -l /proc/PID/ns/ipc
	 * shows) when that is not the initial one, else 0: a SysV id means
	 * something only inside the namespace it was made in.  (In the room
	 * the 16-bit stack fields leave, so that no record grows.) */
	__u32 ipc_ns;
	/* The word at the user stack pointer: the return address when the
	 * call was made from a leaf without a frame (a libc syscall wrapper),
	 * whose caller frame-pointer unwinding skips.  Userspace inserts it
	 * as the second frame when it points into code.  0: not read. */
	__u64 leaf_ret;
	/* The call site: a hash of the process, its address space, leaf_ret
	 * and the caller's own return address; 0 for none.  A syscall from
	 * a site whose stack the kernel already sent comes without a stack
	 * and with SW_STACK_SAME_SITE: userspace copies the first one. */
	__u64 stack_key;
	union {
		struct sw_call_info c;
		struct sw_fork_info fork;
		struct sw_exec_info exec;
		struct sw_exit_info exit;
		struct sw_signal_info sig;
		struct sw_mapping_info map;
		struct sw_cgroup_info cg;
	};
	/* Filled in userspace when the record is received or read back. */
	__u64 seq;
	__u64 stack_from; /* the stack is a copy of this record's (same site) */
	__u64 lost_before; /* records lost between the previous record and this */
	/*
	 * The user stack of the call, innermost first: for calls that create,
	 * attach or fail, and for faults.  Records without one end before
	 * it in the ring buffer; readers zero the rest.
	 */
	union {
		__u64 stack[SW_MAX_FRAMES];
		/* SW_REC_CGROUP: below the cgroup v2 root, NUL-terminated. */
		char cgroup_path[SW_CGROUP_PATH_LEN];
	};
	/* Only a call refused for want of space on a memory filesystem
	 * comes this far (SW_EVENT_SPACE_SIZE); every other record ends
	 * before it. */
	struct sw_space_info space;
};

/* stack_flags */
#define SW_STACK_SAME_SITE 0x1 /* stack elided: the one sent for stack_key */
#define SW_STACK_FIRST	   0x2 /* a process image's first: its mappings came first */

/*
 * How long a record is in the ring buffer.  The kernel writes as little
 * as it can: every cache line of a record costs on the traced call's
 * path.  A call that describes no object (shmget, shmdt, shmctl, munmap)
 * ends after its arguments; any other record without a stack ends
 * before seq; a record with a stack ends after it; only a call refused
 * for want of space is the whole struct.
 */
#define SW_EVENT_CALL_SIZE __builtin_offsetof(struct sw_event, c.map_size)
#define SW_EVENT_BASE_SIZE __builtin_offsetof(struct sw_event, seq)
_Static_assert(sizeof(struct sw_call_info) <= sizeof(struct sw_signal_info),
	       "a call's object fields must not grow the record");
#define SW_EVENT_STACK_SIZE __builtin_offsetof(struct sw_event, space)
#define SW_EVENT_SPACE_SIZE sizeof(struct sw_event)
#define SW_EVENT_CGROUP_SIZE SW_EVENT_STACK_SIZE
#define SW_EVENT_MAPPING_SIZE \
	(__builtin_offsetof(struct sw_event, map) + sizeof(struct sw_mapping_info))

/* Index of the per-CPU loss counters: one slot per call, then lifecycle. */
#define SW_LOST_SLOT(kind, call) \
	((kind) == SW_EV_CALL ? (call) : SW_CALL_MAX + (kind))
#define SW_LOST_SLOTS (SW_CALL_MAX + SW_EV_KIND_MAX)

#endif /* SHMWATCH_EVENTS_H */
