// SPDX-License-Identifier: GPL-2.0
/*
 * logread_fields.c - the log reader's typed field getters: each checks
 * that a member is there (when required), has its JSON type and fits its
 * range, and says so in r->err when not; plus the reader's diagnostics,
 * once-only warnings for unknown names, and json-c's integer blind spots.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/names.h"
#include "log/logread_int.h"

void logread_diag(struct logread *r, unsigned long line, bool warning, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->opts.diag)
		r->opts.diag(r->opts.ctx, r->name, line, warning, msg);
	else if (line)
		fprintf(stderr, "%s:%lu: %s\n", r->name, line, msg);
	else
		fprintf(stderr, "%s: %s\n", r->name, msg);
}

int logread_bad(struct logread *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return BAD_LINE;
}

/*
 * Copy a JSON string into a fixed field, cut at a character boundary so
 * that a long name does not end in half a UTF-8 sequence.
 */
void logread_copy_str(char *dst, size_t size, struct jval *v)
{
	size_t len;
	const char *s = jval_str(v, &len);
	size_t n = strnlen(s, len);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * The member key of o with type t: 0 when found, -ENOENT when absent and
 * not required, BAD_LINE otherwise.  where names the enclosing object in
 * messages ("args.shmflg").
 */
int logread_member(struct logread *r, struct jval *o, const char *where, const char *key,
		   enum jtype t, bool required, struct jval *out)
{
	struct jval v;

	if (!jval_member(o, key, &v)) {
		if (!required)
			return -ENOENT;
		return logread_bad(r, "\"%s%s%s\" is missing", where, *where ? "." : "", key);
	}
	if (jval_type(&v) != t)
		return logread_bad(r, "\"%s%s%s\" should be %s, not %s", where, *where ? "." : "",
				   key, t == JT_INT ? "an integer" : jtype_name(t),
				   jtype_name(jval_type(&v)));
	*out = v;
	return 0;
}

/* An unsigned integer no larger than max. */
int logread_get_uint(struct logread *r, struct jval *o, const char *where, const char *key,
		     bool required, __u64 max, __u64 *out)
{
	struct jval v;
	int ret = logread_member(r, o, where, key, JT_INT, required, &v);
	__u64 u;

	if (ret)
		return ret;
	u = jval_uint64(&v);
	if (jval_int64(&v) < 0 || u > max || (u == UINT64_MAX && r->clamped_high))
		return logread_bad(r, "\"%s%s%s\" is out of range", where, *where ? "." : "", key);
	*out = u;
	return 0;
}

int logread_get_u64(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __u64 *out)
{
	return logread_get_uint(r, o, where, key, required, UINT64_MAX, out);
}

int logread_get_u32(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __u32 *out)
{
	__u64 v = *out; /* kept when an optional member is absent */
	int ret = logread_get_uint(r, o, where, key, required, UINT32_MAX, &v);

	if (!ret)
		*out = (__u32)v;
	return ret;
}

/* A signed integer within [min, max]. */
int logread_get_int(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __s64 min, __s64 max, __s64 *out)
{
	struct jval v;
	int ret = logread_member(r, o, where, key, JT_INT, required, &v);
	__s64 s;

	if (ret)
		return ret;
	s = jval_int64(&v);
	/* Values past INT64_MAX are kept as unsigned; jval_int64 clamps. */
	if (s < min || s > max || (s == INT64_MAX && jval_uint64(&v) > INT64_MAX) ||
	    (s == INT64_MIN && r->clamped_low))
		return logread_bad(r, "\"%s%s%s\" is out of range", where, *where ? "." : "", key);
	*out = s;
	return 0;
}

int logread_get_s32(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, __s32 *out)
{
	__s64 v = 0;
	int ret = logread_get_int(r, o, where, key, required, INT32_MIN, INT32_MAX, &v);

	if (!ret)
		*out = (__s32)v;
	return ret;
}

int logread_get_bool(struct logread *r, struct jval *o, const char *where, const char *key,
		     bool required, bool *out)
{
	struct jval v;
	int ret = logread_member(r, o, where, key, JT_BOOL, required, &v);

	if (!ret)
		*out = jval_bool(&v);
	return ret;
}

int logread_get_str(struct logread *r, struct jval *o, const char *where, const char *key,
		    bool required, char *buf, size_t size)
{
	struct jval v;
	int ret = logread_member(r, o, where, key, JT_STRING, required, &v);

	if (!ret)
		logread_copy_str(buf, size, &v);
	return ret;
}

/* Has this unknown name been warned about?  Remembers it if not. */
static bool seen_unknown(struct logread *r, const char *what, const char *name)
{
	char key[96];

	snprintf(key, sizeof(key), "%s %s", what, name);
	for (int i = 0; i < r->n_unknown; i++)
		if (!strcmp(r->unknown[i], key))
			return true;
	/* Past the table's end every further name is reported; a log with
	 * that many unknown names is better told loudly. */
	if (r->n_unknown < MAX_UNKNOWN_NAMES) {
		char *copy = strdup(key);

		if (copy)
			r->unknown[r->n_unknown++] = copy;
	}
	return false;
}

/*
 * At most max bytes of s for a diagnostic: printable ASCII as is, the
 * rest as \xHH, and backslash and quote escaped.  A log is untrusted
 * input, and its text must not reach a terminal as control sequences.
 */
static void escape_text(char *dst, size_t size, const char *s, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < max && s[i] && n + 5 <= size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			n += (size_t)snprintf(dst + n, size - n, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			dst[n++] = (char)c;
		else
			n += (size_t)snprintf(dst + n, size - n, "\\x%02x", c);
	}
	dst[n] = '\0';
}

int logread_unknown(struct logread *r, const char *what, const char *name)
{
	char shown[4 * 40 + 1];

	if (seen_unknown(r, what, name)) {
		r->err[0] = '\0';
		return UNKNOWN_NAME;
	}
	escape_text(shown, sizeof(shown), name, 40);
	snprintf(r->err, sizeof(r->err),
		 "unknown %s \"%s\" (from a newer shmwatch?), skipped; further ones silently", what,
		 shown);
	return UNKNOWN_NAME;
}

bool logread_null_member(struct jval *o, const char *key)
{
	struct jval v;

	return jval_member(o, key, &v) && jval_type(&v) == JT_NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does the integer literal of n digits (no sign, no leading zero) fit a
 * 64-bit integer: unsigned, or signed when it is negative? */
static bool fits_64_bits(const char *digits, size_t n, bool negative)
{
	const char *limit = negative ? "9223372036854775808" : "18446744073709551615";
	size_t len = strlen(limit);

	return n < len || (n == len && memcmp(digits, limit, len) <= 0);
}

/* The index of the closing quote of the string that opens at s[i]. */
static size_t string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i;
}

/*
 * json-c reads an integer with strtoll/strtoull and keeps the clamped
 * value without an error, and it takes "-01" and "00", which JSON does
 * not allow.  So the numbers of a line json-c accepted are looked at in
 * its text: a leading zero makes the line malformed, and an integer
 * beyond 64 bits sets clamped_high or clamped_low for the getters.
 */
int logread_check_numbers(struct logread *r, const char *s, size_t len)
{
	r->clamped_high = r->clamped_low = false;
	for (size_t i = 0; i < len; i++) {
		size_t start = i, digits, n;
		bool negative;

		if (s[i] == '"') {
			i = string_end(s, len, i);
			continue;
		}
		if (s[i] != '-' && !is_digit(s[i]))
			continue;
		negative = s[i] == '-';
		if (negative)
			i++;
		digits = i;
		while (i < len && is_digit(s[i]))
			i++;
		n = i - digits;
		if (n > 1 && s[digits] == '0')
			return logread_bad(r, "not JSON: a number with a leading zero at byte %zu",
					   start + 1);
		if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
			/* A double: integer fields refuse it by its type. */
			while (i < len && (is_digit(s[i]) || strchr(".eE+-", s[i])))
				i++;
		} else if (n && !fits_64_bits(s + digits, n, negative)) {
			if (negative)
				r->clamped_low = true;
			else
				r->clamped_high = true;
		}
		i--;
	}
	return 0;
}
