// SPDX-License-Identifier: GPL-2.0
/* expect: sigbus-explained 1 */
/* expect-text: sigbus-explained in memfd:shmwatch-test-pool .*offset 512 KiB is past the object.s end \(64 KiB\): pid \d+ \(memfd_socket\) truncated it from 1.0 MiB */
/*
 * memfd_socket.c - a memfd pool shrunk by its owner while another
 * process has it mapped: the Wayland wl_shm pattern.
 *
 * The parent plays the client: it creates a 1 MiB memfd pool and passes
 * it over a Unix socket (SCM_RIGHTS) to the child, the compositor, which
 * maps all of it.  The client then truncates the pool to 64 KiB, which
 * nothing stops since the pool is not sealed, and the compositor's next
 * write into the pool, at 512 KiB, raises SIGBUS in the compositor, not
 * in the process that caused it.  The child's handler jumps back; it
 * unmaps, exits 0 if the write faulted and 1 if not; the parent exits 0
 * if the child did.
 *
 * The clean twin (memfd_socket_clean.c) seals the pool with F_SEAL_SHRINK
 * before it hands it over, as a careful wl_shm client does: the same
 * shrink then fails with EPERM and the same write lands inside the pool.
 * There the child exits 1 if the write faults, and the parent exits 1
 * if the shrink is not refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define POOL_SIZE (1024 * 1024)
#define SHRUNK_SIZE (64 * 1024)
#define TOUCH_AT (512 * 1024)

static int send_byte(int sock, char c)
{
	return write(sock, &c, 1) == 1 ? 0 : -1;
}

/* 0 if the next byte on sock is c; -1 on anything else, EOF included. */
static int expect_byte(int sock, char c)
{
	char got;

	return read(sock, &got, 1) == 1 && got == c ? 0 : -1;
}

static int send_fd(int sock, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(ctl.buf, 0, sizeof(ctl.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The child: maps the pool it is given and writes into it on "go". */
static int compositor(int sock, pid_t client)
{
	int fd, faulted, ret;
	char *p;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != client)
		return 1;
	if (catch_sigbus()) {
		perror("memfd_socket: sigaction");
		return 1;
	}
	fd = recv_fd(sock);
	if (fd < 0) {
		fprintf(stderr, "memfd_socket: compositor got no pool\n");
		return 1;
	}
	p = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("memfd_socket: mmap");
		close(fd);
		return 1;
	}
	ret = 1;
	if (send_byte(sock, 'm') || expect_byte(sock, 'g')) {
		fprintf(stderr, "memfd_socket: client went away\n");
	} else {
		faulted = write_faults(p + TOUCH_AT); /* SIGBUS if shrunk */
		if (faulted == DEFECT)
			ret = 0;
		else
			fprintf(stderr, "memfd_socket: the write into the pool %s\n",
				DEFECT ? "did not fault" : "faulted");
	}
	munmap(p, POOL_SIZE);
	close(fd);
	/* Stay a moment: the tracer reads our maps to symbolize the fault. */
	usleep(300 * 1000);
	return ret;
}

/* The parent: hands a pool over, then shrinks it under the compositor
 * (or, with the pool sealed, tries to). */
static int client(int sock)
{
	int fd, shrunk, ret = 1;

	fd = memfd_create("shmwatch-test-pool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		perror("memfd_socket: memfd_create");
		return 1;
	}
	if (ftruncate(fd, POOL_SIZE)) {
		perror("memfd_socket: ftruncate");
		goto out;
	}
	/* The defect: the pool is handed over unsealed. */
	if (!DEFECT && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		perror("memfd_socket: F_ADD_SEALS");
		goto out;
	}
	if (send_fd(sock, fd)) {
		perror("memfd_socket: send pool");
		goto out;
	}
	if (expect_byte(sock, 'm')) {
		fprintf(stderr, "memfd_socket: compositor did not map the pool\n");
		goto out;
	}
	shrunk = !ftruncate(fd, SHRUNK_SIZE); /* while the pool is in use */
	if (DEFECT && !shrunk) {
		perror("memfd_socket: shrink");
		goto out;
	}
	if (!DEFECT && (shrunk || errno != EPERM)) {
		fprintf(stderr, "memfd_socket: shrinking the sealed pool was not refused\n");
		goto out;
	}
	if (send_byte(sock, 'g')) {
		perror("memfd_socket: send go");
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int main(void)
{
	pid_t parent = getpid(), child;
	int sv[2], status, ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("memfd_socket: socketpair");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("memfd_socket: fork");
		return 1;
	}
	if (child == 0) {
		close(sv[0]);
		_exit(compositor(sv[1], parent));
	}
	close(sv[1]);
	ret = client(sv[0]);
	close(sv[0]); /* a child still waiting reads EOF and gives up */
	if (waitpid(child, &status, 0) != child) {
		perror("memfd_socket: waitpid");
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "memfd_socket: compositor failed (status 0x%x)\n", status);
		ret = 1;
	}
	return ret;
}
