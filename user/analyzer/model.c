// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - the analyzer's state and how each event changes it.
 *
 * Processes and segments live in hash maps; each address space keeps
 * its live attachments and shared mappings in a range index ordered by
 * start (lib/range.h: O(log n) insert, remove and "what is at addr"), and a small
 * ring of recently detached ranges for use-after-detach.  Nothing here
 * decides a finding: rules.c does, reading this state.  Objects keep the
 * user stack of the event that made them by reference (see model.h).
 *
 * Also the analyzer's constructor, destructor and the seeding entry
 * points, since they only build state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/model.h"
#include "kabi.h"
#include "lib/hash.h"
#include "lib/names.h"

/* ---- shared user stacks --------------------------------------------- */

struct sw_ustack *model_stack_new(struct analyzer *a, const struct sw_event *e)
{
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;
	struct sw_ustack *s;

	if (!n)
		return NULL;
	/* Only the frames captured: most stacks are far below the limit. */
	s = malloc(sizeof(*s) + n * sizeof(s->ip[0]));
	if (!s)
		return NULL;
	s->refs = 1;
	s->pid = e->pid;
	s->n = n;
	memcpy(s->ip, e->stack, n * sizeof(s->ip[0]));
	a->n_stacks++;
	return s;
}

void model_stack_put(struct analyzer *a, struct sw_ustack *s)
{
	if (!s || --s->refs)
		return;
	a->n_stacks--;
	free(s);
}

/* ---- range indexes --------------------------------------------------- */

static __u32 next_prio(struct analyzer *a)
{
	/* xorshift32: priorities only need to look random to keep the
	 * index balanced, and a fixed seed keeps runs reproducible. */
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 17;
	a->rng ^= a->rng << 5;
	return a->rng;
}

static struct sw_range *range_of(struct range_node *n)
{
	return n ? range_entry(n, struct sw_range, rn) : NULL;
}

/* The first range overlapping [start, end). */
static struct sw_range *first_overlap(struct sw_mm *mm, __u64 start, __u64 end)
{
	return range_of(range_first_overlap(&mm->ranges, start, end));
}

/* The first range starting at or after addr. */
static struct sw_range *range_from(struct sw_mm *mm, __u64 addr)
{
	return range_of(range_ceil(&mm->ranges, addr));
}

struct sw_range *model_range_at(struct sw_mm *mm, __u64 addr)
{
	return range_of(range_find(&mm->ranges, addr));
}

bool model_range_overlaps(struct sw_mm *mm, __u64 start, __u64 end)
{
	return first_overlap(mm, start, end) != NULL;
}

/* ---- address spaces -------------------------------------------------- */

static struct sw_mm *mm_new(void)
{
	struct sw_mm *mm = calloc(1, sizeof(*mm));

	if (mm)
		mm->refs = 1;
	return mm;
}

/* A segment whose nattch may have reached 0, or whose creator left:
 * rules look at it once the event is applied. */
static void seg_queue(struct analyzer *a, struct sw_segment *s)
{
	if (s->queued)
		return;
	if (a->n_idle == a->cap_idle) {
		size_t cap = a->cap_idle ? a->cap_idle * 2 : 16;
		struct sw_segment **v = realloc(a->idle, cap * sizeof(*v));

		if (!v)
			return; /* the check is skipped; state stays right */
		a->idle = v;
		a->cap_idle = cap;
	}
	s->queued = true;
	a->idle[a->n_idle++] = s;
}

static void seg_attach(struct analyzer *a, __s32 shmid)
{
	struct sw_segment *s = model_seg(a, shmid);

	if (s) {
		s->nattch++;
		s->attached_ever = true;
		s->rb_pending = false;
	}
}

static void seg_detach(struct analyzer *a, __s32 shmid, __u64 seq)
{
	struct sw_segment *s = model_seg(a, shmid);

	if (!s)
		return;
	/* Untraced processes attach too; never go below zero. */
	if (s->nattch)
		s->nattch--;
	if (seq)
		s->last_detach_seq = seq;
	if (!s->nattch)
		seg_queue(a, s);
}

static void account_add(struct analyzer *a, struct sw_mm *mm, const struct sw_range *r)
{
	if (r->kind == SW_RANGE_ATTACH)
		mm->n_attach++;
	else
		mm->n_map++;
	mm->bytes += r->rn.end - r->rn.start;
}

static void account_del(struct analyzer *a, struct sw_mm *mm, const struct sw_range *r)
{
	if (r->kind == SW_RANGE_ATTACH)
		mm->n_attach--;
	else
		mm->n_map--;
	mm->bytes -= r->rn.end - r->rn.start;
}

static struct sw_range *range_add(struct analyzer *a, struct sw_mm *mm, const struct sw_range *tmpl,
				  __u64 start, __u64 end)
{
	struct sw_range *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *tmpl;
	n->rn.start = start;
	n->rn.end = end;
	model_stack_get(n->stack);
	range_insert(&mm->ranges, &n->rn, next_prio(a));
	account_add(a, mm, n);
	model_obj_range(a, n, +1);
	if (n->kind == SW_RANGE_ATTACH)
		seg_attach(a, n->shmid);
	return n;
}

static void range_free(struct analyzer *a, struct sw_range *n)
{
	model_obj_range(a, n, -1);
	model_stack_put(a, n->stack);
	free(n);
}

static void tomb_clear(struct analyzer *a, struct sw_tomb *t)
{
	model_stack_put(a, t->stack);
	model_stack_put(a, t->map_stack);
	t->stack = NULL;
	t->map_stack = NULL;
	t->valid = false;
}

/* Something is mapped over [start, end) now: older tombstones there no
 * longer describe the address space. */
static void tombs_forget(struct analyzer *a, struct sw_mm *mm, __u64 start, __u64 end)
{
	for (int i = 0; i < SW_TOMBS; i++) {
		struct sw_tomb *t = &mm->tombs[i];

		if (t->valid && t->start < end && start < t->end)
			tomb_clear(a, t);
	}
}

static void tomb_add(struct analyzer *a, struct sw_mm *mm, const struct sw_range *r,
		     __u64 start, __u64 end, enum sw_gone_how how, __u64 seq,
		     struct sw_ustack *gone_stack)
{
	struct sw_tomb *t = &mm->tombs[mm->tomb_next++ % SW_TOMBS];

	tomb_clear(a, t);
	*t = (struct sw_tomb){
		.start = start,
		.end = end,
		.seq = seq,
		.map_seq = r->seq,
		.stack = model_stack_get(gone_stack),
		.map_stack = model_stack_get(r->stack),
		.lost_snap = a->lost_total,
		.shmid = r->shmid,
		.kind = r->kind,
		.how = how,
		.backing = r->backing,
		.valid = true,
		.whole = start == r->rn.start && end == r->rn.end,
	};
}

struct sw_tomb *model_tomb_covering(struct sw_mm *mm, __u64 start, __u64 end)
{
	for (int i = 0; i < SW_TOMBS; i++) {
		struct sw_tomb *t = &mm->tombs[i];

		if (t->valid && t->start <= start && end <= t->end)
			return t;
	}
	return NULL;
}

/*
 * Take [start, end) out of one range: the pieces left and right of the cut
 * stay (a split SysV VMA counts as one more attach, as in the kernel), the
 * cut part is dropped and, when how is non-zero, remembered as detached
 * (by the call seq, whose stack is gone_stack).
 */
static void range_cut(struct analyzer *a, struct sw_mm *mm, struct sw_range *n,
		      __u64 start, __u64 end, enum sw_gone_how how, __u64 seq,
		      struct sw_ustack *gone_stack)
{
	__u64 cut_start = n->rn.start > start ? n->rn.start : start;
	__u64 cut_end = n->rn.end < end ? n->rn.end : end;

	range_remove(&mm->ranges, &n->rn);
	account_del(a, mm, n);
	if (how)
		tomb_add(a, mm, n, cut_start, cut_end, how, seq, gone_stack);
	if (n->rn.start < cut_start)
		range_add(a, mm, n, n->rn.start, cut_start);
	if (cut_end < n->rn.end)
		range_add(a, mm, n, cut_end, n->rn.end);
	if (n->kind == SW_RANGE_ATTACH)
		seg_detach(a, n->shmid, seq);
	range_free(a, n);
}

static struct sw_displaced *displaced_find(const struct sw_mm *mm, __u64 start, __u64 end,
					   __u32 tid, __u8 kind)
{
	for (int i = 0; i < SW_DISPLACED; i++) {
		const struct sw_displaced *d = &mm->displaced[i];

		if (d->valid && d->kind == kind && d->by_tid != tid && d->start <= start &&
		    end <= d->end)
			return (struct sw_displaced *)d;
	}
	return NULL;
}

bool model_displaced(const struct sw_mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind)
{
	return mm && displaced_find(mm, start, end, tid, kind);
}

/* A late unmap record of what a mapping displaced: it was applied then. */
static bool displaced_take(struct sw_mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind)
{
	struct sw_displaced *d = displaced_find(mm, start, end, tid, kind);

	if (d)
		d->valid = false;
	return d != NULL;
}

/* A mapping that could not replace anything landed on [start, end):
 * whatever the model still has there was unmapped unseen so far. */
static void displace(struct sw_mm *mm, __u64 start, __u64 end, __u32 tid)
{
	struct sw_range *n = first_overlap(mm, start, end);

	for (; n && n->rn.start < end; n = range_from(mm, n->rn.end)) {
		struct sw_displaced *d = &mm->displaced[mm->displaced_next++ % SW_DISPLACED];

		*d = (struct sw_displaced){ .start = n->rn.start, .end = n->rn.end, .by_tid = tid,
					    .kind = n->kind, .valid = true };
	}
}

/* Remove whatever overlaps [start, end); returns how many ranges it hit. */
static int mm_remove(struct analyzer *a, struct sw_mm *mm, __u64 start, __u64 end,
		     enum sw_gone_how how, __u64 seq, struct sw_ustack *gone_stack)
{
	struct sw_range *n = first_overlap(mm, start, end);
	int hit = 0;

	while (n) {
		__u64 resume = n->rn.end;

		range_cut(a, mm, n, start, end, how, seq, gone_stack);
		hit++;
		n = resume < end ? first_overlap(mm, resume, end) : NULL;
	}
	return hit;
}

struct free_ctx {
	struct analyzer *a;
	__u64 seq;
};

static void free_one(void *ctx, struct range_node *rn)
{
	struct free_ctx *c = ctx;
	struct sw_range *n = range_of(rn);

	if (n->kind == SW_RANGE_ATTACH)
		seg_detach(c->a, n->shmid, c->seq);
	range_free(c->a, n);
}

/* Drop one reference; the last one detaches everything (exec, exit). */
static void mm_put(struct analyzer *a, struct sw_mm *mm, __u64 seq)
{
	if (!mm || --mm->refs > 0)
		return;
	struct free_ctx c = { .a = a, .seq = seq };

	range_clear(&mm->ranges, free_one, &c);
	for (int i = 0; i < SW_TOMBS; i++)
		tomb_clear(a, &mm->tombs[i]);
	free(mm);
}

struct copy_ctx {
	struct analyzer *a;
	struct sw_mm *dst;
};

static int copy_one(void *ctx, struct range_node *rn)
{
	struct copy_ctx *c = ctx;
	struct sw_range *n = range_of(rn);

	if (!n->dontfork)
		range_add(c->a, c->dst, n, rn->start, rn->end);
	return 0;
}

static void note_peak(struct sw_proc *p)
{
	if (p->mm && p->mm->bytes > p->sum.peak_shared_bytes)
		p->sum.peak_shared_bytes = p->mm->bytes;
}

/* ---- processes -------------------------------------------------------- */

struct sw_proc *model_proc(struct analyzer *a, __u32 pid)
{
	struct hnode *n = hmap_get(&a->procs, pid);

	return n ? (struct sw_proc *)n : NULL;
}

/* src is an event's comm (not always terminated) or a C string. */
static void set_comm(char *dst, const char *src)
{
	size_t n;

	if (!src || !src[0])
		return;
	n = strnlen(src, SW_COMM_LEN - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct sw_proc *model_proc_new(struct analyzer *a, __u32 pid, const char *comm)
{
	struct sw_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mm = mm_new();
	if (!p->mm) {
		free(p);
		return NULL;
	}
	p->node.key = pid;
	list_init(&p->created);
	p->pid = pid;
	p->sum.pid = pid;
	set_comm(p->comm, comm);
	hmap_put(&a->procs, &p->node);
	return p;
}

static bool exited_before(struct analyzer *a, __u32 pid, __u64 ts)
{
	for (int i = 0; i < SW_RECENT_EXITS; i++)
		if (a->exits[i].pid == pid && ts <= a->exits[i].ts)
			return true;
	return false;
}

struct sw_proc *model_proc_for_event(struct analyzer *a, const struct sw_event *e)
{
	struct sw_proc *p = model_proc(a, e->pid);

	if (p) {
		set_comm(p->comm, e->comm);
		return p;
	}
	if (exited_before(a, e->pid, e->ts_ns))
		return NULL;
	return model_proc_new(a, e->pid, e->comm);
}

struct sw_thread *model_thread_find(struct sw_proc *p, __u32 tid)
{
	for (int i = 0; i < SW_THREADS; i++)
		if (p->threads[i].tid == tid && p->threads[i].used)
			return &p->threads[i];
	return NULL;
}

/* A failed result no longer stands (a later success, a new image). */
static void failed_clear(struct analyzer *a, struct sw_failed *f)
{
	model_stack_put(a, f->stack);
	f->stack = NULL;
	f->valid = false;
}

static void thread_clear(struct analyzer *a, struct sw_thread *t)
{
	failed_clear(a, &t->shmget);
	failed_clear(a, &t->shmat);
	failed_clear(a, &t->mmap);
	memset(t, 0, sizeof(*t));
}

static void threads_clear(struct analyzer *a, struct sw_proc *p)
{
	for (int i = 0; i < SW_THREADS; i++)
		thread_clear(a, &p->threads[i]);
}

/* Only SW_THREADS threads per process keep failed results: threads exit
 * without an event, so the least recently used slot is recycled. */
struct sw_thread *model_thread(struct analyzer *a, struct sw_proc *p, __u32 tid)
{
	struct sw_thread *t = model_thread_find(p, tid);

	if (!t) {
		t = &p->threads[0];
		for (int i = 1; i < SW_THREADS; i++)
			if (p->threads[i].used < t->used)
				t = &p->threads[i];
		thread_clear(a, t);
		t->tid = tid;
	}
	t->used = ++a->lru_clock;
	return t;
}

static void record_failure(struct analyzer *a, struct sw_failed *f, const struct sw_event *e,
			   __u64 size, __s32 id)
{
	failed_clear(a, f);
	*f = (struct sw_failed){
		.valid = true,
		.seq = e->seq,
		.ts = e->ts_ns,
		.size = size,
		.ret = e->c.ret,
		.id = id,
		.lost_snap = a->lost_total,
		.stack = model_stack_new(a, e),
	};
}

bool model_dedup_first(struct sw_proc *p, __u64 key)
{
	__u32 i;

	if (!p)
		return true;
	key |= 1; /* 0 marks an empty slot */
	if (p->dedup_n * 2 >= p->dedup_cap) {
		__u32 cap = p->dedup_cap ? p->dedup_cap * 2 : 16;
		__u64 *old = p->dedup, *set;

		if (p->dedup_n >= SW_DEDUP_MAX)
			return false;
		set = calloc(cap, sizeof(*set));
		if (!set)
			return false;
		for (i = 0; i < p->dedup_cap; i++) {
			__u32 j = hash_u64(old[i]) & (cap - 1);

			if (!old[i])
				continue;
			while (set[j])
				j = (j + 1) & (cap - 1);
			set[j] = old[i];
		}
		free(old);
		p->dedup = set;
		p->dedup_cap = cap;
	}
	for (i = hash_u64(key) & (p->dedup_cap - 1); p->dedup[i]; i = (i + 1) & (p->dedup_cap - 1))
		if (p->dedup[i] == key)
			return false;
	p->dedup[i] = key;
	p->dedup_n++;
	return true;
}

/* ---- segments -------------------------------------------------------- */

struct sw_segment *model_seg(struct analyzer *a, __s32 shmid)
{
	struct hnode *n = hmap_get(&a->segs, (__u32)shmid);
	struct sw_segment *s = (struct sw_segment *)n;

	return s && !s->destroyed ? s : NULL;
}

static void seg_link_creator(struct sw_segment *s, struct sw_proc *p)
{
	s->creator = p;
	list_add(&p->created, &s->cnode);
}

static void seg_unlink_creator(struct sw_segment *s)
{
	if (!s->creator)
		return;
	list_del(&s->cnode);
	s->creator = NULL;
}

static struct sw_segment *seg_new(struct analyzer *a, __s32 shmid, __s32 key, __u64 size)
{
	struct sw_segment *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->node.key = (__u32)shmid;
	list_init(&s->cnode);
	s->shmid = shmid;
	s->key = key;
	s->size = size;
	s->lost_snap = a->lost_total;
	hmap_put(&a->segs, &s->node);
	return s;
}

static void seg_free(struct analyzer *a, struct sw_segment *s)
{
	model_stack_put(a, s->stack);
	model_stack_put(a, s->rb_stack);
	free(s);
}

/* Gone from the kernel: forget it now, or at the end of the event when
 * rules may still hold a pointer from a->idle. */
static void seg_destroy(struct analyzer *a, struct sw_segment *s)
{
	seg_unlink_creator(s);
	s->destroyed = true;
	if (s->queued)
		return;
	hmap_del(&a->segs, &s->node);
	seg_free(a, s);
}

bool model_seg_orphaned(const struct analyzer *a, const struct sw_segment *s)
{
	return !s->destroyed && s->creator_known && !s->creator && !s->nattch && !s->rmid &&
	       !a->opts.shm_rmid_forced;
}

void model_shmget(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__s32 key = (__s32)e->c.args[0];
	__u64 size = e->c.args[1], flags = e->c.args[2];
	__s32 id = (__s32)e->c.ret;
	struct sw_segment *s;
	bool surely_new;

	if (sw_ret_is_err(e->c.ret)) {
		if (p)
			record_failure(a, &model_thread(a, p, e->tid)->shmget, e, size, -1);
		return;
	}
	if (p) {
		struct sw_thread *t = model_thread_find(p, e->tid);

		if (t)
			failed_clear(a, &t->shmget);
	}
	surely_new = (flags & K_IPC_CREAT) &&
		     (key == K_IPC_PRIVATE || (flags & K_IPC_EXCL));
	s = model_seg(a, id);
	if (s && surely_new) {
		/* The id was reused: the old segment went away unseen. */
		seg_destroy(a, s);
		s = NULL;
	}
	/* Opened an existing segment, or one we never saw made: a later
	 * shmat will add what matters about it. */
	if (s || !(flags & K_IPC_CREAT))
		return;
	/* An id never seen, with IPC_CREAT: most likely this call made it
	 * (a segment from before the trace would have been seeded). */
	s = seg_new(a, id, key, size);
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
	if (p) {
		seg_link_creator(s, p);
		p->sum.segs_created++;
	} else {
		/* A late event: its creator is already gone. */
		seg_queue(a, s);
	}
}

/* The size a failed shmat asked for, for matching a later fault. */
static __u64 shmat_size(struct analyzer *a, struct sw_thread *t, __s32 id)
{
	struct sw_segment *s = model_seg(a, id);

	if (s && s->size)
		return s->size;
	if (id == -1 && t->shmget.valid)
		return t->shmget.size;
	return 0;
}

static void shmat_failed(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__s32 id = (__s32)e->c.args[0];
	struct sw_thread *t = model_thread(a, p, e->tid);
	struct sw_segment *s = model_seg(a, id);

	record_failure(a, &t->shmat, e, shmat_size(a, t, id), id);
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

void model_shmat(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__s32 id = e->c.shmid >= 0 ? e->c.shmid : (__s32)e->c.args[0];
	struct sw_range tmpl = { .kind = SW_RANGE_ATTACH, .backing = SW_BK_SYSV,
				 .shmid = id, .ino = e->c.ino, .seq = e->seq,
				 .has_base = true, .base = (__u64)e->c.ret };
	struct sw_thread *t;
	__u64 start = (__u64)e->c.ret, len;
	struct sw_segment *s;

	if (!p)
		return;
	if (sw_ret_is_err(e->c.ret)) {
		shmat_failed(a, p, e);
		return;
	}
	t = model_thread_find(p, e->tid);
	if (t)
		failed_clear(a, &t->shmat);
	s = model_seg(a, id);
	if (!s) {
		/* Made before the trace, or by a process we do not see. */
		s = seg_new(a, id, 0, e->c.seg_size);
	}
	len = e->c.seg_size ? e->c.seg_size : e->c.map_size;
	if (!len && s)
		len = s->size;
	len = SW_PAGE_ALIGN(len ? len : SW_PAGE_SIZE);
	if (s && !s->size)
		s->size = e->c.seg_size;
	if (s)
		s->traced = true;
	/* SHM_REMAP replaces whatever was there; without it the kernel had
	 * nothing there, whatever the model says. */
	if (!(e->c.args[2] & K_SHM_REMAP))
		displace(p->mm, start, start + len, e->tid);
	mm_remove(a, p->mm, start, start + len, 0, e->seq, NULL);
	tombs_forget(a, p->mm, start, start + len);
	tmpl.stack = model_stack_new(a, e);
	range_add(a, p->mm, &tmpl, start, start + len);
	model_stack_put(a, tmpl.stack);
	p->sum.attaches++;
	note_peak(p);
}

void model_shmdt(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0], limit;
	struct sw_ustack *gone_stack;
	struct sw_range *n;
	struct sw_segment *s;
	__s32 id;

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	/* The attachment that was there went when another thread's shmat
	 * landed on it: this record comes late, and what is there now is
	 * that thread's. */
	if (displaced_take(p->mm, addr, addr + 1, e->tid, SW_RANGE_ATTACH))
		return;
	n = range_from(p->mm, addr);
	if (!n || n->rn.start != addr || n->kind != SW_RANGE_ATTACH)
		return; /* attached before we could see it */
	/* Like the kernel, detach every piece of this attachment (a partial
	 * munmap may have split it) that lies within the segment's size. */
	id = n->shmid;
	s = model_seg(a, id);
	if (s)
		s->traced = true;
	limit = addr + SW_PAGE_ALIGN(s && s->size ? s->size : n->rn.end - n->rn.start);
	gone_stack = model_stack_new(a, e);
	while (n && n->rn.start < limit && n->kind == SW_RANGE_ATTACH && n->shmid == id) {
		__u64 next = n->rn.end;

		range_cut(a, p->mm, n, n->rn.start, n->rn.end, SW_GONE_SHMDT, e->seq, gone_stack);
		n = range_from(p->mm, next);
	}
	model_stack_put(a, gone_stack);
	p->sum.detaches++;
}

void model_shmctl(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 cmd = e->c.args[1] & ~(__u64)K_IPC_64;
	struct sw_segment *s;

	if (sw_ret_is_err(e->c.ret) || cmd != K_IPC_RMID)
		return;
	if (p)
		p->sum.segs_removed++;
	s = model_seg(a, (__s32)e->c.args[0]);
	if (!s)
		return;
	s->rmid = true;
	s->traced = true;
	s->rb_pending = false;
	if (!s->nattch)
		seg_queue(a, s);
}

/* A shared mapping of anything but a disk file is shared memory; what
 * decides whether the process gets a summary (sw_proc.shared_memory). */
static void note_shared_memory(struct sw_proc *p, __u32 backing)
{
	if (backing != SW_BK_FILE_SHARED)
		p->shared_memory = true;
}

void model_mmap(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	struct sw_range tmpl = { .kind = SW_RANGE_MAP, .backing = (__u8)e->c.backing,
				 .shmid = -1, .dev = e->c.dev, .ino = e->c.ino,
				 .seq = e->seq, .has_base = true,
				 .base = (__u64)e->c.ret - e->c.args[5] };
	__u64 start = (__u64)e->c.ret, len = SW_PAGE_ALIGN(e->c.args[1]);
	struct sw_thread *t;

	if (!p)
		return;
	if (sw_ret_is_err(e->c.ret)) {
		record_failure(a, &model_thread(a, p, e->tid)->mmap, e, e->c.args[1], -1);
		return;
	}
	t = model_thread_find(p, e->tid);
	if (t)
		failed_clear(a, &t->mmap);
	/* MAP_FIXED replaces; and any mapping, even a private one, means
	 * the old tombstones there are stale.  Without MAP_FIXED nothing
	 * was there in the kernel (MAP_FIXED_NOREPLACE fails instead). */
	if (!(e->c.args[3] & K_MAP_FIXED))
		displace(p->mm, start, start + len, e->tid);
	mm_remove(a, p->mm, start, start + len, 0, e->seq, NULL);
	tombs_forget(a, p->mm, start, start + len);
	if (!model_mmap_shared(e->c.args[3]))
		return;
	tmpl.stack = model_stack_new(a, e);
	range_add(a, p->mm, &tmpl, start, start + len);
	model_stack_put(a, tmpl.stack);
	p->sum.shared_maps++;
	note_shared_memory(p, e->c.backing);
	note_peak(p);
	model_obj_mapped(a, p, e);
}

void model_munmap(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 start = e->c.args[0], len = SW_PAGE_ALIGN(e->c.args[1]);
	struct sw_ustack *gone_stack;

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	if (displaced_take(p->mm, start, start + len, e->tid, SW_RANGE_MAP))
		return; /* applied when another thread's mapping landed there */
	gone_stack = model_stack_new(a, e);
	if (mm_remove(a, p->mm, start, start + len, SW_GONE_MUNMAP, e->seq, gone_stack))
		p->sum.shared_unmaps++;
	model_stack_put(a, gone_stack);
}

static bool backing_shared(__u32 backing)
{
	return backing != SW_BK_NONE && backing != SW_BK_ANON_PRIVATE &&
	       backing != SW_BK_FILE_PRIVATE;
}

void model_mremap(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 old = e->c.args[0], old_size = SW_PAGE_ALIGN(e->c.args[1]);
	__u64 new_size = SW_PAGE_ALIGN(e->c.args[2]), flags = e->c.args[3];
	__u64 start = (__u64)e->c.ret;
	struct sw_range tmpl = { .kind = SW_RANGE_MAP, .backing = (__u8)e->c.backing,
				 .shmid = -1, .dev = e->c.dev, .ino = e->c.ino,
				 .seq = e->seq };
	struct sw_ustack *stack;
	struct sw_range *n;
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
		mm_remove(a, p->mm, old, old + old_size, start != old ? SW_GONE_MREMAP : 0, e->seq,
			  stack);
	if (!(flags & K_MREMAP_FIXED))
		displace(p->mm, start, start + new_size, e->tid);
	mm_remove(a, p->mm, start, start + new_size, 0, e->seq, NULL);
	tombs_forget(a, p->mm, start, start + new_size);
	if (known || backing_shared(e->c.backing)) {
		range_add(a, p->mm, &tmpl, start, start + new_size);
		note_shared_memory(p, tmpl.backing);
		note_peak(p);
	}
	model_stack_put(a, tmpl.stack);
	model_stack_put(a, stack);
}

/* Mark the part of n within [start, end) dontfork or not, split off from
 * the rest as the kernel splits the VMA (one more attach for SysV). */
static void range_set_dontfork(struct analyzer *a, struct sw_mm *mm, struct sw_range *n,
			       __u64 start, __u64 end, bool dontfork)
{
	__u64 from = n->rn.start > start ? n->rn.start : start;
	__u64 to = n->rn.end < end ? n->rn.end : end;
	struct sw_range part = *n;

	part.dontfork = dontfork;
	range_remove(&mm->ranges, &n->rn);
	account_del(a, mm, n);
	if (n->rn.start < from)
		range_add(a, mm, n, n->rn.start, from);
	range_add(a, mm, &part, from, to);
	if (to < n->rn.end)
		range_add(a, mm, n, to, n->rn.end);
	if (n->kind == SW_RANGE_ATTACH)
		seg_detach(a, n->shmid, 0);
	range_free(a, n);
}

/* MADV_DONTFORK and MADV_DOFORK (the only advice recorded).  ENOMEM means
 * part of the range was unmapped, and the rest still took the advice. */
void model_madvise(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 start = e->c.args[0], end = start + SW_PAGE_ALIGN(e->c.args[1]);
	bool dontfork = e->c.args[2] == SW_MADV_DONTFORK;
	struct sw_range *n;

	if (!p || (sw_ret_is_err(e->c.ret) && e->c.ret != -ENOMEM))
		return;
	if (e->c.args[2] != SW_MADV_DONTFORK && e->c.args[2] != SW_MADV_DOFORK)
		return;
	for (n = first_overlap(p->mm, start, end); n;) {
		__u64 resume = n->rn.end;

		if (n->dontfork != dontfork)
			range_set_dontfork(a, p->mm, n, start, end, dontfork);
		n = resume < end ? first_overlap(p->mm, resume, end) : NULL;
	}
}

/* ---- lifecycle --------------------------------------------------------- */

struct sw_proc *model_fork(struct analyzer *a, struct sw_proc *parent, const struct sw_event *e)
{
	struct sw_proc *c = model_proc_new(a, e->fork.child_pid, parent ? parent->comm : e->comm);

	if (!c || !parent)
		return c;
	if (e->fork.shares_vm) {
		/* vfork/posix_spawn: one address space until exec. */
		mm_put(a, c->mm, 0);
		c->mm = parent->mm;
		c->mm->refs++;
	} else {
		struct copy_ctx cc = { .a = a, .dst = c->mm };

		range_foreach(&parent->mm->ranges, copy_one, &cc);
		c->sum.peak_shared_bytes = c->mm->bytes;
	}
	return c;
}

void model_exec(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	struct sw_mm *mm = mm_new();

	if (!mm)
		return;
	mm_put(a, p->mm, e->seq);
	p->mm = mm;
	threads_clear(a, p);
}

void model_note_exit(struct analyzer *a, __u32 pid, __u64 ts)
{
	struct sw_exit_rec *r = &a->exits[a->exit_next++ % SW_RECENT_EXITS];

	r->pid = pid;
	r->ts = ts;
}

/* For --check-state: the kernel names a segment's creator and last
 * attacher by pid, and they may be gone by then. */
static void remember_exited(struct analyzer *a, const struct sw_proc *p)
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

void model_exit(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
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
	mm_put(a, p->mm, e ? e->seq : 0);
	p->mm = NULL;
	while (!list_empty(&p->created)) {
		struct sw_segment *s = list_entry(p->created.next, struct sw_segment, cnode);

		seg_unlink_creator(s);
		s->creator_exit_seq = e ? e->seq : 0;
		seg_queue(a, s);
	}
}

void model_proc_free(struct analyzer *a, struct sw_proc *p)
{
	while (!list_empty(&p->created))
		seg_unlink_creator(list_entry(p->created.next, struct sw_segment, cnode));
	mm_put(a, p->mm, 0);
	threads_clear(a, p);
	hmap_del(&a->procs, &p->node);
	free(p->dedup);
	free(p);
}

void model_lost(struct analyzer *a, __u64 n)
{
	a->lost_total += n;
}

void model_end_event(struct analyzer *a)
{
	for (size_t i = 0; i < a->n_idle; i++) {
		struct sw_segment *s = a->idle[i];
		bool gone;

		s->queued = false;
		/* IPC_RMID, or shm_rmid_forced, destroys it at nattch 0;
		 * one nobody created in our sight and nobody holds is
		 * forgotten, as it can never give a finding. */
		gone = s->destroyed ||
		       (!s->nattch && (s->rmid || a->opts.shm_rmid_forced || !s->creator_known));
		if (gone) {
			s->destroyed = false;
			seg_destroy(a, s);
		}
	}
	a->n_idle = 0;
}

/* ---- constructor, seeding ------------------------------------------ */

struct analyzer *analyzer__new(const struct analyzer_opts *opts)
{
	struct analyzer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->opts = *opts;
	a->rng = 2463534242u;
	list_init(&a->objs_wait);
	if (hmap_init(&a->procs, 64) || hmap_init(&a->segs, 64) ||
	    hmap_init(&a->objs, 64) || hmap_init(&a->obj_paths, 64) ||
	    hmap_init(&a->exited, 64)) {
		hmap_fini(&a->procs);
		hmap_fini(&a->segs);
		hmap_fini(&a->objs);
		hmap_fini(&a->obj_paths);
		free(a);
		return NULL;
	}
	return a;
}

void analyzer__free(struct analyzer *a)
{
	struct hmap_iter it;
	struct hnode *n;

	if (!a)
		return;
	a->n_idle = 0;
	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it)))
		model_proc_free(a, (struct sw_proc *)n);
	/* Segments queued by the frees above need no check any more. */
	for (size_t i = 0; i < a->n_idle; i++)
		a->idle[i]->queued = false;
	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it)))
		seg_free(a, (struct sw_segment *)n);
	hmap_iter_init(&it, &a->objs);
	while ((n = hmap_iter_next(&it)))
		model_obj_free(a, (struct sw_shmobj *)n);
	hmap_iter_init(&it, &a->exited);
	while ((n = hmap_iter_next(&it)))
		free(n);
	hmap_fini(&a->exited);
	hmap_fini(&a->procs);
	hmap_fini(&a->segs);
	hmap_fini(&a->objs);
	hmap_fini(&a->obj_paths);
	free(a->idle);
	free(a);
}

/* Segments seeded before their creator was known join its list now. */
static void adopt_segments(struct analyzer *a, struct sw_proc *p)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		struct sw_segment *s = (struct sw_segment *)n;

		if (s->creator_pid == p->pid && !s->creator && !s->creator_exit_seq &&
		    !s->destroyed) {
			s->creator_known = true;
			memcpy(s->creator_comm, p->comm, SW_COMM_LEN);
			seg_link_creator(s, p);
		}
	}
}

void analyzer__seed_process(struct analyzer *a, __u32 pid, const char *comm)
{
	struct sw_proc *p = model_proc(a, pid);

	if (!p)
		p = model_proc_new(a, pid, comm);
	else
		set_comm(p->comm, comm);
	if (p)
		adopt_segments(a, p);
}

void analyzer__seed_segment(struct analyzer *a, const struct sw_seed_segment *ss)
{
	struct sw_segment *s = model_seg(a, ss->shmid);
	struct sw_proc *creator;

	if (!s)
		s = seg_new(a, ss->shmid, ss->key, ss->size);
	if (!s)
		return;
	s->key = ss->key;
	s->size = ss->size;
	/* The kernel's count includes processes we do not trace. */
	s->nattch = ss->nattch;
	s->rmid = ss->removed;
	s->attached_ever = ss->nattch > 0;
	s->creator_pid = ss->cpid;
	creator = model_proc(a, ss->cpid);
	if (creator && !s->creator) {
		s->creator_known = true;
		memcpy(s->creator_comm, creator->comm, SW_COMM_LEN);
		seg_link_creator(s, creator);
	}
}

void analyzer__seed_mapping(struct analyzer *a, const struct sw_seed_mapping *m)
{
	struct sw_proc *p = model_proc(a, m->pid);
	struct sw_range tmpl = {
		.kind = m->backing == SW_BK_SYSV ? SW_RANGE_ATTACH : SW_RANGE_MAP,
		.backing = (__u8)m->backing,
		.shmid = m->backing == SW_BK_SYSV ? m->shmid : -1,
		.dev = m->dev,
		.ino = m->ino,
		.has_base = true,
		.base = m->start - m->offset,
	};
	struct sw_range *n;

	if (!p)
		p = model_proc_new(a, m->pid, NULL);
	if (!p || m->end <= m->start)
		return;
	mm_remove(a, p->mm, m->start, m->end, 0, 0, NULL);
	n = range_add(a, p->mm, &tmpl, m->start, m->end);
	note_shared_memory(p, m->backing);
	/* A seeded segment's nattch, from the kernel, already counts this
	 * attachment; one seeded later will be set from the kernel too. */
	if (n && n->kind == SW_RANGE_ATTACH) {
		struct sw_segment *s = model_seg(a, n->shmid);

		if (s && s->nattch)
			s->nattch--;
	}
	note_peak(p);
}

/* ---- read-only views (--check-state) --------------------------------- */

void analyzer__foreach_segment(const struct analyzer *a, analyzer_segment_fn fn, void *ctx)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		const struct sw_segment *s = (const struct sw_segment *)n;
		struct sw_segment_view v = {
			.shmid = s->shmid,
			.key = s->key,
			.size = s->size,
			.nattch = s->nattch,
			.creator_pid = s->creator_pid,
			.creator_known = s->creator_known,
			.rmid = s->rmid,
			.uncertain = s->lost_snap != a->lost_total,
			.traced = s->traced,
		};

		if (!s->destroyed && fn(ctx, &v))
			return;
	}
}

void analyzer__foreach_process(const struct analyzer *a, analyzer_process_fn fn, void *ctx)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		const struct sw_proc *p = (const struct sw_proc *)n;

		if (!p->exited && p->mm && fn(ctx, p->pid, p->comm))
			return;
	}
}

struct view_ctx {
	__u32 pid;
	analyzer_range_fn fn;
	void *ctx;
};

/* In order of start; non-zero from fn stops the walk. */
static int view_one(void *ctx, struct range_node *rn)
{
	struct view_ctx *c = ctx;
	const struct sw_range *r = range_of(rn);
	struct sw_range_view v = {
		.pid = c->pid,
		.start = rn->start,
		.end = rn->end,
		.sysv = r->kind == SW_RANGE_ATTACH,
		.shmid = r->shmid,
		.backing = r->backing,
	};

	return c->fn(c->ctx, &v);
}

int analyzer__foreach_range(const struct analyzer *a, __u32 pid, analyzer_range_fn fn, void *ctx)
{
	const struct sw_proc *p = (const struct sw_proc *)hmap_get(&a->procs, pid);
	struct view_ctx c = { .pid = pid, .fn = fn, .ctx = ctx };

	if (!p || p->exited || !p->mm)
		return -ENOENT;
	range_foreach(&p->mm->ranges, view_one, &c);
	return 0;
}

bool analyzer__exited_sysv(const struct analyzer *a, __u32 pid)
{
	return hmap_get(&a->exited, pid) != NULL;
}

__u64 analyzer__lost_total(const struct analyzer *a)
{
	return a->lost_total;
}
