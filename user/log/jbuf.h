/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jbuf.h - a small append-only JSON emitter into a reusable buffer.
 * Writing is the hot path of logging, so it formats by hand; parsing
 * (logread.c) uses json-c.  Strings are escaped so that any bytes a
 * traced process controls (comm, names) come out as valid JSON.
 */
#ifndef SHMWATCH_JBUF_H
#define SHMWATCH_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void jb_reset(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_raw(struct jbuf *b, const char *s, size_t n);
/* '{' / '[' and their closers; jb_key adds the comma between members. */
void jb_open(struct jbuf *b, char c);
void jb_close(struct jbuf *b, char c);
void jb_key(struct jbuf *b, const char *key);
/* A string value of at most max bytes (stops at NUL), escaped; bytes that
 * are not valid UTF-8 become U+FFFD. */
void jb_str(struct jbuf *b, const char *s, size_t max);
void jb_u64(struct jbuf *b, __u64 v);
void jb_s64(struct jbuf *b, __s64 v);
void jb_bool(struct jbuf *b, bool v);
void jb_null(struct jbuf *b);
/* An array element separator when needed. */
void jb_elem(struct jbuf *b);

#endif
