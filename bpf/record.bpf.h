// SPDX-License-Identifier: GPL-2.0
/*
 * record.bpf.h - how a record starts and leaves: start_record() reserves
 * it (with a stack when asked, see stack.bpf.h), stamps it and fills in the
 * process it is about; start_call() adds a system call's result and
 * arguments; submit() queues it and wakes the reader in batches.  Every
 * program's record starts here.  Included once, by shmwatch.bpf.c.
 */
#ifndef SW_RECORD_BPF_H
#define SW_RECORD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "ring.bpf.h"
#include "stack.bpf.h"

const volatile __u64 wakeup_every = 1; /* records per CPU between wake-ups */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} since_wakeup SEC(".maps");

/*
 * Reserve a record of size bytes (a constant: SW_EVENT_CALL_SIZE,
 * SW_EVENT_BASE_SIZE or SW_EVENT_SPACE_SIZE, see events.h), zeroed, with
 * kind, call and time set.  With want_stack (and stacks on) the record
 * runs to the end of the user stack, or of the struct for
 * SW_EVENT_SPACE_SIZE, unless the syscall comes from a site already
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
		e = bpf_ringbuf_reserve(&events, size > SW_EVENT_STACK_SIZE ? size :
						 SW_EVENT_STACK_SIZE, 0);
		if (e) {
			__builtin_memset(e, 0, __builtin_offsetof(struct sw_event, stack));
			if (size > SW_EVENT_STACK_SIZE)
				__builtin_memset(&e->space, 0, sizeof(e->space));
		}
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

/* The cgroup v2 id of t's cgroup, as bpf_get_current_cgroup_id gives it
 * for current. */
static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/* The number a struct pid has in its own (deepest) PID namespace, level
 * levels down: 0 in the initial one, where the record's pid says it.
 * numbers[] at a variable index is read (bpf_core_read), not loaded,
 * however pid was had. */
static __always_inline __u32 ns_pid_nr(struct pid *pid, unsigned int level)
{
	int nr = 0;

	if (!level || level > 31)
		return 0;
	bpf_core_read(&nr, sizeof(nr), &pid->numbers[level].nr);
	return nr;
}

/* An IPC namespace by its inode number, 0 for the initial one (see
 * sw_event.ipc_ns). */
static __always_inline __u32 ipc_ns_id(__u32 inum)
{
	return inum == K_PROC_IPC_INIT_INO ? 0 : inum;
}

/* The tgid as the process's own PID namespace numbers it. */
static __always_inline __u32 ns_pid_of(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, group_leader, thread_pid);

	return ns_pid_nr(pid, BPF_CORE_READ(pid, level));
}

/* t's IPC namespace. */
static __always_inline __u32 ipc_ns_of(struct task_struct *t)
{
	return ipc_ns_id(BPF_CORE_READ(t, nsproxy, ipc_ns, ns.inum));
}

/* The current task's mount namespace (see sw_call_info.mnt_ns). */
static __always_inline __u32 mnt_ns_current(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
}

static __always_inline void fill_task(struct sw_event *e, struct task_struct *t)
{
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->ns_pid = ns_pid_of(t);
	e->ipc_ns = ipc_ns_of(t);
	e->cgroup_id = task_cgroup_id(t);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

/*
 * Who current is, as every record about it says: filled by read_who()
 * in this CPU's who_buf, then copied into the record.
 */
struct who {
	__u64 cgroup_id;
	__u32 ppid;
	__u32 uid;
	__u32 ns_pid;
	__u32 ipc_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct who);
} who_buf SEC(".maps");

/*
 * Plain loads through current's task_struct, not CO-RE reads: each
 * bpf_probe_read_kernel is a helper call (about 20 ns here), and the
 * nine these fields took, with the uid and cgroup helpers, cost every
 * record about 500 ns (bpf_stats on munmap: 935 -> 517 ns).  A plain
 * load of a pointer field costs the verifier a search of the kernel's
 * BTF instead (1-2 ms on 6.18) each time it walks the load, so the loads
 * live in this global function, which the verifier checks once per
 * program whatever the number of callers and paths.
 */
__noinline int read_who(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 zero = 0;
	struct who *w = bpf_map_lookup_elem(&who_buf, &zero);
	struct pid *pid;

	if (!w)
		return -1;
	pid = t->group_leader->thread_pid;
	w->cgroup_id = t->cgroups->dfl_cgrp->kn->id; /* bpf_get_current_cgroup_id */
	w->ppid = t->real_parent->tgid;
	w->uid = t->cred->uid.val; /* bpf_get_current_uid_gid, in the initial userns */
	w->ns_pid = ns_pid_nr(pid, pid->level);
	w->ipc_ns = ipc_ns_id(t->nsproxy->ipc_ns->ns.inum);
	return 0;
}

static __always_inline void fill_current(struct sw_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct who *w;

	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	if (read_who())
		return;
	w = bpf_map_lookup_elem(&who_buf, &zero);
	if (!w)
		return;
	e->cgroup_id = w->cgroup_id;
	e->ppid = w->ppid;
	e->uid = w->uid;
	e->ns_pid = w->ns_pid;
	e->ipc_ns = w->ipc_ns;
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

#endif
