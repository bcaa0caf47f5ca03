// SPDX-License-Identifier: GPL-2.0
/*
 * test_outfile.c - the log file (user/out/outfile.c): what is at the path
 * is refused unless it is a regular file with one link owned by us, and
 * is never opened or written; an accepted file is replaced, not
 * truncated; a file never published leaves the path as it was; rotation
 * keeps whole lines, shifts the older files, drops the oldest and waits
 * for publishing; rotation and reopen stay in the log's directory after
 * chdir and chroot; a full disk leaves whole lines; the flush policy,
 * with a made-up clock.
 *
 * Each test gets its own mkdtemp directory, removed in teardown even when
 * the test fails, with any tmpfs a test mounted there and any file a
 * wrong implementation would have made in / .
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "out/outfile.h"

#define SEC	 1000000000ULL
#define MSEC	 1000000ULL
#define LINE_LEN 99 /* 100 bytes with its newline */

struct state {
	char dir[64];
	char cwd[4096];	    /* to go back to after a chdir */
	char root_name[64]; /* a name a cwd-bound outfile would use in / */
	char mnt[128];	    /* a tmpfs mounted for the test, "" if none */
	int saved_stdout;   /* -1 unless a test redirected stdout */
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
	strcpy(st->dir, "/tmp/test_outfile.XXXXXX");
	if (!mkdtemp(st->dir) || !getcwd(st->cwd, sizeof(st->cwd))) {
		free(st);
		return -1;
	}
	snprintf(st->root_name, sizeof(st->root_name), "shmwatch-test-outfile-%d.json", getpid());
	st->saved_stdout = -1;
	*pstate = st;
	return 0;
}

static void restore_stdout(struct state *st)
{
	if (st->saved_stdout < 0)
		return;
	dup2(st->saved_stdout, STDOUT_FILENO);
	close(st->saved_stdout);
	st->saved_stdout = -1;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;
	const char *suffixes[] = { "", ".1", ".2", ".old" };
	char path[256];

	restore_stdout(st);
	if (chdir(st->cwd))
		return -1;
	if (st->mnt[0])
		umount2(st->mnt, MNT_DETACH);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "/%s%s", st->root_name, suffixes[i]);
		unlink(path);
	}
	nftw(st->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(st);
	return 0;
}

static void path_in(const struct state *st, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", st->dir, name);
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The whole file into buf, NUL-terminated; its length, -1 if absent. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return n;
}

static void assert_content(const char *path, const char *want)
{
	char buf[4096];

	assert_int_equal(read_file(path, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* Entries in dir besides . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void put_line(struct outfile *o, const char *line)
{
	assert_int_equal(outfile__line(o, line, strlen(line)), 0);
}

/* An outfile at path, held or not; NULL when refused, with why. */
static struct outfile *open_at(const char *path, bool held, char *why, size_t len)
{
	struct outfile_opts oo = { .path = path, .held = held, .why = why, .why_len = len };

	return outfile__open(&oo);
}

/* A refusal: NULL, this errno, a reason naming what is there. */
static void assert_refused(const char *path, int err, const char *reason)
{
	char why[128] = "";

	errno = 0;
	assert_null(open_at(path, true, why, sizeof(why)));
	assert_int_equal(errno, err);
	if (!strstr(why, reason))
		fail_msg("why is \"%s\", expected it to say \"%s\"", why, reason);
}

/* ---- what is at the path ---- */

/* A file and a second name for it, symbolic or hard: refused at the
 * second name, and the file untouched. */
static void check_second_name_refused(struct state *st, int (*make)(const char *, const char *),
				      int err, const char *reason)
{
	char file[128], name[128];

	path_in(st, "passwd-copy", file, sizeof(file));
	path_in(st, "h.json", name, sizeof(name));
	write_file(file, "root:x:0:0\n");
	assert_int_equal(make(file, name), 0);
	assert_refused(name, err, reason);
	assert_content(file, "root:x:0:0\n");
	assert_int_equal(entries(st->dir), 2);
}

static void test_refuses_symlink(void **pstate)
{
	check_second_name_refused(*pstate, symlink, ELOOP, "symbolic link");
}

static void test_refuses_hard_link(void **pstate)
{
	check_second_name_refused(*pstate, link, EMLINK, "2 hard links");
}

static void on_alarm(int sig)
{
}

/*
 * An open(2) of a FIFO for writing waits for a reader: an alarm breaks
 * it off, so that an outfile that opens the FIFO fails the test rather
 * than hanging the suite.  With a reader there the open would succeed:
 * nothing may reach the reader.
 */
static void test_refuses_fifo_without_opening_it(void **pstate)
{
	struct state *st = *pstate;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	char fifo[128], buf[16];
	int reader;

	path_in(st, "log.json", fifo, sizeof(fifo));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(2);
	assert_refused(fifo, EINVAL, "FIFO");
	alarm(0);
	sigaction(SIGALRM, &old, NULL);

	reader = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_refused(fifo, EINVAL, "FIFO");
	assert_true(read(reader, buf, sizeof(buf)) <= 0);
	close(reader);
	assert_int_equal(entries(st->dir), 1);
}

static void test_refuses_foreign_owner(void **pstate)
{
	struct state *st = *pstate;
	char path[128];
	struct stat sb;

	if (geteuid())
		skip(); /* giving a file away takes root */
	path_in(st, "log.json", path, sizeof(path));
	write_file(path, "theirs\n");
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_refused(path, EPERM, "uid 65534");
	assert_content(path, "theirs\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_uid, 65534);
	assert_int_equal(sb.st_mode & 0777, 0666);
	assert_int_equal(entries(st->dir), 1);
}

static void test_refuses_directory(void **pstate)
{
	struct state *st = *pstate;
	char path[128];

	path_in(st, "log.json", path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	assert_refused(path, EISDIR, "directory");
	strcat(path, "/");
	assert_refused(path, EISDIR, "directory");
	assert_int_equal(entries(st->dir), 1);
}

static void test_missing_directory_is_an_error(void **pstate)
{
	assert_refused("/nonexistent-dir/log.json", ENOENT, strerror(ENOENT));
}

/* ---- replace, publish, abandon ---- */

static void test_replaces_existing_file(void **pstate)
{
	struct state *st = *pstate;
	char path[128], buf[64];
	struct outfile *o;
	struct stat sb;
	int old;

	path_in(st, "log.json", path, sizeof(path));
	write_file(path, "old content\n");
	assert_int_equal(chmod(path, 0644), 0);
	old = open(path, O_RDONLY);
	assert_true(old >= 0);
	o = open_at(path, true, NULL, 0);
	assert_non_null(o);
	put_line(o, "new");
	assert_int_equal(outfile__flush(o), 0);
	assert_content(path, "old content\n"); /* not before publishing */
	assert_int_equal(outfile__publish(o), 0);
	assert_true(outfile__replaced(o));
	assert_int_equal(outfile__close(o), 0);

	assert_content(path, "new\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_uid, geteuid());
	/* Whoever held the old file keeps its content. */
	assert_int_equal(pread(old, buf, sizeof(buf), 0), strlen("old content\n"));
	assert_memory_equal(buf, "old content\n", strlen("old content\n"));
	close(old);
	assert_int_equal(entries(st->dir), 1);
}

/* With rotation on, a new run over an older log (a service restarted)
 * rotates it away: the old runs stay as path.1, path.2. */
static void test_publish_with_rotation_keeps_older_runs(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .rotate_size = 1 << 20, .rotate_keep = 2, .held = true };
	char path[128], older[160];
	struct outfile *o;

	path_in(st, "svc.json", path, sizeof(path));
	oo.path = path;
	for (int run = 1; run <= 3; run++) {
		char line[16];

		o = outfile__open(&oo);
		assert_non_null(o);
		snprintf(line, sizeof(line), "run %d", run);
		put_line(o, line);
		assert_int_equal(outfile__publish(o), 0);
		assert_false(outfile__replaced(o));
		assert_int_equal(outfile__close(o), 0);
	}
	assert_content(path, "run 3\n");
	snprintf(older, sizeof(older), "%s.1", path);
	assert_content(older, "run 2\n");
	snprintf(older, sizeof(older), "%s.2", path);
	assert_content(older, "run 1\n");
	assert_int_equal(entries(st->dir), 3);
}

static void test_new_file_is_not_a_replacement(void **pstate)
{
	struct state *st = *pstate;
	char path[128];
	struct outfile *o;

	path_in(st, "log.json", path, sizeof(path));
	o = open_at(path, true, NULL, 0);
	assert_non_null(o);
	assert_false(exists(path));
	assert_int_equal(outfile__publish(o), 0);
	assert_false(outfile__replaced(o));
	assert_true(exists(path));
	put_line(o, "x");
	assert_int_equal(outfile__close(o), 0);
	assert_content(path, "x\n");
}

/* A log appears with what was written before publishing (its header),
 * without waiting for the next flush: a run killed at once still has a
 * log that says what it is. */
static void test_published_file_holds_what_was_written(void **pstate)
{
	struct state *st = *pstate;
	char path[128];
	struct outfile *o;

	path_in(st, "log.json", path, sizeof(path));
	o = open_at(path, true, NULL, 0);
	assert_non_null(o);
	put_line(o, "header");
	assert_int_equal(outfile__publish(o), 0);
	assert_content(path, "header\n");
	put_line(o, "event");
	assert_content(path, "header\n"); /* buffered until a flush */
	assert_int_equal(outfile__close(o), 0);
	assert_content(path, "header\nevent\n");
}

static void test_unpublished_leaves_path_as_it_was(void **pstate)
{
	struct state *st = *pstate;
	char path[128], fresh[128];
	struct stat before, after;
	struct outfile *o;

	path_in(st, "log.json", path, sizeof(path));
	write_file(path, "keep\n");
	assert_int_equal(stat(path, &before), 0);
	o = open_at(path, true, NULL, 0);
	assert_non_null(o);
	put_line(o, "{\"type\":\"header\"}");
	assert_int_equal(outfile__flush(o), 0);
	assert_int_equal(outfile__reopen(o), 0); /* a SIGHUP before: nothing to do */
	assert_int_equal(outfile__close(o), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_content(path, "keep\n");

	path_in(st, "fresh.json", fresh, sizeof(fresh));
	o = open_at(fresh, true, NULL, 0);
	assert_non_null(o);
	put_line(o, "{\"type\":\"header\"}");
	assert_int_equal(outfile__close(o), 0);
	assert_false(exists(fresh));
	assert_int_equal(entries(st->dir), 1);
}

/* Between open and publish, what is at the path is checked again. */
static void test_publish_checks_the_path_again(void **pstate)
{
	struct state *st = *pstate;
	char path[128], target[128], why[128];
	struct outfile *o;

	path_in(st, "log.json", path, sizeof(path));
	path_in(st, "target", target, sizeof(target));
	write_file(target, "precious\n");
	o = open_at(path, true, NULL, 0);
	assert_non_null(o);
	assert_int_equal(link(target, path), 0);
	assert_int_equal(outfile__publish(o), -EMLINK);
	snprintf(why, sizeof(why), "%s", outfile__strerror(o));
	assert_non_null(strstr(why, "hard links"));
	assert_int_equal(outfile__close(o), 0);
	assert_content(target, "precious\n");
	assert_int_equal(entries(st->dir), 2);
}

/* ---- independent of the working directory and the root ---- */

/* Lines "a...", "b...", ... of LINE_LEN bytes, n of them starting at first. */
static void put_lettered(struct outfile *o, char first, int n)
{
	char line[LINE_LEN + 1];

	for (int i = 0; i < n; i++) {
		memset(line, first + i, LINE_LEN);
		line[LINE_LEN] = '\0';
		put_line(o, line);
	}
}

/* What put_lettered() wrote for the letters first..last. */
static void lettered(char *buf, size_t len, char first, char last)
{
	size_t n = 0;

	for (char c = first; c <= last && n + LINE_LEN + 2 <= len; c++) {
		memset(buf + n, c, LINE_LEN);
		n += LINE_LEN;
		buf[n++] = '\n';
	}
	buf[n] = '\0';
}

static void assert_lettered(const struct state *st, const char *name, char first, char last)
{
	char path[256], want[2048];

	path_in(st, name, path, sizeof(path));
	lettered(want, sizeof(want), first, last);
	assert_content(path, want);
}

/* A file takes whole lines until the next would pass the size; the
 * older files shift up, and the oldest beyond rotate_keep is dropped. */
static void test_rotation_keeps_whole_lines_and_drops_the_oldest(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .rotate_size = 3 * (LINE_LEN + 1) + 50, .rotate_keep = 2 };
	char path[256];
	struct outfile *o;

	path_in(st, "r.json", path, sizeof(path));
	oo.path = path;
	o = outfile__open(&oo);
	assert_non_null(o);
	put_lettered(o, 'a', 10);
	assert_int_equal(outfile__close(o), 0);
	assert_lettered(st, "r.json", 'j', 'j');
	assert_lettered(st, "r.json.1", 'g', 'i');
	assert_lettered(st, "r.json.2", 'd', 'f');
	assert_int_equal(entries(st->dir), 3);
}

/* rotate_keep 0: the full file is replaced, none kept. */
static void test_rotation_without_keeping(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .rotate_size = 2 * (LINE_LEN + 1), .rotate_keep = 0 };
	char path[256];
	struct outfile *o;

	path_in(st, "r.json", path, sizeof(path));
	oo.path = path;
	o = outfile__open(&oo);
	assert_non_null(o);
	put_lettered(o, 'a', 5);
	assert_int_equal(outfile__close(o), 0);
	assert_lettered(st, "r.json", 'e', 'e');
	assert_int_equal(entries(st->dir), 1);
}

/* A held log is not rotated: the files at the path are not its own
 * until it is published, when the one there becomes path.1. */
static void test_no_rotation_before_publishing(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .rotate_size = 2 * (LINE_LEN + 1), .rotate_keep = 3,
				   .held = true };
	char path[256];
	struct outfile *o;

	path_in(st, "r.json", path, sizeof(path));
	write_file(path, "old\n");
	oo.path = path;
	o = outfile__open(&oo);
	assert_non_null(o);
	put_lettered(o, 'a', 4);
	assert_content(path, "old\n");
	assert_int_equal(outfile__publish(o), 0);
	put_lettered(o, 'e', 1);
	assert_int_equal(outfile__close(o), 0);
	assert_lettered(st, "r.json", 'e', 'e');
	assert_lettered(st, "r.json.1", 'a', 'd');
	path_in(st, "r.json.2", path, sizeof(path));
	assert_content(path, "old\n");
	assert_int_equal(entries(st->dir), 3);
}

static void test_rotation_after_chdir(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .rotate_size = 4 * (LINE_LEN + 1), .rotate_keep = 2 };
	char line[LINE_LEN + 1], path[256];
	struct outfile *o;

	memset(line, 'r', LINE_LEN);
	line[LINE_LEN] = '\0';
	assert_int_equal(chdir(st->dir), 0);
	oo.path = st->root_name; /* relative */
	o = outfile__open(&oo);
	assert_non_null(o);
	assert_int_equal(chdir("/"), 0);
	for (int i = 0; i < 10; i++)
		put_line(o, line);
	assert_int_equal(outfile__close(o), 0);

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s%s", st->dir, st->root_name,
			 i ? (i == 1 ? ".1" : ".2") : "");
		assert_true(exists(path));
	}
	snprintf(path, sizeof(path), "/%s", st->root_name);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "/%s.1", st->root_name);
	assert_false(exists(path));
}

static void test_publish_and_reopen_after_chdir(void **pstate)
{
	struct state *st = *pstate;
	char path[128], old[256];
	struct outfile *o;

	assert_int_equal(chdir(st->dir), 0);
	o = open_at(st->root_name, true, NULL, 0);
	assert_non_null(o);
	put_line(o, "before");
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(outfile__publish(o), 0);
	assert_int_equal(outfile__flush(o), 0);
	/* logrotate moves the log away and sends SIGHUP */
	path_in(st, st->root_name, path, sizeof(path));
	snprintf(old, sizeof(old), "%s.old", path);
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(outfile__reopen(o), 0);
	put_line(o, "after");
	assert_int_equal(outfile__close(o), 0);

	assert_content(old, "before\n");
	assert_content(path, "after\n");
	snprintf(path, sizeof(path), "/%s", st->root_name);
	assert_false(exists(path));
}

/*
 * In a child, which chroots into jail/ while the log is in logs/, moves
 * the log away through its own descriptor of logs/ as logrotate would,
 * and rotates; exits with the step that failed, 0 if none.
 */
static int chrooted_child(const char *jail, const char *logs)
{
	struct outfile_opts oo = { .rotate_size = 4 * (LINE_LEN + 1), .rotate_keep = 1 };
	char path[256], line[LINE_LEN + 1];
	struct outfile *o;
	int logs_fd = open(logs, O_PATH | O_DIRECTORY);

	memset(line, 'c', LINE_LEN);
	line[LINE_LEN] = '\0';
	snprintf(path, sizeof(path), "%s/log.json", logs);
	oo.path = path;
	o = outfile__open(&oo);
	if (!o || logs_fd < 0 || outfile__line(o, "first", 5) || outfile__flush(o))
		return 1;
	if (chroot(jail) || chdir("/"))
		return 2;
	if (renameat(logs_fd, "log.json", logs_fd, "log.json.old"))
		return 3;
	if (outfile__reopen(o) || outfile__line(o, "second", 6) || outfile__flush(o))
		return 4;
	for (int i = 0; i < 5; i++)
		if (outfile__line(o, line, LINE_LEN))
			return 5;
	return outfile__close(o) ? 6 : 0;
}

static void test_reopen_and_rotation_after_chroot(void **pstate)
{
	struct state *st = *pstate;
	char jail[128], logs[128], path[256], buf[4096];
	int status;
	pid_t pid;

	if (geteuid())
		skip(); /* chroot takes CAP_SYS_CHROOT */
	path_in(st, "jail", jail, sizeof(jail));
	path_in(st, "logs", logs, sizeof(logs));
	assert_int_equal(mkdir(jail, 0700), 0);
	assert_int_equal(mkdir(logs, 0700), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(chrooted_child(jail, logs));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	snprintf(path, sizeof(path), "%s/log.json.old", logs);
	assert_content(path, "first\n");
	/* "second" and three long lines fill 4 lines' worth, then it rotates */
	snprintf(path, sizeof(path), "%s/log.json.1", logs);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 7 + 3 * (LINE_LEN + 1));
	assert_memory_equal(buf, "second\n", 7);
	snprintf(path, sizeof(path), "%s/log.json", logs);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 2 * (LINE_LEN + 1));
	assert_int_equal(entries(jail), 0);
	assert_int_equal(entries(logs), 3);
}

/* ---- a full disk ---- */

/* A tmpfs of 16 KiB at dir/small, in a mount namespace of this test
 * binary's own, so that not even a crash leaves it on the host. */
static void mount_small_tmpfs(struct state *st)
{
	path_in(st, "small", st->mnt, sizeof(st->mnt));
	assert_int_equal(mkdir(st->mnt, 0700), 0);
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	assert_int_equal(mount("tmpfs", st->mnt, "tmpfs", 0, "size=16k"), 0);
}

/* Lines of 100 bytes until the disk is full: 16384 bytes take 163 whole
 * lines and part of one more, which must not stay. */
static void test_full_disk_leaves_whole_lines(void **pstate)
{
	struct state *st = *pstate;
	char line[LINE_LEN + 1], path[256], buf[32768];
	struct outfile *o;
	ssize_t n;
	int ret = 0;

	if (geteuid())
		skip(); /* mounting takes root */
	mount_small_tmpfs(st);
	memset(line, 'f', LINE_LEN);
	line[LINE_LEN] = '\0';
	snprintf(path, sizeof(path), "%s/log.json", st->mnt);
	o = open_at(path, false, NULL, 0);
	assert_non_null(o);
	for (int i = 0; i < 200 && !ret; i++)
		ret = outfile__line(o, line, LINE_LEN);
	assert_int_equal(ret, 0); /* still in the buffer */
	assert_int_equal(outfile__flush(o), -ENOSPC);
	assert_int_equal(outfile__line(o, line, LINE_LEN), -ENOSPC);
	assert_int_equal(outfile__close(o), -ENOSPC);

	n = read_file(path, buf, sizeof(buf));
	assert_int_equal(n, 16384 / (LINE_LEN + 1) * (LINE_LEN + 1));
	assert_int_equal(buf[n - 1], '\n');
}

/* A line longer than the buffer goes out on its own: all or nothing. */
static void test_full_disk_drops_a_long_line_whole(void **pstate)
{
	struct state *st = *pstate;
	size_t long_len = 300 * 1024;
	char *big = malloc(long_len), path[256];
	struct outfile *o;

	if (geteuid())
		skip();
	assert_non_null(big);
	memset(big, 'L', long_len);
	mount_small_tmpfs(st);
	snprintf(path, sizeof(path), "%s/log.json", st->mnt);
	o = open_at(path, false, NULL, 0);
	assert_non_null(o);
	put_line(o, "short");
	assert_int_equal(outfile__line(o, big, long_len), -ENOSPC);
	free(big);
	assert_int_equal(outfile__close(o), -ENOSPC);
	assert_content(path, "short\n");
}

/* ---- the flush policy ---- */

/* Bytes waiting in a non-blocking pipe, read and counted. */
static ssize_t drain(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	return n < 0 && errno == EAGAIN ? 0 : n;
}

static void test_tick_flushes_a_pipe_after_100ms(void **pstate)
{
	struct state *st = *pstate;
	struct outfile_opts oo = { .path = NULL };
	__u64 t0 = 50 * SEC;
	struct outfile *o;
	int p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	fflush(stdout);
	st->saved_stdout = dup(STDOUT_FILENO);
	assert_true(st->saved_stdout >= 0);
	assert_true(dup2(p[1], STDOUT_FILENO) >= 0);
	close(p[1]);
	o = outfile__open(&oo);
	assert_non_null(o);
	put_line(o, "a");
	assert_int_equal(outfile__tick(o, t0), 0);
	assert_int_equal(drain(p[0]), 2); /* the first line goes at once */
	put_line(o, "b");
	assert_int_equal(outfile__tick(o, t0 + 50 * MSEC), 0);
	assert_int_equal(drain(p[0]), 0);
	assert_int_equal(outfile__tick(o, t0 + 100 * MSEC), 0);
	assert_int_equal(drain(p[0]), 2);
	assert_int_equal(outfile__tick(o, t0 + 5 * SEC), 0); /* nothing buffered */
	assert_int_equal(drain(p[0]), 0);
	assert_int_equal(outfile__close(o), 0);
	restore_stdout(st);
	close(p[0]);
}

static void test_tick_flushes_a_file_every_second(void **pstate)
{
	struct state *st = *pstate;
	__u64 t0 = 50 * SEC;
	char path[128];
	struct outfile *o;
	struct stat sb;

	path_in(st, "log.json", path, sizeof(path));
	o = open_at(path, false, NULL, 0);
	assert_non_null(o);
	put_line(o, "a");
	assert_int_equal(outfile__tick(o, t0), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 2);
	put_line(o, "b");
	assert_int_equal(outfile__tick(o, t0 + 500 * MSEC), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 2);
	assert_int_equal(outfile__tick(o, t0 + 1 * SEC), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 4);
	assert_int_equal(outfile__close(o), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_refuses_symlink),
		T(test_refuses_fifo_without_opening_it),
		T(test_refuses_hard_link),
		T(test_refuses_foreign_owner),
		T(test_refuses_directory),
		T(test_missing_directory_is_an_error),
		T(test_replaces_existing_file),
		T(test_new_file_is_not_a_replacement),
		T(test_publish_with_rotation_keeps_older_runs),
		T(test_published_file_holds_what_was_written),
		T(test_unpublished_leaves_path_as_it_was),
		T(test_publish_checks_the_path_again),
		T(test_rotation_keeps_whole_lines_and_drops_the_oldest),
		T(test_rotation_without_keeping),
		T(test_no_rotation_before_publishing),
		T(test_rotation_after_chdir),
		T(test_publish_and_reopen_after_chdir),
		T(test_reopen_and_rotation_after_chroot),
		T(test_full_disk_leaves_whole_lines),
		T(test_full_disk_drops_a_long_line_whole),
		T(test_tick_flushes_a_pipe_after_100ms),
		T(test_tick_flushes_a_file_every_second),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
