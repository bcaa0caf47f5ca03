/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - command-line options of `shmwatch [trace]`, `shmwatch analyze`
 * and `shmwatch ls`, parsed into plain structs.  Parsing never exits or
 * prints: it returns -EINVAL with one line in err, and main decides.
 */
#ifndef SHMWATCH_CLI_H
#define SHMWATCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define CLI_MAX_PIDS 64

enum cli_format { CLI_FORMAT_AUTO, CLI_FORMAT_TEXT, CLI_FORMAT_JSON };
enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };
/* Which events the outputs get (--events); the analyzer sees them all. */
enum cli_events { CLI_EVENTS_ALL, CLI_EVENTS_FAILED, CLI_EVENTS_NONE };
/* --summaries: which per-process summaries the outputs get. */
enum cli_summaries { CLI_SUMMARIES_ALL, CLI_SUMMARIES_FINDINGS, CLI_SUMMARIES_NONE };

/* What is traced, decided once by the parser from -p and COMMAND. */
enum cli_mode {
	CLI_MODE_SYSTEM,  /* neither: the whole system */
	CLI_MODE_PIDS,	  /* -p */
	CLI_MODE_COMMAND, /* a launched COMMAND and what it starts */
	CLI_MODE_MAX,
};

struct cli_trace {
	__u32 pids[CLI_MAX_PIDS];
	int n_pids;
	bool follow;
	const char *output;   /* -o: NDJSON log path, "-" for stdout */
	double duration;      /* seconds, 0: until stopped */
	bool verbose;
	bool quiet;	      /* no per-event lines in the text view */
	enum cli_events events;
	const char *comm;
	bool has_uid;
	__u32 uid;
	const char *user;     /* --uid given as a name: main resolves it */
	const char *cgroup;
	const char *container; /* --container NAME|ID|host, NULL: any */
	__u64 max_size;
	bool all_mmaps;
	bool writes; /* --writes: the write and pwrite64 programs too */
	bool no_stacks;
	int stack_depth;      /* frames per stack in the text view */
	__u64 ringbuf_size;   /* bytes, a power of two */
	double stats_interval; /* seconds between stats records */
	double leak_window;    /* attach-leak window, seconds; 0: default */
	__u32 leak_count;      /* attach-leak growth per window; 0: default */
	__u64 rotate_size;
	int rotate_keep;
	__u64 state_max;      /* --state-max, bytes; 0: no cap */
	enum cli_summaries summaries;
	enum cli_format format; /* of standard output */
	enum cli_color color;
	bool exit_with_command; /* end when COMMAND exits, not its children */
	bool check_state;     /* compare the end state with /proc */
	const char *metrics_addr; /* --metrics HOST:PORT, NULL: none */
	const char *metrics_file; /* --metrics-file, NULL: none */
	const char *folded;   /* --folded FILE, NULL: none */
	char **command;	      /* argv after --, or NULL */
	enum cli_mode mode;
	bool top;	      /* shmwatch top: the live view on the terminal */
	bool help;
	bool version;
};

struct cli_analyze {
	char **logs; /* NULL-terminated; "-" is standard input */
	int n_logs;
	enum cli_format format;
	bool strict;
	__u64 state_max;
	enum cli_summaries summaries;
	const char *folded; /* --folded FILE, NULL: none */
	bool help;
};

struct cli_report {
	char **logs; /* as cli_analyze's */
	int n_logs;
	const char *output; /* -o, NULL or "-": standard output */
	const char *title;  /* NULL: the default */
	bool strict;
	__u64 state_max;
	bool help;
};

struct cli_ls {
	__u32 pids[CLI_MAX_PIDS];
	int n_pids;
	bool orphaned;
	const char *container; /* --container ID|host, NULL: any */
	enum cli_format format;
	const char *output; /* -o, NULL: standard output */
	bool verbose;
	bool help;
};

void cli_trace_defaults(struct cli_trace *o);
int cli_parse_trace(struct cli_trace *o, int argc, char **argv, char *err, size_t errlen);
int cli_parse_analyze(struct cli_analyze *o, int argc, char **argv, char *err, size_t errlen);
/* The trace command's help into buf, with snprintf's contract: returns
 * the length of the whole text, which is cut to fit len. */
size_t cli_trace_usage(char *buf, size_t len);
/* `shmwatch top`: the trace's options (with a stats interval of
 * CLI_TOP_STATS_INTERVAL unless given), top set; standard output must
 * stay the view's, so -o - and --format json are refused. */
#define CLI_TOP_STATS_INTERVAL 1
int cli_parse_top(struct cli_trace *o, int argc, char **argv, char *err, size_t errlen);
/* Its help, as cli_trace_usage. */
size_t cli_top_usage(char *buf, size_t len);
extern const char cli_analyze_usage[];
int cli_parse_report(struct cli_report *o, int argc, char **argv, char *err, size_t errlen);
extern const char cli_report_usage[];
int cli_parse_ls(struct cli_ls *o, int argc, char **argv, char *err, size_t errlen);
extern const char cli_ls_usage[];

#endif
