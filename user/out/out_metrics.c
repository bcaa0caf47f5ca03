// SPDX-License-Identifier: GPL-2.0
/*
 * out_metrics.c - Prometheus metrics: the counters, findings and usage
 * the other sinks write as records, kept as series and rendered in the
 * text exposition format at each stats record (and once at the start).
 * The text goes to a file for the node exporter's textfile collector,
 * written under a temporary name and renamed over it, and to the HTTP
 * endpoint (out/metrics_http.c), which serves the latest rendering from
 * its own thread: the event path only renders and swaps a pointer.
 *
 * Names and labels follow Prometheus' conventions: a shmwatch_ prefix,
 * base units (bytes, seconds), _total for counters; the standard
 * process_* series for shmwatch itself.  docs/metrics.md lists them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "analyzer/analyzer.h"
#include "lib/names.h"
#include "out/metrics_http.h"
#include "out/sink.h"
#include "pipeline.h"

#define METRICS_MOUNTS 64
#define METRICS_NSES 32
#define SEVERITIES 3

static const char *const severity_names[SEVERITIES] = { "info", "warning", "error" };

struct mount_series {
	__u32 dev;
	char label[SW_NAME_LEN];
	__u64 size, used, peak, objects, object_bytes;
};

struct sysv_series {
	__u32 ipc_ns;
	__u64 segments, bytes, peak;
};

struct metrics_sink {
	struct sink base;
	const char *file;	    /* --metrics-file, NULL: none */
	struct metrics_http *http;  /* --metrics, NULL: none */
	struct sw_stats stats;	    /* the latest */
	__u64 findings[64][SEVERITIES]; /* by sw_rules[] index */
	struct mount_series mounts[METRICS_MOUNTS];
	int n_mounts;
	struct sysv_series nses[METRICS_NSES];
	int n_nses;
	int file_error;		    /* the first, reported once */
};

/* ---- the exposition text ----------------------------------------------- */

struct text {
	char *p;
	size_t len, cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3))) put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if ((size_t)n < t->cap - t->len)
			break;
		size_t cap = (t->cap + (size_t)n) * 2 + 4096;
		char *p = realloc(t->p, cap);

		if (!p) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	t->len += (size_t)n;
}

/* A label value: backslash, double quote and newline escaped, other
 * control bytes left out. */
static void put_label(struct text *t, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			put(t, "\\%c", c);
		else if (c == '\n')
			put(t, "\\n");
		else if (c >= 0x20)
			put(t, "%c", c);
	}
}

static void family(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_calls(struct text *t, const struct sw_stats *st)
{
	family(t, "shmwatch_events_total", "counter", "Records received from the kernel, by call.");
	for (__u32 c = 1; c < SW_CALL_MAX; c++)
		put(t, "shmwatch_events_total{call=\"%s\"} %llu\n", sw_calls[c].name,
		    (unsigned long long)st->calls[c]);
	family(t, "shmwatch_failed_calls_total", "counter", "Calls received that failed, by call.");
	for (__u32 c = 1; c < SW_CALL_MAX; c++)
		put(t, "shmwatch_failed_calls_total{call=\"%s\"} %llu\n", sw_calls[c].name,
		    (unsigned long long)st->failed[c]);
	family(t, "shmwatch_lost_records_total", "counter",
	       "Records the kernel could not queue (ring buffer full), by call or lifecycle step.");
	for (__u32 c = 1; c < SW_CALL_MAX; c++)
		put(t, "shmwatch_lost_records_total{call=\"%s\"} %llu\n", sw_calls[c].name,
		    (unsigned long long)st->lost_slots[SW_LOST_SLOT(SW_EV_CALL, c)]);
	for (__u32 k = SW_EV_FORK; k < SW_EV_KIND_MAX; k++) {
		struct sw_event e = { .kind = k };

		put(t, "shmwatch_lost_records_total{call=\"%s\"} %llu\n", sw_event_name(&e),
		    (unsigned long long)st->lost_slots[SW_LOST_SLOT(k, 0)]);
	}
}

static void render_findings(struct text *t, const struct metrics_sink *m)
{
	family(t, "shmwatch_findings_total", "counter", "Findings reported, by rule and severity.");
	for (int r = 0; r < sw_rule_count && r < 64; r++)
		for (int s = 0; s < SEVERITIES; s++)
			/* Every rule at its own severity, so that a rate() has
			 * a series before the first finding; another severity
			 * once it happened. */
			if (m->findings[r][s] || s == (int)sw_rules[r].severity)
				put(t, "shmwatch_findings_total{rule=\"%s\",severity=\"%s\"} %llu\n",
				    sw_rules[r].id, severity_names[s],
				    (unsigned long long)m->findings[r][s]);
}

static void mount_labels(struct text *t, const char *name, const struct mount_series *ms,
			 __u64 v)
{
	put(t, "%s{mount=\"", name);
	put_label(t, ms->label[0] ? ms->label : "?", SW_NAME_LEN);
	put(t, "\",dev=\"%u:%u\"} %llu\n", ms->dev >> 20, ms->dev & 0xfffff, (unsigned long long)v);
}

static void render_usage(struct text *t, const struct metrics_sink *m)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} gauges[] = {
		{ "shmwatch_memfs_size_bytes", "Size limit of a memory filesystem (0: none).",
		  offsetof(struct mount_series, size) },
		{ "shmwatch_memfs_used_bytes", "Bytes in use on it, as the latest event showed.",
		  offsetof(struct mount_series, used) },
		{ "shmwatch_memfs_peak_used_bytes", "The most bytes in use any event showed.",
		  offsetof(struct mount_series, peak) },
		{ "shmwatch_memfs_objects", "Its linked objects known to shmwatch.",
		  offsetof(struct mount_series, objects) },
		{ "shmwatch_memfs_object_bytes", "The sum of their sizes.",
		  offsetof(struct mount_series, object_bytes) },
	};

	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		family(t, gauges[g].name, "gauge", gauges[g].help);
		for (int i = 0; i < m->n_mounts; i++)
			mount_labels(t, gauges[g].name, &m->mounts[i],
				     *(const __u64 *)((const char *)&m->mounts[i] + gauges[g].off));
	}
	family(t, "shmwatch_sysv_segments", "gauge", "SysV segments known alive, by IPC namespace.");
	for (int i = 0; i < m->n_nses; i++)
		put(t, "shmwatch_sysv_segments{ipc_ns=\"%u\"} %llu\n", m->nses[i].ipc_ns,
		    (unsigned long long)m->nses[i].segments);
	family(t, "shmwatch_sysv_bytes", "gauge", "Their sizes, by IPC namespace.");
	for (int i = 0; i < m->n_nses; i++)
		put(t, "shmwatch_sysv_bytes{ipc_ns=\"%u\"} %llu\n", m->nses[i].ipc_ns,
		    (unsigned long long)m->nses[i].bytes);
	family(t, "shmwatch_sysv_peak_bytes", "gauge", "The most bytes alive at once.");
	for (int i = 0; i < m->n_nses; i++)
		put(t, "shmwatch_sysv_peak_bytes{ipc_ns=\"%u\"} %llu\n", m->nses[i].ipc_ns,
		    (unsigned long long)m->nses[i].peak);
}

/* The kernel ring buffer: how close the reader came to losing records. */
static void render_ring(struct text *t, const struct sw_stats *st)
{
	if (!st->ring_size)
		return;
	family(t, "shmwatch_ringbuf_size_bytes", "gauge", "Size of the kernel ring buffer.");
	put(t, "shmwatch_ringbuf_size_bytes %llu\n", (unsigned long long)st->ring_size);
	family(t, "shmwatch_ringbuf_peak_used_bytes", "gauge",
	       "The most bytes it held when the reader woke, over the last stats interval.");
	put(t, "shmwatch_ringbuf_peak_used_bytes %llu\n", (unsigned long long)st->ring_peak);
}

/* The analyzer's own state and its cap (evict.c). */
static void render_state(struct text *t, const struct sw_state *st)
{
	const struct {
		const char *kind;
		__u64 n;
	} items[] = {
		{ "process", st->procs },   { "segment", st->segments }, { "object", st->objects },
		{ "mapping", st->mappings }, { "stack", st->stacks },
	};

	family(t, "shmwatch_analyzer_state_bytes", "gauge",
	       "An estimate of the heap the analyzer's state holds.");
	put(t, "shmwatch_analyzer_state_bytes %llu\n", (unsigned long long)st->bytes);
	family(t, "shmwatch_analyzer_state_max_bytes", "gauge",
	       "The cap on it (--state-max; 0: none).");
	put(t, "shmwatch_analyzer_state_max_bytes %llu\n", (unsigned long long)st->max);
	family(t, "shmwatch_analyzer_state_items", "gauge", "What the state holds, by kind.");
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		put(t, "shmwatch_analyzer_state_items{kind=\"%s\"} %llu\n", items[i].kind,
		    (unsigned long long)items[i].n);
	family(t, "shmwatch_analyzer_forgotten_total", "counter",
	       "Processes and objects the analyzer forgot under the cap.");
	put(t, "shmwatch_analyzer_forgotten_total{kind=\"process\"} %llu\n",
	    (unsigned long long)st->dropped_procs);
	put(t, "shmwatch_analyzer_forgotten_total{kind=\"object\"} %llu\n",
	    (unsigned long long)st->dropped_objects);
	family(t, "shmwatch_analyzer_unjudged_total", "counter",
	       "Leak verdicts withheld: a forgotten process could still reach the object.");
	put(t, "shmwatch_analyzer_unjudged_total %llu\n", (unsigned long long)st->unjudged);
}

/* shmwatch itself, as every Prometheus client library names it. */
static void render_process(struct text *t)
{
	struct rusage ru;
	long pages = 0, page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%*s %ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	getrusage(RUSAGE_SELF, &ru);
	family(t, "process_cpu_seconds_total", "counter",
	       "User and system CPU time shmwatch spent, in seconds.");
	put(t, "process_cpu_seconds_total %.6f\n",
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	family(t, "process_resident_memory_bytes", "gauge", "Resident memory of shmwatch, in bytes.");
	put(t, "process_resident_memory_bytes %llu\n", (unsigned long long)pages * (__u64)page);
}

static void render(struct metrics_sink *m, struct text *t)
{
	family(t, "shmwatch_build_info", "gauge", "Always 1; the version as a label.");
	put(t, "shmwatch_build_info{version=\"%s\"} 1\n", SHMWATCH_VERSION);
	family(t, "shmwatch_records_total", "counter", "Event records received from the kernel.");
	put(t, "shmwatch_records_total %llu\n", (unsigned long long)m->stats.events);
	render_calls(t, &m->stats);
	render_state(t, &m->stats.state);
	render_ring(t, &m->stats);
	render_findings(t, m);
	render_usage(t, m);
	render_process(t);
}

/* ---- where it goes ----------------------------------------------------- */

/* A new PATH.tmp.XXXXXX (mkstemp: never a file that was there), then
 * renamed over PATH: the collector never reads half a file, and reads
 * only *.prom.  Readable by all, as the node exporter is another user. */
static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644))
		err = -errno;
	for (size_t done = 0; !err && done < len;) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static void publish(struct metrics_sink *m)
{
	struct text t = { 0 };

	render(m, &t);
	if (t.oom) {
		free(t.p);
		return;
	}
	if (m->file) {
		int err = write_file(m->file, t.p, t.len);

		if (err && !m->file_error) {
			m->file_error = err;
			fprintf(stderr, "shmwatch: can't write %s: %s\n", m->file, strerror(-err));
		}
	}
	if (m->http)
		metrics_http__set(m->http, t.p, t.len); /* takes the buffer */
	else
		free(t.p);
}

/* ---- the sink ---------------------------------------------------------- */

static void metrics_header(struct sink *s, const struct sw_header *h)
{
	publish((struct metrics_sink *)s);
}

static void metrics_event(struct sink *s, const struct sink_event *e)
{
}

static void metrics_finding(struct sink *s, const struct sink_finding *sf)
{
	struct metrics_sink *m = (struct metrics_sink *)s;
	int r = sw_rule_index(sf->f->rule);

	if (r >= 0 && r < 64 && (unsigned int)sf->f->severity < SEVERITIES)
		m->findings[r][sf->f->severity]++;
}

static void metrics_summary(struct sink *s, const struct sw_proc_summary *p)
{
}

static void metrics_usage(struct sink *s, const struct sw_mount_usage *u)
{
	struct metrics_sink *m = (struct metrics_sink *)s;
	struct mount_series *ms = NULL;

	for (int i = 0; i < m->n_mounts && !ms; i++)
		if (m->mounts[i].dev == u->dev)
			ms = &m->mounts[i];
	if (!ms) {
		if (m->n_mounts == METRICS_MOUNTS)
			return;
		ms = &m->mounts[m->n_mounts++];
	}
	ms->dev = u->dev;
	memcpy(ms->label, u->label, sizeof(ms->label));
	ms->size = u->fs_size;
	ms->used = u->fs_used;
	ms->peak = u->peak_used;
	ms->objects = u->n_objects;
	ms->object_bytes = u->object_bytes;
}

static void metrics_sysv_usage(struct sink *s, const struct sw_sysv_usage *u)
{
	struct metrics_sink *m = (struct metrics_sink *)s;
	struct sysv_series *ns = NULL;

	for (int i = 0; i < m->n_nses && !ns; i++)
		if (m->nses[i].ipc_ns == u->ipc_ns)
			ns = &m->nses[i];
	if (!ns) {
		if (m->n_nses == METRICS_NSES)
			return;
		ns = &m->nses[m->n_nses++];
	}
	ns->ipc_ns = u->ipc_ns;
	ns->segments = u->segments;
	ns->bytes = u->bytes;
	ns->peak = u->peak_bytes;
}

static void metrics_stats(struct sink *s, const struct sw_stats *st)
{
	struct metrics_sink *m = (struct metrics_sink *)s;

	m->stats = *st;
	publish(m);
}

static void metrics_free(struct sink *s)
{
	struct metrics_sink *m = (struct metrics_sink *)s;

	metrics_http__free(m->http);
	free(m);
}

static const struct sink_ops metrics_ops = {
	.header = metrics_header,
	.event = metrics_event,
	.finding = metrics_finding,
	.summary = metrics_summary,
	.usage = metrics_usage,
	.sysv_usage = metrics_sysv_usage,
	.stats = metrics_stats,
	.free = metrics_free,
};

struct sink *sink_metrics__new(const struct sink_metrics_opts *o, char *err, size_t len)
{
	struct metrics_sink *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	m->base.ops = &metrics_ops;
	m->file = o->file;
	if (o->addr) {
		m->http = metrics_http__new(o->addr, err, len);
		if (!m->http) {
			free(m);
			return NULL;
		}
	}
	return &m->base;
}
