/* SPDX-License-Identifier: GPL-2.0 */
/*
 * defaults.h - every default of an option, in one place.  The CLI starts
 * from these, the analyzer falls back on them when an option is 0 (a log
 * written without the setting), the log reader assumes them for a header
 * that does not carry them, and the BPF programs start from them before
 * the loader sets their globals.  Plain constants, so the BPF side
 * includes this file too.
 */
#ifndef SW_DEFAULTS_H
#define SW_DEFAULTS_H

/* --max-size: a shared-memory request above it is oversized-request. */
#define SW_DEFAULT_MAX_SIZE		(256ULL << 20)
/* --stack-depth: frames per stack in the text view. */
#define SW_DEFAULT_STACK_DEPTH		4
/* --ringbuf-size */
#define SW_DEFAULT_RINGBUF_SIZE		(8u << 20)
/* --stats-interval, seconds */
#define SW_DEFAULT_STATS_INTERVAL	5
/* --state-max: the analyzer's state cap, bytes (analyzer/evict.c) */
#define SW_DEFAULT_STATE_MAX		(256ULL << 20)
/* --rotate-keep: rotated logs kept beside the current one */
#define SW_DEFAULT_ROTATE_KEEP		5
/* attach-leak: holdings must grow by THRESHOLD in each of a few
 * consecutive windows of WINDOW_NS (see analyzer/rules.h). */
#define SW_DEFAULT_GROWTH_WINDOW_NS	500000000ULL
#define SW_DEFAULT_GROWTH_THRESHOLD	8
/* --exit-with-command: how long the trace goes on after the command has
 * exited, for what it started to finish (Python's resource tracker
 * unlinks the objects left registered a few ms after the program ends);
 * it ends sooner once no traced process is left. */
#define SW_DEFAULT_EXIT_GRACE_NS	500000000ULL

#endif
