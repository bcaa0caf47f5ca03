// SPDX-License-Identifier: GPL-2.0
/*
 * test_docs.c - the rule table is the single source: the README's rule
 * list and docs/rules.md must carry every rule's id, severity, summary
 * and advice exactly as the table has them; so is the table of known
 * producers, which docs/rules.md must list row by row.  Paths are relative to the
 * repository root (tests run from there) or to $SHMWATCH_SRC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "analyzer/analyzer.h"
#include "analyzer/producers.h"

static char *slurp(const char *name)
{
	const char *src = getenv("SHMWATCH_SRC");
	char path[4096];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("can't open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static const char *const severities[] = { "info", "warning", "error" };

static void test_readme_lists_every_rule(void **state)
{
	char *readme = slurp("README.md");
	char row[1024];

	assert_true(sw_rule_count >= 7);
	for (int i = 0; i < sw_rule_count; i++) {
		const struct sw_rule_info *r = &sw_rules[i];

		snprintf(row, sizeof(row), "| `%s` | %s | %s | %s |", r->id,
			 severities[r->severity], r->summary, r->advice);
		if (!strstr(readme, row))
			fail_msg("README.md lacks the row: %s", row);
	}
	free(readme);
}

static void test_rules_md_describes_every_rule(void **state)
{
	char *doc = slurp("docs/rules.md");
	char heading[256];

	for (int i = 0; i < sw_rule_count; i++) {
		const struct sw_rule_info *r = &sw_rules[i];

		snprintf(heading, sizeof(heading), "## `%s`", r->id);
		if (!strstr(doc, heading))
			fail_msg("docs/rules.md has no section %s", heading);
		if (!strstr(doc, r->summary))
			fail_msg("docs/rules.md does not say: %s", r->summary);
	}
	free(doc);
}

static void test_rules_md_lists_every_producer(void **state)
{
	static const char *const matches[] = {
		[SW_PRODUCER_NAME] = "name",
		[SW_PRODUCER_COMM] = "comm",
		[SW_PRODUCER_ARGS] = "command line",
		[SW_PRODUCER_MODULE] = "module",
	};
	char *doc = slurp("docs/rules.md");
	char row[1024];

	if (!strstr(doc, "## Known producers"))
		fail_msg("docs/rules.md has no section ## Known producers");
	assert_true(sw_producer_count > 0);
	for (int i = 0; i < sw_producer_count; i++) {
		const struct sw_producer *p = &sw_producers[i];

		char rules[256] = "every rule";

		if (p->rules) {
			const char *at = p->rules;
			size_t n = 0;

			/* "a b" is written "`a`, `b`" */
			rules[0] = '\0';
			while (*at && n < sizeof(rules) - 8) {
				size_t len = strcspn(at, " ");

				n += snprintf(rules + n, sizeof(rules) - n, "%s`%.*s`",
					      n ? ", " : "", (int)len, at);
				at += len;
				at += strspn(at, " ");
			}
		}
		snprintf(row, sizeof(row), "| `%s` | %s | %s | %s | %s | %s |", p->pattern,
			 matches[p->match], p->producer, p->what, p->fix, rules);
		if (!strstr(doc, row))
			fail_msg("docs/rules.md lacks the producer row: %s", row);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_lists_every_rule),
		cmocka_unit_test(test_rules_md_describes_every_rule),
		cmocka_unit_test(test_rules_md_lists_every_producer),
	};

	return cmocka_run_group_tests_name("docs", tests, NULL, NULL);
}
