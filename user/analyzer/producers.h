/* SPDX-License-Identifier: GPL-2.0 */
/*
 * producers.h - the known producers of shared memory (producers.c): which
 * widely used software makes an object of a given name, or runs under a
 * given comm, and that software's own fix, which a finding about such an
 * object carries as its hint.  A table, documented row by row in
 * docs/rules.md ("Known producers"); pure lookups, no I/O.
 */
#ifndef SHMWATCH_PRODUCERS_H
#define SHMWATCH_PRODUCERS_H

#include <stdbool.h>

/* What a row's pattern is matched against. */
enum sw_producer_match {
	SW_PRODUCER_NAME,   /* an object's base name: the last component of
			       its path, or the whole "memfd:NAME" */
	SW_PRODUCER_COMM,   /* the comm of the process a finding is about
			       (SysV segments have no name) */
	SW_PRODUCER_ARGS,   /* the command line of the process a finding
			       blames (its traced exec's arguments joined
			       by spaces), from any argument on */
	SW_PRODUCER_MODULE, /* the base name of a module in a finding's
			       resolved stacks (the sinks look, having the
			       frames; the analyzer has only addresses) */
};

/*
 * One row.  pattern: literal bytes, where '#' stands for one or more
 * decimal digits, '?' for exactly one byte and a final '*' for any bytes,
 * none included: "torch_#_#*" matches torch_12_34 and torch_12_34_5, not torch_.
 */
struct sw_producer {
	enum sw_producer_match match;
	const char *pattern;
	const char *producer; /* "PyTorch" */
	const char *what;     /* what the object is, for docs/rules.md */
	const char *fix;      /* one line: the producer's own fix */
	/* The rules whose findings the fix answers, ids separated by
	 * spaces; NULL: every rule.  A finding of another rule still names
	 * the producer but keeps its rule's advice: "give /dev/shm room"
	 * answers a full mount, not a leak. */
	const char *rules;
};

extern const struct sw_producer sw_producers[];
extern const int sw_producer_count;

/* Does s match pattern (the language above)? */
bool sw_producer_pattern_match(const char *pattern, const char *s);
/* Does p's fix answer a finding of rule (an id, "segment-leak")? */
bool sw_producer_fixes(const struct sw_producer *p, const char *rule);
/* The row for an object named name (a path, or memfd:NAME); NULL: none. */
const struct sw_producer *sw_producer_by_name(const char *name);
/* The row for a process whose comm is comm; NULL: none. */
const struct sw_producer *sw_producer_by_comm(const char *comm);
/* The row for a process whose command line is cmdline; NULL: none. */
const struct sw_producer *sw_producer_by_args(const char *cmdline);
/* The row for a stack frame in module path (a file path); NULL: none. */
const struct sw_producer *sw_producer_by_module(const char *path);

#endif /* SHMWATCH_PRODUCERS_H */
