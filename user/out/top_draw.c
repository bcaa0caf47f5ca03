// SPDX-License-Identifier: GPL-2.0
/*
 * top_draw.c - the live view of `shmwatch top` as a sink: the model
 * (top.c) fed from the sink callbacks, drawn with ncurses on the terminal
 * of standard output at each tick, once a second or at a key.
 *
 * The trace loop stays in charge: a tick reads the keys without waiting
 * and redraws only when a second has passed or a key came, so that the
 * ring buffer keeps being drained between polls.  The terminal is taken
 * at the first tick (tracing has started then) and given back, modes and
 * main screen, when the sink is freed, which every way out of a trace
 * passes; a fatal signal gives it back from its handler.  Meanwhile fd 2
 * points to a memory file, so that the lines shmwatch (and a launched
 * command) write to stderr do not garble the screen; they are written to
 * the real stderr once the view is gone (the last MiB or so of them: a
 * command may write without end, and the memory file is memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <curses.h>
#include <term.h>
#include "lib/names.h"
#include "out/sink.h"
#include "out/top.h"

#define TICK_NS 1000000000ULL /* a sample and a redraw */
#define FINDING_LINES 5	     /* latest findings under the processes */
#define FILTER_LEN SW_COMM_LEN
#define ESC_DELAY_MS 25	     /* Esc alone, not the start of a key's sequence */
#define ESC_KEY 27

/* The panes Tab steps through; the containers pane adds up the
 * processes pane by the container each process's events came from. */
enum top_pane {
	PANE_PROCESSES,
	PANE_CONTAINERS,
	PANE_MOUNTS,
	PANE_SYSV,
	PANE_FINDINGS,
	PANE_MAX,
};

static const char *const pane_names[PANE_MAX] = {
	[PANE_PROCESSES] = "Processes",
	[PANE_CONTAINERS] = "Containers",
	[PANE_MOUNTS] = "Mounts",
	[PANE_SYSV] = "SysV",
	[PANE_FINDINGS] = "Findings",
};

enum top_pair { PAIR_TITLE = 1, PAIR_ERROR, PAIR_WARNING, PAIR_GROWTH };

struct top_sink {
	struct sink base;
	struct top_model m;
	bool color;
	/* The run, from the header. */
	char what[96]; /* "system-wide", "pid 42", "command ./x" (escaped) */
	__u64 start_ns;
	/* The terminal, once the view is up. */
	SCREEN *scr;
	bool up;
	bool colors_on;
	struct termios tio; /* as it was before: for the fatal-signal path */
	bool have_tio;
	char reset[256];    /* what puts the screen back: sgr0, cnorm, rmcup */
	size_t reset_len;
	struct sigaction fatal_old[6];
	/* stderr, held while the view is up: fd 2 is held_fd meanwhile.
	 * Only its last HELD_KEEP bytes or so are kept (a launched command
	 * may write without end): what is before held_from was dropped. */
	int real_err; /* the caller's stderr, -1: not held */
	int held_fd;
	__u64 held_from;
	/* The launched command's output, drained into the held stderr at
	 * every tick: only the command writes the pipe, so what it leaves
	 * running after shmwatch is gone gets EPIPE, as from a closed
	 * terminal, instead of filling memory nobody reads. */
	int command_fd;
	/* What the person chose. */
	enum top_pane pane;
	enum top_sort sort;
	char filter[FILTER_LEN];
	char input[FILTER_LEN]; /* the filter being typed */
	bool editing;
	bool help;
	/* When to sample next; whether a key asked for a redraw. */
	__u64 next_sample_ns;
	bool dirty;
	struct top_row *rows;
	size_t rows_cap;
};

/* ---- stderr held ------------------------------------------------------- */

/* What is kept of the held stderr: past HELD_KEEP, the oldest half goes. */
#define HELD_KEEP (1u << 20)

/* Only write(2) and pread(2): this runs in a fatal signal's handler too. */
static void copy_fd(int from, int to, off_t off)
{
	char buf[4096];
	ssize_t n;

	while ((n = pread(from, buf, sizeof(buf), off)) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));

			if (w <= 0)
				return;
			done += w;
		}
		off += n;
	}
}

static void drain_command(struct top_sink *t)
{
	char buf[65536];
	ssize_t n;

	if (t->command_fd < 0)
		return;
	while ((n = read(t->command_fd, buf, sizeof(buf))) > 0)
		if (write(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
}

/* Past HELD_KEEP bytes, give the memory of the oldest back (a hole
 * punched in the memfd); the writers' offset goes on. */
static void trim_held(struct top_sink *t)
{
	struct stat st;
	__u64 from;

	if (t->real_err < 0 || fstat(t->held_fd, &st) ||
	    (__u64)st.st_size - t->held_from <= HELD_KEEP)
		return;
	from = ((__u64)st.st_size - HELD_KEEP / 2) & ~4095ULL;
	if (!fallocate(t->held_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       (off_t)t->held_from, (off_t)(from - t->held_from)))
		t->held_from = from;
}

static int hold_stderr(struct top_sink *t)
{
	int fd = memfd_create("shmwatch-stderr", MFD_CLOEXEC), e;

	if (fd < 0)
		return -errno;
	fflush(stderr);
	t->real_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (t->real_err < 0 || dup2(fd, STDERR_FILENO) < 0) {
		e = errno;
		if (t->real_err >= 0)
			close(t->real_err);
		t->real_err = -1;
		close(fd);
		return -e;
	}
	t->held_fd = fd;
	return 0;
}

static void release_stderr(struct top_sink *t)
{
	if (t->real_err < 0)
		return;
	fflush(stderr);
	dup2(t->real_err, STDERR_FILENO);
	close(t->real_err);
	t->real_err = -1;
	if (t->held_from) {
		char line[160], c;
		off_t at = (off_t)t->held_from;

		/* From the first whole line after what was dropped. */
		while (pread(t->held_fd, &c, 1, at) == 1 && c != '\n')
			at++;
		snprintf(line, sizeof(line), "shmwatch: %llu bytes written to stderr while the view was up were dropped; the last ones follow\n",
			 (unsigned long long)at + 1);
		if (write(STDERR_FILENO, line, strlen(line)) < 0)
			return;
		copy_fd(t->held_fd, STDERR_FILENO, at + 1);
	} else {
		copy_fd(t->held_fd, STDERR_FILENO, 0);
	}
	close(t->held_fd);
}

/* ---- the terminal ------------------------------------------------------ */

int sink_top_check_terminal(char *err, size_t len)
{
	int ret;

	if (!isatty(STDOUT_FILENO)) {
		snprintf(err, len, "top needs a terminal: standard output is not one");
		return -ENOTTY;
	}
	if (setupterm(NULL, STDOUT_FILENO, &ret) != OK) {
		snprintf(err, len, "top needs a terminal: the terminal type (TERM) is %s",
			 ret == 0 ? "unknown" : "missing");
		return -EINVAL;
	}
	del_curterm(cur_term);
	return 0;
}

/* One view per process: a fatal signal's handler has no other way to
 * find the terminal it must give back. */
static struct top_sink *fatal_view;
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };

/* Put the screen and the modes back, write what was held, then die of
 * the signal as before; async-signal-safe calls only. */
static void on_fatal(int sig)
{
	struct top_sink *t = fatal_view;

	if (t) {
		if (t->up && write(STDOUT_FILENO, t->reset, t->reset_len) < 0)
			t->reset_len = 0;
		if (t->up && t->have_tio)
			tcsetattr(STDOUT_FILENO, TCSANOW, &t->tio);
		if (t->real_err >= 0) {
			dup2(t->real_err, STDERR_FILENO);
			copy_fd(t->held_fd, STDERR_FILENO, (off_t)t->held_from);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_reset(struct top_sink *t, const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (t->reset_len + n >= sizeof(t->reset))
		return;
	memcpy(t->reset + t->reset_len, s, n);
	t->reset_len += n;
}

/* From the start of the hold: a crash before the view is up still writes
 * what was held. */
static void catch_fatal(struct top_sink *t)
{
	struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	fatal_view = t;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, &t->fatal_old[i]);
}

static void release_fatal(struct top_sink *t)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &t->fatal_old[i], NULL);
	fatal_view = NULL;
}

static int start_view(struct top_sink *t)
{
	t->have_tio = !tcgetattr(STDOUT_FILENO, &t->tio);
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr)
		return -ENOTTY;
	set_term(t->scr);
	add_reset(t, "sgr0");
	add_reset(t, "cnorm");
	add_reset(t, "rmcup");
	t->up = true;
	/* cbreak, not raw: Ctrl-C still reaches shmwatch and a launched
	 * command as SIGINT, and ends the trace as it does without a view. */
	cbreak();
	noecho();
	nonl();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	set_escdelay(ESC_DELAY_MS);
	curs_set(0);
	if (t->color && has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		init_pair(PAIR_WARNING, COLOR_YELLOW, -1);
		init_pair(PAIR_GROWTH, COLOR_MAGENTA, -1);
		t->colors_on = true;
	}
	return 0;
}

static void end_view(struct top_sink *t)
{
	if (!t->up)
		return;
	endwin();
	delscreen(t->scr);
	t->up = false;
}

/* ---- drawing ----------------------------------------------------------- */

static int color_attr(const struct top_sink *t, enum top_pair c)
{
	return t->colors_on ? COLOR_PAIR(c) : 0;
}

/* A line from column x, cut at the screen's edge. */
static void __attribute__((format(printf, 5, 6))) put(int y, int x, int attr, bool fill,
						      const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (y < 0 || y >= LINES || x >= COLS)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	attrset(attr);
	mvaddnstr(y, x, line, COLS - x);
	if (fill)
		for (int i = x + (int)strlen(line); i < COLS; i++)
			addch(' ');
	attrset(A_NORMAL);
}

/* Text a traced process chose, made safe and cut to width bytes. */
static const char *safe(char *buf, size_t width, const char *s, size_t max)
{
	text_escape(buf, width + 1, s, max);
	return buf;
}

static const char *size_text(char *buf, size_t len, __u64 v)
{
	human_size(buf, len, v);
	return buf;
}

static const char *growth_text(char *buf, size_t len, __s64 v)
{
	char sz[24];

	if (!v)
		return snprintf(buf, len, "0"), buf;
	human_size(sz, sizeof(sz), (__u64)(v < 0 ? -v : v));
	snprintf(buf, len, "%c%s", v < 0 ? '-' : '+', sz);
	return buf;
}

static const char *rate_text(char *buf, size_t len, double r)
{
	snprintf(buf, len, r > 0 && r < 10 ? "%.1f" : "%.0f", r);
	return buf;
}

/* The mount's label (escaped, cut to len - 1), or its device. */
static const char *mount_name(char *buf, size_t len, const struct top_mount *mt)
{
	if (mt->label[0])
		return safe(buf, len - 1, mt->label, sizeof(mt->label));
	snprintf(buf, len, "dev %u:%u", mt->dev >> 20, mt->dev & 0xfffff);
	return buf;
}

static void draw_title(struct top_sink *t, int y)
{
	__u64 up = t->m.now_ns > t->start_ns ? (t->m.now_ns - t->start_ns) / 1000000000ULL : 0;
	const struct sw_stats *st = &t->m.stats;
	char rate[32], tail[160];
	int room;

	snprintf(tail, sizeof(tail), "  up %llu:%02llu  events %llu (%s/s)  findings %llu  lost %llu",
		 (unsigned long long)(up / 60), (unsigned long long)(up % 60),
		 (unsigned long long)st->events,
		 rate_text(rate, sizeof(rate), top_model__event_rate(&t->m)),
		 (unsigned long long)t->m.findings_total, (unsigned long long)st->lost);
	/* What is traced gives way to the numbers. */
	room = COLS - (int)strlen(tail) - (int)strlen(" shmwatch top  ");
	if (room < 12)
		room = 12;
	put(y, 0, A_REVERSE | A_BOLD | color_attr(t, PAIR_TITLE), true, " shmwatch top  %.*s%s%s",
	    (int)strlen(t->what) > room ? room - 3 : room, t->what,
	    (int)strlen(t->what) > room ? "..." : "", tail);
}

/* One line of totals: SysV by namespace, then each mount. */
static void draw_totals(struct top_sink *t, int y)
{
	char line[512], a[32], b[32], name[64];
	size_t n = 0;

	line[0] = '\0';
	for (int i = 0; i < t->m.n_nses && n < sizeof(line); i++) {
		const struct top_ns *ns = &t->m.nses[i];

		if (ns->ipc_ns)
			snprintf(name, sizeof(name), " (ipc ns %u)", ns->ipc_ns);
		else
			name[0] = '\0';
		n += snprintf(line + n, sizeof(line) - n, "%sSysV%s %llu segs %s", n ? "  " : "",
			      name, (unsigned long long)ns->segments,
			      size_text(a, sizeof(a), ns->bytes));
	}
	for (int i = 0; i < t->m.n_mounts && n < sizeof(line); i++) {
		const struct top_mount *mt = &t->m.mounts[i];

		/* A mount without a size (memfd's) has no use to measure: what
		 * its known objects add up to instead. */
		if (mt->size)
			n += snprintf(line + n, sizeof(line) - n, "%s%s %s/%s", n ? "  " : "",
				      mount_name(name, sizeof(name), mt),
				      size_text(a, sizeof(a), mt->used),
				      size_text(b, sizeof(b), mt->size));
		else
			n += snprintf(line + n, sizeof(line) - n, "%s%s %llu obj %s", n ? "  " : "",
				      mount_name(name, sizeof(name), mt),
				      (unsigned long long)mt->objects,
				      size_text(a, sizeof(a), mt->object_bytes));
	}
	put(y, 0, A_NORMAL, true, " %s", n ? line : "no shared memory seen yet");
}

static void draw_tabs(struct top_sink *t, int y)
{
	int x = 1;

	move(y, 0);
	clrtoeol();
	for (int p = 0; p < PANE_MAX; p++) {
		put(y, x, p == (int)t->pane ? A_REVERSE | A_BOLD : A_NORMAL, false, " %s ",
		    pane_names[p]);
		x += (int)strlen(pane_names[p]) + 3;
	}
	if (t->pane == PANE_PROCESSES) {
		char filter[64];

		put(y, x, A_NORMAL, false, " sort: %s%s%s", top_sort_name(t->sort),
		    t->filter[0] ? "  filter: " : "",
		    t->filter[0] ? safe(filter, 20, t->filter, sizeof(t->filter)) : "");
	}
}

/* Columns of the process rows; the wider ones only when there is room. */
#define PROC_COLS_MIN 74
#define PROC_COLS_WIDE (PROC_COLS_MIN + 10 + 26)

static void draw_proc_heading(struct top_sink *t, int y)
{
	static const char *const heads[TOP_SORT_MAX] = {
		[TOP_SORT_HELD] = "HELD",
		[TOP_SORT_GROWTH] = "GROWTH",
		[TOP_SORT_FAILED] = "FAILED",
		[TOP_SORT_FINDINGS] = "FINDS",
		[TOP_SORT_PID] = "PID",
	};
	char h[TOP_SORT_MAX][16];

	/* The sort column's heading is marked, for a terminal without
	 * attributes too. */
	for (int i = 0; i < TOP_SORT_MAX; i++)
		snprintf(h[i], sizeof(h[i]), "%s%s", i == (int)t->sort ? "*" : "", heads[i]);
	put(y, 0, A_BOLD | A_UNDERLINE, true, "%7s %-15s %8s %9s %4s %4s %7s %6s %5s%s",
	    h[TOP_SORT_PID], "COMM", h[TOP_SORT_HELD], h[TOP_SORT_GROWTH], "SEGS", "MAPS",
	    "CALLS/s", h[TOP_SORT_FAILED], h[TOP_SORT_FINDINGS],
	    COLS >= PROC_COLS_WIDE ? "     PEAK  LAST FINDING" : "");
}

static void draw_proc_row(struct top_sink *t, int y, const struct top_row *r)
{
	char comm[SW_COMM_LEN * 4 + 1], held[32], growth[32], rate[32], peak[32], wide[64] = "";
	int attr = r->live ? A_NORMAL : A_DIM;

	if (COLS >= PROC_COLS_WIDE)
		snprintf(wide, sizeof(wide), " %8s  %s", size_text(peak, sizeof(peak), r->peak),
			 r->last_rule ? r->last_rule : "");
	if (r->findings)
		attr |= color_attr(t, PAIR_WARNING);
	else if (r->growth > 0)
		attr |= color_attr(t, PAIR_GROWTH);
	put(y, 0, attr, false, "%7u %-15s %8s %9s %4u %4u %7s %6llu %5llu%s", r->pid,
	    safe(comm, 15, r->comm, sizeof(r->comm)), size_text(held, sizeof(held), r->held),
	    growth_text(growth, sizeof(growth), r->growth), r->attachments, r->mappings,
	    rate_text(rate, sizeof(rate), r->rate), (unsigned long long)r->failed,
	    (unsigned long long)r->findings, wide);
}

static int severity_attr(const struct top_sink *t, enum sw_severity s)
{
	return s == SW_SEV_ERROR ? (int)A_BOLD | color_attr(t, PAIR_ERROR) :
	       s == SW_SEV_WARNING ? color_attr(t, PAIR_WARNING) : (int)A_NORMAL;
}

static const char *const severity_names[] = { "info", "warn", "error" };

static void draw_finding(struct top_sink *t, int y, const struct top_finding *f, bool with_time)
{
	char comm[SW_COMM_LEN * 4 + 1], msg[SW_MSG_LEN * 4 + 1], when[40] = "";

	if (with_time) {
		char ts[64];

		sink_format_ts(ts, sizeof(ts), f->ts_ns, t->base.wall_offset_ns);
		/* HH:MM:SS of 2026-11-26T17:05:01.123456789Z */
		snprintf(when, sizeof(when), "%.8s ", ts + 11);
	}
	put(y, 0, severity_attr(t, f->severity), false, " %s%-5s %-22s %7u %-15s %s%s", when,
	    severity_names[f->severity <= SW_SEV_ERROR ? f->severity : 0], f->rule, f->pid,
	    safe(comm, 15, f->comm, sizeof(f->comm)), f->uncertain ? "(uncertain) " : "",
	    safe(msg, sizeof(msg) - 1, f->message, sizeof(f->message)));
}

static void draw_processes(struct top_sink *t, int top, int bottom)
{
	size_t want = hmap_count(&t->m.procs), n;
	int strip = t->m.n_findings && bottom - top >= 12 ? FINDING_LINES + 1 : 0;
	int room;

	if (want > t->rows_cap) {
		struct top_row *r = realloc(t->rows, want * sizeof(*r));

		if (r) {
			t->rows = r;
			t->rows_cap = want;
		}
	}
	draw_proc_heading(t, top++);
	room = bottom - top - strip;
	n = top_model__rows(&t->m, t->sort, t->filter, t->rows, t->rows_cap);
	if (!n)
		put(top, 1, A_DIM, false, "%s", t->filter[0] ? "no process matches the filter" :
				"no process has used shared memory yet");
	for (int i = 0; i < room && (size_t)i < n && (size_t)i < t->rows_cap; i++)
		draw_proc_row(t, top + i, &t->rows[i]);
	if ((size_t)room < n)
		put(bottom - strip - 1, 1, A_DIM, false, "... %zu more (sort or filter to see them)",
		    n - (size_t)room + 1);
	if (!strip)
		return;
	put(bottom - strip, 0, A_BOLD | A_UNDERLINE, true, " Latest findings (%llu)",
	    (unsigned long long)t->m.findings_total);
	for (int i = 0; i < FINDING_LINES; i++) {
		const struct top_finding *f = top_model__finding_at(&t->m, i);

		if (f)
			draw_finding(t, bottom - strip + 1 + i, f, false);
	}
}

/* The processes pane's rows added up by the container they run in. */
static void draw_containers(struct top_sink *t, int top, int bottom)
{
	struct top_container_row rows[64];
	size_t n = top_model__containers(&t->m, rows, sizeof(rows) / sizeof(rows[0]));

	put(top++, 0, A_BOLD | A_UNDERLINE, true, " %-32s %5s %9s %8s %6s %5s", "CONTAINER",
	    "PROCS", "HELD", "CALLS", "FAILED", "FINDS");
	if (!n)
		put(top, 1, A_DIM, false, "no process used shared memory yet");
	for (size_t i = 0; i < n && i < sizeof(rows) / sizeof(rows[0]) && top < bottom; i++) {
		const struct top_container_row *r = &rows[i];
		char name[128] = "host", held[32];

		if (r->container)
			container_info_name(r->container, name, 33);
		put(top++, 0, A_NORMAL, false, " %-32.32s %5u %9s %8llu %6llu %5llu", name, r->procs,
		    size_text(held, sizeof(held), r->held), (unsigned long long)r->calls,
		    (unsigned long long)r->failed, (unsigned long long)r->findings);
	}
}

static void draw_mounts(struct top_sink *t, int top, int bottom)
{
	put(top++, 0, A_BOLD | A_UNDERLINE, true, " %-24s %9s %9s %5s %9s %8s %9s", "MOUNT", "USED",
	    "SIZE", "USE%", "PEAK", "OBJECTS", "OBJ BYTES");
	if (!t->m.n_mounts)
		put(top, 1, A_DIM, false, "no memory filesystem used yet");
	for (int i = 0; i < t->m.n_mounts && top < bottom; i++) {
		const struct top_mount *mt = &t->m.mounts[i];
		char name[64], used[32], size[32], peak[32], objb[32], pct[16] = "-";

		if (mt->size)
			snprintf(pct, sizeof(pct), "%.0f%%", 100.0 * (double)mt->used / (double)mt->size);
		put(top++, 0, A_NORMAL, false, " %-24s %9s %9s %5s %9s %8llu %9s",
		    mount_name(name, 25, mt), size_text(used, sizeof(used), mt->used),
		    mt->size ? size_text(size, sizeof(size), mt->size) : "-", pct,
		    size_text(peak, sizeof(peak), mt->peak), (unsigned long long)mt->objects,
		    size_text(objb, sizeof(objb), mt->object_bytes));
	}
}

static void draw_sysv(struct top_sink *t, int top, int bottom)
{
	long page = sysconf(_SC_PAGESIZE);

	put(top++, 0, A_BOLD | A_UNDERLINE, true, " %-12s %8s %9s %9s %9s %6s %9s", "IPC NS",
	    "SEGMENTS", "BYTES", "PEAK", "SHMALL", "USE%", "SHMMAX");
	if (!t->m.n_nses)
		put(top, 1, A_DIM, false, "no SysV segment seen yet");
	for (int i = 0; i < t->m.n_nses && top < bottom; i++) {
		const struct top_ns *ns = &t->m.nses[i];
		__u64 all = ns->shmall * (__u64)(page > 0 ? page : 4096);
		char name[24], bytes[32], peak[32], shmall[32], shmmax[32], pct[16] = "-";

		if (ns->ipc_ns)
			snprintf(name, sizeof(name), "%u", ns->ipc_ns);
		else
			snprintf(name, sizeof(name), "host");
		if (ns->shmall && all / (__u64)(page > 0 ? page : 4096) == ns->shmall)
			snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * (double)ns->bytes / (double)all);
		else
			all = 0;
		put(top++, 0, A_NORMAL, false, " %-12s %8llu %9s %9s %9s %6s %9s", name,
		    (unsigned long long)ns->segments, size_text(bytes, sizeof(bytes), ns->bytes),
		    size_text(peak, sizeof(peak), ns->peak_bytes),
		    all ? size_text(shmall, sizeof(shmall), all) : "-", pct,
		    ns->shmmax ? size_text(shmmax, sizeof(shmmax), ns->shmmax) : "-");
	}
}

static void draw_findings(struct top_sink *t, int top, int bottom)
{
	put(top++, 0, A_BOLD | A_UNDERLINE, true, " %-8s %-5s %-22s %7s %-15s %s", "TIME", "SEV",
	    "RULE", "PID", "COMM", "MESSAGE");
	if (!t->m.n_findings)
		put(top, 1, A_DIM, false, "no findings yet");
	for (int i = 0; top < bottom; i++, top++) {
		const struct top_finding *f = top_model__finding_at(&t->m, i);

		if (!f)
			break;
		draw_finding(t, top, f, true);
	}
}

static void draw_help(struct top_sink *t, int top, int bottom)
{
	static const char *const text[] = {
		"q          quit (as Ctrl-C: a launched command is stopped first)",
		"Tab        next pane: processes, mounts, SysV, findings",
		"s, < >     sort column: held, growth, failed, findings, pid",
		"/          filter by command name; Enter applies, Esc clears",
		"h, ?       this help (any key closes it)",
		"",
		"HELD       SysV attachments and shared mappings held now",
		"GROWTH     held now minus held 10 s ago",
		"SEGS MAPS  attachments, shared mappings",
		"CALLS/s    traced calls a second; FAILED, FINDS since the start",
	};

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]) && top < bottom; i++, top++)
		put(top, 0, A_NORMAL, true, "  %s", text[i]);
}

static void draw_keys(struct top_sink *t, int y)
{
	char input[FILTER_LEN * 4 + 1];

	if (t->editing) {
		put(y, 0, A_REVERSE, true, " filter: %s_   (Enter applies, Esc clears)",
		    safe(input, sizeof(input) - 1, t->input, sizeof(t->input)));
		return;
	}
	put(y, 0, A_REVERSE, true, " q quit  Tab pane  s < > sort  / filter  h help%s",
	    t->m.oom ? "  (out of memory: processes missing)" : "");
}

static int draw(struct top_sink *t)
{
	int top = 3, bottom = LINES - 1;

	erase();
	draw_title(t, 0);
	draw_totals(t, 1);
	draw_tabs(t, 2);
	if (t->help)
		draw_help(t, top, bottom);
	else if (t->pane == PANE_PROCESSES)
		draw_processes(t, top, bottom);
	else if (t->pane == PANE_CONTAINERS)
		draw_containers(t, top, bottom);
	else if (t->pane == PANE_MOUNTS)
		draw_mounts(t, top, bottom);
	else if (t->pane == PANE_SYSV)
		draw_sysv(t, top, bottom);
	else
		draw_findings(t, top, bottom);
	draw_keys(t, LINES - 1);
	return refresh() == ERR ? -EIO : 0;
}

/* ---- keys -------------------------------------------------------------- */

static void on_filter_key(struct top_sink *t, int ch)
{
	size_t n = strlen(t->input);

	if (ch == ESC_KEY) {
		t->input[0] = t->filter[0] = '\0';
		t->editing = false;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		memcpy(t->filter, t->input, sizeof(t->filter));
		t->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == '\b') {
		if (n)
			t->input[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->input)) {
		t->input[n] = (char)ch;
		t->input[n + 1] = '\0';
	}
}

/* Returns true for q. */
static bool on_key(struct top_sink *t, int ch)
{
	if (t->editing) {
		on_filter_key(t, ch);
		return false;
	}
	if (t->help && ch != KEY_RESIZE) {
		t->help = false;
		return ch == 'q' || ch == 'Q';
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return true;
	case '\t':
		t->pane = (t->pane + 1) % PANE_MAX;
		break;
	case KEY_BTAB:
		t->pane = (t->pane + PANE_MAX - 1) % PANE_MAX;
		break;
	case 's':
	case '>':
	case KEY_RIGHT:
		t->sort = (t->sort + 1) % TOP_SORT_MAX;
		break;
	case '<':
	case KEY_LEFT:
		t->sort = (t->sort + TOP_SORT_MAX - 1) % TOP_SORT_MAX;
		break;
	case '/':
		memcpy(t->input, t->filter, sizeof(t->input));
		t->editing = true;
		break;
	case ESC_KEY:
		t->filter[0] = '\0';
		break;
	case 'h':
	case '?':
		t->help = true;
		break;
	default:
		break;
	}
	return false;
}

/* ---- the sink ---------------------------------------------------------- */

static struct top_sink *top_of(struct sink *s)
{
	return container_of(s, struct top_sink, base);
}

static void top_header(struct sink *s, const struct sw_header *h)
{
	struct top_sink *t = top_of(s);
	char cmd[sizeof(t->what)];

	s->wall_offset_ns = h->wall_offset_ns;
	t->start_ns = h->start_ts_ns;
	if (h->command)
		snprintf(t->what, sizeof(t->what), "%s",
			 safe(cmd, sizeof(cmd) - 1, h->command, (size_t)-1));
	else if (h->n_pids == 1)
		snprintf(t->what, sizeof(t->what), "pid %u", h->pids[0]);
	else if (h->n_pids)
		snprintf(t->what, sizeof(t->what), "%d pids", h->n_pids);
	else
		snprintf(t->what, sizeof(t->what), "system-wide");
}

static void top_event(struct sink *s, const struct sink_event *e)
{
	top_model__event(&top_of(s)->m, e->e, e->container);
}

static void top_finding(struct sink *s, const struct sink_finding *f)
{
	top_model__finding(&top_of(s)->m, f->f);
}

static void top_summary(struct sink *s, const struct sw_proc_summary *p)
{
}

static void top_usage(struct sink *s, const struct sw_mount_usage *u)
{
	top_model__usage(&top_of(s)->m, u);
}

static void top_sysv_usage(struct sink *s, const struct sw_sysv_usage *u)
{
	top_model__sysv_usage(&top_of(s)->m, u);
}

static void top_stats(struct sink *s, const struct sw_stats *st)
{
	top_model__stats(&top_of(s)->m, st);
}

static int top_tick(struct sink *s, const struct analyzer *a, __u64 now_ns)
{
	struct top_sink *t = top_of(s);
	int ret = 0, ch;

	if (!t->up) {
		ret = start_view(t);
		if (ret)
			return ret;
		t->next_sample_ns = now_ns;
	}
	while ((ch = getch()) != ERR) {
		if (on_key(t, ch))
			ret = SINK_TICK_STOP;
		t->dirty = true;
	}
	if (now_ns >= t->next_sample_ns) {
		struct termios tio;

		/* The terminal hung up (a closed ssh session): the view has
		 * nowhere to go, and the trace ends as with an output error. */
		if (tcgetattr(STDOUT_FILENO, &tio))
			return -errno;
		top_model__refresh(&t->m, a, now_ns);
		top_model__sample(&t->m, now_ns);
		t->next_sample_ns = now_ns + TICK_NS;
		t->dirty = true;
	} else if (t->dirty) {
		top_model__refresh(&t->m, a, now_ns);
	}
	if (t->dirty && draw(t))
		return -EIO;
	t->dirty = false;
	drain_command(t);
	trim_held(t);
	return ret;
}

static void top_free(struct sink *s)
{
	struct top_sink *t = top_of(s);

	end_view(t);
	drain_command(t);
	if (t->command_fd >= 0)
		close(t->command_fd);
	release_stderr(t);
	release_fatal(t);
	top_model__fini(&t->m);
	free(t->rows);
	free(t);
}

static const struct sink_ops top_ops = {
	.header = top_header,
	.event = top_event,
	.finding = top_finding,
	.summary = top_summary,
	.usage = top_usage,
	.sysv_usage = top_sysv_usage,
	.stats = top_stats,
	.free = top_free,
	.tick = top_tick,
};

struct sink *sink_top__new(const struct sink_top_opts *o, char *err, size_t len)
{
	struct top_sink *t = calloc(1, sizeof(*t));
	int ret;

	if (!t || top_model__init(&t->m)) {
		free(t);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	t->real_err = -1;
	t->held_fd = -1;
	t->command_fd = -1;
	ret = hold_stderr(t);
	if (ret) {
		top_model__fini(&t->m);
		free(t);
		snprintf(err, len, "can't hold stderr for the live view: %s", strerror(-ret));
		return NULL;
	}
	/* The caller keeps its own: the sink reads a copy. */
	if (o->command_fd >= 0)
		t->command_fd = fcntl(o->command_fd, F_DUPFD_CLOEXEC, 3);
	catch_fatal(t);
	t->base.ops = &top_ops;
	t->base.events = true;
	t->color = o->color;
	return &t->base;
}
