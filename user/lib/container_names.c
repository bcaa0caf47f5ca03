// SPDX-License-Identifier: GPL-2.0
/*
 * container_names.c - container names from the runtimes' files on the
 * host (container_names.h has the list).  Where each runtime writes what:
 *
 *   docker      moby/moby:container/container.go, configFileName
 *               "config.v2.json" in DATA-ROOT/containers/ID/ (data-root
 *               /var/lib/docker by default).  "Name" is kept with a '/'
 *               in front (daemon/names.go reserves "/"+name), "Config"
 *               holds the run's config: "Image" as the user typed it (the
 *               top-level "Image" is the image's id) and "Labels", where
 *               dockershim and cri-dockerd put kubelet's labels.
 *   kubelet     kubernetes/kubernetes:pkg/kubelet/types/labels.go:
 *               io.kubernetes.pod.name, io.kubernetes.pod.namespace,
 *               io.kubernetes.container.name on every container it makes.
 *   containerd  containerd/containerd:pkg/cri/annotations/annotations.go,
 *               DefaultCRIAnnotations: io.kubernetes.cri.sandbox-name and
 *               -namespace on every container of a pod, container-name and
 *               image-name on all but the sandbox (pause) one.  The task's
 *               bundle, with its OCI config.json, is
 *               /run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID
 *               (the runtime v2 shim's state directory; the CRI's namespace
 *               is k8s.io, docker's >= 20 is moby).
 *   cri-o       cri-o/cri-o:pkg/annotations/internal.go: the image is
 *               io.kubernetes.cri-o.ImageName; the CRI's labels (kubelet's,
 *               above) are copied into the annotations as they are.  The
 *               spec is saved as config.json in both of containers/storage's
 *               directories for the container (server/sandbox_run_linux.go:
 *               podContainer.Dir and .RunDir): GRAPHROOT and RUNROOT
 *               /overlay-containers/ID/userdata/.
 *   storage     containers/storage keeps its container list in
 *               GRAPHROOT/overlay-containers/containers.json, and the ones
 *               made volatile (podman run --rm, every cri-o container:
 *               cri-o internal/storage/runtime.go sets Volatile) in
 *               volatile-containers.json, beside it or, with a transient
 *               store, under RUNROOT (podman test/e2e/run_transient_test.go
 *               checks all four places).  An entry is {"id", "names",
 *               "image" (an id), "metadata"}, metadata a JSON text of its
 *               own: podman's libpod/storage.go RuntimeContainerMetadata
 *               ("image-name", "name"), cri-o's the same plus "pod-name"
 *               and, for a sandbox, "namespace".
 *   podman      4.3.1 (Debian 12) as root, seen: containers.json as above
 *               with names ["web-1"] and image-name
 *               "localhost/IMAGE:TAG"; its userdata/config.json annotations
 *               name neither (io.container.manager "libpod",
 *               io.podman.annotations.*, io.kubernetes.cri-o.Created/TTY).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "lib/container_names.h"

#define GRAPH_STORAGE "/var/lib/containers/storage/overlay-containers"
#define RUN_STORAGE "/run/containers/storage/overlay-containers"
#define CONTAINERD_TASKS "/run/containerd/io.containerd.runtime.v2.task"
#define DOCKER_CONTAINERS "/var/lib/docker/containers"

/* Each source: 1 named it, 0 read but no name in it, -ENOENT no file
 * (or no entry for the id), another -errno a bad file. */
#define FOUND 1

static bool valid_id(const char *id)
{
	size_t n = strnlen(id, CONTAINER_ID_LEN + 1);

	if (n != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

/* root + dir [+ id + file], with root "" or "/" for the host. */
static int join_path(char *buf, size_t len, const char *root, const char *dir, const char *id,
		     const char *file)
{
	size_t rn = strlen(root);
	int n;

	while (rn && root[rn - 1] == '/')
		rn--;
	if (file)
		n = snprintf(buf, len, "%.*s%s%s%s", (int)rn, root, dir, id, file);
	else
		n = snprintf(buf, len, "%.*s%s", (int)rn, root, dir);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * The whole of a regular file, NUL-terminated, at most
 * CONTAINER_NAMES_MAX_FILE bytes.  O_NONBLOCK: a FIFO where a file should
 * be (userdata/ holds two) must not hang the caller.
 */
static int read_file(const char *path, char **out, size_t *len)
{
	size_t cap, n = 0;
	struct stat st;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (st.st_size > (off_t)CONTAINER_NAMES_MAX_FILE) {
		err = -EFBIG;
		goto out;
	}
	/* One more than the limit, so a file that grew past it is seen. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > CONTAINER_NAMES_MAX_FILE) {
				err = -EFBIG;
				break;
			}
			cap = cap * 2 > CONTAINER_NAMES_MAX_FILE + 1 ? CONTAINER_NAMES_MAX_FILE + 1
								     : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (err) {
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
out:
	close(fd);
	return err;
}

/*
 * One JSON value making up all of text (blanks around it allowed).
 * Strict, UTF-8 checked: every writer here is Go's encoding/json, which
 * writes nothing else, so anything looser is a damaged file.
 */
static int parse_json(const char *text, size_t len, struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t end;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end != len) {
		json_object_put(o);
		return -EBADMSG;
	}
	*out = o;
	return 0;
}

/* parse_json of a file whose top level must be of type t. */
static int load_json(const char *path, enum json_type t, struct json_object **out)
{
	char *text = NULL;
	size_t len = 0;
	int err = read_file(path, &text, &len);

	if (err)
		return err;
	err = parse_json(text, len, out);
	free(text);
	if (!err && !json_object_is_type(*out, t)) {
		json_object_put(*out);
		err = -EBADMSG;
	}
	return err;
}

static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

/* Set an empty field from n bytes of s, cut at a character boundary. */
static bool set_bytes(char *dst, size_t size, const char *s, size_t n)
{
	if (dst[0])
		return false;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return n > 0;
}

/*
 * Set an empty field from a JSON string; a member of another type, or an
 * empty string, names nothing.  An embedded \u0000 ends the text there.
 */
static bool set_text(char *dst, size_t size, struct json_object *v)
{
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	return set_bytes(dst, size, s, strnlen(s, (size_t)json_object_get_string_len(v)));
}

#define SET(field, v) set_text(out->field, sizeof(out->field), (v))

/* Kubelet's labels and the CRIs' annotations, in one key/value object. */
static bool from_kube_keys(struct json_object *kv, struct container_names *out)
{
	bool any = false;

	/* containerd's CRI */
	any |= SET(pod_name, member(kv, "io.kubernetes.cri.sandbox-name", json_type_string));
	any |= SET(pod_namespace, member(kv, "io.kubernetes.cri.sandbox-namespace", json_type_string));
	any |= SET(k8s_container, member(kv, "io.kubernetes.cri.container-name", json_type_string));
	any |= SET(image, member(kv, "io.kubernetes.cri.image-name", json_type_string));
	/* kubelet's labels: cri-o's annotations, dockershim's labels */
	any |= SET(pod_name, member(kv, "io.kubernetes.pod.name", json_type_string));
	any |= SET(pod_namespace, member(kv, "io.kubernetes.pod.namespace", json_type_string));
	any |= SET(k8s_container, member(kv, "io.kubernetes.container.name", json_type_string));
	any |= SET(image, member(kv, "io.kubernetes.cri-o.ImageName", json_type_string));
	return any;
}

/* An OCI runtime spec's annotations (runtime-spec config.md). */
static int from_oci_config(const char *path, struct container_names *out)
{
	struct json_object *spec;
	bool any;
	int err = load_json(path, json_type_object, &spec);

	if (err)
		return err;
	any = from_kube_keys(member(spec, "annotations", json_type_object), out);
	json_object_put(spec);
	return any ? FOUND : 0;
}

static int from_docker_config(const char *path, struct container_names *out)
{
	struct json_object *o, *config, *name;
	bool any = false;
	int err = load_json(path, json_type_object, &o);

	if (err)
		return err;
	name = member(o, "Name", json_type_string);
	if (name) {
		const char *s = json_object_get_string(name);
		size_t n = strnlen(s, (size_t)json_object_get_string_len(name));
		size_t skip = n && s[0] == '/';

		any |= set_bytes(out->name, sizeof(out->name), s + skip, n - skip);
	}
	config = member(o, "Config", json_type_object);
	any |= SET(image, member(config, "Image", json_type_string));
	any |= from_kube_keys(member(config, "Labels", json_type_object), out);
	json_object_put(o);
	return any ? FOUND : 0;
}

/* The metadata text of a storage entry; a bad one only names less. */
static bool from_storage_metadata(struct json_object *text, struct container_names *out)
{
	struct json_object *md;
	bool any = false;

	if (!text || parse_json(json_object_get_string(text),
				(size_t)json_object_get_string_len(text), &md))
		return false;
	any |= SET(name, member(md, "name", json_type_string));
	any |= SET(image, member(md, "image-name", json_type_string));
	any |= SET(pod_name, member(md, "pod-name", json_type_string));
	any |= SET(pod_namespace, member(md, "namespace", json_type_string));
	json_object_put(md);
	return any;
}

/* id's entry in one of containers/storage's container lists. */
static int from_storage_list(const char *path, const char *id, struct container_names *out)
{
	struct json_object *list, *entry = NULL, *names;
	bool any = false;
	size_t n;
	int err = load_json(path, json_type_array, &list);

	if (err)
		return err;
	n = json_object_array_length(list);
	for (size_t i = 0; i < n && !entry; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		struct json_object *eid = member(e, "id", json_type_string);

		if (eid && !strcmp(json_object_get_string(eid), id))
			entry = e;
	}
	if (!entry) {
		json_object_put(list);
		return -ENOENT;
	}
	/* names[0] is the one given at create time (libpod/storage.go). */
	names = member(entry, "names", json_type_array);
	if (names && json_object_array_length(names))
		any |= SET(name, json_object_array_get_idx(names, 0));
	any |= from_storage_metadata(member(entry, "metadata", json_type_string), out);
	json_object_put(list);
	return any ? FOUND : 0;
}

enum source_kind {
	SRC_END = 0,
	SRC_OCI,
	SRC_DOCKER,
	SRC_LIST,
};

/* The file is host root + dir, or, with file set, + dir + ID + file. */
struct source {
	enum source_kind kind;
	const char *dir;
	const char *file;
};

#define STORAGE_LISTS                                                 \
	{ SRC_LIST, GRAPH_STORAGE "/containers.json", NULL },         \
	{ SRC_LIST, GRAPH_STORAGE "/volatile-containers.json", NULL }, \
	{ SRC_LIST, RUN_STORAGE "/containers.json", NULL },           \
	{ SRC_LIST, RUN_STORAGE "/volatile-containers.json", NULL }

static const struct source docker_sources[] = {
	{ SRC_DOCKER, DOCKER_CONTAINERS "/", "/config.v2.json" },
	{ SRC_OCI, CONTAINERD_TASKS "/moby/", "/config.json" },
	{ SRC_END, NULL, NULL },
};

static const struct source podman_sources[] = {
	STORAGE_LISTS,
	{ SRC_OCI, GRAPH_STORAGE "/", "/userdata/config.json" },
	{ SRC_OCI, RUN_STORAGE "/", "/userdata/config.json" },
	{ SRC_END, NULL, NULL },
};

static const struct source containerd_sources[] = {
	{ SRC_OCI, CONTAINERD_TASKS "/k8s.io/", "/config.json" },
	{ SRC_OCI, CONTAINERD_TASKS "/moby/", "/config.json" },
	{ SRC_END, NULL, NULL },
};

static const struct source crio_sources[] = {
	{ SRC_OCI, RUN_STORAGE "/", "/userdata/config.json" },
	{ SRC_OCI, GRAPH_STORAGE "/", "/userdata/config.json" },
	STORAGE_LISTS,
	{ SRC_END, NULL, NULL },
};

/* Kubelet's cgroupfs layout does not tell the engine: ask each. */
static const struct source kubernetes_sources[] = {
	{ SRC_OCI, CONTAINERD_TASKS "/k8s.io/", "/config.json" },
	{ SRC_OCI, RUN_STORAGE "/", "/userdata/config.json" },
	{ SRC_OCI, GRAPH_STORAGE "/", "/userdata/config.json" },
	{ SRC_DOCKER, DOCKER_CONTAINERS "/", "/config.v2.json" },
	STORAGE_LISTS,
	{ SRC_END, NULL, NULL },
};

static const struct source *sources_of(enum container_runtime rt)
{
	switch (rt) {
	case CONTAINER_RT_DOCKER:
		return docker_sources;
	case CONTAINER_RT_PODMAN:
		return podman_sources;
	case CONTAINER_RT_CONTAINERD:
		return containerd_sources;
	case CONTAINER_RT_CRIO:
		return crio_sources;
	case CONTAINER_RT_KUBERNETES:
		return kubernetes_sources;
	default:
		return NULL; /* the host, a machine: nothing kept by id */
	}
}

static int read_source(const char *host_root, const struct source *s, const char *id,
		       struct container_names *out)
{
	char path[PATH_MAX];
	int err = join_path(path, sizeof(path), host_root, s->dir, id, s->file);

	if (err)
		return err;
	switch (s->kind) {
	case SRC_OCI:
		return from_oci_config(path, out);
	case SRC_DOCKER:
		return from_docker_config(path, out);
	case SRC_LIST:
		return from_storage_list(path, id, out);
	default:
		return -EINVAL;
	}
}

int container_names_read(const char *host_root, const struct container_ref *c,
			 struct container_names *out)
{
	const struct source *s = sources_of(c->runtime);
	int first_err = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !c->id[0])
		return -ENOENT; /* a pod's own cgroup: none of its containers */
	if (!valid_id(c->id))
		return -EINVAL; /* it goes into a path */
	for (; s->kind != SRC_END; s++) {
		int ret = read_source(host_root ? host_root : "", s, c->id, out);

		if (ret == FOUND)
			return 0;
		/* A file read whole without a name fills nothing; one that
		 * failed filled nothing either, so the next starts clean. */
		if (ret < 0 && ret != -ENOENT && !first_err)
			first_err = ret;
	}
	memset(out, 0, sizeof(*out));
	return first_err ? first_err : -ENOENT;
}
