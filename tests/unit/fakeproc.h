/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fakeproc.h - for unit tests that build a /proc tree of their own in a
 * temporary directory and hand its path to the code as its proc root.
 * Include after <cmocka.h>.
 */
#ifndef SW_TESTS_FAKEPROC_H
#define SW_TESTS_FAKEPROC_H

#include <stdio.h>

/* Write text to root/rel (the directories must exist). */
static inline void fakeproc_write(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif
