/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container_names.h - the names people gave a container (its name, its
 * image, and for Kubernetes its pod, namespace and container name), read
 * from the files the runtimes keep on the host.  Only files: no runtime
 * socket is asked and nothing is run, so a name is known when the
 * runtime's state is readable (root, the host's mount namespace) and
 * simply unknown when it is not.
 *
 * Read, by runtime (container_names.c says where each layout is
 * written):
 *   docker      /var/lib/docker/containers/ID/config.v2.json,
 *               /run/containerd/io.containerd.runtime.v2.task/moby/ID/config.json
 *   podman      containers/storage's container lists: containers.json and
 *               volatile-containers.json in /var/lib/containers/storage/
 *               overlay-containers/ and /run/containers/storage/overlay-containers/;
 *               then ID/userdata/config.json in either
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/k8s.io/ID/config.json
 *               (the CRI's annotations), then the moby namespace
 *   cri-o       ID/userdata/config.json under /run/containers/storage/
 *               overlay-containers/, then /var/lib/...; then the lists
 *   kubernetes  (engine unknown) containerd's, cri-o's, docker's, the lists
 * The first file that names the container is the answer.
 */
#ifndef SHMWATCH_CONTAINER_NAMES_H
#define SHMWATCH_CONTAINER_NAMES_H

#include "lib/container.h"

/* Files larger than this are refused (-EFBIG): a podman host with many
 * thousand containers stays well below it. */
#define CONTAINER_NAMES_MAX_FILE (16u << 20)

/*
 * Raw UTF-8 as the files have it, cut at a character boundary and
 * NUL-terminated; "" when not known.  The text is the traced host's
 * users': escape it for every output (text_escaped, html).
 */
struct container_names {
	char name[128];		 /* docker's and podman's --name, no '/' */
	char image[256];	 /* as the user asked for it: "nginx:1.25" */
	char pod_name[128];	 /* Kubernetes: the pod's metadata.name */
	char pod_namespace[128]; /* and its namespace */
	char k8s_container[128]; /* the container's name in the pod spec */
};

/*
 * Fill *out with what the runtime of c keeps about it.  host_root is
 * where the host's files are: "" or "/" for this host, a directory in
 * tests (its var/lib/..., run/...).
 * 0: something was found (any field may still be ""); -ENOENT: nothing
 * names it (no file, a pod-level ref, a machine, the host); else the
 * first file's error when no file named it: -EBADMSG for JSON that does
 * not parse or has the wrong shape, -EFBIG, -EACCES, -EISDIR, -EINVAL
 * (not a regular file, an id that is not 64 hex digits)...
 * *out is all "" on any error.
 */
int container_names_read(const char *host_root, const struct container_ref *c,
			 struct container_names *out);

#endif /* SHMWATCH_CONTAINER_NAMES_H */
