// SPDX-License-Identifier: GPL-2.0
/*
 * procmap.c - each process's executable mappings, as procmap.h keeps them:
 * read from /proc/PID/maps while the process lives, described by the
 * kernel, or inherited at fork; merged so that older mappings stay for
 * stacks taken earlier; kept after exit, the oldest MAX_EXITED exited
 * processes at most.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lib/procfs.h"
#include "sym/procmap.h"

#define MAX_EXITED    1024
#define MAX_MAPS      4096
#define USER_ADDR_MIN 0x10000ULL	/* default vm.mmap_min_addr */
#define USER_ADDR_END 0x800000000000ULL /* x86-64 canonical user half */

int procs_init(struct procs *ps, const char *proc_root, struct strtab *strs, struct modules *mods)
{
	memset(ps, 0, sizeof(*ps));
	if (hmap_init(&ps->map, 64))
		return -ENOMEM;
	list_init(&ps->exited);
	ps->proc_root = proc_root;
	ps->strs = strs;
	ps->mods = mods;
	return 0;
}

static struct proc *proc_get(struct procs *ps, __u32 pid)
{
	struct proc *p = proc_find(ps, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->node.key = pid;
	list_init(&p->exited_link);
	hmap_put(&ps->map, &p->node);
	return p;
}

static void maps_free(struct procs *ps, struct code_map *maps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		module_put(ps->mods, maps[i].file);
	free(maps);
}

static void exited_unlink(struct procs *ps, struct proc *p)
{
	if (!p->exited)
		return;
	list_del(&p->exited_link);
	p->exited = false;
	ps->n_exited--;
}

static void proc_free(struct procs *ps, struct proc *p)
{
	exited_unlink(ps, p);
	hmap_del(&ps->map, &p->node);
	maps_free(ps, p->maps, p->n_maps);
	free(p);
}

void procs_fini(struct procs *ps)
{
	struct hmap_iter it;
	struct hnode *e;

	hmap_iter_init(&it, &ps->map);
	while ((e = hmap_iter_next(&it)))
		proc_free(ps, hmap_entry(e, struct proc, node));
	hmap_fini(&ps->map);
}

static bool is_missing(const struct proc *p, __u64 ip)
{
	int i;

	for (i = 0; i < p->n_missing; i++)
		if (p->missing[i] == ip)
			return true;
	return false;
}

static void add_missing(struct proc *p, __u64 ip)
{
	if (is_missing(p, ip))
		return;
	p->missing[p->next_missing] = ip;
	p->next_missing = (p->next_missing + 1) % MAX_MISSING;
	if (p->n_missing < MAX_MISSING)
		p->n_missing++;
}

/* Below mmap_min_addr nothing is mapped: garbage of a stack walked
 * without frame pointers, not worth a read of the maps. */
static bool user_ip(__u64 ip)
{
	return ip >= USER_ADDR_MIN && ip < USER_ADDR_END;
}

/* Whether the maps must be read for ips: one is in no known mapping and
 * was not already missing right after the last read. */
static bool needs_read(const struct proc *p, const __u64 *ips, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (user_ip(ips[i]) && !map_find(p, ips[i]) && !is_missing(p, ips[i]))
			return true;
	return false;
}

static int cmp_map(const void *a, const void *b)
{
	const struct code_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* One executable line of maps into m (file reference taken); false to skip. */
static bool parse_line(struct procs *ps, char *line, struct code_map *m)
{
	struct procfs_maps_line l;
	char *path;

	if (!procfs_parse_maps_line(line, &l) || strlen(l.perms) < 3 || l.perms[2] != 'x' ||
	    l.start >= l.end)
		return false;
	path = l.path;
	memset(m, 0, sizeof(*m));
	m->start = l.start;
	m->end = l.end;
	m->pgoff = l.offset;
	if (path[0] == '/') {
		m->kind = MAP_FILE;
		m->file = module_get(ps->mods, path, makedev(l.major, l.minor), l.ino);
		if (!m->file)
			return false;
		m->name = m->file->path;
	} else if (!strcmp(path, "[vdso]") || !strcmp(path, "[vsyscall]")) {
		m->kind = MAP_PSEUDO;
		m->name = strtab_intern(ps->strs, path);
	} else {
		m->kind = MAP_ANON; /* JIT code and the like: covered, unknown */
	}
	return true;
}

static int read_maps(struct procs *ps, __u32 pid, struct code_map **out, int *n_out)
{
	char path[4096], *line = NULL;
	struct code_map *maps = NULL, *grown;
	int n = 0, cap = 0, err = 0;
	size_t lcap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", ps->proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &lcap, f) > 0 && n < MAX_MAPS) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			grown = realloc(maps, cap * sizeof(*maps));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			maps = grown;
		}
		if (parse_line(ps, line, &maps[n]))
			n++;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	if (err) {
		maps_free(ps, maps, n);
		return err;
	}
	if (n) /* maps is NULL then, and qsort's pointer must not be */
		qsort(maps, n, sizeof(*maps), cmp_map);
	*out = maps;
	*n_out = n;
	return 0;
}

/* Whether m overlaps one of maps, sorted and disjoint. */
static bool overlaps_any(const struct code_map *maps, int n, const struct code_map *m)
{
	int lo = 0, hi = n;

	while (lo < hi) { /* the first map ending after m's start */
		int mid = lo + (hi - lo) / 2;

		if (maps[mid].end <= m->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && maps[lo].start < m->end;
}

/*
 * The new read wins; older mappings it does not overlap (a library
 * dlclose'd since, an image before exec) stay for stacks taken earlier,
 * up to MAX_MAPS.
 */
static void merge_maps(struct procs *ps, struct proc *p, struct code_map *fresh, int n)
{
	struct code_map *all;
	int i, k = n;

	all = realloc(fresh, (size_t)(n + p->n_maps ? n + p->n_maps : 1) * sizeof(*all));
	if (!all) {
		maps_free(ps, p->maps, p->n_maps);
		p->maps = fresh;
		p->n_maps = n;
		return;
	}
	for (i = 0; i < p->n_maps; i++) {
		if (k < MAX_MAPS && !overlaps_any(all, n, &p->maps[i]))
			all[k++] = p->maps[i];
		else
			module_put(ps->mods, p->maps[i].file);
	}
	free(p->maps);
	qsort(all, k, sizeof(*all), cmp_map);
	p->maps = all;
	p->n_maps = k;
}

/* Open now, while the process lives, the files its ips fall in. */
static void open_hit_files(struct procs *ps, struct proc *p, const __u64 *ips, int n)
{
	const struct code_map *m;
	int i;

	for (i = 0; i < n; i++) {
		m = user_ip(ips[i]) ? map_find(p, ips[i]) : NULL;
		if (m && m->kind == MAP_FILE && !m->file->dwfl && !m->file->broken)
			module_open(ps->mods, m->file, p->pid, m->start, m->end);
	}
}

int procs_note(struct procs *ps, __u32 pid, const __u64 *ips, int n)
{
	struct code_map *fresh;
	struct proc *p;
	int n_fresh, err, i;

	if ((!ips && n > 0) || n < 0)
		return -EINVAL;
	p = proc_get(ps, pid);
	if (!p)
		return -ENOMEM;
	if (needs_read(p, ips, n)) {
		err = read_maps(ps, pid, &fresh, &n_fresh);
		if (err) {
			/* Keep what is known; forget a pid nothing is known of. */
			if (!p->n_maps)
				proc_free(ps, p);
			return err;
		}
		/* An exited pid with new code is a new process (or image). */
		exited_unlink(ps, p);
		merge_maps(ps, p, fresh, n_fresh);
		for (i = 0; i < n; i++)
			if (user_ip(ips[i]) && !map_find(p, ips[i]))
				add_missing(p, ips[i]);
	}
	if (!p->n_maps && !p->exited) {
		proc_free(ps, p);
		return 0;
	}
	open_hit_files(ps, p, ips, n);
	return 0;
}

/* Whether pid's root can still be reached (not once it is a zombie). */
static bool proc_alive(const struct procs *ps, __u32 pid)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%u/root/", ps->proc_root, pid);
	return access(path, F_OK) == 0;
}

/* m as one mapping of pid's, when its path leads to the inode it names,
 * or the process is gone and cannot tell (module+offset then).  No
 * map_files fallback: that would open the inode under a path the kernel
 * may have cut. */
static int kernel_map(struct procs *ps, __u32 pid, const struct sym_mapping *m,
		      struct code_map **out)
{
	struct code_map *one = calloc(1, sizeof(*one));

	if (!one)
		return -ENOMEM;
	one->start = m->start;
	one->end = m->end;
	one->pgoff = m->offset;
	one->kind = MAP_FILE;
	one->file = module_get(ps->mods, m->path, m->dev, m->ino);
	if (!one->file) {
		free(one);
		return -ENOMEM;
	}
	/* A file that is no ELF we can read was still found: it is kept. */
	if (!module_open(ps->mods, one->file, pid, 0, 0) && !one->file->broken &&
	    proc_alive(ps, pid)) {
		maps_free(ps, one, 1);
		return -ENOENT;
	}
	one->name = one->file->path;
	*out = one;
	return 0;
}

int procs_add_mapping(struct procs *ps, __u32 pid, const struct sym_mapping *m)
{
	struct code_map *one;
	struct proc *p;
	int err;

	if (!m || !m->path || m->path[0] != '/' || m->start >= m->end)
		return -EINVAL;
	p = proc_get(ps, pid);
	if (!p)
		return -ENOMEM;
	err = kernel_map(ps, pid, m, &one);
	if (err) {
		if (!p->n_maps && !p->exited)
			proc_free(ps, p);
		return err;
	}
	/* The kernel sends these ahead of a live image's first stack. */
	exited_unlink(ps, p);
	merge_maps(ps, p, one, 1);
	return 0;
}

int procs_fork(struct procs *ps, __u32 parent, __u32 child)
{
	struct proc *pp = proc_find(ps, parent), *c;
	struct code_map *copy;
	int i;

	if (!pp || !pp->n_maps || parent == child)
		return 0;
	copy = malloc(pp->n_maps * sizeof(*copy));
	c = copy ? proc_get(ps, child) : NULL;
	if (!c) {
		free(copy);
		return -ENOMEM;
	}
	for (i = 0; i < pp->n_maps; i++) {
		copy[i] = pp->maps[i];
		if (copy[i].file)
			module_ref(copy[i].file);
	}
	exited_unlink(ps, c);
	merge_maps(ps, c, copy, pp->n_maps);
	return 0;
}

void procs_exit(struct procs *ps, __u32 pid)
{
	struct proc *p = proc_find(ps, pid);

	if (!p || p->exited)
		return;
	p->exited = true;
	list_add_tail(&ps->exited, &p->exited_link);
	if (++ps->n_exited > MAX_EXITED)
		proc_free(ps, list_entry(list_first(&ps->exited), struct proc, exited_link));
}
