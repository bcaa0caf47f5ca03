// SPDX-License-Identifier: GPL-2.0
/*
 * stack.bpf.h - the user stacks records carry: call sites already sent
 * (so that a loop pays for one unwind), and a process image's first stack,
 * taken ahead of its record and preceded by the SW_REC_MAPPING records of
 * the files its frames lie in.  Included once, by shmwatch.bpf.c.
 */
#ifndef SW_STACK_BPF_H
#define SW_STACK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "kabi.h"
#include "ring.bpf.h"
#include "vfs.bpf.h"

const volatile bool stacks = true;	/* user stacks on creating/failing calls */

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
	struct file *file = BPF_CORE_READ(vma, vm_file); /* see read_who */

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
	struct sw_mapping_info *m = &fs->rec.map;
	__u32 zero = 0;
	char *path;

	/* A cut path would name another file: no record. */
	if (build_path(v->dentry, v->mnt))
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

#endif
