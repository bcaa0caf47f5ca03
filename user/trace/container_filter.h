/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container_filter.h - --container: which cgroups the kernel records, by
 * the container they are of.  The kernel keeps a set of cgroup ids
 * (capture_opts.cgroup_set); this module decides what goes in it:
 *   - at the start, every cgroup v2 directory that is a selected
 *     container's (its sub-cgroups too), told from its path;
 *   - while tracing, each cgroup made (a container starting, or starting
 *     again after a restart, in a new cgroup), from the SW_REC_CGROUP
 *     record the kernel sends ahead of its processes' events: they are
 *     recorded until then, and those of a cgroup that is no selected
 *     container's are dropped here;
 *   - a cgroup whose record was lost or cut, from /proc/PID/cgroup of its
 *     first process, checked against the cgroup's id.
 * A container is selected by container_info_matches: by id, name, or a
 * Kubernetes pod; a name is read from the runtime's files when its cgroup
 * is told, so a container started again under the same name is found.
 */
#ifndef SHMWATCH_CONTAINER_FILTER_H
#define SHMWATCH_CONTAINER_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"
#include "lib/container_cache.h"
#include "trace/capture.h"

struct container_filter_ops {
	/* Put a cgroup in the kernel's set, or take it out: 0 or -errno. */
	int (*set)(void *ctx, __u64 cgroup_id, enum capture_cgroup how);
	/* A cgroup that is now known to be selected container ci's. */
	void (*learnt)(void *ctx, __u64 cgroup_id, const struct container_info *ci);
	void *ctx;
};

struct container_filter;

/* proc_root, host_root: as container_cache__new takes them; cgroup_root:
 * where the cgroup v2 hierarchy is mounted.  NULL on ENOMEM. */
struct container_filter *container_filter__new(const char *selector, const char *proc_root,
					       const char *host_root, const char *cgroup_root,
					       const struct container_filter_ops *ops);
void container_filter__free(struct container_filter *f);
/* Put in every cgroup of the hierarchy that is a selected container's:
 * how many, or a negative errno (the hierarchy cannot be read, or the
 * kernel's set refused one). */
int container_filter__scan(struct container_filter *f);
/*
 * Is record e to be handed on?  A SW_REC_CGROUP record is taken here
 * (false); an event is kept when its cgroup is a selected container's.
 */
bool container_filter__admit(struct container_filter *f, const struct sw_event *e);
/* Events left out because their cgroup could not be told (its record was
 * lost and its process was gone before /proc could say). */
__u64 container_filter__untold(const struct container_filter *f);
/* Selected containers' cgroups seen so far, at the start and since. */
size_t container_filter__cgroups(const struct container_filter *f);

/* Where the cgroup v2 hierarchy is mounted, from PROC_ROOT/self/mountinfo
 * (the first cgroup2 mount of its root): 0, -ENOENT, or -errno. */
int cgroup2_mount_point(const char *proc_root, char *buf, size_t len);

#endif /* SHMWATCH_CONTAINER_FILTER_H */
