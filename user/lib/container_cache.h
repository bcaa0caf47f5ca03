/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container_cache.h - the container of each cgroup the events come from,
 * learnt once per cgroup id: live, from the first process seen in it
 * (/proc/PID/cgroup, container.h) and the runtimes' files on the host
 * (container_names.h); from a saved log, from what its records say.
 */
#ifndef SHMWATCH_CONTAINER_CACHE_H
#define SHMWATCH_CONTAINER_CACHE_H

#include <linux/types.h>
#include "lib/container.h"
#include "lib/container_names.h"

struct container_info {
	struct container_ref ref;
	struct container_names names; /* "" where none is known */
};

struct container_cache;

/* proc_root: where /proc is ("/proc"), NULL to learn nothing from it (a
 * saved log); host_root: the runtimes' files, "" for the host's. */
struct container_cache *container_cache__new(const char *proc_root, const char *host_root);
void container_cache__free(struct container_cache *cc);
/*
 * The container of cgroup cgroup_id, learnt from process pid the first
 * time; NULL for the host, for cgroup id 0 (not known), and while it
 * cannot be told (pid gone before it was read: the next process of that
 * cgroup is asked).
 */
const struct container_info *container_cache__lookup(struct container_cache *cc,
						     __u64 cgroup_id, __u32 pid);
/* What a log said of cgroup_id; 0 or -ENOMEM. */
int container_cache__set(struct container_cache *cc, __u64 cgroup_id,
			 const struct container_info *ci);
/*
 * Does a process in container ci (NULL: on the host) match a --container
 * selector?  What container_matches takes (a prefix of the id or of the
 * pod's UID, a machine's name, "host"), or a name the runtime keeps:
 * docker's and podman's name, a Kubernetes pod's name, NAMESPACE/POD, or
 * POD/CONTAINER for one container of a pod.  Names are whole, not prefixes.
 */
bool container_info_matches(const struct container_info *ci, const char *sel);
/* "web-1" where a name is known, else the short name of container.h
 * ("podman:3f4e5d6c7b8a"); terminal-safe, into buf. */
const char *container_info_name(const struct container_info *ci, char *buf, size_t len);

#endif
