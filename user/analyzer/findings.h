/* SPDX-License-Identifier: GPL-2.0 */
/*
 * findings.h - the finding builder (findings.c): the rule table's
 * indices, a finding's fields, stacks and evidence, the once-per-object
 * set of each process, and publishing (the hint, the uncertain mark, the
 * summary's count, the on_finding callback).  The rules call it; it calls no rule.
 */
#ifndef SHMWATCH_FINDINGS_H
#define SHMWATCH_FINDINGS_H

#include "analyzer/rules.h"
#include "analyzer/state.h"

void finding_init(struct sw_finding *f, int rule, __u32 pid, __u32 tid, const char *comm,
		  __u64 ts);
/* The finding is about the object named name (a path, memfd:NAME): a
 * known producer's object gets its producer and fix (producers.c). */
void finding_object(struct sw_finding *f, const char *name);
/* The finding's fix is that of the known process whose command line
 * (proc.cmdline) or else comm is this (the remover of a segment, say), if
 * there is one. */
void finding_known_process(struct sw_finding *f, const char *comm, const char *cmdline);
/* A finding completed by e, the misuse: its site is e's stack. */
void finding_from_event(struct sw_finding *f, int rule, const struct sw_event *e);
/* A stack kept with a model object; none leaves dst empty.  The model
 * keeps the stacks of calls, never of faults. */
void finding_stack_held(struct sw_stack *dst, const struct ustack *s);
void finding_stack_event(struct sw_stack *dst, const struct sw_event *e);
/* A detached range's origin: the detach, or the mapping when the detach
 * came without a stack (a successful shmdt/munmap has none). */
void finding_origin_tomb(struct sw_finding *f, const struct tomb *t);
/* Evidence in seq order, without unknowns (0) and repeats. */
void finding_evidence(struct sw_finding *f, __u64 seq);
/* Format the message, give a finding whose object named no producer the
 * one its process's comm names, mark it uncertain when events were lost
 * since lost_snap, count it in p's summary and hand it on. */
void __attribute__((format(printf, 5, 6)))
finding_publish(struct analyzer *a, struct proc *p, struct sw_finding *f, __u64 lost_snap,
		const char *fmt, ...);
/* Is this (rule, call, value) new for p?  Remembers it; false too when
 * p's set is full, which suppresses further findings of that process. */
bool finding_first_time(struct analyzer *a, struct proc *p, int rule, __u32 call, __u64 value);

/* For messages. */
const char *finding_err(__s64 ret);
void finding_size(char *buf, size_t len, __u64 bytes);

#endif /* SHMWATCH_FINDINGS_H */
