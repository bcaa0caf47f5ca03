// SPDX-License-Identifier: GPL-2.0
/*
 * producers.c - sw_producers[], the known producers of shared memory, and
 * their lookups.  A finding about an object one of them makes names the
 * producer and gives its own fix as the hint, which says more than the
 * rule's generic advice (a DataLoader user wants --shm-size, not
 * shm_unlink).  docs/rules.md lists every row (test_docs checks it).
 *
 * Each pattern was read from the producer's source or documentation; the
 * comment above a row says where.  Patterns are as narrow as the producer
 * makes its names (digits where it prints a number, the exact length of
 * a mkstemp() or random token), so that an unrelated "torch_notes" or
 * "sem." is not blamed on anyone.  More specific rows come first.
 */
#include <string.h>
#include "analyzer/producers.h"

const struct sw_producer sw_producers[] = {
	/* pytorch/pytorch aten/src/ATen/MapAllocator.cpp,
	 * NewProcessWideShmHandle(): "/torch_<pid>_<random>_<counter>"
	 * (older releases, torch/csrc/generic/StorageSharing.cpp:
	 * "/torch_<pid>_<random>"). */
	{ SW_PRODUCER_NAME, "torch_#_#*", "PyTorch",
	  "shared tensor storage: DataLoader workers hand their batches to the main process through /dev/shm",
	  "give /dev/shm room (docker run --shm-size or --ipc=host), or fewer DataLoader num_workers (0 shares nothing)",
	  "sigbus-explained shm-space-exhausted" },
	/* postgres/postgres src/backend/storage/ipc/dsm_impl.c,
	 * dsm_impl_posix(): "/PostgreSQL.<handle>", handle a uint32. */
	{ SW_PRODUCER_NAME, "PostgreSQL.#", "PostgreSQL",
	  "a dynamic shared memory segment (dynamic_shared_memory_type = posix), e.g. for a parallel query",
	  "give /dev/shm room (docker --shm-size), or set dynamic_shared_memory_type = mmap (or sysv) in postgresql.conf",
	  "sigbus-explained shm-space-exhausted" },
	/* postgres/postgres src/backend/port/sysv_shmem.c (the keyed SysV
	 * control segment of the postmaster); postgresql.org/docs/current/
	 * kernel-resources.html (shared memory, systemd RemoveIPC).  The
	 * server's processes run as "postgres". */
	{ SW_PRODUCER_COMM, "postgres", "PostgreSQL",
	  "the server's processes: the postmaster's small SysV control segment and its dynamic shared memory",
	  "stop the server with pg_ctl stop so that it removes its segments; a server killed with -9 leaves them, and the next start removes the control segment",
	  "segment-leak shm-object-leak" },
	/* NVIDIA/nccl src/misc/shmutils.cc, ncclShmOpen(): mkstemp() of
	 * "/dev/shm/nccl-XXXXXX". */
	{ SW_PRODUCER_NAME, "nccl-??????", "NCCL",
	  "a host buffer of NCCL's SHM transport, shared by the GPU processes of one node",
	  "give /dev/shm room (docker --shm-size, or --ipc=host), or NCCL_SHM_DISABLE=1 to use another transport",
	  "sigbus-explained shm-space-exhausted" },
	/* python/cpython Lib/multiprocessing/shared_memory.py,
	 * _make_filename(): _SHM_NAME_PREFIX "/psm_" (POSIX) or "wnsm_"
	 * (Windows) and secrets.token_hex(4), 8 hex digits. */
	{ SW_PRODUCER_NAME, "psm_????????", "Python multiprocessing",
	  "a multiprocessing.shared_memory.SharedMemory block with a generated name",
	  "call SharedMemory.unlink() once, from the owner, after every process close()d it; keep the resource tracker registered so that it unlinks what a crashed owner left",
	  "shm-object-leak" },
	{ SW_PRODUCER_NAME, "wnsm_????????", "Python multiprocessing",
	  "a SharedMemory block named the Windows way (wnsm_), e.g. under Wine",
	  "call SharedMemory.unlink() once, from the owner, after every process close()d it",
	  "shm-object-leak" },
	/* bminor/glibc sysdeps/pthread/sem_open.c, sem_unlink.c,
	 * semaphoreP.h: SEM_SHM_PREFIX "sem." before the name, in the shm
	 * directory; sem_open builds it as a temporary "sem.XXXXXX" first. */
	{ SW_PRODUCER_NAME, "sem.?*", "glibc POSIX semaphore",
	  "a named POSIX semaphore (sem_open), kept by glibc as /dev/shm/sem.NAME",
	  "sem_unlink() the name once every user has opened it (sem_close() alone keeps it); rm /dev/shm/sem.NAME for ones left",
	  "shm-object-leak" },
	/* pulseaudio/pulseaudio src/pulsecore/shm.c, segment_name():
	 * "/pulse-shm-<id>", id a random unsigned. */
	{ SW_PRODUCER_NAME, "pulse-shm-#", "PulseAudio",
	  "a memory pool that a PulseAudio client or the daemon shares for audio data",
	  "enable-shm = no in client.conf or daemon.conf, or enable-memfd = yes (PulseAudio 9 and later) so that nothing is left in /dev/shm",
	  NULL },
	/* chromium base/files/file_util_posix.cc, TempFileName():
	 * ".org.chromium.Chromium.XXXXXX", ".com.google.Chrome.XXXXXX" in
	 * Google builds, made in GetShmemTempDir() (/dev/shm). */
	{ SW_PRODUCER_NAME, ".org.chromium.Chromium.??????", "Chromium",
	  "shared memory of Chromium (or Electron) processes: a temporary file in /dev/shm",
	  "--disable-dev-shm-usage (it then uses /tmp), or give /dev/shm room (docker --shm-size)",
	  "sigbus-explained shm-space-exhausted" },
	{ SW_PRODUCER_NAME, ".com.google.Chrome.??????", "Google Chrome",
	  "shared memory of Chrome processes: a temporary file in /dev/shm",
	  "--disable-dev-shm-usage (it then uses /tmp), or give /dev/shm room (docker --shm-size)",
	  "sigbus-explained shm-space-exhausted" },
	/* xorg xserver Xext/shm.c, shm_tmpfile(): memfd_create("xorg") for
	 * a segment the server makes and passes to the client
	 * (ShmCreateSegment, MIT-SHM 1.2); Qt's xcb backing store maps it
	 * when the server offers fds. */
	{ SW_PRODUCER_NAME, "memfd:xorg", "MIT-SHM",
	  "a segment the X server made for a client (MIT-SHM 1.2 fd passing), e.g. for Qt's xcb backing store",
	  "map no more than the segment's size; a client that cannot share memory with the server can switch MIT-SHM off (QT_XCB_NO_MITSHM=1 for Qt)",
	  "sigbus-explained" },
	/* xorg xserver Xext/shm.c, ProcShmAttach(): the server shmat()s the
	 * SysV segments (IPC_PRIVATE) its MIT-SHM clients made. */
	{ SW_PRODUCER_COMM, "Xorg", "MIT-SHM",
	  "the X server, which attaches the SysV segments its MIT-SHM clients made",
	  "XShm from a container needs the X server's IPC namespace (docker --ipc=host); or switch MIT-SHM off in the client (QT_XCB_NO_MITSHM=1 for Qt)",
	  "failed-then-used ipc-namespace-mismatch" },
	{ SW_PRODUCER_COMM, "Xwayland", "MIT-SHM",
	  "Xwayland, which attaches the SysV segments its MIT-SHM clients made",
	  "XShm from a container needs the X server's IPC namespace (docker --ipc=host); or switch MIT-SHM off in the client (QT_XCB_NO_MITSHM=1 for Qt)",
	  "failed-then-used ipc-namespace-mismatch" },
	/* Removers: a removed-while-in-use finding takes the fix of the
	 * process that removed the segment.  systemd/systemd
	 * man/logind.conf.xml, RemoveIPC= (default yes): at a user's last
	 * logout logind removes the user's SysV and POSIX IPC objects,
	 * except for root and system users; postgresql.org/docs/current/
	 * kernel-resources.html#SYSTEMD-REMOVEIPC. */
	{ SW_PRODUCER_COMM, "systemd-logind", "systemd-logind",
	  "the login manager: with RemoveIPC=yes (the default) it removes a user's SysV segments and /dev/shm files at that user's last logout",
	  "run the service as a system user (useradd --system), or set RemoveIPC=no in /etc/systemd/logind.conf and restart systemd-logind",
	  "removed-while-in-use" },
	/* python/cpython Lib/multiprocessing/resource_tracker.py: the
	 * tracker runs as "python -c 'from multiprocessing.resource_tracker
	 * import main;main(FD)'" and, once every process that uses it has
	 * exited, unlinks each SharedMemory they registered and did not
	 * unregister; shared_memory.py registers on attach by name too
	 * (python/cpython #82300), and Python 3.13 adds track=False. */
	{ SW_PRODUCER_ARGS, "from multiprocessing.resource_tracker import main*",
	  "Python resource tracker",
	  "multiprocessing's resource tracker: at its processes' exit it unlinks every SharedMemory they created or attached by name and did not unlink",
	  "attach with SharedMemory(name, track=False) (Python 3.13), or resource_tracker.unregister(shm._name, 'shared_memory') after attaching; let only the owner unlink()",
	  "removed-while-in-use" },
	/* util-linux sys-utils/ipcrm.c: shmctl(id, IPC_RMID) for -m ID,
	 * shmget(key, 0, 0) first for -M KEY. */
	{ SW_PRODUCER_COMM, "ipcrm", "ipcrm",
	  "util-linux's ipcrm, by hand or from a cleanup script",
	  "remove a segment only once nobody uses it: check its nattch and creator first (ipcs -m -p), and leave live segments to their owner",
	  "removed-while-in-use" },
	/* qt/qtbase src/plugins/platforms/xcb/qxcbbackingstore.cpp,
	 * createSystemVShmSegment(): shmget(IPC_PRIVATE), shmat, then
	 * IPC_RMID; qxcbconnection_basic.cpp: QT_XCB_NO_MITSHM skips
	 * initializeShm().  The plugin's library is libQt5XcbQpa.so.5 or
	 * libQt6XcbQpa.so.6. */
	{ SW_PRODUCER_MODULE, "libQt?XcbQpa.so*", "Qt xcb",
	  "the backing store of Qt's xcb platform plugin: window pixels in an IPC_PRIVATE SysV segment shared with the X server (MIT-SHM)",
	  "QT_XCB_NO_MITSHM=1 makes Qt's xcb plugin draw without shared memory; from a container, share the X server's IPC namespace (docker --ipc=host)",
	  NULL },
};

const int sw_producer_count = sizeof(sw_producers) / sizeof(sw_producers[0]);

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool sw_producer_pattern_match(const char *pattern, const char *s)
{
	for (;; pattern++) {
		switch (*pattern) {
		case '\0':
			return !*s;
		case '*':
			return true;
		case '?':
			if (!*s++)
				return false;
			break;
		case '#':
			/* Digits are never followed by a digit in a pattern,
			 * so taking them all is the only way to match. */
			if (!is_digit(*s))
				return false;
			while (is_digit(*s))
				s++;
			break;
		default:
			if (*s++ != *pattern)
				return false;
		}
	}
}

bool sw_producer_fixes(const struct sw_producer *p, const char *rule)
{
	size_t n = strlen(rule);

	if (!p->rules)
		return true;
	for (const char *at = p->rules; (at = strstr(at, rule)); at += n)
		if ((at == p->rules || at[-1] == ' ') && (at[n] == ' ' || !at[n]))
			return true;
	return false;
}

static const struct sw_producer *lookup(enum sw_producer_match match, const char *s)
{
	if (!s || !*s)
		return NULL;
	for (int i = 0; i < sw_producer_count; i++)
		if (sw_producers[i].match == match &&
		    sw_producer_pattern_match(sw_producers[i].pattern, s))
			return &sw_producers[i];
	return NULL;
}

/* The last component of a path; a memfd's "memfd:NAME" is whole (its
 * name may hold a '/'). */
static const char *base_name(const char *path)
{
	const char *slash;

	if (!strncmp(path, "memfd:", 6))
		return path;
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

const struct sw_producer *sw_producer_by_name(const char *name)
{
	return name ? lookup(SW_PRODUCER_NAME, base_name(name)) : NULL;
}

const struct sw_producer *sw_producer_by_comm(const char *comm)
{
	return lookup(SW_PRODUCER_COMM, comm);
}

const struct sw_producer *sw_producer_by_args(const char *cmdline)
{
	for (const char *at = cmdline; at; at = strchr(at, ' ')) {
		const struct sw_producer *p = lookup(SW_PRODUCER_ARGS, at += *at == ' ');

		if (p)
			return p;
	}
	return NULL;
}

const struct sw_producer *sw_producer_by_module(const char *path)
{
	return path ? lookup(SW_PRODUCER_MODULE, base_name(path)) : NULL;
}
