// SPDX-License-Identifier: GPL-2.0
/*
 * test_report.c - the HTML report's pure parts (user/out/report_model.c,
 * report_html.c): HTML escaping, the time buckets and their merging, the
 * tick steps, the bounds on rows whatever the trace's size, and the page
 * of a hostile log written through the sink to a file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "out/report.h"
#include "out/sink.h"

static char *escaped(const char *s, size_t max)
{
	static char out[512];
	struct jbuf b = {0};

	rpt_esc(&b, s, max);
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
	jbuf_free(&b);
	return out;
}

static void test_escape(void **state)
{
	assert_string_equal(escaped("<script>alert('x')</script>", 64),
			    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	assert_string_equal(escaped("a&b \"q\"", 64), "a&amp;b &quot;q&quot;");
	assert_string_equal(escaped("tab\there\x1b[31m\x7f", 64), "tab\\x09here\\x1b[31m\\x7f");
	/* At most max bytes: a comm is not NUL-terminated at 16. */
	assert_string_equal(escaped("0123456789abcdefXYZ", 16), "0123456789abcdef");
	/* UTF-8 passes as it is. */
	assert_string_equal(escaped("caf\xc3\xa9", 64), "caf\xc3\xa9");
}

static void test_bucket_add(void **state)
{
	struct rpt_bucket b = {0};

	rpt_bucket_add(&b, 5);
	rpt_bucket_add(&b, 9);
	rpt_bucket_add(&b, 2);
	assert_true(b.has);
	assert_int_equal(b.max, 9);
	assert_int_equal(b.last, 2);
	/* 0 is a value like any other. */
	b = (struct rpt_bucket){0};
	rpt_bucket_add(&b, 0);
	assert_true(b.has);
	assert_int_equal(b.max, 0);
}

static void test_halve(void **state)
{
	struct rpt_bucket b[8] = {0};

	rpt_bucket_add(&b[0], 3);
	rpt_bucket_add(&b[1], 7);
	rpt_bucket_add(&b[1], 1);
	/* b[2] empty, b[3] has: the pair takes b[3]'s. */
	rpt_bucket_add(&b[3], 4);
	/* b[4] has, b[5] empty: b[4]'s last stays. */
	rpt_bucket_add(&b[4], 6);
	rpt_bucket_add(&b[4], 2);
	rpt_buckets_halve(b, 8);
	assert_true(b[0].has);
	assert_int_equal(b[0].max, 7);
	assert_int_equal(b[0].last, 1);
	assert_true(b[1].has);
	assert_int_equal(b[1].max, 4);
	assert_int_equal(b[1].last, 4);
	assert_true(b[2].has);
	assert_int_equal(b[2].max, 6);
	assert_int_equal(b[2].last, 2);
	assert_false(b[3].has);
	for (int i = 4; i < 8; i++)
		assert_false(b[i].has);
}

static void test_nice_steps(void **state)
{
	assert_true(rpt_nice_step(10, 10) == 1);
	assert_true(rpt_nice_step(0.31, 10) > 0.049 && rpt_nice_step(0.31, 10) < 0.051);
	assert_true(rpt_nice_step(9.988, 10) == 1);
	assert_true(rpt_nice_step(17, 10) == 2);
	assert_true(rpt_nice_step(0.0004, 4) > 0.000099 && rpt_nice_step(0.0004, 4) < 0.000101);
	assert_true(rpt_nice_step(0, 10) == 1);
	/* Bytes: in the unit the range reaches. */
	assert_int_equal(rpt_nice_bytes(3 << 20, 4), 1 << 20);
	assert_int_equal(rpt_nice_bytes(2400000, 4), 1 << 20);
	assert_int_equal(rpt_nice_bytes(1800000, 4), 512 * 1024);
	assert_int_equal(rpt_nice_bytes(300 * 1024, 4), 100 * 1024);
	assert_int_equal(rpt_nice_bytes(900, 4), 500);
	assert_int_equal(rpt_nice_bytes(0, 4), 1);
}

static struct sw_event call_event(__u32 call, __u64 ts, __u32 pid)
{
	struct sw_event e = {.kind = SW_EV_CALL, .call = call, .ts_ns = ts, .pid = pid, .tid = pid};

	strcpy(e.comm, "w");
	return e;
}

/* Ten million seconds of a tmpfs use that climbs to one peak: still
 * RPT_BUCKETS buckets, and the peak survives every merge. */
static void test_slots_merge_and_keep_peak(void **state)
{
	struct rpt_model *m = calloc(1, sizeof(*m));
	struct rpt_series *s;
	__u64 t0 = 5000000000ULL, peak_at = t0 + 3333ULL * 1000000000ULL, peak_ts = 0;
	int n = 0;

	assert_non_null(m);
	assert_int_equal(rpt_model_init(m), 0);
	for (__u64 t = t0; t < t0 + 10000000ULL * 1000000000ULL; t += 997ULL * 1000000000ULL) {
		struct sw_event e = call_event(SW_FTRUNCATE, t, 10);

		e.c.ino = 7;
		e.c.dev = 27;
		e.c.backing = SW_BK_SHMEM_FILE;
		e.c.fs_size = 64 << 20;
		e.c.fs_used = 1 << 20;
		if (t <= peak_at && t + 997ULL * 1000000000ULL > peak_at) {
			e.c.fs_used = 60 << 20;
			peak_ts = t;
		}
		rpt_model_event(m, &e);
		n++;
	}
	assert_true(n > 10000);
	assert_true(m->n_buckets <= RPT_BUCKETS);
	assert_true(m->width > RPT_FIRST_WIDTH_NS);
	s = rpt_model_series(m, RPT_MOUNT, 27);
	assert_non_null(s);
	assert_int_equal(m->n_series, 1);
	{
		__u64 most = 0;
		int at = -1, has = 0;

		for (int i = 0; i < RPT_BUCKETS; i++) {
			has += s->used[i].has;
			if (s->used[i].has && s->used[i].max > most) {
				most = s->used[i].max;
				at = i;
			}
		}
		assert_int_equal(most, 60 << 20);
		assert_int_equal(at, (int)((peak_ts - t0) / m->width));
		assert_true(has > RPT_BUCKETS / 2);
	}
	assert_int_equal(s->limit, 64 << 20);
	rpt_model_fini(m);
	free(m);
}

/* A hundred thousand processes each attaching and detaching, a few of
 * them leaking an attachment: at most RPT_ROWS rows, and the leakers
 * (still holding at the end) are the ones kept. */
static void test_rows_bounded(void **state)
{
	struct rpt_model *m = calloc(1, sizeof(*m));
	__u64 ts = 1000;
	int holders = 0;

	assert_non_null(m);
	assert_int_equal(rpt_model_init(m), 0);
	for (__u32 pid = 100; pid < 100100; pid++) {
		struct sw_event e = call_event(SW_SHMAT, ts++, pid);
		bool leak = pid % 10000 == 0;

		e.c.ret = 0x7f0000000000;
		e.c.shmid = (__s32)pid;
		e.c.map_size = 65536;
		e.c.backing = SW_BK_SYSV;
		rpt_model_event(m, &e);
		if (!leak) {
			e = call_event(SW_SHMDT, ts++, pid);
			e.c.args[0] = 0x7f0000000000;
			rpt_model_event(m, &e);
		}
		e = (struct sw_event){.kind = SW_EV_EXIT, .ts_ns = ts++, .pid = pid};
		rpt_model_event(m, &e);
	}
	assert_int_equal(m->procs_seen, 100000);
	for (int i = 0; i < RPT_ROWS; i++) {
		const struct rpt_proc *p = &m->procs[i];

		assert_true(p->used);
		assert_true(p->n_bars <= RPT_BARS);
		if (p->pid % 10000 == 0)
			holders++;
	}
	/* Exit ended the leakers' bars too; what they held at exit still
	 * counts (peak bytes), and the newest are kept beside them. */
	assert_true(holders >= 1);
	assert_true(hmap_count(&m->live_procs) == 0);
	rpt_model_fini(m);
	free(m);
}

/* Bars of one process past RPT_BARS: the closest closed ones merge,
 * counts add up, and none is lost while any can merge. */
static void test_bars_merge(void **state)
{
	struct rpt_model *m = calloc(1, sizeof(*m));
	const struct rpt_proc *p = NULL;
	__u32 total = 0;

	assert_non_null(m);
	assert_int_equal(rpt_model_init(m), 0);
	for (int i = 0; i < 1000; i++) {
		struct sw_event e = call_event(SW_MMAP, 1000 + (__u64)i * 100, 42);

		e.c.ret = 0x7f0000000000 + (__u64)i * 4096;
		e.c.args[3] = 0x01; /* MAP_SHARED */
		e.c.map_size = 4096;
		e.c.backing = SW_BK_ANON_SHARED;
		rpt_model_event(m, &e);
		e = call_event(SW_MUNMAP, 1050 + (__u64)i * 100, 42);
		e.c.args[0] = 0x7f0000000000 + (__u64)i * 4096;
		e.c.args[1] = 4096;
		rpt_model_event(m, &e);
	}
	for (int i = 0; i < RPT_ROWS && !p; i++)
		if (m->procs[i].used && m->procs[i].pid == 42)
			p = &m->procs[i];
	assert_non_null(p);
	assert_true(p->n_bars <= RPT_BARS);
	assert_int_equal(p->bars_lost, 0);
	for (int i = 0; i < p->n_bars; i++) {
		assert_true(p->bars[i].end >= p->bars[i].start);
		total += p->bars[i].count;
	}
	assert_int_equal(total, 1000);
	assert_int_equal(p->cur_bytes, 0);
	assert_int_equal(p->peak_bytes, 4096);
	rpt_model_fini(m);
	free(m);
}

/* The whole page of a log whose comm, paths and frames are hostile:
 * nothing of it opens a tag; and no external reference at all. */
static void test_page_escapes_log_text(void **state)
{
	char path[] = "/tmp/test_report.XXXXXX";
	int fd = mkstemp(path);
	struct outfile_opts oo = {.path = path};
	struct sink_report_result res;
	struct sink_report_opts ro = {.title = "t<b>", .result = &res};
	struct sw_header h = {.schema = 1, .start_ts_ns = 1000};
	struct sw_finding f = {.rule = "segment-leak",
			       .severity = SW_SEV_ERROR,
			       .pid = 7,
			       .ts_ns = 3000,
			       .n_evidence = 1,
			       .evidence = {2}};
	struct sw_frame frames[2] = {
	    {.ip = 1,
	     .function = "<script>evil()</script>",
	     .file = "a\"b.c",
	     .line = 3,
	     .module = "/lib/<m>.so"},
	    {.ip = 2},
	};
	struct sink_finding sf = {.f = &f, .site = {frames, 2}};
	struct sw_stats st = {.final = true, .events = 2};
	struct sw_event e = call_event(SW_MEMFD_CREATE, 2000, 7);
	struct sink_event se = {.e = &e, .seq = 2};
	struct outfile *out;
	struct sink *s;
	char *text;
	long n;
	FILE *fp;

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	strcpy(h.hostname, "<host>");
	strcpy(e.comm, "<script>");
	strcpy(f.comm, "<script>");
	strcpy(f.message, "msg </p><img src=x onerror=alert(1)>");
	e.c.ret = 3;
	e.c.ino = 9;
	e.c.dev = 1;
	e.c.backing = SW_BK_MEMFD;
	e.c.created = 1;
	strcpy(e.c.name, "<iframe src=\"http://x\">");
	out = outfile__open(&oo);
	assert_non_null(out);
	s = sink_report__new(out, &ro);
	assert_non_null(s);
	assert_int_equal(res.err, -ENODATA);
	s->ops->header(s, &h);
	s->ops->event(s, &se);
	s->ops->finding(s, &sf);
	s->ops->stats(s, &st);
	assert_int_equal(res.err, 0);
	assert_true(res.written);
	assert_int_equal(res.findings, 1);
	assert_int_equal(sink__close(s), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	unlink(path);
	assert_null(strstr(text, "<script"));
	assert_null(strstr(text, "<img"));
	assert_null(strstr(text, "<iframe"));
	assert_null(strstr(text, "<host>"));
	assert_null(strstr(text, "<m>"));
	/* The hostile name's URL is text, never an attribute. */
	assert_null(strstr(text, "src=\""));
	assert_null(strstr(text, "href=\"http"));
	assert_non_null(strstr(text, "&lt;iframe src=&quot;http://x&quot;&gt;"));
	assert_non_null(strstr(text, "&lt;script&gt;evil()&lt;/script&gt;"));
	assert_non_null(strstr(text, "a&quot;b.c:3"));
	assert_non_null(strstr(text, "msg &lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(text, "id=\"finding-1\""));
	assert_non_null(strstr(text, "href=\"#finding-1\""));
	assert_non_null(strstr(text, "<title>t&lt;b&gt; &ndash; &lt;host&gt;</title>"));
	assert_non_null(strstr(text, "</html>"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_bucket_add),
	    cmocka_unit_test(test_halve),
	    cmocka_unit_test(test_nice_steps),
	    cmocka_unit_test(test_slots_merge_and_keep_peak),
	    cmocka_unit_test(test_rows_bounded),
	    cmocka_unit_test(test_bars_merge),
	    cmocka_unit_test(test_page_escapes_log_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
