// SPDX-License-Identifier: GPL-2.0
/*
 * shmwatch.bpf.c - kernel side of shmwatch.
 *
 * One program per syscall exit tracepoint (shmget, shmat, shmdt, shmctl,
 * mmap, munmap, mremap, madvise, memfd_create, and the calls on tmpfs
 * files below).  Arguments are read back from the
 * task's saved user registers at exit, so no enter program and no per-thread
 * stash map are needed: a syscall pays only for the exit program of its own
 * tracepoint, and unrelated syscalls pay only the kernel's tracepoint slow
 * path.  Process lifecycle (fork, exec, exit) and SIGSEGV/SIGBUS come from
 * BTF tracepoints, which cost nothing on the syscall path.
 *
 * This file is the list of hooks and what each records; the pieces they
 * share have headers of their own: filter.bpf.h (which processes are
 * traced), vfs.bpf.h (files, paths, tmpfs usage), ring.bpf.h (the ring
 * buffer and the loss counts), stack.bpf.h (user stacks and the mappings
 * they need), record.bpf.h (start_record, start_call, submit).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "kabi.h"
#include "defaults.h"
#include "lib/hash.h"

#include "filter.bpf.h"
#include "vfs.bpf.h"
#include "ring.bpf.h"
#include "stack.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Tuning of the mmap hooks, written by the loader before load. */
const volatile bool all_mmaps = false;
/* Private mappings are recorded from this size (SW_PRIVATE_RECORD_MIN or
 * --max-size, the larger). */
const volatile __u64 max_size = SW_DEFAULT_MAX_SIZE;

static __always_inline bool is_err(long ret)
{
	return ret < 0 && ret >= -K_MAX_ERRNO;
}

/* The syscall's arguments, from the user registers saved at entry (x86-64
 * syscall convention; nothing touches them before the exit tracepoint). */
static __always_inline void read_args(__u64 args[6])
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

static __always_inline void copy_vma_info(struct sw_event *e, struct vma_info *vi)
{
	e->c.map_size = vi->size;
	e->c.seg_size = vi->obj_size;
	e->c.obj_alloc = vi->obj_alloc;
	e->c.ino = vi->ino;
	e->c.dev = vi->dev;
	e->c.fs_gen = vi->fs_gen;
	e->c.fs_used = vi->fs_used;
	e->c.fs_size = vi->fs_size;
	e->c.backing = vi->backing;
	e->c.shmid = vi->shmid;
	e->c.created = vi->created;
	e->c.name_cut = vi->name_cut;
	e->c.mnt_ns = vi->mnt_ns;
	copy_vma_name(e->c.name);
}

/*
 * A file of a mounted tmpfs (POSIX shm) is announced as created once,
 * when a traced process first sizes or maps it through the open file
 * that created it (FMODE_CREATED): creation is seen without a program on
 * openat, which every process on the host calls all the time.  Its path
 * is built from the dentries and mounts, so that an unlink of that path,
 * by anyone, is recognised at unlink's exit, where the file is gone from
 * its directory and cannot be asked.  (POSIX shm_unlink always says
 * /dev/shm/NAME: matched by prefix too, and by path in userspace when the
 * kernel knows no object.)
 */
/* A dev number is given again to the next tmpfs mounted after one is
 * gone (a container's /dev/shm), and its first file has the same inode
 * number: the instance's fs_gen tells them apart. */
struct obj_key {
	__u64 ino;
	__u32 dev;
	__u32 fs_gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct obj_key);
	__type(value, __u8);
} objs_announced SEC(".maps");

/* Objects in shm_paths, or more: an entry the LRU map drops is not
 * subtracted, so 0 is sure to mean none. */
__u64 announced_objs = 0;

/*
 * The object announced last under a path, and its inode.  The same path
 * names another file in another view of the mounts (a container's own
 * /dev/shm, a service's private /dev), so an unlink of the path is of
 * this object only if it took the object's last link: its inode, still
 * there at unlink's exit (freed after an RCU grace period at the
 * earliest), has no link left.
 */
struct shm_path {
	struct obj_key obj;
	__u64 inode; /* struct inode *, a number */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* FNV-1a of the path */
	__type(value, struct shm_path);
} shm_paths SEC(".maps");

/*
 * Announce a created tmpfs object: true the first time (then vi->name
 * becomes its path and the path is remembered for unlink, unless it is not
 * whole: a cut path would match another object's, so it matches none).
 */
static __always_inline bool announce_created(struct file *f, struct vma_info *vi)
{
	struct shm_path sp = { .obj = { .ino = vi->ino, .dev = vi->dev, .fs_gen = vi->fs_gen } };
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	__u8 one = 1;
	__u64 h;
	int ret;

	/* A file already unlinked (open, unlink, then ftruncate) has no
	 * name left to announce or to match an unlink against. */
	if (vi->backing != SW_BK_SHMEM_FILE || !(BPF_CORE_READ(f, f_mode) & K_FMODE_CREATED) ||
	    !BPF_CORE_READ(inode, i_nlink) || bpf_map_lookup_elem(&objs_announced, &sp.obj))
		return false;
	sp.inode = (__u64)inode;
	ret = path_of(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt),
		      vma_name_buf());
	if (ret < 0)
		return false;
	bpf_map_update_elem(&objs_announced, &sp.obj, &one, BPF_ANY);
	vi->mnt_ns = mnt_ns_current(); /* the view its path is in */
	if (ret == PATH_CUT) {
		vi->name_cut = 1;
		return true;
	}
	h = hash_path_buf(); /* path_buf still holds it */
	bpf_map_update_elem(&shm_paths, &h, &sp, BPF_ANY);
	__sync_fetch_and_add(&announced_objs, 1);
	return true;
}

/* Emit one SW_EV_CALL record; for calls that create a mapping, describe it. */
static __always_inline int emit_call(void *ctx, __u32 call, long ret, __u64 args[6],
				     struct vma_info *vi, bool want_stack)
{
	struct sw_event *e = start_call(ctx, call, ret, args, want_stack,
					vi ? SW_EVENT_BASE_SIZE : SW_EVENT_CALL_SIZE);

	if (!e)
		return 0;
	if (vi)
		copy_vma_info(e, vi);
	submit(e);
	return 0;
}

static __always_inline int simple_exit(void *ctx, long ret, __u32 call, bool want_stack)
{
	__u64 args[6];

	if (!traced_current())
		return 0;
	read_args(args);
	return emit_call(ctx, call, ret, args, NULL, want_stack);
}

/*
 * Stacks are taken where a finding may need them: calls that create or
 * attach, and calls that fail.  A user stack costs about half a
 * microsecond here (most of it on the first frame the unwinder cannot
 * follow), so a successful release does without.
 */
SEC("tracepoint/syscalls/sys_exit_shmget")
int sw_shmget(struct trace_event_raw_sys_exit *ctx)
{
	return simple_exit(ctx, ctx->ret, SW_SHMGET, true);
}

SEC("tracepoint/syscalls/sys_exit_shmdt")
int sw_shmdt(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;

	return simple_exit(ctx, ret, SW_SHMDT, is_err(ret));
}

SEC("tracepoint/syscalls/sys_exit_shmctl")
int sw_shmctl(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;

	return simple_exit(ctx, ret, SW_SHMCTL, is_err(ret));
}

/*
 * munmap is frequent (malloc, ld.so) and its exit no longer shows what was
 * unmapped.  A program at sys_enter_munmap could look, but any sys_enter
 * program makes every syscall on the host pay for the enter probe too.
 * So decide per process instead: once a process has made a recorded
 * mapping (shared, shmem, large, or SysV) since its exec, all its munmaps
 * are recorded; a process that never did is skipped.  Failures are always
 * recorded.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} mappers SEC(".maps");

static __always_inline void note_mapper(__u32 tgid)
{
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&mappers, &tgid))
		bpf_map_update_elem(&mappers, &tgid, &one, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_exit_munmap")
int sw_munmap(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	long ret = ctx->ret;

	if (!all_mmaps && !is_err(ret) && !bpf_map_lookup_elem(&mappers, &tgid))
		return 0;
	return simple_exit(ctx, ret, SW_MUNMAP, is_err(ret));
}

/*
 * A mapping marked MADV_DONTFORK is left out of the children a fork makes;
 * the analyzer needs that to give a child only what the kernel copied.
 * Any other advice leaves at the first test, and like munmap, only
 * processes that made a recorded mapping are asked about.
 */
SEC("tracepoint/syscalls/sys_exit_madvise")
int sw_madvise(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 advice = regs->dx;
	long ret = ctx->ret;

	if (advice != SW_MADV_DONTFORK && advice != SW_MADV_DOFORK)
		return 0;
	if (!all_mmaps && !is_err(ret) && !bpf_map_lookup_elem(&mappers, &tgid))
		return 0;
	return simple_exit(ctx, ret, SW_MADVISE, is_err(ret));
}

SEC("tracepoint/syscalls/sys_exit_shmat")
int sw_shmat(struct trace_event_raw_sys_exit *ctx)
{
	struct vma_info vi = { .shmid = -1, .backing = SW_BK_SYSV };
	long ret = ctx->ret;
	__u64 args[6];

	if (!traced_current())
		return 0;
	read_args(args);
	if (is_err(ret))
		return emit_call(ctx, SW_SHMAT, ret, args, NULL, true);
	/* bpf_find_vma only try-locks the mm: while another thread of the
	 * process maps or unmaps, it fails.  The id is then the argument
	 * (the call succeeded) and the sizes stay 0, meaning unknown. */
	if (bpf_find_vma(bpf_get_current_task_btf(), ret, read_shm_vma, &vi, 0))
		vi.shmid = (__s32)args[0];
	note_mapper(bpf_get_current_pid_tgid() >> 32);
	return emit_call(ctx, SW_SHMAT, ret, args, &vi, true);
}

/* Backing of a failed mmap, from what was asked for. */
static __always_inline __u32 requested_backing(__u64 flags)
{
	bool shared = flags & K_MAP_SHARED;

	if (flags & K_MAP_HUGETLB)
		return SW_BK_HUGETLB;
	if (flags & K_MAP_ANONYMOUS)
		return shared ? SW_BK_ANON_SHARED : SW_BK_ANON_PRIVATE;
	return shared ? SW_BK_FILE_SHARED : SW_BK_FILE_PRIVATE;
}

/* The in-kernel mmap filter: shared or shmem-backed mappings, failures,
 * and private mappings at or above the oversized threshold. */
static __always_inline bool mmap_wanted(long ret, __u64 len, __u32 backing)
{
	if (all_mmaps || is_err(ret) || len >= max_size)
		return true;
	return backing != SW_BK_ANON_PRIVATE && backing != SW_BK_FILE_PRIVATE;
}

static __always_inline int map_exit(void *ctx, long ret, __u32 call)
{
	struct vma_info vi = { .shmid = -1 };
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 args[6], len;
	bool replaces;

	if (!traced_current())
		return 0;
	read_args(args);
	len = call == SW_MREMAP ? args[2] : args[1];
	/* A fixed-address mmap or any mremap of a process that holds shared
	 * memory may land on an attachment or shared mapping and replace it:
	 * recorded whatever it maps (ld.so's fixed mappings come before a
	 * process maps anything shared). */
	replaces = (call == SW_MREMAP || (args[3] & K_MAP_FIXED)) &&
		   bpf_map_lookup_elem(&mappers, &tgid);
	/* Private mappings below the threshold are the bulk of all mmaps
	 * (ld.so, malloc); drop them before any lookup. */
	if (!all_mmaps && !replaces && !is_err(ret) && len < max_size && call == SW_MMAP &&
	    (args[3] & (K_MAP_SHARED | K_MAP_ANONYMOUS)) == K_MAP_ANONYMOUS)
		return 0;
	/* A failed call has no VMA; nor does a successful one whose mm was
	 * locked by another thread (see sw_shmat): fall back to the request. */
	if (is_err(ret) || bpf_find_vma(bpf_get_current_task_btf(), ret, read_vma, &vi, 0))
		vi.backing = call == SW_MMAP ? requested_backing(args[3]) : SW_BK_NONE;
	if (!replaces && !mmap_wanted(ret, len, vi.backing))
		return 0;
	if (!is_err(ret))
		note_mapper(tgid);
	if (vi.file_addr)
		vi.created = announce_created((struct file *)vi.file_addr, &vi);
	return emit_call(ctx, call, ret, args, &vi, true);
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int sw_mmap(struct trace_event_raw_sys_exit *ctx)
{
	return map_exit(ctx, ctx->ret, SW_MMAP);
}

SEC("tracepoint/syscalls/sys_exit_mremap")
int sw_mremap(struct trace_event_raw_sys_exit *ctx)
{
	return map_exit(ctx, ctx->ret, SW_MREMAP);
}

/* ---- shm objects: files on tmpfs and hugetlbfs, and memfds ---------- */

static __always_inline void fill_object(struct sw_event *e, __u32 call, __u64 args[6],
					struct vma_info *vi, bool created)
{
	copy_vma_info(e, vi);
	e->c.map_size = 0;
	e->c.created = created;
	if (call == SW_MEMFD_CREATE) /* its name as the caller gave it */
		bpf_probe_read_user_str(e->c.name, sizeof(e->c.name), (void *)args[0]);
}

/* Emit a record about the object behind fd after call.  A call that a
 * mount with a size limit refused for want of space also says who held
 * the space then (the walk is bounded, and such a failure is rare).  Two
 * paths, each reserving its size, rather than one that tests the refusal
 * twice: 6.1's verifier lost which size the record had been reserved
 * with. */
static __always_inline int emit_object(void *ctx, __u32 call, long ret, __u64 args[6],
				       struct file *f, bool want_stack)
{
	struct vma_info vi = { .shmid = -1 };
	struct sw_event *e;
	bool created;

	read_file(f, true, &vi);
	created = call == SW_MEMFD_CREATE || announce_created(f, &vi);
	if (ret == -K_ENOSPC && vi.fs_size) {
		e = start_call(ctx, call, ret, args, want_stack, SW_EVENT_SPACE_SIZE);
		if (!e)
			return 0;
		top_holders(BPF_CORE_READ(f, f_inode, i_sb), e->space.top, e->space.nlink);
		fill_object(e, call, args, &vi, created);
		submit(e);
		return 0;
	}
	e = start_call(ctx, call, ret, args, want_stack, SW_EVENT_BASE_SIZE);
	if (!e)
		return 0;
	fill_object(e, call, args, &vi, created);
	submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int sw_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;
	struct file *f = NULL;
	__u64 args[6];

	if (!traced_current())
		return 0;
	read_args(args);
	if (!is_err(ret))
		f = file_of_fd(ret);
	if (!f) { /* failed: no object, only the name asked for */
		struct vma_info vi = { .shmid = -1, .backing = SW_BK_MEMFD };

		char *name = vma_name_buf();

		if (name)
			bpf_probe_read_user_str(name, SW_NAME_LEN, (void *)args[0]);
		return emit_call(ctx, SW_MEMFD_CREATE, ret, args, &vi, true);
	}
	return emit_object(ctx, SW_MEMFD_CREATE, ret, args, f, true);
}

/* Did the unlink just made take sp's object's last link (see shm_path)? */
static __always_inline bool took_last_link(const struct shm_path *sp)
{
	struct inode *inode = (struct inode *)sp->inode; /* a local: see top_step */

	return BPF_CORE_READ(inode, i_ino) == sp->obj.ino && !BPF_CORE_READ(inode, i_nlink);
}

/*
 * A successful unlink of an announced object's path, or of one under
 * /dev/shm/.  A relative path is joined to its directory's path first
 * (hashing the two in turn).  Paths are compared as spelled, cut at
 * SW_NAME_LEN - 1 bytes: "./x" or "a//x" do not match "a/x".
 *
 * Most unlinks on a host are of ordinary files, and two checks let them
 * go before any hashing: a bare name in a directory that is not on a
 * memory filesystem (rm, editors, compilers; joining the directory's path
 * cost ~220 ns a call), and an absolute path outside /dev/shm/ while no
 * announced object is waiting for its unlink.
 */
static __always_inline int unlink_exit(void *ctx, long ret, __u32 call)
{
	char path[SW_NAME_LEN] = {};
	struct obj_key gone = {};
	struct shm_path *sp;
	struct sw_event *e;
	__u64 args[6], h = HASH_FNV_BASIS;
	const char *upath;
	bool cut = false;
	long n;

	if (ret != 0 || !traced_current())
		return 0;
	read_args(args);
	if (call == SW_UNLINKAT && (args[2] & K_AT_REMOVEDIR))
		return 0;
	upath = (const char *)args[call == SW_UNLINKAT ? 1 : 0];
	n = bpf_probe_read_user_str(path, sizeof(path), upath);
	if (n == SW_NAME_LEN) { /* filled: whole only if the next byte ends it */
		char next = 1;

		bpf_probe_read_user(&next, 1, upath + SW_NAME_LEN - 1);
		cut = next != 0;
	}
	if (path[0] != '/') {
		unsigned long magic;
		struct vfsmount *mnt;
		struct dentry *dir;

		if (base_dir(call == SW_UNLINKAT ? (long)args[0] : -100, &dir, &mnt))
			return 0;
		magic = BPF_CORE_READ(dir, d_sb, s_magic);
		if (!has_slash(path) && magic != K_TMPFS_MAGIC && magic != K_HUGETLBFS_MAGIC)
			return 0;
		/* A joined path that is not whole matches nothing, and
		 * cannot be told to lie under /dev/shm/ either. */
		if (cut || path_of(dir, mnt, NULL) || join_user_name((__u64)upath))
			return 0;
		h = hash_path_buf();
	} else if (!announced_objs && !has_prefix(path, "/dev/shm/", 9)) {
		return 0;
	} else if (!cut) {
		__u32 zero = 0;
		char *buf = bpf_map_lookup_elem(&path_buf, &zero);

		if (!buf)
			return 0;
		__builtin_memcpy(buf, path, SW_NAME_LEN);
		h = hash_path_buf();
	}
	sp = cut ? NULL : bpf_map_lookup_elem(&shm_paths, &h);
	if (sp && took_last_link(sp)) {
		__sync_fetch_and_add(&announced_objs, -1);
		gone = sp->obj;
		bpf_map_delete_elem(&objs_announced, &gone);
		bpf_map_delete_elem(&shm_paths, &h);
	} else if (!has_prefix(path, "/dev/shm/", 9)) {
		return 0;
	}
	e = start_call(ctx, call, ret, args, false, SW_EVENT_BASE_SIZE);
	if (!e)
		return 0;
	e->c.name_cut = cut;
	e->c.mnt_ns = mnt_ns_current();
	__builtin_memcpy(e->c.name, path, sizeof(e->c.name));
	if (gone.ino) { /* the announced object this removed */
		e->c.ino = gone.ino;
		e->c.dev = gone.dev;
		e->c.fs_gen = gone.fs_gen;
		e->c.backing = SW_BK_SHMEM_FILE;
	}
	submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_unlink")
int sw_unlink(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(ctx, ctx->ret, SW_UNLINK);
}

SEC("tracepoint/syscalls/sys_exit_unlinkat")
int sw_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(ctx, ctx->ret, SW_UNLINKAT);
}

/*
 * An open that failed with ENOENT on an absolute path under /dev/shm/:
 * shm_open (and sem_open) of a name that is not there, which is how a
 * process meets an object someone removed under it.  Every open on the
 * host comes here, and any other result leaves at the first comparison;
 * even so, dispatching a program costs each open ~50 ns, so the loader
 * attaches this one only once an object has been unlinked by a process
 * that neither made nor mapped it (capture__record_opens).  shm_open
 * always passes an absolute path, so relative ones are not joined to
 * their directory.
 */
SEC("tracepoint/syscalls/sys_exit_openat")
int sw_openat(struct trace_event_raw_sys_exit *ctx)
{
	char path[SW_NAME_LEN] = {};
	struct sw_event *e;
	__u64 args[6];
	long n;

	if (ctx->ret != -K_ENOENT || !traced_current())
		return 0;
	read_args(args);
	n = bpf_probe_read_user_str(path, sizeof(path), (const char *)args[1]);
	if (n <= 9 || !has_prefix(path, "/dev/shm/", 9))
		return 0;
	e = start_call(ctx, SW_OPENAT, ctx->ret, args, true, SW_EVENT_BASE_SIZE);
	if (!e)
		return 0;
	if (n == SW_NAME_LEN) { /* filled: whole only if the next byte ends it */
		char next = 1;

		bpf_probe_read_user(&next, 1, (const char *)args[1] + SW_NAME_LEN - 1);
		e->c.name_cut = next != 0;
	}
	e->c.mnt_ns = mnt_ns_current();
	__builtin_memcpy(e->c.name, path, sizeof(e->c.name));
	submit(e);
	return 0;
}

/*
 * A call on an fd of a memory filesystem's file.  A size change is kept
 * whether it succeeded or not (a sealed memfd refuses to shrink, a full
 * tmpfs refuses to fallocate), with its stack: a shrink is what a later
 * SIGBUS points back to.  A write only when the mount refused it for want
 * of space (enospc_only): the form in which a full /dev/shm meets
 * programs that do not map; every write on the host comes here (with
 * --writes), so any other result leaves at the first comparison.
 */
static __always_inline int fd_object_exit(void *ctx, long ret, __u32 call, bool enospc_only)
{
	struct file *f;
	__u64 args[6];

	if ((enospc_only && ret != -K_ENOSPC) || !traced_current())
		return 0;
	read_args(args);
	f = file_of_fd(args[0]);
	if (!f || !on_memory_fs(f))
		return 0;
	return emit_object(ctx, call, ret, args, f, true);
}

SEC("tracepoint/syscalls/sys_exit_ftruncate")
int sw_ftruncate(struct trace_event_raw_sys_exit *ctx)
{
	return fd_object_exit(ctx, ctx->ret, SW_FTRUNCATE, false);
}

SEC("tracepoint/syscalls/sys_exit_fallocate")
int sw_fallocate(struct trace_event_raw_sys_exit *ctx)
{
	return fd_object_exit(ctx, ctx->ret, SW_FALLOCATE, false);
}

SEC("tracepoint/syscalls/sys_exit_write")
int sw_write(struct trace_event_raw_sys_exit *ctx)
{
	return fd_object_exit(ctx, ctx->ret, SW_WRITE, true);
}

SEC("tracepoint/syscalls/sys_exit_pwrite64")
int sw_pwrite64(struct trace_event_raw_sys_exit *ctx)
{
	return fd_object_exit(ctx, ctx->ret, SW_PWRITE64, true);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sw_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct sw_event *e;
	__u8 one = 1;

	if (BPF_CORE_READ(child, pid) != ctgid) /* a new thread, not a process */
		return 0;
	if (!traced_current()) /* the parent */
		return 0;
	if (filter_pid && follow)
		bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY);
	/* The child inherits the parent's mappings, and their munmaps. */
	if (bpf_map_lookup_elem(&mappers, &ptgid))
		bpf_map_update_elem(&mappers, &ctgid, &one, BPF_ANY);
	e = start_record(ctx, SW_EV_FORK, SW_CALL_NONE, false, SW_EVENT_BASE_SIZE, NULL);
	if (!e)
		return 0;
	e->fork.child_pid = ctgid;
	e->fork.shares_vm = BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm);
	submit(e);
	return 0;
}

/* The new image's arguments, from its stack: the exec has put them
 * there, between mm->arg_start and arg_end, by the time this runs. */
static __always_inline void read_argv(struct sw_event *e, struct task_struct *p)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	__u64 len = BPF_CORE_READ(mm, arg_end) - start;

	if (len > SW_ARGV_LEN) {
		len = SW_ARGV_LEN;
		e->exec.argv_cut = 1;
	}
	if (len && !bpf_probe_read_user(e->exec.argv, len, (const void *)start))
		e->exec.argv_len = len;
	else
		e->exec.argv_cut = 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sw_event *e;

	__u32 tgid = BPF_CORE_READ(p, tgid);

	bpf_map_delete_elem(&mappers, &tgid); /* the new image maps nothing yet */
	if (!traced_current()) /* p is current */
		return 0;
	e = start_record(ctx, SW_EV_EXEC, SW_CALL_NONE, false, SW_EVENT_BASE_SIZE, NULL);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->exec.filename, sizeof(e->exec.filename),
				  BPF_CORE_READ(bprm, filename));
	read_argv(e, p);
	submit(e);
	return 0;
}

/* Only the last thread's exit ends the process; signal->live has already
 * been decremented when this tracepoint fires. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sw_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct sw_event *e;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&mappers, &tgid);
	bpf_map_delete_elem(&woke_for, &tgid); /* the pid may be reused */
	if (!traced_current()) /* p is current */
		return 0;
	if (filter_pid)
		bpf_map_delete_elem(&traced_pids, &tgid); /* the pid may be reused */
	e = start_record(ctx, SW_EV_EXIT, SW_CALL_NONE, false, SW_EVENT_BASE_SIZE, NULL);
	if (!e)
		return 0;
	e->exit.exit_code = BPF_CORE_READ(p, exit_code);
	submit(e);
	return 0;
}

/*
 * --container: a cgroup v2 directory made while tracing (a container
 * starting, or starting again) is traced until userspace, told of it by
 * a SW_REC_CGROUP record ahead of any event of its processes, has said
 * whose it is.  Only loaded with --container.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(sw_cgroup_mkdir, struct cgroup *cg, const char *path)
{
	__u8 pending = SW_CGROUP_PENDING;
	struct sw_event *e;
	__u64 id;
	long n;

	/* The v2 hierarchy is the one whose id the records carry. */
	if (stopping || BPF_CORE_READ(cg, root, hierarchy_id) != 0)
		return 0;
	id = BPF_CORE_READ(cg, kn, id);
	bpf_map_update_elem(&traced_cgroups, &id, &pending, BPF_NOEXIST);
	/* Not an event: a full buffer loses it uncounted, and userspace
	 * tells the cgroup from its first process's /proc instead. */
	e = bpf_ringbuf_reserve(&events, SW_EVENT_CGROUP_SIZE, 0);
	if (!e)
		return 0;
	__builtin_memset(e, 0, __builtin_offsetof(struct sw_event, stack));
	stamp_record(e, SW_REC_CGROUP, SW_CALL_NONE);
	e->cg.id = id;
	n = bpf_probe_read_kernel_str(e->cgroup_path, sizeof(e->cgroup_path), path);
	e->cg.path_len = n > 0 ? n - 1 : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(sw_cgroup_rmdir, struct cgroup *cg, const char *path)
{
	__u64 id;

	if (BPF_CORE_READ(cg, root, hierarchy_id) != 0)
		return 0;
	id = BPF_CORE_READ(cg, kn, id);
	bpf_map_delete_elem(&traced_cgroups, &id);
	return 0;
}

/* bpf_find_vma's callback data must live on the stack. */
struct fault_info {
	struct vma_info vi;
	struct super_block *sb; /* a tmpfs mapping's, for top_holders */
};

static long read_fault_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct fault_info *fi = data;

	read_vma(task, vma, &fi->vi);
	if (fi->vi.backing == SW_BK_SHMEM_FILE && fi->vi.fs_size)
		fi->sb = BPF_CORE_READ(vma, vm_file, f_inode, i_sb);
	return 1;
}

/* A SIGBUS names a page its mapping could not provide: record which
 * object, where in it, how big it was and how full its mount was, at the
 * moment of the fault, before anyone can truncate or free space. */
static __always_inline void describe_fault(struct task_struct *task, struct sw_event *e)
{
	struct fault_info fi = { .vi.shmid = -1 };

	if (bpf_find_vma(task, e->sig.addr, read_fault_vma, &fi, 0))
		return;
	e->sig.map_start = fi.vi.start;
	e->sig.offset = (fi.vi.pgoff << K_PAGE_SHIFT) + (e->sig.addr - fi.vi.start);
	e->sig.obj_size = fi.vi.obj_size;
	e->sig.ino = fi.vi.ino;
	e->sig.dev = fi.vi.dev;
	e->sig.fs_used = fi.vi.fs_used;
	e->sig.fs_size = fi.vi.fs_size;
	e->sig.backing = fi.vi.backing;
	copy_vma_name(e->sig.name);
	if (fi.sb)
		top_holders(fi.sb, e->sig.top, NULL);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(sw_signal, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	struct sw_event *e;

	if (sig != K_SIGSEGV && sig != K_SIGBUS)
		return 0;
	if ((unsigned long)info <= 1) /* SEND_SIG_NOINFO / SEND_SIG_PRIV */
		return 0;
	if (!traced_task(task))
		return 0;
	/* The stack is the faulting thread's when it is the one running
	 * (a fault); a signal sent by another process has none. */
	e = start_record(ctx, SW_EV_SIGNAL, SW_CALL_NONE,
			 BPF_CORE_READ(task, pid) == (__u32)bpf_get_current_pid_tgid(),
			 SW_EVENT_BASE_SIZE, task);
	if (!e)
		return 0;
	e->sig.signo = sig;
	e->sig.code = BPF_CORE_READ(info, si_code);
	e->sig.addr = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	if (sig == K_SIGBUS && e->sig.code > 0) /* a fault, not a kill() */
		describe_fault(task, e);
	submit(e);
	return 0;
}
