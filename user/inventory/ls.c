// SPDX-License-Identifier: GPL-2.0
/*
 * ls.c - `shmwatch ls`: the inventory (inventory.h) filtered and printed,
 * as a table per section (SysV, each memory filesystem, memfds) or as
 * NDJSON, one record per mount and per object, with the event log's field
 * names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "inventory/inventory.h"
#include "lib/container_cache.h"
#include "lib/names.h"
#include "log/jbuf.h"
#include "out/outfile.h"

#define EXIT_INCOMPLETE 1
#define EXIT_USAGE 2
/* Holders a text row names before "+N more" (all of them with -v). */
#define TEXT_HOLDERS 3

static const struct container_ref *holder_container(const struct inv_holder *h)
{
	return h->in_container ? &h->container : NULL;
}

/* Does --container select c (NULL: the host)?  By id, pod UID or machine
 * name first; then by the names its runtime keeps (read each time: ls
 * runs once, and a name is asked only of containers the id did not
 * select). */
static bool selects(const struct cli_ls *o, const struct container_ref *c)
{
	struct container_info ci = { 0 };

	if (container_matches(c, o->container))
		return true;
	if (!c || !strcmp(o->container, "host"))
		return false;
	ci.ref = *c;
	if (container_names_read("", c, &ci.names))
		return false;
	return container_info_matches(&ci, o->container);
}

static bool mount_selected(const struct cli_ls *o, const struct inv_mount *m)
{
	return selects(o, m->in_container ? &m->container : NULL);
}

/*
 * Held by a process of the selected container (or, for host, of none),
 * made by one (a segment whose creator lives), or a file of its mount
 * (the host's own, for host).  A segment nobody holds whose creator is
 * gone is its IPC namespace's, the reader's: the host's.
 */
static bool in_selected(const struct inventory *inv, const struct cli_ls *o,
			const struct inv_object *obj)
{
	if (!o->container)
		return true;
	for (int i = 0; i < obj->n_holders; i++)
		if (selects(o, holder_container(&obj->holders[i])))
			return true;
	if (obj->kind == INV_SEGMENT) {
		if (obj->creator_alive)
			return selects(o, obj->creator_in_container ? &obj->creator_container : NULL);
		return !obj->n_holders && selects(o, NULL);
	}
	return obj->mount >= 0 && mount_selected(o, &inv->mounts[obj->mount]);
}

static bool wanted(const struct inventory *inv, const struct cli_ls *o,
		   const struct inv_object *obj)
{
	bool held = false;

	if (o->orphaned && obj->verdict != INV_ORPHANED && obj->verdict != INV_UNATTACHED &&
	    obj->verdict != INV_UNHELD)
		return false;
	if (!in_selected(inv, o, obj))
		return false;
	if (!o->n_pids)
		return true;
	for (int i = 0; i < o->n_pids && !held; i++)
		held = inventory_held_by(obj, o->pids[i]);
	return held;
}

static __u32 mount_files(const struct inventory *inv, const struct cli_ls *o, int m)
{
	__u32 files = 0;

	for (size_t i = 0; i < inv->n_objects; i++)
		files += inv->objects[i]->mount == m && wanted(inv, o, inv->objects[i]);
	return files;
}

/* Every /dev/shm and hugetlbfs mount, and any other with a file listed;
 * a filter shows only the mounts it leaves something on. */
static bool mount_shown(const struct inventory *inv, const struct cli_ls *o, int m)
{
	const struct inv_mount *mt = &inv->mounts[m];

	if (mount_files(inv, o, m))
		return true;
	if (o->container && !mount_selected(o, mt))
		return false;
	return mt->walked && !o->n_pids && !o->orphaned;
}

/* ---- text ---------------------------------------------------------------------- */

static const char *size_str(char *buf, size_t len, __u64 v)
{
	human_size(buf, len, v);
	return buf;
}

static void put_holders(FILE *f, const struct inv_object *obj, bool all)
{
	char comm[64], where[128];
	int n = all ? obj->n_holders : obj->n_holders < TEXT_HOLDERS ? obj->n_holders : TEXT_HOLDERS;

	if (!obj->n_holders)
		fputs("-", f);
	for (int i = 0; i < n; i++) {
		const struct inv_holder *h = &obj->holders[i];

		fprintf(f, "%s%u %s (%s)", i ? ", " : "", h->pid,
			text_escaped(comm, sizeof(comm), h->comm),
			h->maps && h->fds ? "map+fd" : h->maps ? "map" : "fd");
		if (h->in_container)
			fprintf(f, " in %s", container_short_name(&h->container, where,
								    sizeof(where)));
	}
	if (n < obj->n_holders)
		fprintf(f, ", +%d more", obj->n_holders - n);
	fputc('\n', f);
}

static void text_segment(FILE *f, const struct inv_object *s, bool all)
{
	char key[16], a[32], b[32], creator[96], comm[64];

	if (s->key)
		snprintf(key, sizeof(key), "0x%08x", (__u32)s->key);
	else
		snprintf(key, sizeof(key), "IPC_PRIVATE");
	if (s->creator_alive)
		snprintf(creator, sizeof(creator), "%u %s", s->cpid,
			 text_escaped(comm, sizeof(comm), s->creator_comm));
	else
		snprintf(creator, sizeof(creator), "%u (exited)", s->cpid);
	fprintf(f, "  %-11s %-9d %-10s %-10s %-6u %-22s %-17s ", key, s->shmid,
		size_str(a, sizeof(a), s->size), size_str(b, sizeof(b), s->rss), s->nattch, creator,
		s->removed && !s->nattch ? "removed" : inv_verdict_name(s->verdict));
	put_holders(f, s, all);
}

static void text_file(FILE *f, const struct inv_object *obj, bool all)
{
	char path[INV_PATH_LEN * 4], a[32], b[32];

	text_escaped(path, sizeof(path), obj->path);
	if (obj->deleted && obj->kind == INV_FILE)
		strncat(path, " (deleted)", sizeof(path) - strlen(path) - 1);
	fprintf(f, "  %-40s %-10s %-10s %-6u %-17s ", path, size_str(a, sizeof(a), obj->size),
		size_str(b, sizeof(b), obj->allocated), obj->uid, inv_verdict_name(obj->verdict));
	put_holders(f, obj, all);
}

static void text_mount(FILE *f, const struct inv_mount *m, __u32 files)
{
	char where[INV_PATH_LEN * 4], a[32], b[32];

	fprintf(f, "%s %s", m->fstype, text_escaped(where, sizeof(where), m->where));
	if (m->in_container)
		fprintf(f, " of container %s", container_short_name(&m->container, where,
								     sizeof(where)));
	if (m->mnt_ns)
		fprintf(f, " in mnt:[%u] (pid %u)", m->mnt_ns, m->via_pid);
	fprintf(f, " (%u:%u): %s", m->dev >> 20, m->dev & 0xfffff, size_str(a, sizeof(a), m->used));
	if (m->size)
		fprintf(f, " of %s", size_str(b, sizeof(b), m->size));
	fprintf(f, " used, %u file%s listed%s\n", files, files == 1 ? "" : "s",
		m->walked ? "" : " (mapped or deleted but held; the rest not listed)");
}

#define FILE_HEADER "  PATH                                     SIZE       ALLOC      UID    VERDICT           HOLDERS\n"

static void print_text(FILE *f, const struct inventory *inv, const struct cli_ls *o)
{
	__u32 segs = 0, memfds = 0;
	__u64 seg_bytes = 0, seg_rss = 0, memfd_bytes = 0;
	char a[32], b[32];

	for (size_t i = 0; i < inv->n_objects; i++) {
		const struct inv_object *obj = inv->objects[i];

		if (!wanted(inv, o, obj))
			continue;
		if (obj->kind == INV_SEGMENT) {
			segs++;
			seg_bytes += obj->size;
			seg_rss += obj->rss;
		} else if (obj->kind == INV_MEMFD) {
			memfds++;
			memfd_bytes += obj->size;
		}
	}
	if (inv->ipc_ns)
		fprintf(f, "SysV segments of IPC namespace ipc:[%u]", inv->ipc_ns);
	else
		fputs("SysV segments of the initial IPC namespace", f);
	fprintf(f, ": %u, %s, %s resident\n", segs, size_str(a, sizeof(a), seg_bytes),
		size_str(b, sizeof(b), seg_rss));
	if (segs)
		fputs("  KEY         SHMID     SIZE       RSS        NATTCH CREATOR                "
		      "VERDICT           HOLDERS\n", f);
	for (size_t i = 0; i < inv->n_objects; i++)
		if (inv->objects[i]->kind == INV_SEGMENT && wanted(inv, o, inv->objects[i]))
			text_segment(f, inv->objects[i], o->verbose);
	for (int m = 0; m < inv->n_mounts; m++) {
		__u32 files = mount_files(inv, o, m);

		if (!mount_shown(inv, o, m))
			continue;
		text_mount(f, &inv->mounts[m], files);
		if (files)
			fputs(FILE_HEADER, f);
		for (size_t i = 0; i < inv->n_objects; i++)
			if (inv->objects[i]->mount == m && wanted(inv, o, inv->objects[i]))
				text_file(f, inv->objects[i], o->verbose);
	}
	if (memfds) {
		fprintf(f, "memfds: %u, %s\n", memfds, size_str(a, sizeof(a), memfd_bytes));
		fputs(FILE_HEADER, f);
		for (size_t i = 0; i < inv->n_objects; i++)
			if (inv->objects[i]->kind == INV_MEMFD && wanted(inv, o, inv->objects[i]))
				text_file(f, inv->objects[i], o->verbose);
	}
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_line(FILE *f, struct jbuf *b)
{
	fwrite(b->p, 1, b->len, f);
	fputc('\n', f);
	jbuf_reset(b);
}

static void json_holders(struct jbuf *b, const struct inv_object *obj)
{
	json_arr_field_open(b, "holders");
	for (int i = 0; i < obj->n_holders; i++) {
		const struct inv_holder *h = &obj->holders[i];

		json_obj_open(b);
		json_u64_field(b, "pid", h->pid);
		json_str_field(b, "comm", h->comm, SW_COMM_LEN);
		json_u64_field(b, "maps", h->maps);
		json_u64_field(b, "fds", h->fds);
		if (h->in_container)
			json_container_field(b, "container", &h->container, NULL);
		json_obj_close(b);
	}
	json_arr_close(b);
}

static void json_object(struct jbuf *b, const struct inventory *inv, const struct inv_object *obj)
{
	static const char *const types[] = { "segment", "file", "memfd" };

	json_obj_open(b);
	json_str_field(b, "type", types[obj->kind], 16);
	if (obj->kind == INV_SEGMENT) {
		json_u64_field(b, "key", (__u32)obj->key);
		json_s64_field(b, "shmid", obj->shmid);
		json_u64_field(b, "ipc_ns", inv->ipc_ns);
		json_u64_field(b, "size", obj->size);
		json_u64_field(b, "rss", obj->rss);
		json_u64_field(b, "swap", obj->swap);
		json_u64_field(b, "nattch", obj->nattch);
		json_bool_field(b, "removed", obj->removed);
		json_u64_field(b, "uid", obj->uid);
		json_u64_field(b, "creator_pid", obj->cpid);
		json_str_field(b, "creator_comm", obj->creator_comm, SW_COMM_LEN);
		json_bool_field(b, "creator_exited", !obj->creator_alive);
		if (obj->creator_in_container)
			json_container_field(b, "creator_container", &obj->creator_container, NULL);
		json_u64_field(b, "last_pid", obj->lpid);
		json_u64_field(b, "ctime", obj->ctime);
	} else {
		json_str_field(b, obj->kind == INV_MEMFD ? "name" : "path", obj->path, INV_PATH_LEN);
		json_u64_field(b, "dev", obj->dev);
		json_u64_field(b, "ino", obj->ino);
		if (obj->mount >= 0)
			json_str_field(b, "mount", inv->mounts[obj->mount].where, INV_PATH_LEN);
		json_u64_field(b, "size", obj->size);
		json_u64_field(b, "allocated", obj->allocated);
		json_u64_field(b, "uid", obj->uid);
		json_bool_field(b, "deleted", obj->deleted);
	}
	json_str_field(b, "verdict", inv_verdict_name(obj->verdict), 32);
	json_holders(b, obj);
	json_obj_close(b);
}

static void print_json(FILE *f, const struct inventory *inv, const struct cli_ls *o)
{
	struct jbuf b = { 0 };

	for (int m = 0; m < inv->n_mounts; m++) {
		const struct inv_mount *mt = &inv->mounts[m];

		if (!mount_shown(inv, o, m))
			continue;
		json_obj_open(&b);
		json_str_field(&b, "type", "mount", 16);
		json_str_field(&b, "fstype", mt->fstype, sizeof(mt->fstype));
		json_str_field(&b, "mount", mt->where, INV_PATH_LEN);
		json_u64_field(&b, "dev", mt->dev);
		json_u64_field(&b, "mnt_ns", mt->mnt_ns);
		json_u64_field(&b, "via_pid", mt->via_pid);
		json_u64_field(&b, "fs_size", mt->size);
		json_u64_field(&b, "fs_used", mt->used);
		json_bool_field(&b, "all_files_listed", mt->walked);
		if (mt->in_container)
			json_container_field(&b, "container", &mt->container, NULL);
		json_obj_close(&b);
		json_line(f, &b);
	}
	for (size_t i = 0; i < inv->n_objects; i++) {
		if (!wanted(inv, o, inv->objects[i]))
			continue;
		json_object(&b, inv, inv->objects[i]);
		json_line(f, &b);
	}
	jbuf_free(&b);
}

/* Print into memory, then through an outfile: -o follows the rules of
 * every shmwatch output (a new file renamed over the path, never written
 * in place or through a link). */
static int write_out(const struct inventory *inv, const struct cli_ls *o, char *why,
		     size_t why_len)
{
	struct outfile_opts oo = { .path = o->output, .why = why, .why_len = why_len };
	struct outfile *out;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return -ENOMEM;
	if (o->format == CLI_FORMAT_JSON)
		print_json(f, inv, o);
	else
		print_text(f, inv, o);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	why[0] = '\0';
	out = outfile__open(&oo);
	if (!out) {
		err = -errno;
		free(text);
		return err;
	}
	err = outfile__text(out, text, len);
	free(text);
	if (!err)
		err = outfile__publish(out);
	if (!err)
		err = outfile__flush(out);
	if (err && !why[0])
		snprintf(why, why_len, "%s", outfile__strerror(out));
	if (!err) {
		err = outfile__close(out);
		if (err)
			snprintf(why, why_len, "%s", strerror(-err));
	} else {
		outfile__close(out);
	}
	return err;
}

int do_ls(int argc, char **argv)
{
	struct inventory inv;
	struct cli_ls o;
	char err[256], why[256];
	int ret;

	if (cli_parse_ls(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s (see shmwatch ls --help)\n", err);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(cli_ls_usage, stdout);
		return 0;
	}
	ret = inventory__collect(&inv, NULL);
	if (ret) {
		fprintf(stderr, "shmwatch: can't read the inventory: %s\n", strerror(-ret));
		inventory__free(&inv);
		return EXIT_INCOMPLETE;
	}
	ret = write_out(&inv, &o, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "shmwatch: can't write %s: %s\n",
			o.output ? o.output : "standard output", why[0] ? why : strerror(-ret));
		ret = EXIT_USAGE;
	}
	/* Even root cannot read some processes (another user namespace's,
	 * a sandbox's): a note, not a failure. */
	if (!ret && inv.procs_unreadable)
		fprintf(stderr, "shmwatch: %u of %u processes could not be read%s: their holdings "
				"are missing (first: pid %u)\n", inv.procs_unreadable, inv.procs_seen,
			geteuid() ? " (run as root)" : "", inv.first_unreadable);
	if (!ret && inv.segments_error) {
		fprintf(stderr, "shmwatch: can't read /proc/sysvipc/shm: %s\n",
			strerror(-inv.segments_error));
		ret = EXIT_INCOMPLETE;
	}
	inventory__free(&inv);
	return ret;
}
