// SPDX-License-Identifier: GPL-2.0
/*
 * test_jbuf.c - the JSON emitter (user/log/jbuf.c): every value and field
 * helper, the commas it places, string escaping, and reuse of a buffer.
 * Whether json-c accepts every escaped byte is checked in test_logread.c
 * with the reader's own parser.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "log/jbuf.h"

static void assert_json(struct jbuf *b, const char *want)
{
	assert_false(b->oom);
	if (b->len != strlen(want) || memcmp(b->p, want, b->len))
		fail_msg("wrote %.*s\nexpected %s", (int)b->len, b->p, want);
	jbuf_reset(b);
}

static void test_field_helpers(void **state)
{
	struct jbuf b = {0};

	json_obj_open(&b);
	json_str_field(&b, "s", "text", 16);
	json_opt_str_field(&b, "some", "x", 16);
	json_opt_str_field(&b, "none", NULL, 16);
	json_u64_field(&b, "u", UINT64_MAX);
	json_opt_u64_field(&b, "at", 0, true);
	json_opt_u64_field(&b, "gone", 5, false);
	json_s64_field(&b, "neg", INT64_MIN);
	json_s64_field(&b, "pos", 42);
	json_bool_field(&b, "t", true);
	json_bool_field(&b, "f", false);
	json_null_field(&b, "n");
	json_errno_field(&b, "err", -ENOMEM);
	json_errno_field(&b, "ok", 3);
	json_obj_close(&b);
	assert_json(&b, "{\"s\":\"text\",\"some\":\"x\",\"none\":null,\"u\":18446744073709551615,"
			"\"at\":0,\"gone\":null,\"neg\":-9223372036854775808,\"pos\":42,"
			"\"t\":true,\"f\":false,\"n\":null,\"err\":\"ENOMEM\",\"ok\":null}");
	jbuf_free(&b);
}

/* Commas between members and elements, none after an opener or a key. */
static void test_nesting_and_commas(void **state)
{
	struct jbuf b = {0};

	json_obj_open(&b);
	json_obj_field_open(&b, "empty");
	json_obj_close(&b);
	json_arr_field_open(&b, "a");
	json_u64_elem(&b, 1);
	json_s64_elem(&b, -2);
	json_str_elem(&b, "three", 8);
	json_bool_elem(&b, true);
	json_null_elem(&b);
	json_obj_open(&b);
	json_u64_field(&b, "k", 0);
	json_obj_close(&b);
	json_obj_open(&b);
	json_obj_close(&b);
	json_arr_open(&b);
	json_arr_close(&b);
	json_arr_close(&b);
	json_key(&b, "v");
	json_u64_elem(&b, 7);
	json_arr_field_open(&b, "none");
	json_arr_close(&b);
	json_obj_close(&b);
	assert_json(&b, "{\"empty\":{},\"a\":[1,-2,\"three\",true,null,{\"k\":0},{},[]],\"v\":7,"
			"\"none\":[]}");
	jbuf_free(&b);
}

/* A reset buffer starts a new document: no comma in front. */
static void test_reset_starts_over(void **state)
{
	struct jbuf b = {0};

	json_u64_elem(&b, 1);
	json_u64_elem(&b, 2);
	assert_json(&b, "1,2");
	json_obj_open(&b);
	json_obj_close(&b);
	assert_json(&b, "{}");
	jbuf_raw(&b, "raw", 3);
	assert_json(&b, "raw");
	jbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void check_str(const char *in, size_t max, const char *want)
{
	struct jbuf b = {0};

	json_str_elem(&b, in, max);
	assert_json(&b, want);
	jbuf_free(&b);
}

static void test_escaping(void **state)
{
	check_str("plain", 64, "\"plain\"");
	check_str("", 64, "\"\"");
	check_str("q\"b\\", 64, "\"q\\\"b\\\\\"");
	check_str("\n\t\x01\x1f\x7f", 64, "\"\\u000a\\u0009\\u0001\\u001f\\u007f\"");
	check_str("\033[31m", 64, "\"\\u001b[31m\"");
	check_str("h\xc3\xa9", 64, "\"h\xc3\xa9\"");
	check_str("\xe2\x82\xac\xf0\x9d\x84\x9e", 64, "\"\xe2\x82\xac\xf0\x9d\x84\x9e\"");
	/* Not UTF-8: each bad byte is U+FFFD. */
	check_str("a\xff", 64, "\"a\\ufffd\"");
	check_str("\xc0\xaf", 64, "\"\\ufffd\\ufffd\"");
	check_str("\xed\xa0\x80", 64, "\"\\ufffd\\ufffd\\ufffd\"");
	/* max cuts the input, even inside a sequence; a NUL ends it. */
	check_str("abcdef", 3, "\"abc\"");
	check_str("\xc3\xa9", 1, "\"\\ufffd\"");
	check_str("ab\0cd", 64, "\"ab\"");
}

/* Integers, written two digits at a time, as printf writes them: every
 * number below 100,000 and the edges of each width. */
static void test_integers(void **state)
{
	static const __u64 edges[] = { 999999, 1000000, 4294967295ULL, 4294967296ULL,
				       9999999999999999999ULL, 10000000000000000000ULL,
				       UINT64_MAX };
	struct jbuf b = {0};
	char want[32];

	for (__u64 v = 0; v < 100000; v++) {
		jbuf_reset(&b);
		json_u64_elem(&b, v);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.p, want, b.len);
	}
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		jbuf_reset(&b);
		json_u64_elem(&b, edges[i]);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)edges[i]);
		assert_json(&b, want);
		jbuf_reset(&b);
		json_s64_elem(&b, -(__s64)(edges[i] >> 1));
		snprintf(want, sizeof(want), "%lld", -(long long)(edges[i] >> 1));
		assert_json(&b, want);
	}
	jbuf_free(&b);
}

/* Keys are the writer's own and go out as they are. */
static void test_keys_as_given(void **state)
{
	struct jbuf b = {0};

	json_obj_open(&b);
	json_u64_field(&b, "memfd_create", 1);
	json_obj_close(&b);
	assert_json(&b, "{\"memfd_create\":1}");
	jbuf_free(&b);
}

/* A line longer than the first allocation grows the buffer. */
static void test_grows(void **state)
{
	struct jbuf b = {0};
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_str_elem(&b, big, sizeof(big));
	assert_false(b.oom);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_true(b.cap >= b.len);
	jbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_field_helpers),     cmocka_unit_test(test_nesting_and_commas),
	    cmocka_unit_test(test_reset_starts_over), cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_keys_as_given),     cmocka_unit_test(test_grows),
	    cmocka_unit_test(test_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
