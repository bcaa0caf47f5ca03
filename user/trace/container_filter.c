// SPDX-License-Identifier: GPL-2.0
/*
 * container_filter.c - the cgroup set behind --container (see
 * container_filter.h): each cgroup is told once, from its path, and
 * remembered as in or out.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/container.h"
#include "lib/hmap.h"
#include "lib/procfs.h"
#include "trace/container_filter.h"

/* The cgroups found to be no selected container's are forgotten all at
 * once past this many (told again, from /proc, if one sends more). */
#define OUT_MAX 65536

struct told {
	struct hnode node; /* key: cgroup id */
	bool in;
};

struct container_filter {
	char *selector;
	char *proc_root;
	char *host_root;
	char *cgroup_root;
	struct container_filter_ops ops;
	struct hmap told;
	size_t n_in, n_out;
	__u64 untold;
	/* The names of the last container told: a container's sub-cgroups
	 * come one after another in a scan, and its files are read once. */
	struct container_info last;
	bool have_last;
};

struct container_filter *container_filter__new(const char *selector, const char *proc_root,
					       const char *host_root, const char *cgroup_root,
					       const struct container_filter_ops *ops)
{
	struct container_filter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->selector = strdup(selector);
	f->proc_root = strdup(procfs_root(proc_root));
	f->host_root = strdup(host_root ? host_root : "");
	f->cgroup_root = strdup(cgroup_root);
	f->ops = *ops;
	if (!f->selector || !f->proc_root || !f->host_root || !f->cgroup_root ||
	    hmap_init(&f->told, 256)) {
		container_filter__free(f);
		return NULL;
	}
	return f;
}

static void forget(struct container_filter *f, bool in)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &f->told);
	while ((n = hmap_iter_next(&it))) {
		struct told *t = hmap_entry(n, struct told, node);

		if (t->in == in) {
			hmap_del(&f->told, &t->node);
			free(t);
		}
	}
}

void container_filter__free(struct container_filter *f)
{
	if (!f)
		return;
	if (f->told.buckets) {
		forget(f, true);
		forget(f, false);
		hmap_fini(&f->told);
	}
	free(f->selector);
	free(f->proc_root);
	free(f->host_root);
	free(f->cgroup_root);
	free(f);
}

/* The container of a cgroup path, with the names its runtime keeps; false
 * for the host's. */
static bool container_of_path(struct container_filter *f, const char *path,
			      struct container_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	if (container_from_cgroup_path(path, &ci->ref))
		return false;
	if (f->have_last && !memcmp(&f->last.ref, &ci->ref, sizeof(ci->ref))) {
		*ci = f->last;
		return true;
	}
	container_names_read(f->host_root, &ci->ref, &ci->names);
	f->last = *ci;
	f->have_last = true;
	return true;
}

/* Remember what cgroup id was told to be, tell the kernel and the
 * pipeline: 0 or the kernel's -errno. */
static int tell(struct container_filter *f, __u64 id, const char *path,
		enum capture_cgroup how)
{
	struct container_info ci;
	bool boxed = container_of_path(f, path, &ci);
	bool in = container_info_matches(boxed ? &ci : NULL, f->selector);
	struct hnode *n = hmap_get(&f->told, id);
	struct told *t;

	if (n) {
		t = hmap_entry(n, struct told, node);
	} else {
		if (!in && f->n_out >= OUT_MAX) {
			forget(f, false);
			f->n_out = 0;
		}
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->node.key = id;
		hmap_put(&f->told, &t->node);
		if (in)
			f->n_in++;
		else
			f->n_out++;
	}
	t->in = in;
	if (in && boxed && f->ops.learnt)
		f->ops.learnt(f->ops.ctx, id, &ci);
	return f->ops.set(f->ops.ctx, id, in ? how : CAPTURE_CGROUP_DROP);
}

/* Tell directory path (below the root: "" for the root itself, fd open
 * on it) and everything below it; the number put in, or -errno. */
static int scan_dir(struct container_filter *f, int fd, char *path, size_t len)
{
	size_t at = strlen(path);
	struct container_info ci;
	struct dirent *d;
	struct stat st;
	int found = 0, ret = 0;
	DIR *dir;
	bool boxed;

	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	/* What is not selected at the start, the kernel never sends, unless
	 * it is made while tracing. */
	boxed = container_of_path(f, at ? path : "/", &ci);
	if (container_info_matches(boxed ? &ci : NULL, f->selector)) {
		ret = tell(f, (__u64)st.st_ino, at ? path : "/", CAPTURE_CGROUP_ADD);
		if (ret) {
			close(fd);
			return ret;
		}
		found++;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while (!ret && (d = readdir(dir))) {
		int sub;

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (at + 1 + strlen(d->d_name) >= len)
			continue; /* deeper than any runtime makes */
		/* Gone meanwhile: nothing to trace there. */
		sub = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		snprintf(path + at, len - at, "/%s", d->d_name);
		ret = scan_dir(f, sub, path, len);
		path[at] = '\0';
		if (ret > 0)
			found += ret, ret = 0;
	}
	closedir(dir);
	return ret < 0 ? ret : found;
}

int container_filter__scan(struct container_filter *f)
{
	char path[4096] = "";
	int fd = open(f->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return scan_dir(f, fd, path, sizeof(path));
}

/* The cgroup v2 path of pid, from PROC_ROOT/PID/cgroup's "0::" line, if
 * that directory is cgroup id's: 0 or -errno. */
static int v2_path_of(struct container_filter *f, __u32 pid, __u64 id, char *buf, size_t len)
{
	char file[4096], *line = NULL;
	struct stat st;
	size_t cap = 0;
	ssize_t n;
	int ret = -ENOENT;
	FILE *fp;

	snprintf(file, sizeof(file), "%s/%u/cgroup", f->proc_root, pid);
	fp = fopen(file, "re");
	if (!fp)
		return -errno;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		snprintf(file, sizeof(file), "%s%s", f->cgroup_root, line + 3);
		if (!stat(file, &st) && (__u64)st.st_ino == id && (size_t)(n - 3) < len) {
			memcpy(buf, line + 3, (size_t)(n - 3) + 1);
			ret = 0;
		}
		break;
	}
	free(line);
	fclose(fp);
	return ret;
}

bool container_filter__admit(struct container_filter *f, const struct sw_event *e)
{
	char path[SW_CGROUP_PATH_LEN * 4];
	struct hnode *n;

	if (e->kind == SW_REC_CGROUP) {
		/* A cut path could name another container: told from /proc
		 * when its first event comes. */
		if (e->cg.path_len && e->cg.path_len < SW_CGROUP_PATH_LEN - 1)
			tell(f, e->cg.id, e->cgroup_path, CAPTURE_CGROUP_CONFIRM);
		return false;
	}
	if (e->kind == SW_REC_MAPPING)
		return true; /* only ever of a process the kernel recorded */
	n = hmap_get(&f->told, e->cgroup_id);
	if (n)
		return hmap_entry(n, struct told, node)->in;
	/* The kernel recorded it, and no record told of its cgroup. */
	if (v2_path_of(f, e->pid, e->cgroup_id, path, sizeof(path))) {
		f->untold++;
		return false;
	}
	tell(f, e->cgroup_id, path, CAPTURE_CGROUP_CONFIRM);
	n = hmap_get(&f->told, e->cgroup_id);
	return n && hmap_entry(n, struct told, node)->in;
}

__u64 container_filter__untold(const struct container_filter *f)
{
	return f->untold;
}

size_t container_filter__cgroups(const struct container_filter *f)
{
	return f->n_in;
}

int cgroup2_mount_point(const char *proc_root, char *buf, size_t len)
{
	char file[4096], *line = NULL, root[4096], where[4096], fstype[32];
	size_t cap = 0;
	int ret = -ENOENT;
	FILE *fp;

	snprintf(file, sizeof(file), "%s/self/mountinfo", procfs_root(proc_root));
	fp = fopen(file, "re");
	if (!fp)
		return -errno;
	while (ret == -ENOENT && getline(&line, &cap, fp) > 0) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*u %*u %*u:%*u %4095s %4095s", root, where) != 2 ||
		    sscanf(dash, " - %31s", fstype) != 1 || strcmp(fstype, "cgroup2") ||
		    strcmp(root, "/"))
			continue;
		procfs_unescape_octal(where);
		if (strlen(where) >= len)
			ret = -ENAMETOOLONG;
		else
			ret = 0, strcpy(buf, where);
	}
	free(line);
	fclose(fp);
	return ret;
}
