/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules.h - the detectors: indices into sw_rules[] and their defaults.
 *
 * rules.c holds the rule table (id, severity, summary, advice; the one
 * source for docs/rules.md and the README), one check per rule, and the
 * analyzer's event entry points, which apply an event to the model
 * (model.c) and run the checks around it.
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
 * (its used-blocks counter is per-CPU batched, so it runs a little
 * behind), or less than 1/64 of its size. */
#define SW_FULL_SLACK (256ULL << 10)

/* Index of a rule id in sw_rules[], or -ENOENT. */
int sw_rule_index(const char *id);

#endif /* SHMWATCH_RULES_H */
