// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - the ELF files of module.h: finding the file a process
 * mapped (through its root, on the host, in an image store) and its debug
 * file, one Dwfl each (at most MAX_OPEN open, the least recently used
 * closed and reopened when needed again), the PT_LOAD headers that turn a
 * file offset into an ELF address, and symbol and line lookup with C++
 * names demangled.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <elfutils/libdwelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sym/module.h"

#define MAX_OPEN 256

/* __cxa_demangle when libstdc++ can be found; the raw name otherwise. */
static const char *demangled(struct modules *ms, const char *name)
{
	char *d;
	const char *r;
	int status = -1;

	if (strncmp(name, "_Z", 2))
		return strtab_intern(ms->strs, name);
	if (!ms->demangle_tried) {
		ms->demangle_tried = true;
		ms->demangle = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
		if (!ms->demangle) {
			ms->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
			if (ms->libstdcxx)
				ms->demangle = (demangle_fn)dlsym(ms->libstdcxx, "__cxa_demangle");
		}
	}
	if (!ms->demangle)
		return strtab_intern(ms->strs, name);
	d = ms->demangle(name, NULL, NULL, &status);
	r = strtab_intern(ms->strs, status == 0 && d ? d : name);
	free(d);
	return r;
}

static void module_close(struct modules *ms, struct module *f)
{
	if (!f->dwfl)
		return;
	list_del(&f->lru);
	dwfl_end(f->dwfl);
	f->dwfl = NULL;
	f->mod = NULL;
	ms->n_open--;
}

struct module *module_get(struct modules *ms, const char *path, __u64 dev, __u64 ino)
{
	__u64 h = strtab_hash(path);
	struct module *f;
	struct hnode *e;

	for (e = hmap_get(&ms->map, h); e; e = hmap_get_next(e)) {
		f = hmap_entry(e, struct module, node);
		if (f->dev == dev && f->ino == ino && !strcmp(f->path, path)) {
			f->refs++;
			return f;
		}
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strtab_intern(ms->strs, path);
	f->dev = dev;
	f->ino = ino;
	f->serial = ++ms->next_serial;
	f->refs = 1;
	list_init(&f->lru);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->node.key = h;
	hmap_put(&ms->map, &f->node);
	return f;
}

void module_put(struct modules *ms, struct module *f)
{
	if (!f || --f->refs > 0)
		return;
	module_close(ms, f);
	hmap_del(&ms->map, &f->node);
	free(f->loads);
	free(f);
}

/* A debug file at path whose build-id is id[0..n). */
static int open_debug(const char *path, const unsigned char *id, int n)
{
	const void *got;
	struct stat st;
	bool ok;
	Elf *elf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	elf = fstat(fd, &st) || !S_ISREG(st.st_mode) ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
	ok = elf && dwelf_elf_gnu_build_id(elf, &got) == n && !memcmp(got, id, n);
	elf_end(elf);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The debug file of a module found in tree root (a process's root, an
 * image layer), where the host's search path cannot reach: by build-id,
 * then by .gnu_debuglink in gdb's places.  Only a file of the module's
 * build-id is taken, so one without a build-id gets none from here.
 */
static int debug_in_root(Dwfl_Module *mod, const char *root, const char *file_name,
			 const char *debuglink, char **found)
{
	static const char *const places[] = {"%s%s/%s", "%s%s/.debug/%s", "%s/usr/lib/debug%s/%s"};
	const unsigned char *id;
	char path[PATH_MAX + 512], dir[PATH_MAX];
	const char *slash;
	GElf_Addr at;
	int n, fd, k;

	n = dwfl_module_build_id(mod, &id, &at);
	if (n <= 0 || n > 64)
		return -1;
	k = snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%02x/", root, id[0]);
	for (int i = 1; i < n && k < (int)sizeof(path) - 16; i++)
		k += snprintf(path + k, sizeof(path) - k, "%02x", id[i]);
	snprintf(path + k, sizeof(path) - k, ".debug");
	fd = open_debug(path, id, n);
	slash = file_name ? strrchr(file_name, '/') : NULL;
	if (fd < 0 && debuglink && debuglink[0] && !strchr(debuglink, '/') && slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file_name), file_name);
		for (size_t i = 0; i < sizeof(places) / sizeof(places[0]) && fd < 0; i++) {
			snprintf(path, sizeof(path), places[i], root, dir, debuglink);
			fd = open_debug(path, id, n);
		}
	}
	if (fd >= 0)
		*found = strdup(path);
	return fd;
}

/* libdwfl's find_debuginfo: the tree the module was found in first, then
 * the host's search path (which checks build-id or CRC itself). */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			  const char *file_name, const char *debuglink, GElf_Word crc, char **found)
{
	struct modules *ms = *userdata;
	int fd = -1;

	if (ms && ms->open_root && ms->open_root[0])
		fd = debug_in_root(mod, ms->open_root, file_name, debuglink, found);
	if (fd >= 0)
		return fd;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink, crc,
					    found);
}

int modules_init(struct modules *ms, const char *proc_root, struct strtab *strs)
{
	memset(ms, 0, sizeof(*ms));
	if (hmap_init(&ms->map, 64))
		return -ENOMEM;
	list_init(&ms->lru);
	ms->proc_root = proc_root;
	ms->strs = strs;
	ms->callbacks.find_elf = dwfl_build_id_find_elf;
	ms->callbacks.find_debuginfo = find_debuginfo;
	ms->callbacks.section_address = dwfl_offline_section_address;
	ms->callbacks.debuginfo_path = &ms->debuginfo_path;
	return 0;
}

int modules_add_store(struct modules *ms, const char *dir, const char *sub)
{
	if (ms->n_stores >= MAX_STORES)
		return -ENOSPC;
	ms->stores[ms->n_stores].dir = strtab_intern(ms->strs, dir);
	ms->stores[ms->n_stores].sub = strtab_intern(ms->strs, sub);
	if (!ms->stores[ms->n_stores].dir || !ms->stores[ms->n_stores].sub)
		return -ENOMEM;
	ms->n_stores++;
	return 0;
}

void modules_fini(struct modules *ms)
{
	struct hmap_iter it;
	struct hnode *e;

	hmap_iter_init(&it, &ms->map);
	while ((e = hmap_iter_next(&it))) {
		struct module *f = hmap_entry(e, struct module, node);

		module_close(ms, f);
		free(f->loads);
		free(f);
	}
	hmap_fini(&ms->map);
	if (ms->libstdcxx)
		dlclose(ms->libstdcxx);
}

/* How an open is checked against the module it is for. */
enum identity {
	ID_NONE,   /* the mapping itself (map_files) */
	ID_INO,	   /* the process's own view: its inode (an overlay's device
		    * is not the one the kernel names) */
	ID_DEVINO, /* anywhere else: device and inode */
};

static bool same_file(const struct module *f, const struct stat *st, enum identity id)
{
	if (id == ID_NONE || !f->ino)
		return true;
	if ((__u64)st->st_ino != f->ino && (__u64)st->st_ino != f->opened_ino)
		return false;
	return id == ID_INO || ((__u64)st->st_dev == f->dev && (__u64)st->st_ino == f->ino) ||
	       ((__u64)st->st_dev == f->opened_dev && (__u64)st->st_ino == f->opened_ino);
}

/* A regular file that is f's, as id checks it; its stat in st. */
static int open_checked(const char *path, const struct module *f, enum identity id, struct stat *st)
{
	int fd;

	/* O_NONBLOCK: a FIFO in a fake tree must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) || !same_file(f, st, id)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * f in one layer of an image store: a container that is gone (or whose
 * root cannot be reached) left its image, and the kernel named the
 * layer's own file.  One readdir per store, once per module that nothing
 * else found.
 */
static int open_in_stores(struct modules *ms, struct module *f, char *root, size_t len,
			  struct stat *st)
{
	char buf[PATH_MAX + 512];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	if (f->not_in_stores)
		return -1;
	for (int i = 0; i < ms->n_stores && fd < 0; i++) {
		d = opendir(ms->stores[i].dir);
		while (d && fd < 0 && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(root, len, "%s/%s/%s", ms->stores[i].dir, de->d_name,
				 ms->stores[i].sub);
			snprintf(buf, sizeof(buf), "%s%s", root, f->path);
			fd = open_checked(buf, f, ID_DEVINO, st);
		}
		if (d)
			closedir(d);
	}
	f->not_in_stores = fd < 0;
	return fd;
}

/*
 * The file as the process sees it: through its root (containers), then by
 * path on the host (ours, then pid 1's), then through map_files (deleted files; needs
 * privileges), then in the image stores.  Each must still be the inode
 * the process mapped, or a rebuilt binary, or the host's namesake of a
 * container's file, would give wrong names.  pid 0: the process is gone.
 * root: the tree the file was found in, "" for the host's.
 */
static int open_for(struct modules *ms, struct module *f, __u32 pid, __u64 start, __u64 end,
		    char *root, size_t len, struct stat *st)
{
	char buf[PATH_MAX + 64];
	int fd = -1;

	if (pid) {
		snprintf(root, len, "%s/%u/root", ms->proc_root, pid);
		snprintf(buf, sizeof(buf), "%s%s", root, f->path);
		fd = open_checked(buf, f, ID_INO, st);
	}
	if (fd < 0) {
		root[0] = '\0';
		fd = open_checked(f->path, f, ID_DEVINO, st);
	}
	/* shmwatch in a container of its own with the host's PID namespace:
	 * the host's files are in the root of its pid 1. */
	if (fd < 0) {
		snprintf(root, len, "%s/1/root", ms->proc_root);
		snprintf(buf, sizeof(buf), "%s%s", root, f->path);
		fd = open_checked(buf, f, ID_DEVINO, st);
	}
	if (fd < 0 && pid && end) {
		snprintf(root, len, "%s/%u/root", ms->proc_root, pid);
		snprintf(buf, sizeof(buf), "%s/%u/map_files/%llx-%llx", ms->proc_root, pid,
			 (unsigned long long)start, (unsigned long long)end);
		fd = open_checked(buf, f, ID_NONE, st);
	}
	if (fd < 0)
		fd = open_in_stores(ms, f, root, len, st);
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

/*
 * Whether mod is the file f's first open found (then f is
 * remembered as it): the same build-id, or none both times.
 */
static bool same_build(struct module *f, Dwfl_Module *mod, const struct stat *st)
{
	const unsigned char *id;
	GElf_Addr at;
	int n = dwfl_module_build_id(mod, &id, &at);

	if (n < 0)
		n = 0;
	if (n > BUILD_ID_MAX)
		n = BUILD_ID_MAX;
	if (f->opened_ino)
		return n == f->build_id_len && !memcmp(id, f->build_id, n);
	f->opened_dev = st->st_dev;
	f->opened_ino = st->st_ino;
	f->build_id_len = n;
	memcpy(f->build_id, id, n);
	return true;
}

bool module_open(struct modules *ms, struct module *f, __u32 pid, __u64 start, __u64 end)
{
	char root[PATH_MAX];
	Dwarf_Addr dwbias;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct stat st;
	void **ud;
	Elf *elf;
	int fd;

	if (f->dwfl) {
		list_del(&f->lru);
		list_add(&ms->lru, &f->lru);
		return true;
	}
	if (f->broken || (f->absent && !pid))
		return false;
	fd = open_for(ms, f, pid, start, end, root, sizeof(root), &st);
	if (fd < 0) {
		/* A live process that maps it may still open it for us. */
		f->absent = !pid;
		return false;
	}
	dwfl = dwfl_begin(&ms->callbacks);
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
	if (!same_build(f, mod, &st)) {
		dwfl_end(dwfl);
		f->absent = !pid;
		return false;
	}
	/* Found in a tree that may go (a process's root, an image layer):
	 * its debug file now, while the tree is there. */
	if (root[0] && dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL)) {
		*ud = ms;
		ms->open_root = root;
		dwfl_module_getdwarf(mod, &dwbias);
		dwfl_module_getsymtab(mod);
		ms->open_root = NULL;
	}
	f->dwfl = dwfl;
	f->mod = mod;
	list_add(&ms->lru, &f->lru);
	if (++ms->n_open > MAX_OPEN)
		module_close(ms, list_entry(list_last(&ms->lru), struct module, lru));
	return true;
}

void module_lookup(struct modules *ms, struct module *file, __u64 vaddr, struct sym_info *c)
{
	Dwarf_Addr at = vaddr + file->bias;
	const char *name, *src;
	GElf_Off symoff = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	name = dwfl_module_addrinfo(file->mod, at, &symoff, &sym, NULL, NULL, NULL);
	/* A sized symbol that ends before the address is a neighbour, not ours. */
	if (name && name[0] && !(sym.st_size && symoff >= sym.st_size)) {
		c->function = demangled(ms, name);
		c->sym_start = vaddr - symoff;
		c->has_sym = c->function != NULL;
	}
	line = dwfl_module_getsrc(file->mod, at);
	if (line) {
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (src && lineno > 0) {
			c->file = strtab_intern(ms->strs, src);
			c->line = c->file ? lineno : 0;
		}
	}
}
