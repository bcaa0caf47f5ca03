// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * memfd_socket_clean.c - clean twin of memfd_socket.c.
 *
 * The same hand-over of a 1 MiB memfd pool from the parent (client) to
 * the child (compositor) over a Unix socket, but the client seals the
 * pool with F_SEAL_SHRINK before sending it, as a careful wl_shm client
 * does, so its later attempt to shrink the pool fails with EPERM and
 * the compositor's write at 512 KiB lands inside the pool.  Exits 1 if
 * the shrink is not refused or the compositor faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define POOL_SIZE (1024 * 1024)
#define SHRUNK_SIZE (64 * 1024)
#define TOUCH_AT (512 * 1024)

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

static int catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/* 1 if writing *p raised SIGBUS, 0 if it went through. */
static int write_faults(volatile char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	*p = 1;
	return 0;
}

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
		perror("memfd_socket_clean: sigaction");
		return 1;
	}
	fd = recv_fd(sock);
	if (fd < 0) {
		fprintf(stderr, "memfd_socket_clean: compositor got no pool\n");
		return 1;
	}
	p = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("memfd_socket_clean: mmap");
		close(fd);
		return 1;
	}
	faulted = 0;
	ret = 1;
	if (send_byte(sock, 'm') || expect_byte(sock, 'g')) {
		fprintf(stderr, "memfd_socket_clean: client went away\n");
	} else {
		faulted = write_faults(p + TOUCH_AT); /* inside the sealed pool */
		ret = faulted;
	}
	if (faulted)
		fprintf(stderr, "memfd_socket_clean: unexpected SIGBUS\n");
	munmap(p, POOL_SIZE);
	close(fd);
	/* Stay a moment, like the faulting twin. */
	usleep(300 * 1000);
	return ret;
}

/* The parent: seals a pool, hands it over, then tries to shrink it. */
static int client(int sock)
{
	int fd, ret = 1;

	fd = memfd_create("shmwatch-test-pool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		perror("memfd_socket_clean: memfd_create");
		return 1;
	}
	if (ftruncate(fd, POOL_SIZE)) {
		perror("memfd_socket_clean: ftruncate");
		goto out;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		perror("memfd_socket_clean: F_ADD_SEALS");
		goto out;
	}
	if (send_fd(sock, fd)) {
		perror("memfd_socket_clean: send pool");
		goto out;
	}
	if (expect_byte(sock, 'm')) {
		fprintf(stderr, "memfd_socket_clean: compositor did not map the pool\n");
		goto out;
	}
	if (!ftruncate(fd, SHRUNK_SIZE) || errno != EPERM) {
		fprintf(stderr, "memfd_socket_clean: shrinking the sealed pool was not refused\n");
		goto out;
	}
	if (send_byte(sock, 'g')) {
		perror("memfd_socket_clean: send go");
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
		perror("memfd_socket_clean: socketpair");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("memfd_socket_clean: fork");
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
		perror("memfd_socket_clean: waitpid");
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "memfd_socket_clean: compositor failed (status 0x%x)\n", status);
		ret = 1;
	}
	return ret;
}
