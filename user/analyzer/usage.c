// SPDX-License-Identifier: GPL-2.0
/*
 * usage.c - the usage views: per memory filesystem (analyzer__usage) its
 * objects' total, the biggest, the growers and the creators; per IPC
 * namespace (analyzer__sysv_usage) its SysV segments; for both the
 * high-water mark, what held it, and what size would have sufficed.
 * Reads the state, changes only the changed marks and, when a peak is
 * still on, takes what holds it (model_mount_peak_take,
 * model_sysv_peak_take).
 */
#include <string.h>
#include "analyzer/objects.h"

/* Add o's bytes to its creator's row (unsorted while counting). */
static void add_creator(const struct shmobj *o, struct sw_usage_creator *all, int *n_all,
			int max_all)
{
	for (int i = 0; i < *n_all; i++) {
		if (all[i].pid == o->creator_pid) {
			all[i].objects++;
			all[i].bytes += o->size;
			return;
		}
	}
	if (*n_all == max_all)
		return;
	all[*n_all] = (struct sw_usage_creator){ .pid = o->creator_pid, .gone = o->creator_gone,
						 .objects = 1, .bytes = o->size };
	memcpy(all[*n_all].comm, o->creator_comm, SW_COMM_LEN);
	(*n_all)++;
}

#define SW_USAGE_CREATORS 256 /* distinct creators counted per mount */

#define MiB (1ULL << 20)
/* No memory filesystem is bigger: sizes above it (a log's numbers are
 * whatever it says) are sized as this, so the arithmetic stays finite. */
#define SIZING_MAX (1ULL << 50)

/* The size that would have sufficed, and one that leaves room: the
 * numbers a container user pastes into --shm-size or a sizeLimit. */
static void mount_sizing(struct sw_mount_usage *u)
{
	__u64 need = u->needed > u->peak_used ? u->needed : u->peak_used;

	if (!need)
		return;
	if (need > SIZING_MAX)
		need = SIZING_MAX;
	u->sufficient_size = (need + MiB - 1) / MiB * MiB;
	u->roomy_size = MiB;
	while (u->roomy_size < u->sufficient_size + u->sufficient_size / 2)
		u->roomy_size <<= 1;
}

void model_mount_usage(struct analyzer *a, struct mount *m, __u64 ts_ns,
		       struct sw_mount_usage *u)
{
	struct sw_usage_creator all[SW_USAGE_CREATORS];
	__u64 kc[SW_USAGE_TOP], kg[SW_USAGE_TOP];
	int n_all = 0;
	struct hmap_iter it;
	struct hnode *n;

	memset(u, 0, sizeof(*u));
	u->ts_ns = ts_ns;
	u->dev = m->dev;
	memcpy(u->label, m->label, sizeof(u->label));
	u->fs_used = m->fs_used;
	u->fs_size = m->fs_size;
	u->peak_used = m->peak_used;
	u->peak_ts_ns = m->peak_ts;
	u->needed = m->needed;
	u->cgroup_id = m->cgroup_id;
	u->other_cgroup_id = m->other_cgroup_id;
	mount_sizing(u);
	/* A report while the peak is still on: it is what holds it now. */
	model_mount_peak_take(a, m);
	u->n_peak_held = m->n_peak_held;
	memcpy(u->peak_held, m->peak_held, sizeof(u->peak_held));
	u->n_biggest = model_mount_biggest(a, m->dev, false, u->biggest);
	hmap_iter_init(&it, &a->objs);
	while ((n = hmap_iter_next(&it))) {
		const struct shmobj *o = (const struct shmobj *)n;
		int i;

		if (o->dev != m->dev || o->unlinked)
			continue;
		u->n_objects++;
		u->object_bytes += o->size;
		if (o->size > o->first_size) {
			i = model_top_slot(kg, &u->n_growers, o->size - o->first_size, u->growers,
				     sizeof(u->growers[0]));
			if (i >= 0) {
				memcpy(u->growers[i].path, o->path, sizeof(u->growers[i].path));
				u->growers[i].from = o->first_size;
				u->growers[i].to = o->size;
			}
		}
		if (o->created)
			add_creator(o, all, &n_all, SW_USAGE_CREATORS);
	}
	for (int j = 0; j < n_all; j++) {
		int i = model_top_slot(kc, &u->n_creators, all[j].bytes, u->creators,
				 sizeof(u->creators[0]));

		if (i >= 0)
			u->creators[i] = all[j];
	}
}

void analyzer__usage(struct analyzer *a, __u64 ts_ns, bool changed_only, sw_usage_fn fn,
		     void *ctx)
{
	for (unsigned int i = 0; i < a->n_mounts; i++) {
		struct mount *m = &a->mounts[i];
		struct sw_mount_usage u;

		/* A mount only the seeding showed is not the trace's. */
		if ((changed_only && !m->changed) || !m->evented)
			continue;
		m->changed = false;
		model_mount_usage(a, m, ts_ns, &u);
		/* The end-of-trace view leaves out mounts with nothing left
		 * that never held anything either (its peak and sizing are
		 * the point of it); the live one shows that a mount emptied. */
		if (changed_only || u.n_objects || u.peak_used || u.needed)
			fn(ctx, &u);
	}
}

/* ---- SysV shared memory per IPC namespace ----------------------------- */

static void sysv_usage(struct analyzer *a, struct ipcns_use *n, __u64 ts_ns,
		       struct sw_sysv_usage *u)
{
	memset(u, 0, sizeof(*u));
	u->ts_ns = ts_ns;
	u->ipc_ns = n->ipc_ns;
	u->segments = n->segments;
	u->bytes = n->bytes;
	u->peak_bytes = n->peak_bytes;
	u->peak_ts_ns = n->peak_ts;
	u->peak_bytes_segments = n->peak_bytes_segments;
	u->peak_segments = n->peak_segments;
	u->biggest_size = n->biggest_size;
	/* shmwatch read its own namespace's limits, and no other's. */
	if (n->ipc_ns == a->opts.ipc_ns) {
		u->shmmax = a->opts.shmmax;
		u->shmall = a->opts.shmall;
		u->shmmni = a->opts.shmmni;
	}
	u->sufficient_shmall = n->peak_pages;
	u->sufficient_shmmni = n->peak_segments;
	u->sufficient_shmmax = n->biggest_size;
	model_sysv_peak_take(a, n);
	u->n_peak_held = n->n_peak_held;
	memcpy(u->peak_held, n->peak_held, sizeof(u->peak_held));
	u->n_biggest = model_sysv_biggest(a, n->ipc_ns, u->biggest);
}

void analyzer__sysv_usage(struct analyzer *a, __u64 ts_ns, bool changed_only,
			  sw_sysv_usage_fn fn, void *ctx)
{
	for (unsigned int i = 0; i < a->n_ipcnses; i++) {
		struct ipcns_use *n = &a->ipcnses[i];
		struct sw_sysv_usage u;

		if (changed_only && !n->changed)
			continue;
		n->changed = false;
		/* A namespace whose segments were all of size 0 (unknown)
		 * has nothing to say at the end. */
		if (!changed_only && !n->peak_segments)
			continue;
		sysv_usage(a, n, ts_ns, &u);
		fn(ctx, &u);
	}
}
