// SPDX-License-Identifier: GPL-2.0
/* expect: oversized-request 1 */
/* expect: failed-then-used 2 */
/* expect: invalid-detach 1 */
/* expect: missing-rollback 1 */
/* expect: segment-leak 1 */
/*
 * demo_backingstore.c - the bundled demo: an X11-style backing store
 * with the error-path defects an error-path review of Qt's xcb MIT-SHM
 * code points at (warnings are logged, then the code carries on).
 *
 * A "backing store image" owns a shared-memory segment for its pixels,
 * either SysV (shmget/shmat) or, when the server takes file descriptors,
 * a memfd mapped with mmap.  The defects, as committed below:
 *   1. resize() takes width * height * 4 from a configure event without
 *      a sanity check; a bogus event asks shmget for 1 TiB, which fails,
 *      and create_shm_segment() logs and goes on to shmat(-1).
 *   2. When shmget works but shmat fails, the segment is never removed:
 *      it outlives the process (printed as "leaked-shmid N").
 *   3. The fd path tests mmap's result against NULL instead of
 *      MAP_FAILED, keeps MAP_FAILED as the pixel pointer and later
 *      hands it to munmap.
 *   4. destroy_shm_segment() does not forget the address it detached;
 *      resize()'s error path calls it again and shmdt fails, only logged.
 * Defects 2 and 3 need shmat and mmap to fail, which happens in a client
 * near the end of its address space; main() simulates that with
 * RLIMIT_AS for a moment.  No defect crashes the process: it exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <unistd.h>

#define BYTES_PER_PIXEL 4

struct backing_store_image {
	const char *name;
	int width, height;
	int use_fd;	     /* the server accepts fds: memfd + mmap */
	void *shmaddr;	     /* pixels, NULL when there is no segment */
	size_t segment_size;
	int shmid;	     /* SysV only, -1 otherwise */
};

static void qt_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("qt.qpa.xcb: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int create_fd_segment(struct backing_store_image *img, size_t size)
{
	void *addr;
	int fd;

	fd = memfd_create("qt-backingstore", MFD_CLOEXEC);
	if (fd == -1 || ftruncate(fd, size) == -1) {
		qt_warning("failed to create a shared memory file (%d: %s)",
			   errno, strerror(errno));
		if (fd != -1)
			close(fd);
		return 0;
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd); /* the mapping, if any, keeps the file */
	if (!addr) { /* defect 3: a failed mmap returns MAP_FAILED, not NULL */
		qt_warning("mmap() failed (%d: %s) for size %zu", errno,
			   strerror(errno), size);
		return 0;
	}
	img->shmaddr = addr;
	img->segment_size = size;
	return 1;
}

static int create_shm_segment(struct backing_store_image *img, size_t size)
{
	void *addr;
	int id;

	if (img->use_fd)
		return create_fd_segment(img, size);

	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id == -1)
		qt_warning("shmget() failed (%d: %s) for size %zu (%dx%d)",
			   errno, strerror(errno), size, img->width,
			   img->height);
	/* defect 1: no return above, so a failed shmget goes on to shmat */
	addr = shmat(id, NULL, 0);
	if (addr == (void *)-1) {
		qt_warning("shmat() failed (%d: %s) for id %d", errno,
			   strerror(errno), id);
		/* defect 2: id may be a live segment; no IPC_RMID here */
		if (id != -1)
			printf("leaked-shmid %d\n", id);
		return 0;
	}
	/* Marked for removal now, freed by the kernel at the last shmdt. */
	if (shmctl(id, IPC_RMID, NULL) == -1)
		qt_warning("shmctl(IPC_RMID) failed (%d: %s) for id %d", errno,
			   strerror(errno), id);
	img->shmid = id;
	img->shmaddr = addr;
	img->segment_size = size;
	return 1;
}

static void destroy_shm_segment(struct backing_store_image *img)
{
	if (!img->shmaddr)
		return;
	if (img->use_fd) {
		if (munmap(img->shmaddr, img->segment_size) == -1)
			qt_warning("munmap() failed (%d: %s) for %p with size %zu",
				   errno, strerror(errno), img->shmaddr,
				   img->segment_size);
	} else if (shmdt(img->shmaddr) == -1) {
		qt_warning("shmdt() failed (%d: %s) for %p", errno,
			   strerror(errno), img->shmaddr);
	}
	/* defect 4: img->shmaddr still holds the released address */
}

static void resize(struct backing_store_image *img, int width, int height)
{
	/* defect 1: nothing checks the dimensions or the product */
	size_t size = (size_t)width * height * BYTES_PER_PIXEL;

	destroy_shm_segment(img);
	img->width = width;
	img->height = height;
	if (!create_shm_segment(img, size)) {
		/* drop whatever create left half-made... and detach again */
		destroy_shm_segment(img);
		img->shmaddr = NULL;
		img->segment_size = 0;
		qt_warning("%s: no shared memory for %dx%d, drawing nothing",
			   img->name, width, height);
	}
}

static struct backing_store_image *image_new(const char *name, int use_fd,
					     int width, int height)
{
	struct backing_store_image *img = calloc(1, sizeof(*img));

	if (!img)
		return NULL;
	img->name = name;
	img->use_fd = use_fd;
	img->shmid = -1;
	resize(img, width, height);
	return img;
}

static void image_free(struct backing_store_image *img)
{
	destroy_shm_segment(img);
	free(img);
}

static void paint(struct backing_store_image *img, unsigned char shade)
{
	if (img->shmaddr)
		memset(img->shmaddr, shade, img->segment_size);
}

/*
 * Lets the address space grow by only a little more: what a client near
 * its limit sees.  Read with read(2), not stdio: no malloc may move the
 * break between measuring and limiting.
 */
static void squeeze_address_space(struct rlimit *saved)
{
	struct rlimit lim;
	unsigned long pages;
	char buf[128];
	ssize_t n;
	int fd;

	getrlimit(RLIMIT_AS, saved);
	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	pages = strtoul(buf, NULL, 10);
	lim.rlim_cur = pages * sysconf(_SC_PAGESIZE) + 64 * 1024;
	lim.rlim_max = saved->rlim_max;
	setrlimit(RLIMIT_AS, &lim);
}

int main(void)
{
	struct backing_store_image *window, *tooltip, *popup;
	struct rlimit saved;

	setvbuf(stdout, NULL, _IONBF, 0); /* keep stdout and stderr in order */

	window = image_new("window", 0, 640, 480);
	if (!window)
		return 1;
	paint(window, 0x20);

	/* A bogus configure event: 1048576x262144 is 1 TiB of pixels. */
	resize(window, 1048576, 262144);
	resize(window, 800, 600);
	paint(window, 0x40);

	squeeze_address_space(&saved);
	tooltip = image_new("tooltip", 0, 400, 300);
	popup = image_new("popup", 1, 256, 256);
	setrlimit(RLIMIT_AS, &saved);

	/* The popup closes before its first expose: never painted. */
	if (popup)
		image_free(popup);
	if (tooltip)
		image_free(tooltip);
	image_free(window);
	/* A real client goes on running its event loop for a while; so does
	 * the demo, briefly, which keeps its module map readable for the
	 * stacks of the findings. */
	usleep(300 * 1000);
	return 0;
}
