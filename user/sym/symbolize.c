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
 * of its parent's (symbolizer__fork).
 *
 * A return address is looked up as ip - 1 (and so is the innermost frame
 * at a syscall, the instruction after it): ip - 1 lies in the call and
 * gives the call's line even when the call is the last instruction of its
 * line or of its function.  Where a fault happened, ip is the instruction
 * itself, and is looked up as it is (SW_IP_EXACT).
 *
 * Bounds: MAX_EXITED exited processes, MAX_MAPS mappings per process,
 * MAX_OPEN Dwfls (each holds a file descriptor; closed ones reopen from
 * the path, checked against the inode), CACHE_SLOTS recent results, and
 * files are freed when no kept process maps them.  Strings are interned
 * and live until symbolizer__free.
 */
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/procfs.h"
#include "sym/symbolize.h"

#define MAX_EXITED    1024
#define MAX_MAPS      4096
#define MAX_MISSING   64
#define MAX_OPEN      256
#define MAX_ADDED     (1u << 20)
#define CACHE_SLOTS   4096
#define USER_ADDR_MIN 0x10000ULL	/* default vm.mmap_min_addr */
#define USER_ADDR_END 0x800000000000ULL /* x86-64 canonical user half */

/* ---- state ---- */

struct istr {
	struct hnode node; /* key: FNV-1a of s */
	char s[];
};

/* A PT_LOAD header: file offsets [off, off + filesz) sit at vaddr. */
struct load_seg {
	__u64 off, vaddr, filesz;
};

/* One ELF file, shared by every process that maps it. */
struct module {
	struct hnode node; /* key: FNV-1a of the path; dev and ino tell apart */
	const char *path; /* as the maps name it (interned) */
	__u64 dev, ino;	  /* from the maps: the identity */
	__u64 serial;	  /* never reused, unlike the pointer: the cache key */
	int refs;	  /* mappings of kept processes */
	bool broken;	  /* not an ELF we can read: module+offset only */
	bool absent;	  /* not found by path once the process was gone */
	Dwfl *dwfl;	  /* NULL while closed */
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct load_seg *loads;
	int n_loads;
	struct list_node lru; /* open files, most recent first */
};

enum map_kind { MAP_FILE, MAP_PSEUDO, MAP_ANON };

struct code_map {
	__u64 start, end, pgoff;
	enum map_kind kind;
	struct module *file; /* MAP_FILE */
	const char *name;     /* file path or "[vdso]"; NULL for anonymous code */
};

struct proc {
	struct hnode node; /* key: pid */
	__u32 pid;
	bool exited;
	struct code_map *maps; /* sorted by start, disjoint */
	int n_maps;
	__u64 missing[MAX_MISSING]; /* ips no map covered right after a read */
	int n_missing, next_missing;
	struct list_node exited_link; /* exited, oldest first */
};

struct added_frame {
	struct hnode node; /* key: added_key(); the full key is compared */
	__u32 pid;
	enum sw_ip_kind kind;
	struct sw_frame f;
};

/* A recent result, keyed by file and the ELF address looked up. */
struct cached {
	__u64 serial, vaddr, sym_start;
	const char *function, *file;
	int line;
	bool has_sym;
};

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

struct symbolizer {
	char *proc_root;
	struct hmap strs, files, procs, added;
	struct list_node exited;
	int n_exited;
	struct list_node lru;
	int n_open;
	__u64 next_serial;
	struct cached *cache;
	void *libstdcxx;
	demangle_fn demangle;
	bool demangle_tried;
	char *debuginfo_path; /* NULL: libdwfl's default search path */
	Dwfl_Callbacks callbacks;
};

/* ---- strings ---- */

static const char *intern(struct symbolizer *s, const char *str)
{
	struct hnode *e;
	struct istr *is;
	size_t len;
	__u64 h;

	if (!str)
		return NULL;
	h = hash_str(HASH_FNV_BASIS, str, SIZE_MAX);
	for (e = hmap_get(&s->strs, h); e; e = hmap_get_next(e)) {
		is = hmap_entry(e, struct istr, node);
		if (!strcmp(is->s, str))
			return is->s;
	}
	len = strlen(str);
	is = malloc(sizeof(*is) + len + 1);
	if (!is)
		return NULL;
	memcpy(is->s, str, len + 1);
	is->node.key = h;
	hmap_put(&s->strs, &is->node);
	return is->s;
}

/* __cxa_demangle when libstdc++ can be found; the raw name otherwise. */
static const char *demangled(struct symbolizer *s, const char *name)
{
	char *d;
	const char *r;
	int status = -1;

	if (strncmp(name, "_Z", 2))
		return intern(s, name);
	if (!s->demangle_tried) {
		s->demangle_tried = true;
		s->demangle = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
		if (!s->demangle) {
			s->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
			if (s->libstdcxx)
				s->demangle = (demangle_fn)dlsym(s->libstdcxx, "__cxa_demangle");
		}
	}
	if (!s->demangle)
		return intern(s, name);
	d = s->demangle(name, NULL, NULL, &status);
	r = intern(s, status == 0 && d ? d : name);
	free(d);
	return r;
}

/* ---- files ---- */

static void file_close(struct symbolizer *s, struct module *f)
{
	if (!f->dwfl)
		return;
	list_del(&f->lru);
	dwfl_end(f->dwfl);
	f->dwfl = NULL;
	f->mod = NULL;
	s->n_open--;
}

static struct module *file_get(struct symbolizer *s, const char *path, __u64 dev, __u64 ino)
{
	__u64 h = hash_str(HASH_FNV_BASIS, path, SIZE_MAX);
	struct module *f;
	struct hnode *e;

	for (e = hmap_get(&s->files, h); e; e = hmap_get_next(e)) {
		f = hmap_entry(e, struct module, node);
		if (f->dev == dev && f->ino == ino && !strcmp(f->path, path)) {
			f->refs++;
			return f;
		}
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = intern(s, path);
	f->dev = dev;
	f->ino = ino;
	f->serial = ++s->next_serial;
	f->refs = 1;
	list_init(&f->lru);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->node.key = h;
	hmap_put(&s->files, &f->node);
	return f;
}

static void file_put(struct symbolizer *s, struct module *f)
{
	if (!f || --f->refs > 0)
		return;
	file_close(s, f);
	hmap_del(&s->files, &f->node);
	free(f->loads);
	free(f);
}

/* A regular file whose inode is the one the maps named (0: unknown). */
static int open_checked(const char *path, __u64 ino, bool check_ino)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO in a fake tree must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (check_ino && ino && (__u64)st.st_ino != ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The file as the process sees it: through its root (containers), then by
 * path, then through map_files (deleted files; needs privileges).  Paths
 * must still be the inode the process mapped, or a rebuilt binary would
 * give wrong lines.  pid 0: the process is gone, the path alone.
 */
static int open_for(struct symbolizer *s, const struct module *f, __u32 pid,
		    const struct code_map *m)
{
	char buf[4096 + 64];
	int fd = -1;

	if (pid) {
		snprintf(buf, sizeof(buf), "%s/%u/root%s", s->proc_root, pid, f->path);
		fd = open_checked(buf, f->ino, true);
	}
	if (fd < 0)
		fd = open_checked(f->path, f->ino, true);
	if (fd < 0 && pid && m) {
		snprintf(buf, sizeof(buf), "%s/%u/map_files/%llx-%llx", s->proc_root, pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		fd = open_checked(buf, 0, false);
	}
	return fd;
}

static int read_loads(struct module *f, Elf *elf)
{
	size_t n, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n) || !n || n > 4096)
		return -EINVAL;
	f->loads = calloc(n, sizeof(*f->loads));
	if (!f->loads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->loads[f->n_loads++] = (struct load_seg){ph.p_offset, ph.p_vaddr, ph.p_filesz};
	}
	return f->n_loads ? 0 : -EINVAL;
}

/* Open f's Dwfl if it is closed; false when the file cannot be used. */
static bool file_open(struct symbolizer *s, struct module *f, __u32 pid, const struct code_map *m)
{
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	int fd;

	if (f->dwfl) {
		list_del(&f->lru);
		list_add(&s->lru, &f->lru);
		return true;
	}
	if (f->broken || (f->absent && !pid))
		return false;
	fd = open_for(s, f, pid, m);
	if (fd < 0) {
		/* A live process that maps it may still open it for us. */
		f->absent = !pid;
		return false;
	}
	dwfl = dwfl_begin(&s->callbacks);
	if (!dwfl) {
		close(fd);
		return false;
	}
	dwfl_report_begin(dwfl);
	/* Base 0: ELF addresses plus bias, whatever the type. */
	mod = dwfl_report_elf(dwfl, f->path, f->path, fd, 0, false);
	dwfl_report_end(dwfl, NULL, NULL);
	if (!mod) {
		/* Not consumed on failure. */
		close(fd);
		dwfl_end(dwfl);
		f->broken = true;
		return false;
	}
	elf = dwfl_module_getelf(mod, &f->bias);
	if (!elf || (!f->loads && read_loads(f, elf))) {
		dwfl_end(dwfl);
		f->broken = true;
		return false;
	}
	f->dwfl = dwfl;
	f->mod = mod;
	list_add(&s->lru, &f->lru);
	if (++s->n_open > MAX_OPEN)
		file_close(s, list_entry(list_last(&s->lru), struct module, lru));
	return true;
}

/* The ELF address of file offset off; false when no PT_LOAD holds it. */
static bool file_vaddr(const struct module *f, __u64 off, __u64 *vaddr)
{
	int i;

	for (i = 0; i < f->n_loads; i++) {
		const struct load_seg *l = &f->loads[i];

		if (off >= l->off && off - l->off < l->filesz) {
			*vaddr = l->vaddr + (off - l->off);
			return true;
		}
	}
	return false;
}

/* ---- processes ---- */

static struct proc *proc_find(struct symbolizer *s, __u32 pid)
{
	struct hnode *e = hmap_get(&s->procs, pid);

	return e ? hmap_entry(e, struct proc, node) : NULL;
}

static struct proc *proc_get(struct symbolizer *s, __u32 pid)
{
	struct proc *p = proc_find(s, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->node.key = pid;
	list_init(&p->exited_link);
	hmap_put(&s->procs, &p->node);
	return p;
}

static void maps_free(struct symbolizer *s, struct code_map *maps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		file_put(s, maps[i].file);
	free(maps);
}

static void exited_unlink(struct symbolizer *s, struct proc *p)
{
	if (!p->exited)
		return;
	list_del(&p->exited_link);
	p->exited = false;
	s->n_exited--;
}

static void proc_free(struct symbolizer *s, struct proc *p)
{
	exited_unlink(s, p);
	hmap_del(&s->procs, &p->node);
	maps_free(s, p->maps, p->n_maps);
	free(p);
}

static const struct code_map *map_find(const struct proc *p, __u64 ip)
{
	int lo = 0, hi = p->n_maps;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ip < p->maps[mid].start)
			hi = mid;
		else if (ip >= p->maps[mid].end)
			lo = mid + 1;
		else
			return &p->maps[mid];
	}
	return NULL;
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
static bool parse_line(struct symbolizer *s, char *line, struct code_map *m)
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
		m->file = file_get(s, path, makedev(l.major, l.minor), l.ino);
		if (!m->file)
			return false;
		m->name = m->file->path;
	} else if (!strcmp(path, "[vdso]") || !strcmp(path, "[vsyscall]")) {
		m->kind = MAP_PSEUDO;
		m->name = intern(s, path);
	} else {
		m->kind = MAP_ANON; /* JIT code and the like: covered, unknown */
	}
	return true;
}

static int read_maps(struct symbolizer *s, __u32 pid, struct code_map **out, int *n_out)
{
	char path[4096], *line = NULL;
	struct code_map *maps = NULL, *grown;
	int n = 0, cap = 0, err = 0;
	size_t lcap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", s->proc_root, pid);
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
		if (parse_line(s, line, &maps[n]))
			n++;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	if (err) {
		maps_free(s, maps, n);
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
static void merge_maps(struct symbolizer *s, struct proc *p, struct code_map *fresh, int n)
{
	struct code_map *all;
	int i, k = n;

	all = realloc(fresh, (size_t)(n + p->n_maps ? n + p->n_maps : 1) * sizeof(*all));
	if (!all) {
		maps_free(s, p->maps, p->n_maps);
		p->maps = fresh;
		p->n_maps = n;
		return;
	}
	for (i = 0; i < p->n_maps; i++) {
		if (k < MAX_MAPS && !overlaps_any(all, n, &p->maps[i]))
			all[k++] = p->maps[i];
		else
			file_put(s, p->maps[i].file);
	}
	free(p->maps);
	qsort(all, k, sizeof(*all), cmp_map);
	p->maps = all;
	p->n_maps = k;
}

/* Open now, while the process lives, the files its ips fall in. */
static void open_hit_files(struct symbolizer *s, struct proc *p, const __u64 *ips, int n)
{
	const struct code_map *m;
	int i;

	for (i = 0; i < n; i++) {
		m = user_ip(ips[i]) ? map_find(p, ips[i]) : NULL;
		if (m && m->kind == MAP_FILE && !m->file->dwfl && !m->file->broken)
			file_open(s, m->file, p->pid, m);
	}
}

/* ---- API ---- */

/* Frees every node of h, each the member at off of a malloc'd block. */
static void free_nodes(struct hmap *h, size_t off)
{
	struct hmap_iter it;
	struct hnode *e;

	hmap_iter_init(&it, h);
	while ((e = hmap_iter_next(&it)))
		free((char *)e - off);
	hmap_fini(h);
}

struct symbolizer *symbolizer__new(const char *proc_root)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->proc_root = strdup(proc_root && proc_root[0] ? proc_root : "/proc");
	s->cache = calloc(CACHE_SLOTS, sizeof(*s->cache));
	if (!s->proc_root || !s->cache || hmap_init(&s->strs, 64) || hmap_init(&s->files, 64) ||
	    hmap_init(&s->procs, 64) || hmap_init(&s->added, 64)) {
		hmap_fini(&s->strs);
		hmap_fini(&s->files);
		hmap_fini(&s->procs);
		hmap_fini(&s->added);
		free(s->proc_root);
		free(s->cache);
		free(s);
		return NULL;
	}
	list_init(&s->exited);
	list_init(&s->lru);
	s->callbacks.find_elf = dwfl_build_id_find_elf;
	s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	s->callbacks.section_address = dwfl_offline_section_address;
	s->callbacks.debuginfo_path = &s->debuginfo_path;
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	struct hmap_iter it;
	struct hnode *e;

	if (!s)
		return;
	hmap_iter_init(&it, &s->procs);
	while ((e = hmap_iter_next(&it)))
		proc_free(s, hmap_entry(e, struct proc, node));
	hmap_fini(&s->procs);
	/* proc_free dropped every file reference, so files are gone too. */
	hmap_iter_init(&it, &s->files);
	while ((e = hmap_iter_next(&it))) {
		struct module *f = hmap_entry(e, struct module, node);

		file_close(s, f);
		free(f->loads);
		free(f);
	}
	hmap_fini(&s->files);
	free_nodes(&s->added, offsetof(struct added_frame, node));
	free_nodes(&s->strs, offsetof(struct istr, node));
	if (s->libstdcxx)
		dlclose(s->libstdcxx);
	free(s->cache);
	free(s->proc_root);
	free(s);
}

int symbolizer__note(struct symbolizer *s, __u32 pid, const __u64 *ips, int n)
{
	struct code_map *fresh;
	struct proc *p;
	int n_fresh, err, i;

	if (!s || (!ips && n > 0) || n < 0)
		return -EINVAL;
	p = proc_get(s, pid);
	if (!p)
		return -ENOMEM;
	if (needs_read(p, ips, n)) {
		err = read_maps(s, pid, &fresh, &n_fresh);
		if (err) {
			/* Keep what is known; forget a pid nothing is known of. */
			if (!p->n_maps)
				proc_free(s, p);
			return err;
		}
		/* An exited pid with new code is a new process (or image). */
		exited_unlink(s, p);
		merge_maps(s, p, fresh, n_fresh);
		for (i = 0; i < n; i++)
			if (user_ip(ips[i]) && !map_find(p, ips[i]))
				add_missing(p, ips[i]);
	}
	if (!p->n_maps && !p->exited) {
		proc_free(s, p);
		return 0;
	}
	open_hit_files(s, p, ips, n);
	return 0;
}

/* m as one mapping of pid's, when its path leads to the inode it names.
 * No map_files fallback: that would open the inode under a path the
 * kernel may have cut. */
static int kernel_map(struct symbolizer *s, __u32 pid, const struct sw_code_mapping *m,
		      struct code_map **out)
{
	struct code_map *one = calloc(1, sizeof(*one));

	if (!one)
		return -ENOMEM;
	one->start = m->start;
	one->end = m->end;
	one->pgoff = m->offset;
	one->kind = MAP_FILE;
	one->file = file_get(s, m->path, m->dev, m->ino);
	if (!one->file) {
		free(one);
		return -ENOMEM;
	}
	/* A file that is no ELF we can read was still found: it is kept. */
	if (!file_open(s, one->file, pid, NULL) && !one->file->broken) {
		maps_free(s, one, 1);
		return -ENOENT;
	}
	one->name = one->file->path;
	*out = one;
	return 0;
}

int symbolizer__add_mapping(struct symbolizer *s, __u32 pid, const struct sw_code_mapping *m)
{
	struct code_map *one;
	struct proc *p;
	int err;

	if (!s || !m || !m->path || m->path[0] != '/' || m->start >= m->end)
		return -EINVAL;
	p = proc_get(s, pid);
	if (!p)
		return -ENOMEM;
	err = kernel_map(s, pid, m, &one);
	if (err) {
		if (!p->n_maps && !p->exited)
			proc_free(s, p);
		return err;
	}
	/* The kernel sends these ahead of a live image's first stack. */
	exited_unlink(s, p);
	merge_maps(s, p, one, 1);
	return 0;
}

int symbolizer__fork(struct symbolizer *s, __u32 parent, __u32 child)
{
	struct proc *pp = s ? proc_find(s, parent) : NULL, *c;
	struct code_map *copy;
	int i;

	if (!pp || !pp->n_maps || parent == child)
		return 0;
	copy = malloc(pp->n_maps * sizeof(*copy));
	c = copy ? proc_get(s, child) : NULL;
	if (!c) {
		free(copy);
		return -ENOMEM;
	}
	for (i = 0; i < pp->n_maps; i++) {
		copy[i] = pp->maps[i];
		if (copy[i].file)
			copy[i].file->refs++;
	}
	exited_unlink(s, c);
	merge_maps(s, c, copy, pp->n_maps);
	return 0;
}

void symbolizer__exit(struct symbolizer *s, __u32 pid)
{
	struct proc *p = s ? proc_find(s, pid) : NULL;

	if (!p || p->exited)
		return;
	p->exited = true;
	list_add_tail(&s->exited, &p->exited_link);
	if (++s->n_exited > MAX_EXITED)
		proc_free(s, list_entry(list_first(&s->exited), struct proc, exited_link));
}

/* Not one to one: the map mixes it, and a lookup compares the full key. */
static __u64 added_key(__u32 pid, __u64 ip, enum sw_ip_kind kind)
{
	return ip ^ ((__u64)pid << 48) ^ pid ^ ((__u64)kind << 47);
}

static struct added_frame *added_find(struct symbolizer *s, __u32 pid, __u64 ip, enum sw_ip_kind kind)
{
	struct hnode *e;

	for (e = hmap_get(&s->added, added_key(pid, ip, kind)); e; e = hmap_get_next(e)) {
		struct added_frame *a = hmap_entry(e, struct added_frame, node);

		if (a->pid == pid && a->f.ip == ip && a->kind == kind)
			return a;
	}
	return NULL;
}

int symbolizer__add_frame(struct symbolizer *s, __u32 pid, enum sw_ip_kind kind,
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
	a->f.module = intern(s, f->module);
	a->f.function = intern(s, f->function);
	a->f.offset = f->offset;
	a->f.file = intern(s, f->file);
	a->f.line = f->line;
	return 0;
}

/* Symbol and line of ELF address vaddr in file. */
static void lookup(struct symbolizer *s, struct module *file, __u64 vaddr, struct cached *c)
{
	Dwarf_Addr at = vaddr + file->bias;
	const char *name, *src;
	GElf_Off symoff = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	c->serial = file->serial;
	c->vaddr = vaddr;
	name = dwfl_module_addrinfo(file->mod, at, &symoff, &sym, NULL, NULL, NULL);
	/* A sized symbol that ends before the address is a neighbour, not ours. */
	if (name && name[0] && !(sym.st_size && symoff >= sym.st_size)) {
		c->function = demangled(s, name);
		c->sym_start = vaddr - symoff;
		c->has_sym = c->function != NULL;
	}
	line = dwfl_module_getsrc(file->mod, at);
	if (line) {
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (src && lineno > 0) {
			c->file = intern(s, src);
			c->line = c->file ? lineno : 0;
		}
	}
}

int symbolizer__resolve(struct symbolizer *s, __u32 pid, __u64 ip, enum sw_ip_kind kind,
			struct sw_frame *f)
{
	const struct code_map *m;
	struct added_frame *a;
	struct proc *p;
	struct cached *c;
	__u64 vaddr, look;

	if (!f)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (!s)
		return -EINVAL;
	a = added_find(s, pid, ip, kind);
	if (a) {
		*f = a->f;
		return 0;
	}
	p = proc_find(s, pid);
	m = p ? map_find(p, ip) : NULL;
	if (!m || m->kind == MAP_ANON)
		return -ENOENT;
	f->module = m->name;
	f->offset = ip - m->start;
	if (m->kind != MAP_FILE)
		return 0;
	/* Without the ELF headers, the offset is into the file. */
	f->offset = ip - m->start + m->pgoff;
	if (!m->file->loads && !file_open(s, m->file, p->exited ? 0 : pid, m))
		return 0;
	if (!file_vaddr(m->file, ip - m->start + m->pgoff, &vaddr) || !vaddr)
		return 0;
	/* Module-relative from here on: what addr2line -e module takes. */
	f->offset = vaddr;
	look = kind == SW_IP_EXACT ? vaddr : vaddr - 1;
	c = &s->cache[hash_u64(m->file->serial * 0x9e3779b97f4a7c15ULL ^ look) % CACHE_SLOTS];
	if (c->serial != m->file->serial || c->vaddr != look) {
		if (!file_open(s, m->file, p->exited ? 0 : pid, m))
			return 0;
		lookup(s, m->file, look, c);
	}
	if (c->has_sym) {
		f->function = c->function;
		f->offset = vaddr - c->sym_start;
	}
	f->file = c->file;
	f->line = c->line;
	return 0;
}
