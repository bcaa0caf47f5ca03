// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - the state primitives on processes, threads, SysV segments
 * (and their use per IPC namespace) and shared user stacks (see
 * state.h).  Calls nothing else in the analyzer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/state.h"
#include "lib/hash.h"
#include "lib/names.h"

struct ustack *model_stack_new(struct analyzer *a, const struct sw_event *e)
{
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;
	struct ustack *s;

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
	a->stack_bytes += sizeof(*s) + n * sizeof(s->ip[0]);
	return s;
}

void model_stack_put(struct analyzer *a, struct ustack *s)
{
	if (!s || --s->refs)
		return;
	a->n_stacks--;
	a->stack_bytes -= sizeof(*s) + s->n * sizeof(s->ip[0]);
	free(s);
}

struct mm *model_mm_new(void)
{
	struct mm *mm = calloc(1, sizeof(*mm));

	if (mm)
		mm->refs = 1;
	return mm;
}

/* A segment whose nattch may have reached 0, or whose creator left:
 * rules look at it once the event is applied. */
void model_seg_queue(struct analyzer *a, struct segment *s)
{
	if (s->queued)
		return;
	if (a->n_idle == a->cap_idle) {
		size_t cap = a->cap_idle ? a->cap_idle * 2 : 16;
		struct segment **v = realloc(a->idle, cap * sizeof(*v));

		if (!v)
			return; /* the check is skipped; state stays right */
		a->idle = v;
		a->cap_idle = cap;
	}
	s->queued = true;
	a->idle[a->n_idle++] = s;
}

void model_seg_attach(struct analyzer *a, const struct mapping *n)
{
	struct segment *s = model_seg_of(a, n);

	if (s) {
		s->nattch++;
		s->attached_ever = true;
		s->rb_pending = false;
	}
}

void model_seg_detach(struct analyzer *a, const struct mapping *n, __u64 seq)
{
	struct segment *s = model_seg_of(a, n);

	if (!s)
		return;
	/* Untraced processes attach too; never go below zero. */
	if (s->nattch)
		s->nattch--;
	if (seq)
		s->last_detach_seq = seq;
	if (!s->nattch)
		model_seg_queue(a, s);
}

void model_note_peak(struct proc *p)
{
	if (p->mm && p->mm->bytes > p->sum.peak_shared_bytes)
		p->sum.peak_shared_bytes = p->mm->bytes;
}

/* src is an event's comm (not always terminated) or a C string. */
void model_set_comm(char *dst, const char *src)
{
	size_t n;

	if (!src || !src[0])
		return;
	n = strnlen(src, SW_COMM_LEN - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct proc *model_proc_new(struct analyzer *a, __u32 pid, const char *comm)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mm = model_mm_new();
	if (!p->mm) {
		free(p);
		return NULL;
	}
	p->node.key = pid;
	list_init(&p->created);
	list_init(&p->objs);
	p->pid = pid;
	p->gen = ++a->proc_gen;
	p->last_seq = a->now_seq;
	p->sum.pid = pid;
	model_set_comm(p->comm, comm);
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

void model_proc_set_parent(struct proc *c, const struct proc *parent)
{
	int n = parent->n_anc < SW_ANCESTRY - 1 ? parent->n_anc : SW_ANCESTRY - 1;

	c->anc[0] = model_proc_ref(parent);
	memcpy(&c->anc[1], parent->anc, n * sizeof(c->anc[0]));
	c->n_anc = (__u8)(n + 1);
}

struct proc *model_ref_live(const struct analyzer *a, struct proc_ref r)
{
	struct hnode *n = r.gen ? hmap_get(&a->procs, r.pid) : NULL;
	struct proc *p = n ? hmap_entry(n, struct proc, node) : NULL;

	return p && p->gen == r.gen && !p->exited ? p : NULL;
}

/*
 * pid 1 is every service's parent and adopts every orphan, but passes no
 * names to them: as an ancestor it would keep every object of the host
 * waiting.  (A container's init is another pid on the host.)
 */
#define INIT_PID 1

struct proc *model_proc_for_event(struct analyzer *a, const struct sw_event *e)
{
	struct proc *p = model_proc(a, e->pid);
	struct proc *parent;

	if (p) {
		model_set_comm(p->comm, e->comm);
		p->last_seq = a->now_seq;
		p->cgroup_id = e->cgroup_id;
		return p;
	}
	if (exited_before(a, e->pid, e->ts_ns))
		return NULL;
	p = model_proc_new(a, e->pid, e->comm);
	if (p)
		p->cgroup_id = e->cgroup_id;
	/* An exec starts an empty address space; anything else may be a
	 * process the cap forgot, come back. */
	if (p && a->dropped_procs && e->kind != SW_EV_EXEC)
		p->holdings_unknown = true;
	/* First seen after its fork (system-wide, or its parent was
	 * traced before it): the parent the event names, if known. */
	parent = p && e->ppid != e->pid ? model_proc(a, e->ppid) : NULL;
	if (parent && !parent->exited) {
		model_proc_set_parent(p, parent);
	} else if (p && a->forgot_gen_hi && e->ppid && e->ppid != e->pid && e->ppid != INIT_PID) {
		/* Its parent may be a process the cap forgot: an ancestor
		 * that counts as possibly forgotten (evict.c). */
		p->anc[0] = (struct proc_ref){ .pid = e->ppid, .gen = a->forgot_gen_hi };
		p->n_anc = 1;
	}
	return p;
}

/* ---- who can still reach an object ------------------------------------- */

/* pid 1 as an ancestor: see model_reach_init. */

void model_reach_init(struct reach *r, const struct proc *creator)
{
	*r = (struct reach){ 0 };
	if (!creator)
		return;
	r->creator = model_proc_ref(creator);
	for (int i = 0; i < creator->n_anc; i++)
		if (creator->anc[i].pid != INIT_PID)
			r->anc[r->n_anc++] = creator->anc[i];
}

static bool ref_same(struct proc_ref x, struct proc_ref y)
{
	return x.gen == y.gen && x.pid == y.pid;
}

void model_reach_use(const struct analyzer *a, struct reach *r, const struct proc *p)
{
	struct proc_ref me;
	int slot = -1;

	if (!p || p->exited)
		return;
	me = model_proc_ref(p);
	if (ref_same(r->creator, me))
		return;
	for (int i = 0; i < r->n_users; i++) {
		if (ref_same(r->users[i], me))
			return;
		if (slot < 0 && !model_ref_live(a, r->users[i]))
			slot = i;
	}
	if (r->n_users < SW_REACH_USERS) {
		r->users[r->n_users++] = me;
		return;
	}
	/* All remembered users live: the oldest makes room. */
	if (slot < 0) {
		memmove(&r->users[0], &r->users[1], (SW_REACH_USERS - 1) * sizeof(r->users[0]));
		slot = SW_REACH_USERS - 1;
	}
	r->users[slot] = me;
}

static bool descends_from(const struct proc *p, struct proc_ref r)
{
	for (int i = 0; i < p->n_anc; i++)
		if (ref_same(p->anc[i], r))
			return true;
	return false;
}

const struct proc *model_reach_live(struct analyzer *a, struct reach *r)
{
	struct hmap_iter it;
	struct hnode *n;
	struct proc *p;

	if ((p = model_ref_live(a, r->creator)) || (p = model_ref_live(a, r->seen)))
		return p;
	for (int i = 0; i < r->n_anc; i++)
		if ((p = model_ref_live(a, r->anc[i])))
			return p;
	for (int i = 0; i < r->n_users; i++)
		if ((p = model_ref_live(a, r->users[i])))
			return p;
	if (!r->creator.gen)
		return NULL;
	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		p = (struct proc *)n;
		if (!p->exited && descends_from(p, r->creator)) {
			r->seen = model_proc_ref(p);
			return p;
		}
	}
	return NULL;
}

struct thread *model_thread_find(struct proc *p, __u32 tid)
{
	for (int i = 0; i < SW_THREADS; i++)
		if (p->threads[i].tid == tid && p->threads[i].used)
			return &p->threads[i];
	return NULL;
}

/* A failed result no longer stands (a later success, a new image). */
void model_failed_clear(struct analyzer *a, struct failed *f)
{
	model_stack_put(a, f->stack);
	f->stack = NULL;
	f->valid = false;
}

static void thread_clear(struct analyzer *a, struct thread *t)
{
	model_failed_clear(a, &t->shmget);
	model_failed_clear(a, &t->shmat);
	model_failed_clear(a, &t->mmap);
	memset(t, 0, sizeof(*t));
}

void model_threads_clear(struct analyzer *a, struct proc *p)
{
	for (int i = 0; i < SW_THREADS; i++)
		thread_clear(a, &p->threads[i]);
}

/* Only SW_THREADS threads per process keep failed results: threads exit
 * without an event, so the least recently used slot is recycled. */
struct thread *model_thread(struct analyzer *a, struct proc *p, __u32 tid)
{
	struct thread *t = model_thread_find(p, tid);

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

void model_record_failure(struct analyzer *a, struct failed *f, const struct sw_event *e,
			  __u64 size, __s32 id)
{
	model_failed_clear(a, f);
	*f = (struct failed){
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

void model_seg_link_creator(struct segment *s, struct proc *p)
{
	s->creator = p;
	list_add(&p->created, &s->cnode);
	model_reach_init(&s->reach, p);
}

void model_seg_unlink_creator(struct segment *s)
{
	if (!s->creator)
		return;
	list_del(&s->cnode);
	s->creator = NULL;
}

int model_top_slot(__u64 *keys, int *n, __u64 key, void *items, size_t item_size)
{
	int i = *n < SW_USAGE_TOP ? (*n)++ : SW_USAGE_TOP;

	while (i > 0 && keys[i - 1] < key) {
		if (i < SW_USAGE_TOP) {
			keys[i] = keys[i - 1];
			memcpy((char *)items + i * item_size, (char *)items + (i - 1) * item_size,
			       item_size);
		}
		i--;
	}
	if (i >= SW_USAGE_TOP)
		return -1;
	keys[i] = key;
	return i;
}

/* ---- SysV use per IPC namespace --------------------------------------- */

int model_sysv_biggest(const struct analyzer *a, __u32 ipc_ns, struct sw_usage_segment *rows)
{
	const struct segment *top[SW_USAGE_TOP];
	__u64 keys[SW_USAGE_TOP];
	int n = 0;
	struct hmap_iter it;
	struct hnode *node;

	hmap_iter_init(&it, &a->segs);
	while ((node = hmap_iter_next(&it))) {
		const struct segment *s = hmap_entry(node, struct segment, node);
		int i;

		if (s->ipc_ns != ipc_ns || s->destroyed)
			continue;
		i = model_top_slot(keys, &n, s->size, top, sizeof(top[0]));
		if (i >= 0)
			top[i] = s;
	}
	for (int i = 0; i < n; i++) {
		const struct segment *s = top[i];
		struct sw_usage_segment *r = &rows[i];

		memset(r, 0, sizeof(*r));
		r->key = s->key;
		r->shmid = s->shmid;
		r->size = s->size;
		r->creator_pid = s->creator_pid;
		memcpy(r->creator_comm, s->creator_comm, SW_COMM_LEN);
		r->creator_gone = s->creator_pid && !s->creator;
		r->nattch = s->nattch;
		r->removed = s->rmid;
	}
	return n;
}

void model_sysv_peak_take(struct analyzer *a, struct ipcns_use *u)
{
	if (!u->peak_pending)
		return;
	u->peak_pending = false;
	u->n_peak_held = model_sysv_biggest(a, u->ipc_ns, u->peak_held);
}

static struct ipcns_use *ipcns_use(struct analyzer *a, __u32 ipc_ns)
{
	for (unsigned int i = 0; i < a->n_ipcnses; i++)
		if (a->ipcnses[i].ipc_ns == ipc_ns)
			return &a->ipcnses[i];
	if (a->n_ipcnses == SW_IPC_NSES)
		return NULL;
	a->ipcnses[a->n_ipcnses] = (struct ipcns_use){ .ipc_ns = ipc_ns };
	return &a->ipcnses[a->n_ipcnses++];
}

/* Saturating: a log's sizes are whatever it says. */
static __u64 add_sat(__u64 x, __u64 y)
{
	return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

static __u64 sub_sat(__u64 x, __u64 y)
{
	return x > y ? x - y : 0;
}

/* segs segments of size bytes in all more (grow) or fewer in u. */
static void ipcns_change(struct analyzer *a, struct ipcns_use *u, bool grow, __u32 segs,
			 __u64 size)
{
	if (!u)
		return;
	u->changed = true;
	if (!grow) {
		/* The peak ends here: what holds it is still all there. */
		if (size)
			model_sysv_peak_take(a, u);
		u->segments -= u->segments >= segs ? segs : u->segments;
		u->bytes = sub_sat(u->bytes, size);
		u->pages = sub_sat(u->pages, model_size_pages(size));
		return;
	}
	u->segments += segs;
	u->bytes = add_sat(u->bytes, size);
	u->pages = add_sat(u->pages, model_size_pages(size));
	if (size > u->biggest_size)
		u->biggest_size = size;
	if (u->segments > u->peak_segments)
		u->peak_segments = u->segments;
	if (u->pages > u->peak_pages)
		u->peak_pages = u->pages;
	if (u->bytes > u->peak_bytes) {
		u->peak_bytes = u->bytes;
		u->peak_ts = a->now;
		u->peak_bytes_segments = u->segments;
		u->peak_pending = true;
	}
}

void model_seg_set_size(struct analyzer *a, struct segment *s, __u64 size)
{
	struct ipcns_use *u;

	if (size == s->size)
		return;
	u = s->counted ? ipcns_use(a, s->ipc_ns) : NULL;
	ipcns_change(a, u, false, 0, s->size);
	s->size = size;
	ipcns_change(a, u, true, 0, size);
	model_held_seg(a, s);
}

struct segment *model_seg_new(struct analyzer *a, __u32 ipc_ns, __s32 shmid, __s32 key,
			       __u64 size)
{
	struct segment *s = calloc(1, sizeof(*s));
	struct ipcns_use *u;

	if (!s)
		return NULL;
	s->node.key = seg_key(ipc_ns, shmid);
	list_init(&s->cnode);
	list_init(&s->wnode);
	s->shmid = shmid;
	s->ipc_ns = ipc_ns;
	s->key = key;
	s->size = size;
	s->lost_snap = a->lost_total;
	hmap_put(&a->segs, &s->node);
	u = ipcns_use(a, ipc_ns);
	s->counted = u != NULL;
	ipcns_change(a, u, true, 1, size);
	model_held_seg(a, s);
	return s;
}

void model_seg_free(struct analyzer *a, struct segment *s)
{
	model_held_set(a, &s->held, NULL, 0);
	list_del(&s->wnode);
	model_stack_put(a, s->stack);
	model_stack_put(a, s->rb_stack);
	free(s);
}

/* Gone from the kernel: forget it now, or at the end of the event when
 * rules may still hold a pointer from a->idle. */
void model_seg_destroy(struct analyzer *a, struct segment *s)
{
	if (s->counted)
		ipcns_change(a, ipcns_use(a, s->ipc_ns), false, 1, s->size);
	s->counted = false;
	model_seg_unlink_creator(s);
	model_seg_unwait(s);
	s->destroyed = true;
	model_held_seg(a, s);
	if (s->queued)
		return;
	hmap_del(&a->segs, &s->node);
	model_seg_free(a, s);
}

void model_seg_note_user(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct segment *s;
	__s32 id;

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	switch (e->call) {
	case SW_SHMAT:
		id = e->c.shmid >= 0 ? e->c.shmid : (__s32)e->c.args[0];
		break;
	case SW_SHMGET:
		id = (__s32)e->c.ret;
		break;
	case SW_SHMCTL:
		id = (__s32)e->c.args[0];
		break;
	default:
		return;
	}
	s = model_seg(a, e->ipc_ns, id);
	if (s)
		model_reach_use(a, &s->reach, p);
}

bool model_seg_key_alive(const struct analyzer *a, __u32 ipc_ns, __s32 key)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		const struct segment *s = hmap_entry(n, struct segment, node);

		if (!s->destroyed && !s->rmid && s->ipc_ns == ipc_ns && s->key == key)
			return true;
	}
	return false;
}

static int attachment_of(void *ctx, struct range_node *rn)
{
	const struct segment *s = ctx;
	const struct mapping *n = container_of(rn, struct mapping, rn);

	return n->kind == SW_RANGE_ATTACH && n->shmid == s->shmid && n->ipc_ns == s->ipc_ns;
}

/* Does p hold an attachment of s? */
static bool holds_attachment(const struct proc *p, const struct segment *s)
{
	return p->mm && range_foreach(&p->mm->ranges, attachment_of, (void *)s) != 0;
}

static void remover_set(struct removal *r, const struct proc *p, const struct sw_event *e)
{
	memcpy(r->remover_comm, e->comm, SW_COMM_LEN);
	r->remover_comm[SW_COMM_LEN - 1] = '\0';
	if (p)
		memcpy(r->remover_cmd, p->cmdline, SW_CMDLINE_LEN);
}

void model_removal_add(struct analyzer *a, struct proc *p, const struct sw_event *e,
		       const struct segment *s)
{
	struct removal *r = &a->removals[a->removal_next++ % SW_REMOVALS];

	*r = (struct removal){
		.valid = true,
		.ipc_ns = e->ipc_ns,
		.shmid = (__s32)e->c.args[0],
		.seq = e->seq,
		.ts = e->ts_ns,
		.remover_pid = e->pid,
		.remover_uid = e->uid,
	};
	remover_set(r, p, e);
	if (!s)
		return;
	r->key = s->key;
	r->size = s->size;
	if (s->creator_known) {
		r->creator_pid = s->creator_pid;
		memcpy(r->creator_comm, s->creator_comm, SW_COMM_LEN);
	}
	/* Only what is known can be an outsider's: a segment seeded or made
	 * unseen may have been this process's own. */
	r->outsider = s->creator_known && !s->forgotten && s->creator_pid != e->pid && p &&
		      !holds_attachment(p, s);
}

static int mapping_of_obj(void *ctx, struct range_node *rn)
{
	const struct shmobj *o = ctx;
	const struct mapping *n = container_of(rn, struct mapping, rn);

	return n->ino == o->ino && n->dev == o->dev;
}

/* A new removal of the object path e names, by p: the fields every
 * object removal has. */
static struct removal *path_removal(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct removal *r = &a->removals[a->removal_next++ % SW_REMOVALS];

	*r = (struct removal){
		.valid = true,
		.object = true,
		.mnt_ns = e->c.mnt_ns,
		.seq = e->seq,
		.ts = e->ts_ns,
		.remover_pid = e->pid,
		.remover_uid = e->uid,
	};
	remover_set(r, p, e);
	memcpy(r->path, e->c.name, SW_NAME_LEN);
	r->path[SW_NAME_LEN - 1] = '\0';
	return r;
}

void model_removal_add_path(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	path_removal(a, p, e);
}

void model_removal_add_obj(struct analyzer *a, struct proc *p, const struct sw_event *e,
			   const struct shmobj *o, const struct proc *holder)
{
	struct removal *r = path_removal(a, p, e);

	r->size = o->size;
	if (o->created) {
		r->creator_pid = o->creator_pid;
		memcpy(r->creator_comm, o->creator_comm, SW_COMM_LEN);
	}
	/* As for a segment; an fd the remover holds without a mapping is
	 * not seen (a process that only reads or writes it). */
	r->outsider = p && !e->c.name_cut &&
		      !(p->mm && range_foreach(&p->mm->ranges, mapping_of_obj, (void *)o));
	if (o->created) {
		r->outsider = r->outsider && o->creator_pid != e->pid;
	} else if (o->seeded) {
		/* Who made it is not known: someone else must have been
		 * using it. */
		r->seeded = true;
		r->outsider = r->outsider && holder;
		if (holder) {
			r->holder_pid = holder->pid;
			memcpy(r->holder_comm, holder->comm, SW_COMM_LEN);
		}
	} else {
		r->outsider = false;
	}
	/* The remover may be a process the cap forgot, that had it mapped. */
	if (o->forgotten)
		r->outsider = false;
	if (r->outsider)
		a->wants_opens = true;
}

static const struct removal *removal_find(const struct analyzer *a, __u32 ipc_ns, bool by_key,
					  __s32 v)
{
	/* Newest first. */
	for (unsigned int i = 1; i <= SW_REMOVALS; i++) {
		const struct removal *r = &a->removals[(a->removal_next - i) % SW_REMOVALS];

		if (!r->valid)
			break;
		if (!r->object && r->ipc_ns == ipc_ns && (by_key ? r->key == v : r->shmid == v))
			return r;
	}
	return NULL;
}

const struct removal *model_removal_of_path(const struct analyzer *a, __u32 mnt_ns,
					    const char *path)
{
	for (unsigned int i = 1; i <= SW_REMOVALS; i++) {
		const struct removal *r = &a->removals[(a->removal_next - i) % SW_REMOVALS];

		if (!r->valid)
			break;
		if (r->object && r->mnt_ns == mnt_ns && !strncmp(r->path, path, SW_NAME_LEN))
			return r;
	}
	return NULL;
}

const struct removal *model_removal_of_id(const struct analyzer *a, __u32 ipc_ns, __s32 shmid)
{
	return removal_find(a, ipc_ns, false, shmid);
}

const struct removal *model_removal_of_key(const struct analyzer *a, __u32 ipc_ns, __s32 key)
{
	return key == 0 ? NULL : removal_find(a, ipc_ns, true, key);
}

void model_seg_wait(struct analyzer *a, struct segment *s)
{
	if (!list_linked(&s->wnode))
		list_add_tail(&a->segs_wait, &s->wnode);
}

void model_seg_unwait(struct segment *s)
{
	list_del(&s->wnode);
}

void model_seg_queue_waiting(struct analyzer *a)
{
	struct list_node *pos;

	list_for_each(pos, &a->segs_wait)
		model_seg_queue(a, list_entry(pos, struct segment, wnode));
}

bool model_seg_orphaned(const struct analyzer *a, const struct segment *s)
{
	return !s->destroyed && s->creator_known && !s->creator && !s->nattch && !s->rmid &&
	       !a->opts.shm_rmid_forced;
}

/* A shared mapping of anything but a disk file is shared memory; what
 * decides whether the process gets a summary (proc.shared_memory). */
void model_note_shared_memory(struct proc *p, __u32 backing)
{
	if (backing != SW_BK_FILE_SHARED)
		p->shared_memory = true;
}

void model_note_exit(struct analyzer *a, __u32 pid, __u64 ts)
{
	struct exit_rec *r = &a->exits[a->exit_next++ % SW_RECENT_EXITS];

	r->pid = pid;
	r->ts = ts;
}

void model_lost(struct analyzer *a, __u64 n)
{
	a->lost_total += n;
}

void model_end_event(struct analyzer *a)
{
	for (size_t i = 0; i < a->n_idle; i++) {
		struct segment *s = a->idle[i];
		bool gone;

		s->queued = false;
		/* IPC_RMID, or shm_rmid_forced, destroys it at nattch 0;
		 * one nobody created in our sight and nobody holds is
		 * forgotten, as it can never give a finding. */
		gone = s->destroyed ||
		       (!s->nattch && (s->rmid || a->opts.shm_rmid_forced || !s->creator_known));
		if (gone) {
			s->destroyed = false;
			model_seg_destroy(a, s);
		}
	}
	a->n_idle = 0;
}
