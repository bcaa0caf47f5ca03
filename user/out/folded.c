// SPDX-License-Identifier: GPL-2.0
/*
 * folded.c - the folded stacks of folded.h.  Sites of different processes
 * with the same frames are one line; lines are sorted, so that two runs
 * of the same program give files that diff well.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hmap.h"
#include "out/folded.h"
#include "out/outfile.h"

/* What the frames of one line add up to. */
struct line {
	struct hnode node; /* key: hash of text */
	__u64 peak;
	__u64 end;
	char text[];
};

struct folded {
	struct outfile *out;
	const char *path;
	struct hmap lines;
	int err;
};

struct folded *folded__open(const char *path, char *err, size_t len)
{
	char why[128];
	struct outfile_opts oo = {
		.path = path,
		.held = true,
		.why = why,
		.why_len = sizeof(why),
	};
	struct folded *f = calloc(1, sizeof(*f));

	if (!f || hmap_init(&f->lines, 256)) {
		free(f);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	f->path = path;
	f->out = outfile__open(&oo);
	if (!f->out) {
		snprintf(err, len, "can't create %s: %s", path, why);
		hmap_fini(&f->lines);
		free(f);
		return NULL;
	}
	return f;
}

const char *folded_frame_name(char *buf, size_t len, const struct sw_frame *fr)
{
	const char *base;

	if (fr->function) {
		snprintf(buf, len, "%s", fr->function);
	} else if (fr->module) {
		base = strrchr(fr->module, '/');
		snprintf(buf, len, "%s+0x%llx", base ? base + 1 : fr->module,
			 (unsigned long long)fr->offset);
	} else {
		snprintf(buf, len, "0x%llx", (unsigned long long)fr->ip);
	}
	/* ';' separates frames, and a line is one line. */
	for (char *c = buf; *c; c++)
		if (*c == ';' || (unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '_';
	return buf;
}

struct walk {
	struct folded *f;
	struct symbolizer *sym;
};

static struct line *line_get(struct folded *f, const char *text)
{
	__u64 key = hash_str(HASH_FNV_BASIS, text, (size_t)-1);
	size_t n = strlen(text);
	struct line *l;

	for (struct hnode *e = hmap_get(&f->lines, key); e; e = hmap_get_next(e)) {
		l = hmap_entry(e, struct line, node);
		if (!strcmp(l->text, text))
			return l;
	}
	l = calloc(1, sizeof(*l) + n + 1);
	if (!l)
		return NULL;
	l->node.key = key;
	memcpy(l->text, text, n + 1);
	hmap_put(&f->lines, &l->node);
	return l;
}

/* The site's frames, outermost first. */
static int on_site(void *ctx, const struct sw_held_site *s)
{
	struct walk *w = ctx;
	char text[SW_MAX_FRAMES * 128 + 64], name[256];
	size_t used = 0;
	struct line *l;

	text[0] = '\0';
	if (!s->n)
		snprintf(text, sizeof(text), "[creating stack not known]");
	for (__u32 i = s->n; i-- > 0;) {
		struct sw_frame fr = { .ip = s->ip[i] };

		symbolizer__resolve(w->sym, s->pid, s->ip[i], SYM_IP_RETURN, &fr);
		folded_frame_name(name, sizeof(name), &fr);
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s",
					 used ? ";" : "", name);
		if (used >= sizeof(text))
			break;
	}
	l = line_get(w->f, text);
	if (!l) {
		w->f->err = -ENOMEM;
		return 1;
	}
	l->peak += s->at_peak;
	l->end += s->now;
	return 0;
}

static int by_text(const void *x, const void *y)
{
	return strcmp((*(struct line *const *)x)->text, (*(struct line *const *)y)->text);
}

static void write_tree(struct folded *f, struct line **v, size_t n, bool peak)
{
	char buf[SW_MAX_FRAMES * 128 + 128];

	for (size_t i = 0; i < n; i++) {
		__u64 bytes = peak ? v[i]->peak : v[i]->end;
		int len;

		if (!bytes)
			continue;
		len = snprintf(buf, sizeof(buf), "%s;%s %llu", peak ? "peak" : "end", v[i]->text,
			       (unsigned long long)bytes);
		outfile__line(f->out, buf, (size_t)len < sizeof(buf) ? (size_t)len : sizeof(buf) - 1);
	}
}

int folded__write(struct folded *f, const struct analyzer *a, struct symbolizer *sym)
{
	struct walk w = { .f = f, .sym = sym };
	struct hmap_iter it;
	struct hnode *n;
	struct line **v;
	size_t k = 0;

	analyzer__foreach_held(a, on_site, &w);
	if (f->err)
		return f->err;
	v = malloc((hmap_count(&f->lines) + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	hmap_iter_init(&it, &f->lines);
	while ((n = hmap_iter_next(&it)))
		v[k++] = hmap_entry(n, struct line, node);
	qsort(v, k, sizeof(*v), by_text);
	write_tree(f, v, k, true);
	write_tree(f, v, k, false);
	free(v);
	return outfile__error(f->out) ? outfile__error(f->out) : outfile__publish(f->out);
}

int folded__close(struct folded *f)
{
	struct hmap_iter it;
	struct hnode *n;
	int ret;

	if (!f)
		return 0;
	ret = outfile__close(f->out);
	hmap_iter_init(&it, &f->lines);
	while ((n = hmap_iter_next(&it)))
		free(hmap_entry(n, struct line, node));
	hmap_fini(&f->lines);
	free(f);
	return ret;
}
