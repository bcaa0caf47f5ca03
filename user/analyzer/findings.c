// SPDX-License-Identifier: GPL-2.0
/*
 * findings.c - the finding builder: sw_rules[], the rule table (id,
 * severity, summary, advice: the one source for docs/rules.md and the
 * README), a finding's fields, stacks and evidence, the once-per-object
 * set of each process, and publishing.
 *
 * Hints: every finding says what to do.  It starts with its rule's
 * advice; a finding about an object of a known producer (producers.c: by
 * the object's name, else by the comm of the process it is attributed
 * to) takes that producer's own fix instead, which is the more useful
 * line: the generic advice tells a PyTorch user to shm_unlink what
 * PyTorch made.
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
#include "analyzer/findings.h"
#include "analyzer/producers.h"
#include "lib/hash.h"
#include "lib/names.h"

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
	[SW_RULE_SHM_LIMIT_REACHED] = {
		"shm-limit-reached", SW_SEV_ERROR,
		"shmget failed against a kernel limit: kernel.shmmax, kernel.shmall, kernel.shmmni, or memory",
		"raise the limit the message names (sysctl -w kernel.shmmax/shmall/shmmni, kept in /etc/sysctl.d), remove segments nobody uses (ipcs -m, ipcrm), or ask for less",
	},
	[SW_RULE_SHM_SPACE_EXHAUSTED] = {
		"shm-space-exhausted", SW_SEV_ERROR,
		"a memory filesystem (e.g. /dev/shm) had no room: ftruncate, fallocate or write of a shm object failed with ENOSPC",
		"give the mount room (docker run --shm-size, a Kubernetes emptyDir sizeLimit, mount -o remount,size=) or remove what fills it; the run's summary says what size would have sufficed",
	},
	[SW_RULE_REMOVED_WHILE_IN_USE] = {
		"removed-while-in-use", SW_SEV_ERROR,
		"a segment or /dev/shm object was removed by a process that neither created nor attached or mapped it, and a later call on it failed",
		"find out why the remover removed it (a cleanup script, logind's RemoveIPC, another program's resource tracker): remove shared memory only once nobody uses it, and from its owner",
	},
	[SW_RULE_IPC_NAMESPACE_MISMATCH] = {
		"ipc-namespace-mismatch", SW_SEV_ERROR,
		"shmat/shmctl on an id of another IPC namespace (e.g. a container's X client and the host's X server): it means nothing here",
		"run the processes that share SysV memory in one IPC namespace (podman/docker --ipc=host or --ipc=container:NAME, Kubernetes hostIPC), or turn the sharing off (X11: QT_XCB_NO_MITSHM=1 for Qt, or a client without MIT-SHM)",
	},
};

_Static_assert(sizeof(sw_rules) / sizeof(sw_rules[0]) == SW_RULE_COUNT,
	       "a rule without its row in sw_rules[]");
_Static_assert(sizeof(((struct sw_proc_summary *)0)->findings) /
		       sizeof(((struct sw_proc_summary *)0)->findings[0]) >= SW_RULE_COUNT,
	       "sw_proc_summary.findings[] has fewer slots than there are rules");

const int sw_rule_count = SW_RULE_COUNT;

int sw_rule_index(const char *id)
{
	for (int i = 0; i < SW_RULE_COUNT; i++)
		if (!strcmp(sw_rules[i].id, id))
			return i;
	return -ENOENT;
}

const char *finding_err(__s64 ret)
{
	return sw_errno_name((int)-ret);
}

void finding_init(struct sw_finding *f, int rule, __u32 pid, __u32 tid,
		  const char *comm, __u64 ts)
{
	memset(f, 0, sizeof(*f));
	f->rule = sw_rules[rule].id;
	f->severity = sw_rules[rule].severity;
	f->hint = sw_rules[rule].advice;
	f->pid = pid;
	f->tid = tid;
	if (comm)
		memcpy(f->comm, comm, strnlen(comm, SW_COMM_LEN - 1));
	f->ts_ns = ts;
}

static void finding_producer(struct sw_finding *f, const struct sw_producer *p)
{
	f->producer = p->producer;
	if (sw_producer_fixes(p, f->rule)) {
		f->hint = p->fix;
		f->producer_fix = true;
	}
}

/* The fix is that of a known process (by comm), not of the finding's. */
void finding_known_process(struct sw_finding *f, const char *comm, const char *cmdline)
{
	const struct sw_producer *p = sw_producer_by_args(cmdline);

	if (!p)
		p = sw_producer_by_comm(comm);

	if (p)
		finding_producer(f, p);
}

/* The finding is about the object named name (a path, memfd:NAME). */
void finding_object(struct sw_finding *f, const char *name)
{
	const struct sw_producer *p = sw_producer_by_name(name);

	if (p)
		finding_producer(f, p);
}

/* A stack kept with a model object; none leaves dst empty.  The model
 * keeps the stacks of calls, never of faults. */
void finding_stack_held(struct sw_stack *dst, const struct ustack *s)
{
	if (!s)
		return;
	dst->pid = s->pid;
	dst->n = s->n;
	dst->at_fault = false;
	memcpy(dst->ip, s->ip, s->n * sizeof(dst->ip[0]));
}

void finding_stack_event(struct sw_stack *dst, const struct sw_event *e)
{
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;

	dst->pid = e->pid;
	dst->n = n;
	dst->at_fault = sw_event_stack_at_fault(e);
	memcpy(dst->ip, e->stack, n * sizeof(dst->ip[0]));
}

/* A finding completed by e, the misuse: its site is e's stack. */
void finding_from_event(struct sw_finding *f, int rule, const struct sw_event *e)
{
	finding_init(f, rule, e->pid, e->tid, e->comm, e->ts_ns);
	finding_stack_event(&f->site, e);
}

/* A detached range's origin: the detach, or the mapping when the detach
 * came without a stack (a successful shmdt/munmap has none). */
void finding_origin_tomb(struct sw_finding *f, const struct tomb *t)
{
	finding_stack_held(&f->origin, t->stack ? t->stack : t->map_stack);
}

/* Evidence in seq order, without unknowns (0) and repeats. */
void finding_evidence(struct sw_finding *f, __u64 seq)
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

/* Format the message, give a finding whose object named no producer the
 * one its process's comm names, mark it uncertain when events were lost
 * since lost_snap, count it in p's summary and hand it on. */
void __attribute__((format(printf, 5, 6)))
finding_publish(struct analyzer *a, struct proc *p, struct sw_finding *f, __u64 lost_snap,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	/* No object of a known producer: its process may be one (SysV
	 * segments have no name). */
	if (!f->producer) {
		const struct sw_producer *prod = sw_producer_by_comm(f->comm);

		if (prod)
			finding_producer(f, prod);
	}
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

/* Remember key as reported for p in its open-addressing set; false if it
 * already was (or the set is full). */
static bool dedup_first(struct analyzer *a, struct proc *p, __u64 key)
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
		a->dedup_bytes += (cap - p->dedup_cap) * sizeof(*set);
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

/* Key of a per-process finding: rule, call and the object's value. */
static __u64 dedup_key(int rule, __u32 call, __u64 value)
{
	__u64 k = value * 0x9e3779b97f4a7c15ULL;

	return k ^ ((__u64)rule << 56) ^ ((__u64)call << 48);
}

bool finding_first_time(struct analyzer *a, struct proc *p, int rule, __u32 call, __u64 value)
{
	return dedup_first(a, p, dedup_key(rule, call, value));
}

void finding_size(char *buf, size_t len, __u64 bytes)
{
	human_size(buf, len, bytes);
}

