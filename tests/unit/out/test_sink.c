// SPDX-License-Identifier: GPL-2.0
/*
 * test_sink.c - what every sink shares (out/sink.c): the wall-clock time
 * of a record, which keeps the date and time of the last second it wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "out/sink.h"

/* The time as gmtime_r and a formatted print give it. */
static void reference(char *buf, size_t len, __u64 ts_ns, __s64 wall_offset_ns)
{
	__s64 wall = (__s64)ts_ns + wall_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(wall % 1000000000));
}

static void test_format_ts(void **state)
{
	/* A monotonic clock and the offset of a real run, then times that
	 * step across seconds, a day, a year, stay in one second, and go
	 * back (logs analysed one after another). */
	static const __s64 offset = 1796652470163010792LL;
	static const __u64 ts[] = {
		37027193694929ULL, 37027193694930ULL, 37027999999999ULL, 37028000000000ULL,
		37028000000001ULL, 37027193694929ULL, 0,		  1,
		86399999999999ULL, 86400000000000ULL, 31535999999999999ULL,
	};
	char got[48], want[48];

	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		sink_format_ts(got, sizeof(got), ts[i], offset);
		reference(want, sizeof(want), ts[i], offset);
		assert_string_equal(got, want);
		sink_format_ts(got, sizeof(got), ts[i], 0);
		reference(want, sizeof(want), ts[i], 0);
		assert_string_equal(got, want);
	}
	/* A short buffer gets what fits, NUL-ended. */
	sink_format_ts(got, 11, 37027193694929ULL, offset);
	reference(want, 11, 37027193694929ULL, offset);
	assert_string_equal(got, want);
	assert_int_equal(strlen(got), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_ts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
