// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - option tables and parsing for the trace and analyze commands.
 * One convention across both: -p pid, -f follow, -o output, -d duration,
 * -v verbose, and a long option for everything.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "defaults.h"
#include "events.h"
#include "lib/names.h"

/* Text built into a caller's buffer with snprintf's contract: n counts
 * what the whole text needs, even past len. */
struct text {
	char *buf;
	size_t len;
	size_t n;
};

static void __attribute__((format(printf, 2, 3))) text_printf(struct text *t, const char *fmt, ...)
{
	size_t room = t->n < t->len ? t->len - t->n : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->n : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->n += (size_t)n;
}

#define USAGE_WIDTH 72

/* Words filled into lines of at most USAGE_WIDTH columns, two spaces
 * after the end of a sentence, as the rest of the help is written. */
static void text_fill(struct text *t, const char *words)
{
	size_t col = 0;
	char last = 0;

	for (const char *w = words + strspn(words, " "); *w; w += strspn(w, " ")) {
		size_t wl = strcspn(w, " ");
		size_t gap = !col ? 0 : last == '.' ? 2 : 1;

		if (col && col + gap + wl > USAGE_WIDTH) {
			text_printf(t, "\n");
			col = gap = 0;
		}
		text_printf(t, "%*s%.*s", (int)gap, "", (int)wl, w);
		col += gap + wl;
		last = w[wl - 1];
		w += wl;
	}
	if (col)
		text_printf(t, "\n");
}

static bool any_call(__u32 call)
{
	return true;
}

/* The calls that only count on a file of a tmpfs (memfd_create makes
 * one instead). */
static bool file_call(__u32 call)
{
	return sw_call_has_object(call) && call != SW_MEMFD_CREATE;
}

/* "a, b and c" of the calls in the names table that pick chooses, so
 * that the help names every call the kernel side records. */
static void text_calls(struct text *t, bool (*pick)(__u32 call))
{
	int n = 0, i = 0;

	for (__u32 c = SW_CALL_NONE + 1; c < SW_CALL_MAX; c++)
		n += pick(c);
	for (__u32 c = SW_CALL_NONE + 1; c < SW_CALL_MAX; c++) {
		if (!pick(c))
			continue;
		text_printf(t, "%s%s", !i ? "" : i == n - 1 ? " and " : ", ", sw_call_name(c));
		i++;
	}
}

/* A size as the options take it: "256M". */
static const char *size_text(char *buf, size_t len, unsigned long long v)
{
	static const char units[] = "KMG";
	int u = -1;

	while (u < 2 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu%.*s", v, u >= 0, u >= 0 ? &units[u] : "");
	return buf;
}

/*
 * The trace's options, which top shares: top leaves out what its view has
 * no use for (-q, --format, --stack-depth, the log on standard output)
 * and has a stats interval of its own.
 */
static void trace_options(struct text *t, bool top)
{
	char max_size[32], ringbuf[32], state_max[32];

	text_printf(t,
		"  -p, --pid PID[,PID...]   trace running processes (all their threads)\n"
		"  -f, --follow             also trace their children forked later\n"
		"  -o, --output FILE        write the NDJSON event log to FILE%s\n"
		"  -d, --duration SECS      stop after SECS seconds\n"
		"  -v, --verbose            show libbpf's messages\n",
		top ? "" : " ('-': stdout)");
	if (!top)
		text_printf(t, "  -q, --quiet              no per-call lines in the text view\n");
	text_printf(t,
		"      --events all|failed|none  which events the outputs get: all (the\n"
		"                           default), failed calls and faults, or none\n"
		"                           (findings, summaries, usage and stats only)\n"
		"      --summaries all|findings|none  which processes' summaries the outputs\n"
		"                           get: every one that used shared memory (the\n"
		"                           default), those with findings, or none\n");
	if (!top)
		text_printf(t, "      --format text|json   format of standard output (default: text)\n");
	text_printf(t,
		"      --color auto|always|never  colours in the %s view (default: auto,\n"
		"                           on a terminal unless NO_COLOR is set)\n"
		"      --comm NAME          only processes with this command name (its\n"
		"                           first %d characters, as the kernel keeps it)\n"
		"      --uid USER           only processes of this user (a name or an id)\n"
		"      --cgroup PATH        only processes in this cgroup v2 directory\n"
		"      --container NAME|ID  only processes of this container (its name, an\n"
		"                           id prefix, a Kubernetes pod's name, NAMESPACE/POD,\n"
		"                           POD/CONTAINER or pod UID prefix; host: of none),\n"
		"                           followed when it starts again\n"
		"      --max-size SIZE      oversized-request threshold (default %s)\n"
		"      --all-mmaps          record private mappings too\n"
		"      --writes             record writes that a memory filesystem refuses\n"
		"                           for want of space (costs every write on the host)\n"
		"      --no-stacks          do not capture user stacks\n",
		top ? "live" : "text", SW_COMM_LEN - 1,
		size_text(max_size, sizeof(max_size), SW_DEFAULT_MAX_SIZE));
	if (!top)
		text_printf(t, "      --stack-depth N      frames shown per stack in the text view (default %d)\n",
			    SW_DEFAULT_STACK_DEPTH);
	text_printf(t,
		"      --leak-window SECS   attach-leak: length of one window (default %g)\n"
		"      --leak-count N       attach-leak: growth per window, 4 windows in a\n"
		"                           row (default %d)\n"
		"      --ringbuf-size SIZE  kernel ring buffer size (default %s)\n"
		"      --stats-interval SECS  seconds between stats records (default %d)\n"
		"      --rotate-size SIZE   rotate the log before it passes SIZE\n"
		"      --rotate-keep N      rotated logs to keep (default %d)\n"
		"      --state-max SIZE     cap on the analyzer's state; past it, the least\n"
		"                           recently active processes are forgotten (and\n"
		"                           what they could reach left unjudged; default %s,\n"
		"                           0: none)\n"
		"      --exit-with-command  end when COMMAND exits, not when the last of\n"
		"                           the processes it started has\n"
		"      --check-state        at the end, compare the live segments and\n"
		"                           mappings with /proc; exit 1 if they differ\n"
		"      --metrics ADDR       serve Prometheus metrics on HOST:PORT (or :PORT)\n"
		"                           at /metrics\n"
		"      --metrics-file FILE  write them to FILE at every stats record (for\n"
		"                           the node exporter's textfile collector)\n"
		"      --folded FILE        at the end, write the shared memory held by\n"
		"                           creating stack, at the peak and at the end, in\n"
		"                           the folded format of flame graph tools\n"
		"  -h, --help               this help\n"
		"      --version            print the version\n",
		SW_DEFAULT_GROWTH_WINDOW_NS / 1e9, SW_DEFAULT_GROWTH_THRESHOLD,
		size_text(ringbuf, sizeof(ringbuf), SW_DEFAULT_RINGBUF_SIZE),
		top ? CLI_TOP_STATS_INTERVAL : SW_DEFAULT_STATS_INTERVAL, SW_DEFAULT_ROTATE_KEEP,
		size_text(state_max, sizeof(state_max), SW_DEFAULT_STATE_MAX));
}

size_t cli_trace_usage(char *buf, size_t len)
{
	struct text t = { .buf = buf, .len = len };
	char desc[1024];
	struct text d = { .buf = desc, .len = sizeof(desc) };

	if (len)
		buf[0] = '\0';
	text_printf(&d, "Trace shared-memory calls and report misuse: ");
	text_calls(&d, any_call);
	text_printf(&d, " (");
	text_calls(&d, file_call);
	text_printf(&d, " of files on a tmpfs such as /dev/shm, madvise with MADV_DONTFORK or "
		    "MADV_DOFORK); and fork, exec, exit, SIGSEGV and SIGBUS of the traced "
		    "processes.  Without -p and COMMAND the whole system is traced.  A COMMAND "
		    "is traced with the processes it starts, until the last of them exits.");
	text_printf(&t,
		"usage: shmwatch [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"       shmwatch analyze [OPTIONS] LOG...\n"
		"       shmwatch ls [OPTIONS]\n"
		"       shmwatch top [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"       shmwatch report [OPTIONS] LOG...\n"
		"\n");
	text_fill(&t, desc);
	text_printf(&t, "\n");
	trace_options(&t, false);
	text_printf(&t,
		"\n"
		"Exit status: 0 on success, the command's status when a COMMAND was\n"
		"launched, 1 when --check-state found a difference (and the status\n"
		"would otherwise be 0), 2 on bad usage or when tracing cannot start.\n");
	return t.n;
}

size_t cli_top_usage(char *buf, size_t len)
{
	struct text t = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	text_printf(&t, "usage: shmwatch top [OPTIONS] [-- COMMAND [ARGS...]]\n\n");
	text_fill(&t, "A live full-screen view of a trace, redrawn every second: the traced "
		  "processes by the shared memory they hold (SysV attachments and shared "
		  "mappings), its growth over the last 10 s, their calls per second, failed "
		  "calls and findings; the memory filesystems and SysV namespaces by use; "
		  "and the latest findings.  It traces as shmwatch does (the whole system "
		  "without -p and COMMAND) and ends the same ways; standard output must be "
		  "a terminal.  What shmwatch and COMMAND write to standard output and "
		  "error while the view is up is shown after it closes.  Calls and "
		  "failures count the events the outputs get (--events).");
	text_printf(&t, "\n");
	text_fill(&t, "Keys: q quits (as Ctrl-C does), Tab shows the next pane (processes, "
		  "mounts, SysV, findings), s or < and > change the sort column (held, growth, "
		  "failed, findings, pid), / filters by command name (Enter applies, Esc "
		  "clears), h or ? shows the keys.");
	text_printf(&t, "\n");
	trace_options(&t, true);
	text_printf(&t,
		"\n"
		"Exit status: as shmwatch's: 0 on success, the command's status when a\n"
		"COMMAND was launched, 1 when --check-state found a difference, 2 on bad\n"
		"usage, when tracing cannot start or standard output is no terminal.\n");
	return t.n;
}

const char cli_analyze_usage[] =
	"usage: shmwatch analyze [OPTIONS] LOG...\n"
	"\n"
	"Run the analyzer over saved NDJSON logs (in order; '-' is stdin), gzip'd\n"
	"or not.  Options may also follow the logs; '--' ends them.  On a\n"
	"terminal, standard error shows the progress of a long run.\n"
	"\n"
	"      --format text|json   output format (default: text)\n"
	"      --strict             stop at the first malformed line\n"
	"      --state-max SIZE     cap on the analyzer's state (default 256M, 0: none;\n"
	"                           see shmwatch --help)\n"
	"      --summaries all|findings|none  which processes' summaries are written\n"
	"                           (default: all that used shared memory)\n"
	"      --folded FILE        write the shared memory held by creating stack,\n"
	"                           at the peak and at the end, for flame graphs\n"
	"  -h, --help               this help\n"
	"\n"
	"Exit status: 0 when every line was read, 1 when lines were skipped or no\n"
	"log held a record (an empty log is named on stderr), 2 on bad usage, a\n"
	"log that cannot be read or is no NDJSON log (a device, another\n"
	"compression, damaged gzip data), or a malformed line with --strict.\n";

_Static_assert(SW_DEFAULT_STATE_MAX == 256ULL << 20, "cli_analyze_usage names the default state cap");

const char cli_report_usage[] =
	"usage: shmwatch report [OPTIONS] LOG...\n"
	"\n"
	"Write one self-contained HTML page from saved NDJSON logs, read and\n"
	"analysed as shmwatch analyze reads them: a timeline per memory filesystem\n"
	"and per IPC namespace with the peak marked, the lifetimes of segments,\n"
	"objects and attachments per process, every finding with its stacks, and\n"
	"the summaries.  Options may also follow the logs; '--' ends them.\n"
	"\n"
	"  -o, --output FILE        write the page there (default: standard output,\n"
	"                           which must then not be a terminal); an existing\n"
	"                           FILE is replaced only by a complete report\n"
	"      --title TEXT         the page's title (default: shmwatch report)\n"
	"      --strict             stop at the first malformed line\n"
	"      --state-max SIZE     cap on the analyzer's state (default 256M, 0: none;\n"
	"                           see shmwatch --help)\n"
	"  -h, --help               this help\n"
	"\n"
	"Exit status: 0 when every line was read, 1 when lines were skipped or no\n"
	"log held a record, 2 on bad usage, a log that cannot be read or is no\n"
	"NDJSON log, a malformed line with --strict, or a report that cannot be\n"
	"written (then no FILE is left, and an existing one is kept).\n";

const char cli_ls_usage[] =
	"usage: shmwatch ls [OPTIONS]\n"
	"\n"
	"List the shared memory that exists now, read from /proc and the memory\n"
	"filesystems (no tracing): SysV segments of this IPC namespace, the files\n"
	"of every /dev/shm and hugetlbfs mount (each mount namespace's own),\n"
	"memory-filesystem files mapped shared or deleted but still held, and\n"
	"memfds; each with the processes that map or hold it (and the container\n"
	"each runs in) and a verdict (orphaned, unattached, unheld,\n"
	"deleted-but-held).  Biggest first.\n"
	"\n"
	"  -p, --pid PID[,PID...]   only what these processes hold (or created)\n"
	"      --orphaned           only what nobody holds: orphaned and unattached\n"
	"                           segments, unheld files\n"
	"      --container NAME|ID  only what processes of this container hold (its\n"
	"                           name, an id prefix, a pod as for the trace), and\n"
	"                           its own /dev/shm; host: of no container\n"
	"      --format text|json   output format (default: text)\n"
	"  -o, --output FILE        write there instead of standard output\n"
	"  -v, --verbose            every holder, not the first few\n"
	"  -h, --help               this help\n"
	"\n"
	"Processes that cannot be read (not root, or another user namespace's)\n"
	"are counted on stderr: what they hold is missing.\n"
	"\n"
	"Exit status: 0; 1 when the inventory could not be read (no memory, or\n"
	"/proc/sysvipc/shm unreadable); 2 on bad usage or an output that cannot\n"
	"be written.\n";

/* Bounds of the size and count options. */
#define RINGBUF_MIN	4096ULL
#define RINGBUF_MAX	(1ULL << 30)
#define ROTATE_SIZE_MIN	4096ULL
#define ROTATE_KEEP_MAX	1000
/* A cap below what one busy process holds would forget it at once. */
#define STATE_MAX_MIN	(1ULL << 20)
#define STATE_MAX_MAX	(1ULL << 40)
#define STATE_MAX_ERR	"invalid state cap '%s' (0, or 1M to 1T)"

#define SUMMARIES_ERR "invalid summaries '%s' (all, findings or none)"

static int parse_summaries(const char *s, enum cli_summaries *out)
{
	static const char *const names[] = {
		[CLI_SUMMARIES_ALL] = "all",
		[CLI_SUMMARIES_FINDINGS] = "findings",
		[CLI_SUMMARIES_NONE] = "none",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum cli_summaries)i;
			return 0;
		}
	return -1;
}

static int parse_state_max(const char *s, __u64 *out)
{
	return parse_size(s, out) || (*out && (*out < STATE_MAX_MIN || *out > STATE_MAX_MAX)) ?
		       -1 : 0;
}

/* The defaults must pass the checks a value given by hand does. */
_Static_assert(SW_DEFAULT_RINGBUF_SIZE >= RINGBUF_MIN && SW_DEFAULT_RINGBUF_SIZE <= RINGBUF_MAX &&
		       !(SW_DEFAULT_RINGBUF_SIZE & (SW_DEFAULT_RINGBUF_SIZE - 1)),
	       "the default ring buffer size is not one --ringbuf-size accepts");
_Static_assert(SW_DEFAULT_STACK_DEPTH >= 1 && SW_DEFAULT_STACK_DEPTH <= SW_MAX_FRAMES,
	       "the default stack depth is not one --stack-depth accepts");
_Static_assert(SW_DEFAULT_ROTATE_KEEP <= ROTATE_KEEP_MAX,
	       "the default rotate count is not one --rotate-keep accepts");

enum {
	OPT_FORMAT = 256,
	OPT_COMM,
	OPT_UID,
	OPT_CGROUP,
	OPT_MAX_SIZE,
	OPT_ALL_MMAPS,
	OPT_WRITES,
	OPT_RINGBUF_SIZE,
	OPT_STATS_INTERVAL,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_KEEP,
	OPT_VERSION,
	OPT_NO_STACKS,
	OPT_STACK_DEPTH,
	OPT_LEAK_WINDOW,
	OPT_LEAK_COUNT,
	OPT_STRICT,
	OPT_CHECK_STATE,
	OPT_COLOR,
	OPT_EXIT_WITH_COMMAND,
	OPT_ORPHANED,
	OPT_METRICS,
	OPT_METRICS_FILE,
	OPT_STATE_MAX,
	OPT_EVENTS,
	OPT_SUMMARIES,
	OPT_FOLDED,
	OPT_TITLE,
	OPT_CONTAINER,
};

static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_u32(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_pids(__u32 *pids, int *n_pids, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		__u32 pid;

		if (parse_u32(tok, &pid) || pid == 0) {
			ret = errf(err, errlen, "invalid pid '%s'", tok);
			break;
		}
		if (*n_pids == CLI_MAX_PIDS) {
			ret = errf(err, errlen, "too many pids (at most %d)", CLI_MAX_PIDS);
			break;
		}
		pids[(*n_pids)++] = pid;
	}
	if (!ret && *n_pids == 0)
		ret = errf(err, errlen, "invalid pid list '%s'", arg);
	free(copy);
	return ret;
}

static int parse_format(const char *arg, enum cli_format *out)
{
	if (!strcmp(arg, "text"))
		*out = CLI_FORMAT_TEXT;
	else if (!strcmp(arg, "json"))
		*out = CLI_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* getopt's own message names the option; rebuild it in our words. */
static int bad_option(char **argv, int opt, char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return errf(err, errlen, "option '%s' needs a value", arg);
	return errf(err, errlen, "unknown option '%s'", arg);
}

void cli_trace_defaults(struct cli_trace *o)
{
	memset(o, 0, sizeof(*o));
	o->max_size = SW_DEFAULT_MAX_SIZE;
	o->ringbuf_size = SW_DEFAULT_RINGBUF_SIZE;
	o->stats_interval = SW_DEFAULT_STATS_INTERVAL;
	o->rotate_keep = SW_DEFAULT_ROTATE_KEEP;
	o->state_max = SW_DEFAULT_STATE_MAX;
	o->stack_depth = SW_DEFAULT_STACK_DEPTH;
}

int cli_parse_trace(struct cli_trace *o, int argc, char **argv, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "all-mmaps", no_argument, NULL, OPT_ALL_MMAPS },
		{ "writes", no_argument, NULL, OPT_WRITES },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },
		{ "rotate-keep", required_argument, NULL, OPT_ROTATE_KEEP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
		{ "stack-depth", required_argument, NULL, OPT_STACK_DEPTH },
		{ "leak-window", required_argument, NULL, OPT_LEAK_WINDOW },
		{ "leak-count", required_argument, NULL, OPT_LEAK_COUNT },
		{ "check-state", no_argument, NULL, OPT_CHECK_STATE },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "exit-with-command", no_argument, NULL, OPT_EXIT_WITH_COMMAND },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "summaries", required_argument, NULL, OPT_SUMMARIES },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
		{ "state-max", required_argument, NULL, OPT_STATE_MAX },
		{ 0 },
	};
	__u32 v;
	int opt, ret;

	optind = 0; /* glibc: restart scanning, so parsing can run twice */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:fo:d:vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			ret = parse_pids(o->pids, &o->n_pids, optarg, err, errlen);
			if (ret)
				return ret;
			break;
		case 'f':
			o->follow = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->duration))
				return errf(err, errlen, "invalid duration '%s' (seconds > 0)", optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case OPT_VERSION:
			o->version = true;
			return 0;
		case OPT_FORMAT:
			if (parse_format(optarg, &o->format))
				return errf(err, errlen, "invalid format '%s' (text or json)", optarg);
			break;
		case OPT_COMM:
			/* Longer names are matched on what the kernel keeps
			 * of them (capture copies at most 15 characters). */
			if (!*optarg)
				return errf(err, errlen, "invalid comm '' (a command name)");
			o->comm = optarg;
			break;
		case OPT_UID:
			if (!*optarg)
				return errf(err, errlen, "invalid user '' (a name or a uid)");
			o->user = NULL;
			o->has_uid = false;
			if (!parse_u32(optarg, &o->uid))
				o->has_uid = true;
			else
				o->user = optarg;
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				o->color = CLI_COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				o->color = CLI_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				o->color = CLI_COLOR_NEVER;
			else
				return errf(err, errlen, "invalid color '%s' (auto, always or never)",
					    optarg);
			break;
		case OPT_METRICS:
			o->metrics_addr = optarg;
			break;
		case OPT_EVENTS:
			if (!strcmp(optarg, "all"))
				o->events = CLI_EVENTS_ALL;
			else if (!strcmp(optarg, "failed"))
				o->events = CLI_EVENTS_FAILED;
			else if (!strcmp(optarg, "none"))
				o->events = CLI_EVENTS_NONE;
			else
				return errf(err, errlen, "invalid events '%s' (all, failed or none)",
					    optarg);
			break;
		case OPT_SUMMARIES:
			if (parse_summaries(optarg, &o->summaries))
				return errf(err, errlen, SUMMARIES_ERR, optarg);
			break;
		case OPT_METRICS_FILE:
			o->metrics_file = optarg;
			break;
		case OPT_FOLDED:
			o->folded = optarg;
			break;
		case OPT_EXIT_WITH_COMMAND:
			o->exit_with_command = true;
			break;
		case OPT_CGROUP:
			o->cgroup = optarg;
			break;
		case OPT_CONTAINER:
			if (!optarg[0])
				return errf(err, errlen, "invalid container '' (a name, an id prefix, a pod or host)");
			o->container = optarg;
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &o->max_size) || !o->max_size)
				return errf(err, errlen, "invalid size '%s'", optarg);
			break;
		case OPT_ALL_MMAPS:
			o->all_mmaps = true;
			break;
		case OPT_WRITES:
			o->writes = true;
			break;
		case OPT_CHECK_STATE:
			o->check_state = true;
			break;
		case OPT_RINGBUF_SIZE:
			if (parse_size(optarg, &o->ringbuf_size) || o->ringbuf_size < RINGBUF_MIN ||
			    o->ringbuf_size > RINGBUF_MAX ||
			    (o->ringbuf_size & (o->ringbuf_size - 1)))
				return errf(err, errlen,
					    "invalid ring buffer size '%s' (a power of two, 4K to 1G)",
					    optarg);
			break;
		case OPT_STATE_MAX:
			if (parse_state_max(optarg, &o->state_max))
				return errf(err, errlen, STATE_MAX_ERR, optarg);
			break;
		case OPT_STATS_INTERVAL:
			if (parse_seconds(optarg, &o->stats_interval))
				return errf(err, errlen, "invalid stats interval '%s'", optarg);
			break;
		case OPT_ROTATE_SIZE:
			if (parse_size(optarg, &o->rotate_size) || o->rotate_size < ROTATE_SIZE_MIN)
				return errf(err, errlen, "invalid rotate size '%s' (at least 4K)", optarg);
			break;
		case OPT_NO_STACKS:
			o->no_stacks = true;
			break;
		case OPT_STACK_DEPTH:
			if (parse_u32(optarg, &v) || v < 1 || v > SW_MAX_FRAMES)
				return errf(err, errlen, "invalid stack depth '%s' (1 to %d)", optarg,
					    SW_MAX_FRAMES);
			o->stack_depth = (int)v;
			break;
		case OPT_LEAK_WINDOW:
			if (parse_seconds(optarg, &o->leak_window))
				return errf(err, errlen, "invalid leak window '%s' (seconds > 0)", optarg);
			break;
		case OPT_LEAK_COUNT:
			if (parse_u32(optarg, &o->leak_count) || !o->leak_count)
				return errf(err, errlen, "invalid leak count '%s' (a number > 0)", optarg);
			break;
		case OPT_ROTATE_KEEP:
			if (parse_u32(optarg, &v) || v > ROTATE_KEEP_MAX)
				return errf(err, errlen, "invalid rotate count '%s'", optarg);
			o->rotate_keep = (int)v;
			break;
		default:
			return bad_option(argv, opt, err, errlen);
		}
	}
	if (optind < argc)
		o->command = argv + optind;
	if (o->command && o->n_pids)
		return errf(err, errlen, "use either -p or a COMMAND, not both");
	o->mode = o->command ? CLI_MODE_COMMAND : o->n_pids ? CLI_MODE_PIDS : CLI_MODE_SYSTEM;
	if (o->rotate_size && (!o->output || !strcmp(o->output, "-")))
		return errf(err, errlen, "--rotate-size needs -o FILE");
	if (o->exit_with_command && !o->command)
		return errf(err, errlen, "--exit-with-command needs a COMMAND");
	if (o->folded && (!*o->folded || !strcmp(o->folded, "-")))
		return errf(err, errlen, "--folded needs a FILE (not standard output)");
	if (o->folded && ((o->output && !strcmp(o->folded, o->output)) ||
			  (o->metrics_file && !strcmp(o->folded, o->metrics_file))))
		return errf(err, errlen, "--folded names the same file as another output");
	return 0;
}

int cli_parse_top(struct cli_trace *o, int argc, char **argv, char *err, size_t errlen)
{
	int ret;

	o->stats_interval = CLI_TOP_STATS_INTERVAL;
	ret = cli_parse_trace(o, argc, argv, err, errlen);
	if (ret || o->help || o->version)
		return ret;
	o->top = true;
	if (o->output && !strcmp(o->output, "-"))
		return errf(err, errlen, "top draws on standard output: -o - is not for it (-o FILE is)");
	if (o->format == CLI_FORMAT_JSON)
		return errf(err, errlen, "top draws on standard output: --format json is not for it");
	return 0;
}

int cli_parse_analyze(struct cli_analyze *o, int argc, char **argv, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "state-max", required_argument, NULL, OPT_STATE_MAX },
		{ "summaries", required_argument, NULL, OPT_SUMMARIES },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->state_max = SW_DEFAULT_STATE_MAX;
	optind = 0;
	opterr = 0;
	/* No '+': options may follow the logs, as with GNU tools; getopt
	 * moves the logs to the end of argv. */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (parse_format(optarg, &o->format))
				return errf(err, errlen, "invalid format '%s' (text or json)", optarg);
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_STATE_MAX:
			if (parse_state_max(optarg, &o->state_max))
				return errf(err, errlen, STATE_MAX_ERR, optarg);
			break;
		case OPT_SUMMARIES:
			if (parse_summaries(optarg, &o->summaries))
				return errf(err, errlen, SUMMARIES_ERR, optarg);
			break;
		case OPT_FOLDED:
			o->folded = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return bad_option(argv, opt, err, errlen);
		}
	}
	if (o->folded && (!*o->folded || !strcmp(o->folded, "-")))
		return errf(err, errlen, "--folded needs a FILE (not standard output)");
	if (optind >= argc)
		return errf(err, errlen, "analyze needs at least one LOG (or '-')");
	o->logs = argv + optind;
	o->n_logs = argc - optind;
	return 0;
}

int cli_parse_report(struct cli_report *o, int argc, char **argv, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "state-max", required_argument, NULL, OPT_STATE_MAX },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->state_max = SW_DEFAULT_STATE_MAX;
	optind = 0;
	opterr = 0;
	/* Options may follow the logs, as with analyze. */
	while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!optarg[0])
				return errf(err, errlen, "-o needs a FILE");
			o->output = optarg;
			break;
		case OPT_TITLE:
			o->title = optarg;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_STATE_MAX:
			if (parse_state_max(optarg, &o->state_max))
				return errf(err, errlen, STATE_MAX_ERR, optarg);
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return bad_option(argv, opt, err, errlen);
		}
	}
	if (optind >= argc)
		return errf(err, errlen, "report needs at least one LOG (or '-')");
	o->logs = argv + optind;
	o->n_logs = argc - optind;
	return 0;
}

int cli_parse_ls(struct cli_ls *o, int argc, char **argv, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "orphaned", no_argument, NULL, OPT_ORPHANED },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, ret;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:o:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			ret = parse_pids(o->pids, &o->n_pids, optarg, err, errlen);
			if (ret)
				return ret;
			break;
		case OPT_ORPHANED:
			o->orphaned = true;
			break;
		case OPT_CONTAINER:
			if (!*optarg)
				return errf(err, errlen, "invalid container '' (a name, an id prefix, a pod or host)");
			o->container = optarg;
			break;
		case OPT_FORMAT:
			if (parse_format(optarg, &o->format))
				return errf(err, errlen, "invalid format '%s' (text or json)", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return bad_option(argv, opt, err, errlen);
		}
	}
	if (optind < argc)
		return errf(err, errlen, "ls takes no operand ('%s')", argv[optind]);
	return 0;
}
