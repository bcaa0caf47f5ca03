// SPDX-License-Identifier: GPL-2.0
/*
 * symbolize.c - user stack addresses to module, function+offset and
 * file:line with elfutils' libdwfl.
 *
 * Why not dwfl_linux_proc_report: it reads /proc/PID/maps when asked to
 * resolve, and findings are printed when the process has exited.  So each
 * process keeps its own list of executable mappings (read while it lives,
 * kept after symbolizer__exit, the oldest exited ones evicted), and each
 * ELF file gets one Dwfl shared by every process that maps it.  A runtime
 * address becomes a file offset through the mapping, then an ELF address
 * through the file's PT_LOAD headers, so PIE executables, shared libraries
 * and fixed executables all take the same path and no load bias has to be
 * guessed.
 *
 * A process that exits before its maps can be read still resolves: the
 * kernel describes the mappings of each process image's first stack
 * (symbolizer__add_mapping), and a forked child starts with what is known
 * of its parent's (symbolizer__fork).  A process in a container names its
 * files from its own root: they are read through it, or once it is gone
 * from its image's layers on the host (module.c).
 *
 * A return address is looked up as ip - 1 (and so is the innermost frame
 * at a syscall, the instruction after it): ip - 1 lies in the call and
 * gives the call's line even when the call is the last instruction of its
 * line or of its function.  Where a fault happened, ip is the instruction
 * itself, and is looked up as it is (SYM_IP_EXACT).
 *
 * The files: strtab.c interns the strings, module.c owns the ELF files
 * and their Dwfls, procmap.c each process's mappings; this file is the
 * API, the frames added from a saved log and the cache of recent results.
 * Calls run down that order only (symbolize.c, procmap.c, module.c,
 * strtab.c), never back up.
 *
 * Bounds: MAX_EXITED exited processes, MAX_MAPS mappings per process
 * (procmap.c), MAX_OPEN Dwfls (module.c; each holds a file descriptor;
 * closed ones reopen from the path, checked against the inode),
 * CACHE_SLOTS recent results and MAX_ADDED added frames (here), and files
 * are freed when no kept process maps them.  Strings are interned and live
 * until symbolizer__free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hash.h"
#include "lib/hmap.h"
#include "sym/module.h"
#include "sym/procmap.h"
#include "sym/strtab.h"
#include "sym/symbolize.h"

#define MAX_ADDED   (1u << 20)
#define CACHE_SLOTS 4096

/* Image layers of the common runtimes on the host, as root runs them:
 * podman and CRI-O, docker, containerd. */
static const struct image_store default_stores[] = {
    {"/var/lib/containers/storage/overlay", "diff"},
    {"/var/lib/docker/overlay2", "diff"},
    {"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots", "fs"},
};

struct added_frame {
	struct hnode node; /* key: added_key(); the full key is compared */
	__u32 pid;
	enum sym_ip_kind kind;
	struct sw_frame f;
};

/* A recent result, keyed by module and the ELF address looked up. */
struct cached {
	__u64 serial, vaddr;
	struct sym_info info;
};

struct symbolizer {
	char *proc_root;
	struct strtab strs;
	struct modules mods;
	struct procs procs;
	struct hmap added;
	struct cached *cache;
};

static int add_default_stores(struct modules *ms)
{
	size_t n = sizeof(default_stores) / sizeof(default_stores[0]);

	for (size_t i = 0; i < n; i++)
		if (modules_add_store(ms, default_stores[i].dir, default_stores[i].sub))
			return -ENOMEM;
	return 0;
}

struct symbolizer *symbolizer__new(const char *proc_root)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->proc_root = strdup(proc_root && proc_root[0] ? proc_root : "/proc");
	s->cache = calloc(CACHE_SLOTS, sizeof(*s->cache));
	if (!s->proc_root || !s->cache || hmap_init(&s->added, 64))
		goto fail;
	if (strtab_init(&s->strs))
		goto fail_added;
	if (modules_init(&s->mods, s->proc_root, &s->strs))
		goto fail_strs;
	if (procs_init(&s->procs, s->proc_root, &s->strs, &s->mods))
		goto fail_mods;
	/* A fake /proc tree (the tests) brings its own stores, if any. */
	if (!strcmp(s->proc_root, "/proc") && add_default_stores(&s->mods))
		goto fail_procs;
	return s;
fail_procs:
	procs_fini(&s->procs);
fail_mods:
	modules_fini(&s->mods);
fail_strs:
	strtab_fini(&s->strs);
fail_added:
	hmap_fini(&s->added);
fail:
	free(s->proc_root);
	free(s->cache);
	free(s);
	return NULL;
}

void symbolizer__free(struct symbolizer *s)
{
	struct hmap_iter it;
	struct hnode *e;

	if (!s)
		return;
	/* Processes first: they hold the modules' references. */
	procs_fini(&s->procs);
	modules_fini(&s->mods);
	hmap_iter_init(&it, &s->added);
	while ((e = hmap_iter_next(&it)))
		free(hmap_entry(e, struct added_frame, node));
	hmap_fini(&s->added);
	strtab_fini(&s->strs);
	free(s->cache);
	free(s->proc_root);
	free(s);
}

int symbolizer__add_image_store(struct symbolizer *s, const char *dir, const char *sub)
{
	return s && dir && sub ? modules_add_store(&s->mods, dir, sub) : -EINVAL;
}

int symbolizer__note(struct symbolizer *s, __u32 pid, const __u64 *ips, int n)
{
	return s ? procs_note(&s->procs, pid, ips, n) : -EINVAL;
}

int symbolizer__add_mapping(struct symbolizer *s, __u32 pid, const struct sym_mapping *m)
{
	return s ? procs_add_mapping(&s->procs, pid, m) : -EINVAL;
}

int symbolizer__fork(struct symbolizer *s, __u32 parent, __u32 child)
{
	return s ? procs_fork(&s->procs, parent, child) : 0;
}

void symbolizer__exit(struct symbolizer *s, __u32 pid)
{
	if (s)
		procs_exit(&s->procs, pid);
}

/* Not one to one: the map mixes it, and a lookup compares the full key. */
static __u64 added_key(__u32 pid, __u64 ip, enum sym_ip_kind kind)
{
	return ip ^ ((__u64)pid << 48) ^ pid ^ ((__u64)kind << 47);
}

static struct added_frame *added_find(struct symbolizer *s, __u32 pid, __u64 ip,
				      enum sym_ip_kind kind)
{
	struct hnode *e;

	for (e = hmap_get(&s->added, added_key(pid, ip, kind)); e; e = hmap_get_next(e)) {
		struct added_frame *a = hmap_entry(e, struct added_frame, node);

		if (a->pid == pid && a->f.ip == ip && a->kind == kind)
			return a;
	}
	return NULL;
}

int symbolizer__add_frame(struct symbolizer *s, __u32 pid, enum sym_ip_kind kind,
			  const struct sw_frame *f)
{
	struct added_frame *a;

	if (!s || !f)
		return -EINVAL;
	a = added_find(s, pid, f->ip, kind);
	if (!a) {
		if (hmap_count(&s->added) >= MAX_ADDED)
			return -ENOSPC;
		a = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->pid = pid;
		a->kind = kind;
		a->node.key = added_key(pid, f->ip, kind);
		hmap_put(&s->added, &a->node);
	}
	a->f.ip = f->ip;
	a->f.module = strtab_intern(&s->strs, f->module);
	a->f.function = strtab_intern(&s->strs, f->function);
	a->f.offset = f->offset;
	a->f.file = strtab_intern(&s->strs, f->file);
	a->f.line = f->line;
	return 0;
}

int symbolizer__resolve(struct symbolizer *s, __u32 pid, __u64 ip, enum sym_ip_kind kind,
			struct sw_frame *f)
{
	const struct code_map *m;
	struct added_frame *a;
	struct proc *p;
	struct cached *c;
	__u64 vaddr, look;

	if (!f)
		return -EINVAL;
	/* Live tracing adds none: no lookup at all then. */
	a = s && hmap_count(&s->added) ? added_find(s, pid, ip, kind) : NULL;
	if (a) {
		*f = a->f;
		return 0;
	}
	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (!s)
		return -EINVAL;
	p = proc_find(&s->procs, pid);
	m = p ? map_find(p, ip) : NULL;
	if (!m || m->kind == MAP_ANON)
		return -ENOENT;
	f->module = m->name;
	f->offset = ip - m->start;
	if (m->kind != MAP_FILE)
		return 0;
	/* Without the ELF headers, the offset is into the file. */
	f->offset = ip - m->start + m->pgoff;
	if (!m->file->loads &&
	    !module_open(&s->mods, m->file, p->exited ? 0 : pid, m->start, m->end))
		return 0;
	if (!module_vaddr(m->file, ip - m->start + m->pgoff, &vaddr) || !vaddr)
		return 0;
	/* Module-relative from here on: what addr2line -e module takes. */
	f->offset = vaddr;
	look = kind == SYM_IP_EXACT ? vaddr : vaddr - 1;
	c = &s->cache[hash_u64(m->file->serial * 0x9e3779b97f4a7c15ULL ^ look) % CACHE_SLOTS];
	if (c->serial != m->file->serial || c->vaddr != look) {
		if (!module_open(&s->mods, m->file, p->exited ? 0 : pid, m->start, m->end))
			return 0;
		c->serial = m->file->serial;
		c->vaddr = look;
		module_lookup(&s->mods, m->file, look, &c->info);
	}
	if (c->info.has_sym) {
		f->function = c->info.function;
		f->offset = vaddr - c->info.sym_start;
	}
	f->file = c->info.file;
	f->line = c->info.line;
	return 0;
}
