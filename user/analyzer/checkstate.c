// SPDX-License-Identifier: GPL-2.0
/*
 * checkstate.c - the comparison behind checkstate.h.
 *
 * Segments are matched by id and compared on size, creator pid, nattch
 * and IPC_RMID.  Mappings are compared as covered address intervals, SysV
 * attachments by segment id and shared mappings as one class: the kernel
 * merges adjacent VMAs and splits them on mprotect, the analyzer keeps one
 * range per call, so only the union of what is mapped can be compared.
 *
 * A difference is "uncertain" instead of a mismatch when a reported loss
 * may explain it: the segment was created before the last loss, or any
 * loss was reported at all for the per-process mappings and for segments
 * the analyzer never saw.
 *
 * With -p or a command, the segments compared are those a traced process
 * had to do with, alive or not: the analyzer marks what a call touched,
 * and remembers the pids of exited SysV users for the kernel's creator
 * and last attacher.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/checkstate.h"
#include "lib/procfs.h"

/* A growable array of anything. */
struct vec {
	void *v;
	size_t n, cap, elem;
};

/* qsort and bsearch take no NULL array, even an empty one (UBSan
 * aborts), and an empty vec has none. */
static void vec_sort(struct vec *v, int (*cmp)(const void *, const void *))
{
	if (v->n > 1)
		qsort(v->v, v->n, v->elem, cmp);
}

static void *vec_find(const struct vec *v, const void *key, int (*cmp)(const void *, const void *))
{
	return v->n ? bsearch(key, v->v, v->n, v->elem, cmp) : NULL;
}

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *p = realloc(v->v, cap * v->elem);

		if (!p)
			return NULL;
		v->v = p;
		v->cap = cap;
	}
	return (char *)v->v + v->elem * v->n++;
}

struct ival {
	__u64 start, end;
	bool sysv;
	__s32 shmid;
};

/* One SysV attachment piece: a VMA in maps (+1) or a range (-1). */
struct piece {
	__s32 shmid;
	int delta;
};

struct ctx {
	const struct analyzer *a;
	const struct checkstate_opts *o;
	struct checkstate_result *res;
	FILE *out;
	bool lost;	    /* any loss reported */
	struct vec kseg;    /* struct procfs_segment, sorted by shmid */
	struct vec aseg;    /* struct sw_segment_view */
	struct vec pids;    /* __u32, sorted: live traced processes */
	struct vec held;    /* __s32: shmids traced processes hold */
	struct vec kmap;    /* struct ival, per process */
	struct vec amap;
	struct vec pieces;  /* struct piece: SysV VMAs and ranges per shmid */
	/* /proc/sysvipc/shm shows the reader's IPC namespace only: the
	 * segments compared, and the attachments counted against them, are
	 * those of own_ns. */
	__u32 own_ns;
	__u32 proc_ns;	    /* of the process whose maps are being read */
	int err;
};

static int cmp_u32(const void *x, const void *y)
{
	__u32 a = *(const __u32 *)x, b = *(const __u32 *)y;

	return a < b ? -1 : a > b;
}

static int cmp_s32(const void *x, const void *y)
{
	__s32 a = *(const __s32 *)x, b = *(const __s32 *)y;

	return a < b ? -1 : a > b;
}

static int cmp_kseg(const void *x, const void *y)
{
	return cmp_s32(&((const struct procfs_segment *)x)->shmid,
		       &((const struct procfs_segment *)y)->shmid);
}

/* A traced process, alive, or exited after it used SysV shared memory. */
static bool traced(struct ctx *c, __u32 pid)
{
	return pid && (vec_find(&c->pids, &pid, cmp_u32) || analyzer__exited_sysv(c->a, pid));
}

static bool held(struct ctx *c, __s32 shmid)
{
	return vec_find(&c->held, &shmid, cmp_s32);
}

static void report(struct ctx *c, bool uncertain, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct ctx *c, bool uncertain, const char *fmt, ...)
{
	va_list ap;

	if (uncertain)
		c->res->uncertain++;
	else
		c->res->mismatches++;
	fprintf(c->out, "shmwatch: check-state: %s: ", uncertain ? "uncertain" : "mismatch");
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

/* ---- collecting both views ------------------------------------------- */

static int add_kseg(void *ctx, const struct procfs_segment *s)
{
	struct ctx *c = ctx;
	struct procfs_segment *d = vec_push(&c->kseg);

	if (!d)
		return c->err = -ENOMEM;
	*d = *s;
	return 0;
}

static int add_aseg(void *ctx, const struct sw_segment_view *s)
{
	struct ctx *c = ctx;
	struct sw_segment_view *d;

	if (s->ipc_ns != c->own_ns)
		return 0;
	d = vec_push(&c->aseg);
	if (!d)
		return c->err = -ENOMEM;
	*d = *s;
	return 0;
}

static int add_held(void *ctx, const struct sw_range_view *r)
{
	struct ctx *c = ctx;
	__s32 *d;

	if (!r->sysv || r->ipc_ns != c->own_ns)
		return 0;
	d = vec_push(&c->held);
	if (!d)
		return c->err = -ENOMEM;
	*d = r->shmid;
	return 0;
}

static int add_pid(void *ctx, __u32 pid, const char *comm)
{
	struct ctx *c = ctx;
	__u32 *d = vec_push(&c->pids);

	if (!d)
		return c->err = -ENOMEM;
	*d = pid;
	analyzer__foreach_range(c->a, pid, add_held, c);
	return c->err;
}

/* Append [start, end) to v, merged with the last interval if they touch
 * and are of the same kind. */
static int push_ival(struct ctx *c, struct vec *v, __u64 start, __u64 end, bool sysv,
		     __s32 shmid)
{
	struct ival *last = v->n ? (struct ival *)v->v + v->n - 1 : NULL;

	if (last && last->end == start && last->sysv == sysv && last->shmid == shmid) {
		last->end = end;
		return 0;
	}
	last = vec_push(v);
	if (!last)
		return c->err = -ENOMEM;
	*last = (struct ival){ start, end, sysv, sysv ? shmid : -1 };
	return 0;
}

static int add_piece(struct ctx *c, __s32 shmid, int delta)
{
	struct piece *p = vec_push(&c->pieces);

	if (!p)
		return c->err = -ENOMEM;
	*p = (struct piece){ shmid, delta };
	return 0;
}

static int add_kmap(void *ctx, const struct procfs_mapping *m)
{
	struct ctx *c = ctx;
	bool sysv = m->backing == SW_BK_SYSV;

	if (sysv && c->proc_ns == c->own_ns && add_piece(c, m->shmid, 1))
		return c->err;
	return push_ival(c, &c->kmap, m->start, m->end, sysv, sysv ? m->shmid : -1);
}

static int add_amap(void *ctx, const struct sw_range_view *r)
{
	struct ctx *c = ctx;

	if (r->sysv && r->ipc_ns == c->own_ns && add_piece(c, r->shmid, -1))
		return c->err;
	return push_ival(c, &c->amap, r->start, r->end, r->sysv, r->sysv ? r->shmid : -1);
}

/* ---- comparing ------------------------------------------------------- */

/* In -p mode, is this segment one of the traced processes' business?
 * s: the analyzer's view of it, NULL when it has none. */
static bool segment_relevant(struct ctx *c, const struct sw_segment_view *s, __s32 shmid,
			     __u32 cpid, __u32 lpid)
{
	return c->o->system_wide || (s && s->traced) || traced(c, cpid) || traced(c, lpid) ||
	       held(c, shmid);
}

/* Kernel VMAs less analyzer ranges of shmid in the compared processes. */
static long long piece_balance(struct ctx *c, __s32 shmid)
{
	const struct piece *p = c->pieces.v;
	long long sum = 0;

	for (size_t i = 0; i < c->pieces.n; i++)
		if (p[i].shmid == shmid)
			sum += p[i].delta;
	return sum;
}

static void compare_segment(struct ctx *c, const struct sw_segment_view *s,
			    const struct procfs_segment *k)
{
	bool unc = s->uncertain;

	if (!k) {
		if (segment_relevant(c, s, s->shmid, s->creator_pid, 0))
			report(c, unc, "segment %d (%llu bytes, nattch %u): shmwatch has it, "
			       "the kernel does not", s->shmid, (unsigned long long)s->size,
			       s->nattch);
		return;
	}
	if (!segment_relevant(c, s, s->shmid, k->cpid, k->lpid))
		return;
	c->res->segments++;
	if (s->size != k->size)
		report(c, unc, "segment %d: size %llu, the kernel says %llu", s->shmid,
		       (unsigned long long)s->size, (unsigned long long)k->size);
	if (s->creator_pid && s->creator_pid != k->cpid)
		report(c, unc, "segment %d: creator pid %u, the kernel says %u", s->shmid,
		       s->creator_pid, k->cpid);
	/*
	 * The kernel counts VMAs: an mprotect or mlock of part of an
	 * attachment (not traced) splits one and adds to nattch.  Those VMAs
	 * were compared above as intervals, so compare the attachments
	 * outside the compared processes' maps: nattch less their pieces.
	 * -p: attachers shmwatch does not trace change the kernel's count.
	 */
	if ((long long)s->nattch + piece_balance(c, s->shmid) != (long long)k->nattch)
		report(c, unc || c->res->gone || (!c->o->system_wide && !traced(c, k->lpid)),
		       "segment %d: nattch %u, the kernel says %u", s->shmid, s->nattch,
		       k->nattch);
	if (s->rmid != k->removed)
		report(c, unc, "segment %d: %s, the kernel says %s", s->shmid,
		       s->rmid ? "removed (IPC_RMID)" : "not removed",
		       k->removed ? "removed" : "not removed");
}

static void compare_segments(struct ctx *c)
{
	struct procfs_segment *kseg = c->kseg.v;
	bool *matched = calloc(c->kseg.n + 1, sizeof(bool));

	if (!matched) {
		c->err = -ENOMEM;
		return;
	}
	vec_sort(&c->kseg, cmp_kseg);
	for (size_t i = 0; i < c->aseg.n; i++) {
		const struct sw_segment_view *s = (struct sw_segment_view *)c->aseg.v + i;
		struct procfs_segment key = { .shmid = s->shmid };
		struct procfs_segment *k = vec_find(&c->kseg, &key, cmp_kseg);

		if (k)
			matched[k - kseg] = true;
		compare_segment(c, s, k);
	}
	for (size_t i = 0; i < c->kseg.n; i++) {
		const struct procfs_segment *k = &kseg[i];

		if (matched[i] || !segment_relevant(c, NULL, k->shmid, k->cpid, k->lpid))
			continue;
		report(c, c->lost, "segment %d (%llu bytes, creator %u, nattch %u): the kernel "
		       "has it, shmwatch does not", k->shmid, (unsigned long long)k->size, k->cpid,
		       k->nattch);
	}
	free(matched);
}

static void describe(char *buf, size_t len, const struct ival *v)
{
	if (!v)
		snprintf(buf, len, "nothing");
	else if (v->sysv)
		snprintf(buf, len, "%llx-%llx sysv shmid %d", (unsigned long long)v->start,
			 (unsigned long long)v->end, v->shmid);
	else
		snprintf(buf, len, "%llx-%llx shared", (unsigned long long)v->start,
			 (unsigned long long)v->end);
}

static bool same_ival(const struct ival *x, const struct ival *y)
{
	return x->start == y->start && x->end == y->end && x->sysv == y->sysv &&
	       x->shmid == y->shmid;
}

/* Walk both sorted interval lists; each unequal pair is one line. */
static void compare_maps(struct ctx *c, __u32 pid)
{
	const struct ival *k = c->kmap.v, *m = c->amap.v;
	size_t i = 0, j = 0;
	char kb[96], ab[96];

	while (i < c->kmap.n || j < c->amap.n) {
		const struct ival *kv = i < c->kmap.n ? &k[i] : NULL;
		const struct ival *av = j < c->amap.n ? &m[j] : NULL;

		if (kv && av && same_ival(kv, av)) {
			i++, j++;
			continue;
		}
		/* Report the one that starts first (both if together). */
		if (kv && av && kv->start != av->start) {
			if (kv->start < av->start)
				av = NULL;
			else
				kv = NULL;
		}
		describe(kb, sizeof(kb), kv);
		describe(ab, sizeof(ab), av);
		report(c, c->lost, "pid %u: shmwatch has %s, the kernel has %s", pid, ab, kb);
		i += kv != NULL;
		j += av != NULL;
	}
}

static void compare_process(struct ctx *c, __u32 pid)
{
	int ret;

	c->kmap.n = c->amap.n = 0;
	c->proc_ns = procfs_ipc_ns(c->o->proc_root, pid);
	ret = procfs_read_maps(c->o->proc_root, pid, add_kmap, c);
	if (ret == -ENOENT || ret == -ESRCH) {
		/* Exited after the drain: nothing left to compare. */
		c->res->gone++;
		return;
	}
	if (ret < 0) {
		report(c, true, "pid %u: can't read its maps: %s", pid, strerror(-ret));
		return;
	}
	analyzer__foreach_range(c->a, pid, add_amap, c);
	if (c->err)
		return;
	c->res->processes++;
	compare_maps(c, pid);
}

int checkstate_run(const struct analyzer *a, const struct checkstate_opts *o,
		    struct checkstate_result *res)
{
	struct ctx c = {
		.a = a,
		.o = o,
		.res = res,
		.out = o->out ? o->out : stderr,
		/* The state cap forgets holdings as a loss does. */
		.lost = analyzer__lost_total(a) > 0 || analyzer__forgot(a),
		.kseg.elem = sizeof(struct procfs_segment),
		.aseg.elem = sizeof(struct sw_segment_view),
		.pids.elem = sizeof(__u32),
		.held.elem = sizeof(__s32),
		.kmap.elem = sizeof(struct ival),
		.amap.elem = sizeof(struct ival),
		.pieces.elem = sizeof(struct piece),
	};
	int ret;

	memset(res, 0, sizeof(*res));
	c.own_ns = procfs_ipc_ns(o->proc_root, 0);
	ret = procfs_read_segments(o->proc_root, add_kseg, &c);
	if (ret < 0)
		goto out;
	analyzer__foreach_segment(a, add_aseg, &c);
	analyzer__foreach_process(a, add_pid, &c);
	if (c.err)
		goto out;
	vec_sort(&c.pids, cmp_u32);
	vec_sort(&c.held, cmp_s32);
	/* Processes first: their pieces explain split attachments. */
	for (size_t i = 0; !c.err && i < c.pids.n; i++)
		compare_process(&c, ((__u32 *)c.pids.v)[i]);
	if (!c.err)
		compare_segments(&c);
	ret = c.err;
out:
	free(c.kseg.v);
	free(c.aseg.v);
	free(c.pids.v);
	free(c.held.v);
	free(c.kmap.v);
	free(c.amap.v);
	free(c.pieces.v);
	return ret < 0 ? ret : 0;
}
