// SPDX-License-Identifier: GPL-2.0
/*
 * shmwatch.bpf.c - kernel side of shmwatch.
 *
 * One program per syscall exit tracepoint (shmget, shmat, shmdt, shmctl,
 * mmap, munmap, mremap, memfd_create).  Arguments are read back from the
 * task's saved user registers at exit, so no enter program and no per-thread
 * stash map are needed: a syscall pays only for the exit program of its own
 * tracepoint, and unrelated syscalls pay only the kernel's tracepoint slow
 * path.  Process lifecycle (fork, exec, exit) and SIGSEGV/SIGBUS come from
 * BTF tracepoints, which cost nothing on the syscall path.
 *
 * Filters are read-only globals set before load, plus a map of traced tgids
 * that the fork hook extends when following children.  Every failed ring
 * buffer reservation is counted per CPU, by record kind, so userspace can
 * account for every loss.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "../user/events.h"

char LICENSE[] SEC("license") = "GPL";

#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6
#define VM_SHARED 0x00000008
#define VM_MAYSHARE 0x00000080
#define VM_HUGETLB 0x00400000
#define MNT_INTERNAL 0x4000
#define MAP_SHARED 0x01
#define MAP_SHARED_VALIDATE 0x03
#define MAP_ANONYMOUS 0x20
#define MAP_HUGETLB 0x40000
#define MAP_FIXED 0x10
#define SIGBUS 7
#define SIGSEGV 11
#define MAX_ERRNO 4095

/* Filters and tuning, written by the loader before load. */
const volatile bool filter_pid = false;	 /* only tgids in traced_pids */
const volatile bool follow = false;	 /* add forked children to traced_pids */
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_comm = false;
const volatile char target_comm[SW_COMM_LEN] = {};
const volatile bool filter_cgroup = false; /* task under cgroup_filter[0] */
const volatile bool all_mmaps = false;
const volatile __u32 self_tgid = 0;	 /* shmwatch itself, never traced */
const volatile __u64 max_size = 256ULL << 20;
const volatile __u64 wakeup_every = 1; /* records per CPU between wake-ups */
const volatile bool stacks = true;	/* user stacks on creating/failing calls */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} since_wakeup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SW_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < SW_COMM_LEN; i++) {
		if (comm[i] != target_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Does the current task pass every filter?  tgid is passed in because
 * the fork and exit hooks ask about a task that may not be current. */
static __always_inline bool traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (filter_pid && !bpf_map_lookup_elem(&traced_pids, &tgid))
		return false;
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	if (filter_comm) {
		char comm[SW_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	return true;
}

static __always_inline void count_lost(__u32 kind, __u32 call)
{
	__u32 slot = SW_LOST_SLOT(kind, call);
	__u64 *n = bpf_map_lookup_elem(&lost, &slot);

	if (n)
		*n += 1;
}

/*
 * Reserve a record; with want_stack (and stacks on) a full one with the
 * user stack, otherwise one that ends before the stack.  Both sizes are
 * constants, as the verifier wants.
 */
static __always_inline struct sw_event *reserve(void *ctx, __u32 kind, __u32 call, bool want_stack)
{
	struct sw_event *e;
	long n;

	if (want_stack && stacks) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(
				bpf_get_current_task_btf());

			n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), BPF_F_USER_STACK);
			e->n_frames = n > 0 ? n / sizeof(__u64) : 0;
			if (bpf_probe_read_user(&e->leaf_ret, sizeof(e->leaf_ret), (void *)regs->sp))
				e->leaf_ret = 0;
		}
	} else {
		e = bpf_ringbuf_reserve(&events, SW_EVENT_BASE_SIZE, 0);
		if (e) {
			e->n_frames = 0;
			e->leaf_ret = 0;
		}
	}
	if (!e) {
		count_lost(kind, call);
		return NULL;
	}
	__builtin_memset(e, 0, __builtin_offsetof(struct sw_event, n_frames));
	e->kind = kind;
	e->call = call;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

/* Processes whose first stack already woke the reader. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} woke_for SEC(".maps");

/*
 * The reader reads a process's module map (/proc/PID/maps) to resolve its
 * stacks, and a short-lived program may be gone 100 ms later: wake it at
 * once for the first stack of each process image.  (Not at every exec:
 * on a host that spawns a lot, reading the maps of every new program
 * would cost far more than it gives.)
 */
static __always_inline bool needs_prompt_reader(struct sw_event *e)
{
	__u32 pid = e->pid;
	__u8 one = 1;

	if (e->kind == SW_EV_EXEC) {
		bpf_map_delete_elem(&woke_for, &pid);
		return false;
	}
	if (!e->n_frames || bpf_map_lookup_elem(&woke_for, &pid))
		return false;
	bpf_map_update_elem(&woke_for, &pid, &one, BPF_ANY);
	return true;
}

/*
 * Batch wake-ups: wake the reader once every wakeup_every records per CPU
 * (about a quarter of the buffer); the reader also drains on a short
 * timer, so nothing waits long.  Counting is per CPU because asking the
 * ring buffer how full it is (bpf_ringbuf_query) reads the reader's
 * position, a cache line the reader keeps writing: measured here, it made
 * each record cost ten times more.
 */
static __always_inline void submit(struct sw_event *e)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&since_wakeup, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (n && ++*n >= wakeup_every) {
		*n = 0;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	if (needs_prompt_reader(e))
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The tgid as the process's own PID namespace numbers it, 0 in the
 * initial namespace. */
static __always_inline __u32 ns_pid_of(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	int nr = 0;

	if (!level || level > 31)
		return 0;
	bpf_core_read(&nr, sizeof(nr), &pid->numbers[level].nr);
	return nr;
}

static __always_inline void fill_task(struct sw_event *e, struct task_struct *t)
{
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->ns_pid = ns_pid_of(t);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

static __always_inline void fill_current(struct sw_event *e)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->ns_pid = ns_pid_of(t);
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
}

/* What bpf_find_vma's callback learned about one mapping. */
struct vma_info {
	__u64 size;
	__u64 obj_size;
	__u64 ino;
	__u32 backing;
	__s32 shmid;
	char name[SW_NAME_LEN];
};

static __always_inline bool has_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

static long read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *vi = data;
	__u64 vm_flags = BPF_CORE_READ(vma, vm_flags);
	/* MAP_SHARED of a file opened read-only has VM_MAYSHARE but not
	 * VM_SHARED (it can never write back); /proc/PID/maps calls it
	 * shared, and so do we. */
	bool shared = vm_flags & (VM_SHARED | VM_MAYSHARE);
	struct file *file = BPF_CORE_READ(vma, vm_file);
	struct inode *inode;
	unsigned long magic;
	int mnt_flags;

	vi->size = BPF_CORE_READ(vma, vm_end) - BPF_CORE_READ(vma, vm_start);
	vi->shmid = -1;
	if (!file) {
		vi->backing = (vm_flags & VM_HUGETLB) ? SW_BK_HUGETLB :
			      shared ? SW_BK_ANON_SHARED :
						       SW_BK_ANON_PRIVATE;
		return 1;
	}
	inode = BPF_CORE_READ(file, f_inode);
	vi->ino = BPF_CORE_READ(inode, i_ino);
	vi->obj_size = BPF_CORE_READ(inode, i_size);
	magic = BPF_CORE_READ(inode, i_sb, s_magic);
	mnt_flags = BPF_CORE_READ(file, f_path.mnt, mnt_flags);
	bpf_probe_read_kernel_str(vi->name, sizeof(vi->name),
				  BPF_CORE_READ(file, f_path.dentry, d_name.name));

	if (magic == HUGETLBFS_MAGIC || (vm_flags & VM_HUGETLB))
		vi->backing = SW_BK_HUGETLB;
	else if (magic != TMPFS_MAGIC)
		vi->backing = shared ? SW_BK_FILE_SHARED : SW_BK_FILE_PRIVATE;
	else if (!(mnt_flags & MNT_INTERNAL))
		/* A tmpfs file (POSIX shm in /dev/shm).  Mapped privately it
		 * shares nothing: a library loaded from a tmpfs root, say. */
		vi->backing = shared ? SW_BK_SHMEM_FILE : SW_BK_FILE_PRIVATE;
	else if (has_prefix(vi->name, "SYSV", 4))
		vi->backing = SW_BK_SYSV;
	else if (has_prefix(vi->name, "memfd:", 6))
		vi->backing = SW_BK_MEMFD;
	else
		vi->backing = SW_BK_ANON_SHARED; /* "dev/zero" */
	return 1;
}

/* For a SysV attachment the VMA's file is a shm_file_data wrapper whose
 * inner shmem file carries the segment's true size and id. */
static long read_shm_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *vi = data;
	struct shm_file_data *sfd;

	read_vma(task, vma, data);
	sfd = BPF_CORE_READ(vma, vm_file, private_data);
	if (!sfd)
		return 1;
	vi->shmid = BPF_CORE_READ(sfd, id);
	vi->obj_size = BPF_CORE_READ(sfd, file, f_inode, i_size);
	vi->backing = SW_BK_SYSV;
	return 1;
}

static __always_inline bool is_err(long ret)
{
	return ret < 0 && ret >= -MAX_ERRNO;
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
	e->c.ino = vi->ino;
	e->c.backing = vi->backing;
	e->c.shmid = vi->shmid;
	__builtin_memcpy(e->c.name, vi->name, sizeof(e->c.name));
}

/* Emit one SW_EV_CALL record; for calls that create a mapping, describe it. */
static __always_inline int emit_call(void *ctx, __u32 call, long ret, __u64 args[6],
				     struct vma_info *vi, bool want_stack)
{
	struct sw_event *e = reserve(ctx, SW_EV_CALL, call, want_stack);

	if (!e)
		return 0;
	fill_current(e);
	e->c.ret = ret;
	__builtin_memcpy(e->c.args, args, sizeof(e->c.args));
	e->c.shmid = -1;
	if (vi)
		copy_vma_info(e, vi);
	submit(e);
	return 0;
}

static __always_inline int simple_exit(void *ctx, long ret, __u32 call, bool want_stack)
{
	__u64 args[6];

	if (!traced(bpf_get_current_pid_tgid() >> 32))
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

SEC("tracepoint/syscalls/sys_exit_shmat")
int sw_shmat(struct trace_event_raw_sys_exit *ctx)
{
	struct vma_info vi = { .shmid = -1, .backing = SW_BK_SYSV };
	long ret = ctx->ret;
	__u64 args[6];

	if (!traced(bpf_get_current_pid_tgid() >> 32))
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
	bool shared = flags & MAP_SHARED;

	if (flags & MAP_HUGETLB)
		return SW_BK_HUGETLB;
	if (flags & MAP_ANONYMOUS)
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

	if (!traced(tgid))
		return 0;
	read_args(args);
	len = call == SW_MREMAP ? args[2] : args[1];
	/* A fixed-address mmap or any mremap of a process that holds shared
	 * memory may land on an attachment or shared mapping and replace it:
	 * recorded whatever it maps (ld.so's fixed mappings come before a
	 * process maps anything shared). */
	replaces = (call == SW_MREMAP || (args[3] & MAP_FIXED)) &&
		   bpf_map_lookup_elem(&mappers, &tgid);
	/* Private mappings below the threshold are the bulk of all mmaps
	 * (ld.so, malloc); drop them before any lookup. */
	if (!all_mmaps && !replaces && !is_err(ret) && len < max_size && call == SW_MMAP &&
	    (args[3] & (MAP_SHARED | MAP_ANONYMOUS)) == MAP_ANONYMOUS)
		return 0;
	/* A failed call has no VMA; nor does a successful one whose mm was
	 * locked by another thread (see sw_shmat): fall back to the request. */
	if (is_err(ret) || bpf_find_vma(bpf_get_current_task_btf(), ret, read_vma, &vi, 0))
		vi.backing = call == SW_MMAP ? requested_backing(args[3]) : SW_BK_NONE;
	if (!replaces && !mmap_wanted(ret, len, vi.backing))
		return 0;
	if (!is_err(ret))
		note_mapper(tgid);
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

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int sw_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct sw_event *e;
	__u64 args[6];

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	read_args(args);
	e = reserve(ctx, SW_EV_CALL, SW_MEMFD_CREATE, true);
	if (!e)
		return 0;
	fill_current(e);
	e->c.ret = ctx->ret;
	__builtin_memcpy(e->c.args, args, sizeof(e->c.args));
	e->c.shmid = -1;
	e->c.backing = SW_BK_MEMFD;
	bpf_probe_read_user_str(e->c.name, sizeof(e->c.name), (void *)args[0]);
	submit(e);
	return 0;
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
	if (!traced(ptgid))
		return 0;
	if (filter_pid && follow)
		bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY);
	/* The child inherits the parent's mappings, and their munmaps. */
	if (bpf_map_lookup_elem(&mappers, &ptgid))
		bpf_map_update_elem(&mappers, &ctgid, &one, BPF_ANY);
	e = reserve(ctx, SW_EV_FORK, SW_CALL_NONE, false);
	if (!e)
		return 0;
	fill_current(e);
	e->fork.child_pid = ctgid;
	e->fork.shares_vm = BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sw_event *e;

	__u32 tgid = BPF_CORE_READ(p, tgid);

	bpf_map_delete_elem(&mappers, &tgid); /* the new image maps nothing yet */
	if (!traced(tgid))
		return 0;
	e = reserve(ctx, SW_EV_EXEC, SW_CALL_NONE, false);
	if (!e)
		return 0;
	fill_current(e);
	bpf_probe_read_kernel_str(e->exec.filename, sizeof(e->exec.filename),
				  BPF_CORE_READ(bprm, filename));
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
	if (!traced(tgid))
		return 0;
	if (filter_pid)
		bpf_map_delete_elem(&traced_pids, &tgid); /* the pid may be reused */
	e = reserve(ctx, SW_EV_EXIT, SW_CALL_NONE, false);
	if (!e)
		return 0;
	fill_current(e);
	e->exit.exit_code = BPF_CORE_READ(p, exit_code);
	submit(e);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(sw_signal, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	struct sw_event *e;

	if (sig != SIGSEGV && sig != SIGBUS)
		return 0;
	if ((unsigned long)info <= 1) /* SEND_SIG_NOINFO / SEND_SIG_PRIV */
		return 0;
	if (!traced(BPF_CORE_READ(task, tgid)))
		return 0;
	/* The stack is the faulting thread's when it is the one running
	 * (a fault); a signal sent by another process has none. */
	e = reserve(ctx, SW_EV_SIGNAL, SW_CALL_NONE,
		    BPF_CORE_READ(task, pid) == (__u32)bpf_get_current_pid_tgid());
	if (!e)
		return 0;
	fill_task(e, task);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->sig.signo = sig;
	e->sig.code = BPF_CORE_READ(info, si_code);
	e->sig.addr = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	submit(e);
	return 0;
}
