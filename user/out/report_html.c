// SPDX-License-Identifier: GPL-2.0
/*
 * report_html.c - the report as one self-contained HTML page: inline CSS,
 * inline SVG charts, no script and no external reference.  Every string
 * that came from a log goes through rpt_esc().
 *
 * Sections: the run, a timeline per memory filesystem and per IPC
 * namespace (used bytes against the size, the peak marked, the findings
 * as markers that link to them), the lifetimes of segments, objects and
 * attachments (a strip per process), the findings with their stacks, the
 * summaries, usage and counters, and the rules that fired.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/names.h"
#include "out/report.h"

/* ---- text ---------------------------------------------------------- */

/* Room for more bytes and the NUL that vsnprintf writes after them. */
static bool grow(struct jbuf *b, size_t more)
{
	return !b->oom && jbuf_reserve(b, more + 1);
}

void rpt_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rpt_puts(struct jbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

void rpt_esc(struct jbuf *b, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&':
			rpt_puts(b, "&amp;");
			break;
		case '<':
			rpt_puts(b, "&lt;");
			break;
		case '>':
			rpt_puts(b, "&gt;");
			break;
		case '"':
			rpt_puts(b, "&quot;");
			break;
		case '\'':
			rpt_puts(b, "&#39;");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				rpt_printf(b, "\\x%02x", c);
			} else if (grow(b, 1)) {
				b->p[b->len++] = (char)c;
				b->p[b->len] = '\0';
			}
		}
	}
}

static void esc_comm(struct jbuf *b, const char *comm)
{
	rpt_esc(b, comm, SW_COMM_LEN);
}

static void put_size(struct jbuf *b, __u64 bytes)
{
	char s[32];

	human_size(s, sizeof(s), bytes);
	rpt_puts(b, s);
}

/* A size with its exact bytes on hover. */
static void put_size_exact(struct jbuf *b, __u64 bytes)
{
	rpt_printf(b, "<span title=\"%" PRIu64 " bytes\">", (uint64_t)bytes);
	put_size(b, bytes);
	rpt_puts(b, "</span>");
}

/* ---- scales -------------------------------------------------------- */

double rpt_nice_step(double range, int n)
{
	double raw, mag = 1, f;

	if (!(range > 0) || n < 1)
		return 1;
	raw = range / n;
	/* The power of ten at or below raw, without libm. */
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw)
		mag /= 10;
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

__u64 rpt_nice_bytes(__u64 range, int n)
{
	__u64 unit = 1;
	double step;

	if (!range)
		return 1;
	while (unit < (1ULL << 60) && range >= unit * 1024)
		unit *= 1024;
	step = rpt_nice_step((double)range / (double)unit, n) * (double)unit;
	return step < 1 ? 1 : (__u64)step;
}

/* The geometry of the charts, in the SVG's own units. */
#define SVG_W	  1200
#define PLOT_L	  86
#define PLOT_R	  1180
#define CHART_TOP 26
#define CHART_H	  120
#define GANTT_L	  300
#define ROW_H	  18
#define MAX_DRAWN 40 /* process rows, and object rows, drawn */

struct axis {
	__u64 t0, t1; /* the time drawn: the trace's first to last moment */
	double l, r;  /* where it is drawn */
};

static double x_of(const struct axis *ax, __u64 ts)
{
	double f;

	if (ts <= ax->t0)
		return ax->l;
	if (ts >= ax->t1)
		return ax->r;
	f = (double)(ts - ax->t0) / (double)(ax->t1 - ax->t0);
	return ax->l + f * (ax->r - ax->l);
}

static double secs(const struct axis *ax, __u64 ts)
{
	return ts > ax->t0 ? (double)(ts - ax->t0) / 1e9 : 0;
}

/* Enough decimals to tell two ticks (or events) step seconds apart. */
static int decimals_for(double step)
{
	int d = 0;

	for (double v = step; v < 1 - 1e-9 && d < 9; v *= 10)
		d++;
	return d;
}

static void put_rel(struct jbuf *b, const struct axis *ax, __u64 ts)
{
	double span = (double)(ax->t1 - ax->t0) / 1e9;
	int d = decimals_for(span / 1000);

	rpt_printf(b, "+%.*f s", d, secs(ax, ts));
}

/* "14:13:59.167831 UTC" */
static void put_clock(struct jbuf *b, const struct rpt_model *m, __u64 ts)
{
	__s64 wall = (__s64)ts + m->wall_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	rpt_printf(b, "%02d:%02d:%02d.%06lld UTC", tm.tm_hour, tm.tm_min, tm.tm_sec,
		   (long long)(wall % 1000000000) / 1000);
}

static void put_date(struct jbuf *b, const struct rpt_model *m, __u64 ts)
{
	__s64 wall = (__s64)ts + m->wall_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	rpt_printf(b, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void time_ticks(struct jbuf *b, const struct axis *ax, double top, double bottom,
		       bool grid)
{
	double span = (double)(ax->t1 - ax->t0) / 1e9;
	double step = rpt_nice_step(span, 10);
	int d = decimals_for(step);

	for (int k = 0; k * step <= span * (1 + 1e-9) && k < 100; k++) {
		double x = ax->l + (span > 0 ? k * step / span : 0) * (ax->r - ax->l);

		if (grid)
			rpt_printf(b,
				   "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				   "y2=\"%.1f\"/>",
				   x, top, x, bottom);
		rpt_printf(b,
			   "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			   "<text class=\"tl\" x=\"%.1f\" y=\"%.1f\">%.*f s</text>\n",
			   x, bottom, x, bottom + 4, x, bottom + 16, d, k * step);
	}
}

/* ---- timelines ----------------------------------------------------- */

static const char *const sev_names[] = {"info", "warning", "error"};

static const char *sev_name(enum sw_severity s)
{
	return s <= SW_SEV_ERROR ? sev_names[s] : "?";
}

/* Findings as markers above a plot, one per few pixels (the first of
 * those there links, the title counts them all). */
static void finding_marks(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
			  double top, double bottom, __u32 pid_only)
{
	int i = 0;

	while (i < m->n_findings) {
		const struct rpt_finding *f = &m->findings[i];
		double x = x_of(ax, f->ts_ns);
		enum sw_severity worst = f->severity;
		int j = i + 1, n = 1;

		if (pid_only && f->pid != pid_only) {
			i++;
			continue;
		}
		while (j < m->n_findings && x_of(ax, m->findings[j].ts_ns) - x < 4) {
			if (!pid_only || m->findings[j].pid == pid_only) {
				n++;
				if (m->findings[j].severity > worst)
					worst = m->findings[j].severity;
			}
			j++;
		}
		rpt_printf(b, "<a href=\"#finding-%d\" class=\"mk %s\"><title>", i + 1,
			   sev_name(worst));
		if (n > 1)
			rpt_printf(b, "%d findings here; first: ", n);
		rpt_printf(b, "%s %s, pid %u (", sev_name(f->severity), f->rule, f->pid);
		esc_comm(b, f->comm);
		rpt_puts(b, "): ");
		rpt_esc(b, f->message, 160);
		if (strlen(f->message) > 160)
			rpt_puts(b, "...");
		if (pid_only)
			rpt_printf(b, "</title><path d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\"/></a>\n", x,
				   top);
		else
			rpt_printf(b,
				   "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				   "<path d=\"M%.1f %.1fl-5 -9h10z\"/></a>\n",
				   x, top, x, bottom, x, top);
		i = j;
	}
}

/* The value a bucket shows: its most, or what the last one left. */
static bool bucket_value(const struct rpt_bucket *bk, int i, __u64 *carry, bool *seen)
{
	if (bk[i].has) {
		*seen = true;
		*carry = bk[i].last;
		return true;
	}
	return *seen;
}

static __u64 series_max(const struct rpt_bucket *bk, int n)
{
	__u64 v = 0;

	for (int i = 0; i < n; i++)
		if (bk[i].has && bk[i].max > v)
			v = bk[i].max;
	return v;
}

struct yscale {
	__u64 top; /* the value at the top of the plot */
	double y0, h;
};

static double y_of(const struct yscale *ys, __u64 v)
{
	double f = ys->top ? (double)v / (double)ys->top : 0;

	return ys->y0 + ys->h - (f > 1 ? 1 : f) * ys->h;
}

/* A step chart of one bucket series: an area when fill, else a line. */
static void step_path(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
		      const struct yscale *ys, const struct rpt_bucket *bk, bool fill,
		      const char *cls)
{
	double base = ys->y0 + ys->h, prev_y = -1, x_end = ax->r;
	__u64 carry = 0;
	bool seen = false, started = false;

	for (int i = 0; i < m->n_buckets; i++) {
		bool has = bk[i].has;
		__u64 v;
		double x, y;

		if (!bucket_value(bk, i, &carry, &seen))
			continue;
		v = has ? bk[i].max : carry;
		x = x_of(ax, m->t0 + (__u64)i * m->width);
		y = y_of(ys, v);
		if (!started) {
			rpt_printf(b, "<path class=\"%s\" d=\"M%.1f %.1f", cls, x, fill ? base : y);
			started = true;
			prev_y = fill ? base : y;
		}
		if (y != prev_y)
			rpt_printf(b, "H%.1fV%.1f", x, y);
		prev_y = y;
		/* What the bucket ends with holds until the next one. */
		if (has && bk[i].last != bk[i].max) {
			double xe = x_of(ax, m->t0 + (__u64)(i + 1) * m->width);
			double yl = y_of(ys, bk[i].last);

			rpt_printf(b, "H%.1fV%.1f", xe < x_end ? xe : x_end, yl);
			prev_y = yl;
		}
	}
	if (!started)
		return;
	rpt_printf(b, "H%.1f", x_end);
	if (fill)
		rpt_printf(b, "V%.1fZ", base);
	rpt_puts(b, "\"/>\n");
}

static void byte_ticks(struct jbuf *b, const struct yscale *ys, __u64 step)
{
	for (__u64 v = 0; v <= ys->top && step; v += step) {
		double y = y_of(ys, v);

		rpt_printf(b,
			   "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			   "<text class=\"yl\" x=\"%d\" y=\"%.1f\">",
			   PLOT_L, y, PLOT_R, y, PLOT_L - 6, y + 4);
		put_size(b, v);
		rpt_puts(b, "</text>\n");
		if (v > ys->top - step)
			break;
	}
}

static void series_title(struct jbuf *b, const struct rpt_series *s)
{
	if (s->kind == RPT_SYSV) {
		if (s->id)
			rpt_printf(b, "SysV shared memory, IPC namespace ipc:[%u]", s->id);
		else
			rpt_puts(b, "SysV shared memory, initial IPC namespace");
		return;
	}
	rpt_puts(b, "tmpfs ");
	if (s->has_usage && s->u.mount.label[0])
		rpt_esc(b, s->u.mount.label, SW_NAME_LEN);
	else
		rpt_puts(b, "(mount not named)");
	rpt_printf(b, " <span class=\"dim\">dev %u:%u</span>", s->id >> 20, s->id & 0xfffff);
}

static void peak_of(const struct rpt_series *s, __u64 *peak, __u64 *ts)
{
	*peak = *ts = 0;
	if (!s->has_usage)
		return;
	if (s->kind == RPT_SYSV) {
		*peak = s->u.sysv.peak_bytes;
		*ts = s->u.sysv.peak_ts_ns;
	} else {
		*peak = s->u.mount.peak_used;
		*ts = s->u.mount.peak_ts_ns;
	}
}

static void timeline(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
		     const struct rpt_series *s, int idx)
{
	struct yscale ys = {.y0 = CHART_TOP, .h = CHART_H};
	__u64 used_max = series_max(s->used, m->n_buckets);
	__u64 known_max = s->kind == RPT_MOUNT ? series_max(s->known, m->n_buckets) : 0;
	__u64 peak, peak_ts, top, step;
	bool limit_drawn;
	double bottom = CHART_TOP + CHART_H;

	peak_of(s, &peak, &peak_ts);
	top = used_max > known_max ? used_max : known_max;
	if (peak > top)
		top = peak;
	/* The size limit is drawn when the use comes near it; far above
	 * (a /dev/shm of half the RAM), it would flatten the chart. */
	limit_drawn = s->limit && (s->limit / 3 <= top || s->limit <= 1ULL << 20);
	if (limit_drawn && s->limit > top)
		top = s->limit;
	if (!top)
		top = 4096;
	step = rpt_nice_bytes(top, 4);
	/* top rounded up to a step, without passing 2^64 - 1. */
	ys.top = top / step * step;
	if (ys.top < top)
		ys.top = ys.top > UINT64_MAX - step ? UINT64_MAX : ys.top + step;

	rpt_printf(b, "<figure class=\"chart\" id=\"timeline-%d\"><figcaption>", idx);
	series_title(b, s);
	if (s->kind == RPT_MOUNT) {
		rpt_puts(b, " <span class=\"dim\">&middot; ");
		if (s->limit) {
			rpt_puts(b, "size ");
			put_size_exact(b, s->limit);
			if (!limit_drawn)
				rpt_puts(b, " (far above the use: not drawn)");
			if (known_max)
				rpt_puts(b, "; dashed: the bytes of the objects known");
		} else {
			rpt_puts(b,
				 "no size limit, so the kernel counts no use: the dashed line is "
				 "the bytes of the objects known");
		}
		rpt_puts(b, "</span>");
	}
	rpt_puts(b, "</figcaption>\n");
	rpt_printf(b,
		   "<svg viewBox=\"0 0 %d %d\" role=\"img\" class=\"tl-svg\" data-kind=\"%s\" "
		   "data-id=\"%u\">\n",
		   SVG_W, CHART_TOP + CHART_H + 26, s->kind == RPT_SYSV ? "sysv" : "tmpfs", s->id);
	byte_ticks(b, &ys, step);
	time_ticks(b, ax, CHART_TOP, bottom, true);
	step_path(b, m, ax, &ys, s->used, true, "used");
	if (known_max)
		step_path(b, m, ax, &ys, s->known, false, "known");
	if (limit_drawn) {
		double y = y_of(&ys, s->limit);

		rpt_printf(b,
			   "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			   "<text class=\"ll\" x=\"%d\" y=\"%.1f\">size ",
			   PLOT_L, y, PLOT_R, y, PLOT_R - 4, y - 4);
		put_size(b, s->limit);
		rpt_puts(b, "</text>\n");
	}
	if (peak) {
		double x = x_of(ax, peak_ts), y = y_of(&ys, peak);
		bool left = x > (PLOT_L + PLOT_R) * 0.6;

		rpt_printf(b,
			   "<circle class=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>"
			   "<text class=\"pl\" data-bytes=\"%" PRIu64 "\" x=\"%.1f\" y=\"%.1f\" "
			   "text-anchor=\"%s\">peak ",
			   x, y, (uint64_t)peak, left ? x - 8 : x + 8,
			   y < CHART_TOP + 14 ? y + 14 : y - 6, left ? "end" : "start");
		put_size(b, peak);
		rpt_puts(b, " at ");
		put_rel(b, ax, peak_ts);
		rpt_puts(b, "</text>\n");
	}
	rpt_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
		   PLOT_L, bottom, PLOT_R, bottom);
	finding_marks(b, m, ax, CHART_TOP - 2, bottom, 0);
	rpt_puts(b, "</svg></figure>\n");
}

static void timelines(struct jbuf *b, const struct rpt_model *m, const struct axis *ax)
{
	int drawn = 0;

	rpt_puts(b, "<section id=\"timelines\"><h2>Timelines</h2>\n");
	rpt_puts(b,
		 "<p class=\"note\">Bytes in use over time, per memory filesystem (as the kernel "
		 "counted them after each traced call) and per IPC namespace (the SysV segments "
		 "alive); seconds since the first event, ");
	put_clock(b, m, ax->t0);
	rpt_puts(b, ". The peak is marked; the triangles are findings (click one).</p>\n");
	for (int i = 0; i < m->n_series; i++) {
		const struct rpt_series *s = m->series[i];

		if (s->kind != RPT_SYSV && !series_max(s->used, m->n_buckets) &&
		    !series_max(s->known, m->n_buckets) && !s->has_usage)
			continue;
		timeline(b, m, ax, s, i);
		drawn++;
	}
	if (!drawn)
		rpt_puts(b, "<p>No event showed the use of a memory filesystem or of SysV "
			    "segments.</p>\n");
	if (m->series_lost)
		rpt_printf(b, "<p class=\"note\">%u more mounts or namespaces not drawn.</p>\n",
			   m->series_lost);
	rpt_puts(b, "</section>\n");
}

/* ---- lifetimes ----------------------------------------------------- */

static __u64 proc_rank(const struct rpt_proc *p)
{
	bool open = false;

	for (int i = 0; i < p->n_bars && !open; i++)
		open = !p->bars[i].end;
	return ((__u64)(p->findings < 1000 ? p->findings : 1000) << 52) + ((__u64)open << 51) +
	       (p->peak_bytes >> 12);
}

static __u64 obj_rank(const struct rpt_obj *o)
{
	return ((__u64)!o->end << 60) + (o->size >> 4);
}

struct pick {
	int idx;
	__u64 rank, first;
};

static int by_rank(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return x->rank < y->rank ? 1 : x->rank > y->rank ? -1 : 0;
}

static int by_first(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first ? 1 : x->idx - y->idx;
}

/* The rows drawn: the MAX_DRAWN most telling, in order of appearance. */
static int pick_rows(struct pick *pk, int n)
{
	qsort(pk, (size_t)n, sizeof(*pk), by_rank);
	if (n > MAX_DRAWN)
		n = MAX_DRAWN;
	qsort(pk, (size_t)n, sizeof(*pk), by_first);
	return n;
}

static void row_label(struct jbuf *b, double y, bool alt)
{
	if (alt)
		rpt_printf(b,
			   "<rect class=\"band\" x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>",
			   y, SVG_W, ROW_H);
	rpt_printf(b, "<text class=\"rl\" x=\"6\" y=\"%.1f\">", y + ROW_H - 5);
}

static void bar_rect(struct jbuf *b, const struct axis *ax, double y, __u64 start, __u64 end,
		     const char *cls)
{
	double x0 = x_of(ax, start), x1 = end ? x_of(ax, end) : ax->r;

	if (x1 - x0 < 2)
		x1 = x0 + 2;
	rpt_printf(b, "<rect class=\"%s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"/>",
		   cls, end ? "" : " open", x0, y + 3, x1 - x0, ROW_H - 6);
	if (!end)
		rpt_printf(b, "<path class=\"held\" d=\"M%.1f %.1fl6 %dl-6 %dz\"/>", ax->r, y + 3,
			   (ROW_H - 6) / 2, (ROW_H - 6) / 2);
}

static void obj_row(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
		    const struct rpt_obj *o, double y, bool alt)
{
	bool memfd = o->backing == SW_BK_MEMFD;

	row_label(b, y, alt);
	if (o->kind == RPT_OBJ_SEGMENT) {
		rpt_printf(b, "segment %" PRIu64 " ", (uint64_t)o->id);
		if ((__u32)o->key)
			rpt_printf(b, "key 0x%08x ", (__u32)o->key);
	} else {
		rpt_esc(b, o->name[0] ? o->name : "(no name)", 40);
		if (strlen(o->name) > 40)
			rpt_puts(b, "...");
		rpt_puts(b, " ");
	}
	put_size(b, o->size);
	rpt_puts(b, "</text><g>");
	rpt_puts(b, "<title>");
	if (o->kind == RPT_OBJ_SEGMENT) {
		rpt_printf(b, "SysV segment id %" PRIu64 ", ", (uint64_t)o->id);
	} else {
		rpt_printf(b, "%s ", sw_backing_name(o->backing));
		rpt_esc(b, o->name, SW_NAME_LEN);
		rpt_puts(b, ", ");
	}
	put_size(b, o->size);
	rpt_printf(b, ", %s by pid %u (", o->created ? "created" : "first used", o->creator_pid);
	esc_comm(b, o->creator_comm);
	rpt_puts(b, ") at ");
	put_rel(b, ax, o->start);
	if (o->end) {
		rpt_puts(b, o->kind == RPT_OBJ_SEGMENT ? ", removed (IPC_RMID) at "
						       : ", unlinked at ");
		put_rel(b, ax, o->end);
	} else {
		rpt_puts(b, memfd ? ", its end is not traced (a memfd goes with its last fd)"
				  : ", still there at the end of the trace");
	}
	rpt_puts(b, "</title>");
	bar_rect(b, ax, y, o->start, o->end, o->kind == RPT_OBJ_SEGMENT ? "seg" : "obj");
	rpt_puts(b, "</g>\n");
}

static void bar_title(struct jbuf *b, const struct axis *ax, const struct rpt_bar *bar,
		      __u32 count, __u64 end)
{
	rpt_puts(b, "<title>");
	if (count > 1)
		rpt_printf(b, "%u attachments and mappings, ", count);
	else if (bar->kind == RPT_BAR_SYSV)
		rpt_printf(b, "shmat of segment %d, ", bar->shmid);
	else
		rpt_printf(b, "mmap shared (%s) at 0x%" PRIx64 ", ", sw_backing_name(bar->backing),
			   (uint64_t)bar->addr);
	put_size(b, bar->bytes);
	if (bar->inherited)
		rpt_puts(b, ", inherited at fork");
	rpt_puts(b, ", from ");
	put_rel(b, ax, bar->start);
	if (end) {
		rpt_puts(b, " to ");
		put_rel(b, ax, end);
	} else {
		rpt_puts(b, ", still held at the end of the trace");
	}
	rpt_puts(b, "</title>");
}

/* A process's bars, those too close to tell apart drawn as one. */
static void proc_row(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
		     const struct rpt_proc *p, double y, bool alt)
{
	double ns_per_px = (double)(ax->t1 - ax->t0) / (ax->r - ax->l);

	row_label(b, y, alt);
	rpt_printf(b, "pid %u ", p->pid);
	esc_comm(b, p->comm);
	if (p->bars_lost)
		rpt_printf(b, " (+%u)", p->bars_lost);
	rpt_puts(b, "</text>\n");
	for (int i = 0; i < p->n_bars;) {
		const struct rpt_bar *bar = &p->bars[i];
		__u64 end = bar->end;
		__u32 count = bar->count;
		int j = i + 1;

		while (end && j < p->n_bars && p->bars[j].end && p->bars[j].kind == bar->kind &&
		       (double)(p->bars[j].start > end ? p->bars[j].start - end : 0) <
			   2 * ns_per_px) {
			if (p->bars[j].end > end)
				end = p->bars[j].end;
			count += p->bars[j].count;
			j++;
		}
		rpt_puts(b, "<g>");
		bar_title(b, ax, bar, count, end);
		bar_rect(b, ax, y, bar->start, end,
			 bar->kind == RPT_BAR_SYSV ? (bar->inherited ? "att inh" : "att")
						   : (bar->inherited ? "map inh" : "map"));
		rpt_puts(b, "</g>\n");
		i = j;
	}
	finding_marks(b, m, ax, y + 3, y + ROW_H, p->pid);
}

static void lifetimes(struct jbuf *b, const struct rpt_model *m, const struct axis *ax)
{
	struct pick op[RPT_ROWS], pp[RPT_ROWS];
	int no = 0, np = 0, ho, hp, rows;
	double y;

	for (int i = 0; i < RPT_ROWS; i++) {
		if (m->objs[i].used)
			op[no++] = (struct pick){i, obj_rank(&m->objs[i]), m->objs[i].start};
		if (m->procs[i].used && m->procs[i].n_bars)
			pp[np++] = (struct pick){i, proc_rank(&m->procs[i]), m->procs[i].first};
	}
	ho = pick_rows(op, no);
	hp = pick_rows(pp, np);
	rpt_puts(b, "<section id=\"lifetimes\"><h2>Lifetimes</h2>\n");
	rpt_puts(b, "<p class=\"note\">Segments and objects from creation (or first use) to "
		    "removal, then each process's SysV attachments "
		    "<span class=\"key att\"></span> and shared mappings "
		    "<span class=\"key map\"></span> (lighter: inherited at fork) until "
		    "detached, unmapped, exec or exit; a bar that reaches the right edge with an "
		    "arrow was still held at the end. Hover for details.</p>\n");
	if (!ho && !hp) {
		rpt_puts(b, "<p>No segment, object, attachment or shared mapping was traced.</p>"
			    "</section>\n");
		return;
	}
	rows = ho + hp + (ho ? 1 : 0) + (hp ? 1 : 0);
	rpt_printf(b, "<svg viewBox=\"0 0 %d %d\" class=\"gantt\">\n", SVG_W, rows * ROW_H + 30);
	y = 0;
	time_ticks(b, ax, 0, rows * ROW_H + 2, true);
	if (ho) {
		rpt_printf(b, "<text class=\"gh\" x=\"6\" y=\"%.1f\">segments and objects</text>\n",
			   y + ROW_H - 4);
		y += ROW_H;
		for (int i = 0; i < ho; i++, y += ROW_H)
			obj_row(b, m, ax, &m->objs[op[i].idx], y, i & 1);
	}
	if (hp) {
		rpt_printf(b, "<text class=\"gh\" x=\"6\" y=\"%.1f\">processes</text>\n",
			   y + ROW_H - 4);
		y += ROW_H;
		for (int i = 0; i < hp; i++, y += ROW_H)
			proc_row(b, m, ax, &m->procs[pp[i].idx], y, i & 1);
	}
	rpt_puts(b, "</svg>\n");
	if (m->objs_seen > (__u64)ho || m->procs_seen > (__u64)hp)
		rpt_printf(
		    b,
		    "<p class=\"note\">Drawn: %d of %" PRIu64 " segments and objects, %d of "
		    "%" PRIu64 " processes that held shared memory (those with findings, "
		    "still holding, or holding the most first); the rest are not drawn.</p>\n",
		    ho, (uint64_t)m->objs_seen, hp, (uint64_t)m->procs_seen);
	rpt_puts(b, "</section>\n");
}

/* ---- findings ------------------------------------------------------ */

static void frame_html(struct jbuf *b, const struct rpt_frame *f)
{
	const char *mod = f->module ? strrchr(f->module, '/') : NULL;

	mod = mod ? mod + 1 : f->module;
	rpt_puts(b, "<li>");
	if (f->function) {
		rpt_puts(b, "<span class=\"fn\">");
		rpt_esc(b, f->function, 256);
		rpt_puts(b, "</span>");
		if (!(f->file && f->line > 0))
			rpt_printf(b, "<span class=\"off\">+0x%" PRIx64 "</span>",
				   (uint64_t)f->offset);
	} else if (mod) {
		rpt_printf(b, "<span class=\"fn unk\">0x%" PRIx64 "</span>", (uint64_t)f->offset);
	} else {
		rpt_printf(b, "<span class=\"fn unk\">0x%" PRIx64 "</span>", (uint64_t)f->ip);
	}
	if (f->file && f->line > 0) {
		rpt_puts(b, " <span class=\"src\">");
		rpt_esc(b, f->file, 512);
		rpt_printf(b, ":%d</span>", f->line);
	}
	if (mod) {
		rpt_puts(b, " <span class=\"mod\" title=\"");
		rpt_esc(b, f->module, 512);
		rpt_puts(b, "\">");
		rpt_esc(b, mod, 256);
		rpt_puts(b, "</span>");
	}
	rpt_puts(b, "</li>\n");
}

static void stack_html(struct jbuf *b, const char *cls, const char *label,
		       const struct rpt_stack *st)
{
	if (!st->n)
		return;
	rpt_printf(b, "<div class=\"stack %s\"><div class=\"sl\">%s</div><ol>\n", cls, label);
	for (__u32 i = 0; i < st->shown; i++)
		frame_html(b, &st->frames[i]);
	if (st->n == SW_MAX_FRAMES)
		rpt_puts(b, "<li class=\"more\">... (the capture's limit: outer frames not "
			    "recorded)</li>\n");
	rpt_puts(b, "</ol></div>\n");
}

static void finding_html(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
			 const struct rpt_finding *f, int n)
{
	rpt_printf(b,
		   "<article class=\"finding %s%s\" id=\"finding-%d\">\n<div class=\"fh\">"
		   "<span class=\"sev\">%s</span> ",
		   sev_name(f->severity), f->uncertain ? " uncertain" : "", n,
		   sev_name(f->severity));
	if (f->uncertain)
		rpt_puts(b, "<span class=\"unc\" title=\"rests on state that lost records may have "
			    "changed\">uncertain</span> ");
	rpt_printf(b, "<a class=\"rule\" href=\"#rule-%s\">%s</a> <span class=\"who\">pid %u (",
		   f->rule, f->rule, f->pid);
	esc_comm(b, f->comm);
	rpt_puts(b, ")</span> <a class=\"when\" href=\"#timelines\" title=\"on the timelines\">");
	put_rel(b, ax, f->ts_ns);
	rpt_puts(b, " &middot; ");
	put_clock(b, m, f->ts_ns);
	rpt_printf(b, "</a> <a class=\"num\" href=\"#finding-%d\">#%d</a></div>\n", n, n);
	rpt_puts(b, "<p class=\"msg\">");
	rpt_esc(b, f->message, SW_MSG_LEN);
	rpt_puts(b, "</p>\n");
	if (f->hint.hint) {
		rpt_puts(b, "<p class=\"hint\"><b>hint");
		if (f->hint.producer_fix) {
			rpt_puts(b, " (");
			rpt_esc(b, f->hint.producer, 128);
			rpt_puts(b, ")");
		}
		rpt_puts(b, ":</b> ");
		rpt_esc(b, f->hint.hint, SW_MSG_LEN);
		rpt_puts(b, "</p>\n");
	}
	if (f->hint.producer && !f->hint.producer_fix) {
		rpt_puts(b, "<p class=\"hint\"><b>object of:</b> ");
		rpt_esc(b, f->hint.producer, 128);
		rpt_puts(b, "</p>\n");
	}
	rpt_puts(b, "<p class=\"ev\">evidence: events");
	for (int i = 0; i < f->n_evidence; i++)
		rpt_printf(b, " <span class=\"seq\">#%" PRIu64 "</span>", (uint64_t)f->evidence[i]);
	rpt_puts(b, "</p>\n<div class=\"stacks\">\n");
	stack_html(b, "site", "at (where it happened)", &f->site);
	stack_html(b, "origin", "from (where the object or failed result came from)", &f->origin);
	rpt_puts(b, "</div></article>\n");
}

static void findings(struct jbuf *b, const struct rpt_model *m, const struct axis *ax)
{
	rpt_printf(b,
		   "<section id=\"findings\"><h2>Findings <span class=\"dim\">%" PRIu64
		   "</span></h2>\n",
		   (uint64_t)m->findings_total);
	if (!m->findings_total)
		rpt_puts(b, "<p class=\"clean\">No finding: the trace shows no misuse of shared "
			    "memory.</p>\n");
	for (int i = 0; i < m->n_findings; i++)
		finding_html(b, m, ax, &m->findings[i], i + 1);
	if (m->findings_dropped)
		rpt_printf(b,
			   "<p class=\"note\">%" PRIu64 " more findings are not shown in full "
			   "(the first %d are); the counts by rule below include them; "
			   "<code>shmwatch analyze</code> lists them all.</p>\n",
			   (uint64_t)m->findings_dropped, RPT_FINDINGS);
	rpt_puts(b, "</section>\n");
}

/* ---- summaries, usage, counters ------------------------------------ */

static int by_pid(const void *a, const void *b)
{
	const struct sw_proc_summary *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void summaries(struct jbuf *b, const struct rpt_model *m)
{
	struct sw_proc_summary *s;

	if (!m->n_summaries)
		return;
	s = malloc(sizeof(*s) * (size_t)m->n_summaries);
	if (!s) {
		b->oom = true;
		return;
	}
	memcpy(s, m->summaries, sizeof(*s) * (size_t)m->n_summaries);
	qsort(s, (size_t)m->n_summaries, sizeof(*s), by_pid);
	rpt_puts(b, "<h3>Processes</h3>\n<table class=\"sum\"><thead><tr><th>pid</th><th>command"
		    "</th><th>state</th><th>segments created / removed</th><th>attaches / "
		    "detaches</th><th>shared maps / unmaps</th><th>peak shared</th><th>held at "
		    "the end</th><th>findings</th></tr></thead><tbody>\n");
	for (int i = 0; i < m->n_summaries; i++) {
		const struct sw_proc_summary *p = &s[i];
		bool any = false;

		rpt_printf(b, "<tr><td>%u</td><td>", p->pid);
		esc_comm(b, p->comm);
		rpt_printf(b,
			   "</td><td>%s</td><td>%llu / %llu</td><td>%llu / %llu</td>"
			   "<td>%llu / %llu</td><td>",
			   p->exited ? "exited" : "running", (unsigned long long)p->segs_created,
			   (unsigned long long)p->segs_removed, (unsigned long long)p->attaches,
			   (unsigned long long)p->detaches, (unsigned long long)p->shared_maps,
			   (unsigned long long)p->shared_unmaps);
		put_size_exact(b, p->peak_shared_bytes);
		rpt_printf(b, "</td><td>%llu (", (unsigned long long)p->held_attachments);
		put_size(b, p->held_bytes);
		rpt_puts(b, ")</td><td>");
		for (int r = 0; r < sw_rule_count && r < 16; r++) {
			if (!p->findings[r])
				continue;
			rpt_printf(b, "%s<a href=\"#rule-%s\">%s</a> %llu", any ? ", " : "",
				   sw_rules[r].id, sw_rules[r].id,
				   (unsigned long long)p->findings[r]);
			any = true;
		}
		rpt_puts(b, any ? "</td></tr>\n" : "&ndash;</td></tr>\n");
	}
	rpt_puts(b, "</tbody></table>\n");
	if (m->summaries_total > (__u64)m->n_summaries)
		rpt_printf(b,
			   "<p class=\"note\">%d of %" PRIu64 " processes shown: those with "
			   "findings and holding the most.</p>\n",
			   m->n_summaries, (uint64_t)m->summaries_total);
	free(s);
}

static void held_objects(struct jbuf *b, const char *label, const struct sw_usage_object *o,
			 int n)
{
	if (!n)
		return;
	rpt_printf(b, "<tr><th>%s</th><td>", label);
	for (int i = 0; i < n; i++) {
		rpt_puts(b, i ? "; " : "");
		rpt_puts(b, "<span class=\"path\">");
		rpt_esc(b, o[i].path, SW_NAME_LEN);
		rpt_puts(b, "</span> ");
		put_size(b, o[i].size);
		if (o[i].unlinked)
			rpt_puts(b, " (unlinked, still mapped)");
		if (o[i].creator_pid) {
			rpt_printf(b, " by pid %u ", o[i].creator_pid);
			esc_comm(b, o[i].creator_comm);
			if (o[i].creator_gone)
				rpt_puts(b, " (exited)");
		}
	}
	rpt_puts(b, "</td></tr>\n");
}

static void mount_usage_html(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
			     const struct sw_mount_usage *u)
{
	rpt_puts(b, "<table class=\"kv\"><caption>tmpfs ");
	rpt_esc(b, u->label[0] ? u->label : "?", SW_NAME_LEN);
	rpt_printf(b, " (dev %u:%u)</caption>\n", u->dev >> 20, u->dev & 0xfffff);
	rpt_puts(b, "<tr><th>in use when last seen</th><td>");
	put_size_exact(b, u->fs_used);
	if (u->fs_size) {
		rpt_puts(b, " of ");
		put_size_exact(b, u->fs_size);
	}
	rpt_printf(b, "; %u object%s known, ", u->n_objects, u->n_objects == 1 ? "" : "s");
	put_size(b, u->object_bytes);
	rpt_puts(b, "</td></tr>\n");
	if (u->peak_used) {
		rpt_printf(b, "<tr><th>peak</th><td class=\"peakv\" data-bytes=\"%" PRIu64 "\">",
			   (uint64_t)u->peak_used);
		put_size_exact(b, u->peak_used);
		rpt_puts(b, " at ");
		put_rel(b, ax, u->peak_ts_ns);
		rpt_puts(b, " (");
		put_clock(b, m, u->peak_ts_ns);
		rpt_puts(b, ")</td></tr>\n");
	}
	if (u->needed) {
		rpt_puts(b,
			 "<tr><th>ran out</th><td>it ran out of space (a call refused, or a SIGBUS): at least ");
		put_size_exact(b, u->sufficient_size);
		rpt_puts(b, " was needed</td></tr>\n");
	}
	if (u->sufficient_size) {
		rpt_puts(b, "<tr><th>size</th><td>");
		put_size_exact(b, u->sufficient_size);
		rpt_puts(b, u->needed ? " at least; " : " would have sufficed; ");
		put_size_exact(b, u->roomy_size);
		rpt_puts(b, " leaves room</td></tr>\n");
	}
	held_objects(b, "held the peak", u->peak_held, u->n_peak_held);
	held_objects(b, "biggest now", u->biggest, u->n_biggest);
	for (int i = 0; i < u->n_creators; i++) {
		const struct sw_usage_creator *c = &u->creators[i];

		rpt_puts(b, i ? "; " : "<tr><th>by creator</th><td>");
		rpt_printf(b, "pid %u ", c->pid);
		esc_comm(b, c->comm);
		rpt_printf(b, "%s: %u object%s, ", c->gone ? " (exited)" : "", c->objects,
			   c->objects == 1 ? "" : "s");
		put_size(b, c->bytes);
	}
	if (u->n_creators)
		rpt_puts(b, "</td></tr>\n");
	for (int i = 0; i < u->n_growers; i++) {
		const struct sw_usage_grower *g = &u->growers[i];

		rpt_puts(b, i ? "; " : "<tr><th>grew</th><td>");
		rpt_esc(b, g->path, SW_NAME_LEN);
		rpt_puts(b, " ");
		put_size(b, g->from);
		rpt_puts(b, " &rarr; ");
		put_size(b, g->to);
	}
	if (u->n_growers)
		rpt_puts(b, "</td></tr>\n");
	rpt_puts(b, "</table>\n");
}

static void segments_row(struct jbuf *b, const char *label, const struct sw_usage_segment *g,
			 int n, bool state)
{
	if (!n)
		return;
	rpt_printf(b, "<tr><th>%s</th><td>", label);
	for (int i = 0; i < n; i++) {
		rpt_puts(b, i ? "; " : "");
		if ((__u32)g[i].key)
			rpt_printf(b, "key 0x%08x ", (__u32)g[i].key);
		else
			rpt_puts(b, "IPC_PRIVATE ");
		rpt_printf(b, "id %d ", g[i].shmid);
		put_size(b, g[i].size);
		if (g[i].creator_pid) {
			rpt_printf(b, " by pid %u ", g[i].creator_pid);
			esc_comm(b, g[i].creator_comm);
			if (g[i].creator_gone)
				rpt_puts(b, " (exited)");
		}
		if (state)
			rpt_printf(b, ", %sattached %u", g[i].removed ? "removed, " : "",
				   g[i].nattch);
	}
	rpt_puts(b, "</td></tr>\n");
}

static void sysv_usage_html(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
			    const struct sw_sysv_usage *u)
{
	if (u->ipc_ns)
		rpt_printf(b,
			   "<table class=\"kv\"><caption>SysV, IPC namespace ipc:[%u]</caption>\n",
			   u->ipc_ns);
	else
		rpt_puts(b, "<table class=\"kv\"><caption>SysV, initial IPC namespace</caption>\n");
	rpt_printf(b, "<tr><th>alive at the end</th><td>%u segment%s, ", u->segments,
		   u->segments == 1 ? "" : "s");
	put_size_exact(b, u->bytes);
	rpt_puts(b, "</td></tr>\n");
	if (u->peak_segments) {
		rpt_printf(b, "<tr><th>peak</th><td class=\"peakv\" data-bytes=\"%" PRIu64 "\">",
			   (uint64_t)u->peak_bytes);
		put_size_exact(b, u->peak_bytes);
		rpt_printf(b, " in %u segment%s", u->peak_bytes_segments,
			   u->peak_bytes_segments == 1 ? "" : "s");
		if (u->peak_ts_ns) {
			rpt_puts(b, " at ");
			put_rel(b, ax, u->peak_ts_ns);
			rpt_puts(b, " (");
			put_clock(b, m, u->peak_ts_ns);
			rpt_puts(b, ")");
		}
		rpt_printf(b, "; most segments at once %u, biggest ", u->peak_segments);
		put_size(b, u->biggest_size);
		rpt_printf(b,
			   "</td></tr>\n<tr><th>would have sufficed</th><td><code>kernel.shmall="
			   "%llu kernel.shmmni=%llu kernel.shmmax=%llu</code>",
			   (unsigned long long)u->sufficient_shmall,
			   (unsigned long long)u->sufficient_shmmni,
			   (unsigned long long)u->sufficient_shmmax);
		if (u->shmmni)
			rpt_printf(b,
				   " (set: <code>kernel.shmall=%llu kernel.shmmni=%llu "
				   "kernel.shmmax=%llu</code>)",
				   (unsigned long long)u->shmall, (unsigned long long)u->shmmni,
				   (unsigned long long)u->shmmax);
		rpt_puts(b, "</td></tr>\n");
	}
	segments_row(b, "held the peak", u->peak_held, u->n_peak_held, false);
	segments_row(b, "biggest now", u->biggest, u->n_biggest, true);
	rpt_puts(b, "</table>\n");
}

static void counters(struct jbuf *b, const struct rpt_model *m)
{
	const struct sw_stats *st = &m->stats;
	rpt_puts(b, "<h3>Counters</h3>\n<table class=\"kv\">");
	rpt_printf(b, "<tr><th>events</th><td>%" PRIu64 "</td></tr>\n", (uint64_t)st->events);
	rpt_printf(b, "<tr><th>lost</th><td>%" PRIu64 "%s</td></tr>\n", (uint64_t)st->lost,
		   st->lost ? " (the ring buffer was full; findings resting on them are marked "
			      "uncertain)"
			    : "");
	rpt_printf(b,
		   "<tr><th>findings</th><td>%" PRIu64 " (%" PRIu64 " errors, %" PRIu64
		   " warnings, %" PRIu64 " info), %" PRIu64 " of them uncertain</td></tr>\n",
		   (uint64_t)m->findings_total, (uint64_t)m->findings_by_sev[SW_SEV_ERROR],
		   (uint64_t)m->findings_by_sev[SW_SEV_WARNING],
		   (uint64_t)m->findings_by_sev[SW_SEV_INFO], (uint64_t)m->findings_uncertain);
	rpt_puts(b, "<tr><th>calls</th><td>");
	for (__u32 i = 1, n = 0; i < SW_CALL_MAX; i++) {
		if (!st->calls[i])
			continue;
		rpt_printf(b, "%s<code>%s</code> %" PRIu64, n++ ? ", " : "", sw_calls[i].name,
			   (uint64_t)st->calls[i]);
		if (st->failed[i])
			rpt_printf(b, " (%" PRIu64 " failed)", (uint64_t)st->failed[i]);
	}
	rpt_puts(b, "</td></tr>\n");
	if (st->state.dropped_procs || st->state.dropped_objects)
		rpt_printf(b,
			   "<tr><th>state cap</th><td>forgot %" PRIu64 " processes and %" PRIu64
			   " objects; %" PRIu64 " leak verdicts withheld</td></tr>\n",
			   (uint64_t)st->state.dropped_procs, (uint64_t)st->state.dropped_objects,
			   (uint64_t)st->state.unjudged);
	rpt_puts(b, "</table>\n");
}

static void summaries_section(struct jbuf *b, const struct rpt_model *m, const struct axis *ax)
{
	bool any = false;

	rpt_puts(b, "<section id=\"summaries\"><h2>Summaries</h2>\n");
	summaries(b, m);
	for (int i = 0; i < m->n_series; i++) {
		const struct rpt_series *s = m->series[i];

		if (!s->has_usage)
			continue;
		if (!any)
			rpt_puts(b, "<h3>Usage at the end</h3>\n<div class=\"usage\">\n");
		any = true;
		if (s->kind == RPT_MOUNT)
			mount_usage_html(b, m, ax, &s->u.mount);
		else
			sysv_usage_html(b, m, ax, &s->u.sysv);
	}
	if (any)
		rpt_puts(b, "</div>\n");
	counters(b, m);
	rpt_puts(b, "</section>\n");
}

static void rules(struct jbuf *b, const struct rpt_model *m)
{
	bool any = false;

	for (int i = 0; i < sw_rule_count && i < 64; i++) {
		if (!m->findings_by_rule[i])
			continue;
		if (!any)
			rpt_puts(b, "<section id=\"rules\"><h2>Rules that fired</h2>\n<dl "
				    "class=\"rules\">\n");
		any = true;
		rpt_printf(b,
			   "<dt id=\"rule-%s\"><span class=\"sev %s\">%s</span> <b>%s</b> "
			   "<span class=\"dim\">&times;%" PRIu64 "</span></dt><dd>",
			   sw_rules[i].id, sev_name(sw_rules[i].severity),
			   sev_name(sw_rules[i].severity), sw_rules[i].id,
			   (uint64_t)m->findings_by_rule[i]);
		rpt_esc(b, sw_rules[i].summary, SW_MSG_LEN);
		rpt_puts(b, "<br><i>What to do:</i> ");
		rpt_esc(b, sw_rules[i].advice, SW_MSG_LEN);
		rpt_puts(b, "</dd>\n");
	}
	if (any)
		rpt_puts(b, "</dl></section>\n");
}

/* ---- the page ------------------------------------------------------ */

static const char css[] =
    "<style>\n"
    ":root{--fg:#1d2330;--dim:#5d6675;--line:#d9dde4;--bg:#fff;--band:#f4f6f9;"
    "--err:#c62828;--warn:#c77700;--info:#1f6fb2;--used:#3f7fbf;--seg:#7a5bb5;--map:#2e8b57}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--fg);background:var(--bg)}\n"
    "header{background:#232a36;color:#eef1f5;padding:14px 24px 10px}\n"
    "header h1{margin:0 0 4px;font-size:20px;font-weight:600}\n"
    "header .meta{font-size:13px;color:#c3cad6}\n"
    "header .meta b{color:#fff;font-weight:600}\n"
    "nav{position:sticky;top:0;z-index:2;background:#2d3544;padding:6px 24px;font-size:13px}\n"
    "nav a{color:#dfe6f0;margin-right:18px;text-decoration:none}\n"
    "nav a:hover{text-decoration:underline}\n"
    "main{max-width:1320px;margin:0 auto;padding:6px 24px 40px}\n"
    "h2{font-size:17px;margin:22px 0 6px;padding-bottom:3px;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:15px;margin:16px 0 6px}\n"
    ".dim{color:var(--dim);font-weight:normal}\n"
    ".note{color:var(--dim);font-size:13px;margin:4px 0 8px}\n"
    ".badges span{display:inline-block;padding:1px 8px;border-radius:10px;margin-left:6px;"
    "font-size:12px;color:#fff}\n"
    ".badges .error{background:var(--err)}.badges .warning{background:var(--warn)}"
    ".badges .info{background:var(--info)}.badges .ok{background:#2e7d32}\n"
    "figure.chart{margin:8px 0 14px}\n"
    "figcaption{font-weight:600;font-size:14px;margin-bottom:2px}\n"
    "svg{width:100%;height:auto;display:block;font-size:11px}\n"
    "svg text{fill:var(--fg)}\n"
    ".grid{stroke:#eceef2}.tick,.axis{stroke:#9aa3b0}\n"
    ".tl{text-anchor:middle;fill:var(--dim)}.yl{text-anchor:end;fill:var(--dim)}\n"
    "path.used{fill:rgba(63,127,191,.28);stroke:var(--used);stroke-width:1.5}\n"
    "path.known{fill:none;stroke:#6b8e23;stroke-width:1.5;stroke-dasharray:5 3}\n"
    ".limit{stroke:var(--err);stroke-width:1.2;stroke-dasharray:6 4}\n"
    ".ll{text-anchor:end;fill:var(--err);font-size:11px}\n"
    "circle.peak{fill:#fff;stroke:var(--err);stroke-width:2}\n"
    ".pl{font-weight:600;font-size:12px;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
    "a.mk path{stroke:#fff;stroke-width:.8}a.mk line{stroke-width:1;stroke-dasharray:2 3}\n"
    "a.mk.error path{fill:var(--err)}a.mk.error line{stroke:var(--err)}\n"
    "a.mk.warning path{fill:var(--warn)}a.mk.warning line{stroke:var(--warn)}\n"
    "a.mk.info path{fill:var(--info)}a.mk.info line{stroke:var(--info)}\n"
    "a.mk:hover path{stroke:#000}\n"
    ".band{fill:var(--band)}.rl{font-size:11.5px}.gh{font-weight:600;fill:var(--dim)}\n"
    "rect.seg{fill:var(--seg)}rect.obj{fill:#b5651d}\n"
    "rect.att{fill:var(--used)}rect.map{fill:var(--map)}\n"
    "rect.inh{opacity:.5}rect.open{opacity:.85}path.held{fill:var(--err)}\n"
    ".key{display:inline-block;width:22px;height:9px;vertical-align:middle}\n"
    ".key.att{background:var(--used)}.key.map{background:var(--map)}\n"
    "article.finding{border:1px solid var(--line);border-left:5px solid var(--info);"
    "border-radius:4px;padding:8px 12px;margin:10px 0;break-inside:avoid}\n"
    "article.finding.error{border-left-color:var(--err)}"
    "article.finding.warning{border-left-color:var(--warn)}\n"
    "article.finding:target{box-shadow:0 0 0 3px #ffd54f}\n"
    ".fh{font-size:13px}.fh .sev{font-weight:700;text-transform:uppercase;font-size:11px;"
    "letter-spacing:.04em}\n"
    ".error .fh .sev{color:var(--err)}.warning .fh .sev{color:var(--warn)}"
    ".info .fh .sev{color:var(--info)}\n"
    ".fh .rule{font-weight:600;color:var(--fg)}.fh .when,.fh .num{color:var(--dim)}\n"
    ".fh .num{float:right}.unc{background:#fff3cd;padding:0 5px;border-radius:3px}\n"
    ".msg{margin:4px 0;font-size:14px}.hint{margin:4px 0;color:#2e5b2e}\n"
    ".ev{margin:2px 0;color:var(--dim);font-size:12px}\n"
    ".stacks{display:flex;flex-wrap:wrap;gap:4px 28px}\n"
    ".stack{flex:1 1 520px;min-width:0}.sl{font-size:12px;color:var(--dim);margin-top:4px}\n"
    ".stack ol{margin:2px 0 0;padding-left:26px;font:12px/1.5 ui-monospace,'DejaVu Sans Mono',"
    "Menlo,monospace}\n"
    ".fn{font-weight:600}.src{color:#1f5f99}.mod{color:var(--dim)}.off{color:var(--dim)}\n"
    "table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}\n"
    "table.sum th,table.sum td{border-bottom:1px solid var(--line);padding:3px 10px;"
    "text-align:left;vertical-align:top}\n"
    "table.sum th{background:var(--band);font-weight:600}\n"
    "table.kv{min-width:50%}table.kv caption{text-align:left;font-weight:600;padding:2px 0}\n"
    "table.kv th{text-align:left;color:var(--dim);font-weight:normal;padding:2px 14px 2px 0;"
    "vertical-align:top;white-space:nowrap}table.kv td{padding:2px 0}\n"
    "dl.rules dt{margin-top:8px}dl.rules dd{margin:2px 0 0 20px;color:#333}\n"
    "dt .sev{font-size:11px;text-transform:uppercase;font-weight:700}\n"
    "dt .sev.error{color:var(--err)}dt .sev.warning{color:var(--warn)}"
    "dt .sev.info{color:var(--info)}\n"
    ".clean{color:#2e7d32;font-weight:600}\n"
    "code{font:12px ui-monospace,'DejaVu Sans Mono',monospace}\n"
    "@media print{nav{display:none}header{background:none;color:#000}"
    "header .meta{color:#000}header .meta b{color:#000}main{max-width:none}}\n"
    "</style>\n";

static void page_header(struct jbuf *b, const struct rpt_model *m, const struct axis *ax,
			const char *title)
{
	rpt_puts(b, "<header><h1>");
	rpt_esc(b, title, 256);
	rpt_puts(b, "<span class=\"badges\">");
	if (m->findings_by_sev[SW_SEV_ERROR])
		rpt_printf(b, "<span class=\"error\">%" PRIu64 " error%s</span>",
			   (uint64_t)m->findings_by_sev[SW_SEV_ERROR],
			   m->findings_by_sev[SW_SEV_ERROR] == 1 ? "" : "s");
	if (m->findings_by_sev[SW_SEV_WARNING])
		rpt_printf(b, "<span class=\"warning\">%" PRIu64 " warning%s</span>",
			   (uint64_t)m->findings_by_sev[SW_SEV_WARNING],
			   m->findings_by_sev[SW_SEV_WARNING] == 1 ? "" : "s");
	if (m->findings_by_sev[SW_SEV_INFO])
		rpt_printf(b, "<span class=\"info\">%" PRIu64 " info</span>",
			   (uint64_t)m->findings_by_sev[SW_SEV_INFO]);
	if (!m->findings_total)
		rpt_puts(b, "<span class=\"ok\">no findings</span>");
	rpt_puts(b, "</span></h1>\n<div class=\"meta\">host <b>");
	rpt_esc(b, m->hostname, sizeof(m->hostname));
	rpt_puts(b, "</b> &middot; kernel ");
	rpt_esc(b, m->kernel, sizeof(m->kernel));
	if (m->command) {
		rpt_puts(b, " &middot; command <b>");
		rpt_esc(b, m->command, 512);
		rpt_puts(b, "</b>");
	} else if (m->mode) {
		rpt_puts(b, " &middot; mode ");
		rpt_esc(b, m->mode, 32);
	}
	rpt_puts(b, "<br>traced from ");
	put_date(b, m, m->start_ts ? m->start_ts : ax->t0);
	rpt_printf(b, "; events over %.3f s from the first, ", secs(ax, ax->t1));
	put_clock(b, m, ax->t0);
	rpt_printf(b,
		   " &middot; <b>%" PRIu64 "</b> events, <b>%" PRIu64 "</b> lost, <b>%" PRIu64
		   "</b> findings</div>\n</header>\n",
		   (uint64_t)(m->has_stats ? m->stats.events : m->events), (uint64_t)m->stats.lost,
		   (uint64_t)m->findings_total);
	rpt_puts(b, "<nav><a href=\"#timelines\">Timelines</a><a href=\"#lifetimes\">Lifetimes</a>"
		    "<a href=\"#findings\">Findings</a><a href=\"#summaries\">Summaries</a>");
	if (m->findings_total)
		rpt_puts(b, "<a href=\"#rules\">Rules</a>");
	rpt_puts(b, "</nav>\n");
}

void rpt_html_write(struct jbuf *b, const struct rpt_model *m, const char *title)
{
	struct axis ax = {.t0 = m->t0, .t1 = m->t_last, .l = PLOT_L, .r = PLOT_R};

	if (ax.t1 <= ax.t0)
		ax.t1 = ax.t0 + 1000000; /* one event: a millisecond's axis */
	rpt_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		    "<meta name=\"generator\" content=\"shmwatch report\">\n<title>");
	rpt_esc(b, title, 256);
	rpt_puts(b, " &ndash; ");
	rpt_esc(b, m->hostname, sizeof(m->hostname));
	rpt_puts(b, "</title>\n");
	rpt_puts(b, css);
	rpt_puts(b, "</head><body>\n");
	page_header(b, m, &ax, title);
	rpt_puts(b, "<main>\n");
	timelines(b, m, &ax);
	ax.l = GANTT_L;
	lifetimes(b, m, &ax);
	ax.l = PLOT_L;
	findings(b, m, &ax);
	summaries_section(b, m, &ax);
	rules(b, m);
	rpt_puts(b, "</main></body></html>\n");
}
