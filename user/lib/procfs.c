// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - the /proc parsers: PID/maps, sysvipc/shm, PID/stat and
 * status, PID/comm.  Only reads files; what the entries mean to the
 * analyzer is analyzer/seed.c's and checkstate.c's business.
 *
 * How /proc/PID/maps names shared memory:
 *   /SYSV<key, 8 hex digits> (deleted)   a SysV attachment; inode = shmid
 *   /dev/zero (deleted)                  MAP_SHARED|MAP_ANONYMOUS
 *   /memfd:NAME (deleted)                a memfd_create object
 *   /anon_hugepage (deleted)             an anonymous hugetlb mapping
 *   /dev/shm/NAME                        POSIX shm (tmpfs)
 * Anything else with 's' in the perms is a shared file mapping.
 */
#include <errno.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kabi.h"
#include "lib/procfs.h"

const char *procfs_root(const char *proc_root)
{
	return proc_root && proc_root[0] ? proc_root : "/proc";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Cut " (deleted)" off path; was it there? */
static bool strip_deleted(char *path)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path), k = sizeof(suffix) - 1;

	if (n < k || strcmp(path + n - k, suffix))
		return false;
	path[n - k] = '\0';
	return true;
}

static void set_name(struct procfs_mapping *m, const char *name)
{
	snprintf(m->name, sizeof(m->name), "%s", name);
}

/* Fill backing, shmid and name from the path; false to skip the line. */
static bool classify(struct procfs_mapping *m, char *path, bool shared)
{
	const char *base;

	if (has_prefix(path, "/SYSV")) {
		m->backing = SW_BK_SYSV;
		m->shmid = (__s32)m->ino;
		set_name(m, path + 1);
		return true;
	}
	if (!shared || path[0] != '/')
		return false;
	if (!strcmp(path, "/dev/zero")) {
		m->backing = SW_BK_ANON_SHARED;
		set_name(m, "dev/zero");
	} else if (has_prefix(path, "/memfd:")) {
		m->backing = SW_BK_MEMFD;
		set_name(m, path + 1);
	} else if (has_prefix(path, "/anon_hugepage")) {
		m->backing = SW_BK_HUGETLB;
		set_name(m, path + 1);
	} else {
		m->backing = has_prefix(path, "/dev/shm/") ? SW_BK_SHMEM_FILE : SW_BK_FILE_SHARED;
		base = strrchr(path, '/');
		set_name(m, base + 1);
	}
	return true;
}

/* "start-end perms offset major:minor inode   path" */
void procfs_unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

bool procfs_parse_maps_line(char *line, struct procfs_maps_line *l)
{
	unsigned long long start, end, off, ino;
	int at = 0;
	size_t n;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, l->perms, &off,
		   &l->major, &l->minor, &ino, &at) < 7 || !at)
		return false;
	l->start = start;
	l->end = end;
	l->offset = off;
	l->ino = ino;
	l->path = line + at;
	n = strlen(l->path);
	while (n && (l->path[n - 1] == '\n' || l->path[n - 1] == ' '))
		l->path[--n] = '\0';
	l->deleted = strip_deleted(l->path);
	return true;
}

/* A SysV attachment or shared mapping of one maps line; false to skip. */
static bool parse_maps_line(char *line, __u32 pid, struct procfs_mapping *m)
{
	struct procfs_maps_line l;

	if (!procfs_parse_maps_line(line, &l))
		return false;
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->start = l.start;
	m->end = l.end;
	m->ino = l.ino;
	m->dev = l.major << 20 | l.minor; /* as the kernel's events say it */
	m->offset = l.offset;
	m->shmid = -1;
	return strlen(l.perms) >= 4 && classify(m, l.path, l.perms[3] == 's');
}

void procfs_read_comm(const char *proc_root, __u32 pid, char *comm, size_t len)
{
	const char *root = procfs_root(proc_root);
	char path[4096];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/%u/comm", root, pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

int procfs_read_maps(const char *proc_root, __u32 pid, procfs_mapping_fn fn, void *ctx)
{
	char path[4096], *line = NULL;
	struct procfs_mapping m;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", procfs_root(proc_root), pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (!parse_maps_line(line, pid, &m))
			continue;
		n++;
		if (fn(ctx, &m))
			break;
	}
	free(line);
	fclose(f);
	return n;
}

/* "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime
 * ctime rss swap" with perms in octal; the columns after nattch are
 * optional (0 when missing). */
static bool parse_shm_line(const char *line, struct procfs_segment *s)
{
	unsigned long long size, atime = 0, dtime = 0, ctime = 0, rss = 0, swap = 0;
	unsigned int perms, cpid, lpid, nattch, uid = 0, gid = 0, cuid = 0, cgid = 0;
	int key, shmid;

	if (sscanf(line, "%d %d %o %llu %u %u %u %u %u %u %u %llu %llu %llu %llu %llu", &key,
		   &shmid, &perms, &size, &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid, &atime,
		   &dtime, &ctime, &rss, &swap) < 7)
		return false;
	*s = (struct procfs_segment){
		.shmid = shmid,
		.key = key,
		.size = size,
		.cpid = cpid,
		.lpid = lpid,
		.nattch = nattch,
		.removed = perms & K_SHM_DEST,
		.mode = perms & 0777,
		.uid = uid,
		.cuid = cuid,
		.ctime = ctime,
		.rss = rss,
		.swap = swap,
	};
	return true;
}

int procfs_read_segments(const char *proc_root, procfs_segment_fn fn, void *ctx)
{
	char path[4096], *line = NULL;
	struct procfs_segment s;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sysvipc/shm", procfs_root(proc_root));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* The header line does not parse as numbers and is skipped. */
	while (getline(&line, &cap, f) > 0) {
		if (!parse_shm_line(line, &s))
			continue;
		n++;
		if (fn(ctx, &s))
			break;
	}
	free(line);
	fclose(f);
	return n;
}

/* "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": the comm
 * may hold spaces and parentheses, so fields are counted from the last
 * ')'. */
static int read_stat(const char *root, __u32 pid, struct procfs_task *t)
{
	char path[4096], buf[1024], *close;
	unsigned long flags;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/stat", root, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close = strrchr(buf, ')');
	if (!close || sscanf(close + 1, " %c %*d %*d %*d %*d %*d %lu", &t->state, &flags) != 2)
		return -EINVAL;
	t->kthread = flags & K_PF_KTHREAD;
	return 0;
}

int procfs_read_task(const char *proc_root, __u32 pid, struct procfs_task *t)
{
	const char *root = procfs_root(proc_root);
	char path[4096], line[256];
	unsigned int tgid;
	int ret;
	FILE *f;

	memset(t, 0, sizeof(*t));
	ret = read_stat(root, pid, t);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%u/status", root, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			t->tgid = tgid;
	fclose(f);
	if (!t->tgid)
		return -EINVAL;
	procfs_read_comm(root, pid, t->comm, sizeof(t->comm));
	return 0;
}

static __u64 read_u64_file(const char *proc_root, const char *rel)
{
	unsigned long long v = 0;
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", procfs_root(proc_root), rel);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

__u32 procfs_ipc_ns(const char *proc_root, __u32 pid)
{
	char path[PATH_MAX], link[64];
	unsigned long long inum;
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "%s/%u/ns/ipc", procfs_root(proc_root), pid);
	else
		snprintf(path, sizeof(path), "%s/self/ns/ipc", procfs_root(proc_root));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "ipc:[%llu]", &inum) != 1 || inum > UINT32_MAX ||
	    inum == K_PROC_IPC_INIT_INO)
		return 0;
	return (__u32)inum;
}

void procfs_read_kernel_limits(const char *proc_root, struct procfs_kernel_limits *l)
{
	char line[256], path[PATH_MAX];
	unsigned long long kb, total = 0;
	FILE *f;

	memset(l, 0, sizeof(*l));
	l->shmmax = read_u64_file(proc_root, "sys/kernel/shmmax");
	l->shmall = read_u64_file(proc_root, "sys/kernel/shmall");
	l->shmmni = read_u64_file(proc_root, "sys/kernel/shmmni");
	l->shm_rmid_forced = read_u64_file(proc_root, "sys/kernel/shm_rmid_forced") != 0;
	l->ipc_ns = procfs_ipc_ns(proc_root, 0);
	snprintf(path, sizeof(path), "%s/meminfo", procfs_root(proc_root));
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1 ||
		    sscanf(line, "SwapTotal: %llu kB", &kb) == 1)
			total += kb * 1024;
	}
	fclose(f);
	l->mem_total = total;
}
