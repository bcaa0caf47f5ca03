/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - the trace command's options, as the parser left them, made
 * final and turned into what each part takes.  Two steps: the resolve
 * functions settle what only the host can tell (a pid that is a thread,
 * a user name), from a /proc and the user database; then small pure
 * functions derive the capture's filters, the pipeline's outputs, the log
 * header and the analyzer's rule settings, so that each derivation is
 * written once and unit-tested.  main.c only calls them.
 */
#ifndef SHMWATCH_CONFIG_H
#define SHMWATCH_CONFIG_H

#include "analyzer/analyzer.h"
#include "pipeline.h"
#include "cli.h"
#include "trace/capture.h"

typedef void (*config_note_fn)(void *ctx, const char *line);

/*
 * Check each -p pid in PROC_ROOT: it must exist, be neither shmwatch
 * (self) nor a kernel thread nor a zombie; a thread's id is replaced by
 * its process's, with a line to note.  0, or a negative errno with one
 * line in err.
 */
int config_resolve_pids(struct cli_trace *o, const char *proc_root, __u32 self,
			config_note_fn note, void *ctx, char *err, size_t len);
/* --uid NAME, which the parser leaves to us: the name's uid. */
int config_resolve_user(struct cli_trace *o, char *err, size_t len);

/* "system", "pid" or "command", as the log header names the mode. */
const char *config_mode_name(enum cli_mode mode);

/* NO_COLOR (https://no-color.org), given as the environment holds it,
 * turns automatic colours off; a colour asked for stays. */
enum cli_color config_color(enum cli_color color, const char *no_color);

/* The kernel side's filters and buffer.  co points into o (pids, comm). */
void config_capture_opts(const struct cli_trace *o, struct capture_opts *co);

/* The outputs of a live trace. */
void config_pipeline_opts(const struct cli_trace *o, struct pipeline_opts *ao);

/*
 * The parts of the log header that the options decide: schema, version,
 * mode, pids and the rule settings.  Clears the rest, which main fills
 * from the host (name, kernel, clocks, limits).  h points into o.
 */
void config_header(const struct cli_trace *o, struct sw_header *h);

/*
 * The analyzer's rule settings as a header carries them, so that a live
 * trace and `analyze` of its log judge alike; keep_exited as the caller
 * needs it.  The callbacks are the caller's to set.
 */
void config_analyzer_opts(const struct sw_header *h, bool keep_exited,
			  struct analyzer_opts *ao);

/* The launched command as one line for the header, words joined by one
 * space; NULL when out of memory.  The caller frees it. */
char *config_command_line(char *const *argv);

#endif
