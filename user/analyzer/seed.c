// SPDX-License-Identifier: GPL-2.0
/*
 * seed.c - what lib/procfs reads from /proc, handed to the analyzer's
 * seeding entry points (analyzer__seed_*).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyzer/seed.h"
#include "inventory/inventory.h"
#include "lib/procfs.h"

struct seed_ctx {
	struct analyzer *a;
	const char *root;
	bool seeded; /* the process itself */
	__u32 ipc_ns; /* its IPC namespace, the one its attachments' ids are of */
};

static void seed_process_once(struct seed_ctx *sc, __u32 pid)
{
	char comm[SW_COMM_LEN];

	if (sc->seeded)
		return;
	sc->seeded = true;
	sc->ipc_ns = procfs_ipc_ns(sc->root, pid);
	procfs_read_comm(sc->root, pid, comm, sizeof(comm));
	analyzer__seed_process(sc->a, pid, comm);
}

static int seed_mapping(void *ctx, const struct procfs_mapping *pm)
{
	struct seed_ctx *sc = ctx;
	struct sw_seed_mapping m = {
		.pid = pm->pid,
		.start = pm->start,
		.end = pm->end,
		.backing = pm->backing,
		.shmid = pm->shmid,
		.dev = pm->dev,
		.ino = pm->ino,
		.offset = pm->offset,
	};

	memcpy(m.name, pm->name, sizeof(m.name));
	seed_process_once(sc, pm->pid);
	m.ipc_ns = sc->ipc_ns;
	analyzer__seed_mapping(sc->a, &m);
	return 0;
}

int seed_pid(struct analyzer *a, const char *proc_root, __u32 pid)
{
	struct seed_ctx sc = { .a = a, .root = procfs_root(proc_root) };
	char path[4096];

	/* Known even if it holds nothing yet; not if it is gone. */
	snprintf(path, sizeof(path), "%s/%u/maps", sc.root, pid);
	if (access(path, R_OK))
		return -errno;
	seed_process_once(&sc, pid);
	return procfs_read_maps(sc.root, pid, seed_mapping, &sc);
}

int seed_all(struct analyzer *a, const char *proc_root, __u32 exclude)
{
	struct seed_ctx sc = { .a = a, .root = procfs_root(proc_root) };
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(sc.root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid == exclude || pid > UINT32_MAX)
			continue;
		sc.seeded = false;
		/* Gone since readdir: nothing to seed. */
		if (procfs_read_maps(sc.root, (__u32)pid, seed_mapping, &sc) > 0)
			n++;
	}
	closedir(d);
	return n;
}

struct segments_ctx {
	struct analyzer *a;
	__u32 ipc_ns; /* the reader's: /proc/sysvipc/shm shows its segments */
};

static int seed_segment(void *ctx, const struct procfs_segment *ps)
{
	struct segments_ctx *c = ctx;
	struct sw_seed_segment s = {
		.shmid = ps->shmid,
		.ipc_ns = c->ipc_ns,
		.key = ps->key,
		.size = ps->size,
		.cpid = ps->cpid,
		.lpid = ps->lpid,
		.nattch = ps->nattch,
		.removed = ps->removed,
	};

	analyzer__seed_segment(c->a, &s);
	return 0;
}

int seed_segments(struct analyzer *a, const char *proc_root)
{
	struct segments_ctx c = { .a = a, .ipc_ns = procfs_ipc_ns(proc_root, 0) };

	return procfs_read_segments(proc_root, seed_segment, &c);
}

int seed_objects(struct analyzer *a, const char *proc_root)
{
	struct inv_opts io = { .proc_root = proc_root, .own_files_only = true };
	struct inventory inv;
	int ret = inventory__collect(&inv, &io);

	for (size_t i = 0; !ret && i < inv.n_objects; i++) {
		const struct inv_object *o = inv.objects[i];
		const struct inv_mount *m = &inv.mounts[o->mount];
		struct sw_seed_object so = {
			.dev = o->dev,
			.ino = o->ino,
			.backing = strcmp(m->fstype, "hugetlbfs") ? SW_BK_SHMEM_FILE : SW_BK_HUGETLB,
			.path_cut = strlen(o->path) >= sizeof(so.path),
			.size = o->size,
			.alloc = o->allocated,
			.fs_used = m->used,
			.fs_size = m->size,
		};

		/* Cut, and said so (path_cut) when it is longer. */
		memcpy(so.path, o->path, sizeof(so.path) - 1);
		analyzer__seed_object(a, &so);
	}
	ret = ret ? ret : (int)inv.n_objects;
	inventory__free(&inv);
	return ret;
}
