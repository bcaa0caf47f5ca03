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
 * Filters are read-only globals set before load, plus a map of traced tgids
 * that the fork hook extends when following children.  Every failed ring
 * buffer reservation is counted per CPU, by record kind, so userspace can
 * account for every loss.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "kabi.h"
#include "defaults.h"
#include "lib/hash.h"

char LICENSE[] SEC("license") = "GPL";


/* Filters and tuning, written by the loader before load. */
const volatile bool filter_pid = false;	 /* only tgids in traced_pids */
const volatile bool follow = false;	 /* add forked children to traced_pids */
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_comm = false;
const volatile char target_comm[SW_COMM_LEN] = {};
const volatile bool filter_cgroup = false; /* task under cgroup_filter[0] */
const volatile __u64 target_cgroup = 0;	   /* that cgroup's id, for traced_task */
const volatile bool all_mmaps = false;
const volatile __u32 self_tgid = 0;	 /* shmwatch itself, never traced */
/* Private mappings are recorded from this size (SW_PRIVATE_RECORD_MIN or
 * --max-size, the larger). */
const volatile __u64 max_size = SW_DEFAULT_MAX_SIZE;
const volatile __u64 wakeup_every = 1; /* records per CPU between wake-ups */
const volatile bool stacks = true;	/* user stacks on creating/failing calls */

/* Set by the loader when it stops: from then on nothing is recorded, so
 * that what is left in the ring buffer is all there is to drain, however
 * busy the host is. */
bool stopping = false;

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

/* The pid filter and what is never traced: the same for a task and for
 * current. */
static __always_inline bool traced_tgid(__u32 tgid)
{
	if (stopping || tgid == self_tgid)
		return false;
	return !filter_pid || bpf_map_lookup_elem(&traced_pids, &tgid);
}

/* Does the current task pass every filter?  The syscall, fork, exec and
 * exit hooks run in the process they are about, and the helpers that ask
 * about current are the cheapest. */
static __always_inline bool traced_current(void)
{
	if (!traced_tgid(bpf_get_current_pid_tgid() >> 32))
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

/* The cgroup v2 id of t's cgroup, as bpf_get_current_cgroup_id gives it
 * for current. */
static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

#define CGROUP_DEPTH_MAX 32

/* Is t in target_cgroup or below it?  bpf_current_task_under_cgroup only
 * asks about current, and the kfunc that asks about any task is newer
 * than 6.1: walk up t's cgroups and compare their ids. */
static __always_inline bool task_under_target_cgroup(struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	__u64 self_off = bpf_core_field_offset(struct cgroup, self);

	for (int i = 0; i < CGROUP_DEPTH_MAX && cg; i++) {
		struct cgroup_subsys_state *up;

		if (BPF_CORE_READ(cg, kn, id) == target_cgroup)
			return true;
		up = BPF_CORE_READ(cg, self.parent);
		cg = up ? (void *)up - self_off : NULL;
	}
	return false;
}

/* Does task t pass every filter?  For the hooks that run in another
 * process than the one they are about: a signal is judged by the
 * process it is sent to, not by its sender. */
static __always_inline bool traced_task(struct task_struct *t)
{
	if (!traced_tgid(BPF_CORE_READ(t, tgid)))
		return false;
	if (filter_uid && BPF_CORE_READ(t, cred, uid.val) != target_uid)
		return false;
	if (filter_comm) {
		char comm[SW_COMM_LEN];

		BPF_CORE_READ_STR_INTO(&comm, t, comm);
		if (!comm_matches(comm))
			return false;
	}
	if (filter_cgroup && !task_under_target_cgroup(t))
		return false;
	return true;
}

/*
 * Records that could not be reserved, on all CPUs together.  Every record
 * carries its value (lost_mark), so the reader sees a gap at the point in
 * the stream where it is, not at the next read of the per-CPU counters
 * below.  Written only when a record is lost: read-mostly otherwise.
 */
__u64 lost_records = 0;

static __always_inline void count_lost(__u32 kind, __u32 call)
{
	__u32 slot = SW_LOST_SLOT(kind, call);
	__u64 *n = bpf_map_lookup_elem(&lost, &slot);

	if (n)
		*n += 1;
	__sync_fetch_and_add(&lost_records, 1);
}

/*
 * Call sites whose full stack the reader already has, so that a loop
 * calling shmget from one place pays for one unwind, not one per call
 * (about half a microsecond each here).  A site is the process and its
 * address space (a new one after exec or fork; the process as well,
 * since a freed mm's address soon names another, such as the next forked
 * child's, whose first stack must be its own), the return address into
 * the caller of the libc wrapper (the word at the stack pointer) and the
 * caller's own return address (behind its frame pointer; 0 when rbp is no
 * frame pointer, see read_site).  Frames further out may differ between
 * two calls from the same site; userspace copies the first call's.
 * Evicting a site only costs a new unwind.
 */
struct site_key {
	__u64 mm;
	__u64 ret;
	__u64 ret2;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct site_key);
	__type(value, __u8);
} sites SEC(".maps");

static __always_inline __u64 site_hash(const struct site_key *k)
{
	__u64 h = k->mm * 0x9e3779b97f4a7c15ULL;

	h = (h ^ k->tgid) * 0xd6e8feb86659fd93ULL;
	h = (h ^ k->ret) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ k->ret2) * 0x94d049bb133111ebULL;
	return (h ^ (h >> 31)) | 1; /* never 0, which means none */
}

/*
 * The current call's site, read from the user stack and frame pointer.
 * Code built without frame pointers leaves anything in rbp, often a small
 * number: reading there takes a page fault that the kernel must resolve
 * as an error, which measured here cost ~500 ns per call, as much as the
 * unwind this saves.  So the frame is read only when rbp points into the
 * stack above the stack pointer (within 8 MiB, the usual stack limit).
 */
#define SITE_FRAME_MAX (8ULL << 20)

static __always_inline void read_site(struct site_key *k)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	__u64 frame[2] = {}; /* the caller's saved frame pointer and return */
	__u64 sp = regs->sp, bp = regs->bp;

	k->mm = (__u64)BPF_CORE_READ(t, mm); /* a number, not a pointer */
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_probe_read_user(&k->ret, sizeof(k->ret), (void *)sp))
		k->ret = 0;
	if (bp > sp && bp - sp < SITE_FRAME_MAX)
		bpf_probe_read_user(frame, sizeof(frame), (void *)bp);
	k->ret2 = frame[1];
}

/* Processes whose first stack already went out (and woke the reader). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} woke_for SEC(".maps");

/* A process image's first stack, taken ahead of its record, and the
 * SW_REC_MAPPING records built from it (see send_mappings). */
#define STACK_MAPS 8 /* mappings looked up per first stack */

struct first_stack {
	__u64 ips[SW_MAX_FRAMES + 1]; /* the frames; last, the leaf's return */
	__u64 start[STACK_MAPS];      /* the VMAs looked up so far */
	__u64 end[STACK_MAPS];
	__u32 n_frames;
	__u32 n_vmas;
	struct sw_event rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct first_stack);
} first_stacks SEC(".maps");

__noinline int send_mappings(__u32 n_frames, __u64 leaf_ret);

/*
 * The reader resolves a stack through the process's module map, and a
 * short-lived program may be gone before it can read /proc/PID/maps.  So
 * the first stack of each process image is taken ahead of its record and
 * the mappings its frames lie in are sent first: the ring buffer keeps
 * the order of reservations.  Returns the number of frames, kept in
 * first_stacks, or 0 when the process image already sent its first stack
 * (or none could be taken).  (Not at every exec: on a host that spawns a
 * lot, describing every new program would cost far more than it gives.)
 */
static __always_inline __u32 take_first_stack(void *ctx, __u64 leaf_ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct first_stack *fs;
	__u8 one = 1;
	long n;

	if (bpf_map_lookup_elem(&woke_for, &pid))
		return 0;
	fs = bpf_map_lookup_elem(&first_stacks, &zero);
	if (!fs)
		return 0;
	n = bpf_get_stack(ctx, fs->ips, SW_MAX_FRAMES * sizeof(__u64), BPF_F_USER_STACK);
	if (n <= 0)
		return 0;
	bpf_map_update_elem(&woke_for, &pid, &one, BPF_ANY);
	send_mappings(n / sizeof(__u64), leaf_ret);
	return n / sizeof(__u64);
}

/* The stack take_first_stack kept, into the record. */
static __always_inline void put_first_stack(struct sw_event *e, __u32 n)
{
	__u32 zero = 0;
	struct first_stack *fs = bpf_map_lookup_elem(&first_stacks, &zero);

	if (fs && !bpf_probe_read_kernel(e->stack, sizeof(e->stack), fs->ips))
		e->n_frames = n;
}

/* What every record carries first: its kind, call, time and the running
 * loss count (see lost_records). */
static __always_inline void stamp_record(struct sw_event *e, __u32 kind, __u32 call)
{
	e->kind = kind;
	e->call = call;
	e->ts_ns = bpf_ktime_get_ns();
	e->lost_mark = (__u32)lost_records;
}

/*
 * Reserve a record of size bytes (a constant: SW_EVENT_CALL_SIZE or
 * SW_EVENT_BASE_SIZE, see events.h), zeroed, with kind, call and time
 * set.  With want_stack (and stacks on) the record is the whole struct
 * with the user stack, unless the syscall comes from a site already
 * sent; a process image's first stack is preceded by the records of its
 * mappings (take_first_stack).  The verifier wants every reservation's
 * size constant, and refuses a write past it.
 */
static __always_inline struct sw_event *reserve(void *ctx, __u32 kind, __u32 call,
						bool want_stack, __u32 size)
{
	struct site_key k = {};
	bool same_site = false, stacked;
	struct sw_event *e;
	__u32 first = 0;
	__u8 one = 1;
	long n;

	if (want_stack && stacks) {
		read_site(&k);
		/* A fault's stack pointer is not at a call: no site. */
		same_site = kind == SW_EV_CALL && k.ret && bpf_map_lookup_elem(&sites, &k);
	}
	stacked = want_stack && stacks && !same_site;
	if (stacked) {
		first = take_first_stack(ctx, k.ret);
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e)
			__builtin_memset(e, 0, __builtin_offsetof(struct sw_event, stack));
	} else {
		e = bpf_ringbuf_reserve(&events, size, 0);
		if (e)
			__builtin_memset(e, 0, size);
	}
	if (!e) {
		count_lost(kind, call);
		return NULL;
	}
	if (stacked && first) {
		put_first_stack(e, first);
	} else if (stacked) {
		n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), BPF_F_USER_STACK);
		e->n_frames = n > 0 ? n / sizeof(__u64) : 0;
	}
	if (stacked && kind == SW_EV_CALL && k.ret && e->n_frames)
		bpf_map_update_elem(&sites, &k, &one, BPF_ANY);
	if (same_site)
		e->stack_flags = SW_STACK_SAME_SITE;
	if (first)
		e->stack_flags = SW_STACK_FIRST;
	if (want_stack && stacks) {
		e->leaf_ret = k.ret;
		e->stack_key = kind == SW_EV_CALL && k.ret ? site_hash(&k) : 0;
	}
	stamp_record(e, kind, call);
	return e;
}

/* The reader resolves the first stack of each process image at once,
 * while the process is still likely to live. */
static __always_inline bool needs_prompt_reader(struct sw_event *e)
{
	__u32 pid = e->pid;

	if (e->kind == SW_EV_EXEC) {
		bpf_map_delete_elem(&woke_for, &pid);
		return false;
	}
	return e->stack_flags & SW_STACK_FIRST;
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
	e->cgroup_id = task_cgroup_id(t);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

static __always_inline void fill_current(struct sw_event *e)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	/* Pointers are followed with CO-RE reads, not plain loads: the
	 * verifier looks each plain load of a pointer field up in the
	 * kernel's BTF by name, which made loading the programs take over
	 * half a second; a read costs some ns per record instead. */
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->ns_pid = ns_pid_of(t);
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
}

/*
 * Start a record: reserved and stamped (see reserve), with the process
 * fields of task t, or of current when t is NULL (the cheaper helpers).
 * Every program's record starts here; the caller fills its part and
 * submits it.
 */
static __always_inline struct sw_event *start_record(void *ctx, __u32 kind, __u32 call,
						     bool want_stack, __u32 size,
						     struct task_struct *t)
{
	struct sw_event *e = reserve(ctx, kind, call, want_stack, size);

	if (!e)
		return NULL;
	if (t)
		fill_task(e, t);
	else
		fill_current(e);
	return e;
}

/* start_record for a system call of current: with its result and
 * arguments, and no segment id until one is known. */
static __always_inline struct sw_event *start_call(void *ctx, __u32 call, long ret,
						   const __u64 args[6], bool want_stack,
						   __u32 size)
{
	struct sw_event *e = start_record(ctx, SW_EV_CALL, call, want_stack, size, NULL);

	if (!e)
		return NULL;
	e->c.ret = ret;
	__builtin_memcpy(e->c.args, args, sizeof(e->c.args));
	e->c.shmid = -1;
	return e;
}

/* What bpf_find_vma's callback (or an fd lookup) learned about one
 * mapping or file. */
struct vma_info {
	__u64 start;
	__u64 size;
	__u64 pgoff;
	__u64 obj_size;
	__u64 ino;
	__u64 fs_used;
	__u64 fs_size;
	__u64 file_addr; /* a tmpfs file's struct file, for announce_created */
	__u32 dev;
	__u32 backing;
	__s32 shmid;
	__u16 created;
	__u16 name_cut; /* name is not the whole path */
};

/*
 * The name that goes with the vma_info being filled: kept in a map, not
 * in the struct, because bpf_find_vma wants its callback's data on the
 * stack and 6.1's verifier counts the stacks of every frame down to a
 * first stack's mapping records together, against 512 bytes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SW_NAME_LEN]);
} vma_name SEC(".maps");

static __always_inline char *vma_name_buf(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vma_name, &zero);
}

static __always_inline bool has_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* A tmpfs's usage.  The kernel counts used blocks only on a mount with a
 * size limit; near the limit the count is folded exactly (percpu counter
 * with a limit), which is when it matters. */
static __always_inline void read_tmpfs_usage(struct super_block *sb, struct vma_info *vi)
{
	struct shmem_sb_info *sbi = BPF_CORE_READ(sb, s_fs_info);
	__s64 used;

	if (!sbi)
		return;
	used = BPF_CORE_READ(sbi, used_blocks.count);
	vi->fs_size = (__u64)BPF_CORE_READ(sbi, max_blocks) << K_PAGE_SHIFT;
	vi->fs_used = used > 0 ? (__u64)used << K_PAGE_SHIFT : 0;
}

/*
 * Describe the file behind a mapping or an fd: identity, size, name, and
 * for memory filesystems the mount's usage.  Classification: hugetlbfs;
 * not tmpfs: a plain file; a tmpfs someone mounted (POSIX shm in
 * /dev/shm); the kernel's internal shmem mount, whose file names tell
 * SysV segments, memfds and shared anonymous memory apart.  shared says
 * whether the mapping shares (an fd is always "shared").
 */
static __always_inline void read_file(struct file *file, bool shared, struct vma_info *vi)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	unsigned long magic = BPF_CORE_READ(sb, s_magic);
	char *name = vma_name_buf();
	int mnt_flags;

	if (!name)
		return;
	vi->ino = BPF_CORE_READ(inode, i_ino);
	vi->obj_size = BPF_CORE_READ(inode, i_size);
	vi->dev = BPF_CORE_READ(sb, s_dev);
	bpf_probe_read_kernel_str(name, SW_NAME_LEN, BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (magic == K_HUGETLBFS_MAGIC) {
		vi->backing = SW_BK_HUGETLB;
		return;
	}
	if (magic != K_TMPFS_MAGIC) {
		vi->backing = shared ? SW_BK_FILE_SHARED : SW_BK_FILE_PRIVATE;
		return;
	}
	read_tmpfs_usage(sb, vi);
	mnt_flags = BPF_CORE_READ(file, f_path.mnt, mnt_flags);
	if (!(mnt_flags & K_MNT_INTERNAL))
		/* Mapped privately a tmpfs file shares nothing: a library
		 * loaded from a tmpfs root, say. */
		vi->backing = shared ? SW_BK_SHMEM_FILE : SW_BK_FILE_PRIVATE;
	else if (has_prefix(name, "SYSV", 4))
		vi->backing = SW_BK_SYSV;
	else if (has_prefix(name, "memfd:", 6))
		vi->backing = SW_BK_MEMFD;
	else
		vi->backing = SW_BK_ANON_SHARED; /* "dev/zero" */
}

static long read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *vi = data;
	__u64 vm_flags = vma->vm_flags; /* vma is a BTF pointer: plain loads */
	/* MAP_SHARED of a file opened read-only has VM_MAYSHARE but not
	 * VM_SHARED (it can never write back); /proc/PID/maps calls it
	 * shared, and so do we. */
	bool shared = vm_flags & (K_VM_SHARED | K_VM_MAYSHARE);
	struct file *file = BPF_CORE_READ(vma, vm_file);

	vi->start = vma->vm_start;
	vi->size = vma->vm_end - vi->start;
	vi->pgoff = vma->vm_pgoff;
	vi->shmid = -1;
	if (!file) {
		vi->backing = (vm_flags & K_VM_HUGETLB) ? SW_BK_HUGETLB :
			      shared ? SW_BK_ANON_SHARED :
						       SW_BK_ANON_PRIVATE;
		return 1;
	}
	read_file(file, shared, vi);
	if (vm_flags & K_VM_HUGETLB)
		vi->backing = SW_BK_HUGETLB;
	if (vi->backing == SW_BK_SHMEM_FILE)
		vi->file_addr = (__u64)BPF_CORE_READ(vma, vm_file); /* a number */
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

/* The name read last into vma_name, or an empty one. */
static __always_inline void copy_vma_name(char *out)
{
	char *name = vma_name_buf();

	if (name)
		__builtin_memcpy(out, name, SW_NAME_LEN);
}

static __always_inline void copy_vma_info(struct sw_event *e, struct vma_info *vi)
{
	e->c.map_size = vi->size;
	e->c.seg_size = vi->obj_size;
	e->c.ino = vi->ino;
	e->c.dev = vi->dev;
	e->c.fs_used = vi->fs_used;
	e->c.fs_size = vi->fs_size;
	e->c.backing = vi->backing;
	e->c.shmid = vi->shmid;
	e->c.created = vi->created;
	e->c.name_cut = vi->name_cut;
	copy_vma_name(e->c.name);
}

/*
 * A file of a mounted tmpfs (POSIX shm) is announced as created once,
 * when a traced process first sizes or maps it through the open file
 * that created it (FMODE_CREATED): creation is seen without a program on
 * openat, which every process on the host calls all the time.  Its path
 * is built from the dentries and mounts, so that an unlink of that path,
 * by anyone, is recognised at unlink's exit, where the file is gone and
 * cannot be asked.  (POSIX shm_unlink always says /dev/shm/NAME: matched
 * by prefix too.)
 */
struct obj_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
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

/* Hash of an announced object's path -> the object. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct obj_key);
} shm_paths SEC(".maps");

#define PATH_BUF 128
#define PATH_PARTS 8

/* Scratch for building a path: wider than SW_NAME_LEN so that a name
 * copied at any offset below SW_NAME_LEN stays inside it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[PATH_BUF]);
} path_buf SEC(".maps");

#define PATH_CUT 1

/*
 * The path helpers are global functions: the verifier checks each once
 * per program, on its own, instead of once for every call site with the
 * caller's state, and the loops of build_path are bpf_loop callbacks,
 * checked once whatever the number of rounds.  So they take kernel
 * pointers as numbers and work in this CPU's path_buf, not on the
 * caller's stack.
 */

/* FNV-1a of the string in path_buf. */
__noinline __u64 hash_path_buf(void)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	__u64 h = HASH_FNV_BASIS;

	if (!buf)
		return 0;
	for (int i = 0; i < SW_NAME_LEN && buf[i]; i++)
		h = hash_fnv_byte(h, buf[i]);
	return h;
}

/* Where a path walk is, and what it has found so far. */
struct path_walk {
	__u64 d;      /* struct dentry * */
	__u64 m;      /* struct mount * */
	__u64 root_d; /* the task's root: where its paths begin */
	__u64 root_m;
	__u64 parts[PATH_PARTS]; /* names, innermost first */
	__u32 n;
	__u32 end; /* 0: not yet, WALK_WHOLE, PATH_CUT */
	__u32 pos; /* joining: bytes written */
};

#define WALK_WHOLE 2

/* The walk's state lives in a map, not on the stack: with the callers
 * of build_path (a stack's mapping records) 6.1's verifier counts every
 * frame's stack together, against 512 bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_walk);
} path_walks SEC(".maps");

/* One step up: to the parent dentry, or across a mount point. */
static long walk_up(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	struct dentry *d, *up;
	struct mount *m;

	if (!w)
		return 1;
	d = (struct dentry *)w->d;
	m = (struct mount *)w->m;

	if (w->d == w->root_d && w->m == w->root_m)
		goto whole;
	if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);

		if (parent == m)
			goto whole; /* the top of the mount tree */
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->m = (__u64)parent;
		return 0;
	}
	if (w->n >= PATH_PARTS) {
		w->end = PATH_CUT;
		return 1;
	}
	w->parts[w->n & (PATH_PARTS - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
	w->n++;
	up = BPF_CORE_READ(d, d_parent);
	if (up == d)
		goto whole;
	w->d = (__u64)up;
	return 0;
whole:
	w->end = WALK_WHOLE;
	return 1;
}

/* Append "/NAME" for the next name, outermost first. */
static long join_part(__u32 i, void *ctx)
{
	__u32 zero = 0, k;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	long len;

	if (!w || !buf || i >= w->n)
		return 1;
	if (w->pos >= SW_NAME_LEN - 1) {
		w->end = PATH_CUT;
		return 1;
	}
	k = w->n - 1 - i;
	buf[w->pos & (SW_NAME_LEN - 1)] = '/';
	w->pos++;
	len = bpf_probe_read_kernel_str(&buf[w->pos & (SW_NAME_LEN - 1)], SW_NAME_LEN,
					(void *)w->parts[k & (PATH_PARTS - 1)]);
	if (len > 1)
		w->pos += len - 1;
	return 0;
}

/*
 * The path of (dentry, mnt) as a task whose root is (root_dentry,
 * root_mnt) sees it, into path_buf: up the dentries to the mount's root,
 * then on from the mount point in the parent mount, until that root
 * directory (a chroot, a container's root) or the top of the mount tree.
 * Returns 0 for a whole path, PATH_CUT when it is not whole (more than
 * PATH_PARTS components or SW_NAME_LEN - 1 bytes, or too many mounts),
 * -1 when the scratch buffer is missing.
 */
__noinline int build_path(__u64 dentry, __u64 vfsmount, __u64 root_dentry, __u64 root_mnt)
{
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	__u32 zero = 0;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);

	if (!w || !buf)
		return -1;
	__builtin_memset(w, 0, sizeof(*w));
	w->d = dentry;
	w->m = vfsmount - mnt_off;
	w->root_d = root_dentry;
	w->root_m = root_mnt - mnt_off;
	bpf_loop(2 * PATH_PARTS, walk_up, NULL, 0);
	buf[0] = '/';
	buf[1] = '\0';
	bpf_loop(PATH_PARTS, join_part, NULL, 0);
	/* The last name may have run into the end of the buffer. */
	if (w->pos >= SW_NAME_LEN - 1)
		w->end = PATH_CUT;
	buf[SW_NAME_LEN - 1] = '\0';
	return w->end == WALK_WHOLE ? 0 : PATH_CUT;
}

/*
 * Append "/" (unless the path in path_buf is the root) and the user
 * string at name (an address in the current process) to the path in
 * path_buf.  0, or PATH_CUT when the result is longer than
 * SW_NAME_LEN - 1 bytes, or -1.
 */
__noinline int join_user_name(__u64 name)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	int len = 0;
	long n;

	if (!buf)
		return -1;
	for (int i = 0; i < SW_NAME_LEN && buf[i]; i++)
		len = i + 1;
	if (len > 1) /* the root is "/" already */
		buf[len++ & (SW_NAME_LEN - 1)] = '/';
	if (len >= SW_NAME_LEN - 1)
		return PATH_CUT;
	n = bpf_probe_read_user_str(&buf[len & (SW_NAME_LEN - 1)], SW_NAME_LEN, (void *)name);
	if (n < 1)
		return -1;
	if (len + n - 1 > SW_NAME_LEN - 1)
		return PATH_CUT;
	buf[SW_NAME_LEN - 1] = '\0';
	return 0;
}

/* build_path() for the current task; out (SW_NAME_LEN bytes, or NULL)
 * gets a copy.  0, PATH_CUT or -1. */
static __always_inline int path_of(struct dentry *d, struct vfsmount *vm, char *out)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 root_d = (__u64)BPF_CORE_READ(t, fs, root.dentry);
	__u64 root_m = (__u64)BPF_CORE_READ(t, fs, root.mnt);
	__u32 zero = 0;
	char *buf;
	int ret;

	ret = build_path((__u64)d, (__u64)vm, root_d, root_m);
	if (ret < 0 || !out)
		return ret;
	buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return -1;
	__builtin_memcpy(out, buf, SW_NAME_LEN);
	return ret;
}

/* A code mapping as bpf_find_vma's callback saw it (on the stack, as
 * that helper wants); dentry 0: not a file's executable mapping. */
struct code_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 ino;
	__u64 dentry; /* numbers, for build_path */
	__u64 mnt;
	__u32 dev;
};

static long read_code_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct code_vma *v = data;
	struct file *file = BPF_CORE_READ(vma, vm_file); /* see fill_current */

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->pgoff = vma->vm_pgoff;
	if (!file || !(vma->vm_flags & K_VM_EXEC))
		return 1;
	v->ino = BPF_CORE_READ(file, f_inode, i_ino);
	v->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	v->dentry = (__u64)BPF_CORE_READ(file, f_path.dentry);
	v->mnt = (__u64)BPF_CORE_READ(file, f_path.mnt);
	return 1;
}

static __always_inline bool vma_seen(struct first_stack *fs, __u64 ip)
{
	for (int j = 0; j < STACK_MAPS; j++)
		if (j < fs->n_vmas && ip >= fs->start[j] && ip < fs->end[j])
			return true;
	return false;
}

/* Send v as a SW_REC_MAPPING, its path built from its dentries. */
static __always_inline void send_mapping(struct first_stack *fs, struct code_vma *v)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct sw_mapping_info *m = &fs->rec.map;
	__u32 zero = 0;
	char *path;

	/* A cut path would name another file: no record. */
	if (build_path(v->dentry, v->mnt, (__u64)BPF_CORE_READ(t, fs, root.dentry),
		       (__u64)BPF_CORE_READ(t, fs, root.mnt)))
		return;
	path = bpf_map_lookup_elem(&path_buf, &zero);
	if (!path)
		return;
	m->start = v->start;
	m->end = v->end;
	m->offset = v->pgoff << K_PAGE_SHIFT;
	m->ino = v->ino;
	m->dev = v->dev;
	__builtin_memcpy(m->path, path, sizeof(m->path));
	/* Like every record, it carries the running loss count. */
	fs->rec.lost_mark = (__u32)lost_records;
	bpf_ringbuf_output(&events, &fs->rec, SW_EVENT_MAPPING_SIZE, BPF_RB_NO_WAKEUP);
}

/* bpf_loop step: frame i's mapping, unless an earlier frame's covers it. */
static long mapping_step(__u64 i, void *unused)
{
	struct code_vma v = {};
	struct first_stack *fs;
	__u32 zero = 0, n, k;
	__u64 ip;

	fs = bpf_map_lookup_elem(&first_stacks, &zero);
	if (!fs || i > fs->n_frames || fs->n_vmas >= STACK_MAPS)
		return 1;
	/* After the frames, the leaf's return address. */
	k = i < fs->n_frames ? i : SW_MAX_FRAMES;
	barrier_var(k);
	if (k > SW_MAX_FRAMES)
		return 1;
	ip = fs->ips[k];
	if (vma_seen(fs, ip) || bpf_find_vma(bpf_get_current_task_btf(), ip, read_code_vma, &v, 0))
		return 0;
	n = fs->n_vmas;
	if (n >= STACK_MAPS)
		return 1;
	fs->start[n] = v.start;
	fs->end[n] = v.end;
	fs->n_vmas = n + 1;
	if (v.dentry)
		send_mapping(fs, &v);
	return 0;
}

/*
 * One SW_REC_MAPPING for each file's executable mapping that the first
 * stack's frames (and the leaf's return address) lie in, at most
 * STACK_MAPS mappings looked up.  A global function, so the verifier
 * checks it once per program; only a process image's first stack runs it.
 * A record that finds the ring buffer full is not counted as lost: it is
 * no event, and its stack resolves from /proc while the process lives.
 */
__noinline int send_mappings(__u32 n_frames, __u64 leaf_ret)
{
	struct first_stack *fs;
	__u32 zero = 0;
	__u64 id = bpf_get_current_pid_tgid();

	fs = bpf_map_lookup_elem(&first_stacks, &zero);
	if (!fs)
		return -1;
	fs->ips[SW_MAX_FRAMES] = leaf_ret;
	fs->n_frames = n_frames;
	fs->n_vmas = 0;
	stamp_record(&fs->rec, SW_REC_MAPPING, SW_CALL_NONE);
	fs->rec.pid = id >> 32;
	fs->rec.tid = (__u32)id;
	bpf_loop(SW_MAX_FRAMES + 1, mapping_step, NULL, 0);
	return 0;
}

/*
 * Announce a created tmpfs object: true the first time (then vi->name
 * becomes its path and the path is remembered for unlink, unless it is not
 * whole: a cut path would match another object's, so it matches none).
 */
static __always_inline bool announce_created(struct file *f, struct vma_info *vi)
{
	struct obj_key k = { .ino = vi->ino, .dev = vi->dev };
	__u8 one = 1;
	__u64 h;
	int ret;

	/* A file already unlinked (open, unlink, then ftruncate) has no
	 * name left to announce or to match an unlink against. */
	if (vi->backing != SW_BK_SHMEM_FILE || !(BPF_CORE_READ(f, f_mode) & K_FMODE_CREATED) ||
	    !BPF_CORE_READ(f, f_inode, i_nlink) || bpf_map_lookup_elem(&objs_announced, &k))
		return false;
	ret = path_of(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt),
		      vma_name_buf());
	if (ret < 0)
		return false;
	bpf_map_update_elem(&objs_announced, &k, &one, BPF_ANY);
	if (ret == PATH_CUT) {
		vi->name_cut = 1;
		return true;
	}
	h = hash_path_buf(); /* path_buf still holds it */
	bpf_map_update_elem(&shm_paths, &h, &k, BPF_ANY);
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

/* The file fd names in the current process, or NULL. */
static __always_inline struct file *file_of_fd(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_core_read(&f, sizeof(f), fds + fd);
	return f;
}

/* Is the file on a memory filesystem, where pages are the object? */
static __always_inline bool on_memory_fs(struct file *f)
{
	unsigned long magic = BPF_CORE_READ(f, f_inode, i_sb, s_magic);

	return magic == K_TMPFS_MAGIC || magic == K_HUGETLBFS_MAGIC;
}

/* Emit a record about the object behind fd after call. */
static __always_inline int emit_object(void *ctx, __u32 call, long ret, __u64 args[6],
				       struct file *f, bool want_stack)
{
	struct vma_info vi = { .shmid = -1 };
	struct sw_event *e;
	bool created;

	read_file(f, true, &vi);
	created = call == SW_MEMFD_CREATE || announce_created(f, &vi);
	e = start_call(ctx, call, ret, args, want_stack, SW_EVENT_BASE_SIZE);
	if (!e)
		return 0;
	copy_vma_info(e, &vi);
	e->c.map_size = 0;
	e->c.created = created;
	if (call == SW_MEMFD_CREATE) /* its name as the caller gave it */
		bpf_probe_read_user_str(e->c.name, sizeof(e->c.name), (void *)args[0]);
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

/* The directory a relative path starts from, dfd's or the cwd; 0, or -1
 * when dfd names no file. */
static __always_inline int base_dir(long dfd, struct dentry **dir, struct vfsmount **mnt)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct file *f;

	/* Read as numbers, not followed as BTF pointers: build_path, a
	 * global function, takes them as scalars. */
	if ((int)dfd == -100) { /* AT_FDCWD */
		*dir = BPF_CORE_READ(t, fs, pwd.dentry);
		*mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		return 0;
	}
	f = file_of_fd((int)dfd);
	if (!f)
		return -1;
	*dir = BPF_CORE_READ(f, f_path.dentry);
	*mnt = BPF_CORE_READ(f, f_path.mnt);
	return 0;
}

static __always_inline bool has_slash(const char *s)
{
	for (int i = 0; i < SW_NAME_LEN && s[i]; i++)
		if (s[i] == '/')
			return true;
	return false;
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
	struct obj_key *k, gone = {};
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
	k = cut ? NULL : bpf_map_lookup_elem(&shm_paths, &h);
	if (k) {
		__sync_fetch_and_add(&announced_objs, -1);
		gone = *k;
		bpf_map_delete_elem(&objs_announced, &gone);
		bpf_map_delete_elem(&shm_paths, &h);
	} else if (!has_prefix(path, "/dev/shm/", 9)) {
		return 0;
	}
	e = start_call(ctx, call, ret, args, false, SW_EVENT_BASE_SIZE);
	if (!e)
		return 0;
	e->c.name_cut = cut;
	__builtin_memcpy(e->c.name, path, sizeof(e->c.name));
	if (gone.ino) { /* the announced object this removed */
		e->c.ino = gone.ino;
		e->c.dev = gone.dev;
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

/* A size change of an object (successful or not: a sealed memfd refuses
 * to shrink, a full tmpfs refuses to fallocate).  The stack is kept: a
 * shrink is what a later SIGBUS points back to. */
static __always_inline int resize_exit(void *ctx, long ret, __u32 call)
{
	struct file *f;
	__u64 args[6];

	if (!traced_current())
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
	return resize_exit(ctx, ctx->ret, SW_FTRUNCATE);
}

SEC("tracepoint/syscalls/sys_exit_fallocate")
int sw_fallocate(struct trace_event_raw_sys_exit *ctx)
{
	return resize_exit(ctx, ctx->ret, SW_FALLOCATE);
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
 * The files of a tmpfs holding the most memory (allocated blocks), walked
 * from the superblock's inode list at the moment of a SIGBUS.  The walk
 * reads without the list's lock: good enough for a report, and bounded.
 * One step per bpf_loop iteration, so the verifier checks it once.
 */
#define TOP_SCAN 1024

struct top_walk {
	struct list_head *pos;
	struct list_head *head;
	__u64 link; /* offset of i_sb_list in struct inode */
	struct sw_holder top[SW_TOP_HOLDERS];
};

static long top_step(__u64 i, void *data)
{
	struct top_walk *w = data;
	struct list_head *pos = w->pos; /* a local: CO-RE must not relocate w */
	struct inode *inode;
	__u64 bytes, ino;

	if (!pos || pos == w->head)
		return 1;
	inode = (void *)pos - w->link;
	bytes = (__u64)BPF_CORE_READ(inode, i_blocks) << 9;
	ino = BPF_CORE_READ(inode, i_ino);
	for (int j = 0; j < SW_TOP_HOLDERS; j++) {
		if (bytes > w->top[j].bytes) {
			__u64 b = w->top[j].bytes, n = w->top[j].ino;

			w->top[j].bytes = bytes;
			w->top[j].ino = ino;
			bytes = b;
			ino = n;
		}
	}
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

static __always_inline void top_holders(struct super_block *sb, struct sw_holder *top)
{
	struct top_walk w = {
		.pos = BPF_CORE_READ(sb, s_inodes.next),
		.head = (void *)sb + bpf_core_field_offset(struct super_block, s_inodes),
		.link = bpf_core_field_offset(struct inode, i_sb_list),
	};

	bpf_loop(TOP_SCAN, top_step, &w, 0);
	__builtin_memcpy(top, w.top, sizeof(w.top));
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
		top_holders(fi.sb, e->sig.top);
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
