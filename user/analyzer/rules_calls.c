// SPDX-License-Identifier: GPL-2.0
/*
 * rules_calls.c - the rules about what one call or fault did wrong:
 * oversized-request, failed-then-used, invalid-detach and
 * use-after-detach.  A shmget refused against a kernel limit is
 * rules_limits.c's unless its size is too big to be honest.  Each reads the state the call met (on_call) or the
 * fault hit (on_signal) and reports through findings.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "analyzer/space.h"
#include "kabi.h"
#include "lib/names.h"

static bool mmap_is_reservation(const struct sw_event *e)
{
	__u32 bk = e->c.backing;

	/* Address-space reservations and mappings of existing files ask
	 * for no memory; only their failure says something. */
	if (sw_ret_is_err(e->c.ret))
		return false;
	return e->c.args[2] == K_PROT_NONE || (e->c.args[3] & K_MAP_NORESERVE) ||
	       bk == SW_BK_FILE_SHARED || bk == SW_BK_FILE_PRIVATE;
}

/* Why size is too big, written into why; false if it is not.  A private
 * mapping is an ordinary allocation (ld.so's, malloc's): it is judged from
 * the size the kernel side starts recording them at, so that a small
 * --max-size aimed at shared memory does not flag every library load. */
static bool oversized_reason(struct analyzer *a, const struct sw_event *e, char *why, size_t len)
{
	__u64 max = a->opts.max_size ? a->opts.max_size : SW_DEFAULT_MAX_SIZE;
	__u64 size = e->c.args[1];
	__u32 call = e->call;
	char lim[32];

	if (call == SW_MMAP && !model_mmap_shared(e->c.args[3]) && max < SW_PRIVATE_RECORD_MIN)
		max = SW_PRIVATE_RECORD_MIN;

	if (size >= SW_DISHONEST_SIZE) {
		snprintf(why, len, "2^40 bytes or more, the mark of an overflowed size computation");
		return true;
	}
	if (call == SW_SHMGET && a->opts.shmmax && size > a->opts.shmmax) {
		finding_size(lim, sizeof(lim), a->opts.shmmax);
		snprintf(why, len, "above SHMMAX (%s)", lim);
		return true;
	}
	if (a->opts.mem_total && size > a->opts.mem_total) {
		finding_size(lim, sizeof(lim), a->opts.mem_total);
		snprintf(why, len, "above RAM plus swap (%s)", lim);
		return true;
	}
	if (size >= max) {
		finding_size(lim, sizeof(lim), max);
		snprintf(why, len, max == SW_PRIVATE_RECORD_MIN && call == SW_MMAP ?
				   "at or above %s, where private mappings are judged" :
				   "at or above --max-size (%s)", lim);
		return true;
	}
	return false;
}

void oversized_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 size = e->c.args[1];
	bool failed = sw_ret_is_err(e->c.ret);
	char why[96], sz[32], tail[48] = "";
	struct sw_finding f;

	if (e->call != SW_SHMGET && e->call != SW_MMAP)
		return;
	if (e->call == SW_MMAP && mmap_is_reservation(e))
		return;
	/* A plausible size the kernel refused against a limit: that limit
	 * is the news, and shm-limit-reached says it. */
	if (limit_owns(a, e))
		return;
	if (!oversized_reason(a, e, why, sizeof(why)))
		return;
	if (!finding_first_time(a, p, SW_RULE_OVERSIZED_REQUEST, e->call, size))
		return;
	finding_from_event(&f, SW_RULE_OVERSIZED_REQUEST, e);
	if (failed) {
		f.severity = SW_SEV_ERROR;
		snprintf(tail, sizeof(tail), "; it failed with %s", finding_err(e->c.ret));
	}
	finding_evidence(&f, e->seq);
	finding_size(sz, sizeof(sz), size);
	finding_publish(a, p, &f, a->lost_total, "%s of %s (%llu bytes), %s%s",
			sw_call_name(e->call), sz, (unsigned long long)size, why, tail);
}

bool ftu_shmctl_takes_id(__u64 cmd)
{
	switch (cmd & ~(__u64)K_IPC_64) {
	case 0:	 /* IPC_RMID */
	case 1:	 /* IPC_SET */
	case 2:	 /* IPC_STAT */
	case 11: /* SHM_LOCK */
	case 12: /* SHM_UNLOCK */
		return true;
	}
	return false;
}

static bool failure_recent(const struct failed *f, __u64 ts)
{
	return f->valid && (ts <= f->ts || ts - f->ts <= SW_FAILED_RECENT_NS);
}

static const struct failed *thread_failure(struct proc *p, __u32 tid, __u32 call)
{
	struct thread *t = p ? model_thread_find(p, tid) : NULL;
	const struct failed *f;

	if (!t)
		return NULL;
	f = call == SW_SHMGET ? &t->shmget : call == SW_SHMAT ? &t->shmat : &t->mmap;
	return f->valid ? f : NULL;
}

/*
 * The failed shmget whose -1 the thread's call plausibly passed on: the
 * same thread's, at most SW_FAILED_RECENT_NS old, and still its latest
 * SysV result (no shmget, shmat, shmdt or shmctl of the thread succeeded
 * after it).  A -1 long after an unrelated failure, or after the thread
 * went on to work with other ids, is a literal the program chose (a
 * probe of whether SysV IPC works), not that failure's result.
 */
static const struct failed *shmget_behind(struct proc *p, const struct sw_event *e)
{
	const struct failed *f = thread_failure(p, e->tid, SW_SHMGET);
	const struct thread *t;

	if (!f || !failure_recent(f, e->ts_ns))
		return NULL;
	t = model_thread_find(p, e->tid);
	return t->sysv_ok_seq > f->seq ? NULL : f;
}

/* shmat/shmctl on -1: the failed shmget it came from, or no blame. */
static void ftu_minus_one(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct failed *prior = shmget_behind(p, e);
	struct sw_finding f;

	/* A blamed use and an unexplained -1 are told apart: the first
	 * probe must not hide a later true use. */
	if (!finding_first_time(a, p, SW_RULE_FAILED_THEN_USED, e->call,
				prior ? (__u64)-1 : (__u64)-2))
		return;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	finding_evidence(&f, e->seq);
	if (prior) {
		finding_evidence(&f, prior->seq);
		finding_stack_held(&f.origin, prior->stack);
		finding_publish(a, p, &f, a->lost_total,
			"%s on id -1: the shmget at seq %llu failed with %s and its result was used",
			sw_call_name(e->call), (unsigned long long)prior->seq, finding_err(prior->ret));
		return;
	}
	f.severity = SW_SEV_WARNING;
	finding_publish(a, p, &f, a->lost_total,
		"%s on id -1, the value a failed shmget returns; no recent failed shmget of this thread leads to it (a probe, or a failure not traced)",
		sw_call_name(e->call));
}

/*
 * Does shmat's EINVAL say that the id does not exist?  do_shmat checks
 * the flags and the address before it looks the id up: an unaligned
 * address without SHM_RND, SHM_RND rounding to NULL with SHM_REMAP, and
 * SHM_REMAP without an address all fail with EINVAL whatever the id;
 * with an address and no SHM_REMAP, a range that overlaps a mapping or
 * lies outside the address space fails the same way after the lookup.
 * Only a NULL address without SHM_REMAP leaves the id as the cause.
 */
bool ftu_shmat_einval_is_id(const struct sw_event *e)
{
	return !e->c.args[1] && !(e->c.args[2] & K_SHM_REMAP);
}

/* shmat/shmctl on -1, or on an id the kernel says does not exist. */
static void ftu_bad_id(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__s32 id = (__s32)e->c.args[0];
	const struct removal *rm;
	struct sw_finding f;
	__s64 ret = e->c.ret;

	if (e->call == SW_SHMCTL && !ftu_shmctl_takes_id(e->c.args[1]))
		return;
	if (id == -1) {
		ftu_minus_one(a, p, e);
		return;
	}
	/* EIDRM comes after the flag checks: the segment was being
	 * removed.  EINVAL is about the id only when nothing else can be. */
	if (ret != -EINVAL && ret != -EIDRM)
		return;
	if (e->call == SW_SHMAT && ret == -EINVAL && id >= 0 && !ftu_shmat_einval_is_id(e))
		return;
	/* Removed by someone else, or an id of another namespace. */
	if (ids_own(a, e))
		return;
	if (!finding_first_time(a, p, SW_RULE_FAILED_THEN_USED, e->call, (__u32)id))
		return;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	finding_evidence(&f, e->seq);
	rm = ids_removal_of(a, e);
	if (rm) {
		finding_evidence(&f, rm->seq);
		finding_publish(a, p, &f, a->lost_total,
			"%s on id %d, which does not exist (%s): it was removed with IPC_RMID at seq %llu by pid %u %s",
			sw_call_name(e->call), id, finding_err(ret), (unsigned long long)rm->seq,
			rm->remover_pid, rm->remover_comm);
		return;
	}
	finding_publish(a, p, &f, a->lost_total, "%s on id %d, which does not exist (%s)",
		sw_call_name(e->call), id, finding_err(ret));
}

/* shmdt/munmap/mremap on (void *)-1. */
static void ftu_map_failed(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct failed *prior, *other;
	struct sw_finding f;

	if (e->c.args[0] != SW_MAP_FAILED)
		return;
	if (!finding_first_time(a, p, SW_RULE_FAILED_THEN_USED, e->call, SW_MAP_FAILED))
		return;
	prior = thread_failure(p, e->tid, e->call == SW_SHMDT ? SW_SHMAT : SW_MMAP);
	other = thread_failure(p, e->tid, e->call == SW_SHMDT ? SW_MMAP : SW_SHMAT);
	if (!prior || (other && other->seq > prior->seq))
		prior = other;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	finding_evidence(&f, e->seq);
	if (prior) {
		finding_evidence(&f, prior->seq);
		finding_stack_held(&f.origin, prior->stack);
		finding_publish(a, p, &f, a->lost_total,
			"%s((void *)-1): the result of a call that failed with %s at seq %llu was used as an address",
			sw_call_name(e->call), finding_err(prior->ret), (unsigned long long)prior->seq);
	} else {
		finding_publish(a, p, &f, a->lost_total,
			"%s((void *)-1): a failed shmat/mmap result (-1, MAP_FAILED) was used as an address",
			sw_call_name(e->call));
	}
}

void ftu_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	switch (e->call) {
	case SW_SHMAT:
	case SW_SHMCTL:
		ftu_bad_id(a, p, e);
		break;
	case SW_SHMDT:
	case SW_MUNMAP:
	case SW_MREMAP:
		ftu_map_failed(a, p, e);
		break;
	}
}

/* Is addr where a write through a failed result lands: (void *)-1 itself,
 * wrapped past it into the first pages, or past NULL? */
static bool in_failure_zone(__u64 addr, __u64 size)
{
	if (size < SW_PAGE_SIZE)
		size = SW_PAGE_SIZE;
	return addr >= (__u64)-SW_PAGE_SIZE || addr < size;
}

/* A failed call a fault may be blamed on. */
struct blame {
	const struct failed *f;
	const char *call;
};

static void consider(struct blame *b, const struct failed *f, const char *call, __u64 ts)
{
	if (failure_recent(f, ts) && (!b->f || f->seq > b->f->seq)) {
		b->f = f;
		b->call = call;
	}
}

/* The newest recent failed shmat/mmap: the faulting thread's first. */
static struct blame recent_map_failure(struct proc *p, __u32 tid, __u64 ts)
{
	struct thread *t = model_thread_find(p, tid);
	struct blame b = { 0 };

	if (t) {
		consider(&b, &t->shmat, "shmat", ts);
		consider(&b, &t->mmap, "mmap", ts);
	}
	for (int i = 0; !b.f && i < SW_THREADS; i++) {
		consider(&b, &p->threads[i].shmat, "shmat", ts);
		consider(&b, &p->threads[i].mmap, "mmap", ts);
	}
	return b;
}

void ftu_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct blame b = recent_map_failure(p, e->tid, e->ts_ns);
	const struct failed *prior = b.f;
	struct sw_finding f;
	char sz[32];

	if (!prior || !in_failure_zone(e->sig.addr, prior->size))
		return;
	if (!finding_first_time(a, p, SW_RULE_FAILED_THEN_USED, SW_CALL_NONE, prior->seq))
		return;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	finding_stack_held(&f.origin, prior->stack);
	finding_evidence(&f, prior->seq);
	finding_evidence(&f, e->seq);
	if (prior->size)
		finding_size(sz, sizeof(sz), prior->size);
	else
		snprintf(sz, sizeof(sz), "unknown size");
	finding_publish(a, p, &f, prior->lost_snap,
		"%s at 0x%llx, within the %s that the %s at seq %llu asked for: it failed with %s and its result was used",
		e->sig.signo == K_SIGBUS ? "SIGBUS" : "SIGSEGV", (unsigned long long)e->sig.addr,
		sz, b.call, (unsigned long long)prior->seq, finding_err(prior->ret));
}

static void invalid_shmdt(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0];
	struct tomb *t = NULL;
	struct sw_finding f;

	if (e->c.ret != -EINVAL || addr == SW_MAP_FAILED)
		return;
	if (!finding_first_time(a, p, SW_RULE_INVALID_DETACH, e->call, addr))
		return;
	if (p && p->mm) {
		t = model_tomb_covering(p->mm, addr, addr + 1);
		if (t && (t->start != addr || t->how != SW_GONE_SHMDT))
			t = NULL;
	}
	finding_from_event(&f, SW_RULE_INVALID_DETACH, e);
	finding_evidence(&f, e->seq);
	if (t) {
		finding_evidence(&f, t->seq);
		finding_origin_tomb(&f, t);
		finding_publish(a, p, &f, a->lost_total,
			"shmdt(0x%llx) again: segment %d was already detached there at seq %llu",
			(unsigned long long)addr, t->shmid, (unsigned long long)t->seq);
	} else {
		finding_publish(a, p, &f, a->lost_total,
			"shmdt(0x%llx) failed with EINVAL: not an address shmat returned",
			(unsigned long long)addr);
	}
}

/*
 * munmap returns 0 for a range that holds nothing, so a second munmap of
 * a range is only known to be one when nothing can have been mapped
 * there since.  Without --all-mmaps the kernel side does not record
 * private mappings below --max-size, and mmap hands a freed range out
 * again first: a private malloc arena or buffer of the same size often
 * lands where a shared mapping was, and its own munmap looks exactly like
 * the shared one released twice.  The kernel could tell the two apart
 * only from an enter program on munmap, which the tracer does not have
 * (see docs/performance.md).  So a successful munmap is called a repeat
 * only when every mmap was recorded, nothing was seen mapped in the range
 * since it was unmapped and no event was lost since.
 * A failed munmap is judged by the kernel: EINVAL is an unaligned, empty
 * or out-of-range request.
 */
static struct tomb *already_unmapped(struct analyzer *a, struct proc *p, __u64 addr,
				     __u64 len)
{
	struct tomb *t;

	if (!a->opts.all_mmaps || !p || !p->mm || !len)
		return NULL;
	t = model_tomb_covering(p->mm, addr, addr + len);
	if (!t || t->lost_snap != a->lost_total || model_range_overlaps(p->mm, addr, addr + len))
		return NULL;
	return t;
}

static void invalid_munmap(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0], len = SW_PAGE_ALIGN(e->c.args[1]);
	struct tomb *t = NULL;
	struct sw_finding f;
	char sz[32];

	if (addr == SW_MAP_FAILED)
		return;
	if (!sw_ret_is_err(e->c.ret)) {
		/* The late record of an unmap that another thread's mapping
		 * already showed (see struct displaced). */
		if (p && model_displaced(p->mm, addr, addr + len, e->tid, SW_RANGE_MAP))
			return;
		t = already_unmapped(a, p, addr, len);
		if (!t)
			return;
	} else if (e->c.ret != -EINVAL) {
		return;
	}
	if (!finding_first_time(a, p, SW_RULE_INVALID_DETACH, e->call, addr))
		return;
	finding_from_event(&f, SW_RULE_INVALID_DETACH, e);
	finding_evidence(&f, e->seq);
	finding_size(sz, sizeof(sz), e->c.args[1]);
	if (t) {
		finding_evidence(&f, t->seq);
		finding_origin_tomb(&f, t);
		finding_publish(a, p, &f, a->lost_total,
			"munmap(0x%llx, %s) again: this range was already unmapped at seq %llu",
			(unsigned long long)addr, sz, (unsigned long long)t->seq);
	} else {
		finding_publish(a, p, &f, a->lost_total,
			"munmap(0x%llx, %s) failed with EINVAL: not a page-aligned, non-empty range",
			(unsigned long long)addr, sz);
	}
}

void invalid_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	if (e->call == SW_SHMDT)
		invalid_shmdt(a, p, e);
	else if (e->call == SW_MUNMAP)
		invalid_munmap(a, p, e);
}

static const char *const gone_words[] = {
	[SW_GONE_SHMDT] = "detached by shmdt",
	[SW_GONE_MUNMAP] = "unmapped by munmap",
	[SW_GONE_MREMAP] = "moved away by mremap",
};

/* Only SEGV_MAPERR proves that nothing is mapped at the address now: an
 * access error or a SIGBUS means a mapping we did not see sits there. */
void uad_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 addr = e->sig.addr;
	struct sw_finding f;
	struct tomb *t;
	char what[48], sz[32];

	if (e->sig.signo != K_SIGSEGV || e->sig.code != K_SEGV_MAPERR || !p->mm)
		return;
	t = model_tomb_covering(p->mm, addr, addr + 1);
	if (!t || t->reported || model_range_at(p->mm, addr))
		return;
	t->reported = true;
	if (t->kind == SW_RANGE_ATTACH)
		snprintf(what, sizeof(what), "an attachment of segment %d", t->shmid);
	else
		snprintf(what, sizeof(what), "a shared mapping");
	finding_size(sz, sizeof(sz), t->end - t->start);
	finding_from_event(&f, SW_RULE_USE_AFTER_DETACH, e);
	finding_origin_tomb(&f, t);
	finding_evidence(&f, t->map_seq);
	finding_evidence(&f, t->seq);
	finding_evidence(&f, e->seq);
	finding_publish(a, p, &f, t->lost_snap,
		"SIGSEGV at 0x%llx inside %s (0x%llx, %s) %s at seq %llu",
		(unsigned long long)addr, what, (unsigned long long)t->start, sz,
		gone_words[t->how], (unsigned long long)t->seq);
}
