// SPDX-License-Identifier: GPL-2.0
/*
 * logread.c - the NDJSON log reader behind logread.h: the reader object,
 * its lines (from linesrc.c) parsed by simdjson or json-c (jval.h), each
 * object handed to the record parser (logread_records.c), and what goes
 * wrong with a line counted and reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log/logread_int.h"

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* A line simdjson refused, read by json-c: why it is not JSON, or a line
 * simdjson cannot read (a number beyond 64 bits) parsed into rec. */
static int parse_line_json_c(struct logread *r, size_t len, struct log_record *rec)
{
	enum json_tokener_error jerr;
	struct json_object *o;
	struct jval root;
	size_t end;
	int ret;

	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, r->buf, (int)len);
	jerr = json_tokener_get_error(r->tok);
	if (!o) {
		snprintf(r->err, sizeof(r->err), "not JSON: %s at byte %zu",
			 jerr == json_tokener_continue ? "unexpected end of line" :
							 json_tokener_error_desc(jerr),
			 json_tokener_get_parse_end(r->tok) + 1);
		return BAD_JSON;
	}
	end = json_tokener_get_parse_end(r->tok);
	jval_from_json_c(&root, o);
	if (!is_blank(r->buf + end, len - end)) {
		ret = logread_bad(r, "text after the JSON object at byte %zu", end + 1);
	} else if (!json_object_is_type(o, json_type_object)) {
		ret = logread_bad(r, "a record must be a JSON object, not %s",
				  jtype_name(jval_type(&root)));
	} else if (!(ret = logread_check_numbers(r, r->buf, end))) {
		memset(rec, 0, sizeof(*rec));
		ret = logread_parse_record(r, &root, rec);
	}
	json_object_put(o);
	return ret;
}

/* Parse one line into rec: 0, or one of the BAD_* / UNKNOWN_NAME results,
 * or a negative errno.  simdjson reads it, or json-c when simdjson will
 * not (jval.h says why both). */
static int parse_line(struct logread *r, size_t len, struct log_record *rec)
{
	struct jval root;
	int ret;

	if (memchr(r->buf, '\0', len)) {
		snprintf(r->err, sizeof(r->err), "NUL byte in the line");
		return BAD_JSON;
	}
	ret = jparser__parse(r->jp, r->buf, len, &root);
	if (ret < 0)
		return ret;
	if (ret)
		return parse_line_json_c(r, len, rec);
	if (jval_type(&root) != JT_OBJECT)
		return logread_bad(r, "a record must be a JSON object, not %s",
				   jtype_name(jval_type(&root)));
	r->clamped_high = r->clamped_low = false;
	memset(rec, 0, sizeof(*rec));
	return logread_parse_record(r, &root, rec);
}

/* A bad line: reported, counted; true when reading must stop. */
static bool skip_bad(struct logread *r)
{
	r->counts.skipped++;
	r->counts.malformed++;
	logread_diag(r, r->line, false, "%s", r->err);
	return r->opts.strict;
}

/* At the end: a log with nothing in it is worth a word, once. */
static void report_empty(struct logread *r)
{
	if (r->counts.records || r->counts.skipped || r->reported_empty)
		return;
	r->reported_empty = true;
	logread_diag(r, 0, true, "empty log: no records");
}

int logread__next(struct logread *r, struct log_record *rec)
{
	bool newline;
	size_t len = 0;
	int ret;

	for (;;) {
		ret = linesrc__read(r->src, &r->buf, &len, &newline);
		if (ret == LINESRC_EOF) {
			report_empty(r);
			return 0;
		}
		if (ret < 0)
			return ret;
		r->line++;
		r->counts.lines++;
		if (ret == LINESRC_ENDLESS) {
			r->counts.skipped++;
			r->counts.oversized++;
			logread_diag(r, r->line, false, "not an NDJSON log: no newline in %d MiB",
			     LOGREAD_MAX_RUN >> 20);
			return -EBADMSG;
		}
		if (ret == LINESRC_TOO_LONG) {
			r->counts.skipped++;
			r->counts.oversized++;
			logread_diag(r, r->line, false, "line longer than %d bytes, skipped",
			     LOGREAD_MAX_LINE);
			if (r->opts.strict)
				return -EBADMSG;
			continue;
		}
		if (is_blank(r->buf, len))
			continue;
		ret = parse_line(r, len, rec);
		if (ret < 0)
			return ret;
		switch (ret) {
		case 0:
			rec->line = r->line;
			r->counts.records++;
			return 1;
		case BAD_JSON:
			/* What a writer killed mid-line leaves: expected, not damage. */
			if (!newline) {
				r->counts.skipped++;
				r->counts.truncated++;
				logread_diag(r, r->line, true, "truncated last line (writer stopped?), ignored");
				return 0;
			}
			/* fallthrough */
		case BAD_LINE:
			if (skip_bad(r))
				return -EBADMSG;
			break;
		case UNKNOWN_NAME:
			r->counts.skipped++;
			r->counts.unknown++;
			if (r->err[0])
				logread_diag(r, r->line, true, "%s", r->err);
			break;
		}
	}
}

/* Everything but the input: NULL with errno set. */
static struct logread *logread_alloc(const char *name, const struct logread_opts *opts)
{
	struct logread *r = calloc(1, sizeof(*r));

	if (!r)
		goto nomem;
	if (opts)
		r->opts = *opts;
	r->jp = jparser__new();
	r->tok = json_tokener_new();
	r->name = strdup(name);
	if (!r->jp || !r->tok || !r->name)
		goto nomem;
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	return r;
nomem:
	logread__free(r);
	errno = ENOMEM;
	return NULL;
}

/* What the line source says goes out as the reader's diagnostics. */
static void on_report(void *ctx, enum linesrc_report what, unsigned long line, const char *msg)
{
	struct logread *r = ctx;

	if (what == LINESRC_CUT) {
		r->counts.skipped++;
		r->counts.truncated++;
	}
	logread_diag(r, line, what != LINESRC_ERROR, "%s", msg);
}

/* Take r with the input open, or free it: r, or NULL with errno set. */
static struct logread *opened(struct logread *r, FILE *f, int fd, bool is_path)
{
	struct linesrc_opts lo = {
		.name = r->name,
		.is_path = is_path,
		.report = on_report,
		.ctx = r,
	};
	int ret = fd < 0 && !f ? fd : linesrc__open(&r->src, f, fd, is_path, &lo);

	if (!ret)
		return r;
	logread__free(r);
	errno = -ret;
	return NULL;
}

struct logread *logread__open_stream(FILE *f, const char *name, const struct logread_opts *opts)
{
	struct logread *r = logread_alloc(name, opts);

	if (!r)
		return NULL;
	return opened(r, f, -1, false);
}

struct logread *logread__open(const char *path, const struct logread_opts *opts)
{
	bool is_stdin = !strcmp(path, "-");
	struct logread *r = logread_alloc(is_stdin ? "<stdin>" : path, opts);
	int fd;

	if (!r)
		return NULL;
	if (is_stdin)
		return opened(r, NULL, STDIN_FILENO, false);
	/* O_NOCTTY: a terminal named here is refused, not adopted. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return opened(r, NULL, fd < 0 ? -errno : fd, true);
}

const struct logread_counts *logread__counts(const struct logread *r)
{
	return &r->counts;
}

void logread__progress(const struct logread *r, __u64 *bytes_read, __u64 *size)
{
	linesrc__progress(r->src, bytes_read, size);
}

const char *logread__name(const struct logread *r)
{
	return r->name;
}

void logread__free(struct logread *r)
{
	if (!r)
		return;
	linesrc__free(r->src);
	jparser__free(r->jp);
	if (r->tok)
		json_tokener_free(r->tok);
	for (int i = 0; i < r->n_unknown; i++)
		free(r->unknown[i]);
	free(r->name);
	free(r->command);
	free(r->pids);
	free(r);
}
