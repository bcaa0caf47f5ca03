/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jval.h - a parsed log line's JSON values, seen the same way whichever
 * library parsed the line (jval.cc).
 *
 * simdjson reads a line about ten times faster than json-c; json-c reads
 * what simdjson refuses to: a number beyond 64 bits, which is valid JSON
 * and may sit in a field from a newer writer that nobody reads, and it
 * says where a line that is not JSON goes wrong.  So the reader asks
 * simdjson first and json-c only for a line simdjson refused, and the
 * record parser is written once, against this interface.
 *
 * A value stays valid until its parser reads the next line (simdjson) or
 * until the json-c object it came from is put.
 */
#ifndef SHMWATCH_JVAL_H
#define SHMWATCH_JVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* The JSON types, named in messages as json-c names them. */
enum jtype { JT_NULL, JT_BOOL, JT_DOUBLE, JT_INT, JT_OBJECT, JT_ARRAY, JT_STRING };

/* One value: which library's, its handle in that library, and for an
 * object, where the last member was found and the set of its keys (made
 * at the first look-up; jval.cc). */
struct jval {
	uint64_t priv[2];
	uint64_t hint[2];
	uint64_t keys;
	int lib;
};

/* A walk over an array's elements or an object's members. */
struct jiter {
	uint64_t priv[4];
	int lib;
};

/* simdjson's parser, with its own copy of the line (simdjson reads a
 * little past the end of its input). */
struct jparser;

struct jparser *jparser__new(void);
void jparser__free(struct jparser *p);
/* 0 with *root set, 1 when simdjson refuses the text, -ENOMEM. */
int jparser__parse(struct jparser *p, const char *s, size_t len, struct jval *root);

/* A json-c object (NULL is JSON null) as a value. */
void jval_from_json_c(struct jval *v, struct json_object *o);

enum jtype jval_type(const struct jval *v);
const char *jtype_name(enum jtype t);
/* Member key of an object: false when absent (or v is not an object).
 * The search starts after the member found last, so that members read in
 * the order they were written cost one comparison each, and an absent
 * one is mostly told without a search; of a key given
 * twice (no writer does), json-c's line gives the last, simdjson's the
 * first one after the last member read. */
bool jval_member(struct jval *v, const char *key, struct jval *out);
/* An integer, as json-c gives it: signed, clamped to INT64_MAX for one
 * above it, and unsigned, 0 for a negative one. */
int64_t jval_int64(const struct jval *v);
uint64_t jval_uint64(const struct jval *v);
bool jval_bool(const struct jval *v);
/* A string, NUL-ended, and its length (it may hold a NUL of its own). */
const char *jval_str(const struct jval *v, size_t *len);
/* Elements of an array, members of an object. */
size_t jval_len(const struct jval *v);

void jval_iter(const struct jval *v, struct jiter *it);
/* The next element or member (its key in *key, NULL for an array's):
 * false at the end. */
bool jiter_next(struct jiter *it, struct jval *out, const char **key);

#ifdef __cplusplus
}
#endif

#endif
