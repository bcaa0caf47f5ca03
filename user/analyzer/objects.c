// SPDX-License-Identifier: GPL-2.0
/*
 * objects.c - the analyzer's shm objects: POSIX shm and other files of a
 * tmpfs, memfds, and the mounts they live on, and how the file calls
 * (openat, memfd_create, ftruncate, fallocate, unlink) change them.
 *
 * State primitives (no I/O, no judgement), below space.c, which counts
 * the ranges that map each object (n_maps).  An object is known by its
 * (dev, ino) from the first event that shows it: the openat that created
 * it (a memfd_create, or the first size change or mapping through the open
 * file that created a tmpfs file, which the kernel side marks created and
 * gives the file's path), a size change, or a mapping made by a process
 * that never opened it (an fd passed over a socket).  An unlink comes with
 * the object the kernel matched to its path, or with a /dev/shm path that
 * is looked up among the linked objects' paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/objects.h"
#include "analyzer/rules.h"
#include "analyzer/state.h"
#include "lib/hash.h"
#include "lib/names.h"

struct shmobj *model_obj(const struct analyzer *a, __u32 dev, __u64 ino)
{
	struct hnode *n = hmap_get(&a->objs, obj_key(dev, ino));
	struct shmobj *o = (struct shmobj *)n;

	return o && o->dev == dev && o->ino == ino ? o : NULL;
}

static __u64 path_key(const char *path)
{
	return hash_str(HASH_FNV_BASIS, path, SW_NAME_LEN);
}

static void paths_add(struct analyzer *a, struct shmobj *o)
{
	o->pnode.key = path_key(o->path);
	if (!o->in_paths) {
		hmap_put(&a->obj_paths, &o->pnode);
		o->in_paths = true;
	}
}

static void paths_del(struct analyzer *a, struct shmobj *o)
{
	if (o->in_paths)
		hmap_del(&a->obj_paths, &o->pnode);
	o->in_paths = false;
}

void model_obj_unwait(struct analyzer *a, struct shmobj *o)
{
	list_del(&o->wnode);
}

static void wait_add(struct analyzer *a, struct shmobj *o)
{
	if (!list_linked(&o->wnode))
		list_add(&a->objs_wait, &o->wnode);
}

void model_obj_free(struct analyzer *a, struct shmobj *o)
{
	model_held_set(a, &o->held, NULL, 0);
	model_mount_peak_take(a, model_mount(a, o->dev));
	hmap_del(&a->objs, &o->node);
	paths_del(a, o);
	model_obj_unwait(a, o);
	list_del(&o->cnode);
	list_del(&o->knode);
	model_stack_put(a, o->stack);
	model_stack_put(a, o->resize_stack);
	free(o);
}

/* The directory part of an absolute path, as a mount's label. */
static void label_from_path(struct mount *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (m->has_label || path[0] != '/' || !slash)
		return;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(m->label))
		return;
	memcpy(m->label, path, n);
	m->label[n] = '\0';
	m->has_label = true;
}

struct mount *model_mount(struct analyzer *a, __u32 dev)
{
	for (unsigned int i = 0; i < a->n_mounts; i++)
		if (a->mounts[i].dev == dev)
			return &a->mounts[i];
	return NULL;
}

/*
 * A traced call of cgroup_id created or sized an object on m: whose
 * mount it is.  Two cgroups are kept, so that the pipeline can tell a
 * container's own mount (all its cgroups are one container's) from one
 * it shares with the host or another container.  memfds are every
 * process's, on the kernel's one internal mount.
 */
static void mount_owner(struct mount *m, const struct sw_event *e)
{
	if (e->kind != SW_EV_CALL || !e->cgroup_id || e->c.backing == SW_BK_MEMFD)
		return;
	if (!m->cgroup_id)
		m->cgroup_id = e->cgroup_id;
	else if (!m->other_cgroup_id && e->cgroup_id != m->cgroup_id)
		m->other_cgroup_id = e->cgroup_id;
}

/*
 * The kernel gave m's dev to another tmpfs (a container's /dev/shm is
 * mounted anew at each start, and gets the number of one that is gone):
 * the old one was unmounted with every file it had, no longer held by
 * anyone.  Its usage is told one last time, and the mount starts over.
 */
static void mount_replaced(struct analyzer *a, struct mount *m, __u64 ts_ns)
{
	struct sw_mount_usage u;
	struct hmap_iter it;
	struct hnode *n;

	if (a->opts.on_usage && m->evented) {
		model_mount_usage(a, m, ts_ns, &u);
		if (u.n_objects || u.peak_used || u.needed)
			a->opts.on_usage(a->opts.ctx, &u);
	}
	hmap_iter_init(&it, &a->objs);
	while ((n = hmap_iter_next(&it))) {
		struct shmobj *o = (struct shmobj *)n;

		if (o->dev == m->dev)
			model_obj_free(a, o);
	}
	*m = (struct mount){ .dev = m->dev };
}

/* m had used bytes in use at ts, and a call or a fault wanted want more
 * (0: none). */
static void mount_used(struct analyzer *a, struct mount *m, __u64 ts, __u64 used, __u64 want)
{
	/* Less used than the latest event showed: a peak is over, and the
	 * objects known are still as they were at it. */
	if (used < m->fs_used)
		model_mount_peak_take(a, m);
	m->fs_used = used;
	if (used > m->peak_used) {
		m->peak_used = used;
		m->peak_ts = ts;
		m->peak_pending = true;
	}
	/* Saturating: a log's numbers are whatever it says. */
	if (want > UINT64_MAX - used)
		want = UINT64_MAX - used;
	if (want && used + want > m->needed)
		m->needed = used + want;
	m->changed = true;
}

/* Is the event's tmpfs the one known by its dev?  Before any object of
 * it is looked up by dev and inode. */
static void mount_instance(struct analyzer *a, const struct sw_event *e)
{
	struct mount *m = model_mount(a, e->c.dev);

	if (m && e->c.fs_gen && m->fs_gen && e->c.fs_gen != m->fs_gen)
		mount_replaced(a, m, e->ts_ns);
	if (m && e->c.fs_gen)
		m->fs_gen = e->c.fs_gen;
}

/* Remember what the event says about the object's mount. */
static struct mount *note_mount(struct analyzer *a, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	struct mount *m;

	mount_instance(a, e);
	m = model_mount(a, c->dev);
	if (!m) {
		if (a->n_mounts == SW_MOUNTS)
			return NULL;
		m = &a->mounts[a->n_mounts++];
		*m = (struct mount){ .dev = c->dev, .fs_gen = c->fs_gen };
		if (c->backing == SW_BK_MEMFD) {
			strcpy(m->label, "memfd");
			m->has_label = true;
		}
	}
	m->fs_size = c->fs_size;
	m->evented |= e->kind == SW_EV_CALL;
	mount_owner(m, e);
	mount_used(a, m, e->ts_ns, model_space_used(a, e), model_space_wanted(e));
	return m;
}

void model_mount_fault(struct analyzer *a, const struct sw_event *e)
{
	const struct sw_signal_info *s = &e->sig;
	struct mount *m = s->backing == SW_BK_SHMEM_FILE && s->fs_size ?
				  model_mount(a, s->dev) : NULL;
	__u64 rest;

	if (!m)
		return;
	/* The page it faulted on and the rest of its object were wanted:
	 * the mount was that much short. */
	rest = s->obj_size > s->offset ? s->obj_size - s->offset : 0;
	mount_used(a, m, e->ts_ns, model_space_used(a, e),
		   rest > (1ULL << K_PAGE_SHIFT) ? rest : 1ULL << K_PAGE_SHIFT);
}

/*
 * Each CPU but the one that refused may hold up to a batch less a page
 * unfolded; the batch is max(32, 2 * online CPUs) pages.  A log without
 * the CPUs (or a machine of one) leaves SW_FULL_SLACK or 1/64 of the size.
 */
bool model_space_nearly_full(const struct analyzer *a, __u64 used, __u64 size)
{
	__u64 cpus = a->opts.cpus, batch = 2 * cpus > 32 ? 2 * cpus : 32;
	__u64 lag = cpus > 1 ? ((batch - 1) * (cpus - 1)) << K_PAGE_SHIFT : 0;
	__u64 slack = size / 64 > SW_FULL_SLACK ? size / 64 : SW_FULL_SLACK;

	if (lag > slack)
		slack = lag;
	return size && (used >= size || size - used <= slack);
}

/*
 * The kernel's count of a size-limited tmpfs's used blocks is a percpu
 * counter: each CPU folds its own part into the shared count past a batch
 * (32 pages on a small machine) or near the limit, and a refused
 * allocation folds nothing.  Read alone, it can be short by what other
 * CPUs hold unfolded, and say a mount that refused a page had room.  Where
 * the event itself says the mount had no page to give, it was full:
 * - a write or pwrite64 refused with ENOSPC: a write fails so only when
 *   its first page cannot be had (a later one ends it short), and tmpfs
 *   falls back from a huge page to a small one;
 * - a SIGBUS inside its object (BUS_ADRERR; beyond the end is no want of
 *   space) on a mount nearly full by the count: the page faulted on could
 *   not be had.  (Far from full, the fault had another cause: a quota, an
 *   I/O error; sigbus-explained says so.)
 * A fallocate refused is not: it gives back what it took before failing.
 */
__u64 model_space_used(const struct analyzer *a, const struct sw_event *e)
{
	const struct sw_signal_info *s = &e->sig;
	const struct sw_call_info *c = &e->c;

	switch (e->kind) {
	case SW_EV_SIGNAL:
		if (s->signo == K_SIGBUS && s->code == K_BUS_ADRERR && s->obj_size > s->offset &&
		    model_space_nearly_full(a, s->fs_used, s->fs_size))
			return s->fs_used > s->fs_size ? s->fs_used : s->fs_size;
		return s->fs_used;
	case SW_EV_CALL:
		if ((e->call == SW_WRITE || e->call == SW_PWRITE64) && c->ret == -K_ENOSPC)
			return c->fs_used > c->fs_size ? c->fs_used : c->fs_size;
		return c->fs_used;
	}
	return 0;
}

__u64 model_space_wanted(const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	__u64 end;

	if (e->kind != SW_EV_CALL || c->ret != -K_ENOSPC)
		return 0;
	switch (e->call) {
	case SW_FTRUNCATE:
	case SW_FALLOCATE:
		end = e->call == SW_FTRUNCATE ? c->args[1] :
		      c->args[3] > UINT64_MAX - c->args[2] ? UINT64_MAX : c->args[2] + c->args[3];
		if (end > c->seg_size)
			return end - c->seg_size;
		/* A hole being filled, or a size the model does not know. */
		return e->call == SW_FALLOCATE ? c->args[3] : 0;
	case SW_WRITE:
	case SW_PWRITE64:
		return c->args[2];
	}
	return 0;
}

struct maps_ctx {
	__u32 dev;
	__u64 ino;
	unsigned int count;
	bool first_only; /* stop at the first range that maps it */
};

static int count_one(void *ctx, struct range_node *rn)
{
	struct maps_ctx *c = ctx;
	const struct mapping *r = range_entry(rn, struct mapping, rn);

	if (r->ino == c->ino && r->dev == c->dev && r->kind == SW_RANGE_MAP) {
		c->count++;
		return c->first_only;
	}
	return 0;
}

/* How many ranges of mm map (dev, ino), or with first_only, whether any. */
static unsigned int count_ranges(const struct mm *mm, __u32 dev, __u64 ino, bool first_only)
{
	struct maps_ctx c = { .dev = dev, .ino = ino, .first_only = first_only };

	range_foreach(&mm->ranges, count_one, &c);
	return c.count;
}

/* Ranges already mapping (dev, ino) when its object is first made. */
static __u32 ranges_now(const struct analyzer *a, __u32 dev, __u64 ino)
{
	struct hmap_iter it;
	struct hnode *n;
	__u32 count = 0;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		struct proc *p = (struct proc *)n;

		/* A vfork child shares its parent's mm: count it once. */
		if (p->mm && !p->exited && p->mm->refs == 1)
			count += count_ranges(p->mm, dev, ino, false);
	}
	return count;
}

/* The object an event describes, made on first sight. */
/* o may be free to forget now: model_obj_collect will look. */
static void obj_may_go(struct analyzer *a, struct shmobj *o)
{
	if (!list_linked(&o->knode))
		list_add_tail(&a->objs_collect, &o->knode);
}

static struct shmobj *obj_get(struct analyzer *a, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	struct shmobj *o = model_obj(a, c->dev, c->ino);

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->node.key = obj_key(c->dev, c->ino);
	list_init(&o->wnode);
	list_init(&o->cnode);
	list_init(&o->knode);
	o->dev = c->dev;
	o->ino = c->ino;
	o->backing = (__u8)c->backing;
	memcpy(o->path, c->name, sizeof(o->path));
	o->path[sizeof(o->path) - 1] = '\0';
	o->size = o->first_size = o->peak_size = c->seg_size;
	o->alloc = c->obj_alloc;
	o->lost_snap = a->lost_total;
	o->n_maps = ranges_now(a, c->dev, c->ino);
	hmap_put(&a->objs, &o->node);
	obj_may_go(a, o);
	model_held_obj(a, o);
	return o;
}

void model_obj_range(struct analyzer *a, const struct mapping *r, int delta)
{
	struct shmobj *o;

	if (r->kind != SW_RANGE_MAP || !r->ino)
		return;
	o = model_obj(a, r->dev, r->ino);
	if (!o)
		return;
	if (delta > 0) {
		o->n_maps++;
	} else if (o->n_maps) {
		o->n_maps--;
		obj_may_go(a, o);
	}
}

static void mark_unlinked(struct analyzer *a, struct shmobj *o, __u64 seq)
{
	struct mount *m = model_mount(a, o->dev);

	paths_del(a, o);
	model_obj_unwait(a, o);
	o->unlinked = true;
	o->unlink_seq = seq;
	obj_may_go(a, o);
	if (m)
		m->changed = true;
}

/* Every linked object with this path: the same name can stand for a file
 * in each tmpfs mounted there (each container has its own /dev/shm). */
#define for_each_at_path(a, path, o, n)                                             \
	for ((n) = hmap_get(&(a)->obj_paths, path_key(path)); (n); (n) = hmap_get_next(n)) \
		if (((o) = hmap_entry((n), struct shmobj, pnode)),                  \
		    !strncmp((o)->path, (path), sizeof((o)->path)))

/* The linked object with this path on the tmpfs dev. */
static struct shmobj *obj_at_path_on(const struct analyzer *a, const char *path, __u32 dev)
{
	struct shmobj *o;
	struct hnode *n;

	for_each_at_path (a, path, o, n)
		if (o->dev == dev)
			return o;
	return NULL;
}

struct shmobj *model_obj_by_path(const struct analyzer *a, const char *path, __u32 mnt_ns)
{
	struct shmobj *o, *only = NULL;
	unsigned int count = 0;
	struct hnode *n;

	for_each_at_path (a, path, o, n) {
		if (mnt_ns && o->mnt_ns == mnt_ns)
			return o;
		only = o;
		count++;
	}
	return count == 1 ? only : NULL;
}

struct shmobj *model_obj_seen_at(const struct analyzer *a, const char *path, __u32 mnt_ns)
{
	struct shmobj *o;
	struct hnode *n;

	for_each_at_path (a, path, o, n)
		if (!o->mnt_ns || !mnt_ns || o->mnt_ns == mnt_ns)
			return o;
	return NULL;
}

/*
 * The creating call: memfd_create, or the first sizing or mapping through
 * the file that created a tmpfs file.  An object already known from a
 * mapping or a size change becomes the created one; one that was already
 * created is an old object whose inode came back, and goes.
 */
static void obj_created(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct shmobj *o = model_obj(a, e->c.dev, e->c.ino);
	struct shmobj *old;

	if (o && o->created) {
		model_obj_free(a, o);
		o = NULL;
	}
	if (!o)
		o = obj_get(a, e);
	if (!o)
		return;
	o->created = true;
	o->creator_pid = e->pid;
	o->creator_tid = e->tid;
	memcpy(o->creator_comm, p ? p->comm : e->comm, SW_COMM_LEN);
	o->create_seq = e->seq;
	o->mnt_ns = e->c.mnt_ns;
	model_reach_init(&o->reach, p);
	if (p)
		list_add_tail(&p->objs, &o->cnode);
	/* A late event: its creator's exit has been seen already. */
	o->creator_gone = !p;
	if (!p)
		obj_may_go(a, o);
	o->creator_exit_seq = 0;
	if (!p)
		wait_add(a, o);
	model_stack_put(a, o->stack);
	o->stack = model_stack_new(a, e);
	model_held_obj(a, o);
	if (e->call == SW_MEMFD_CREATE) {
		snprintf(o->path, sizeof(o->path), "memfd:%.*s", SW_NAME_LEN - 7, e->c.name);
		return;
	}
	memcpy(o->path, e->c.name, sizeof(o->path));
	o->path[sizeof(o->path) - 1] = '\0';
	if (e->c.name_cut) {
		/* Shown as what it is; never matched as a path. */
		o->path_cut = true;
		memcpy(o->path + sizeof(o->path) - 4, "...", 4);
		return;
	}
	if (o->backing != SW_BK_SHMEM_FILE)
		return;
	/* A linked object that had this path on this tmpfs was removed or
	 * renamed away unseen: its name is gone.  One on another tmpfs is
	 * another view's (a container's /dev/shm). */
	old = obj_at_path_on(a, o->path, o->dev);
	if (old && old != o)
		mark_unlinked(a, old, e->seq);
	paths_add(a, o);
}

static void obj_resized(struct analyzer *a, struct shmobj *o, const struct sw_event *e)
{
	if (e->c.seg_size == o->size)
		return;
	if (e->c.seg_size < o->size)
		model_mount_peak_take(a, model_mount(a, o->dev));
	o->resize_seq = e->seq;
	o->resize_from = o->size;
	o->resize_pid = e->pid;
	memcpy(o->resize_comm, e->comm, SW_COMM_LEN);
	model_stack_put(a, o->resize_stack);
	o->resize_stack = model_stack_new(a, e);
	o->size = e->c.seg_size;
	if (o->size > o->peak_size)
		o->peak_size = o->size;
	model_held_obj(a, o);
}

/* An unlink: the object the kernel matched to its path, or the linked
 * one at that path.  Without a mapping left, its name was all that kept
 * it known: it goes (memfds wait for their creator, see collect). */
static void obj_unlinked(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct shmobj *o;

	if (e->c.name_cut && !e->c.ino)
		return; /* a cut path names no object for sure */
	o = e->c.ino ? model_obj(a, e->c.dev, e->c.ino) :
		       model_obj_by_path(a, e->c.name, e->c.mnt_ns);

	if (!o) {
		if (a->dropped_objects)
			model_removal_add_path(a, p, e);
		return;
	}
	if (o->unlinked)
		return;
	/* Its pages may go with its name: a peak would end here. */
	model_mount_peak_take(a, model_mount(a, o->dev));
	model_removal_add_obj(a, p, e, o,
			      o->seeded && o->n_maps ? model_obj_holder(a, o, e->pid) : NULL);
	mark_unlinked(a, o, e->seq);
	if (!o->n_maps)
		model_obj_free(a, o);
}

static void note_created(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct mount *m = model_mount(a, e->c.dev);

	obj_created(a, p, e);
	if (m && e->c.backing == SW_BK_SHMEM_FILE)
		label_from_path(m, e->c.name);
}

void model_obj_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	struct shmobj *o;

	if (e->call == SW_UNLINK || e->call == SW_UNLINKAT) {
		if (!sw_ret_is_err(c->ret))
			obj_unlinked(a, p, e);
		return;
	}
	if (!c->ino)
		return; /* a failed memfd_create: no object */
	note_mount(a, e);
	if (c->created || e->call == SW_MEMFD_CREATE)
		note_created(a, p, e);
	if (e->call == SW_MEMFD_CREATE)
		return;
	o = obj_get(a, e);
	if (!o)
		return;
	/* A sizing call of a process that did not create it: it holds
	 * the object open and may well know its name. */
	model_reach_use(a, &o->reach, p);
	o->alloc = c->obj_alloc;
	/* Refused for want of space: it holds what it had, not its size
	 * (an ftruncate that succeeded before a refused fallocate). */
	o->refused = c->ret == -K_ENOSPC;
	if (!sw_ret_is_err(c->ret))
		obj_resized(a, o, e);
}

void model_obj_mapped(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct shmobj *o;

	if (!e->c.ino || !e->c.dev ||
	    (e->c.backing != SW_BK_SHMEM_FILE && e->c.backing != SW_BK_MEMFD))
		return;
	if (e->c.created) {
		note_mount(a, e);
		note_created(a, p, e);
	} else {
		mount_instance(a, e);
	}
	o = obj_get(a, e);
	if (!o)
		return;
	model_reach_use(a, &o->reach, p);
	o->alloc = e->c.obj_alloc;
	if (!o->mapped_ever)
		o->first_map_seq = e->seq;
	o->mapped_ever = true;
	/* The size at map time; a change in between went unseen (the
	 * object was sized before tracing, or by a write(2)). */
	if (e->c.seg_size > o->peak_size)
		o->peak_size = e->c.seg_size;
	o->size = e->c.seg_size;
	model_held_obj(a, o);
}

struct proc *model_obj_holder(const struct analyzer *a, const struct shmobj *o, __u32 not_pid)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		struct proc *p = (struct proc *)n;

		if (p->pid != not_pid && !p->exited && p->mm &&
		    count_ranges(p->mm, o->dev, o->ino, true))
			return p;
	}
	return NULL;
}

/*
 * A file that was there before the trace, from the inventory: known from
 * the start with its path, so that an unlink by name finds it and the
 * mount's view counts it; never judged a leak (who made it, and whether
 * it was meant to outlive its maker, is not known).  Built as the record
 * of a sizing call would describe it, which the seeding is not: kind 0,
 * so the mount does not count as shown by an event.
 */
void analyzer__seed_object(struct analyzer *a, const struct sw_seed_object *so)
{
	struct sw_event e = { .kind = 0 }; /* no event: see above */
	struct shmobj *o;
	struct mount *m;

	if (!so->ino || model_obj(a, so->dev, so->ino))
		return;
	e.c.dev = so->dev;
	e.c.ino = so->ino;
	e.c.backing = (__u16)so->backing;
	e.c.seg_size = so->size;
	e.c.obj_alloc = so->alloc;
	e.c.fs_used = so->fs_used;
	e.c.fs_size = so->fs_size;
	memcpy(e.c.name, so->path, sizeof(e.c.name));
	e.c.name[sizeof(e.c.name) - 1] = '\0';
	m = note_mount(a, &e);
	o = obj_get(a, &e);
	if (!o)
		return;
	o->seeded = true;
	if (m && so->backing == SW_BK_SHMEM_FILE)
		label_from_path(m, o->path);
	if (so->path_cut) {
		o->path_cut = true;
		memcpy(o->path + sizeof(o->path) - 4, "...", 4);
	} else if (so->backing == SW_BK_SHMEM_FILE && !obj_at_path_on(a, o->path, o->dev)) {
		paths_add(a, o);
	}
}

unsigned int model_obj_holders(const struct analyzer *a, const struct shmobj *o)
{
	struct hmap_iter it;
	struct hnode *n;
	unsigned int count = 0;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		struct proc *p = (struct proc *)n;

		if (!p->exited && p->mm && count_ranges(p->mm, o->dev, o->ino, true))
			count++;
	}
	return count;
}

void model_obj_creator_exit(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct list_node *n, *next;

	list_for_each_safe(n, next, &p->objs) {
		struct shmobj *o = list_entry(n, struct shmobj, cnode);

		list_del(&o->cnode);
		if (!o->created || o->creator_gone)
			continue;
		o->creator_gone = true;
		o->creator_exit_seq = e->seq;
		obj_may_go(a, o);
		if (!o->unlinked && !o->leak_reported)
			wait_add(a, o);
	}
}

bool model_obj_leak_candidate(const struct shmobj *o)
{
	/* Its unlink would not have been recognised: no verdict. */
	if (o->path_cut)
		return false;
	return o->created && !o->unlinked && o->backing == SW_BK_SHMEM_FILE &&
	       (o->mapped_ever || !strncmp(o->path, "/dev/shm/", 9));
}

unsigned int model_obj_collect(struct analyzer *a)
{
	struct list_node *n, *next;
	unsigned int gone = 0;

	list_for_each_safe(n, next, &a->objs_collect) {
		struct shmobj *o = list_entry(n, struct shmobj, knode);
		bool nameless = o->unlinked || o->backing == SW_BK_MEMFD;

		list_del(&o->knode);
		/* An object only seen mapped has no creator to wait for. */
		if (!nameless || (o->created && !o->creator_gone) || o->n_maps)
			continue;
		model_obj_free(a, o);
		gone++;
	}
	return gone;
}

/* What o holds of its mount: its size, but for a peak only what it had
 * allocated when a call to grow it was refused for want of space. */
static __u64 held_size(const struct shmobj *o, bool held)
{
	return held && o->refused && o->alloc < o->size ? o->alloc : o->size;
}

int model_mount_biggest(const struct analyzer *a, __u32 dev, bool held,
			struct sw_usage_object *rows)
{
	const struct shmobj *top[SW_USAGE_TOP];
	__u64 keys[SW_USAGE_TOP];
	int n = 0;
	struct hmap_iter it;
	struct hnode *node;

	hmap_iter_init(&it, &a->objs);
	while ((node = hmap_iter_next(&it))) {
		const struct shmobj *o = (const struct shmobj *)node;
		int i;

		if (o->dev != dev || (o->unlinked && !(held && o->n_maps)))
			continue;
		i = model_top_slot(keys, &n, held_size(o, held), top, sizeof(top[0]));
		if (i >= 0)
			top[i] = o;
	}
	for (int i = 0; i < n; i++) {
		const struct shmobj *o = top[i];
		struct sw_usage_object *b = &rows[i];

		memset(b, 0, sizeof(*b));
		memcpy(b->path, o->path, sizeof(b->path));
		b->size = held_size(o, held);
		b->creator_pid = o->created ? o->creator_pid : 0;
		memcpy(b->creator_comm, o->creator_comm, SW_COMM_LEN);
		b->creator_gone = o->creator_gone;
		b->mapped_by = !held && o->n_maps ? model_obj_holders(a, o) : 0;
		b->unlinked = o->unlinked;
	}
	return n;
}

void model_mount_peak_take(struct analyzer *a, struct mount *m)
{
	if (!m || !m->peak_pending)
		return;
	m->peak_pending = false;
	m->n_peak_held = model_mount_biggest(a, m->dev, true, m->peak_held);
}
