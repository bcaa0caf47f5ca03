/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apply.h - how each call and lifecycle event changes the analyzer's
 * state (apply.c).  No judgement: rules_*.c look at the state before and
 * after.
 */
#ifndef SHMWATCH_APPLY_H
#define SHMWATCH_APPLY_H

#include "analyzer/state.h"

/* Any traced call; p may be NULL for a late event: only the segment table
 * changes then. */
void apply_call(struct analyzer *a, struct proc *p, const struct sw_event *e);

/* Returns the child, or NULL on allocation failure. */
struct proc *model_fork(struct analyzer *a, struct proc *parent, const struct sw_event *e);
void model_exec(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* The address space is gone and the process no longer creates anything:
 * fill the summary's held_*, drop the mm, let its segments go. */
void model_exit(struct analyzer *a, struct proc *p, const struct sw_event *e);
void model_proc_free(struct analyzer *a, struct proc *p);

#endif /* SHMWATCH_APPLY_H */
