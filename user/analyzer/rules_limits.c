// SPDX-License-Identifier: GPL-2.0
/*
 * rules_limits.c - shm-limit-reached: a shmget the kernel refused against
 * one of its limits, explained: which limit, its value when it is known
 * to be the one that applied, what is in use and by whom, and the sysctl.
 *
 * Why a shmget failed is decoded from its arguments and the kernel's
 * documented errors (ipc/shm.c newseg and ksys_shmget, man 2 shmget):
 *
 *   EINVAL  creating a segment (IPC_PRIVATE, or IPC_CREAT on a key that
 *           does not exist) whose size is above kernel.shmmax.  Below
 *           SHMMIN (size 0) is a bad argument that no sysctl changes, not
 *           a limit reached: left alone, as programs use it to make a
 *           shmget fail on purpose.  On a key that exists EINVAL means the
 *           segment is smaller than the size asked: a size mismatch, no
 *           limit, left alone too.
 *   ENOSPC  the total in pages would pass kernel.shmall (checked first),
 *           or every id is in use (kernel.shmmni).
 *   ENOMEM  the kernel could not allocate the segment: memory, the commit
 *           limit, huge pages for SHM_HUGETLB, a memory cgroup.
 *
 * Every IPC namespace has its own limits and its own segments.  The
 * limits known are those shmwatch read at start (the log's header) in its
 * own namespace; a process of another namespace (a container's) is judged
 * with its namespace's segments and without values, and the message says
 * where to look them up.  Even in shmwatch's namespace a value is quoted
 * only when it agrees with the kernel's verdict (a size above the shmmax
 * read, more pages or ids known in use than the shmall or shmmni read):
 * a limit can have been changed since.  When it does not, the message
 * says which limits it can be and that those values did not apply.
 *
 * What is in use is what the analyzer knows of the caller's namespace:
 * segments seeded at start and those traced since.  It cannot know every
 * segment (untraced processes, a container's from before the trace), so
 * the usage is "at least".
 *
 * Sizes too big to be honest (2^40 and more, above RAM plus swap) are
 * oversized-request's even when the kernel refused them: the size
 * computation is the defect there, not the limit.  Every other refusal
 * decoded here is this rule's, and oversized-request leaves it alone
 * (limit_owns), so one failed call gives one finding.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "kabi.h"
#include "lib/names.h"

/* The biggest segments named as holders. */
#define LIMIT_TOP 3

/* kernel.shmmni cannot go above IPCMNI (without ipcmni_extend). */
#define LIMIT_IPCMNI 32768ULL

enum limit {
	LIMIT_NONE,
	LIMIT_SHMMAX,
	LIMIT_SHMALL,
	LIMIT_SHMMNI,
	LIMIT_SHMALL_OR_SHMMNI, /* ENOSPC, and neither value read agrees */
	LIMIT_MEMORY,
};

/* The limits of one IPC namespace; 0: unknown. */
struct sysv_limits {
	__u64 shmmax;
	__u64 shmall; /* pages */
	__u64 shmmni;
};

/* The segments the analyzer knows alive. */
struct sysv_use {
	__u32 n;
	__u64 bytes;
	__u64 pages;
	__u64 lost_snap; /* the oldest of theirs */
	int n_top;
	const struct segment *top[LIMIT_TOP]; /* by size, biggest first */
};

/* The limits of IPC namespace ipc_ns as far as they are known: shmwatch
 * read its own namespace's, and no other's. */
static void limits_of(const struct analyzer *a, __u32 ipc_ns, struct sysv_limits *l)
{
	memset(l, 0, sizeof(*l));
	if (ipc_ns != a->opts.ipc_ns)
		return;
	l->shmmax = a->opts.shmmax;
	l->shmall = a->opts.shmall;
	l->shmmni = a->opts.shmmni;
}

static void use_add_top(struct sysv_use *u, const struct segment *s)
{
	int i;

	if (u->n_top < LIMIT_TOP)
		u->n_top++;
	else if (u->top[LIMIT_TOP - 1]->size >= s->size)
		return;
	for (i = u->n_top - 1; i > 0 && u->top[i - 1]->size < s->size; i--)
		u->top[i] = u->top[i - 1];
	u->top[i] = s;
}

/* A segment removed with IPC_RMID still holds its id and its pages until
 * its last detach, as in the kernel. */
static void sysv_use_of(const struct analyzer *a, __u32 ipc_ns, struct sysv_use *u)
{
	struct hmap_iter it;
	struct hnode *n;

	memset(u, 0, sizeof(*u));
	u->lost_snap = a->lost_total;
	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		const struct segment *s = hmap_entry(n, struct segment, node);

		if (s->destroyed || s->ipc_ns != ipc_ns)
			continue;
		u->n++;
		u->bytes += s->size;
		u->pages += model_size_pages(s->size);
		if (s->lost_snap < u->lost_snap)
			u->lost_snap = s->lost_snap;
		use_add_top(u, s);
	}
}

/* No honest request is this big: oversized-request's, refused or not. */
static bool size_dishonest(const struct analyzer *a, __u64 size)
{
	return size >= SW_DISHONEST_SIZE || (a->opts.mem_total && size > a->opts.mem_total);
}

/*
 * Which limit refused this shmget, from its errno and arguments; u is
 * needed only to tell kernel.shmall from kernel.shmmni, and may be NULL
 * when that does not matter.
 */
static enum limit limit_decode(const struct analyzer *a, const struct sysv_limits *l,
			       const struct sw_event *e, const struct sysv_use *u)
{
	__s32 key = (__s32)e->c.args[0];
	__u64 size = e->c.args[1], flags = e->c.args[2];
	__u64 pages = model_size_pages(size);

	if (e->call != SW_SHMGET || !sw_ret_is_err(e->c.ret))
		return LIMIT_NONE;
	switch (e->c.ret) {
	case -ENOMEM:
		return LIMIT_MEMORY;
	case -ENOSPC:
		if (!u)
			return LIMIT_SHMALL_OR_SHMMNI;
		/* The kernel checks the pages before it looks for an id. */
		if (l->shmall && (pages > l->shmall || u->pages + pages > l->shmall))
			return LIMIT_SHMALL;
		if (l->shmmni && u->n >= l->shmmni)
			return LIMIT_SHMMNI;
		return LIMIT_SHMALL_OR_SHMMNI;
	case -EINVAL:
		if (size < K_SHMMIN)
			return LIMIT_NONE;
		if (key == K_IPC_PRIVATE)
			return LIMIT_SHMMAX;
		/* Without IPC_CREAT, or on a key that exists, EINVAL is the
		 * existing segment being smaller: no limit. */
		if (!(flags & K_IPC_CREAT) || model_seg_key_alive(a, e->ipc_ns, key))
			return LIMIT_NONE;
		/* Above the shmmax read, creating fails whether or not the
		 * key exists; below it, an unseen segment of that key
		 * smaller than the size explains it as well. */
		if (l->shmmax && size > l->shmmax)
			return LIMIT_SHMMAX;
		return LIMIT_NONE;
	}
	return LIMIT_NONE;
}

bool limit_owns(const struct analyzer *a, const struct sw_event *e)
{
	struct sysv_limits l;

	if (e->call != SW_SHMGET || size_dishonest(a, e->c.args[1]))
		return false;
	limits_of(a, e->ipc_ns, &l);
	return limit_decode(a, &l, e, NULL) != LIMIT_NONE;
}

/* "shmget(IPC_PRIVATE, 64 MiB)" */
static void describe_call(char *buf, size_t len, const struct sw_event *e)
{
	__s32 key = (__s32)e->c.args[0];
	char sz[32];

	finding_size(sz, sizeof(sz), e->c.args[1]);
	if (key == K_IPC_PRIVATE)
		snprintf(buf, len, "shmget(IPC_PRIVATE, %s)", sz);
	else
		snprintf(buf, len, "shmget(0x%x, %s)", (unsigned int)key, sz);
}

/* "at least 8 GiB in 12 segments in use, biggest 4 GiB (pid 4242 postgres), ..." */
static void describe_use(char *buf, size_t len, const struct sysv_use *u)
{
	size_t at;
	char sz[32];
	int n;

	if (!u->n) {
		snprintf(buf, len, "shmwatch knows of no segment in use");
		return;
	}
	finding_size(sz, sizeof(sz), u->bytes);
	n = snprintf(buf, len, "at least %s in %u segment%s in use, biggest", sz, u->n,
		     u->n == 1 ? "" : "s");
	for (int i = 0; i < u->n_top && n > 0 && (size_t)n < len; i++) {
		const struct segment *s = u->top[i];

		at = (size_t)n;
		finding_size(sz, sizeof(sz), s->size);
		if (s->creator_pid && s->creator_comm[0])
			n += snprintf(buf + at, len - at, "%s %s (pid %u %s)", i ? "," : "", sz,
				      s->creator_pid, s->creator_comm);
		else if (s->creator_pid)
			n += snprintf(buf + at, len - at, "%s %s (pid %u)", i ? "," : "", sz,
				      s->creator_pid);
		else
			n += snprintf(buf + at, len - at, "%s %s (creator unknown)", i ? "," : "",
				      sz);
	}
}

/* "2097152 pages, 8.0 GiB"; pages alone when the bytes do not fit. */
static void describe_pages(char *buf, size_t len, __u64 pages)
{
	char sz[32];

	if (pages > UINT64_MAX / SW_PAGE_SIZE) {
		snprintf(buf, len, "%llu pages", (unsigned long long)pages);
		return;
	}
	finding_size(sz, sizeof(sz), pages * SW_PAGE_SIZE);
	snprintf(buf, len, "%s, %llu pages", sz, (unsigned long long)pages);
}

static __u64 twice(__u64 v, __u64 at_least, __u64 cap)
{
	__u64 t = v > UINT64_MAX / 2 ? UINT64_MAX : v * 2;

	if (t < at_least)
		t = at_least;
	return cap && t > cap ? cap : t;
}

void limit_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 size = e->c.args[1], flags = e->c.args[2];
	char what[64], use[256], lim[64], sz[32];
	const char *err = finding_err(e->c.ret);
	struct sysv_limits l;
	struct sysv_use u;
	struct sw_finding f;
	enum limit which;
	__u64 need;
	/* Of another IPC namespace than shmwatch's: its limits are not known. */
	bool foreign = e->ipc_ns != a->opts.ipc_ns;

	if (e->call != SW_SHMGET || !sw_ret_is_err(e->c.ret) || size_dishonest(a, size))
		return;
	limits_of(a, e->ipc_ns, &l);
	sysv_use_of(a, e->ipc_ns, &u);
	which = limit_decode(a, &l, e, &u);
	if (which == LIMIT_NONE)
		return;
	if (!finding_first_time(a, p, SW_RULE_SHM_LIMIT_REACHED, SW_SHMGET, which))
		return;
	finding_from_event(&f, SW_RULE_SHM_LIMIT_REACHED, e);
	finding_evidence(&f, e->seq);
	for (int i = 0; i < u.n_top; i++)
		finding_evidence(&f, u.top[i]->create_seq);
	describe_call(what, sizeof(what), e);
	describe_use(use, sizeof(use), &u);

	switch (which) {
	case LIMIT_SHMMAX:
		if (l.shmmax && size > l.shmmax) {
			finding_size(sz, sizeof(sz), l.shmmax);
			finding_publish(a, p, &f, a->lost_total,
				"%s failed with %s: above kernel.shmmax (%s, %llu bytes); raise it with sysctl -w kernel.shmmax=%llu or more",
				what, err, sz, (unsigned long long)l.shmmax,
				(unsigned long long)SW_PAGE_ALIGN(size));
		} else if (l.shmmax) {
			finding_size(sz, sizeof(sz), l.shmmax);
			finding_publish(a, p, &f, a->lost_total,
				"%s failed with %s: above the kernel.shmmax that applied, not the %s shmwatch read at start (lowered since, or its IPC namespace has its own); see sysctl kernel.shmmax there",
				what, err, sz);
		} else if (foreign) {
			finding_publish(a, p, &f, a->lost_total,
				"%s failed with %s: above the kernel.shmmax of its IPC namespace ipc:[%u], whose limits shmwatch cannot read; see nsenter --ipc --target %u ipcs -m -l",
				what, err, e->ipc_ns, e->pid);
		} else {
			finding_publish(a, p, &f, a->lost_total,
				"%s failed with %s: above kernel.shmmax (its value is not known); see sysctl kernel.shmmax",
				what, err);
		}
		break;
	case LIMIT_SHMALL:
		describe_pages(lim, sizeof(lim), l.shmall);
		need = twice(l.shmall, u.pages + model_size_pages(size), 0);
		finding_publish(a, p, &f, u.lost_snap,
			"%s failed with %s: kernel.shmall (%s) reached: %s; raise it with sysctl -w kernel.shmall=%llu (pages)",
			what, err, lim, use, (unsigned long long)need);
		break;
	case LIMIT_SHMMNI:
		need = twice(l.shmmni, 0, LIMIT_IPCMNI);
		finding_publish(a, p, &f, u.lost_snap,
			"%s failed with %s: kernel.shmmni (%llu) reached, all ids in use: %s; raise it with sysctl -w kernel.shmmni=%llu, or remove segments nobody uses (ipcs -m)",
			what, err, (unsigned long long)l.shmmni, use, (unsigned long long)need);
		break;
	case LIMIT_SHMALL_OR_SHMMNI:
		if (l.shmall && l.shmmni) {
			describe_pages(lim, sizeof(lim), l.shmall);
			finding_publish(a, p, &f, u.lost_snap,
				"%s failed with %s: kernel.shmmni (ids) or kernel.shmall (pages) reached, though not the %llu ids and %s shmwatch read: %s; its IPC namespace has limits of its own, or segments shmwatch did not see: see ipcs -m and sysctl kernel.shmmni kernel.shmall there",
				what, err, (unsigned long long)l.shmmni, lim, use);
		} else if (foreign) {
			finding_publish(a, p, &f, u.lost_snap,
				"%s failed with %s: kernel.shmmni (ids) or kernel.shmall (pages) of its IPC namespace ipc:[%u] reached: %s; shmwatch cannot read that namespace's limits: see nsenter --ipc --target %u ipcs -m -l",
				what, err, e->ipc_ns, use, e->pid);
		} else {
			finding_publish(a, p, &f, u.lost_snap,
				"%s failed with %s: kernel.shmmni (ids) or kernel.shmall (pages) reached (their values are not known): %s; see ipcs -m and sysctl kernel.shmmni kernel.shmall",
				what, err, use);
		}
		break;
	case LIMIT_MEMORY:
		finding_size(sz, sizeof(sz), size);
		finding_publish(a, p, &f, u.lost_snap,
			"%s failed with %s: the kernel could not allocate %s (%s); %s",
			what, err, sz,
			flags & K_SHM_HUGETLB ?
				"SHM_HUGETLB: not enough free huge pages (vm.nr_hugepages), or a memory cgroup's limit" :
				"no memory left, the commit limit of vm.overcommit_memory=2, or a memory cgroup's limit",
			use);
		break;
	case LIMIT_NONE:
		break;
	}
}
