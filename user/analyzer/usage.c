// SPDX-License-Identifier: GPL-2.0
/*
 * usage.c - the tmpfs usage view (analyzer__usage): per mount, its
 * objects' total, the biggest, the growers and the creators, from the
 * objects the analyzer knows.  Reads the state, changes only the mounts'
 * changed marks.
 */
#include <string.h>
#include "analyzer/objects.h"

/* Insert into a list of at most SW_USAGE_TOP kept in descending key
 * order: the slot to fill, or -1 when it does not make the list. */
static int top_slot(__u64 *keys, int *n, __u64 key, void *items, size_t item_size)
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

static void mount_usage(struct analyzer *a, struct mount *m, __u64 ts_ns,
			struct sw_mount_usage *u)
{
	struct sw_usage_creator all[SW_USAGE_CREATORS];
	__u64 kb[SW_USAGE_TOP], kc[SW_USAGE_TOP], kg[SW_USAGE_TOP];
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
	mount_sizing(u);
	hmap_iter_init(&it, &a->objs);
	while ((n = hmap_iter_next(&it))) {
		const struct shmobj *o = (const struct shmobj *)n;
		int i;

		if (o->dev != m->dev || o->unlinked)
			continue;
		u->n_objects++;
		u->object_bytes += o->size;
		i = top_slot(kb, &u->n_biggest, o->size, u->biggest, sizeof(u->biggest[0]));
		if (i >= 0) {
			struct sw_usage_object *b = &u->biggest[i];

			memcpy(b->path, o->path, sizeof(b->path));
			b->size = o->size;
			b->creator_pid = o->created ? o->creator_pid : 0;
			memcpy(b->creator_comm, o->creator_comm, SW_COMM_LEN);
			b->creator_gone = o->creator_gone;
			b->mapped_by = o->n_maps ? model_obj_holders(a, o) : 0;
		}
		if (o->size > o->first_size) {
			i = top_slot(kg, &u->n_growers, o->size - o->first_size, u->growers,
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
		int i = top_slot(kc, &u->n_creators, all[j].bytes, u->creators,
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

		if (changed_only && !m->changed)
			continue;
		m->changed = false;
		mount_usage(a, m, ts_ns, &u);
		/* The end-of-trace view leaves out mounts with nothing left
		 * that never held anything either (its peak and sizing are
		 * the point of it); the live one shows that a mount emptied. */
		if (changed_only || u.n_objects || u.peak_used || u.needed)
			fn(ctx, &u);
	}
}
