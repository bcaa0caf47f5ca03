// SPDX-License-Identifier: GPL-2.0
/*
 * container.c - container identities from cgroup paths (container.h has
 * the layouts).  A path is walked one component at a time; each is either
 * nothing to us, a pod (kubelet's pod cgroup) or a container (a runtime's
 * cgroup with the id in its name).  Where each runtime names its cgroups:
 *   docker      cgroup parent "/docker" (cgroupfs) or "system.slice" with
 *               runc's "slice:docker:ID" -> docker-ID.scope (systemd);
 *               https://docs.docker.com/engine/containers/runmetrics/
 *   podman      libpod/container_internal_linux.go getOCICgroupPath:
 *               CgroupParent/libpod-ID, "slice:libpod:ID", SELF/libpod-payload-ID;
 *               libpod/oci_conmon_linux.go: conmon in PARENT/conmon or
 *               libpod-conmon-ID.scope
 *   containerd  CRI getCgroupsPath: PARENT/ID or "slice:cri-containerd:ID";
 *               pkg/oci populateDefaultUnixSpec: /NAMESPACE/ID
 *   cri-o       internal/config/cgmgr: PARENT/crio-ID, "slice:crio:ID";
 *               conmon in crio-conmon-ID(.scope)
 *   kubelet     pkg/kubelet/cm cgroup_manager_linux.go: CgroupName
 *               {kubepods, QOS, podUID} -> /kubepods/QOS/podUID or, '-'
 *               escaped to '_', kubepods.slice/kubepods-QOS.slice/...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/container.h"
#include "lib/names.h"
#include "lib/procfs.h"

/* One component of a path: not NUL-terminated. */
struct part {
	const char *s;
	size_t n;
};

static bool part_is(struct part p, const char *word)
{
	return p.n == strlen(word) && !memcmp(p.s, word, p.n);
}

static bool part_has_prefix(struct part p, const char *prefix)
{
	size_t k = strlen(prefix);

	return p.n >= k && !memcmp(p.s, prefix, k);
}

/* Cut suffix off p; was it there? */
static bool part_cut_suffix(struct part *p, const char *suffix)
{
	size_t k = strlen(suffix);

	if (p->n < k || memcmp(p->s + p->n - k, suffix, k))
		return false;
	p->n -= k;
	return true;
}

static bool part_contains(struct part p, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= p.n; i++)
		if (!memcmp(p.s + i, word, k))
			return true;
	return false;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Every runtime here names containers by 64 lower-case hex digits
 * (hex-encoded random bytes); anything else in that place is not one. */
static bool copy_id(struct part p, char *id)
{
	if (p.n != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < p.n; i++)
		if (!is_lower_hex(p.s[i]))
			return false;
	memcpy(id, p.s, p.n);
	id[p.n] = '\0';
	return true;
}

/*
 * A pod UID as kubelet puts it in a cgroup name: a UUID (8-4-4-4-12, the
 * API server's) or 32 hex digits (a static pod's, a hash of its manifest).
 * The systemd driver wrote '_' for each '-'.
 */
static bool copy_pod_uid(struct part p, char *out)
{
	static const size_t dash_at[] = { 8, 13, 18, 23 };
	char uid[CONTAINER_POD_UID_LEN + 1];
	size_t d = 0;

	if (p.n != 32 && p.n != CONTAINER_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < p.n; i++) {
		char c = p.s[i];

		if (p.n == CONTAINER_POD_UID_LEN && d < 4 && i == dash_at[d]) {
			if (c != '-' && c != '_')
				return false;
			uid[i] = '-';
			d++;
			continue;
		}
		if (!is_lower_hex(c))
			return false;
		uid[i] = c;
	}
	uid[p.n] = '\0';
	memcpy(out, uid, p.n + 1); /* only now: a failed try keeps the last pod */
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* systemd's unit-name escapes (\x2d for '-' and so on) undone; anything
 * that is not one stays as it is. */
static void copy_unescaped(struct part p, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < p.n && o + 1 < len; i++) {
		int hi = i + 3 < p.n && p.s[i] == '\\' && p.s[i + 1] == 'x' ? hex_value(p.s[i + 2]) : -1;
		int lo = hi >= 0 ? hex_value(p.s[i + 3]) : -1;

		if (lo >= 0 && (hi || lo)) {
			buf[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			buf[o++] = p.s[i];
		}
	}
	buf[o] = '\0';
}

/* A runtime's cgroup named PREFIX-ID, with .scope (systemd driver, runc's
 * "slice:prefix:ID") or without (cgroupfs driver). */
struct named_scope {
	const char *prefix;
	enum container_runtime rt;
	bool scope;   /* found as PREFIX-ID.scope */
	bool cgroupfs; /* found as PREFIX-ID */
};

/* Longer prefixes first: libpod-payload- before libpod-. */
static const struct named_scope scopes[] = {
	{ "libpod-payload-", CONTAINER_RT_PODMAN, false, true },
	{ "libpod-", CONTAINER_RT_PODMAN, true, true },
	{ "docker-", CONTAINER_RT_DOCKER, true, false },
	{ "cri-containerd-", CONTAINER_RT_CONTAINERD, true, false },
	{ "nerdctl-", CONTAINER_RT_CONTAINERD, true, false },
	{ "crio-", CONTAINER_RT_CRIO, true, true },
};

/* The walk so far: the outermost pod and container seen. */
struct walk {
	struct part parent; /* the component before this one */
	int depth;	    /* of this component: 1 for the first */
	bool kubepods;	    /* below kubelet's cgroupfs "kubepods" */
	bool have_pod;
	bool have_ctr;
	bool parent_is_pod; /* the component before this one was the pod */
	struct container_ref ref;
};

static void set_container(struct walk *w, enum container_runtime rt)
{
	w->have_ctr = true;
	w->ref.runtime = rt;
	w->ref.name[0] = '\0';
}

static bool scope_container(struct walk *w, struct part p)
{
	bool scope = part_cut_suffix(&p, ".scope");

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		const struct named_scope *ns = &scopes[i];
		struct part id = p;

		if (!part_has_prefix(p, ns->prefix) || !(scope ? ns->scope : ns->cgroupfs))
			continue;
		id.s += strlen(ns->prefix);
		id.n -= strlen(ns->prefix);
		/* libpod-conmon-ID and crio-conmon-ID fail here: not hex. */
		if (!copy_id(id, w->ref.id))
			return false;
		set_container(w, ns->rt);
		return true;
	}
	if (scope && part_has_prefix(p, "machine-") && p.n > strlen("machine-")) {
		p.s += strlen("machine-");
		p.n -= strlen("machine-");
		set_container(w, CONTAINER_RT_MACHINE);
		w->ref.id[0] = '\0';
		copy_unescaped(p, w->ref.name, sizeof(w->ref.name));
		return true;
	}
	return false;
}

/* A bare ID: docker's and containerd's cgroupfs layouts. */
static bool bare_container(struct walk *w, struct part p)
{
	enum container_runtime rt;

	if (w->parent_is_pod)
		rt = CONTAINER_RT_KUBERNETES; /* containerd, docker or others */
	else if (part_is(w->parent, "docker"))
		rt = CONTAINER_RT_DOCKER;
	else if (w->depth == 2 && !part_is(w->parent, "libpod_parent"))
		rt = CONTAINER_RT_CONTAINERD; /* /NAMESPACE/ID, not podman's pod */
	else
		return false;
	if (!copy_id(p, w->ref.id))
		return false;
	set_container(w, rt);
	return true;
}

static void set_pod(struct walk *w, enum container_qos qos)
{
	/* A container outside the pod (kind's node) is not this one's. */
	w->have_pod = true;
	w->have_ctr = false;
	w->ref.kubernetes = true;
	w->ref.qos = qos;
	w->ref.id[0] = '\0';
	w->ref.name[0] = '\0';
}

/* kubepods[-QOS]-pod<uid>.slice, possibly behind a prefix of its own
 * (kind's kubelet-kubepods-...). */
static bool systemd_pod(struct walk *w, struct part p)
{
	struct part head, uid;
	const char *dash;
	enum container_qos qos = CONTAINER_QOS_GUARANTEED;

	if (!part_cut_suffix(&p, ".slice") || !part_contains(p, "kubepods"))
		return false;
	dash = memrchr(p.s, '-', p.n);
	if (!dash)
		return false;
	head = (struct part){ p.s, (size_t)(dash - p.s) };
	uid = (struct part){ dash + 1, p.n - head.n - 1 };
	if (!part_has_prefix(uid, "pod"))
		return false;
	uid.s += 3;
	uid.n -= 3;
	if (!copy_pod_uid(uid, w->ref.pod_uid))
		return false;
	if (part_cut_suffix(&head, "-burstable"))
		qos = CONTAINER_QOS_BURSTABLE;
	else if (part_cut_suffix(&head, "-besteffort"))
		qos = CONTAINER_QOS_BESTEFFORT;
	set_pod(w, qos);
	return true;
}

/* /kubepods/pod<uid> (guaranteed), /kubepods/{burstable,besteffort}/pod<uid>. */
static bool cgroupfs_pod(struct walk *w, struct part p)
{
	enum container_qos qos;

	if (!w->kubepods || !part_has_prefix(p, "pod"))
		return false;
	if (part_is(w->parent, "kubepods"))
		qos = CONTAINER_QOS_GUARANTEED;
	else if (part_is(w->parent, "burstable"))
		qos = CONTAINER_QOS_BURSTABLE;
	else if (part_is(w->parent, "besteffort"))
		qos = CONTAINER_QOS_BESTEFFORT;
	else
		return false;
	p.s += 3;
	p.n -= 3;
	if (!copy_pod_uid(p, w->ref.pod_uid))
		return false;
	set_pod(w, qos);
	return true;
}

/*
 * The outermost container wins: the cgroups below a container are its
 * own to make and name (cgroup delegation, systemd in the container), so
 * a "libpod-ID" or "kubepods-pod..." below it proves nothing, and a
 * process there is in that container in any case (docker in docker,
 * kind's pods in a node container are attributed to the outer one).
 * Below a pod, its container.
 */
static void walk_part(struct walk *w, struct part p)
{
	bool pod = false;

	w->depth++;
	if (w->have_ctr) {
		w->parent = p;
		w->parent_is_pod = false;
		return;
	}
	if (!w->have_pod && (systemd_pod(w, p) || cgroupfs_pod(w, p)))
		pod = true;
	else if (!scope_container(w, p))
		bare_container(w, p);
	if (part_is(p, "kubepods"))
		w->kubepods = true;
	w->parent = p;
	w->parent_is_pod = pod;
}

int container_from_cgroup_path(const char *path, struct container_ref *out)
{
	struct walk w = { 0 };
	size_t n = strlen(path);
	const char *s = path, *end;

	/* As a line of the file gives it: newline and blanks at the end. */
	while (n && (path[n - 1] == '\n' || path[n - 1] == '\r' || path[n - 1] == ' '))
		n--;
	end = path + n;
	while (s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		struct part p = { s, (size_t)((slash ? slash : end) - s) };

		/* Empty parts (//, a trailing /) and "." are nothing; ".." is
		 * how a cgroup namespace shows a path outside it: the depth
		 * below it is unknown, so no /NAMESPACE/ID guess. */
		if (part_is(p, ".."))
			w.depth = 100;
		else if (p.n && !part_is(p, "."))
			walk_part(&w, p);
		s += p.n + 1;
	}
	if (!w.have_pod && !w.have_ctr)
		return -ENOENT;
	if (!w.have_ctr)
		w.ref.runtime = CONTAINER_RT_KUBERNETES;
	*out = w.ref;
	return 0;
}

/*
 * Which line of a /proc/PID/cgroup file decides: the v2 one if it names a
 * container, else the first v1 one that does.  Fed a line at a time, so
 * the file needs no buffer of its own.
 */
struct cgroup_pick {
	struct container_ref v1;
	bool have_v1;
	bool done; /* the v2 line named one: out is filled */
};

static void pick_line(struct cgroup_pick *pk, const char *line, size_t len,
		      struct container_ref *out)
{
	const char *c1 = memchr(line, ':', len), *c2;
	char path[4096];
	size_t plen;
	bool v2;

	if (!c1)
		return;
	c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2)
		return;
	/* "0::PATH": hierarchy 0 with no controllers. */
	v2 = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
	if (!v2 && pk->have_v1)
		return;
	plen = len - (size_t)(c2 + 1 - line);
	if (plen >= sizeof(path))
		plen = sizeof(path) - 1; /* past PATH_MAX: no cgroup name of ours */
	memcpy(path, c2 + 1, plen);
	path[plen] = '\0';
	if (v2) {
		if (!container_from_cgroup_path(path, out))
			pk->done = true;
	} else if (!container_from_cgroup_path(path, &pk->v1)) {
		pk->have_v1 = true;
	}
}

static int pick_result(struct cgroup_pick *pk, struct container_ref *out)
{
	if (pk->done)
		return 0;
	if (!pk->have_v1)
		return -ENOENT;
	*out = pk->v1;
	return 0;
}

int container_from_cgroup_text(const char *text, struct container_ref *out)
{
	struct cgroup_pick pk = { 0 };

	while (*text && !pk.done) {
		size_t len = strcspn(text, "\n");

		pick_line(&pk, text, len, out);
		text += len + (text[len] == '\n');
	}
	return pick_result(&pk, out);
}

int container_from_proc(const char *proc_root, __u32 pid, struct container_ref *out)
{
	struct cgroup_pick pk = { 0 };
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%u/cgroup", procfs_root(proc_root), pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (!pk.done && (len = getline(&line, &cap, f)) >= 0)
		pick_line(&pk, line, (size_t)len, out);
	/* A process that exits while read leaves the file empty or ESRCH. */
	err = ferror(f) ? -ESRCH : 0;
	free(line);
	fclose(f);
	return err ? err : pick_result(&pk, out);
}

static const char *const runtime_names[CONTAINER_RT_MAX] = {
	[CONTAINER_RT_NONE] = "host",
	[CONTAINER_RT_DOCKER] = "docker",
	[CONTAINER_RT_PODMAN] = "podman",
	[CONTAINER_RT_CONTAINERD] = "containerd",
	[CONTAINER_RT_CRIO] = "cri-o",
	[CONTAINER_RT_MACHINE] = "machine",
	[CONTAINER_RT_KUBERNETES] = "kubernetes",
};

static const char *const qos_names[CONTAINER_QOS_MAX] = {
	[CONTAINER_QOS_NONE] = "",
	[CONTAINER_QOS_GUARANTEED] = "guaranteed",
	[CONTAINER_QOS_BURSTABLE] = "burstable",
	[CONTAINER_QOS_BESTEFFORT] = "besteffort",
};

const char *container_runtime_name(enum container_runtime rt)
{
	return (unsigned int)rt < CONTAINER_RT_MAX ? runtime_names[rt] : "unknown";
}

int container_runtime_by_name(const char *name)
{
	for (int i = 0; i < CONTAINER_RT_MAX; i++)
		if (!strcmp(name, runtime_names[i]))
			return i;
	return -EINVAL;
}

const char *container_qos_name(enum container_qos qos)
{
	return (unsigned int)qos < CONTAINER_QOS_MAX ? qos_names[qos] : "unknown";
}

int container_qos_by_name(const char *name)
{
	for (int i = 0; i < CONTAINER_QOS_MAX; i++)
		if (!strcmp(name, qos_names[i]))
			return i;
	return -EINVAL;
}

const char *container_short_name(const struct container_ref *c, char *buf, size_t len)
{
	char name[4 * CONTAINER_NAME_LEN + 1];

	if (!len)
		return buf;
	if (c->kubernetes)
		snprintf(buf, len, "k8s:pod %.8s%s%.*s", c->pod_uid, c->id[0] ? "/" : "",
			 CONTAINER_SHORT_ID_LEN, c->id);
	else if (c->runtime == CONTAINER_RT_MACHINE)
		snprintf(buf, len, "machine:%s", text_escaped(name, sizeof(name), c->name));
	else if (c->runtime == CONTAINER_RT_NONE || !c->id[0])
		snprintf(buf, len, "%s", container_runtime_name(c->runtime));
	else
		snprintf(buf, len, "%s:%.*s", container_runtime_name(c->runtime),
			 CONTAINER_SHORT_ID_LEN, c->id);
	return buf;
}

bool container_matches(const struct container_ref *c, const char *sel)
{
	size_t n = strlen(sel);

	if (!c)
		return !strcmp(sel, "host");
	if (!n)
		return false;
	return (c->id[0] && !strncmp(c->id, sel, n)) ||
	       (c->pod_uid[0] && !strncmp(c->pod_uid, sel, n)) ||
	       (c->name[0] && !strcmp(c->name, sel));
}
