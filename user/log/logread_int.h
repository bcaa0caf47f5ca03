/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logread_int.h - what the log reader's files share and nothing else
 * includes: the reader's state, the results of parsing a line, and the
 * typed field getters (logread_fields.c) that the record parser
 * (logread_records.c) is written with.
 */
#ifndef SHMWATCH_LOGREAD_INT_H
#define SHMWATCH_LOGREAD_INT_H

#include <json-c/json.h>
#include "log/jval.h"
#include "log/linesrc.h"
#include "log/logread.h"

#define MAX_UNKNOWN_NAMES 32

struct logread {
	struct linesrc *src;
	char *name;
	struct logread_opts opts;
	struct logread_counts counts;
	unsigned long line;
	char *buf; /* the line being parsed, from src */
	struct jparser *jp;
	struct json_tokener *tok;
	char err[256];
	/* The line, read by json-c, holds an integer literal json-c clamped
	 * to 2^64-1 (high) or to -2^63 (low): such a value read from it is
	 * out of range.  (simdjson refuses such a line; json-c reads it.) */
	bool clamped_high;
	bool clamped_low;
	bool warned_schema;
	bool reported_empty;
	/* Names already warned about, so each unknown one is reported once. */
	char *unknown[MAX_UNKNOWN_NAMES];
	int n_unknown;
	/* What the last header's pointers point to. */
	char version[32];
	char mode[16];
	char events[16];
	char *command;
	__u32 *pids;
	/* Strings of the last event's stack frames. */
	char frame_strs[3 * SW_MAX_FRAMES * 256];
	size_t frame_used;
};

/* Results of parsing one line, besides 0 for a record. */
enum {
	BAD_LINE = 1, /* malformed; r->err says why */
	BAD_JSON,     /* not even JSON: maybe the writer was cut off */
	UNKNOWN_NAME, /* a record type or event this version does not know */
};

/* Getters return 0, -ENOENT for an absent optional field, or BAD_LINE:
 * only the last stops the parse. */
#define TRY(expr)                                                                                  \
	do {                                                                                       \
		int _ret = (expr);                                                                 \
		if (_ret > 0)                                                                      \
			return _ret;                                                               \
	} while (0)

/* The reader's diagnostics: "file:line: msg", or through opts.diag. */
void logread_diag(struct logread *r, unsigned long line, bool warning, const char *fmt, ...);
int logread_bad(struct logread *r, const char *fmt, ...);
void logread_copy_str(char *dst, size_t size, struct jval *v);
int logread_member(struct logread *r, struct jval *o, const char *where, const char *key,
		   enum jtype t, bool required, struct jval *out);
int logread_get_uint(struct logread *r, struct jval *o, const char *where, const char *key,
		     bool required, __u64 max, __u64 *out);
int logread_get_u64(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __u64 *out);
int logread_get_u32(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __u32 *out);
int logread_get_int(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __s64 min, __s64 max, __s64 *out);
int logread_get_s32(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __s32 *out);
int logread_get_bool(struct logread *r, struct jval *o, const char *where, const char *key,
		     bool required, bool *out);
int logread_get_str(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, char *buf, size_t size);
int logread_unknown(struct logread *r, const char *what, const char *name);
bool logread_null_member(struct jval *o, const char *key);
int logread_check_numbers(struct logread *r, const char *s, size_t len);

/* One record from a line's JSON object into rec (zeroed): 0, BAD_LINE,
 * or UNKNOWN_NAME for a record type or event this version does not know. */
int logread_parse_record(struct logread *r, struct jval *o, struct log_record *rec);

#endif
