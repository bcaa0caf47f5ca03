// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - options made final and turned into each part's options
 * (see config.h).  Only the resolve functions read the host, and only
 * what they are given; the clocks and the kernel's limits are main's.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "lib/names.h"
#include "lib/procfs.h"
#include "out/sink.h"

/* Text a user or a traced process chose, safe for one line of stderr. */
static int resolve_pid(struct cli_trace *o, int i, const char *proc_root, __u32 self,
		       config_note_fn note, void *ctx, char *err, size_t len)
{
	struct procfs_task t;
	__u32 pid = o->pids[i];
	int ret = procfs_read_task(proc_root, pid, &t);
	char comm[64], line[256];

	if (ret == -ENOENT) {
		snprintf(err, len, "no such process: %u", pid);
		return -ESRCH;
	}
	if (ret) {
		snprintf(err, len, "can't read %s/%u: %s", proc_root, pid, strerror(-ret));
		return ret;
	}
	text_escaped(comm, sizeof(comm), t.comm);
	if (t.tgid == self || pid == self) {
		snprintf(err, len, "can't trace shmwatch itself (pid %u)", pid);
		return -EINVAL;
	}
	if (t.kthread) {
		snprintf(err, len, "pid %u (%s) is a kernel thread: it makes no system calls to trace",
			 pid, comm);
		return -EINVAL;
	}
	if (t.state == 'Z' || t.state == 'X') {
		snprintf(err, len, "pid %u (%s) has exited (a zombie its parent has not reaped): nothing to trace",
			 pid, comm);
		return -ESRCH;
	}
	if (t.tgid != pid) {
		snprintf(line, sizeof(line), "%u is a thread of process %u (%s): tracing the process",
			 pid, t.tgid, comm);
		if (note)
			note(ctx, line);
		o->pids[i] = t.tgid;
	}
	return 0;
}

int config_resolve_pids(struct cli_trace *o, const char *proc_root, __u32 self,
			config_note_fn note, void *ctx, char *err, size_t len)
{
	for (int i = 0; i < o->n_pids; i++) {
		int ret = resolve_pid(o, i, proc_root, self, note, ctx, err, len);

		if (ret)
			return ret;
	}
	return 0;
}

int config_resolve_user(struct cli_trace *o, char *err, size_t len)
{
	struct passwd *pw;
	char name[64];

	if (!o->user)
		return 0;
	pw = getpwnam(o->user);
	if (!pw) {
		snprintf(err, len, "unknown user '%s'", text_escaped(name, sizeof(name), o->user));
		return -EINVAL;
	}
	o->uid = pw->pw_uid;
	o->has_uid = true;
	return 0;
}

static const char *const mode_names[] = {
	[CLI_MODE_SYSTEM] = "system",
	[CLI_MODE_PIDS] = "pid",
	[CLI_MODE_COMMAND] = "command",
};
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == CLI_MODE_MAX,
	       "a trace mode without a name for the log header");

const char *config_mode_name(enum cli_mode mode)
{
	return (unsigned int)mode < CLI_MODE_MAX ? mode_names[mode] : "system";
}

enum cli_color config_color(enum cli_color color, const char *no_color)
{
	if (color == CLI_COLOR_AUTO && no_color && no_color[0])
		return CLI_COLOR_NEVER;
	return color;
}

void config_capture_opts(const struct cli_trace *o, struct capture_opts *co)
{
	memset(co, 0, sizeof(*co));
	co->pids = o->pids;
	co->n_pids = o->n_pids;
	/* A command's pid joins the filter after the load, and the
	 * processes it starts follow it; with --container, the command only
	 * says how long to trace (the container's processes are no children
	 * of a podman run or a docker start). */
	co->pid_filter = o->mode == CLI_MODE_PIDS || (o->mode == CLI_MODE_COMMAND && !o->container);
	co->follow = o->follow || o->mode == CLI_MODE_COMMAND;
	co->filter_uid = o->has_uid;
	co->uid = o->uid;
	co->comm = o->comm;
	co->cgroup_path = o->cgroup;
	co->cgroup_set = o->container != NULL;
	co->all_mmaps = o->all_mmaps;
	co->writes = o->writes;
	/* Private mappings are recorded from SW_PRIVATE_RECORD_MIN whatever
	 * the threshold; the header keeps the threshold as given. */
	co->max_size = o->max_size > SW_PRIVATE_RECORD_MIN ? o->max_size : SW_PRIVATE_RECORD_MIN;
	co->ringbuf_size = o->ringbuf_size;
	co->no_stacks = o->no_stacks;
	co->verbose = o->verbose;
}

void config_pipeline_opts(const struct cli_trace *o, struct pipeline_opts *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->log_path = o->output;
	ao->stdout_json = o->format == CLI_FORMAT_JSON;
	ao->color = o->color == CLI_COLOR_ALWAYS ? PIPELINE_COLOR_ALWAYS :
		    o->color == CLI_COLOR_AUTO	 ? PIPELINE_COLOR_AUTO :
						   PIPELINE_COLOR_NEVER;
	ao->quiet = o->quiet;
	ao->no_events = o->events == CLI_EVENTS_NONE;
	ao->failed_events = o->events == CLI_EVENTS_FAILED;
	ao->metrics_addr = o->metrics_addr;
	ao->metrics_file = o->metrics_file;
	ao->folded_path = o->folded;
	ao->rotate_size = o->rotate_size;
	ao->rotate_keep = o->rotate_keep;
	ao->state_max = o->state_max;
	ao->summaries_findings_only = o->summaries == CLI_SUMMARIES_FINDINGS;
	ao->no_summaries = o->summaries == CLI_SUMMARIES_NONE;
	ao->live = true;
	ao->stack_depth = o->stack_depth;
	/* System-wide, every process is compared with /proc anyway. */
	ao->keep_exited = o->check_state && o->mode != CLI_MODE_SYSTEM;
	ao->top = o->top;
	ao->command_fd = -1;
	/* Auto: the view is on a terminal (shmwatch top checks). */
	ao->color_view = o->top && o->color != CLI_COLOR_NEVER;
}

void config_header(const struct cli_trace *o, struct sw_header *h)
{
	memset(h, 0, sizeof(*h));
	h->schema = SW_SCHEMA_VERSION;
	h->tool_version = SHMWATCH_VERSION;
	h->mode = config_mode_name(o->mode);
	h->pids = o->pids;
	h->n_pids = o->n_pids;
	h->max_size = o->max_size;
	h->all_mmaps = o->all_mmaps;
	/* 0 stays 0: the log says the defaults were used, whatever a later
	 * version's defaults are. */
	h->growth_window_ns = (__u64)(o->leak_window * 1e9);
	h->growth_threshold = o->leak_count;
	h->events = o->events == CLI_EVENTS_FAILED ? "failed" :
		    o->events == CLI_EVENTS_NONE   ? "none" :
						     NULL;
}

void config_analyzer_opts(const struct sw_header *h, bool keep_exited,
			  struct analyzer_opts *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->max_size = h->max_size;
	ao->shmmax = h->shmmax;
	ao->shmall = h->shmall;
	ao->shmmni = h->shmmni;
	ao->ipc_ns = h->ipc_ns;
	ao->mem_total = h->mem_total;
	ao->cpus = h->cpus;
	ao->shm_rmid_forced = h->shm_rmid_forced;
	ao->all_mmaps = h->all_mmaps;
	ao->growth_window_ns = h->growth_window_ns;
	ao->growth_threshold = h->growth_threshold;
	ao->keep_exited = keep_exited;
}

char *config_command_line(char *const *argv)
{
	size_t len = 1;
	char *s;

	for (char *const *a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	for (char *const *a = argv; s && *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}
