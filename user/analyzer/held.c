// SPDX-License-Identifier: GPL-2.0
/*
 * held.c - the bytes of shared memory held, by the stack that created
 * them: SysV segments alive and shm objects known (their size) that a
 * traced call made, sized, attached or mapped, each
 * counted at the site of its creating call, now and at the peak of the
 * total, for flame graphs (analyzer__foreach_held).
 *
 * The value at the peak costs nothing per event: a site remembers its
 * bytes from before its first change after the latest peak (at_peak),
 * and one it has not changed since then holds them still.  Every change
 * is one step of a->held.epoch, and the peak is the epoch it was reached
 * at, so "changed after the peak" is a comparison.  A site is freed when
 * it holds nothing now and held nothing at the peak; one that held
 * something at a peak since passed is swept at the next peak.
 */
#include <stdlib.h>
#include <string.h>
#include "analyzer/state.h"

struct held_site {
	struct hnode node; /* key: site_key(pid, ips) */
	__u32 pid;	   /* 0 with n 0: no creating stack is known */
	__u32 n;
	__u64 now;	   /* bytes it holds now */
	__u64 at_peak;	   /* what it held at the peak, once changed after it */
	__u64 changed;	   /* the epoch of its latest change */
	__u64 ip[];
};

static __u64 site_key(__u32 pid, __u32 n, const __u64 *ip)
{
	__u64 h = hash_u64(pid ^ ((__u64)n << 32));

	for (__u32 i = 0; i < n; i++)
		h = hash_u64(h ^ ip[i]);
	return h;
}

static __u64 site_at_peak(const struct held *h, const struct held_site *s)
{
	return s->changed <= h->peak_epoch ? s->now : s->at_peak;
}

static size_t site_size(__u32 n)
{
	return sizeof(struct held_site) + n * sizeof(__u64);
}

static struct held_site *site_get(struct held *h, const struct ustack *st)
{
	__u32 pid = st ? st->pid : 0, n = st ? st->n : 0;
	const __u64 *ip = st ? st->ip : NULL;
	__u64 key = site_key(pid, n, ip);
	struct held_site *s;

	for (struct hnode *e = hmap_get(&h->sites, key); e; e = hmap_get_next(e)) {
		s = hmap_entry(e, struct held_site, node);
		if (s->pid == pid && s->n == n && (!n || !memcmp(s->ip, ip, n * sizeof(*ip))))
			return s;
	}
	s = calloc(1, site_size(n));
	if (!s)
		return NULL;
	s->node.key = key;
	s->pid = pid;
	s->n = n;
	if (n)
		memcpy(s->ip, ip, n * sizeof(*ip));
	hmap_put(&h->sites, &s->node);
	h->site_bytes += site_size(n);
	return s;
}

static void site_free(struct held *h, struct held_site *s)
{
	hmap_del(&h->sites, &s->node);
	h->site_bytes -= site_size(s->n);
	free(s);
}

static void site_add(struct held *h, struct held_site *s, __u64 add, __u64 sub)
{
	/* Its first change since the peak: what it held there. */
	/* One kept for the peak (not a new one) holds again. */
	if (!s->now && s->changed && add && h->empty_sites)
		h->empty_sites--;
	if (s->changed <= h->peak_epoch)
		s->at_peak = s->now;
	s->changed = h->epoch;
	s->now = s->now + add - sub;
	if (!s->now) {
		if (!s->at_peak)
			site_free(h, s);
		else
			h->empty_sites++;
	}
}

/* A new peak: a site that holds nothing now held nothing at it. */
static void sweep(struct held *h)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &h->sites);
	while ((n = hmap_iter_next(&it))) {
		struct held_site *s = hmap_entry(n, struct held_site, node);

		if (!s->now)
			site_free(h, s);
	}
	h->empty_sites = 0;
}

void model_held_set(struct analyzer *a, struct held_ref *r, const struct ustack *st, __u64 bytes)
{
	struct held *h = &a->held;
	struct held_site *site = bytes ? site_get(h, st) : NULL;

	if (!site)
		bytes = 0; /* nothing held, or no memory to count it */
	if (site == r->site && bytes == r->bytes)
		return;
	h->epoch++;
	/* The new site first: it may be the old one, which must not be
	 * freed on the way. */
	if (site)
		site_add(h, site, bytes, 0);
	if (r->site)
		site_add(h, r->site, 0, r->bytes);
	h->total = h->total + bytes - r->bytes;
	r->site = site;
	r->bytes = bytes;
	/* Back at the peak counts as the peak again: bytes moved between
	 * sites at an equal total (a segment counted before its stack is
	 * known, then at its stack) leave the latest state as the peak's. */
	if (h->total < h->peak)
		return;
	h->peak = h->total;
	h->peak_epoch = h->epoch;
	h->peak_ts = a->now;
	if (h->empty_sites > hmap_count(&h->sites) / 2 + 64)
		sweep(h);
}

/* What was there before the trace and no traced call touched is no
 * traced program's: it is left out. */
void model_held_seg(struct analyzer *a, struct segment *s)
{
	bool alive = !s->destroyed && s->counted && s->traced;

	model_held_set(a, &s->held, s->stack, alive ? s->size : 0);
}

void model_held_obj(struct analyzer *a, struct shmobj *o)
{
	bool traced = o->created || o->mapped_ever || o->resize_seq;

	model_held_set(a, &o->held, o->stack, traced ? o->size : 0);
}

int model_held_init(struct held *h)
{
	memset(h, 0, sizeof(*h));
	return hmap_init(&h->sites, 64);
}

void model_held_fini(struct held *h)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &h->sites);
	while ((n = hmap_iter_next(&it)))
		free(hmap_entry(n, struct held_site, node));
	hmap_fini(&h->sites);
}

void analyzer__foreach_held(const struct analyzer *a, analyzer_held_fn fn, void *ctx)
{
	const struct held *h = &a->held;
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &h->sites);
	while ((n = hmap_iter_next(&it))) {
		const struct held_site *s = hmap_entry(n, struct held_site, node);
		struct sw_held_site v = {
			.pid = s->pid,
			.n = s->n,
			.ip = s->ip,
			.now = s->now,
			.at_peak = site_at_peak(h, s),
		};

		if ((v.now || v.at_peak) && fn(ctx, &v))
			return;
	}
}

void analyzer__held_total(const struct analyzer *a, struct sw_held_total *t)
{
	*t = (struct sw_held_total){
		.now = a->held.total,
		.peak = a->held.peak,
		.peak_ts_ns = a->held.peak_ts,
	};
}
