// SPDX-License-Identifier: GPL-2.0
/*
 * outfile.c - whole-line buffered output with rotation; see outfile.h.
 *
 * Lines are gathered in a buffer and written with write(2) only at line
 * boundaries, so a rotation, a crash or kill -9 never splits a record, and
 * a write that fails part way is cut back to the last whole line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "out/outfile.h"

#define OUTBUF_SIZE	(256 * 1024)
/* How old buffered output may get: someone may be watching a terminal
 * or a pipe, while a file is mostly read later and big writes cost less. */
#define STREAM_FLUSH_NS	(100 * 1000000ULL)
#define FILE_FLUSH_NS	(1000 * 1000000ULL)
#define TMP_TRIES	100

struct outfile {
	char *path;		/* as given, NULL for stdout */
	const char *name;	/* its last component, inside path */
	int dirfd;		/* the directory name is in, -1 for stdout */
	char tmp[NAME_MAX + 1]; /* the unpublished file's name, "" once published */
	bool replaced;
	int fd;
	__u64 rotate_size;
	int rotate_keep;
	int mode;
	__u64 file_bytes; /* bytes in the current file, buffered included */
	__u64 on_disk;	  /* bytes written to it, all whole lines */
	char *buf;
	size_t used;
	__u64 flush_every_ns;
	__u64 last_flush_ns;
	int error;
	char why[128]; /* the first error in words */
	bool tty;
};

/* Keep the first error, in words; returns err. */
__attribute__((format(printf, 3, 4)))
static int refuse(struct outfile *o, int err, const char *fmt, ...)
{
	va_list ap;

	if (o->error)
		return err;
	o->error = err;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	return err;
}

static int fail(struct outfile *o, int err)
{
	return refuse(o, err, "%s", strerror(-err));
}

static const char *kind_of(mode_t m)
{
	if (S_ISFIFO(m))
		return "FIFO";
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	return "special file";
}

/*
 * What is at the path may be replaced or appended to only when it is a
 * regular file with one link owned by us: not a symlink's target, not a
 * FIFO or device whose open may block or act, not content another name
 * shares, not another user's file.
 */
static int check_existing(struct outfile *o, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return refuse(o, -ELOOP, "it is a symbolic link (never followed)");
	if (S_ISDIR(st->st_mode))
		return refuse(o, -EISDIR, "it is a directory");
	if (!S_ISREG(st->st_mode))
		return refuse(o, -EINVAL, "it is a %s, not a regular file", kind_of(st->st_mode));
	if (st->st_nlink != 1)
		return refuse(o, -EMLINK, "it has %lu hard links", (unsigned long)st->st_nlink);
	if (st->st_uid != geteuid())
		return refuse(o, -EPERM, "it belongs to uid %u, not to uid %u", st->st_uid,
			      geteuid());
	return 0;
}

/* 1 when the path names an acceptable file, 0 when it names nothing,
 * or -errno; nothing at the path is opened. */
static int look_at_path(struct outfile *o, struct stat *st)
{
	int ret;

	if (fstatat(o->dirfd, o->name, st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : fail(o, -errno);
	ret = check_existing(o, st);
	return ret ? ret : 1;
}

/* The directory part is resolved once, so that the log stays where it
 * was meant to be when the working directory or the root changes. */
static int open_dir(struct outfile *o)
{
	char *slash = strrchr(o->path, '/');
	char *dir;
	int e;

	o->name = slash ? slash + 1 : o->path;
	if (!*o->path)
		return fail(o, -ENOENT);
	if (!*o->name || !strcmp(o->name, ".") || !strcmp(o->name, ".."))
		return fail(o, -EISDIR);
	if (!slash)
		dir = strdup(".");
	else if (slash == o->path)
		dir = strdup("/");
	else
		dir = strndup(o->path, (size_t)(slash - o->path));
	if (!dir)
		return fail(o, -ENOMEM);
	o->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	free(dir);
	return o->dirfd < 0 ? fail(o, -e) : 0;
}

static unsigned int random_bits(int try)
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
		return r;
	return (unsigned int)getpid() * 2654435761U + (unsigned int)try;
}

/* A new file in the directory under a name nobody else holds,
 * .NAME.XXXXXX; its descriptor, or -errno. */
static int create_temp(struct outfile *o)
{
	int fd = -1;

	for (int i = 0; i < TMP_TRIES && fd < 0; i++) {
		snprintf(o->tmp, sizeof(o->tmp), ".%.*s.%06x", NAME_MAX - 8, o->name,
			 random_bits(i) & 0xffffff);
		fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    o->mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0)
		return fd;
	o->tmp[0] = '\0';
	return fail(o, -errno);
}

static void remove_temp(struct outfile *o)
{
	unlinkat(o->dirfd, o->tmp, 0);
	o->tmp[0] = '\0';
}

static int use_stdout(struct outfile *o)
{
	struct stat st;

	o->fd = STDOUT_FILENO;
	o->tty = isatty(o->fd);
	o->flush_every_ns =
		!fstat(o->fd, &st) && S_ISREG(st.st_mode) ? FILE_FLUSH_NS : STREAM_FLUSH_NS;
	return 0;
}

static int open_file(struct outfile *o, const char *path, bool held)
{
	struct stat st;
	int ret;

	o->path = strdup(path);
	if (!o->path)
		return fail(o, -ENOMEM);
	o->flush_every_ns = FILE_FLUSH_NS;
	ret = open_dir(o);
	if (!ret)
		ret = look_at_path(o, &st);
	if (ret >= 0)
		ret = create_temp(o);
	if (ret < 0)
		return ret;
	o->fd = ret;
	return held ? 0 : outfile__publish(o);
}

static void destroy(struct outfile *o)
{
	if (o->fd >= 0 && o->path)
		close(o->fd);
	if (o->tmp[0])
		remove_temp(o);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->buf);
	free(o->path);
	free(o);
}

struct outfile *outfile__open(const struct outfile_opts *opts)
{
	struct outfile *o = calloc(1, sizeof(*o));
	int ret;

	if (!o) {
		if (opts->why)
			snprintf(opts->why, opts->why_len, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	o->fd = o->dirfd = -1;
	o->rotate_size = opts->rotate_size;
	o->rotate_keep = opts->rotate_keep;
	o->mode = opts->mode ? opts->mode : 0600;
	o->buf = malloc(OUTBUF_SIZE);
	if (!o->buf)
		ret = fail(o, -ENOMEM);
	else if (!opts->path || !strcmp(opts->path, "-"))
		ret = use_stdout(o);
	else
		ret = open_file(o, opts->path, opts->held);
	if (!ret)
		return o;
	if (opts->why)
		snprintf(opts->why, opts->why_len, "%s", o->why);
	destroy(o);
	errno = -ret;
	return NULL;
}

static int shift_old_files(struct outfile *o);

int outfile__publish(struct outfile *o)
{
	struct stat st;
	int ret;

	if (o->error || !o->tmp[0])
		return o->error;
	/* What was written before (the header) is in the file when it
	 * appears, so even a run killed right after has a log that says
	 * what it is. */
	ret = outfile__flush(o);
	if (ret)
		return ret;
	ret = look_at_path(o, &st);
	if (ret < 0)
		return ret;
	/* With rotation on, a run that starts over an older log (a service
	 * restarted) rotates it away instead of replacing it. */
	if (ret == 1 && o->rotate_size && o->rotate_keep > 0) {
		int err = shift_old_files(o);

		if (err)
			return err;
		ret = 0;
	}
	if (renameat(o->dirfd, o->tmp, o->dirfd, o->name))
		return fail(o, -errno);
	o->tmp[0] = '\0';
	o->replaced = ret == 1;
	return 0;
}

bool outfile__replaced(const struct outfile *o)
{
	return o->replaced;
}

static void (*before_tty_write)(void);

void outfile_before_tty_write(void (*fn)(void))
{
	before_tty_write = fn;
}

/* Write n bytes; *done says how many reached the file. */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	*done = 0;
	while (*done < n) {
		ssize_t w = write(fd, p + *done, n - *done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		*done += (size_t)w;
	}
	return 0;
}

/*
 * After a write that failed part way (a full disk): drop the partial
 * line, so that the file ends like a killed writer's would.  Only in a
 * file of ours: standard output may be a file others append to.
 */
static void cut_back(struct outfile *o, __u64 len)
{
	if (o->path && !ftruncate(o->fd, (off_t)len))
		o->on_disk = len;
}

int outfile__flush(struct outfile *o)
{
	const char *nl;
	size_t done;
	int ret;

	if (o->error)
		return o->error;
	if (o->tty && o->used && before_tty_write)
		before_tty_write();
	ret = write_all(o->fd, o->buf, o->used, &done);
	if (!ret) {
		o->on_disk += done;
		o->used = 0;
		return 0;
	}
	nl = memrchr(o->buf, '\n', done);
	cut_back(o, o->on_disk + (nl ? (size_t)(nl - o->buf) + 1 : 0));
	o->used = 0;
	return fail(o, ret);
}

int outfile__tick(struct outfile *o, __u64 now_ns)
{
	if (o->error || !o->used || now_ns - o->last_flush_ns < o->flush_every_ns)
		return o->error;
	o->last_flush_ns = now_ns;
	return outfile__flush(o);
}

static void switch_to(struct outfile *o, int fd, __u64 size)
{
	close(o->fd);
	o->fd = fd;
	o->file_bytes = o->on_disk = size;
}

/* Old files move up one, path.N-1 -> path.N ... path -> path.1; a
 * missing older file is fine, a log at the path that cannot move is an
 * error. */
static int shift_old_files(struct outfile *o)
{
	size_t len = strlen(o->name) + 16;
	char *from = malloc(len), *to = malloc(len);
	int ret = 0;

	if (!from || !to) {
		ret = fail(o, -ENOMEM);
		goto out;
	}
	for (int i = o->rotate_keep; i > 1; i--) {
		snprintf(from, len, "%s.%d", o->name, i - 1);
		snprintf(to, len, "%s.%d", o->name, i);
		renameat(o->dirfd, from, o->dirfd, to);
	}
	snprintf(to, len, "%s.1", o->name);
	/* The older ones are kept if they can be; the one at the path must
	 * move, or the caller's rename would replace it. */
	if (o->rotate_keep > 0 && renameat(o->dirfd, o->name, o->dirfd, to) && errno != ENOENT)
		ret = fail(o, -errno);
out:
	free(from);
	free(to);
	return ret;
}

/* The fresh file is made first, so that a failure moves nothing, and
 * renamed into place right after the old one moved to path.1: the path
 * names nothing only between the two renames. */
static int rotate(struct outfile *o)
{
	int ret = outfile__flush(o), fd;

	if (ret)
		return ret;
	fd = create_temp(o);
	if (fd < 0)
		return fd;
	ret = shift_old_files(o);
	if (!ret && renameat(o->dirfd, o->tmp, o->dirfd, o->name))
		ret = fail(o, -errno);
	if (ret) {
		close(fd);
		remove_temp(o);
		return ret;
	}
	o->tmp[0] = '\0';
	switch_to(o, fd, 0);
	return 0;
}

static int write_long_line(struct outfile *o, const char *line, size_t len)
{
	size_t done;
	int ret;

	if (o->tty && before_tty_write)
		before_tty_write();
	ret = write_all(o->fd, line, len, &done);
	if (!ret)
		ret = write_all(o->fd, "\n", 1, &done);
	if (ret) {
		cut_back(o, o->on_disk);
		return fail(o, ret);
	}
	o->on_disk += len + 1;
	o->file_bytes += len + 1;
	return 0;
}

int outfile__line(struct outfile *o, const char *line, size_t len)
{
	int ret;

	if (o->error)
		return o->error;
	/* Not before publishing: the files at the path are not ours yet. */
	if (o->path && !o->tmp[0] && o->rotate_size && o->file_bytes &&
	    o->file_bytes + len + 1 > o->rotate_size) {
		ret = rotate(o);
		if (ret)
			return ret;
	}
	if (o->used + len + 1 > OUTBUF_SIZE) {
		ret = outfile__flush(o);
		if (ret)
			return ret;
	}
	if (len + 1 > OUTBUF_SIZE)
		return write_long_line(o, line, len);
	memcpy(o->buf + o->used, line, len);
	o->buf[o->used + len] = '\n';
	o->used += len + 1;
	o->file_bytes += len + 1;
	return 0;
}

int outfile__text(struct outfile *o, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int err = outfile__line(o, p, n);

		if (err)
			return err;
		p += n + 1;
	}
	return 0;
}

/*
 * An existing file is checked before it is opened, so that a FIFO or a
 * device is never opened, and again through the descriptor, in case
 * another one was put there in between (O_NONBLOCK: even then, the open
 * does not wait for a FIFO's reader).
 */
static int open_existing(struct outfile *o, const struct stat *st)
{
	struct stat now;
	int fd = openat(o->dirfd, o->name,
			O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return fail(o, -errno);
	if (fstat(fd, &now) || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		close(fd);
		return refuse(o, -EAGAIN, "it was replaced while being opened");
	}
	return fd;
}

static int create_at_path(struct outfile *o)
{
	int fd = openat(o->dirfd, o->name,
			O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, o->mode);

	return fd < 0 ? fail(o, -errno) : fd;
}

/* logrotate's create mode made a new file, or moved ours away: either
 * way continue at the path, appending to what is there. */
int outfile__reopen(struct outfile *o)
{
	struct stat st = { 0 };
	int ret, fd;

	if (!o->path || o->tmp[0])
		return o->error;
	ret = outfile__flush(o);
	if (ret)
		return ret;
	ret = look_at_path(o, &st);
	if (ret < 0)
		return ret;
	fd = ret ? open_existing(o, &st) : create_at_path(o);
	if (fd < 0)
		return fd;
	switch_to(o, fd, (__u64)st.st_size);
	return 0;
}

bool outfile__is_tty(const struct outfile *o)
{
	return o->tty;
}

int outfile__error(const struct outfile *o)
{
	return o->error;
}

const char *outfile__strerror(const struct outfile *o)
{
	return o->why;
}

int outfile__close(struct outfile *o)
{
	int ret = 0;

	if (!o)
		return 0;
	/* Never published: the path keeps what it had. */
	if (o->tmp[0]) {
		destroy(o);
		return 0;
	}
	ret = outfile__flush(o);
	if (o->path) {
		if (fsync(o->fd) && !ret && errno != EINVAL)
			ret = -errno;
		if (close(o->fd) && !ret)
			ret = -errno;
		o->fd = -1;
	}
	destroy(o);
	return ret;
}
