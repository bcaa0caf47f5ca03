// SPDX-License-Identifier: GPL-2.0
/*
 * inventory.c - read what shared memory exists now (see inventory.h).
 *
 * One pass in four steps: the memory filesystems of every mount namespace
 * (each namespace's mountinfo, read through one of its processes); the
 * files of the /dev/shm and hugetlbfs mounts among them, walked through
 * that process's root; the SysV segments of the reader's IPC namespace;
 * then every process's maps and fds, which give the holders, memfds, and
 * the memory-filesystem files mapped shared or held open after their
 * unlink.  A process that goes away half-way is skipped; one that cannot
 * be read (not root) is counted.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "inventory/inventory.h"
#include "lib/hash.h"
#include "lib/procfs.h"

#define WALK_DEPTH 8

struct collect {
	struct inventory *inv;
	const char *root; /* the procfs mount */
	__u32 own_mnt_ns;
	__u64 btime;	  /* boot time, seconds since the epoch (0: unknown) */
	long ticks;	  /* clock ticks per second */
	int err;	  /* of a callback that stopped a walk */
	bool own_only;	  /* inv_opts.own_files_only */
};

static __u64 file_key(__u32 dev, __u64 ino)
{
	return ino * 0x9e3779b97f4a7c15ULL ^ dev ^ (1ULL << 63);
}

static __u32 kdev(dev_t d)
{
	return major(d) << 20 | minor(d);
}

/* ---- objects and holders ------------------------------------------------ */

static struct inv_object *object_new(struct inventory *inv, enum inv_kind kind, __u64 key)
{
	struct inv_object *o;

	if (inv->n_objects == inv->cap_objects) {
		size_t cap = inv->cap_objects ? inv->cap_objects * 2 : 64;
		struct inv_object **p = realloc(inv->objects, cap * sizeof(*p));

		if (!p)
			return NULL;
		inv->objects = p;
		inv->cap_objects = cap;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->kind = kind;
	o->mount = -1;
	o->shmid = -1;
	o->node.key = key;
	hmap_put(&inv->by_id, &o->node);
	inv->objects[inv->n_objects++] = o;
	return o;
}

static struct inv_object *file_get(const struct inventory *inv, __u32 dev, __u64 ino)
{
	__u64 key = file_key(dev, ino);

	for (struct hnode *n = hmap_get(&inv->by_id, key); n; n = hmap_get_next(n)) {
		struct inv_object *o = hmap_entry(n, struct inv_object, node);

		if (o->kind != INV_SEGMENT && o->dev == dev && o->ino == ino)
			return o;
	}
	return NULL;
}

static struct inv_object *segment_get(const struct inventory *inv, __s32 shmid)
{
	for (struct hnode *n = hmap_get(&inv->by_id, (__u32)shmid); n; n = hmap_get_next(n)) {
		struct inv_object *o = hmap_entry(n, struct inv_object, node);

		if (o->kind == INV_SEGMENT && o->shmid == shmid)
			return o;
	}
	return NULL;
}

struct inv_holder *inventory_holder(struct inv_object *o, __u32 pid, const char *comm)
{
	struct inv_holder *h;

	/* A process's rows come one after another while it is read. */
	if (o->n_holders && o->holders[o->n_holders - 1].pid == pid)
		return &o->holders[o->n_holders - 1];
	if (o->n_holders == o->cap_holders) {
		int cap = o->cap_holders ? o->cap_holders * 2 : 4;
		struct inv_holder *p = realloc(o->holders, cap * sizeof(*p));

		if (!p)
			return NULL;
		o->holders = p;
		o->cap_holders = cap;
	}
	h = &o->holders[o->n_holders++];
	*h = (struct inv_holder){ .pid = pid };
	snprintf(h->comm, sizeof(h->comm), "%s", comm ? comm : "");
	return h;
}

/* ---- memory filesystems -------------------------------------------------- */

static bool memory_fstype(const char *fstype)
{
	return !strcmp(fstype, "tmpfs") || !strcmp(fstype, "hugetlbfs");
}

static int mount_of(const struct inventory *inv, __u32 dev)
{
	for (int i = 0; i < inv->n_mounts; i++)
		if (inv->mounts[i].dev == dev)
			return i;
	return -1;
}

/* The path of where as a process of the mount namespace sees it, from here. */
static void path_in(const struct collect *c, __u32 via_pid, const char *where, char *buf,
		    size_t len)
{
	if (via_pid)
		snprintf(buf, len, "%s/%u/root%s", c->root, via_pid, where);
	else
		snprintf(buf, len, "%s", where);
}

/* m as the mount namespace mnt_ns names it; false when the path shows
 * another device there (a mount that another covers shows the other
 * one's files). */
static bool fill_mount(struct collect *c, struct inv_mount *m, __u32 dev, const char *fstype,
		       const char *where, __u32 mnt_ns, __u32 via_pid)
{
	char path[4096];
	struct statvfs sv;
	struct stat st;

	path_in(c, via_pid, where, path, sizeof(path));
	if (stat(path, &st) || kdev(st.st_dev) != dev)
		return false;
	*m = (struct inv_mount){ .dev = dev, .mnt_ns = mnt_ns, .via_pid = via_pid };
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	snprintf(m->where, sizeof(m->where), "%s", where);
	m->walked = !strcmp(fstype, "hugetlbfs") || !strcmp(where, "/dev/shm");
	m->in_container = via_pid && !container_from_proc(c->root, via_pid, &m->container);
	if (!statvfs(path, &sv)) {
		m->size = (__u64)sv.f_blocks * sv.f_frsize;
		m->used = (__u64)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
	}
	return true;
}

static int add_mount(struct collect *c, __u32 dev, const char *fstype, const char *where,
		     __u32 mnt_ns, __u32 via_pid)
{
	struct inventory *inv = c->inv;
	struct inv_mount m;

	if (!fill_mount(c, &m, dev, fstype, where, mnt_ns, via_pid))
		return 0;
	if (inv->n_mounts == inv->cap_mounts) {
		int cap = inv->cap_mounts ? inv->cap_mounts * 2 : 8;
		struct inv_mount *p = realloc(inv->mounts, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		inv->mounts = p;
		inv->cap_mounts = cap;
	}
	inv->mounts[inv->n_mounts++] = m;
	return 0;
}

/*
 * A mount seen before under another name is some namespace's /dev/shm:
 * it is named as that namespace sees it, and its files are walked.  A
 * container's /dev/shm is such a mount: podman and docker mount it on
 * the host (.../userdata/shm, .../containers/ID/mounts/shm), and bind it
 * into the container's mount namespace at /dev/shm.
 */
static void rename_mount(struct collect *c, int i, const char *fstype, const char *where,
			 __u32 mnt_ns, __u32 via_pid)
{
	struct inv_mount *m = &c->inv->mounts[i], named;

	if (m->walked || strcmp(where, "/dev/shm"))
		return;
	if (fill_mount(c, &named, m->dev, fstype, where, mnt_ns, via_pid))
		*m = named;
}

/* "36 35 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=..." */
static int read_mountinfo(struct collect *c, const char *file, __u32 mnt_ns, __u32 via_pid)
{
	char *line = NULL, where[INV_PATH_LEN], fstype[16];
	unsigned int maj, min;
	size_t cap = 0;
	int ret = 0, i;
	FILE *f = fopen(file, "re");

	if (!f)
		return 0; /* the process went: another one may show the namespace */
	while (!ret && getline(&line, &cap, f) > 0) {
		char *dash = strstr(line, " - ");

		/* A longer mount point is cut, and then fails add_mount's stat. */
		if (!dash || sscanf(line, "%*u %*u %u:%u %*s %255s", &maj, &min, where) != 3 ||
		    sscanf(dash, " - %15s", fstype) != 1 || !memory_fstype(fstype))
			continue;
		procfs_unescape_octal(where);
		i = mount_of(c->inv, maj << 20 | min);
		if (i < 0)
			ret = add_mount(c, maj << 20 | min, fstype, where, mnt_ns, via_pid);
		else
			rename_mount(c, i, fstype, where, mnt_ns, via_pid);
	}
	free(line);
	fclose(f);
	return ret;
}

static __u32 mnt_ns_of(const char *root, const char *pid)
{
	char path[256], link[64];
	unsigned int inum = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/ns/mnt", root, pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	sscanf(link, "mnt:[%u]", &inum);
	return inum;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Each mount namespace's memory filesystems, the reader's first. */
static int read_mounts(struct collect *c)
{
	__u32 seen[256];
	int n_seen = 0, ret;
	char path[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/self/mountinfo", c->root);
	ret = read_mountinfo(c, path, 0, 0);
	if (ret || c->own_only)
		return ret;
	dir = opendir(c->root);
	if (!dir)
		return 0;
	while (!ret && (d = readdir(dir))) {
		__u32 ns;
		int i;

		if (!all_digits(d->d_name))
			continue;
		ns = mnt_ns_of(c->root, d->d_name);
		if (!ns || ns == c->own_mnt_ns)
			continue;
		for (i = 0; i < n_seen && seen[i] != ns; i++)
			;
		if (i < n_seen)
			continue;
		if (n_seen < (int)(sizeof(seen) / sizeof(seen[0])))
			seen[n_seen++] = ns;
		snprintf(path, sizeof(path), "%s/%s/mountinfo", c->root, d->d_name);
		ret = read_mountinfo(c, path, ns, (__u32)strtoul(d->d_name, NULL, 10));
	}
	closedir(dir);
	return ret;
}

/* ---- files on the walked mounts ------------------------------------------ */

static int add_file(struct collect *c, int mount, const char *path, const struct stat *st,
		    bool deleted)
{
	struct inv_object *o = object_new(c->inv, INV_FILE, file_key(kdev(st->st_dev), st->st_ino));

	if (!o)
		return -ENOMEM;
	o->mount = mount;
	o->dev = kdev(st->st_dev);
	o->ino = st->st_ino;
	o->size = st->st_size;
	o->allocated = (__u64)st->st_blocks * 512;
	o->uid = st->st_uid;
	o->deleted = deleted;
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (mount >= 0)
		c->inv->mounts[mount].files++;
	return 0;
}

/* dirfd is a directory of mount; shown is its name as its namespace says it. */
static int walk_dir(struct collect *c, int mount, int dirfd, const char *shown, int depth)
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *d;
	int ret = 0;

	if (!dir) {
		close(dirfd);
		return 0;
	}
	while (!ret && (d = readdir(dir))) {
		char name[INV_PATH_LEN * 2];
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    kdev(st.st_dev) != c->inv->mounts[mount].dev)
			continue;
		snprintf(name, sizeof(name), "%s/%s", shown, d->d_name);
		if (S_ISREG(st.st_mode)) {
			if (!file_get(c->inv, kdev(st.st_dev), st.st_ino))
				ret = add_file(c, mount, name, &st, false);
		} else if (S_ISDIR(st.st_mode) && depth < WALK_DEPTH) {
			int fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
							  O_CLOEXEC);

			if (fd >= 0)
				ret = walk_dir(c, mount, fd, name, depth + 1);
		}
	}
	closedir(dir);
	return ret;
}

static int walk_mounts(struct collect *c)
{
	for (int i = 0; i < c->inv->n_mounts; i++) {
		const struct inv_mount *m = &c->inv->mounts[i];
		char path[4096];
		int fd, ret;

		if (!m->walked)
			continue;
		path_in(c, m->via_pid, m->where, path, sizeof(path));
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ret = walk_dir(c, i, fd, strcmp(m->where, "/") ? m->where : "", 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- SysV segments ----------------------------------------------------------- */

static int add_segment(void *ctx, const struct procfs_segment *s)
{
	struct collect *c = ctx;
	struct inv_object *o = object_new(c->inv, INV_SEGMENT, (__u32)s->shmid);

	if (!o) {
		c->err = -ENOMEM;
		return 1;
	}
	o->shmid = s->shmid;
	o->key = s->key;
	o->size = s->size;
	o->nattch = s->nattch;
	o->removed = s->removed;
	o->cpid = s->cpid;
	o->lpid = s->lpid;
	o->uid = s->uid;
	o->ctime = s->ctime;
	o->rss = s->rss;
	o->swap = s->swap;
	o->allocated = s->rss + s->swap;
	return 0;
}

/* Seconds since the epoch at which pid started, 0 when unknown. */
static __u64 start_time(const struct collect *c, __u32 pid)
{
	char path[256], buf[1024], *p;
	unsigned long long ticks;
	ssize_t n;
	int fd;

	if (!c->btime || c->ticks <= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%u/stat", c->root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After the comm, which may hold anything: field 22 is the 20th. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &ticks) != 1)
		return 0;
	return c->btime + ticks / (unsigned long long)c->ticks;
}

/* A segment's creator lives if its pid does and started no later than
 * the segment's ctime: a younger process only reuses the pid. */
static void judge_creators(struct collect *c)
{
	for (size_t i = 0; i < c->inv->n_objects; i++) {
		struct inv_object *o = c->inv->objects[i];
		__u64 started;

		if (o->kind != INV_SEGMENT || !o->cpid)
			continue;
		procfs_read_comm(c->root, o->cpid, o->creator_comm, sizeof(o->creator_comm));
		if (!o->creator_comm[0])
			continue;
		started = start_time(c, o->cpid);
		o->creator_alive = !started || !o->ctime || started <= o->ctime + 1;
		if (!o->creator_alive)
			o->creator_comm[0] = '\0';
		else
			o->creator_in_container =
				!container_from_proc(c->root, o->cpid, &o->creator_container);
	}
}

static __u64 boot_time(const char *root)
{
	char path[256], line[256];
	unsigned long long btime = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stat", root);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return btime;
}

/* ---- processes ------------------------------------------------------------------ */

struct proc_ctx {
	struct collect *c;
	__u32 pid;
	char comm[SW_COMM_LEN];
	bool same_ipc_ns;
	/* Read at its first holding: most processes hold nothing. */
	bool container_read;
	bool in_container;
	struct container_ref container;
};

/* The object a file in a memory filesystem is, listed now if it is one
 * the inventory wants (a memfd, or a memory-filesystem file that is
 * deleted or lives on a walked mount); NULL otherwise. */
static struct inv_object *file_object(struct proc_ctx *pc, const char *path, bool deleted,
				      const char *stat_path, int *err)
{
	struct inventory *inv = pc->c->inv;
	struct inv_object *o;
	bool memfd = !strncmp(path, "/memfd:", 7);
	struct stat st;
	int mount;

	if (stat(stat_path, &st))
		return NULL;
	o = file_get(inv, kdev(st.st_dev), st.st_ino);
	if (o)
		return o;
	mount = mount_of(inv, kdev(st.st_dev));
	if (!memfd && (mount < 0 || (!deleted && !inv->mounts[mount].walked)))
		return NULL;
	if (memfd) {
		o = object_new(inv, INV_MEMFD, file_key(kdev(st.st_dev), st.st_ino));
		if (!o) {
			*err = -ENOMEM;
			return NULL;
		}
		o->dev = kdev(st.st_dev);
		o->ino = st.st_ino;
		o->size = st.st_size;
		o->allocated = (__u64)st.st_blocks * 512;
		o->uid = st.st_uid;
		o->deleted = true;
		snprintf(o->path, sizeof(o->path), "%s", path + 1);
		return o;
	}
	*err = add_file(pc->c, mount, path, &st, deleted);
	return *err ? NULL : inv->objects[inv->n_objects - 1];
}

/* pc's process holds o by a mapping (map) or an fd. */
static int count_holder(struct proc_ctx *pc, struct inv_object *o, bool map)
{
	struct inv_holder *h = inventory_holder(o, pc->pid, pc->comm);

	if (!h)
		return -ENOMEM;
	if (!pc->container_read) {
		pc->container_read = true;
		pc->in_container = !container_from_proc(pc->c->root, pc->pid, &pc->container);
	}
	if (!h->maps && !h->fds && pc->in_container) {
		h->in_container = true;
		h->container = pc->container;
	}
	if (map)
		h->maps++;
	else
		h->fds++;
	return 0;
}

static int read_maps(struct proc_ctx *pc)
{
	struct inventory *inv = pc->c->inv;
	char path[4096], *line = NULL;
	struct procfs_maps_line l;
	size_t cap = 0;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", pc->c->root, pc->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == EACCES ? -EACCES : 0;
	while (!err && getline(&line, &cap, f) > 0) {
		struct inv_object *o = NULL;

		if (!procfs_parse_maps_line(line, &l) || strlen(l.perms) < 4)
			continue;
		if (!strncmp(l.path, "/SYSV", 5)) {
			if (pc->same_ipc_ns)
				o = segment_get(inv, (__s32)l.ino);
		} else if (l.perms[3] == 's' && l.path[0] == '/') {
			o = file_get(inv, l.major << 20 | l.minor, l.ino);
			if (!o && (mount_of(inv, l.major << 20 | l.minor) >= 0 ||
				   !strncmp(l.path, "/memfd:", 7))) {
				char mf[4096];

				snprintf(mf, sizeof(mf), "%s/%u/map_files/%llx-%llx", pc->c->root,
					 pc->pid, (unsigned long long)l.start,
					 (unsigned long long)l.end);
				o = file_object(pc, l.path, l.deleted, mf, &err);
			}
		}
		if (o)
			err = count_holder(pc, o, true);
	}
	free(line);
	fclose(f);
	return err;
}

static int read_fds(struct proc_ctx *pc)
{
	char dirpath[256], fdpath[512], link[4096];
	struct dirent *d;
	int err = 0;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "%s/%u/fd", pc->c->root, pc->pid);
	dir = opendir(dirpath);
	if (!dir)
		return errno == EACCES ? -EACCES : 0;
	while (!err && (d = readdir(dir))) {
		struct inv_object *o;
		bool deleted;
		ssize_t n;
		size_t k;

		if (!all_digits(d->d_name))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", dirpath, d->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0 || link[0] != '/')
			continue; /* sockets, pipes, anon inodes */
		link[n] = '\0';
		k = strlen(" (deleted)");
		deleted = (size_t)n > k && !strcmp(link + n - k, " (deleted)");
		if (deleted)
			link[n - k] = '\0';
		o = file_object(pc, link, deleted, fdpath, &err);
		if (o)
			err = count_holder(pc, o, false);
	}
	closedir(dir);
	return err;
}

static int read_processes(struct collect *c)
{
	struct inventory *inv = c->inv;
	struct dirent *d;
	int ret = 0;
	DIR *dir = opendir(c->root);

	if (!dir)
		return 0;
	while (!ret && (d = readdir(dir))) {
		struct proc_ctx pc = { .c = c };
		int r1, r2;

		if (!all_digits(d->d_name))
			continue;
		pc.pid = (__u32)strtoul(d->d_name, NULL, 10);
		procfs_read_comm(c->root, pc.pid, pc.comm, sizeof(pc.comm));
		if (!pc.comm[0])
			continue; /* gone */
		inv->procs_seen++;
		pc.same_ipc_ns = procfs_ipc_ns(c->root, pc.pid) == inv->ipc_ns;
		r1 = read_maps(&pc);
		r2 = read_fds(&pc);
		if ((r1 == -EACCES || r2 == -EACCES) && !inv->procs_unreadable++)
			inv->first_unreadable = pc.pid;
		ret = r1 == -ENOMEM ? r1 : r2 == -ENOMEM ? r2 : 0;
	}
	closedir(dir);
	return ret;
}

int inventory__collect(struct inventory *inv, const struct inv_opts *o)
{
	struct collect c = { .inv = inv, .root = procfs_root(o ? o->proc_root : NULL) };
	int ret;

	memset(inv, 0, sizeof(*inv));
	if (hmap_init(&inv->by_id, 1024))
		return -ENOMEM;
	c.own_mnt_ns = mnt_ns_of(c.root, "self");
	c.btime = boot_time(c.root);
	c.ticks = sysconf(_SC_CLK_TCK);
	inv->ipc_ns = procfs_ipc_ns(c.root, 0);
	c.own_only = o && o->own_files_only;
	ret = read_mounts(&c);
	if (!ret)
		ret = walk_mounts(&c);
	if (!ret && c.own_only)
		return 0;
	if (!ret) {
		int n = procfs_read_segments(c.root, add_segment, &c);

		ret = c.err;
		if (n < 0)
			inv->segments_error = n;
	}
	if (!ret)
		ret = read_processes(&c);
	if (ret)
		return ret;
	judge_creators(&c);
	inventory_judge(inv);
	inventory_sort(inv);
	return 0;
}

void inventory__free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n_objects; i++) {
		free(inv->objects[i]->holders);
		free(inv->objects[i]);
	}
	free(inv->objects);
	free(inv->mounts);
	hmap_fini(&inv->by_id);
	memset(inv, 0, sizeof(*inv));
}
