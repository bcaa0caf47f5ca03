// SPDX-License-Identifier: GPL-2.0
/*
 * test_container_names.c - container names from the runtimes' files
 * (lib/container_names): one fake host tree per test, in a mkdtemp
 * directory removed in teardown even when the test fails, holding the
 * files a runtime leaves: podman's as podman 4.3.1 wrote them on the
 * project's CI machine (Debian 12, root), docker's, containerd's CRI
 * bundles, cri-o's; then what goes wrong: missing files, JSON that does
 * not parse, the wrong types, a huge file, a directory or FIFO in a
 * file's place, names with odd bytes and names too long for the fields.
 *
 * Each fixture says where its layout is written: REPO:PATH of the code
 * that writes it, or what was seen on a real host.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include "lib/container_names.h"

/* The ids of the two podman containers seen on the CI machine. */
#define ID_PODMAN "46fef3cf7d29dbad27d71de1a30ea06748c5844c9f867f81018fbeb3ebede67b"
#define ID_PODMAN_RM "9a1dfe88a88984ccb9375fa781529ebbef1cb964f52a39295167aaeb3073f56b"
#define ID_A "3f4e5d6c7b8a91a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081920"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_SANDBOX "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define POD_UID "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

#define GRAPH "var/lib/containers/storage/overlay-containers"
#define RUN "run/containers/storage/overlay-containers"
#define TASKS "run/containerd/io.containerd.runtime.v2.task"
#define DOCKER "var/lib/docker/containers"

/*
 * podman 4.3.1, `podman run -d --name web-1 localhost/shmwatch-names-test:v1`:
 * GRAPH/containers.json as it was, byte for byte.
 */
static const char podman_list[] =
	"[{\"id\":\"" ID_PODMAN "\",\"names\":[\"web-1\"],"
	"\"image\":\"806705902673537ec3c5f8cb39060df61cd2e021623bd4007867bf52acc74f94\","
	"\"layer\":\"44170fa9fca1618a3ee71c86faa301f25d3c7eeb3555876c846a4529eb47f4a9\","
	"\"metadata\":\"{\\\"image-name\\\":\\\"localhost/shmwatch-names-test:v1\\\","
	"\\\"image-id\\\":\\\"806705902673537ec3c5f8cb39060df61cd2e021623bd4007867bf52acc74f94\\\","
	"\\\"name\\\":\\\"web-1\\\",\\\"created-at\\\":1796654331}\","
	"\"created\":\"2026-12-07T14:38:51.349229708Z\","
	"\"flags\":{\"MountLabel\":\"\",\"ProcessLabel\":\"\"}}]";

/* The same machine, `podman run --rm -d --name web-rm`: storage of that
 * podman keeps a volatile container in containers.json too, flagged. */
static const char podman_rm_entry[] =
	"{\"id\":\"" ID_PODMAN_RM "\",\"names\":[\"web-rm\"],"
	"\"image\":\"806705902673537ec3c5f8cb39060df61cd2e021623bd4007867bf52acc74f94\","
	"\"layer\":\"b35b5c8f1574e9d9f28e5b9efd7dfb0c7009f5994a738a38a5d23fa8b0ecfe00\","
	"\"metadata\":\"{\\\"image-name\\\":\\\"localhost/shmwatch-names-test:v1\\\","
	"\\\"image-id\\\":\\\"806705902673537ec3c5f8cb39060df61cd2e021623bd4007867bf52acc74f94\\\","
	"\\\"name\\\":\\\"web-rm\\\",\\\"created-at\\\":1796654555}\","
	"\"created\":\"2026-12-07T14:42:35.543832648Z\","
	"\"flags\":{\"MountLabel\":\"\",\"ProcessLabel\":\"\",\"Volatile\":true}}";

/* Its GRAPH/ID/userdata/config.json (10 KiB), cut to the members that
 * could name it; the annotations are all there were. */
static const char podman_config[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"/sleep\"],"
	"\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
	"\"TERM=xterm\",\"container=podman\",\"HOSTNAME=46fef3cf7d29\"],\"cwd\":\"/\"},"
	"\"hostname\":\"46fef3cf7d29\","
	"\"annotations\":{\"io.container.manager\":\"libpod\","
	"\"io.kubernetes.cri-o.Created\":\"2026-12-07T14:38:51.312413323Z\","
	"\"io.kubernetes.cri-o.TTY\":\"false\","
	"\"io.podman.annotations.autoremove\":\"FALSE\","
	"\"io.podman.annotations.init\":\"FALSE\","
	"\"io.podman.annotations.privileged\":\"FALSE\","
	"\"io.podman.annotations.publish-all\":\"FALSE\","
	"\"org.opencontainers.image.stopSignal\":\"15\"}}";

/*
 * docker: DATA-ROOT/containers/ID/config.v2.json (moby/moby:
 * container/container.go, configFileName), trimmed.  "Name" with its '/'
 * (daemon/names.go); "Image" at the top is the image's id, Config.Image
 * what was asked for.
 */
static const char docker_config[] =
	"{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":4242},"
	"\"ID\":\"" ID_A "\",\"Created\":\"2026-12-07T14:00:00.000000000Z\","
	"\"Path\":\"nginx\",\"Args\":[\"-g\",\"daemon off;\"],"
	"\"Config\":{\"Hostname\":\"3f4e5d6c7b8a\",\"Image\":\"nginx:1.25\","
	"\"Labels\":{\"maintainer\":\"NGINX Docker Maintainers\"}},"
	"\"Image\":\"sha256:a6bd71f48f6839d9faae1f29d3babef831e76bc213107682c5cc80f0cbb30866\","
	"\"Name\":\"/web-1\",\"Driver\":\"overlay2\",\"RestartCount\":0}\n";

/*
 * dockershim / cri-dockerd: a pod's container is a docker container named
 * k8s_CONTAINER_POD_NAMESPACE_UID_ATTEMPT, kubelet's labels on it
 * (kubernetes/kubernetes:pkg/kubelet/types/labels.go).
 */
static const char dockershim_config[] =
	"{\"ID\":\"" ID_A "\",\"Name\":\"/k8s_app_web-7d4b9c_shop_" POD_UID "_0\","
	"\"Image\":\"sha256:a6bd71f48f6839d9faae1f29d3babef831e76bc213107682c5cc80f0cbb30866\","
	"\"Config\":{\"Image\":\"registry.example/shop/app@sha256:0123\","
	"\"Labels\":{\"io.kubernetes.container.name\":\"app\","
	"\"io.kubernetes.docker.type\":\"container\","
	"\"io.kubernetes.pod.name\":\"web-7d4b9c\","
	"\"io.kubernetes.pod.namespace\":\"shop\","
	"\"io.kubernetes.pod.uid\":\"" POD_UID "\"}}}";

/*
 * containerd's CRI: TASKS/k8s.io/ID/config.json, the annotations of
 * containerd/containerd:pkg/cri/annotations/annotations.go
 * DefaultCRIAnnotations, for a container and (no container or image
 * name) for its pod's sandbox.
 */
static const char cri_container_config[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/coredns\"]},"
	"\"annotations\":{\"io.kubernetes.cri.container-name\":\"coredns\","
	"\"io.kubernetes.cri.container-type\":\"container\","
	"\"io.kubernetes.cri.image-name\":\"registry.k8s.io/coredns/coredns:v1.11.1\","
	"\"io.kubernetes.cri.sandbox-id\":\"" ID_SANDBOX "\","
	"\"io.kubernetes.cri.sandbox-name\":\"coredns-5dd5756b68-w4b72\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"kube-system\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" POD_UID "\"}}";

static const char cri_sandbox_config[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/pause\"]},"
	"\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
	"\"io.kubernetes.cri.sandbox-id\":\"" ID_SANDBOX "\","
	"\"io.kubernetes.cri.sandbox-log-directory\":\"/var/log/pods/kube-system_coredns_" POD_UID "\","
	"\"io.kubernetes.cri.sandbox-name\":\"coredns-5dd5756b68-w4b72\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"kube-system\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" POD_UID "\"}}";

/*
 * cri-o: RUN/ID/userdata/config.json; the image in
 * io.kubernetes.cri-o.ImageName (cri-o/cri-o:pkg/annotations/internal.go),
 * kubelet's labels copied in.
 */
static const char crio_config[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"hostname\":\"coredns-6d4b75cb6d-4mtdm\","
	"\"annotations\":{\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.name\":\"coredns\","
	"\"io.kubernetes.cri-o.ContainerID\":\"" ID_B "\","
	"\"io.kubernetes.cri-o.ContainerType\":\"container\","
	"\"io.kubernetes.cri-o.ImageName\":\"k8s.gcr.io/coredns/coredns:v1.8.6\","
	"\"io.kubernetes.cri-o.SandboxID\":\"" ID_SANDBOX "\","
	"\"io.kubernetes.pod.name\":\"coredns-6d4b75cb6d-4mtdm\","
	"\"io.kubernetes.pod.namespace\":\"kube-system\","
	"\"io.kubernetes.pod.uid\":\"" POD_UID "\"}}";

/* cri-o's entry in containers/storage's list: a volatile container
 * (cri-o internal/storage/runtime.go: Volatile, RuntimeContainerMetadata
 * with "pod-name"); names[0] is cri-o's long name. */
static const char crio_list[] =
	"[{\"id\":\"" ID_B "\",\"names\":[\"k8s_coredns_coredns-6d4b75cb6d-4mtdm_kube-system_" POD_UID "_0\"],"
	"\"image\":\"a4ca41631cc7ac19ce1be3ebf0314ac5f47af7c711f17066006db82ee3b75b03\","
	"\"metadata\":\"{\\\"pod-name\\\":\\\"coredns-6d4b75cb6d-4mtdm\\\","
	"\\\"pod-id\\\":\\\"" ID_SANDBOX "\\\","
	"\\\"image-name\\\":\\\"k8s.gcr.io/coredns/coredns:v1.8.6\\\","
	"\\\"name\\\":\\\"k8s_coredns_coredns-6d4b75cb6d-4mtdm_kube-system_" POD_UID "_0\\\","
	"\\\"metadata-name\\\":\\\"coredns\\\",\\\"created-at\\\":1700000000}\","
	"\"flags\":{\"Volatile\":true}}]";

struct state {
	char root[64];
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static int setup(void **pstate)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	strcpy(st->root, "/tmp/test_container_names.XXXXXX");
	if (!mkdtemp(st->root)) {
		free(st);
		return -1;
	}
	*pstate = st;
	return 0;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;

	nftw(st->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(st);
	return 0;
}

/* mkdir -p of every directory in root/rel before its last part. */
static void make_parents(const char *root, const char *rel)
{
	char path[1024];
	size_t rn = strlen(root);

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + rn + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(!mkdir(path, 0700) || errno == EEXIST);
		*p = '/';
	}
}

/* Write len bytes of text to root/rel, making its directories. */
static void put_bytes(const struct state *st, const char *rel, const char *text, size_t len)
{
	char path[1024];
	FILE *f;

	make_parents(st->root, rel);
	snprintf(path, sizeof(path), "%s/%s", st->root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put(const struct state *st, const char *rel, const char *text)
{
	put_bytes(st, rel, text, strlen(text));
}

static struct container_ref ref_of(enum container_runtime rt, const char *id)
{
	struct container_ref c = { .runtime = rt };

	snprintf(c.id, sizeof(c.id), "%s", id);
	return c;
}

static struct container_names names;

static int lookup(const struct state *st, enum container_runtime rt, const char *id)
{
	struct container_ref c = ref_of(rt, id);

	memset(&names, 0x5a, sizeof(names)); /* so nothing passes by chance */
	return container_names_read(st->root, &c, &names);
}

static void assert_names(const char *name, const char *image, const char *pod,
			 const char *ns, const char *k8s_ctr)
{
	assert_string_equal(names.name, name);
	assert_string_equal(names.image, image);
	assert_string_equal(names.pod_name, pod);
	assert_string_equal(names.pod_namespace, ns);
	assert_string_equal(names.k8s_container, k8s_ctr);
}

static void assert_none(void)
{
	assert_names("", "", "", "", "");
}

static void test_podman_seen(void **state)
{
	struct state *st = *state;

	put(st, GRAPH "/containers.json", podman_list);
	put(st, GRAPH "/" ID_PODMAN "/userdata/config.json", podman_config);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_PODMAN), 0);
	assert_names("web-1", "localhost/shmwatch-names-test:v1", "", "", "");
	/* Not in the list: its config.json alone names nothing. */
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -ENOENT);
	assert_none();
}

/* Podman 4.3's config.json has no name and no image in its annotations:
 * without the list the container stays unnamed, not misnamed. */
static void test_podman_config_alone(void **state)
{
	struct state *st = *state;

	put(st, GRAPH "/" ID_PODMAN "/userdata/config.json", podman_config);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_PODMAN), -ENOENT);
	assert_none();
}

static void test_podman_lists(void **state)
{
	struct state *st = *state;
	char list[4096];

	/* Two entries, the one asked for second (the CI machine's --rm one). */
	snprintf(list, sizeof(list), "%.*s,%s]", (int)strlen(podman_list) - 1, podman_list,
		 podman_rm_entry);
	put(st, GRAPH "/containers.json", list);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_PODMAN_RM), 0);
	assert_names("web-rm", "localhost/shmwatch-names-test:v1", "", "", "");

	/* Newer storage: volatile ones apart, and with a transient store
	 * under the run root (podman test/e2e/run_transient_test.go). */
	put(st, GRAPH "/containers.json", podman_list);
	snprintf(list, sizeof(list), "[%s]", podman_rm_entry);
	put(st, RUN "/volatile-containers.json", list);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_PODMAN_RM), 0);
	assert_string_equal(names.name, "web-rm");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_PODMAN), 0);
	assert_string_equal(names.name, "web-1");
	put(st, GRAPH "/volatile-containers.json", "[{\"id\":\"" ID_B "\",\"names\":[\"tmp\"]}]");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_B), 0);
	assert_names("tmp", "", "", "", "");
}

/* An entry's metadata is a JSON text in a string: when it does not parse
 * the names list still names the container. */
static void test_podman_bad_metadata(void **state)
{
	struct state *st = *state;

	put(st, GRAPH "/containers.json",
	    "[{\"id\":\"" ID_A "\",\"names\":[\"db\"],\"metadata\":\"{not json\"},"
	    "{\"id\":\"" ID_B "\",\"names\":[],\"metadata\":\"{\\\"name\\\":\\\"from-md\\\"}\"},"
	    "{\"id\":\"" ID_SANDBOX "\",\"names\":[7],\"metadata\":5}]");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), 0);
	assert_names("db", "", "", "", "");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_B), 0);
	assert_names("from-md", "", "", "", "");
	/* Found, but nothing in it of the right type: no name. */
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_SANDBOX), -ENOENT);
	assert_none();
}

/* A host with many containers: the list is read once and scanned. */
static void test_podman_many(void **state)
{
	struct state *st = *state;
	size_t n = 20000, cap = n * 120 + 16, len = 0;
	char *list = malloc(cap);

	assert_non_null(list);
	list[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, cap - len,
					"%s{\"id\":\"%064zx\",\"names\":[\"c%zu\"],\"metadata\":\"{}\"}",
					i ? "," : "", i, i);
	list[len++] = ']';
	put_bytes(st, GRAPH "/containers.json", list, len);
	free(list);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN,
				"0000000000000000000000000000000000000000000000000000000000004e1f"),
			 0);
	assert_names("c19999", "", "", "", "");
}

static void test_docker(void **state)
{
	struct state *st = *state;

	put(st, DOCKER "/" ID_A "/config.v2.json", docker_config);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_names("web-1", "nginx:1.25", "", "", "");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_B), -ENOENT);
	/* Not where podman's or containerd's containers are looked up. */
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -ENOENT);
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_A), -ENOENT);
}

static void test_dockershim(void **state)
{
	struct state *st = *state;

	put(st, DOCKER "/" ID_A "/config.v2.json", dockershim_config);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_names("k8s_app_web-7d4b9c_shop_" POD_UID "_0", "registry.example/shop/app@sha256:0123",
		     "web-7d4b9c", "shop", "app");
	/* kubelet's cgroupfs driver: the cgroup does not tell the engine. */
	assert_int_equal(lookup(st, CONTAINER_RT_KUBERNETES, ID_A), 0);
	assert_string_equal(names.pod_name, "web-7d4b9c");
}

static void test_containerd_cri(void **state)
{
	struct state *st = *state;

	put(st, TASKS "/k8s.io/" ID_A "/config.json", cri_container_config);
	put(st, TASKS "/k8s.io/" ID_SANDBOX "/config.json", cri_sandbox_config);
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_A), 0);
	assert_names("", "registry.k8s.io/coredns/coredns:v1.11.1", "coredns-5dd5756b68-w4b72",
		     "kube-system", "coredns");
	/* The pause container: its pod only. */
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_SANDBOX), 0);
	assert_names("", "", "coredns-5dd5756b68-w4b72", "kube-system", "");
	assert_int_equal(lookup(st, CONTAINER_RT_KUBERNETES, ID_A), 0);
	assert_string_equal(names.k8s_container, "coredns");
	/* A pod-level ref: no container id, nothing to look up. */
	assert_int_equal(lookup(st, CONTAINER_RT_KUBERNETES, ""), -ENOENT);
	assert_none();
}

/* Docker >= 20 runs its tasks in containerd's moby namespace; its spec
 * is an OCI one, read when config.v2.json is not there.  Docker itself
 * writes no names into it: only Kubernetes' keys count. */
static void test_docker_moby_task(void **state)
{
	struct state *st = *state;

	put(st, TASKS "/moby/" ID_A "/config.json",
	    "{\"ociVersion\":\"1.1.0\",\"hostname\":\"3f4e5d6c7b8a\",\"annotations\":{}}");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -ENOENT);
	put(st, TASKS "/moby/" ID_A "/config.json", cri_container_config);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_string_equal(names.pod_name, "coredns-5dd5756b68-w4b72");
	/* config.v2.json first when both are there. */
	put(st, DOCKER "/" ID_A "/config.v2.json", docker_config);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_names("web-1", "nginx:1.25", "", "", "");
}

static void test_crio(void **state)
{
	struct state *st = *state;

	put(st, RUN "/" ID_B "/userdata/config.json", crio_config);
	assert_int_equal(lookup(st, CONTAINER_RT_CRIO, ID_B), 0);
	assert_names("", "k8s.gcr.io/coredns/coredns:v1.8.6", "coredns-6d4b75cb6d-4mtdm",
		     "kube-system", "coredns");
	assert_int_equal(lookup(st, CONTAINER_RT_KUBERNETES, ID_B), 0);
	assert_string_equal(names.k8s_container, "coredns");
}

/* /run is gone after a reboot and before cri-o restores: the graph root's
 * copy, then the storage list. */
static void test_crio_fallbacks(void **state)
{
	struct state *st = *state;
	char path[1024];

	put(st, GRAPH "/" ID_B "/userdata/config.json", crio_config);
	assert_int_equal(lookup(st, CONTAINER_RT_CRIO, ID_B), 0);
	assert_string_equal(names.pod_namespace, "kube-system");
	snprintf(path, sizeof(path), "%s/" GRAPH "/" ID_B "/userdata/config.json", st->root);
	assert_int_equal(unlink(path), 0);
	put(st, GRAPH "/volatile-containers.json", crio_list);
	assert_int_equal(lookup(st, CONTAINER_RT_CRIO, ID_B), 0);
	assert_names("k8s_coredns_coredns-6d4b75cb6d-4mtdm_kube-system_" POD_UID "_0",
		     "k8s.gcr.io/coredns/coredns:v1.8.6", "coredns-6d4b75cb6d-4mtdm", "", "");
}

/* Runtimes whose containers have no files of this kind, or refs that
 * name no container. */
static void test_nothing_to_read(void **state)
{
	struct state *st = *state;
	struct container_ref host = { 0 };
	struct container_ref machine = { .runtime = CONTAINER_RT_MACHINE };

	snprintf(machine.name, sizeof(machine.name), "web");
	put(st, GRAPH "/containers.json", podman_list);
	assert_int_equal(container_names_read(st->root, &host, &names), -ENOENT);
	assert_int_equal(container_names_read(st->root, &machine, &names), -ENOENT);
	assert_none();
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ""), -ENOENT);
	/* An empty host tree. */
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -ENOENT);
	assert_int_equal(lookup(st, CONTAINER_RT_CRIO, ID_A), -ENOENT);
	assert_int_equal(lookup(st, CONTAINER_RT_KUBERNETES, ID_A), -ENOENT);
}

/* The id goes into paths: anything but 64 lower-case hex is refused. */
static void test_bad_id(void **state)
{
	struct state *st = *state;

	put(st, DOCKER "/x/config.v2.json", docker_config);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, "../../../../etc/passwd"), -EINVAL);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, "x"), -EINVAL);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER,
				"3F4E5D6C7B8A91A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081920"),
			 -EINVAL);
	assert_none();
}

static void test_bad_json(void **state)
{
	struct state *st = *state;
	static const char *const bad[] = {
		"",
		"{",
		"{\"Name\":\"/web-1\"",		   /* cut short while written */
		"{\"Name\":\"/web-1\"} trailing",  /* two values */
		"{\"Name\":\"/web-1\"}{}",
		"{'Name':'/web-1'}",
		"\x00{}",
		"[{\"Name\":\"/web-1\"}]",	   /* the wrong top-level type */
		"\"/web-1\"",
		"null",
		"{\"Name\":\"/web-\xff\"}",	   /* not UTF-8: Go never writes that */
		"{\"Name\":\"/web-1\",}",	   /* json-c would take it unless strict */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_bytes(st, DOCKER "/" ID_A "/config.v2.json", bad[i], i == 6 ? 3 : strlen(bad[i]));
		assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -EBADMSG);
		assert_none();
	}
	/* The storage list must be an array. */
	put(st, GRAPH "/containers.json", "{\"id\":\"" ID_A "\"}");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -EBADMSG);
	/* Deeper than json-c's limit: refused, not a crash. */
	{
		char deep[4096];
		size_t n = 0;

		for (int i = 0; i < 1000; i++)
			deep[n++] = '[';
		put_bytes(st, GRAPH "/containers.json", deep, n);
		assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -EBADMSG);
	}
	/* A bad file does not hide a good one further down the list. */
	put(st, GRAPH "/containers.json", "[{");
	put(st, RUN "/volatile-containers.json", "[{\"id\":\"" ID_A "\",\"names\":[\"ok\"]}]");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), 0);
	assert_names("ok", "", "", "", "");
}

/* Members of the wrong type name nothing; the file is still well formed. */
static void test_wrong_types(void **state)
{
	struct state *st = *state;

	put(st, DOCKER "/" ID_A "/config.v2.json",
	    "{\"Name\":5,\"Config\":{\"Image\":[\"nginx\"],\"Labels\":\"io.kubernetes.pod.name=x\"}}");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -ENOENT);
	put(st, DOCKER "/" ID_A "/config.v2.json", "{\"Name\":\"/web-1\",\"Config\":null}");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_names("web-1", "", "", "", "");
	put(st, DOCKER "/" ID_A "/config.v2.json", "{\"Name\":\"/\",\"Config\":{\"Image\":\"\"}}");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -ENOENT);

	put(st, TASKS "/k8s.io/" ID_A "/config.json", "{\"annotations\":[]}");
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_A), -ENOENT);
	put(st, TASKS "/k8s.io/" ID_A "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":{\"x\":1},"
	    "\"io.kubernetes.cri.sandbox-namespace\":\"default\"}}");
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_A), 0);
	assert_names("", "", "", "default", "");
	put(st, GRAPH "/containers.json", "[1,null,\"x\",[],{\"id\":5},{\"id\":\"" ID_A "\",\"names\":{}}]");
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -ENOENT);
}

static void test_huge_file(void **state)
{
	struct state *st = *state;
	char path[1024];
	int fd;

	put(st, GRAPH "/containers.json", "");
	snprintf(path, sizeof(path), "%s/" GRAPH "/containers.json", st->root);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* Sparse: 16 MiB + 1 costs no disk. */
	assert_int_equal(ftruncate(fd, (off_t)CONTAINER_NAMES_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -EFBIG);
	assert_none();
	/* At the limit it is read (and, all NULs, does not parse). */
	assert_int_equal(truncate(path, (off_t)CONTAINER_NAMES_MAX_FILE), 0);
	assert_int_equal(lookup(st, CONTAINER_RT_PODMAN, ID_A), -EBADMSG);
}

/* Something else in a file's place: a directory, a FIFO (userdata/ has
 * two of those, a wrong path must not hang on one). */
static void test_not_a_file(void **state)
{
	struct state *st = *state;
	char path[1024];

	make_parents(st->root, DOCKER "/" ID_A "/config.v2.json/x");
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), -EISDIR);
	make_parents(st->root, TASKS "/k8s.io/" ID_A "/config.json");
	snprintf(path, sizeof(path), "%s/" TASKS "/k8s.io/" ID_A "/config.json", st->root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(lookup(st, CONTAINER_RT_CONTAINERD, ID_A), -EINVAL);
	/* A file in a directory's place: no such file. */
	put(st, RUN "/" ID_B, "");
	assert_int_equal(lookup(st, CONTAINER_RT_CRIO, ID_B), -ENOENT);
}

/* Names are raw bytes from the host's users: kept as they are (escaping
 * is the outputs' job), cut whole characters at a time, ended at a NUL. */
static void test_odd_bytes(void **state)
{
	struct state *st = *state;
	char json[2048], want[256];
	size_t n = 0;

	/* 100 two-byte characters: 200 bytes into name[128]. */
	n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"Name\":\"/");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "\xc3\xa9");
	n += (size_t)snprintf(json + n, sizeof(json) - n,
			      "\",\"Config\":{\"Image\":\"evil\\u001b[2Jimage\\u0000hidden\","
			      "\"Labels\":{\"io.kubernetes.pod.name\":\"p\\ttab\\nnl\\u007f\"}}}");
	put(st, DOCKER "/" ID_A "/config.v2.json", json);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	want[0] = '\0';
	for (int i = 0; i < 63; i++)
		strcat(want, "\xc3\xa9");
	assert_int_equal(strlen(names.name), 126);
	assert_string_equal(names.name, want);
	assert_string_equal(names.image, "evil\x1b[2Jimage");
	assert_string_equal(names.pod_name, "p\ttab\nnl\x7f");

	/* Exactly full: 127 one-byte characters stay whole. */
	memset(want, 'a', 127);
	want[127] = '\0';
	snprintf(json, sizeof(json), "{\"Name\":\"%s\"}", want);
	put(st, DOCKER "/" ID_A "/config.v2.json", json);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_string_equal(names.name, want);

	/* A four-byte character across the end of image[256]. */
	n = (size_t)snprintf(json, sizeof(json), "{\"Config\":{\"Image\":\"");
	memset(json + n, 'x', 253);
	n += 253;
	n += (size_t)snprintf(json + n, sizeof(json) - n, "\xf0\x9f\x90\xb3\"}}");
	put(st, DOCKER "/" ID_A "/config.v2.json", json);
	assert_int_equal(lookup(st, CONTAINER_RT_DOCKER, ID_A), 0);
	assert_int_equal(strlen(names.image), 253);
	assert_int_equal((unsigned char)names.image[252], 'x');
}

/* The host root as the caller gives it: with a trailing '/', and "/". */
static void test_host_root(void **state)
{
	struct state *st = *state;
	char root[128];
	struct container_ref c = ref_of(CONTAINER_RT_DOCKER, ID_A);

	put(st, DOCKER "/" ID_A "/config.v2.json", docker_config);
	snprintf(root, sizeof(root), "%s//", st->root);
	assert_int_equal(container_names_read(root, &c, &names), 0);
	assert_string_equal(names.name, "web-1");
	/* The real host: an id no runtime here has. */
	c = ref_of(CONTAINER_RT_KUBERNETES,
		   "00000000000000000000000000000000000000000000000000000000deadbeef");
	assert_int_equal(container_names_read("/", &c, &names), -ENOENT);
	assert_int_equal(container_names_read("", &c, &names), -ENOENT);
	assert_int_equal(container_names_read(NULL, &c, &names), -ENOENT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_podman_seen),
		T(test_podman_config_alone),
		T(test_podman_lists),
		T(test_podman_bad_metadata),
		T(test_podman_many),
		T(test_docker),
		T(test_dockershim),
		T(test_containerd_cri),
		T(test_docker_moby_task),
		T(test_crio),
		T(test_crio_fallbacks),
		T(test_nothing_to_read),
		T(test_bad_id),
		T(test_bad_json),
		T(test_wrong_types),
		T(test_huge_file),
		T(test_not_a_file),
		T(test_odd_bytes),
		T(test_host_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
