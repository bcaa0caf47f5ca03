// SPDX-License-Identifier: GPL-2.0
/*
 * test_producers.c - the known producers (user/analyzer/producers.c): the
 * pattern language, the lookups with each row's names and their near
 * misses, and the hint a finding carries: a known producer's fix for its
 * objects (by name, or by the process's comm), the rule's advice
 * otherwise, as the analyzer publishes it and as the text and JSON sinks
 * write it.
 */
#include <unistd.h>
#include <json-c/json.h>
#include "builder.h"
#include "analyzer/producers.h"
#include "out/outfile.h"
#include "out/sink.h"

static const struct sw_producer *row_of(const char *producer, enum sw_producer_match match)
{
	for (int i = 0; i < sw_producer_count; i++)
		if (!strcmp(sw_producers[i].producer, producer) && sw_producers[i].match == match)
			return &sw_producers[i];
	fail_msg("no %s row in sw_producers[]", producer);
	return NULL;
}

static void assert_producer(const struct sw_producer *p, const char *want, const char *what)
{
	if (!want) {
		if (p)
			fail_msg("%s: matched %s (%s), expected none", what, p->producer, p->pattern);
		return;
	}
	if (!p)
		fail_msg("%s: matched nothing, expected %s", what, want);
	if (strcmp(p->producer, want))
		fail_msg("%s: matched %s, expected %s", what, p->producer, want);
}

/* ---- the table ----------------------------------------------------------- */

static void test_pattern_language(void **state)
{
	/* '#': one or more digits, all of them. */
	assert_true(sw_producer_pattern_match("a#", "a0"));
	assert_true(sw_producer_pattern_match("a#", "a0123456789"));
	assert_false(sw_producer_pattern_match("a#", "a"));
	assert_false(sw_producer_pattern_match("a#", "a12x"));
	assert_true(sw_producer_pattern_match("a#_#", "a1_2"));
	assert_false(sw_producer_pattern_match("a#_#", "a1__2"));
	/* '?': exactly one byte. */
	assert_true(sw_producer_pattern_match("x-???", "x-aB3"));
	assert_false(sw_producer_pattern_match("x-???", "x-aB"));
	assert_false(sw_producer_pattern_match("x-???", "x-aB34"));
	/* '*': the rest, empty or not; "?*" is one or more. */
	assert_true(sw_producer_pattern_match("s.*", "s."));
	assert_true(sw_producer_pattern_match("s.*", "s.anything/at all"));
	assert_false(sw_producer_pattern_match("s.?*", "s."));
	assert_true(sw_producer_pattern_match("s.?*", "s.x"));
	/* Literals are exact, case too. */
	assert_true(sw_producer_pattern_match("memfd:xorg", "memfd:xorg"));
	assert_false(sw_producer_pattern_match("memfd:xorg", "memfd:Xorg"));
	assert_false(sw_producer_pattern_match("memfd:xorg", "memfd:xorg2"));
	assert_false(sw_producer_pattern_match("abc", ""));
}

static void test_lookup_by_name(void **state)
{
	static const struct {
		const char *name;
		const char *producer; /* NULL: none */
	} cases[] = {
		{ "/dev/shm/torch_123_456", "PyTorch" },
		{ "/dev/shm/torch_123_456_7", "PyTorch" },
		{ "torch_1_2", "PyTorch" },
		{ "/dev/shm/torch_", NULL },
		{ "/dev/shm/torch_123", NULL },
		{ "/dev/shm/torch_123_", NULL },
		{ "/dev/shm/torch_a_b", NULL },
		{ "/dev/shm/torch_notes", NULL },
		{ "/dev/shm/Torch_1_2", NULL },
		{ "/dev/shm/PostgreSQL.1804289383", "PostgreSQL" },
		{ "/dev/shm/PostgreSQL.", NULL },
		{ "/dev/shm/PostgreSQL.12ab", NULL },
		{ "/dev/shm/postgresql.123", NULL },
		{ "/dev/shm/nccl-vzIpS6", "NCCL" },
		{ "/dev/shm/nccl-abc", NULL },
		{ "/dev/shm/nccl-abcdefg", NULL },
		{ "/dev/shm/psm_1a2b3c4d", "Python multiprocessing" },
		{ "/dev/shm/psm_", NULL },
		{ "/dev/shm/psm_1a2b3c4d5", NULL },
		{ "wnsm_0badf00d", "Python multiprocessing" },
		{ "/dev/shm/sem.mysem", "glibc POSIX semaphore" },
		{ "/dev/shm/sem.mp-abc123", "glibc POSIX semaphore" },
		{ "/dev/shm/sem.", NULL },
		{ "/dev/shm/semaphore", NULL },
		{ "/dev/shm/pulse-shm-3641876583", "PulseAudio" },
		{ "/dev/shm/pulse-shm-", NULL },
		{ "/dev/shm/pulse-shm-x1", NULL },
		{ "/dev/shm/.org.chromium.Chromium.aB3dE5", "Chromium" },
		{ "/dev/shm/.org.chromium.Chromium.", NULL },
		{ "/dev/shm/.com.google.Chrome.Zz09aQ", "Google Chrome" },
		{ "memfd:xorg", "MIT-SHM" },
		{ "memfd:xorg-extra", NULL },
		{ "memfd:torch_1_2", NULL }, /* a memfd's name is all of it */
		{ "/dev/shm/x", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_producer(sw_producer_by_name(cases[i].name), cases[i].producer,
				cases[i].name);
	assert_null(sw_producer_by_name(NULL));
}

static void test_lookup_by_comm_and_module(void **state)
{
	assert_producer(sw_producer_by_comm("postgres"), "PostgreSQL", "comm postgres");
	assert_producer(sw_producer_by_comm("Xorg"), "MIT-SHM", "comm Xorg");
	assert_producer(sw_producer_by_comm("Xwayland"), "MIT-SHM", "comm Xwayland");
	assert_producer(sw_producer_by_comm("postgres2"), NULL, "comm postgres2");
	assert_producer(sw_producer_by_comm("postgre"), NULL, "comm postgre");
	/* Each lookup reads its own rows only. */
	assert_producer(sw_producer_by_comm("torch_1_2"), NULL, "comm torch_1_2");
	assert_producer(sw_producer_by_name("/usr/bin/postgres"), NULL, "name postgres");
	assert_producer(sw_producer_by_module("/usr/lib/x86_64-linux-gnu/libQt5XcbQpa.so.5.15.8"),
			"Qt xcb", "module libQt5XcbQpa");
	assert_producer(sw_producer_by_module("/opt/Qt6/lib/libQt6XcbQpa.so.6"), "Qt xcb",
			"module libQt6XcbQpa");
	assert_producer(sw_producer_by_module("/usr/lib/libQt5Core.so.5"), NULL, "module libQt5Core");
	assert_producer(sw_producer_by_module("/usr/lib/libQt5XcbQpa.a"), NULL, "module .a");
	assert_null(sw_producer_by_module(NULL));
}

/* Every row is complete and its fix one short line, as the text view
 * prints it on a line of its own. */
static void test_rows_are_complete(void **state)
{
	assert_true(sw_producer_count >= 9);
	for (int i = 0; i < sw_producer_count; i++) {
		const struct sw_producer *p = &sw_producers[i];

		assert_non_null(p->pattern);
		assert_true(p->pattern[0]);
		assert_true(p->producer[0] && strlen(p->producer) < 64);
		assert_true(p->what[0]);
		assert_true(p->fix[0] && strlen(p->fix) < 240);
		assert_null(strchr(p->fix, '\n'));
		assert_null(strchr(p->what, '|')); /* a cell of the docs' table */
		assert_null(strchr(p->fix, '|'));
	}
}

/* ---- findings ------------------------------------------------------------- */

/* A leaked torch_* object is PyTorch's, but its fix (room on /dev/shm)
 * answers a full mount, not a leak: the finding names the producer and
 * keeps the rule's advice. */
static void test_torch_object_leak_names_pytorch_keeps_advice(void **state)
{
	const struct sw_finding *f;

	start();
	shm_open_(3000, "/dev/shm/torch_3000_1804289383_0", 77);
	shm_truncate(3000, 77, 1 * MiB);
	shm_map(3000, MAP_ADDR, 1 * MiB, 77, 1 * MiB);
	exit_(3000);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_non_null(f->producer);
	assert_string_equal(f->producer, "PyTorch");
	assert_false(f->producer_fix);
	assert_string_equal(f->hint, sw_rules[SW_RULE_SHM_OBJECT_LEAK].advice);
	assert_false(sw_producer_fixes(row_of("PyTorch", SW_PRODUCER_NAME), "shm-object-leak"));
	assert_true(sw_producer_fixes(row_of("PyTorch", SW_PRODUCER_NAME), "sigbus-explained"));
}

/* A leaked SharedMemory block gets Python's own fix. */
static void test_python_object_leak_has_python_fix(void **state)
{
	const struct sw_finding *f;

	start();
	shm_open_(3008, "/dev/shm/psm_1a2b3c4d", 81);
	shm_map(3008, MAP_ADDR, 4096, 81, 4096);
	exit_(3008);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_string_equal(f->producer, "Python multiprocessing");
	assert_true(f->producer_fix);
	assert_string_equal(f->hint, row_of("Python multiprocessing", SW_PRODUCER_NAME)->fix);
	assert_contains(f->hint, "SharedMemory.unlink()");
}

/* A rule list matches whole ids only. */
static void test_fixes_match_whole_rule_ids(void **state)
{
	struct sw_producer p = { .rules = "segment-leak shm-object-leak" };

	assert_true(sw_producer_fixes(&p, "segment-leak"));
	assert_true(sw_producer_fixes(&p, "shm-object-leak"));
	assert_false(sw_producer_fixes(&p, "object-leak"));
	assert_false(sw_producer_fixes(&p, "segment"));
	assert_false(sw_producer_fixes(&p, "attach-leak"));
	p.rules = NULL;
	assert_true(sw_producer_fixes(&p, "attach-leak"));
}

/* The near miss "torch_" alone is nobody's: the rule's own advice. */
static void test_unknown_object_has_rule_advice(void **state)
{
	const struct sw_finding *f;

	start();
	shm_open_(3001, "/dev/shm/torch_", 78);
	shm_map(3001, MAP_ADDR, 4096, 78, 4096);
	exit_(3001);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_null(f->producer);
	assert_string_equal(f->hint, sw_rules[SW_RULE_SHM_OBJECT_LEAK].advice);
}

/* Every rule's finding carries a hint; a segment has no name, and a
 * process of no known comm gives it the advice. */
static void test_segment_leak_has_rule_advice(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(3002, IPC_PRIVATE_KEY, 65536, 17);
	exit_(3002);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_null(f->producer);
	assert_string_equal(f->hint, sw_rules[SW_RULE_SEGMENT_LEAK].advice);
}

/* feed() names every process progPID; a postgres needs its own. */
static __u64 feed_as(struct sw_event *e, __u32 pid, const char *comm)
{
	e->pid = e->tid = pid;
	e->ts_ns = T.ts;
	e->seq = ++T.seq;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	analyzer__event(T.a, e);
	return e->seq;
}

static void test_postgres_segment_by_comm(void **state)
{
	struct sw_event get = { .kind = SW_EV_CALL, .call = SW_SHMGET };
	struct sw_event ex = { .kind = SW_EV_EXIT };
	const struct sw_finding *f;

	start();
	get.c.args[0] = 5432001;
	get.c.args[1] = 56 * KiB;
	get.c.args[2] = IPC_CREAT_FLAG | 0600;
	get.c.ret = 21;
	get.c.shmid = -1;
	feed_as(&get, 3003, "postgres");
	feed_as(&ex, 3003, "postgres");
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_string_equal(f->comm, "postgres");
	assert_string_equal(f->producer, "PostgreSQL");
	assert_string_equal(f->hint, row_of("PostgreSQL", SW_PRODUCER_COMM)->fix);
}

/* A PostgreSQL.N object is PostgreSQL's by its name, whoever left it;
 * the name row's fix answers a full mount, so a leak keeps the advice and
 * the comm row is not asked. */
static void test_name_before_comm(void **state)
{
	const struct sw_finding *f;

	start();
	shm_open_(3004, "/dev/shm/PostgreSQL.1714636915", 79);
	shm_map(3004, MAP_ADDR, 4096, 79, 4096);
	exit_(3004);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_string_equal(f->producer, "PostgreSQL");
	assert_false(f->producer_fix);
	assert_string_equal(f->hint, sw_rules[SW_RULE_SHM_OBJECT_LEAK].advice);
}

/* ---- the sinks ------------------------------------------------------------ */

/* Writes f through a sink made by make into a file and returns what it
 * wrote (static, overwritten by the next call). */
static const char *through_sink(bool json, const struct sink_finding *sf)
{
	static char text[8192];
	char path[] = "/tmp/test_producers.XXXXXX";
	struct outfile_opts oo = { .path = path };
	struct sink_text_opts to = { .color = false };
	struct sw_header h = { .schema = SW_SCHEMA_VERSION };
	struct outfile *out;
	struct sink *s;
	size_t n;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	out = outfile__open(&oo);
	assert_non_null(out);
	s = json ? sink_json__new(out, false) : sink_text__new(out, &to);
	assert_non_null(s);
	if (!json)
		s->ops->header(s, &h);
	s->ops->finding(s, sf);
	assert_int_equal(sink__close(s), 0);
	fp = fopen(path, "r");
	unlink(path);
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	return text;
}

/* The JSON finding record of sf, parsed; the caller puts it. */
static struct json_object *json_finding(const struct sink_finding *sf)
{
	struct json_object *o = json_tokener_parse(through_sink(true, sf));

	assert_non_null(o);
	return o;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void test_sinks_write_the_producer_fix(void **state)
{
	const char *fix = row_of("Python multiprocessing", SW_PRODUCER_NAME)->fix;
	struct sink_finding sf = { 0 };
	struct json_object *o;
	char want[512];

	start();
	shm_open_(3005, "/dev/shm/psm_0badcafe", 80);
	shm_map(3005, MAP_ADDR, 4096, 80, 4096);
	exit_(3005);
	sf.f = find_rule("shm-object-leak");
	assert_non_null(sf.f);

	o = json_finding(&sf);
	assert_non_null(json_str(o, "hint"));
	assert_string_equal(json_str(o, "hint"), fix);
	assert_non_null(json_str(o, "producer"));
	assert_string_equal(json_str(o, "producer"), "Python multiprocessing");
	json_object_put(o);

	snprintf(want, sizeof(want), "\n    hint (Python multiprocessing): %s\n", fix);
	assert_contains(through_sink(false, &sf), want);
}

/* A producer whose fix is for other rules is named in JSON; the text view
 * gives the advice unattributed. */
static void test_sinks_name_a_producer_without_its_fix(void **state)
{
	struct sink_finding sf = { 0 };
	struct json_object *o;
	char want[512];

	start();
	shm_open_(3009, "/dev/shm/torch_3009_42_1", 82);
	shm_map(3009, MAP_ADDR, 4096, 82, 4096);
	exit_(3009);
	sf.f = find_rule("shm-object-leak");
	assert_non_null(sf.f);
	o = json_finding(&sf);
	assert_string_equal(json_str(o, "producer"), "PyTorch");
	assert_string_equal(json_str(o, "hint"), sw_rules[SW_RULE_SHM_OBJECT_LEAK].advice);
	json_object_put(o);
	snprintf(want, sizeof(want), "\n    hint: %s\n", sw_rules[SW_RULE_SHM_OBJECT_LEAK].advice);
	assert_contains(through_sink(false, &sf), want);
}

static void test_sinks_write_the_rule_advice(void **state)
{
	const char *advice = sw_rules[SW_RULE_SEGMENT_LEAK].advice;
	struct sink_finding sf = { 0 };
	struct json_object *o;
	char want[512];

	start();
	shmget_(3006, IPC_PRIVATE_KEY, 65536, 18);
	exit_(3006);
	sf.f = find_rule("segment-leak");
	assert_non_null(sf.f);

	o = json_finding(&sf);
	assert_string_equal(json_str(o, "hint"), advice);
	/* Absent when unknown, not null or empty. */
	assert_null(json_str(o, "producer"));
	assert_false(json_object_object_get_ex(o, "producer", NULL));
	json_object_put(o);

	snprintf(want, sizeof(want), "\n    hint: %s\n", advice);
	assert_contains(through_sink(false, &sf), want);
}

/* Qt's xcb plugin is known by its library in the finding's stacks: its
 * IPC_PRIVATE segment has no name and its process no fixed comm. */
static void test_sinks_know_qt_xcb_by_module(void **state)
{
	static const struct sw_frame origin[] = {
		{ .ip = 0x7f0000001000, .module = "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  .function = "shmget" },
		{ .ip = 0x7f0000002000,
		  .module = "/usr/lib/x86_64-linux-gnu/libQt5XcbQpa.so.5.15.8" },
	};
	const char *fix = row_of("Qt xcb", SW_PRODUCER_MODULE)->fix;
	struct sink_finding sf = { 0 };
	struct json_object *o;
	char want[512];

	start();
	shmget_(3007, IPC_PRIVATE_KEY, 65536, 19);
	exit_(3007);
	sf.f = find_rule("segment-leak");
	assert_non_null(sf.f);
	assert_null(sf.f->producer);
	sf.origin = (struct sink_stack){ .frames = origin, .n = 2 };

	o = json_finding(&sf);
	assert_string_equal(json_str(o, "producer"), "Qt xcb");
	assert_string_equal(json_str(o, "hint"), fix);
	json_object_put(o);
	snprintf(want, sizeof(want), "\n    hint (Qt xcb): %s\n", fix);
	assert_contains(through_sink(false, &sf), want);

	/* Without the plugin in its stacks: the advice. */
	sf.origin.n = 1;
	o = json_finding(&sf);
	assert_false(json_object_object_get_ex(o, "producer", NULL));
	assert_string_equal(json_str(o, "hint"), sw_rules[SW_RULE_SEGMENT_LEAK].advice);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_pattern_language),
		T_(test_lookup_by_name),
		T_(test_lookup_by_comm_and_module),
		T_(test_rows_are_complete),
		T_(test_torch_object_leak_names_pytorch_keeps_advice),
		T_(test_python_object_leak_has_python_fix),
		T_(test_fixes_match_whole_rule_ids),
		T_(test_unknown_object_has_rule_advice),
		T_(test_segment_leak_has_rule_advice),
		T_(test_postgres_segment_by_comm),
		T_(test_name_before_comm),
		T_(test_sinks_write_the_producer_fix),
		T_(test_sinks_name_a_producer_without_its_fix),
		T_(test_sinks_write_the_rule_advice),
		T_(test_sinks_know_qt_xcb_by_module),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
