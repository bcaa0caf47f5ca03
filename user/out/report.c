// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - the HTML report as a sink (`shmwatch report`): it keeps what
 * the records say in a bounded model (report_model.c) and writes the
 * whole page at the final stats record (report_html.c), then publishes
 * the file, so that a run that fails before the end leaves no half
 * report and an existing file is replaced only by a complete one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out/report.h"
#include "out/sink.h"

struct report_sink {
	struct sink base;
	const char *title;
	struct sink_report_result *result;
	bool (*has_input)(void *ctx);
	void *input_ctx;
	bool done;
	struct rpt_model m;
};

static void report_header(struct sink *s, const struct sw_header *h)
{
	struct report_sink *r = (struct report_sink *)s;

	s->wall_offset_ns = h->wall_offset_ns;
	rpt_model_header(&r->m, h);
}

static void report_event(struct sink *s, const struct sink_event *se)
{
	rpt_model_event(&((struct report_sink *)s)->m, se->e);
}

static void report_finding(struct sink *s, const struct sink_finding *sf)
{
	rpt_model_finding(&((struct report_sink *)s)->m, sf);
}

static void report_summary(struct sink *s, const struct sw_proc_summary *p)
{
	rpt_model_summary(&((struct report_sink *)s)->m, p);
}

static void report_usage(struct sink *s, const struct sw_mount_usage *u)
{
	rpt_model_usage(&((struct report_sink *)s)->m, u);
}

static void report_sysv_usage(struct sink *s, const struct sw_sysv_usage *u)
{
	rpt_model_sysv_usage(&((struct report_sink *)s)->m, u);
}

static void report_stats(struct sink *s, const struct sw_stats *st)
{
	struct report_sink *r = (struct report_sink *)s;
	struct jbuf b = {0};
	int err;

	r->m.stats = *st;
	r->m.has_stats = true;
	if (!st->final || r->done)
		return;
	r->done = true;
	if (r->has_input && !r->has_input(r->input_ctx)) {
		if (r->result)
			r->result->no_input = true;
		return;
	}
	rpt_html_write(&b, &r->m, r->title);
	if (b.oom || r->m.oom)
		err = -ENOMEM;
	else
		err = outfile__text(s->out, b.p, b.len);
	jbuf_free(&b);
	if (!err)
		err = outfile__publish(s->out);
	if (r->result) {
		r->result->err = err;
		r->result->written = !err;
		r->result->events = st->events;
		r->result->findings = r->m.findings_total;
		r->result->replaced = !err && outfile__replaced(s->out);
	}
}

static void report_free(struct sink *s)
{
	struct report_sink *r = (struct report_sink *)s;

	rpt_model_fini(&r->m);
	free(r);
}

static const struct sink_ops report_ops = {
    .header = report_header,
    .event = report_event,
    .finding = report_finding,
    .summary = report_summary,
    .usage = report_usage,
    .sysv_usage = report_sysv_usage,
    .stats = report_stats,
    .free = report_free,
};

struct sink *sink_report__new(struct outfile *out, const struct sink_report_opts *o)
{
	struct report_sink *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (rpt_model_init(&r->m)) {
		free(r);
		return NULL;
	}
	r->base.ops = &report_ops;
	r->base.out = out;
	r->base.events = true;
	r->base.event_frames = 0; /* events are drawn, their stacks are not */
	r->base.finding_frames = SW_MAX_FRAMES;
	r->title = o->title && o->title[0] ? o->title : "shmwatch report";
	r->result = o->result;
	r->has_input = o->has_input;
	r->input_ctx = o->input_ctx;
	if (r->result)
		*r->result = (struct sink_report_result){.err = -ENODATA};
	return &r->base;
}
