// SPDX-License-Identifier: GPL-2.0
/*
 * apply.c - how each call and lifecycle event changes the analyzer's
 * state, through the primitives of state.c, space.c and objects.c.
 * Nothing here decides a finding: rules_*.c do, reading this state
 * before and after (analyzer.c runs them around apply_call).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/apply.h"
#include "analyzer/objects.h"
#include "analyzer/space.h"
#include "lib/names.h"
#include "kabi.h"

static void model_shmget(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__s32 key = (__s32)e->c.args[0];
	__u64 size = e->c.args[1], flags = e->c.args[2];
	__s32 id = (__s32)e->c.ret;
	struct segment *s;
	bool surely_new;

	if (sw_ret_is_err(e->c.ret)) {
		if (p)
			model_record_failure(a, &model_thread(a, p, e->tid)->shmget, e, size, -1);
		return;
	}
	if (p) {
		struct thread *t = model_thread_find(p, e->tid);

		if (t)
			model_failed_clear(a, &t->shmget);
	}
	surely_new = (flags & K_IPC_CREAT) &&
		     (key == K_IPC_PRIVATE || (flags & K_IPC_EXCL));
	s = model_seg(a, e->ipc_ns, id);
	if (s && surely_new) {
		/* The id was reused: the old segment went away unseen. */
		model_seg_destroy(a, s);
		s = NULL;
	}
	/* Opened an existing segment, or one we never saw made: a later
	 * shmat will add what matters about it. */
	if (s || !(flags & K_IPC_CREAT))
		return;
	/* An id never seen, with IPC_CREAT: most likely this call made it
	 * (a segment from before the trace would have been seeded). */
	s = model_seg_new(a, e->ipc_ns, id, key, size);
	if (!s)
		return;
	s->creator_known = true;
	s->traced = true;
	s->creator_pid = e->pid;
	s->creator_tid = e->tid;
	memcpy(s->creator_comm, e->comm, SW_COMM_LEN);
	s->creator_comm[SW_COMM_LEN - 1] = '\0';
	s->create_seq = e->seq;
	s->stack = model_stack_new(a, e);
	model_held_seg(a, s);
	if (p) {
		model_seg_link_creator(s, p);
		p->sum.segs_created++;
	} else {
		/* A late event: its creator is already gone. */
		model_seg_queue(a, s);
	}
}

/* The size a failed shmat asked for, for matching a later fault. */
static __u64 shmat_size(struct analyzer *a, struct thread *t, __u32 ipc_ns, __s32 id)
{
	struct segment *s = model_seg(a, ipc_ns, id);

	if (s && s->size)
		return s->size;
	if (id == -1 && t->shmget.valid)
		return t->shmget.size;
	return 0;
}

static void shmat_failed(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__s32 id = (__s32)e->c.args[0];
	struct thread *t = model_thread(a, p, e->tid);
	struct segment *s = model_seg(a, e->ipc_ns, id);

	model_record_failure(a, &t->shmat, e, shmat_size(a, t, e->ipc_ns, id), id);
	/* The creator's first attach failed: from here on the segment is
	 * half-initialised until the process removes it. */
	if (s && s->creator == p && !s->attached_ever && !s->rmid && !s->rb_pending) {
		s->rb_pending = true;
		s->rb_at_seq = e->seq;
		s->rb_ret = e->c.ret;
		s->rb_tid = e->tid;
		s->rb_lost_snap = a->lost_total;
		model_stack_put(a, s->rb_stack);
		s->rb_stack = model_stack_get(t->shmat.stack);
	}
}

static void model_shmat(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__s32 id = e->c.shmid >= 0 ? e->c.shmid : (__s32)e->c.args[0];
	struct mapping tmpl = { .kind = SW_RANGE_ATTACH, .backing = SW_BK_SYSV,
				 .shmid = id, .ipc_ns = e->ipc_ns, .ino = e->c.ino,
				 .seq = e->seq,
				 .has_base = true, .base = (__u64)e->c.ret };
	struct thread *t;
	__u64 start = (__u64)e->c.ret, len;
	struct segment *s;

	if (!p)
		return;
	if (sw_ret_is_err(e->c.ret)) {
		shmat_failed(a, p, e);
		return;
	}
	t = model_thread_find(p, e->tid);
	if (t) {
		model_failed_clear(a, &t->shmat);
		t->sysv_ok_seq = e->seq;
	}
	s = model_seg(a, e->ipc_ns, id);
	if (!s) {
		/* Made before the trace, or by a process we do not see. */
		s = model_seg_new(a, e->ipc_ns, id, 0, e->c.seg_size);
	}
	len = e->c.seg_size ? e->c.seg_size : e->c.map_size;
	if (!len && s)
		len = s->size;
	len = SW_PAGE_ALIGN(len ? len : SW_PAGE_SIZE);
	if (s && !s->size)
		model_seg_set_size(a, s, e->c.seg_size);
	if (s) {
		s->traced = true;
		model_held_seg(a, s);
	}
	/* SHM_REMAP replaces whatever was there; without it the kernel had
	 * nothing there, whatever the model says. */
	if (!(e->c.args[2] & K_SHM_REMAP))
		model_displace(p->mm, start, start + len, e->tid);
	model_mm_remove(a, p->mm, start, start + len, 0, e->seq, NULL);
	model_tombs_forget(a, p->mm, start, start + len);
	tmpl.stack = model_stack_new(a, e);
	model_range_add(a, p->mm, &tmpl, start, start + len);
	model_stack_put(a, tmpl.stack);
	p->sum.attaches++;
	model_note_peak(p);
}

/* A successful SysV call of the thread: what it passes from now on is
 * not the result of its older failures. */
static void note_sysv_ok(struct proc *p, const struct sw_event *e)
{
	struct thread *t = p ? model_thread_find(p, e->tid) : NULL;

	if (t && !sw_ret_is_err(e->c.ret))
		t->sysv_ok_seq = e->seq;
}

static void model_shmdt(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0], limit;
	struct ustack *gone_stack;
	struct mapping *n;
	struct segment *s;
	__u32 ns;
	__s32 id;

	note_sysv_ok(p, e);
	if (!p || sw_ret_is_err(e->c.ret))
		return;
	/* The attachment that was there went when another thread's shmat
	 * landed on it: this record comes late, and what is there now is
	 * that thread's. */
	if (model_displaced_take(p->mm, addr, addr + 1, e->tid, SW_RANGE_ATTACH))
		return;
	n = model_range_from(p->mm, addr);
	if (!n || n->rn.start != addr || n->kind != SW_RANGE_ATTACH)
		return; /* attached before we could see it */
	/* Like the kernel, detach every piece of this attachment (a partial
	 * munmap may have split it) that lies within the segment's size. */
	id = n->shmid;
	ns = n->ipc_ns;
	s = model_seg_of(a, n);
	if (s) {
		s->traced = true;
		model_held_seg(a, s);
	}
	limit = addr + SW_PAGE_ALIGN(s && s->size ? s->size : n->rn.end - n->rn.start);
	gone_stack = model_stack_new(a, e);
	while (n && n->rn.start < limit && n->kind == SW_RANGE_ATTACH && n->shmid == id &&
	       n->ipc_ns == ns) {
		__u64 next = n->rn.end;

		model_range_cut(a, p->mm, n, n->rn.start, n->rn.end, SW_GONE_SHMDT, e->seq,
				gone_stack);
		n = model_range_from(p->mm, next);
	}
	model_stack_put(a, gone_stack);
	p->sum.detaches++;
}

static void model_shmctl(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 cmd = e->c.args[1] & ~(__u64)K_IPC_64;
	struct segment *s;

	note_sysv_ok(p, e);
	if (sw_ret_is_err(e->c.ret) || cmd != K_IPC_RMID)
		return;
	if (p)
		p->sum.segs_removed++;
	s = model_seg(a, e->ipc_ns, (__s32)e->c.args[0]);
	model_removal_add(a, p, e, s);
	if (!s)
		return;
	s->rmid = true;
	s->traced = true;
	model_held_seg(a, s);
	s->rb_pending = false;
	if (!s->nattch)
		model_seg_queue(a, s);
}

static void model_mmap(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct mapping tmpl = { .kind = SW_RANGE_MAP, .backing = (__u8)e->c.backing,
				 .shmid = -1, .dev = e->c.dev, .ino = e->c.ino,
				 .seq = e->seq, .has_base = true,
				 .base = (__u64)e->c.ret - e->c.args[5] };
	__u64 start = (__u64)e->c.ret, len = SW_PAGE_ALIGN(e->c.args[1]);
	struct thread *t;

	if (!p)
		return;
	if (sw_ret_is_err(e->c.ret)) {
		model_record_failure(a, &model_thread(a, p, e->tid)->mmap, e, e->c.args[1], -1);
		return;
	}
	t = model_thread_find(p, e->tid);
	if (t)
		model_failed_clear(a, &t->mmap);
	/* MAP_FIXED replaces; and any mapping, even a private one, means
	 * the old tombstones there are stale.  Without MAP_FIXED nothing
	 * was there in the kernel (MAP_FIXED_NOREPLACE fails instead). */
	if (!(e->c.args[3] & K_MAP_FIXED))
		model_displace(p->mm, start, start + len, e->tid);
	model_mm_remove(a, p->mm, start, start + len, 0, e->seq, NULL);
	model_tombs_forget(a, p->mm, start, start + len);
	if (!model_mmap_shared(e->c.args[3]))
		return;
	tmpl.stack = model_stack_new(a, e);
	model_range_add(a, p->mm, &tmpl, start, start + len);
	model_stack_put(a, tmpl.stack);
	p->sum.shared_maps++;
	model_note_shared_memory(p, e->c.backing);
	model_note_peak(p);
	model_obj_mapped(a, p, e);
}

static void model_munmap(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 start = e->c.args[0], len = SW_PAGE_ALIGN(e->c.args[1]);
	struct ustack *gone_stack;

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	if (model_displaced_take(p->mm, start, start + len, e->tid, SW_RANGE_MAP))
		return; /* applied when another thread's mapping landed there */
	gone_stack = model_stack_new(a, e);
	if (model_mm_remove(a, p->mm, start, start + len, SW_GONE_MUNMAP, e->seq, gone_stack))
		p->sum.shared_unmaps++;
	model_stack_put(a, gone_stack);
}

static bool backing_shared(__u32 backing)
{
	return backing != SW_BK_NONE && backing != SW_BK_ANON_PRIVATE &&
	       backing != SW_BK_FILE_PRIVATE;
}

static void model_mremap(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 old = e->c.args[0], old_size = SW_PAGE_ALIGN(e->c.args[1]);
	__u64 new_size = SW_PAGE_ALIGN(e->c.args[2]), flags = e->c.args[3];
	__u64 start = (__u64)e->c.ret;
	struct mapping tmpl = { .kind = SW_RANGE_MAP, .backing = (__u8)e->c.backing,
				 .shmid = -1, .dev = e->c.dev, .ino = e->c.ino,
				 .seq = e->seq };
	struct ustack *stack;
	struct mapping *n;
	bool known;

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	n = model_range_at(p->mm, old);
	known = n != NULL;
	if (n) {
		tmpl = *n;
		tmpl.seq = e->seq;
		tmpl.base = start - (old - n->base); /* the same offset moved */
	}
	/* The moved range remembers the mremap or, when it came without a
	 * stack, the call that first mapped it; a reference is taken, as
	 * removing the old range below may drop n's. */
	stack = model_stack_new(a, e);
	tmpl.stack = model_stack_get(stack ? stack : n ? n->stack : NULL);
	/* old_size 0 duplicates a shared mapping; DONTUNMAP keeps the old
	 * one; otherwise the old range goes, and if it moved, a stale
	 * pointer into it is a use after unmap. */
	if (old_size && !(flags & K_MREMAP_DONTUNMAP))
		model_mm_remove(a, p->mm, old, old + old_size, start != old ? SW_GONE_MREMAP : 0,
				e->seq, stack);
	if (!(flags & K_MREMAP_FIXED))
		model_displace(p->mm, start, start + new_size, e->tid);
	model_mm_remove(a, p->mm, start, start + new_size, 0, e->seq, NULL);
	model_tombs_forget(a, p->mm, start, start + new_size);
	if (known || backing_shared(e->c.backing)) {
		model_range_add(a, p->mm, &tmpl, start, start + new_size);
		model_note_shared_memory(p, tmpl.backing);
		model_note_peak(p);
	}
	model_stack_put(a, tmpl.stack);
	model_stack_put(a, stack);
}

/* MADV_DONTFORK and MADV_DOFORK (the only advice recorded).  ENOMEM means
 * part of the range was unmapped, and the rest still took the advice. */
static void model_madvise(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 start = e->c.args[0], end = start + SW_PAGE_ALIGN(e->c.args[1]);
	bool dontfork = e->c.args[2] == SW_MADV_DONTFORK;
	struct mapping *n;

	if (!p || (sw_ret_is_err(e->c.ret) && e->c.ret != -ENOMEM))
		return;
	if (e->c.args[2] != SW_MADV_DONTFORK && e->c.args[2] != SW_MADV_DOFORK)
		return;
	for (n = model_first_overlap(p->mm, start, end); n;) {
		__u64 resume = n->rn.end;

		if (n->dontfork != dontfork)
			model_range_set_dontfork(a, p->mm, n, start, end, dontfork);
		n = resume < end ? model_first_overlap(p->mm, resume, end) : NULL;
	}
}

struct proc *model_fork(struct analyzer *a, struct proc *parent, const struct sw_event *e)
{
	struct proc *c = model_proc_new(a, e->fork.child_pid, parent ? parent->comm : e->comm);

	if (!c || !parent)
		return c;
	c->holdings_unknown = parent->holdings_unknown;
	if (e->fork.shares_vm) {
		/* vfork/posix_spawn: one address space until exec. */
		model_mm_put(a, c->mm, 0);
		c->mm = parent->mm;
		c->mm->refs++;
	} else {
		model_mm_copy(a, c->mm, parent->mm);
		c->sum.peak_shared_bytes = c->mm->bytes;
	}
	return c;
}

/* "python3 -c from x import y" from the NUL-ended arguments, "..." at
 * the end when cut; exe when there are none (a log from before). */
static void join_argv(char dst[SW_CMDLINE_LEN], const struct sw_exec_info *x, const char *exe)
{
	__u32 len = x->argv_len < SW_ARGV_LEN ? x->argv_len : SW_ARGV_LEN;

	if (!len) {
		snprintf(dst, SW_CMDLINE_LEN, "%s", exe);
		return;
	}
	memcpy(dst, x->argv, len);
	/* A trailing NUL ends the last argument; the others become spaces. */
	if (!dst[len - 1])
		len--;
	for (__u32 i = 0; i < len; i++)
		if (!dst[i])
			dst[i] = ' ';
	strcpy(dst + len, x->argv_cut ? "..." : "");
}

void model_exec(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct mm *mm = model_mm_new();

	if (!mm)
		return;
	model_mm_put(a, p->mm, e->seq);
	p->mm = mm;
	p->holdings_unknown = false;
	model_threads_clear(a, p);
	memcpy(p->exe, e->exec.filename, sizeof(p->exe));
	p->exe[sizeof(p->exe) - 1] = '\0';
	join_argv(p->cmdline, &e->exec, p->exe);
}

/* For --check-state: the kernel names a segment's creator and last
 * attacher by pid, and they may be gone by then. */
static void remember_exited(struct analyzer *a, const struct proc *p)
{
	const struct sw_proc_summary *s = &p->sum;
	struct hnode *n;

	if (!a->opts.keep_exited || hmap_get(&a->exited, p->pid))
		return;
	if (!s->segs_created && !s->segs_removed && !s->attaches && !s->detaches &&
	    !(p->mm && p->mm->n_attach))
		return;
	n = calloc(1, sizeof(*n));
	if (!n)
		return; /* its segments are then compared only while held */
	n->key = p->pid;
	hmap_put(&a->exited, n);
}

void model_exit(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	model_note_exit(a, p->pid, e ? e->ts_ns : 0);
	remember_exited(a, p);
	p->exited = true;
	p->sum.exited = true;
	/* A vfork child's holdings are its parent's. */
	if (p->mm && p->mm->refs == 1) {
		p->sum.held_attachments = model_holdings(p->mm);
		p->sum.held_bytes = p->mm->bytes;
	}
	model_mm_put(a, p->mm, e ? e->seq : 0);
	p->mm = NULL;
	while (!list_empty(&p->created)) {
		struct segment *s = list_entry(p->created.next, struct segment, cnode);

		model_seg_unlink_creator(s);
		s->creator_exit_seq = e ? e->seq : 0;
		model_seg_queue(a, s);
	}
}

void model_proc_free(struct analyzer *a, struct proc *p)
{
	while (!list_empty(&p->created))
		model_seg_unlink_creator(list_entry(p->created.next, struct segment, cnode));
	while (!list_empty(&p->objs))
		list_del(p->objs.next);
	model_mm_put(a, p->mm, 0);
	model_threads_clear(a, p);
	hmap_del(&a->procs, &p->node);
	a->dedup_bytes -= p->dedup_cap * sizeof(*p->dedup);
	free(p->dedup);
	free(p);
}

void apply_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	switch (e->call) {
	case SW_SHMGET:
		model_shmget(a, p, e);
		break;
	case SW_SHMAT:
		model_shmat(a, p, e);
		break;
	case SW_SHMDT:
		model_shmdt(a, p, e);
		break;
	case SW_SHMCTL:
		model_shmctl(a, p, e);
		break;
	case SW_MMAP:
		model_mmap(a, p, e);
		break;
	case SW_MUNMAP:
		model_munmap(a, p, e);
		break;
	case SW_MREMAP:
		model_mremap(a, p, e);
		break;
	case SW_MADVISE:
		model_madvise(a, p, e);
		break;
	case SW_MEMFD_CREATE:
	case SW_UNLINK:
	case SW_UNLINKAT:
	case SW_FTRUNCATE:
	case SW_FALLOCATE:
	case SW_WRITE:
	case SW_PWRITE64:
		model_obj_call(a, p, e);
		break;
	}
}
