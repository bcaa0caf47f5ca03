// SPDX-License-Identifier: GPL-2.0
/*
 * container_cache.c - the cache behind container_cache.h: one entry per
 * cgroup id, the host's as well, so that a cgroup costs one read of
 * /proc and of the runtime's files, then a hash lookup per event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/container_cache.h"
#include "lib/hmap.h"
#include "lib/names.h"

/*
 * A cgroup the events came from: a container's, with its info (kept
 * until the cache goes: the sinks hold pointers to it), or the host's,
 * a few bytes.  The host's are forgotten all at once past HOST_MAX of
 * them (a build farm makes a cgroup per job, for days), and learnt again
 * when their processes come back.
 */
#define HOST_MAX 4096

struct entry {
	struct hnode node; /* key: cgroup id */
	bool known;	   /* told: a container's (ci) or the host's */
	__u32 tried_pid;   /* not known: the process that could not be read */
	struct container_info *ci; /* NULL: the host's, or not known */
};

struct container_cache {
	struct hmap entries;
	size_t hosts;	 /* entries that are not containers' */
	char *proc_root; /* NULL: none */
	char *host_root;
};

struct container_cache *container_cache__new(const char *proc_root, const char *host_root)
{
	struct container_cache *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return NULL;
	cc->proc_root = proc_root ? strdup(proc_root) : NULL;
	cc->host_root = strdup(host_root ? host_root : "");
	if ((proc_root && !cc->proc_root) || !cc->host_root || hmap_init(&cc->entries, 64)) {
		container_cache__free(cc);
		return NULL;
	}
	return cc;
}

void container_cache__free(struct container_cache *cc)
{
	struct hmap_iter it;
	struct hnode *n;

	if (!cc)
		return;
	hmap_iter_init(&it, &cc->entries);
	while ((n = hmap_iter_next(&it))) {
		free(hmap_entry(n, struct entry, node)->ci);
		free(hmap_entry(n, struct entry, node));
	}
	hmap_fini(&cc->entries);
	free(cc->proc_root);
	free(cc->host_root);
	free(cc);
}

/* Past HOST_MAX, the entries that are not containers' go. */
static void forget_hosts(struct container_cache *cc)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &cc->entries);
	while ((n = hmap_iter_next(&it))) {
		struct entry *e = hmap_entry(n, struct entry, node);

		if (!e->ci) {
			hmap_del(&cc->entries, &e->node);
			free(e);
		}
	}
	cc->hosts = 0;
}

static struct entry *entry_get(struct container_cache *cc, __u64 cgroup_id)
{
	struct hnode *n = hmap_get(&cc->entries, cgroup_id);
	struct entry *e;

	if (n)
		return hmap_entry(n, struct entry, node);
	if (cc->hosts >= HOST_MAX)
		forget_hosts(cc);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->node.key = cgroup_id;
	hmap_put(&cc->entries, &e->node);
	cc->hosts++; /* until it is known to be a container's */
	return e;
}

/* e is container ci's: kept for good. */
static int make_container(struct container_cache *cc, struct entry *e,
			  const struct container_info *ci)
{
	if (!e->ci) {
		e->ci = malloc(sizeof(*e->ci));
		if (!e->ci)
			return -ENOMEM;
		cc->hosts--;
	}
	*e->ci = *ci;
	return 0;
}

/* Read pid's cgroup: a container's (and its names), the host's, or
 * nothing when pid is gone. */
static void learn(struct container_cache *cc, struct entry *e, __u32 pid)
{
	struct container_info ci = { 0 };
	int ret = container_from_proc(cc->proc_root, pid, &ci.ref);

	e->tried_pid = pid;
	if (ret && ret != -ENOENT)
		return; /* gone, or unreadable: ask the next one */
	if (!ret) {
		container_names_read(cc->host_root, &ci.ref, &ci.names);
		if (make_container(cc, e, &ci))
			return;
	}
	e->known = true;
}

const struct container_info *container_cache__lookup(struct container_cache *cc,
						     __u64 cgroup_id, __u32 pid)
{
	struct hnode *n = cgroup_id ? hmap_get(&cc->entries, cgroup_id) : NULL;
	struct entry *e = n ? hmap_entry(n, struct entry, node) : NULL;

	if (!cgroup_id)
		return NULL; /* not known */
	if (e && e->known)
		return e->ci;
	if (!cc->proc_root || !pid || (e && e->tried_pid == pid))
		return NULL;
	e = e ? e : entry_get(cc, cgroup_id);
	if (!e)
		return NULL;
	learn(cc, e, pid);
	return e->known ? e->ci : NULL;
}

int container_cache__set(struct container_cache *cc, __u64 cgroup_id,
			 const struct container_info *ci)
{
	struct entry *e = entry_get(cc, cgroup_id);

	if (e && e->known && e->ci)
		return 0; /* a log says it at every event of the cgroup */
	if (!e || make_container(cc, e, ci))
		return -ENOMEM;
	e->known = true;
	return 0;
}

/* Is sel "A/B" for the names a and b? */
static bool pair_is(const char *sel, const char *a, const char *b)
{
	size_t n = strlen(a);

	return a[0] && b[0] && !strncmp(sel, a, n) && sel[n] == '/' && !strcmp(sel + n + 1, b);
}

bool container_info_matches(const struct container_info *ci, const char *sel)
{
	const struct container_names *n;

	if (!ci)
		return container_matches(NULL, sel);
	if (container_matches(&ci->ref, sel))
		return true;
	n = &ci->names;
	return (n->name[0] && !strcmp(n->name, sel)) ||
	       (n->pod_name[0] && !strcmp(n->pod_name, sel)) ||
	       pair_is(sel, n->pod_namespace, n->pod_name) ||
	       pair_is(sel, n->pod_name, n->k8s_container);
}

const char *container_info_name(const struct container_info *ci, char *buf, size_t len)
{
	if (ci->names.name[0]) {
		text_escape(buf, len, ci->names.name, sizeof(ci->names.name));
		return buf;
	}
	if (ci->names.pod_name[0] && ci->names.k8s_container[0]) {
		char pod[256], ctr[256];

		text_escape(pod, sizeof(pod), ci->names.pod_name, sizeof(ci->names.pod_name));
		text_escape(ctr, sizeof(ctr), ci->names.k8s_container,
			    sizeof(ci->names.k8s_container));
		snprintf(buf, len, "%s/%s", pod, ctr);
		return buf;
	}
	return container_short_name(&ci->ref, buf, len);
}
