/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container.h - which container a process runs in, told from its cgroup
 * path (a line of /proc/PID/cgroup).  Pure string work on the layouts the
 * common runtimes create; nothing asks a runtime for names.
 *
 * Recognised, cgroup v1 (a controller line) and v2 (the 0:: line), both
 * the cgroupfs and the systemd cgroup drivers:
 *   docker      /docker/ID                   .../docker-ID.scope
 *   podman      /libpod_parent/libpod-ID     .../libpod-ID.scope
 *               .../libpod-payload-ID (--cgroups=split)
 *   containerd  /NAMESPACE/ID (nerdctl, ctr) .../cri-containerd-ID.scope
 *               .../nerdctl-ID.scope
 *   cri-o       .../crio-ID                  .../crio-ID.scope
 *   machine     .../machine-NAME.scope (registered with systemd-machined:
 *               systemd-nspawn, also libvirt's VMs and containers)
 *   kubernetes  /kubepods[/burstable|/besteffort]/podUID[/ID]
 *               /kubepods.slice[/kubepods-QOS.slice]/kubepods[-QOS]-podUID.slice[/...]
 * where ID is a runtime's 64-hex container id.  Sub-cgroups below a
 * container (crun's .../container, systemd inside the container) belong to
 * it.  The monitors podman and cri-o run beside a container
 * (libpod-conmon-ID.scope, /libpod_parent/conmon, crio-conmon-ID) and the
 * daemons themselves (containerd.service, docker.service) are not
 * containers.
 */
#ifndef SHMWATCH_CONTAINER_H
#define SHMWATCH_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum container_runtime {
	CONTAINER_RT_NONE = 0,	  /* not a container's: the host */
	CONTAINER_RT_DOCKER,
	CONTAINER_RT_PODMAN,	  /* libpod */
	CONTAINER_RT_CONTAINERD,  /* through the CRI, nerdctl or ctr */
	CONTAINER_RT_CRIO,
	CONTAINER_RT_MACHINE,	  /* systemd-machined: nspawn, libvirt */
	CONTAINER_RT_KUBERNETES,  /* kubelet's, the engine not in the path */
	CONTAINER_RT_MAX,
};

/* Kubernetes' QoS class of a pod, from the cgroup its pod lives under. */
enum container_qos {
	CONTAINER_QOS_NONE = 0, /* not a pod */
	CONTAINER_QOS_GUARANTEED,
	CONTAINER_QOS_BURSTABLE,
	CONTAINER_QOS_BESTEFFORT,
	CONTAINER_QOS_MAX,
};

#define CONTAINER_ID_LEN	64 /* hex digits of a full id */
#define CONTAINER_SHORT_ID_LEN	12 /* what docker ps shows: the id's first 12 */
#define CONTAINER_POD_UID_LEN	36 /* 8-4-4-4-12; a static pod's is 32 hex */
#define CONTAINER_NAME_LEN	64 /* a machine's name, as hostnames */

struct container_ref {
	enum container_runtime runtime;
	/* Lower-case hex, CONTAINER_ID_LEN digits; "" for a machine and for a
	 * pod-level cgroup (the pod is known, none of its containers is). */
	char id[CONTAINER_ID_LEN + 1];
	/* Kubelet-managed: pod_uid and qos are set.  runtime is the engine
	 * when its cgroup name tells it (systemd driver: cri-containerd-,
	 * crio-, docker-), CONTAINER_RT_KUBERNETES when not (cgroupfs driver,
	 * a bare ID, or no container at all). */
	bool kubernetes;
	enum container_qos qos;
	/* As the API server shows it: lower-case, with '-' where the systemd
	 * driver wrote '_'. */
	char pod_uid[CONTAINER_POD_UID_LEN + 1];
	/* CONTAINER_RT_MACHINE: the machine's name, systemd's \xHH escapes
	 * undone; raw text of the path, escape it for an output. */
	char name[CONTAINER_NAME_LEN + 1];
};

/*
 * The container a cgroup path is of: path is one cgroup path as
 * /proc/PID/cgroup shows it (a trailing newline is ignored).  The
 * outermost container in the path wins: what lies below a container is
 * its own to name (docker in docker, kind's pods in a node container are
 * the outer container's, and a cgroup a container made to look like
 * another's is still its own); below a pod, the pod's container.
 * 0 and *out filled, or -ENOENT when the path is no container's: the
 * host's "/", "/user.slice/...", "/system.slice/ssh.service", a monitor,
 * or "/" as seen from inside a container's own cgroup namespace.
 */
int container_from_cgroup_path(const char *path, struct container_ref *out);

/*
 * The same for the whole text of a /proc/PID/cgroup file: the v2 line
 * ("0::PATH") when it names a container, else the first v1 line
 * ("N:CONTROLLERS:PATH") that does.  0, or -ENOENT.
 */
int container_from_cgroup_text(const char *text, struct container_ref *out);

/*
 * container_from_cgroup_text of PROC_ROOT/PID/cgroup (proc_root as
 * procfs_root takes it).  0; -ENOENT: not a container's; -ESRCH: no such
 * process; another negative errno if the file cannot be read.
 */
int container_from_proc(const char *proc_root, __u32 pid, struct container_ref *out);

/* "host", "docker", "podman", "containerd", "cri-o", "machine",
 * "kubernetes"; by_name gives the runtime or -EINVAL. */
const char *container_runtime_name(enum container_runtime rt);
int container_runtime_by_name(const char *name);
/* "", "guaranteed", "burstable", "besteffort"; by_name: the class or -EINVAL. */
const char *container_qos_name(enum container_qos qos);
int container_qos_by_name(const char *name);

/*
 * A short name for the text view, terminal-safe, written to buf and
 * returned: "docker:3f4e5d6c7b8a", "k8s:pod 1a2b3c4d",
 * "k8s:pod 1a2b3c4d/3f4e5d6c7b8a", "machine:web", "host".
 */
const char *container_short_name(const struct container_ref *c, char *buf, size_t len);

/*
 * Does a process in container c (NULL: on the host) match what a user
 * selected (--container): "host" for the host, else a prefix of the
 * container's id or of its pod's UID, or a machine's name?
 */
bool container_matches(const struct container_ref *c, const char *sel);

#endif /* SHMWATCH_CONTAINER_H */
