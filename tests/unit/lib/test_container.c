// SPDX-License-Identifier: GPL-2.0
/*
 * test_container.c - container identities from cgroup paths
 * (lib/container): each runtime's layout, for the cgroupfs and the systemd
 * drivers, cgroup v1 and v2, the monitors and daemons that are no
 * container, host paths and malformed input, a whole /proc/PID/cgroup
 * file as podman left it on the project's CI machine, and the same read
 * from a fake /proc tree.
 *
 * Each fixture says where its layout is documented or written: a URL, or
 * REPO:PATH of the code that builds the name.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "../fakeproc.h"
#include "lib/container.h"

/* Container ids as runtimes print them: 64 lower-case hex digits. */
#define ID_A "3f4e5d6c7b8a91a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081920"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_C "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
/* A pod UID as the API server shows it, and as the systemd driver writes it. */
#define UID_DASH "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
#define UID_UNDER "1a2b3c4d_5e6f_4a7b_8c9d_0e1f2a3b4c5d"
/* A static pod's UID: 32 hex digits, the hash of its manifest
 * (kubernetes/kubernetes:pkg/kubelet/config/common.go, generatePodName's
 * neighbour applyDefaults: hex of an md5 hash). */
#define UID_STATIC "8fcd4ae8fae09a2b2e1b5fe4ce0e5a17"

static struct container_ref ref;

static int parse(const char *path)
{
	memset(&ref, 0x5a, sizeof(ref)); /* so nothing passes by chance */
	return container_from_cgroup_path(path, &ref);
}

/* path is a container of runtime rt with id (not in a pod). */
#define assert_ctr(path, rt, want_id)                             \
	do {                                                      \
		assert_int_equal(parse(path), 0);                 \
		assert_int_equal(ref.runtime, rt);                \
		assert_string_equal(ref.id, want_id);             \
		assert_false(ref.kubernetes);                     \
		assert_int_equal(ref.qos, CONTAINER_QOS_NONE);    \
		assert_string_equal(ref.pod_uid, "");             \
	} while (0)

/* path is in pod uid of class qos; a container of rt with id, or
 * (id "") the pod's own cgroup. */
#define assert_pod(path, rt, want_id, uid, q)                     \
	do {                                                      \
		assert_int_equal(parse(path), 0);                 \
		assert_true(ref.kubernetes);                      \
		assert_int_equal(ref.runtime, rt);                \
		assert_string_equal(ref.id, want_id);             \
		assert_string_equal(ref.pod_uid, uid);            \
		assert_int_equal(ref.qos, q);                     \
	} while (0)

#define assert_none(path) assert_int_equal(parse(path), -ENOENT)

static void test_docker(void **state)
{
	/* cgroupfs driver (the default on v1): /docker/<long id>, per
	 * controller in v1; https://docs.docker.com/engine/containers/runmetrics/
	 * ("Find the cgroup for a given container"). */
	assert_ctr("/docker/" ID_A, CONTAINER_RT_DOCKER, ID_A);
	/* systemd driver (the default on v2): runc turns
	 * "system.slice:docker:ID" into system.slice/docker-ID.scope; same page,
	 * and opencontainers/runc:docs/systemd.md. */
	assert_ctr("/system.slice/docker-" ID_A ".scope", CONTAINER_RT_DOCKER, ID_A);
	/* Rootless docker, systemd driver, under the user's manager:
	 * "user.slice:docker:ID" as runc:docs/cgroup-v2.md shows for rootless. */
	assert_ctr("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID_B ".scope",
		   CONTAINER_RT_DOCKER, ID_B);
	/* --cgroup-parent=/ci with the systemd driver: a slice of one's own. */
	assert_ctr("/ci.slice/docker-" ID_B ".scope", CONTAINER_RT_DOCKER, ID_B);
	/* The daemon and its containerd are no container. */
	assert_none("/system.slice/docker.service");
	assert_none("/system.slice/docker.socket");
}

static void test_podman(void **state)
{
	/* systemd driver, root: "machine.slice:libpod:ID"
	 * (containers/podman:libpod/container_internal_linux.go,
	 * getOCICgroupPath; SystemdDefaultCgroupParent in libpod/container.go). */
	assert_ctr("/machine.slice/libpod-" ID_A ".scope", CONTAINER_RT_PODMAN, ID_A);
	/* crun on cgroup v2 moves the payload one level down, into "container"
	 * (containers/crun:crun.1.md, run.oci.systemd.subgroup). */
	assert_ctr("/machine.slice/libpod-" ID_A ".scope/container", CONTAINER_RT_PODMAN, ID_A);
	/* Rootless, systemd driver: SystemdDefaultRootlessCgroupParent
	 * "user.slice" under the user's manager. */
	assert_ctr("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_B ".scope",
		   CONTAINER_RT_PODMAN, ID_B);
	/* cgroupfs driver: CgroupfsDefaultCgroupParent "/libpod_parent" joined
	 * with "libpod-ID" (getOCICgroupPath). */
	assert_ctr("/libpod_parent/libpod-" ID_A, CONTAINER_RT_PODMAN, ID_A);
	/* A podman pod: systemd slice machine-libpod_pod_<pod id>.slice
	 * (libpod/runtime_pod_linux.go, systemdSliceFromPath), cgroupfs
	 * /libpod_parent/<pod id>; the containers inside as above. */
	assert_ctr("/machine.slice/machine-libpod_pod_" ID_C ".slice/libpod-" ID_B ".scope",
		   CONTAINER_RT_PODMAN, ID_B);
	assert_ctr("/libpod_parent/" ID_C "/libpod-" ID_B, CONTAINER_RT_PODMAN, ID_B);
	/* --cgroups=split (quadlet's default): the payload in
	 * SELF/libpod-payload-ID, conmon in SELF/runtime (getOCICgroupPath;
	 * moveToRuntimeCgroup in libpod/oci_conmon_linux.go). */
	assert_ctr("/system.slice/nginx.service/libpod-payload-" ID_A, CONTAINER_RT_PODMAN, ID_A);
	assert_ctr("/user.slice/user-1000.slice/user@1000.service/app.slice/redis.service/libpod-payload-" ID_B,
		   CONTAINER_RT_PODMAN, ID_B);
	assert_none("/system.slice/nginx.service/runtime");
	assert_none("/system.slice/nginx.service");
	/* conmon, the container's monitor, is not the container:
	 * createUnitName("libpod-conmon", ID) with systemd, PARENT/conmon with
	 * cgroupfs (libpod/oci_conmon_linux.go). */
	assert_none("/machine.slice/libpod-conmon-" ID_A ".scope");
	assert_none("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" ID_A ".scope");
	assert_none("/libpod_parent/conmon");
	/* A pod's conmon, cgroupfs: POD_CGROUP/conmon (runtime_pod_linux.go). */
	assert_none("/libpod_parent/" ID_C "/conmon");
	assert_none("/libpod_parent/" ID_C);
	/* A pod's podman slice alone names no container. */
	assert_none("/machine.slice/machine-libpod_pod_" ID_C ".slice");
	/* Pre-3.4.x podman's split used a bare ".../container" (changed to
	 * libpod-payload-ID by commit e648122b29): it carries no id. */
	assert_none("/system.slice/nginx.service/container");
}

static void test_containerd(void **state)
{
	/* The daemon (and the shims it starts in its own cgroup). */
	assert_none("/system.slice/containerd.service");
	/* ctr and nerdctl with cgroupfs: /NAMESPACE/ID
	 * (containerd/containerd:pkg/oci/spec.go, populateDefaultUnixSpec:
	 * CgroupsPath filepath.Join("/", ns, id)); nerdctl's ids are 64 hex. */
	assert_ctr("/default/" ID_A, CONTAINER_RT_CONTAINERD, ID_A);
	assert_ctr("/k8s.io/" ID_B, CONTAINER_RT_CONTAINERD, ID_B);
	/* ctr with a name of one's own: no id to tell it by. */
	assert_none("/default/redis");
	/* nerdctl, systemd driver: "system.slice:nerdctl:ID"
	 * (containerd/nerdctl:pkg/cmd/container/run_cgroup_linux.go). */
	assert_ctr("/system.slice/nerdctl-" ID_A ".scope", CONTAINER_RT_CONTAINERD, ID_A);
	/* A bare id deeper down, under no parent we know, is not guessed. */
	assert_none("/system.slice/foo.service/" ID_A);
}

static void test_crio(void **state)
{
	/* systemd driver, outside a pod: "system.slice:crio:ID"
	 * (cri-o/cri-o:internal/config/cgmgr/systemd_linux.go,
	 * ContainerCgroupPath, defaultSystemdParent). */
	assert_ctr("/system.slice/crio-" ID_A ".scope", CONTAINER_RT_CRIO, ID_A);
	/* cgroupfs driver, default parent /crio: PARENT/crio-ID
	 * (internal/config/cgmgr/cgroupfs_linux.go, ContainerCgroupPath). */
	assert_ctr("/crio/crio-" ID_A, CONTAINER_RT_CRIO, ID_A);
	/* conmon: crio-conmon-ID.scope in system.slice (conmon_cgroup
	 * "system.slice", systemd_linux.go MoveConmonToCgroup) is not the
	 * container. */
	assert_none("/system.slice/crio-conmon-" ID_A ".scope");
	assert_none("/crio/crio-conmon-" ID_A);
	/* conmon_cgroup = "pod": in the pod, but no container of it. */
	assert_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_UNDER
		   ".slice/crio-conmon-" ID_A ".scope",
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods/besteffort/pod" UID_DASH "/crio-conmon-" ID_A,
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_BESTEFFORT);
	assert_none("/system.slice/crio.service");
}

static void test_kubernetes_systemd(void **state)
{
	/*
	 * kubelet's systemd driver: CgroupName {kubepods, QOS, pod<UID>} with
	 * '-' escaped to '_' and expanded as slices
	 * (kubernetes/kubernetes:pkg/kubelet/cm/cgroup_manager_linux.go,
	 * ToSystemd and escapeSystemdCgroupName; guaranteed pods sit right
	 * under kubepods: pkg/kubelet/cm/pod_container_manager_linux.go,
	 * qos_container_manager_linux.go).  The container is the runtime's
	 * "slice:PREFIX:ID": cri-containerd (containerd/containerd:
	 * internal/cri/server/helpers_linux.go getCgroupsPath), crio
	 * (cri-o ContainerCgroupPath), docker (cri-dockerd).
	 */
	assert_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_UNDER
		   ".slice/cri-containerd-" ID_A ".scope",
		   CONTAINER_RT_CONTAINERD, ID_A, UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods.slice/kubepods-pod" UID_UNDER ".slice/crio-" ID_B ".scope",
		   CONTAINER_RT_CRIO, ID_B, UID_DASH, CONTAINER_QOS_GUARANTEED);
	assert_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_UNDER
		   ".slice/docker-" ID_C ".scope",
		   CONTAINER_RT_DOCKER, ID_C, UID_DASH, CONTAINER_QOS_BESTEFFORT);
	/* A static pod (etcd, kube-apiserver): a 32-hex UID. */
	assert_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_STATIC
		   ".slice/cri-containerd-" ID_A ".scope",
		   CONTAINER_RT_CONTAINERD, ID_A, UID_STATIC, CONTAINER_QOS_BURSTABLE);
	/* The pod's own cgroup (what a pod-level process or a path cut at the
	 * pod shows): the pod is known, its container not. */
	assert_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_UNDER ".slice",
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods.slice/kubepods-pod" UID_UNDER ".slice/",
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_GUARANTEED);
	/* The QoS levels and the root hold no pod. */
	assert_none("/kubepods.slice");
	assert_none("/kubepods.slice/kubepods-burstable.slice");
	assert_none("/kubepods.slice/kubepods-besteffort.slice");
	/* kubelet itself and the runtimes' daemons. */
	assert_none("/system.slice/kubelet.service");
	/* A pod slice whose UID is not one. */
	assert_none("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podnot_a_uid.slice");
	/* "-pod" in a slice that is not kubelet's. */
	assert_none("/system.slice/my-pod" UID_UNDER ".slice");
}

static void test_kubernetes_cgroupfs(void **state)
{
	/* kubelet's cgroupfs driver: "/" + join(kubepods, QOS, pod<UID>)
	 * (cgroup_manager_linux.go ToCgroupfs); the container a bare ID
	 * (containerd getCgroupsPath, cri-dockerd) or crio-ID (cri-o). The
	 * engine of a bare ID is not in the path. */
	assert_pod("/kubepods/burstable/pod" UID_DASH "/" ID_A,
		   CONTAINER_RT_KUBERNETES, ID_A, UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods/pod" UID_DASH "/" ID_B,
		   CONTAINER_RT_KUBERNETES, ID_B, UID_DASH, CONTAINER_QOS_GUARANTEED);
	assert_pod("/kubepods/besteffort/pod" UID_DASH "/" ID_C,
		   CONTAINER_RT_KUBERNETES, ID_C, UID_DASH, CONTAINER_QOS_BESTEFFORT);
	assert_pod("/kubepods/burstable/pod" UID_DASH "/crio-" ID_A,
		   CONTAINER_RT_CRIO, ID_A, UID_DASH, CONTAINER_QOS_BURSTABLE);
	/* The pause/sandbox's and the pod's own cgroup. */
	assert_pod("/kubepods/burstable/pod" UID_DASH,
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods/pod" UID_STATIC,
		   CONTAINER_RT_KUBERNETES, "", UID_STATIC, CONTAINER_QOS_GUARANTEED);
	assert_none("/kubepods");
	assert_none("/kubepods/burstable");
	assert_none("/kubepods/besteffort/");
	/* pod<UID> where kubelet does not put pods. */
	assert_none("/pod" UID_DASH);
	assert_none("/kubepods/other/pod" UID_DASH);
	assert_none("/burstable/pod" UID_DASH);
	assert_none("/system.slice/besteffort/pod" UID_DASH);
	assert_none("/kubepods/burstable/pod");
}

static void test_nested(void **state)
{
	/* systemd inside a docker container, cgroup v1 and cgroupns=host: the
	 * container's own units below its cgroup. */
	assert_ctr("/docker/" ID_A "/init.scope", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("/docker/" ID_A "/system.slice/systemd-journald.service", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("/system.slice/docker-" ID_A ".scope/init.scope", CONTAINER_RT_DOCKER, ID_A);
	/* Docker in docker: the outer container's (what is below it is its
	 * own to name). */
	assert_ctr("/docker/" ID_A "/docker/" ID_B, CONTAINER_RT_DOCKER, ID_A);
	/* A container that names a cgroup of its own after another one (with
	 * cgroup delegation) is still itself. */
	assert_ctr("/libpod_parent/libpod-" ID_A "/libpod-" ID_B, CONTAINER_RT_PODMAN, ID_A);
	assert_ctr("/system.slice/docker-" ID_A ".scope/kubepods.slice/kubepods-pod" UID_UNDER
		   ".slice/cri-containerd-" ID_B ".scope", CONTAINER_RT_DOCKER, ID_A);
	assert_false(ref.kubernetes);
	/* Docker in an nspawn machine: the machine's. */
	assert_ctr("/machine.slice/machine-web.scope/payload/docker/" ID_B, CONTAINER_RT_MACHINE, "");
	assert_string_equal(ref.name, "web");
	/* kind: kubelet in a node container, with cgroupRoot: /kubelet
	 * (kubernetes-sigs/kind:pkg/cluster/internal/kubeadm/config.go, the
	 * KubeletConfiguration it writes): the node container's. */
	assert_ctr("/system.slice/docker-" ID_A ".scope/kubelet.slice/kubelet-kubepods.slice"
		   "/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_UNDER
		   ".slice/cri-containerd-" ID_B ".scope", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("/docker/" ID_A "/kubelet/kubepods/burstable/pod" UID_DASH,
		   CONTAINER_RT_DOCKER, ID_A);
	/* A container started by docker inside a pod's container: the pod's
	 * container. */
	assert_pod("/kubepods/burstable/pod" UID_DASH "/" ID_A "/docker/" ID_B,
		   CONTAINER_RT_KUBERNETES, ID_A, UID_DASH, CONTAINER_QOS_BURSTABLE);
	/* Seen from inside a container's cgroup namespace: "/" or its own
	 * sub-cgroups, nothing that names the container. */
	assert_none("/");
	assert_none("/init.scope");
	assert_none("/container");
	/* A reader in a cgroup namespace sees others' paths through "..". */
	assert_ctr("/../../system.slice/docker-" ID_A ".scope", CONTAINER_RT_DOCKER, ID_A);
	/* Its depth below the real root is unknown: no /NAMESPACE/ID guess. */
	assert_none("/../" ID_A);
	assert_none("/../default/" ID_A);
}

static void test_machine(void **state)
{
	/* systemd-machined registers a machine as machine.slice/machine-NAME.scope,
	 * NAME unit-escaped (systemd/systemd:src/machine/machined-dbus.c,
	 * unit_name_build_from_type / systemd-nspawn(1) "--slice="). */
	assert_int_equal(parse("/machine.slice/machine-web.scope"), 0);
	assert_int_equal(ref.runtime, CONTAINER_RT_MACHINE);
	assert_string_equal(ref.name, "web");
	assert_string_equal(ref.id, "");
	assert_false(ref.kubernetes);
	assert_int_equal(parse("/machine.slice/machine-my\\x2dbox.scope/payload"), 0);
	assert_string_equal(ref.name, "my-box");
	/* libvirt's QEMU guests register the same way. */
	assert_int_equal(parse("/machine.slice/machine-qemu\\x2d1\\x2dvm.scope"), 0);
	assert_string_equal(ref.name, "qemu-1-vm");
	/* A broken escape is kept as it is. */
	assert_int_equal(parse("/machine.slice/machine-a\\x2.scope"), 0);
	assert_string_equal(ref.name, "a\\x2");
	assert_int_equal(parse("/machine.slice/machine-a\\x2.b.scope"), 0);
	assert_string_equal(ref.name, "a\\x2.b");
	assert_int_equal(parse("/machine.slice/machine-a\\x00b.scope"), 0);
	assert_string_equal(ref.name, "a\\x00b");
	assert_none("/machine.slice/machine-.scope");
	assert_none("/machine.slice");
}

static void test_host(void **state)
{
	assert_none("/");
	assert_none("/init.scope");
	assert_none("/user.slice/user-1000.slice/session-3.scope");
	assert_none("/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope");
	assert_none("/system.slice/ssh.service");
	assert_none("/system.slice/systemd-journald.service");
	/* This CI machine's own sandbox: a 32-hex name at the top level
	 * (4:memory: of /proc/self/cgroup here). */
	assert_none("/process_api/b98a665f8b66b205a25b042d59de1809");
	/* LXC's cgroups carry a name, not an id: not recognised. */
	assert_none("/lxc.payload.web");
}

static void test_odd_input(void **state)
{
	char long_path[16384];
	size_t n = 0;

	assert_none("");
	assert_none("\n");
	assert_none("//");
	assert_none("docker");
	assert_none("/docker/");
	/* A line's newline, trailing and doubled slashes. */
	assert_ctr("/docker/" ID_A "\n", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("/docker/" ID_A "/", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("//docker//" ID_A "//", CONTAINER_RT_DOCKER, ID_A);
	assert_ctr("/./docker/" ID_A, CONTAINER_RT_DOCKER, ID_A);
	/* Wrong length, wrong digits, wrong case, a short id. */
	assert_none("/docker/" ID_A "0");
	assert_none("/docker/3f4e5d6c7b8a91a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192");
	assert_none("/docker/3f4e5d6c7b8a");
	assert_none("/docker/3F4E5D6C7B8A91A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081920");
	assert_none("/docker/gf4e5d6c7b8a91a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081920");
	assert_none("/system.slice/docker-.scope");
	assert_none("/system.slice/docker-" ID_A ".scopex");
	assert_none("/system.slice/docker-" ID_A); /* docker's names are scopes */
	assert_none("/system.slice/docker-" ID_A "0.scope");
	assert_none("/system.slice/docker-3f4e5d6c7b8a.scope");
	/* A pod UID with its dashes out of place, or one short. */
	assert_none("/kubepods/pod1a2b3c4d5-e6f-4a7b-8c9d-0e1f2a3b4c5d");
	assert_none("/kubepods/pod1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5");
	assert_none("/kubepods/pod1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5dd");
	/* A bad pod after a good one leaves the good one: here the last
	 * digit fails, after the rest was read. */
	assert_pod("/kubepods/burstable/pod" UID_DASH "/podzz",
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_BURSTABLE);
	assert_pod("/kubepods.slice/kubepods-pod" UID_UNDER ".slice/kubepods-pod"
		   "9a2b3c4d_5e6f_4a7b_8c9d_0e1f2a3b4c5z.slice",
		   CONTAINER_RT_KUBERNETES, "", UID_DASH, CONTAINER_QOS_GUARANTEED);

	/* Very long: thousands of components, the container at the end. */
	while (n + 4 < sizeof(long_path) - 200) {
		memcpy(long_path + n, "/abc", 4);
		n += 4;
	}
	snprintf(long_path + n, sizeof(long_path) - n, "/docker-%s.scope", ID_C);
	assert_ctr(long_path, CONTAINER_RT_DOCKER, ID_C);
	/* One component far longer than any name. */
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	assert_none(long_path);
	/* Control bytes in a name are carried raw; the short name escapes. */
	assert_int_equal(parse("/machine.slice/machine-a\\x1bb.scope"), 0);
	assert_string_equal(ref.name, "a\x1b" "b");
}

/*
 * As seen on the project's CI machine (Debian 12, cgroup v1 with the v2
 * hierarchy at /sys/fs/cgroup/unified): /proc/PID/cgroup of a process in
 * a podman 4.3.1 container, read from the host, with
 *   podman --runtime runc --cgroup-manager=cgroupfs run -d IMAGE /cgcat
 * (cgcat: a static program that prints /proc/self/cgroup and sleeps; the
 * container printed the same text, its cgroup namespace being the host's).
 */
static const char podman_ci_cgroup[] =
	"9:name=systemd:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"8:pids:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"7:blkio:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"6:freezer:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"5:devices:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"4:memory:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"3:cpuset:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"2:cpuacct:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"1:cpu:/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n"
	"0::/libpod_parent/libpod-99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432\n";

/* ... and of its conmon, in the same run: cgroupfs PARENT/conmon on the
 * v1 controllers, the root everywhere else. */
static const char podman_ci_conmon_cgroup[] =
	"9:name=systemd:/\n"
	"8:pids:/libpod_parent/conmon\n"
	"7:blkio:/libpod_parent/conmon\n"
	"6:freezer:/libpod_parent/conmon\n"
	"5:devices:/libpod_parent/conmon\n"
	"4:memory:/libpod_parent/conmon\n"
	"3:cpuset:/libpod_parent/conmon\n"
	"2:cpuacct:/libpod_parent/conmon\n"
	"1:cpu:/libpod_parent/conmon\n"
	"0::/\n";

#define PODMAN_CI_ID "99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432"

static void test_podman_on_ci(void **state)
{
	char buf[64];

	memset(&ref, 0x5a, sizeof(ref));
	assert_int_equal(container_from_cgroup_text(podman_ci_cgroup, &ref), 0);
	assert_int_equal(ref.runtime, CONTAINER_RT_PODMAN);
	assert_string_equal(ref.id, PODMAN_CI_ID);
	assert_false(ref.kubernetes);
	/* podman ps shows the id's first 12 digits. */
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "podman:99884d358da9");
	assert_int_equal(container_from_cgroup_text(podman_ci_conmon_cgroup, &ref), -ENOENT);
}

static void test_v1_and_v2_lines(void **state)
{
	/* Hybrid host, docker's cgroupfs driver: the v1 controllers name the
	 * container, the v2 line stays at the root. */
	static const char docker_hybrid[] =
		"12:memory:/docker/" ID_A "\n"
		"11:cpu,cpuacct:/docker/" ID_A "\n"
		"1:name=systemd:/docker/" ID_A "\n"
		"0::/\n";
	/* The v2 line wins over a v1 line naming something else. */
	static const char v2_first[] =
		"4:memory:/docker/" ID_A "\n"
		"0::/system.slice/docker-" ID_B ".scope\n";
	/* The first v1 line that names one, past those that do not. */
	static const char v1_mixed[] =
		"5:pids:/\n"
		"4:memory:/docker/" ID_A "\n"
		"3:cpu:/docker/" ID_B "\n";
	/* A pure v2 host, no newline at the end. */
	static const char v2_only[] = "0::/kubepods.slice/kubepods-pod" UID_UNDER ".slice/cri-containerd-" ID_C ".scope";

	assert_int_equal(container_from_cgroup_text(docker_hybrid, &ref), 0);
	assert_int_equal(ref.runtime, CONTAINER_RT_DOCKER);
	assert_string_equal(ref.id, ID_A);
	assert_int_equal(container_from_cgroup_text(v2_first, &ref), 0);
	assert_string_equal(ref.id, ID_B);
	assert_int_equal(container_from_cgroup_text(v1_mixed, &ref), 0);
	assert_string_equal(ref.id, ID_A);
	assert_int_equal(container_from_cgroup_text(v2_only, &ref), 0);
	assert_int_equal(ref.runtime, CONTAINER_RT_CONTAINERD);
	assert_string_equal(ref.pod_uid, UID_DASH);
	assert_int_equal(ref.qos, CONTAINER_QOS_GUARANTEED);
	/* A colon inside the path is the path's. */
	assert_int_equal(container_from_cgroup_text("0::/a:b/docker/" ID_A "\n", &ref), 0);
	assert_string_equal(ref.id, ID_A);
	assert_int_equal(container_from_cgroup_text("", &ref), -ENOENT);
	assert_int_equal(container_from_cgroup_text("\n\n", &ref), -ENOENT);
	assert_int_equal(container_from_cgroup_text("0::/\n1:name=systemd:/init.scope\n", &ref), -ENOENT);
	/* Lines that are not lines of the file. */
	assert_int_equal(container_from_cgroup_text("/docker/" ID_A "\n", &ref), -ENOENT);
	assert_int_equal(container_from_cgroup_text("4:memory\n", &ref), -ENOENT);
	/* "10::" is not the v2 line, but still a line that names one. */
	assert_int_equal(container_from_cgroup_text("10::/docker/" ID_B "\n", &ref), 0);
	assert_string_equal(ref.id, ID_B);
}

static char root[256];

static int proc_setup(void **state)
{
	char path[300];

	snprintf(root, sizeof(root), "/tmp/shmwatch-container-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/4242", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/4243", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/4244", root);
	assert_int_equal(mkdir(path, 0755), 0);
	fakeproc_write(root, "4242/cgroup", podman_ci_cgroup);
	fakeproc_write(root, "4243/cgroup", podman_ci_conmon_cgroup);
	return 0;
}

static int proc_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_from_proc(void **state)
{
	memset(&ref, 0x5a, sizeof(ref));
	assert_int_equal(container_from_proc(root, 4242, &ref), 0);
	assert_int_equal(ref.runtime, CONTAINER_RT_PODMAN);
	assert_string_equal(ref.id, PODMAN_CI_ID);
	assert_int_equal(container_from_proc(root, 4243, &ref), -ENOENT);
	/* A process directory without its cgroup file, and no process. */
	assert_int_equal(container_from_proc(root, 4244, &ref), -ESRCH);
	assert_int_equal(container_from_proc(root, 4245, &ref), -ESRCH);
}

static void test_own_process(void **state)
{
	/* The real /proc of the test itself: whatever it is, it is read. */
	int err = container_from_proc(NULL, (__u32)getpid(), &ref);

	assert_true(err == 0 || err == -ENOENT);
}

static void test_names(void **state)
{
	char buf[80];

	for (int i = 0; i < CONTAINER_RT_MAX; i++)
		assert_int_equal(container_runtime_by_name(container_runtime_name(i)), i);
	for (int i = 0; i < CONTAINER_QOS_MAX; i++)
		assert_int_equal(container_qos_by_name(container_qos_name(i)), i);
	assert_int_equal(container_runtime_by_name("rkt"), -EINVAL);
	assert_int_equal(container_qos_by_name("Burstable"), -EINVAL);
	assert_string_equal(container_runtime_name(CONTAINER_RT_CRIO), "cri-o");
	assert_string_equal(container_qos_name(CONTAINER_QOS_BESTEFFORT), "besteffort");
	assert_string_equal(container_runtime_name(CONTAINER_RT_MAX), "unknown");

	assert_int_equal(parse("/system.slice/docker-" ID_A ".scope"), 0);
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "docker:3f4e5d6c7b8a");
	assert_int_equal(parse("/kubepods/burstable/pod" UID_DASH), 0);
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "k8s:pod 1a2b3c4d");
	assert_int_equal(parse("/kubepods.slice/kubepods-pod" UID_UNDER ".slice/crio-" ID_B ".scope"), 0);
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "k8s:pod 1a2b3c4d/0123456789ab");
	assert_int_equal(parse("/machine.slice/machine-a\\x1bb.scope"), 0);
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "machine:a\\x1bb");
	memset(&ref, 0, sizeof(ref));
	assert_string_equal(container_short_name(&ref, buf, sizeof(buf)), "host");
	/* Cut to the buffer, terminated. */
	assert_int_equal(parse("/docker/" ID_A), 0);
	assert_string_equal(container_short_name(&ref, buf, 8), "docker:");
	assert_string_equal(container_short_name(&ref, buf, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_crio),
		cmocka_unit_test(test_kubernetes_systemd),
		cmocka_unit_test(test_kubernetes_cgroupfs),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_podman_on_ci),
		cmocka_unit_test(test_v1_and_v2_lines),
		cmocka_unit_test_setup_teardown(test_from_proc, proc_setup, proc_teardown),
		cmocka_unit_test(test_own_process),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
