/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jbuf.h - a small append-only JSON emitter into a reusable buffer, one
 * call per value or per "key":value member, so that a writer reads like
 * the schema it writes.  Writing is the hot path of logging, so it
 * formats by hand; parsing (logread.c) uses simdjson and json-c.  Strings are escaped
 * so that any bytes a traced process controls (comm, names) come out as
 * valid JSON.
 *
 * Commas are implicit: every value and member placed right after another
 * one gets one.  Nothing checks nesting; the writer's structure does.
 */
#ifndef SHMWATCH_JBUF_H
#define SHMWATCH_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom; /* an allocation failed: the buffer's text is incomplete */
};

/* The slow path of jbuf_reserve: a bigger buffer. */
bool jbuf_grow(struct jbuf *b, size_t n);
void jbuf_reset(struct jbuf *b);
void jbuf_free(struct jbuf *b);

/*
 * What every value and key does, inline: a record writes some fifty of
 * them, and as calls (a reserve, a memcpy of a byte) they were the most
 * of the consumer's time (docs/performance.md).
 */

/* Room for n more bytes; false (and oom set) when it cannot be had. */
static inline bool jbuf_reserve(struct jbuf *b, size_t n)
{
	return b->len + n <= b->cap || jbuf_grow(b, n);
}

/* Bytes as they are, no separator. */
static inline void jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	if (!jbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* A value or member that follows another one needs a comma first. */
static inline void json_separate(struct jbuf *b)
{
	char last = b->len ? b->p[b->len - 1] : '{';

	if (last != '{' && last != '[' && last != ':' && jbuf_reserve(b, 1))
		b->p[b->len++] = ',';
}

/* Values: array elements, or a member's value after json_key(). */
void json_obj_open(struct jbuf *b);
void json_obj_close(struct jbuf *b);
void json_arr_open(struct jbuf *b);
void json_arr_close(struct jbuf *b);
/* A string of at most max bytes (stops at NUL), escaped; bytes that are
 * not valid UTF-8 become U+FFFD. */
void json_str_elem(struct jbuf *b, const char *s, size_t max);
void json_u64_elem(struct jbuf *b, __u64 v);
void json_s64_elem(struct jbuf *b, __s64 v);
void json_bool_elem(struct jbuf *b, bool v);
void json_null_elem(struct jbuf *b);

/* Members: "key": and its value.  Keys are the writer's own, not
 * escaped. */
static inline void json_key(struct jbuf *b, const char *key)
{
	size_t n = strlen(key);

	json_separate(b);
	if (!jbuf_reserve(b, n + 3))
		return;
	b->p[b->len++] = '"';
	memcpy(b->p + b->len, key, n);
	b->len += n;
	b->p[b->len++] = '"';
	b->p[b->len++] = ':';
}
void json_obj_field_open(struct jbuf *b, const char *key); /* "key":{ */
void json_arr_field_open(struct jbuf *b, const char *key); /* "key":[ */
void json_str_field(struct jbuf *b, const char *key, const char *s, size_t max);
/* The string, or null when s is NULL. */
void json_opt_str_field(struct jbuf *b, const char *key, const char *s, size_t max);
void json_u64_field(struct jbuf *b, const char *key, __u64 v);
/* v when present, else null. */
void json_opt_u64_field(struct jbuf *b, const char *key, __u64 v, bool present);
void json_s64_field(struct jbuf *b, const char *key, __s64 v);
void json_bool_field(struct jbuf *b, const char *key, bool v);
void json_null_field(struct jbuf *b, const char *key);
/* The errno name of a call's return value ("ENOMEM"), null when it did
 * not fail. */
void json_errno_field(struct jbuf *b, const char *key, __s64 ret);

/*
 * A container as every record that names one writes it (docs/events.md):
 * key: {"runtime", "id", and the names known: "name", "image", and for a
 * Kubernetes pod "pod_uid", "qos", "pod_name", "pod_namespace",
 * "pod_container"}.  names may be NULL (shmwatch ls reads none).
 */
struct container_ref;
struct container_names;
void json_container_field(struct jbuf *b, const char *key, const struct container_ref *c,
			  const struct container_names *names);

#endif
