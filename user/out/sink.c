// SPDX-License-Identifier: GPL-2.0
/*
 * sink.c - what all sinks share: closing, wall-clock timestamps, and the
 * hint a finding is shown with.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "analyzer/producers.h"
#include "lib/digits.h"
#include "out/sink.h"

int sink__close(struct sink *s)
{
	struct outfile *out;

	if (!s)
		return 0;
	out = s->out;
	s->ops->free(s);
	return outfile__close(out);
}

/*
 * Records come by the hundred thousand a second, and gmtime_r with a
 * formatted print of each cost more than the rest of a record: the date
 * and time of the last second are kept (per thread), the nanoseconds
 * written by hand.
 */
void sink_format_ts(char *buf, size_t len, __u64 ts_ns, __s64 wall_offset_ns)
{
	static __thread struct {
		time_t sec;
		char text[32]; /* "YYYY-MM-DDTHH:MM:SS." */
		int n;
	} last = { .sec = -1 };
	__s64 wall = (__s64)ts_ns + wall_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	long nsec = (long)(wall % 1000000000);
	char out[48];
	struct tm tm;
	size_t n;

	if (!len)
		return;
	if (wall < 0) /* before 1970: not a clock this runs on */
		sec = nsec = 0;
	if (sec != last.sec) {
		gmtime_r(&sec, &tm);
		last.n = snprintf(last.text, sizeof(last.text), "%04d-%02d-%02dT%02d:%02d:%02d.",
				  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				  tm.tm_min, tm.tm_sec);
		if (last.n < 0 || last.n >= (int)sizeof(last.text))
			last.n = 0;
		last.sec = sec;
	}
	memcpy(out, last.text, (size_t)last.n);
	digits_fixed(out + last.n + 9, (__u64)nsec, 9);
	out[last.n + 9] = 'Z';
	n = (size_t)last.n + 10 < len ? (size_t)last.n + 10 : len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}

static const struct sw_producer *stack_producer(const struct sink_stack *st)
{
	const struct sw_producer *p = NULL;

	for (__u32 i = 0; i < st->n && !p; i++)
		p = sw_producer_by_module(st->frames[i].module);
	return p;
}

struct sink_hint sink_finding_hint(const struct sink_finding *sf)
{
	struct sink_hint h = { sf->f->hint, sf->f->producer, sf->f->producer_fix };
	const struct sw_producer *p;

	if (h.producer)
		return h;
	p = stack_producer(&sf->origin);
	if (!p)
		p = stack_producer(&sf->site);
	if (p) {
		h.producer = p->producer;
		if (sw_producer_fixes(p, sf->f->rule)) {
			h.hint = p->fix;
			h.producer_fix = true;
		}
	}
	return h;
}
