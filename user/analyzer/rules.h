/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules.h - the detectors: indices into sw_rules[], their settings, and
 * each rule's hooks, in three families: rules_calls.c (what one call or
 * fault did wrong: failed-then-used, oversized-request, invalid-detach,
 * use-after-detach), rules_holdings.c (what a process holds or leaves
 * behind: segment-leak, attach-leak, missing-rollback) and
 * rules_objects.c (shm objects and their mounts: shm-object-leak,
 * sigbus-explained, shm-space-exhausted), rules_limits.c (a shmget the
 * kernel refused against one of its limits: shm-limit-reached) and
 * rules_ids.c (an id or key that no longer or never meant the segment
 * wanted: removed-while-in-use, ipc-namespace-mismatch).  analyzer.c
 * calls the hooks around applying each event (see its checks[]); the
 * rule table is findings.c's.
 *
 * Hooks:
 *   on_call      before a call is applied (the state the call met)
 *   on_holdings  after a call changed what an address space holds
 *   on_signal    a SIGSEGV/SIGBUS of a known process
 *   on_exit      a process exited, its state still intact
 *   on_idle      a segment lost its last attachment or its creator
 *   on_release   after an event that may have let go of a shm object's
 *                last holder
 */
#ifndef SHMWATCH_RULES_H
#define SHMWATCH_RULES_H

#include "analyzer/analyzer.h"
#include "defaults.h"

/* Index of each rule in sw_rules[] and in sw_proc_summary.findings[]. */
enum sw_rule_idx {
	SW_RULE_SEGMENT_LEAK,
	SW_RULE_ATTACH_LEAK,
	SW_RULE_FAILED_THEN_USED,
	SW_RULE_OVERSIZED_REQUEST,
	SW_RULE_MISSING_ROLLBACK,
	SW_RULE_INVALID_DETACH,
	SW_RULE_USE_AFTER_DETACH,
	SW_RULE_SHM_OBJECT_LEAK,
	SW_RULE_SIGBUS_EXPLAINED,
	SW_RULE_SHM_LIMIT_REACHED,
	SW_RULE_SHM_SPACE_EXHAUSTED,
	SW_RULE_REMOVED_WHILE_IN_USE,
	SW_RULE_IPC_NAMESPACE_MISMATCH,
	SW_RULE_COUNT,
};

/* oversized-request: no honest request is this big (an overflowed
 * width * height * bpp usually is). */
#define SW_DISHONEST_SIZE (1ULL << 40)

/* attach-leak: holdings (SysV attachments + shared mappings) must grow by
 * at least THRESHOLD in each of WINDOWS consecutive windows of WINDOW_NS:
 * 16 a second, sustained for 2 s.  A start-up burst fills one window, a
 * steady set fills none; a 10 ms frame loop is flagged after about 2 s. */
#define SW_GROWTH_WINDOWS 4

/* failed-then-used: a fault is blamed on a failed shmat/mmap of the same
 * process only this soon after it. */
#define SW_FAILED_RECENT_NS 1000000000ULL

/* sigbus-explained: a mount counts as full when less than this is free
 * (its used-blocks counter is per-CPU batched, so it runs behind), or
 * less than 1/64 of its size, or than its CPUs may hold unfolded
 * (model_space_nearly_full). */
#define SW_FULL_SLACK (256ULL << 10)


struct proc;
struct segment;
struct removal;

/* rules_calls.c */
void oversized_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
void ftu_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* Does shmat's EINVAL say that the id does not exist?  Does this shmctl
 * command name a segment by id? */
bool ftu_shmat_einval_is_id(const struct sw_event *e);
bool ftu_shmctl_takes_id(__u64 cmd);
void ftu_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e);
void invalid_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
void uad_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e);

/* rules_holdings.c */
void growth_on_holdings(struct analyzer *a, struct proc *p, const struct sw_event *e);
void growth_on_exit(struct analyzer *a, struct proc *p, const struct sw_event *e);
void rollback_on_exit(struct analyzer *a, struct proc *p, const struct sw_event *e);
void leak_on_idle(struct analyzer *a, struct segment *s, const struct sw_event *e);

/* rules_objects.c */
void objleak_on_release(struct analyzer *a, const struct sw_event *e);
void sigbus_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e);
void space_on_applied(struct analyzer *a, struct proc *p, const struct sw_event *e);

/* rules_limits.c */
void limit_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* Does shm-limit-reached explain this failed shmget?  oversized-request
 * leaves such a call to it, so one refusal gives one finding. */
bool limit_owns(const struct analyzer *a, const struct sw_event *e);

/* rules_ids.c */
void removed_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
void nsx_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* Does one of them explain this refused call?  failed-then-used leaves
 * it to them then. */
bool ids_own(struct analyzer *a, const struct sw_event *e);
/* The remembered removal of the segment a refused call wanted, or NULL. */
const struct removal *ids_removal_of(struct analyzer *a, const struct sw_event *e);

#endif /* SHMWATCH_RULES_H */
