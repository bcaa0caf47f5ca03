// SPDX-License-Identifier: GPL-2.0
/*
 * jbuf.c - the JSON emitter behind jbuf.h.
 */
#include <stdlib.h>
#include <string.h>
#include "lib/digits.h"
#include "lib/names.h"
#include "lib/container_names.h"
#include "log/jbuf.h"

bool jbuf_grow(struct jbuf *b, size_t n)
{
	size_t cap;
	char *p;

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

void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->oom = false;
}

void jbuf_free(struct jbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static void put_char(struct jbuf *b, char c)
{
	if (jbuf_reserve(b, 1))
		b->p[b->len++] = c;
}

void json_obj_open(struct jbuf *b)
{
	json_separate(b);
	put_char(b, '{');
}

void json_obj_close(struct jbuf *b)
{
	put_char(b, '}');
}

void json_arr_open(struct jbuf *b)
{
	json_separate(b);
	put_char(b, '[');
}

void json_arr_close(struct jbuf *b)
{
	put_char(b, ']');
}

/* Printable ASCII that needs no escape: copied as a run. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
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

void json_str_elem(struct jbuf *b, const char *str, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max);

	json_separate(b);
	put_char(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;

		if (plain(c)) {
			for (len = 1; i + len < n && plain(s[i + len]); len++)
				;
			jbuf_raw(b, str + i, len);
			i += len;
		} else if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			jbuf_raw(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			jbuf_raw(b, esc, 6);
			i++;
		} else if ((len = utf8_len(s + i, n - i))) {
			jbuf_raw(b, (const char *)s + i, len);
			i += len;
		} else {
			jbuf_raw(b, "\\ufffd", 6);
			i++;
		}
	}
	put_char(b, '"');
}

static void put_udec(struct jbuf *b, __u64 v)
{
	char tmp[DIGITS_MAX], *d = digits_u64(tmp + sizeof(tmp), v);

	jbuf_raw(b, d, tmp + sizeof(tmp) - d);
}

void json_u64_elem(struct jbuf *b, __u64 v)
{
	json_separate(b);
	put_udec(b, v);
}

void json_s64_elem(struct jbuf *b, __s64 v)
{
	json_separate(b);
	if (v < 0) {
		put_char(b, '-');
		put_udec(b, -(__u64)v);
	} else {
		put_udec(b, (__u64)v);
	}
}

void json_bool_elem(struct jbuf *b, bool v)
{
	json_separate(b);
	if (v)
		jbuf_raw(b, "true", 4);
	else
		jbuf_raw(b, "false", 5);
}

void json_null_elem(struct jbuf *b)
{
	json_separate(b);
	jbuf_raw(b, "null", 4);
}

void json_obj_field_open(struct jbuf *b, const char *key)
{
	json_key(b, key);
	json_obj_open(b);
}

void json_arr_field_open(struct jbuf *b, const char *key)
{
	json_key(b, key);
	json_arr_open(b);
}

void json_str_field(struct jbuf *b, const char *key, const char *s, size_t max)
{
	json_key(b, key);
	json_str_elem(b, s, max);
}

void json_opt_str_field(struct jbuf *b, const char *key, const char *s, size_t max)
{
	json_key(b, key);
	if (s)
		json_str_elem(b, s, max);
	else
		json_null_elem(b);
}

void json_u64_field(struct jbuf *b, const char *key, __u64 v)
{
	json_key(b, key);
	json_u64_elem(b, v);
}

void json_opt_u64_field(struct jbuf *b, const char *key, __u64 v, bool present)
{
	json_key(b, key);
	if (present)
		json_u64_elem(b, v);
	else
		json_null_elem(b);
}

void json_s64_field(struct jbuf *b, const char *key, __s64 v)
{
	json_key(b, key);
	json_s64_elem(b, v);
}

void json_bool_field(struct jbuf *b, const char *key, bool v)
{
	json_key(b, key);
	json_bool_elem(b, v);
}

void json_null_field(struct jbuf *b, const char *key)
{
	json_key(b, key);
	json_null_elem(b);
}

void json_errno_field(struct jbuf *b, const char *key, __s64 ret)
{
	json_key(b, key);
	if (sw_ret_is_err(ret))
		json_str_elem(b, sw_errno_name((int)-ret), 32);
	else
		json_null_elem(b);
}

static void opt_str(struct jbuf *b, const char *key, const char *v, size_t max)
{
	if (v[0])
		json_str_field(b, key, v, max);
}

void json_container_field(struct jbuf *b, const char *key, const struct container_ref *c,
			  const struct container_names *n)
{
	json_obj_field_open(b, key);
	json_str_field(b, "runtime", container_runtime_name(c->runtime), 16);
	opt_str(b, "id", c->id, sizeof(c->id));
	/* The runtime's name for it, else a machine's from its cgroup. */
	if (n && n->name[0])
		json_str_field(b, "name", n->name, sizeof(n->name));
	else
		opt_str(b, "name", c->name, sizeof(c->name));
	if (n)
		opt_str(b, "image", n->image, sizeof(n->image));
	if (c->kubernetes) {
		json_str_field(b, "pod_uid", c->pod_uid, sizeof(c->pod_uid));
		json_str_field(b, "qos", container_qos_name(c->qos), 16);
	}
	if (n) {
		opt_str(b, "pod_name", n->pod_name, sizeof(n->pod_name));
		opt_str(b, "pod_namespace", n->pod_namespace, sizeof(n->pod_namespace));
		opt_str(b, "pod_container", n->k8s_container, sizeof(n->k8s_container));
	}
	json_obj_close(b);
}
