/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stacksites.h - the stacks of call sites, for records that come without
 * one.  The kernel side unwinds a user stack once per call site (see
 * struct site_key in bpf/shmwatch.bpf.c) and sends later calls from the
 * same site with only the site's key; this cache puts the first call's
 * stack back into them, so every sink and the analyzer see full records.
 */
#ifndef SHMWATCH_STACKSITES_H
#define SHMWATCH_STACKSITES_H

#include <stdbool.h>
#include "events.h"

struct stack_sites;

/* A cache of at most max sites, least recently used out first. */
struct stack_sites *stack_sites__new(unsigned int max);
void stack_sites__free(struct stack_sites *s);

/*
 * A record that carries a stack and a site key: remember it.  A record
 * sent without its stack (SW_STACK_SAME_SITE): copy the site's stack,
 * leaf_ret and the seq it came with into it; false when the site is
 * not known (its first record was lost, or evicted here).
 */
void stack_sites__remember(struct stack_sites *s, const struct sw_event *e);
bool stack_sites__fill(struct stack_sites *s, struct sw_event *e);

/* Records that came without a stack and could not be given one. */
unsigned long long stack_sites__misses(const struct stack_sites *s);

#endif
