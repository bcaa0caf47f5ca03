// SPDX-License-Identifier: GPL-2.0
/*
 * jbuf.c - the JSON emitter behind jbuf.h.
 */
#include <stdlib.h>
#include <string.h>
#include "log/jbuf.h"

static bool reserve(struct jbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void jb_reset(struct jbuf *b)
{
	b->len = 0;
	b->oom = false;
}

void jb_free(struct jbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void jb_raw(struct jbuf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void jb_char(struct jbuf *b, char c)
{
	if (reserve(b, 1))
		b->p[b->len++] = c;
}

void jb_elem(struct jbuf *b)
{
	if (b->len && b->p[b->len - 1] != '{' && b->p[b->len - 1] != '[')
		jb_char(b, ',');
}

void jb_open(struct jbuf *b, char c)
{
	jb_char(b, c);
}

void jb_close(struct jbuf *b, char c)
{
	jb_char(b, c);
}

void jb_key(struct jbuf *b, const char *key)
{
	jb_elem(b);
	jb_char(b, '"');
	jb_raw(b, key, strlen(key));
	jb_raw(b, "\":", 2);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	__u32 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void jb_str(struct jbuf *b, const char *str, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max);

	jb_char(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			jb_raw(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			jb_raw(b, esc, 6);
			i++;
		} else if ((len = utf8_len(s + i, n - i))) {
			jb_raw(b, (const char *)s + i, len);
			i += len;
		} else {
			jb_raw(b, "\\ufffd", 6);
			i++;
		}
	}
	jb_char(b, '"');
}

static void jb_udec(struct jbuf *b, __u64 v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jb_raw(b, tmp + i, sizeof(tmp) - i);
}

void jb_u64(struct jbuf *b, __u64 v)
{
	jb_udec(b, v);
}

void jb_s64(struct jbuf *b, __s64 v)
{
	if (v < 0) {
		jb_char(b, '-');
		jb_udec(b, -(__u64)v);
	} else {
		jb_udec(b, (__u64)v);
	}
}

void jb_bool(struct jbuf *b, bool v)
{
	if (v)
		jb_raw(b, "true", 4);
	else
		jb_raw(b, "false", 5);
}

void jb_null(struct jbuf *b)
{
	jb_raw(b, "null", 4);
}
