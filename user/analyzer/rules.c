// SPDX-License-Identifier: GPL-2.0
/*
 * rules.c - the detectors and the analyzer's event entry points.
 *
 * sw_rules[] is the rule table; checks[] gives each rule its hooks, called
 * around the model update of every event:
 *   on_call      before the model applies a call (the state the call met)
 *   on_holdings  after a call changed what an address space holds
 *   on_signal    a SIGSEGV/SIGBUS of a known process
 *   on_exit      a process exited, its state still intact
 *   on_idle      a segment lost its last attachment or its creator
 *
 * Every finding is reported once per object and rule: flags on segments
 * and tombstones, and for per-call objects a set of keys per process.
 *
 * Stacks: a finding's site is the stack of the event that completed it
 * (none for an exit or a successful detach, which carry none); its origin
 * is the stack kept with the object it is about: the segment's shmget,
 * the failed call, the detach or else the mapping of a detached range.
 *
 * Loss: a finding resting on state that a reported loss may have changed
 * is kept but marked uncertain ("(uncertain: N events lost)") when the
 * hole can only have hidden its cure (an IPC_RMID, a detach); it is
 * suppressed when the hole could have invented it: attach-leak restarts
 * its windows after a loss, and a double munmap needs no loss since the
 * first one.  Findings that rest on the kernel's own verdict in a single
 * event (EINVAL, a -1 argument, an oversized size) are never uncertain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/model.h"
#include "lib/names.h"
#include "analyzer/rules.h"
#include "kabi.h"

const struct sw_rule_info sw_rules[] = {
	[SW_RULE_SEGMENT_LEAK] = {
		"segment-leak", SW_SEV_ERROR,
		"a SysV segment outlives its creator with no attachment and no IPC_RMID",
		"call shmctl(id, IPC_RMID) once every user has attached; ipcrm -m removes the ones left",
	},
	[SW_RULE_ATTACH_LEAK] = {
		"attach-leak", SW_SEV_WARNING,
		"a process keeps attaching or mapping shared memory without releasing it",
		"shmdt/munmap what is no longer used, or reuse one attachment",
	},
	[SW_RULE_FAILED_THEN_USED] = {
		"failed-then-used", SW_SEV_ERROR,
		"the result of a failed shmget/shmat/mmap was used as an id or an address",
		"check for -1 / MAP_FAILED right after the call and take the error path",
	},
	[SW_RULE_OVERSIZED_REQUEST] = {
		"oversized-request", SW_SEV_WARNING,
		"a shmget/mmap size at or above --max-size, or too big to be honest",
		"check the size computation for overflow and bound it before the call",
	},
	[SW_RULE_MISSING_ROLLBACK] = {
		"missing-rollback", SW_SEV_ERROR,
		"shmat failed after shmget created the segment, and the segment was never removed",
		"on the shmat error path, call shmctl(id, IPC_RMID) for the segment just created",
	},
	[SW_RULE_INVALID_DETACH] = {
		"invalid-detach", SW_SEV_WARNING,
		"shmdt of an address that is not attached, or munmap of an invalid range",
		"detach each attachment exactly once, with the address shmat returned",
	},
	[SW_RULE_USE_AFTER_DETACH] = {
		"use-after-detach", SW_SEV_ERROR,
		"a fault inside a range this process had detached or unmapped",
		"clear pointers into a segment when detaching it; detach only after the last use",
	},
	[SW_RULE_SHM_OBJECT_LEAK] = {
		"shm-object-leak", SW_SEV_WARNING,
		"a shm object (e.g. in /dev/shm) outlives its creator, never unlinked and mapped by nobody",
		"shm_unlink() it once every user has opened it (SharedMemory.unlink()); rm the ones left",
	},
	[SW_RULE_SIGBUS_EXPLAINED] = {
		"sigbus-explained", SW_SEV_ERROR,
		"a SIGBUS in a shared mapping: past the object's end, or its tmpfs was full",
		"size the object (ftruncate) before mapping it and never shrink it while mapped; give the tmpfs room or fallocate up front",
	},
};

const int sw_rule_count = SW_RULE_COUNT;

int sw_rule_index(const char *id)
{
	for (int i = 0; i < SW_RULE_COUNT; i++)
		if (!strcmp(sw_rules[i].id, id))
			return i;
	return -ENOENT;
}

static const char *err_name(__s64 ret)
{
	return sw_errno_name((int)-ret);
}

/* ---- building and publishing a finding --------------------------------- */

static void finding_init(struct sw_finding *f, int rule, __u32 pid, __u32 tid,
			 const char *comm, __u64 ts)
{
	memset(f, 0, sizeof(*f));
	f->rule = sw_rules[rule].id;
	f->severity = sw_rules[rule].severity;
	f->pid = pid;
	f->tid = tid;
	if (comm)
		memcpy(f->comm, comm, strnlen(comm, SW_COMM_LEN - 1));
	f->ts_ns = ts;
}

/* A stack kept with a model object; none leaves dst empty.  The model
 * keeps the stacks of calls, never of faults. */
static void stack_from_held(struct sw_stack *dst, const struct sw_ustack *s)
{
	if (!s)
		return;
	dst->pid = s->pid;
	dst->n = s->n;
	dst->at_fault = false;
	memcpy(dst->ip, s->ip, s->n * sizeof(dst->ip[0]));
}

static void stack_from_event(struct sw_stack *dst, const struct sw_event *e)
{
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;

	dst->pid = e->pid;
	dst->n = n;
	dst->at_fault = sw_event_stack_at_fault(e);
	memcpy(dst->ip, e->stack, n * sizeof(dst->ip[0]));
}

/* A finding completed by e, the misuse: its site is e's stack. */
static void finding_from_event(struct sw_finding *f, int rule, const struct sw_event *e)
{
	finding_init(f, rule, e->pid, e->tid, e->comm, e->ts_ns);
	stack_from_event(&f->site, e);
}

/* A detached range's origin: the detach, or the mapping when the detach
 * came without a stack (a successful shmdt/munmap has none). */
static void origin_from_tomb(struct sw_finding *f, const struct sw_tomb *t)
{
	stack_from_held(&f->origin, t->stack ? t->stack : t->map_stack);
}

/* Evidence in seq order, without unknowns (0) and repeats. */
static void evidence_add(struct sw_finding *f, __u64 seq)
{
	int i;

	if (!seq || f->n_evidence == SW_MAX_EVIDENCE)
		return;
	for (i = f->n_evidence; i > 0 && f->evidence[i - 1] >= seq; i--)
		if (f->evidence[i - 1] == seq)
			return;
	memmove(&f->evidence[i + 1], &f->evidence[i], (f->n_evidence - i) * sizeof(seq));
	f->evidence[i] = seq;
	f->n_evidence++;
}

/* Format the message, mark it uncertain when events were lost since
 * lost_snap, count it in p's summary and hand it on. */
static void __attribute__((format(printf, 5, 6)))
publish(struct analyzer *a, struct sw_proc *p, struct sw_finding *f, __u64 lost_snap,
	const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	if (a->lost_total > lost_snap) {
		size_t at = n < 0 ? 0 : (size_t)n < sizeof(f->message) ? (size_t)n : sizeof(f->message) - 1;

		f->uncertain = true;
		snprintf(f->message + at, sizeof(f->message) - at, " (uncertain: %llu records were lost after what it rests on was seen)",
			 (unsigned long long)(a->lost_total - lost_snap));
	}
	if (p) {
		int rule = sw_rule_index(f->rule);

		if (rule >= 0)
			p->sum.findings[rule]++;
	}
	if (a->opts.on_finding)
		a->opts.on_finding(a->opts.ctx, f);
}

/* Key of a per-process finding: rule, call and the object's value. */
static __u64 dedup_key(int rule, __u32 call, __u64 value)
{
	__u64 k = value * 0x9e3779b97f4a7c15ULL;

	return k ^ ((__u64)rule << 56) ^ ((__u64)call << 48);
}

static bool first_time(struct sw_proc *p, int rule, __u32 call, __u64 value)
{
	return model_dedup_first(p, dedup_key(rule, call, value));
}

static void size_str(char *buf, size_t len, __u64 bytes)
{
	sw_human_size(buf, len, bytes);
}

/* ---- oversized-request ---------------------------------------------- */

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
		size_str(lim, sizeof(lim), a->opts.shmmax);
		snprintf(why, len, "above SHMMAX (%s)", lim);
		return true;
	}
	if (a->opts.mem_total && size > a->opts.mem_total) {
		size_str(lim, sizeof(lim), a->opts.mem_total);
		snprintf(why, len, "above RAM plus swap (%s)", lim);
		return true;
	}
	if (size >= max) {
		size_str(lim, sizeof(lim), max);
		snprintf(why, len, max == SW_PRIVATE_RECORD_MIN && call == SW_MMAP ?
				   "at or above %s, where private mappings are judged" :
				   "at or above --max-size (%s)", lim);
		return true;
	}
	return false;
}

static void oversized_on_call(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 size = e->c.args[1];
	bool failed = sw_ret_is_err(e->c.ret);
	char why[96], sz[32], tail[48] = "";
	struct sw_finding f;

	if (e->call != SW_SHMGET && e->call != SW_MMAP)
		return;
	if (e->call == SW_MMAP && mmap_is_reservation(e))
		return;
	if (!oversized_reason(a, e, why, sizeof(why)))
		return;
	if (!first_time(p, SW_RULE_OVERSIZED_REQUEST, e->call, size))
		return;
	finding_from_event(&f, SW_RULE_OVERSIZED_REQUEST, e);
	if (failed) {
		f.severity = SW_SEV_ERROR;
		snprintf(tail, sizeof(tail), "; it failed with %s", err_name(e->c.ret));
	}
	evidence_add(&f, e->seq);
	size_str(sz, sizeof(sz), size);
	publish(a, p, &f, a->lost_total, "%s of %s (%llu bytes), %s%s", sw_call_name(e->call), sz,
		(unsigned long long)size, why, tail);
}

/* ---- failed-then-used ------------------------------------------------ */

static bool shmctl_takes_id(__u64 cmd)
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

static const struct sw_failed *thread_failure(struct sw_proc *p, __u32 tid, __u32 call)
{
	struct sw_thread *t = p ? model_thread_find(p, tid) : NULL;
	const struct sw_failed *f;

	if (!t)
		return NULL;
	f = call == SW_SHMGET ? &t->shmget : call == SW_SHMAT ? &t->shmat : &t->mmap;
	return f->valid ? f : NULL;
}

/* shmat/shmctl on -1, or on an id the kernel says does not exist. */
static void ftu_bad_id(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__s32 id = (__s32)e->c.args[0];
	const struct sw_failed *prior;
	struct sw_finding f;
	__s64 ret = e->c.ret;

	if (e->call == SW_SHMCTL && !shmctl_takes_id(e->c.args[1]))
		return;
	if (id == -1) {
		if (!first_time(p, SW_RULE_FAILED_THEN_USED, e->call, (__u64)-1))
			return;
		finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
		prior = thread_failure(p, e->tid, SW_SHMGET);
		evidence_add(&f, e->seq);
		if (prior) {
			evidence_add(&f, prior->seq);
			stack_from_held(&f.origin, prior->stack);
			publish(a, p, &f, a->lost_total,
				"%s on id -1: the shmget at seq %llu failed with %s and its result was used",
				sw_call_name(e->call), (unsigned long long)prior->seq, err_name(prior->ret));
		} else {
			publish(a, p, &f, a->lost_total,
				"%s on id -1, the value a failed shmget returns", sw_call_name(e->call));
		}
		return;
	}
	/* With a NULL address, shmat's EINVAL can only mean a bad id. */
	if (ret != -EINVAL && ret != -EIDRM)
		return;
	if (e->call == SW_SHMAT && e->c.args[1])
		return;
	if (!first_time(p, SW_RULE_FAILED_THEN_USED, e->call, (__u32)id))
		return;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	evidence_add(&f, e->seq);
	publish(a, p, &f, a->lost_total, "%s on id %d, which does not exist (%s)",
		sw_call_name(e->call), id, err_name(ret));
}

/* shmdt/munmap/mremap on (void *)-1. */
static void ftu_map_failed(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	const struct sw_failed *prior, *other;
	struct sw_finding f;

	if (e->c.args[0] != SW_MAP_FAILED)
		return;
	if (!first_time(p, SW_RULE_FAILED_THEN_USED, e->call, SW_MAP_FAILED))
		return;
	prior = thread_failure(p, e->tid, e->call == SW_SHMDT ? SW_SHMAT : SW_MMAP);
	other = thread_failure(p, e->tid, e->call == SW_SHMDT ? SW_MMAP : SW_SHMAT);
	if (!prior || (other && other->seq > prior->seq))
		prior = other;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	evidence_add(&f, e->seq);
	if (prior) {
		evidence_add(&f, prior->seq);
		stack_from_held(&f.origin, prior->stack);
		publish(a, p, &f, a->lost_total,
			"%s((void *)-1): the result of a call that failed with %s at seq %llu was used as an address",
			sw_call_name(e->call), err_name(prior->ret), (unsigned long long)prior->seq);
	} else {
		publish(a, p, &f, a->lost_total,
			"%s((void *)-1): a failed shmat/mmap result (-1, MAP_FAILED) was used as an address",
			sw_call_name(e->call));
	}
}

static void ftu_on_call(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
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

static bool failure_recent(const struct sw_failed *f, __u64 ts)
{
	return f->valid && (ts <= f->ts || ts - f->ts <= SW_FAILED_RECENT_NS);
}

/* A failed call a fault may be blamed on. */
struct blame {
	const struct sw_failed *f;
	const char *call;
};

static void consider(struct blame *b, const struct sw_failed *f, const char *call, __u64 ts)
{
	if (failure_recent(f, ts) && (!b->f || f->seq > b->f->seq)) {
		b->f = f;
		b->call = call;
	}
}

/* The newest recent failed shmat/mmap: the faulting thread's first. */
static struct blame recent_map_failure(struct sw_proc *p, __u32 tid, __u64 ts)
{
	struct sw_thread *t = model_thread_find(p, tid);
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

static void ftu_on_signal(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	struct blame b = recent_map_failure(p, e->tid, e->ts_ns);
	const struct sw_failed *prior = b.f;
	struct sw_finding f;
	char sz[32];

	if (!prior || !in_failure_zone(e->sig.addr, prior->size))
		return;
	if (!first_time(p, SW_RULE_FAILED_THEN_USED, SW_CALL_NONE, prior->seq))
		return;
	finding_from_event(&f, SW_RULE_FAILED_THEN_USED, e);
	stack_from_held(&f.origin, prior->stack);
	evidence_add(&f, prior->seq);
	evidence_add(&f, e->seq);
	if (prior->size)
		size_str(sz, sizeof(sz), prior->size);
	else
		snprintf(sz, sizeof(sz), "unknown size");
	publish(a, p, &f, prior->lost_snap,
		"%s at 0x%llx, within the %s that the %s at seq %llu asked for: it failed with %s and its result was used",
		e->sig.signo == K_SIGBUS ? "SIGBUS" : "SIGSEGV", (unsigned long long)e->sig.addr,
		sz, b.call, (unsigned long long)prior->seq, err_name(prior->ret));
}

/* ---- invalid-detach --------------------------------------------------- */

static void invalid_shmdt(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0];
	struct sw_tomb *t = NULL;
	struct sw_finding f;

	if (e->c.ret != -EINVAL || addr == SW_MAP_FAILED)
		return;
	if (!first_time(p, SW_RULE_INVALID_DETACH, e->call, addr))
		return;
	if (p && p->mm) {
		t = model_tomb_covering(p->mm, addr, addr + 1);
		if (t && (t->start != addr || t->how != SW_GONE_SHMDT))
			t = NULL;
	}
	finding_from_event(&f, SW_RULE_INVALID_DETACH, e);
	evidence_add(&f, e->seq);
	if (t) {
		evidence_add(&f, t->seq);
		origin_from_tomb(&f, t);
		publish(a, p, &f, a->lost_total,
			"shmdt(0x%llx) again: segment %d was already detached there at seq %llu",
			(unsigned long long)addr, t->shmid, (unsigned long long)t->seq);
	} else {
		publish(a, p, &f, a->lost_total,
			"shmdt(0x%llx) failed with EINVAL: not an address shmat returned",
			(unsigned long long)addr);
	}
}

/*
 * munmap returns 0 for a range that holds nothing, and private mappings
 * below --max-size are filtered in the kernel, so an unmapped range may
 * have been reused by an mmap we never saw.  Flag a successful munmap
 * only when it repeats exactly (same start, same length) an earlier
 * munmap that removed a whole shared mapping of this process, nothing was
 * seen mapped there since and no event was lost since: the same pointer
 * released twice.  An unseen private mapping of exactly that address and
 * size in between is the one case that could fool it.  With --all-mmaps
 * every mmap is seen, so any range inside an unmapped one counts.
 * A failed munmap is judged by the kernel: EINVAL is an unaligned, empty
 * or out-of-range request.
 */
static struct sw_tomb *already_unmapped(struct analyzer *a, struct sw_proc *p, __u64 addr,
					__u64 len)
{
	struct sw_tomb *t;

	if (!p || !p->mm || !len)
		return NULL;
	t = model_tomb_covering(p->mm, addr, addr + len);
	if (!t || t->lost_snap != a->lost_total || model_range_overlaps(p->mm, addr, addr + len))
		return NULL;
	if (a->opts.all_mmaps)
		return t;
	return t->how == SW_GONE_MUNMAP && t->whole && t->start == addr && t->end == addr + len ?
		       t :
		       NULL;
}

static void invalid_munmap(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 addr = e->c.args[0], len = SW_PAGE_ALIGN(e->c.args[1]);
	struct sw_tomb *t = NULL;
	struct sw_finding f;
	char sz[32];

	if (addr == SW_MAP_FAILED)
		return;
	if (!sw_ret_is_err(e->c.ret)) {
		/* The late record of an unmap that another thread's mapping
		 * already showed (see struct sw_displaced). */
		if (p && model_displaced(p->mm, addr, addr + len, e->tid, SW_RANGE_MAP))
			return;
		t = already_unmapped(a, p, addr, len);
		if (!t)
			return;
	} else if (e->c.ret != -EINVAL) {
		return;
	}
	if (!first_time(p, SW_RULE_INVALID_DETACH, e->call, addr))
		return;
	finding_from_event(&f, SW_RULE_INVALID_DETACH, e);
	evidence_add(&f, e->seq);
	size_str(sz, sizeof(sz), e->c.args[1]);
	if (t) {
		evidence_add(&f, t->seq);
		origin_from_tomb(&f, t);
		publish(a, p, &f, a->lost_total,
			"munmap(0x%llx, %s) again: this range was already unmapped at seq %llu",
			(unsigned long long)addr, sz, (unsigned long long)t->seq);
	} else {
		publish(a, p, &f, a->lost_total,
			"munmap(0x%llx, %s) failed with EINVAL: not a page-aligned, non-empty range",
			(unsigned long long)addr, sz);
	}
}

static void invalid_on_call(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	if (e->call == SW_SHMDT)
		invalid_shmdt(a, p, e);
	else if (e->call == SW_MUNMAP)
		invalid_munmap(a, p, e);
}

/* ---- use-after-detach ------------------------------------------------ */

static const char *const gone_words[] = {
	[SW_GONE_SHMDT] = "detached by shmdt",
	[SW_GONE_MUNMAP] = "unmapped by munmap",
	[SW_GONE_MREMAP] = "moved away by mremap",
};

/* Only SEGV_MAPERR proves that nothing is mapped at the address now: an
 * access error or a SIGBUS means a mapping we did not see sits there. */
static void uad_on_signal(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 addr = e->sig.addr;
	struct sw_finding f;
	struct sw_tomb *t;
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
	size_str(sz, sizeof(sz), t->end - t->start);
	finding_from_event(&f, SW_RULE_USE_AFTER_DETACH, e);
	origin_from_tomb(&f, t);
	evidence_add(&f, t->map_seq);
	evidence_add(&f, t->seq);
	evidence_add(&f, e->seq);
	publish(a, p, &f, t->lost_snap,
		"SIGSEGV at 0x%llx inside %s (0x%llx, %s) %s at seq %llu",
		(unsigned long long)addr, what, (unsigned long long)t->start, sz,
		gone_words[t->how], (unsigned long long)t->seq);
}

/* ---- attach-leak ----------------------------------------------------- */

static void growth_restart(struct analyzer *a, struct sw_growth *g, __u32 count,
			   const struct sw_event *e)
{
	*g = (struct sw_growth){
		.started = true,
		.win_start = e->ts_ns,
		.win_seq = e->seq,
		.win_base = count,
		.lost_snap = a->lost_total,
	};
}

static void growth_on_holdings(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	__u64 win = a->opts.growth_window_ns ? a->opts.growth_window_ns : SW_DEFAULT_GROWTH_WINDOW_NS;
	__u32 thr = a->opts.growth_threshold ? a->opts.growth_threshold : SW_DEFAULT_GROWTH_THRESHOLD;
	struct sw_mm *mm = p->mm;
	struct sw_growth *g;
	struct sw_finding f;
	__u32 count;
	char sz[32];

	if (!mm || p->growth_reported)
		return;
	g = &mm->growth;
	count = model_holdings(mm);
	/* After a loss the counts may miss releases: start over. */
	if (!g->started || g->lost_snap != a->lost_total || e->ts_ns < g->win_start) {
		growth_restart(a, g, count, e);
		return;
	}
	if (e->ts_ns - g->win_start < win)
		return;
	/* A window closes; an idle gap longer than a window breaks the
	 * streak, as nothing grew in it. */
	if (e->ts_ns - g->win_start < 2 * win && count >= g->win_base + thr) {
		if (!g->streak) {
			g->streak_base = g->win_base;
			g->streak_ts = g->win_start;
			g->streak_seq = g->win_seq;
		}
		g->streak++;
	} else {
		g->streak = 0;
	}
	g->win_start = e->ts_ns;
	g->win_seq = e->seq;
	g->win_base = count;
	if (g->streak < SW_GROWTH_WINDOWS)
		return;
	p->growth_reported = true;
	finding_from_event(&f, SW_RULE_ATTACH_LEAK, e);
	evidence_add(&f, g->streak_seq);
	evidence_add(&f, e->seq);
	size_str(sz, sizeof(sz), mm->bytes);
	publish(a, p, &f, a->lost_total,
		"held attachments and shared mappings grew from %u to %u in %.1f s without release (%u SysV attachments, %u shared mappings, %s)",
		g->streak_base, count, (double)(e->ts_ns - g->streak_ts) / 1e9, mm->n_attach,
		mm->n_map, sz);
}

/* ---- missing-rollback and segment-leak ------------------------------- */

static void seg_desc(char *buf, size_t len, const struct sw_segment *s)
{
	char sz[32];

	size_str(sz, sizeof(sz), s->size);
	if (s->key == 0)
		snprintf(buf, len, "segment %d (IPC_PRIVATE, %s)", s->shmid, sz);
	else
		snprintf(buf, len, "segment %d (key 0x%08x, %s)", s->shmid, (__u32)s->key, sz);
}

static void rollback_on_exit(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	struct list_node *pos;
	char desc[96];

	/* With shm_rmid_forced the kernel removes it at exit. */
	if (a->opts.shm_rmid_forced)
		return;
	list_for_each(pos, &p->created) {
		struct sw_segment *s = list_entry(pos, struct sw_segment, cnode);
		struct sw_finding f;

		if (!s->rb_pending || s->rmid)
			continue;
		/* segment-leak may report the same segment too: one object,
		 * two rules, the cause and its consequence. */
		s->rb_pending = false;
		finding_init(&f, SW_RULE_MISSING_ROLLBACK, p->pid, s->rb_tid, p->comm, e->ts_ns);
		/* The exit decides it; the misuse is the failed shmat. */
		stack_from_held(&f.origin, s->stack);
		stack_from_held(&f.site, s->rb_stack);
		evidence_add(&f, s->create_seq);
		evidence_add(&f, s->rb_at_seq);
		evidence_add(&f, e->seq);
		seg_desc(desc, sizeof(desc), s);
		publish(a, p, &f, s->rb_lost_snap,
			"%s from the shmget at seq %llu was never removed after shmat failed with %s at seq %llu",
			desc, (unsigned long long)s->create_seq, err_name(s->rb_ret),
			(unsigned long long)s->rb_at_seq);
	}
}

static void leak_on_idle(struct analyzer *a, struct sw_segment *s, const struct sw_event *e)
{
	struct sw_proc *p = model_proc(a, s->creator_pid);
	struct sw_finding f;
	char desc[96];

	if (!model_seg_orphaned(a, s) || s->leak_reported)
		return;
	s->leak_reported = true;
	/* Count it in the creator's summary only if that is the process
	 * exiting now, not a new one that reused its pid. */
	if (p && !p->exited)
		p = NULL;
	finding_init(&f, SW_RULE_SEGMENT_LEAK, s->creator_pid, s->creator_tid, s->creator_comm,
		     e->ts_ns);
	if (s->key != 0)
		f.severity = SW_SEV_WARNING;
	stack_from_held(&f.origin, s->stack);
	/* Usually an exit or a detach, without a stack; an mremap or a
	 * MAP_FIXED over the last attachment has one.  A late shmget that
	 * is leaked at once is its own origin. */
	if (e->seq != s->create_seq)
		stack_from_event(&f.site, e);
	evidence_add(&f, s->create_seq);
	evidence_add(&f, s->last_detach_seq);
	evidence_add(&f, s->creator_exit_seq);
	evidence_add(&f, e->seq);
	seg_desc(desc, sizeof(desc), s);
	publish(a, p, &f, s->lost_snap,
		"%s was left with no attachment and no IPC_RMID after its creator exited: it stays in the kernel",
		desc);
}

/* ---- shm-object-leak ---------------------------------------------- */

static const char *mount_label(struct analyzer *a, __u32 dev)
{
	struct sw_mount *m = model_mount(a, dev);

	return m && m->has_label ? m->label : "its tmpfs";
}

/* The stack that says most about where an object came from: its
 * creation, unless that is a bare libc frame (shm_open has no frame
 * pointers) and its creator sized it from code that has them. */
static const struct sw_ustack *obj_origin(const struct sw_shmobj *o)
{
	if (o->resize_stack && o->resize_pid == o->creator_pid &&
	    (!o->stack || o->resize_stack->n > o->stack->n))
		return o->resize_stack;
	return o->stack;
}

static void objleak_check(struct analyzer *a, struct sw_shmobj *o, const struct sw_event *e)
{
	struct sw_proc *p = model_proc(a, o->creator_pid);
	struct sw_finding f;
	char sz[32];

	if (!o->creator_gone || o->leak_reported || !model_obj_leak_candidate(o) || o->n_maps)
		return;
	o->leak_reported = true;
	model_obj_unwait(a, o);
	if (p && !p->exited)
		p = NULL;
	finding_init(&f, SW_RULE_SHM_OBJECT_LEAK, o->creator_pid, o->creator_tid,
		     o->creator_comm, e->ts_ns);
	stack_from_held(&f.origin, obj_origin(o));
	/* Usually an exit, without a stack; an mremap or a MAP_FIXED over
	 * the last mapping has one. */
	stack_from_event(&f.site, e);
	evidence_add(&f, o->create_seq);
	evidence_add(&f, o->resize_seq);
	evidence_add(&f, o->first_map_seq);
	evidence_add(&f, o->creator_exit_seq);
	evidence_add(&f, e->seq);
	size_str(sz, sizeof(sz), o->size);
	publish(a, p, &f, o->lost_snap,
		"%s (%s, ino %llu) was never unlinked and nobody maps it since its creator exited: it keeps occupying %s",
		o->path, sz, (unsigned long long)o->ino, mount_label(a, o->dev));
}

/* After an exit or an unmapping: objects waiting for their last holder. */
static void objleak_on_release(struct analyzer *a, const struct sw_event *e)
{
	struct list_node *pos, *tmp;

	/* objleak_check may take o off the list. */
	list_for_each_safe(pos, tmp, &a->objs_wait)
		objleak_check(a, list_entry(pos, struct sw_shmobj, wnode), e);
}

/* ---- sigbus-explained ---------------------------------------------- */

/* What a SIGBUS hit, from the event (read at the fault) or else from
 * the model's mapping at the address. */
struct fault_view {
	__u32 backing;
	__u32 dev;
	__u64 ino;
	__u64 offset;
	__u64 obj_size;
	bool sizes_known;
	bool from_model; /* sizes from the traced calls, not read at the fault */
	const char *name;
	const struct sw_range *range;
};

static bool fault_view(struct analyzer *a, struct sw_proc *p, const struct sw_event *e,
		       struct fault_view *v)
{
	const struct sw_signal_info *s = &e->sig;
	const struct sw_range *r = p->mm ? model_range_at(p->mm, s->addr) : NULL;
	const struct sw_shmobj *o;

	if (s->backing != SW_BK_NONE) {
		*v = (struct fault_view){ .backing = s->backing, .dev = s->dev, .ino = s->ino,
					  .offset = s->offset, .obj_size = s->obj_size,
					  .sizes_known = true, .name = s->name, .range = r };
		return s->backing != SW_BK_ANON_PRIVATE && s->backing != SW_BK_FILE_PRIVATE;
	}
	if (!r)
		return false;
	/* The kernel could not read the mapping at the fault (its lock was
	 * busy): the model's mapping and object stand in, sized as the
	 * traced calls left it. */
	*v = (struct fault_view){ .backing = r->backing, .dev = r->dev, .ino = r->ino,
				  .name = "", .range = r };
	o = r->ino ? model_obj(a, r->dev, r->ino) : NULL;
	if (o && r->has_base) {
		v->offset = s->addr - r->base;
		v->obj_size = o->size;
		v->sizes_known = true;
		v->from_model = true;
	}
	return true;
}

/* ", biggest: a 3.0 MiB (pid 12), ino 77 1.0 MiB" from the event's list. */
static void top_list(struct analyzer *a, const struct sw_event *e, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < SW_TOP_HOLDERS && e->sig.top[i].ino && at < len; i++) {
		const struct sw_holder *h = &e->sig.top[i];
		struct sw_shmobj *o = model_obj(a, e->sig.dev, h->ino);
		char sz[32];
		int n;

		size_str(sz, sizeof(sz), h->bytes);
		if (o && o->created)
			n = snprintf(buf + at, len - at, "%s%s %s (pid %u)", i ? ", " : "; biggest: ",
				     o->path, sz, o->creator_pid);
		else if (o)
			n = snprintf(buf + at, len - at, "%s%s %s", i ? ", " : "; biggest: ", o->path, sz);
		else
			n = snprintf(buf + at, len - at, "%sino %llu %s", i ? ", " : "; biggest: ",
				     (unsigned long long)h->ino, sz);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

static bool mount_full(const struct sw_signal_info *s)
{
	__u64 slack = s->fs_size / 64 > SW_FULL_SLACK ? s->fs_size / 64 : SW_FULL_SLACK;

	return s->fs_size && s->fs_used + slack >= s->fs_size;
}

static void sigbus_on_signal(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	const struct sw_signal_info *s = &e->sig;
	struct fault_view v;
	struct sw_shmobj *o;
	struct sw_finding f;
	char what[160], off[32], size[32], used[32], cap[32], top[200];
	const char *name;

	if (s->signo != K_SIGBUS || s->code <= 0 || !fault_view(a, p, e, &v))
		return;
	if (!first_time(p, SW_RULE_SIGBUS_EXPLAINED, 0,
			sw_obj_key(v.dev, v.ino) ^ (s->addr >> 12) * 0xff51afd7ed558ccdULL))
		return;
	o = v.ino ? model_obj(a, v.dev, v.ino) : NULL;
	name = o ? o->path : v.name[0] ? v.name : sw_backing_name(v.backing);
	finding_from_event(&f, SW_RULE_SIGBUS_EXPLAINED, e);
	if (o) {
		evidence_add(&f, o->create_seq);
		evidence_add(&f, o->resize_seq);
	}
	if (v.range) {
		evidence_add(&f, v.range->seq);
		stack_from_held(&f.origin, v.range->stack);
	}
	evidence_add(&f, e->seq);
	snprintf(what, sizeof(what), "SIGBUS at 0x%llx in %s (%s, ino %llu%s)",
		 (unsigned long long)s->addr, name, sw_backing_name(v.backing),
		 (unsigned long long)v.ino, v.from_model ? ", sizes as last traced" : "");
	if (!v.sizes_known) {
		publish(a, p, &f, a->lost_total,
			"%s: the mapping could not be read at the fault; offset and size unknown", what);
		return;
	}
	size_str(off, sizeof(off), v.offset);
	size_str(size, sizeof(size), v.obj_size);
	if (v.offset >= SW_PAGE_ALIGN(v.obj_size)) {
		if (o && o->resize_seq && o->resize_from > v.obj_size) {
			bool while_mapped = !v.range || o->resize_seq > v.range->seq;
			char from[32];

			size_str(from, sizeof(from), o->resize_from);
			stack_from_held(&f.origin, o->resize_stack);
			publish(a, p, &f, a->lost_total,
				"%s: offset %s is past the object's end (%s): pid %u (%s) truncated it from %s at seq %llu%s",
				what, off, size, o->resize_pid, o->resize_comm, from,
				(unsigned long long)o->resize_seq,
				while_mapped ? " while it was mapped" :
					       ", before this mapping was made beyond its end");
		} else {
			publish(a, p, &f, a->lost_total,
				"%s: offset %s is past the object's end (%s): it was mapped beyond its size and never grown (ftruncate) to cover it",
				what, off, size);
		}
		return;
	}
	if (v.from_model) {
		publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s as last traced); the mount's usage could not be read at the fault",
			what, off, size);
		return;
	}
	size_str(used, sizeof(used), s->fs_used);
	size_str(cap, sizeof(cap), s->fs_size);
	if (mount_full(s)) {
		top_list(a, e, top, sizeof(top));
		publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s) but %s was full, %s of %s used%s",
			what, off, size, mount_label(a, v.dev), used, cap, top);
	} else if (v.backing == SW_BK_HUGETLB) {
		publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s): no huge page was free to back it",
			what, off, size);
	} else {
		publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s) and its mount had room (%s of %s used): not a size or space problem (an I/O or memory error?)",
			what, off, size, used, s->fs_size ? cap : "no limit");
	}
}

/* ---- the table of checks ------------------------------------------- */

struct rule_check {
	void (*on_call)(struct analyzer *a, struct sw_proc *p, const struct sw_event *e);
	void (*on_holdings)(struct analyzer *a, struct sw_proc *p, const struct sw_event *e);
	void (*on_signal)(struct analyzer *a, struct sw_proc *p, const struct sw_event *e);
	void (*on_exit)(struct analyzer *a, struct sw_proc *p, const struct sw_event *e);
	void (*on_idle)(struct analyzer *a, struct sw_segment *s, const struct sw_event *e);
	/* after an event that may have let go of a shm object's last holder */
	void (*on_release)(struct analyzer *a, const struct sw_event *e);
};

static const struct rule_check checks[SW_RULE_COUNT] = {
	[SW_RULE_SEGMENT_LEAK] = { .on_idle = leak_on_idle },
	[SW_RULE_ATTACH_LEAK] = { .on_holdings = growth_on_holdings },
	[SW_RULE_FAILED_THEN_USED] = { .on_call = ftu_on_call, .on_signal = ftu_on_signal },
	[SW_RULE_OVERSIZED_REQUEST] = { .on_call = oversized_on_call },
	[SW_RULE_MISSING_ROLLBACK] = { .on_exit = rollback_on_exit },
	[SW_RULE_INVALID_DETACH] = { .on_call = invalid_on_call },
	[SW_RULE_USE_AFTER_DETACH] = { .on_signal = uad_on_signal },
	[SW_RULE_SHM_OBJECT_LEAK] = { .on_release = objleak_on_release },
	[SW_RULE_SIGBUS_EXPLAINED] = { .on_signal = sigbus_on_signal },
};

#define RUN_CHECKS(hook, ...)                                     \
	do {                                                      \
		for (int i_ = 0; i_ < SW_RULE_COUNT; i_++)        \
			if (checks[i_].hook)                      \
				checks[i_].hook(__VA_ARGS__);     \
	} while (0)

/* ---- event entry points ------------------------------------------- */

static void apply_call(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
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
		model_obj_call(a, p, e);
		break;
	}
}

static bool changes_holdings(const struct sw_event *e)
{
	switch (e->call) {
	case SW_SHMAT:
	case SW_SHMDT:
	case SW_MMAP:
	case SW_MUNMAP:
	case SW_MREMAP:
		return !sw_ret_is_err(e->c.ret);
	}
	return false;
}

static void handle_call(struct analyzer *a, const struct sw_event *e)
{
	struct sw_proc *p = model_proc_for_event(a, e);

	RUN_CHECKS(on_call, a, p, e);
	apply_call(a, p, e);
	if (p && changes_holdings(e))
		RUN_CHECKS(on_holdings, a, p, e);
	if (e->call == SW_MUNMAP || e->call == SW_MREMAP || e->call == SW_MMAP)
		RUN_CHECKS(on_release, a, e);
}

/* Processes that never touched shared memory get no summary: on a whole
 * host that is most of them, and most map a file or two shared. */
static bool summary_worth(const struct sw_proc *p)
{
	const struct sw_proc_summary *s = &p->sum;

	if (s->segs_created || s->segs_removed || s->attaches || s->detaches ||
	    p->shared_memory)
		return true;
	for (int i = 0; i < SW_RULE_COUNT; i++)
		if (s->findings[i])
			return true;
	return false;
}

static void emit_summary(struct analyzer *a, struct sw_proc *p)
{
	memcpy(p->sum.comm, p->comm, SW_COMM_LEN);
	if (a->opts.on_summary && summary_worth(p))
		a->opts.on_summary(a->opts.ctx, &p->sum);
}

/* Segments whose last attachment or creator went away in this event. */
static void check_idle(struct analyzer *a, const struct sw_event *e)
{
	for (size_t i = 0; i < a->n_idle; i++)
		RUN_CHECKS(on_idle, a, a->idle[i], e);
	model_end_event(a);
}

/* The process is gone: exit checks, segment decisions, summary, free. */
static void retire(struct analyzer *a, struct sw_proc *p, const struct sw_event *e)
{
	RUN_CHECKS(on_exit, a, p, e);
	model_exit(a, p, e);
	check_idle(a, e);
	model_obj_creator_exit(a, p, e);
	RUN_CHECKS(on_release, a, e);
	model_obj_collect(a);
	emit_summary(a, p);
	model_proc_free(a, p);
}

static void handle_fork(struct analyzer *a, const struct sw_event *e)
{
	struct sw_proc *parent = model_proc_for_event(a, e);
	struct sw_proc *stale = model_proc(a, e->fork.child_pid);

	/* The pid is back: the old process's exit was lost. */
	if (stale && stale != parent)
		retire(a, stale, e);
	if (stale != parent)
		model_fork(a, parent, e);
}

void analyzer__event(struct analyzer *a, const struct sw_event *e)
{
	struct sw_proc *p;

	switch (e->kind) {
	case SW_EV_CALL:
		handle_call(a, e);
		break;
	case SW_EV_FORK:
		handle_fork(a, e);
		break;
	case SW_EV_EXEC:
		p = model_proc_for_event(a, e);
		if (p) {
			model_exec(a, p, e);
			RUN_CHECKS(on_release, a, e);
		}
		break;
	case SW_EV_EXIT:
		p = model_proc(a, e->pid);
		if (p) {
			retire(a, p, e);
			return;
		}
		model_note_exit(a, e->pid, e->ts_ns);
		break;
	case SW_EV_SIGNAL:
		/* A process not seen before still gets its SIGBUS explained:
		 * the event carries what that needs. */
		p = model_proc_for_event(a, e);
		if (p)
			RUN_CHECKS(on_signal, a, p, e);
		break;
	}
	check_idle(a, e);
}

void analyzer__lost(struct analyzer *a, __u64 ts_ns, __u64 n)
{
	model_lost(a, n);
}

void analyzer__finish(struct analyzer *a, __u64 ts_ns)
{
	struct hmap_iter it;
	struct hnode *n;

	if (a->finished)
		return;
	a->finished = true;
	if (a->opts.on_usage)
		analyzer__usage(a, ts_ns, false, a->opts.on_usage, a->opts.ctx);
	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		struct sw_proc *p = (struct sw_proc *)n;

		p->sum.exited = false;
		if (p->mm && p->mm->refs == 1) {
			p->sum.held_attachments = model_holdings(p->mm);
			p->sum.held_bytes = p->mm->bytes;
		}
		emit_summary(a, p);
	}
}
