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
#include "lib/procfs.h"

struct seed_ctx {
	struct analyzer *a;
	const char *root;
	bool seeded; /* the process itself */
};

static void seed_process_once(struct seed_ctx *sc, __u32 pid)
{
	char comm[SW_COMM_LEN];

	if (sc->seeded)
		return;
	sc->seeded = true;
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

static int seed_segment(void *ctx, const struct procfs_segment *ps)
{
	struct sw_seed_segment s = {
		.shmid = ps->shmid,
		.key = ps->key,
		.size = ps->size,
		.cpid = ps->cpid,
		.lpid = ps->lpid,
		.nattch = ps->nattch,
		.removed = ps->removed,
	};

	analyzer__seed_segment(ctx, &s);
	return 0;
}

int seed_segments(struct analyzer *a, const char *proc_root)
{
	return procfs_read_segments(proc_root, seed_segment, a);
}
