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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
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

/* ---- a small intrusive chained hash table ---- */

struct hnode {
	struct hnode *next;
	__u64 hash;
};

struct htab {
	struct hnode **b;
	size_t nb, n;
};

static __u64 hash_u64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static __u64 hash_str(const char *s, __u64 h)
{
	h ^= 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static int htab_grow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64, i;
	struct hnode **b = calloc(nb, sizeof(*b)), *e, *next;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < t->nb; i++) {
		for (e = t->b[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

/* First node of hash's chain; callers walk ->next comparing keys. */
static struct hnode *htab_chain(const struct htab *t, __u64 hash)
{
	return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}

static int htab_add(struct htab *t, struct hnode *e, __u64 hash)
{
	if (t->n >= t->nb && htab_grow(t))
		return -ENOMEM;
	e->hash = hash;
	e->next = t->b[hash & (t->nb - 1)];
	t->b[hash & (t->nb - 1)] = e;
	t->n++;
	return 0;
}

static void htab_del(struct htab *t, struct hnode *e)
{
	struct hnode **p;

	for (p = &t->b[e->hash & (t->nb - 1)]; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			t->n--;
			return;
		}
	}
}

/* Free every node; the hnode must be the first member of each. */
static void htab_free_all(struct htab *t)
{
	struct hnode *e, *next;
	size_t i;

	for (i = 0; i < t->nb; i++) {
		for (e = t->b[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/* ---- state ---- */

struct istr {
	struct hnode h;
	char s[];
};

/* A PT_LOAD header: file offsets [off, off + filesz) sit at vaddr. */
struct sw_load {
	__u64 off, vaddr, filesz;
};

/* One ELF file, shared by every process that maps it. */
struct sw_file {
	struct hnode h;
	const char *path; /* as the maps name it (interned) */
	__u64 dev, ino;	  /* from the maps: the identity */
	__u64 serial;	  /* never reused, unlike the pointer: the cache key */
	int refs;	  /* mappings of kept processes */
	bool broken;	  /* not an ELF we can read: module+offset only */
	bool absent;	  /* not found by path once the process was gone */
	Dwfl *dwfl;	  /* NULL while closed */
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct sw_load *loads;
	int n_loads;
	struct sw_file *lru_prev, *lru_next; /* open files, most recent first */
};

enum map_kind { MAP_FILE, MAP_PSEUDO, MAP_ANON };

struct sw_map {
	__u64 start, end, pgoff;
	enum map_kind kind;
	struct sw_file *file; /* MAP_FILE */
	const char *name;     /* file path or "[vdso]"; NULL for anonymous code */
};

struct sw_proc {
	struct hnode h;
	__u32 pid;
	bool exited;
	struct sw_map *maps; /* sorted by start, disjoint */
	int n_maps;
	__u64 missing[MAX_MISSING]; /* ips no map covered right after a read */
	int n_missing, next_missing;
	struct sw_proc *ex_prev, *ex_next; /* exited, oldest first */
};

struct sw_added {
	struct hnode h;
	__u32 pid;
	enum sw_ip_kind kind;
	struct sw_frame f;
};

/* A recent result, keyed by file and the ELF address looked up. */
struct sw_cached {
	__u64 serial, vaddr, sym_start;
	const char *function, *file;
	int line;
	bool has_sym;
};

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

struct symbolizer {
	char *proc_root;
	struct htab strs, files, procs, added;
	struct sw_proc *ex_head, *ex_tail;
	int n_exited;
	struct sw_file *lru_head, *lru_tail;
	int n_open;
	__u64 next_serial;
	struct sw_cached *cache;
	void *libstdcxx;
	demangle_fn demangle;
	bool demangle_tried;
	char *debuginfo_path; /* NULL: libdwfl's default search path */
	Dwfl_Callbacks callbacks;
};

/* ---- strings ---- */

static const char *intern(struct symbolizer *s, const char *str)
{
	__u64 h;
	struct hnode *e;
	struct istr *is;
	size_t len;

	if (!str)
		return NULL;
	h = hash_str(str, 0);
	for (e = htab_chain(&s->strs, h); e; e = e->next) {
		is = (struct istr *)e;
		if (e->hash == h && !strcmp(is->s, str))
			return is->s;
	}
	len = strlen(str);
	is = malloc(sizeof(*is) + len + 1);
	if (!is)
		return NULL;
	memcpy(is->s, str, len + 1);
	if (htab_add(&s->strs, &is->h, h)) {
		free(is);
		return NULL;
	}
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

static void lru_unlink(struct symbolizer *s, struct sw_file *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		s->lru_head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		s->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_push(struct symbolizer *s, struct sw_file *f)
{
	f->lru_prev = NULL;
	f->lru_next = s->lru_head;
	if (s->lru_head)
		s->lru_head->lru_prev = f;
	else
		s->lru_tail = f;
	s->lru_head = f;
}

static void file_close(struct symbolizer *s, struct sw_file *f)
{
	if (!f->dwfl)
		return;
	lru_unlink(s, f);
	dwfl_end(f->dwfl);
	f->dwfl = NULL;
	f->mod = NULL;
	s->n_open--;
}

static __u64 file_hash(const char *path, __u64 dev, __u64 ino)
{
	return hash_str(path, hash_u64(dev * 31 + ino));
}

static struct sw_file *file_get(struct symbolizer *s, const char *path, __u64 dev, __u64 ino)
{
	__u64 h = file_hash(path, dev, ino);
	struct sw_file *f;
	struct hnode *e;

	for (e = htab_chain(&s->files, h); e; e = e->next) {
		f = (struct sw_file *)e;
		if (e->hash == h && f->dev == dev && f->ino == ino && !strcmp(f->path, path)) {
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
	if (!f->path || htab_add(&s->files, &f->h, h)) {
		free(f);
		return NULL;
	}
	return f;
}

static void file_put(struct symbolizer *s, struct sw_file *f)
{
	if (!f || --f->refs > 0)
		return;
	file_close(s, f);
	htab_del(&s->files, &f->h);
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
static int open_for(struct symbolizer *s, const struct sw_file *f, __u32 pid,
		    const struct sw_map *m)
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

static int read_loads(struct sw_file *f, Elf *elf)
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
		f->loads[f->n_loads++] = (struct sw_load){ph.p_offset, ph.p_vaddr, ph.p_filesz};
	}
	return f->n_loads ? 0 : -EINVAL;
}

/* Open f's Dwfl if it is closed; false when the file cannot be used. */
static bool file_open(struct symbolizer *s, struct sw_file *f, __u32 pid, const struct sw_map *m)
{
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	int fd;

	if (f->dwfl) {
		lru_unlink(s, f);
		lru_push(s, f);
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
	lru_push(s, f);
	if (++s->n_open > MAX_OPEN)
		file_close(s, s->lru_tail);
	return true;
}

/* The ELF address of file offset off; false when no PT_LOAD holds it. */
static bool file_vaddr(const struct sw_file *f, __u64 off, __u64 *vaddr)
{
	int i;

	for (i = 0; i < f->n_loads; i++) {
		const struct sw_load *l = &f->loads[i];

		if (off >= l->off && off - l->off < l->filesz) {
			*vaddr = l->vaddr + (off - l->off);
			return true;
		}
	}
	return false;
}

/* ---- processes ---- */

static struct sw_proc *proc_find(struct symbolizer *s, __u32 pid)
{
	__u64 h = hash_u64(pid);
	struct hnode *e;

	for (e = htab_chain(&s->procs, h); e; e = e->next)
		if (((struct sw_proc *)e)->pid == pid)
			return (struct sw_proc *)e;
	return NULL;
}

static struct sw_proc *proc_get(struct symbolizer *s, __u32 pid)
{
	struct sw_proc *p = proc_find(s, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	if (htab_add(&s->procs, &p->h, hash_u64(pid))) {
		free(p);
		return NULL;
	}
	return p;
}

static void maps_free(struct symbolizer *s, struct sw_map *maps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		file_put(s, maps[i].file);
	free(maps);
}

static void exited_unlink(struct symbolizer *s, struct sw_proc *p)
{
	if (!p->exited)
		return;
	if (p->ex_prev)
		p->ex_prev->ex_next = p->ex_next;
	else
		s->ex_head = p->ex_next;
	if (p->ex_next)
		p->ex_next->ex_prev = p->ex_prev;
	else
		s->ex_tail = p->ex_prev;
	p->ex_prev = p->ex_next = NULL;
	p->exited = false;
	s->n_exited--;
}

static void proc_free(struct symbolizer *s, struct sw_proc *p)
{
	exited_unlink(s, p);
	htab_del(&s->procs, &p->h);
	maps_free(s, p->maps, p->n_maps);
	free(p);
}

static const struct sw_map *map_find(const struct sw_proc *p, __u64 ip)
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

static bool is_missing(const struct sw_proc *p, __u64 ip)
{
	int i;

	for (i = 0; i < p->n_missing; i++)
		if (p->missing[i] == ip)
			return true;
	return false;
}

static void add_missing(struct sw_proc *p, __u64 ip)
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
static bool needs_read(const struct sw_proc *p, const __u64 *ips, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (user_ip(ips[i]) && !map_find(p, ips[i]) && !is_missing(p, ips[i]))
			return true;
	return false;
}

static int cmp_map(const void *a, const void *b)
{
	const struct sw_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* One executable line of maps into m (file reference taken); false to skip. */
static bool parse_line(struct symbolizer *s, char *line, struct sw_map *m)
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

static int read_maps(struct symbolizer *s, __u32 pid, struct sw_map **out, int *n_out)
{
	char path[4096], *line = NULL;
	struct sw_map *maps = NULL, *grown;
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
static bool overlaps_any(const struct sw_map *maps, int n, const struct sw_map *m)
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
static void merge_maps(struct symbolizer *s, struct sw_proc *p, struct sw_map *fresh, int n)
{
	struct sw_map *all;
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
static void open_hit_files(struct symbolizer *s, struct sw_proc *p, const __u64 *ips, int n)
{
	const struct sw_map *m;
	int i;

	for (i = 0; i < n; i++) {
		m = user_ip(ips[i]) ? map_find(p, ips[i]) : NULL;
		if (m && m->kind == MAP_FILE && !m->file->dwfl && !m->file->broken)
			file_open(s, m->file, p->pid, m);
	}
}

/* ---- API ---- */

struct symbolizer *symbolizer__new(const char *proc_root)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->proc_root = strdup(proc_root && proc_root[0] ? proc_root : "/proc");
	s->cache = calloc(CACHE_SLOTS, sizeof(*s->cache));
	if (!s->proc_root || !s->cache) {
		free(s->proc_root);
		free(s->cache);
		free(s);
		return NULL;
	}
	s->callbacks.find_elf = dwfl_build_id_find_elf;
	s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	s->callbacks.section_address = dwfl_offline_section_address;
	s->callbacks.debuginfo_path = &s->debuginfo_path;
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	struct hnode *e, *next;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->procs.nb; i++) {
		for (e = s->procs.b[i]; e; e = next) {
			next = e->next;
			proc_free(s, (struct sw_proc *)e);
		}
	}
	free(s->procs.b);
	/* proc_free dropped every file reference, so files are gone too. */
	for (i = 0; i < s->files.nb; i++) {
		for (e = s->files.b[i]; e; e = next) {
			next = e->next;
			file_close(s, (struct sw_file *)e);
			free(((struct sw_file *)e)->loads);
		}
	}
	htab_free_all(&s->files);
	htab_free_all(&s->added);
	htab_free_all(&s->strs);
	if (s->libstdcxx)
		dlclose(s->libstdcxx);
	free(s->cache);
	free(s->proc_root);
	free(s);
}

int symbolizer__note(struct symbolizer *s, __u32 pid, const __u64 *ips, int n)
{
	struct sw_map *fresh;
	struct sw_proc *p;
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
		      struct sw_map **out)
{
	struct sw_map *one = calloc(1, sizeof(*one));

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
	struct sw_map *one;
	struct sw_proc *p;
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
	struct sw_proc *pp = s ? proc_find(s, parent) : NULL, *c;
	struct sw_map *copy;
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
	struct sw_proc *p = s ? proc_find(s, pid) : NULL;

	if (!p || p->exited)
		return;
	p->exited = true;
	p->ex_prev = s->ex_tail;
	if (s->ex_tail)
		s->ex_tail->ex_next = p;
	else
		s->ex_head = p;
	s->ex_tail = p;
	if (++s->n_exited > MAX_EXITED)
		proc_free(s, s->ex_head);
}

static __u64 added_hash(__u32 pid, __u64 ip, enum sw_ip_kind kind)
{
	return hash_u64(ip ^ ((__u64)pid << 48) ^ pid ^ ((__u64)kind << 47));
}

static struct sw_added *added_find(struct symbolizer *s, __u32 pid, __u64 ip, enum sw_ip_kind kind)
{
	__u64 h = added_hash(pid, ip, kind);
	struct hnode *e;

	for (e = htab_chain(&s->added, h); e; e = e->next) {
		struct sw_added *a = (struct sw_added *)e;

		if (e->hash == h && a->pid == pid && a->f.ip == ip && a->kind == kind)
			return a;
	}
	return NULL;
}

int symbolizer__add_frame(struct symbolizer *s, __u32 pid, enum sw_ip_kind kind,
			  const struct sw_frame *f)
{
	struct sw_added *a;

	if (!s || !f)
		return -EINVAL;
	a = added_find(s, pid, f->ip, kind);
	if (!a) {
		if (s->added.n >= MAX_ADDED)
			return -ENOSPC;
		a = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->pid = pid;
		a->kind = kind;
		if (htab_add(&s->added, &a->h, added_hash(pid, f->ip, kind))) {
			free(a);
			return -ENOMEM;
		}
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
static void lookup(struct symbolizer *s, struct sw_file *file, __u64 vaddr, struct sw_cached *c)
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
	const struct sw_map *m;
	struct sw_added *a;
	struct sw_proc *p;
	struct sw_cached *c;
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
