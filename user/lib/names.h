/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - turning numbers into the names people read: calls and their
 * argument layout, flags, commands, errno, signals, backings and sizes.
 * One table per thing, shared by the text view, the JSON writer and the
 * log reader so the three cannot drift apart.
 */
#ifndef SHMWATCH_NAMES_H
#define SHMWATCH_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

/* How an argument is shown. */
enum sw_arg_type {
	SW_ARG_INT,	  /* C int: signed decimal of the low 32 bits */
	SW_ARG_ULONG,	  /* unsigned decimal */
	SW_ARG_ADDR,	  /* user address, hex */
	SW_ARG_SIZE,	  /* byte count: human-readable in text */
	SW_ARG_KEY,	  /* IPC key: IPC_PRIVATE or hex */
	SW_ARG_FD,	  /* file descriptor, signed */
	SW_ARG_STR,	  /* user string, copied into c.name */
	SW_ARG_SHMGET_FLAGS,
	SW_ARG_SHMAT_FLAGS,
	SW_ARG_SHMCTL_CMD, /* an enumeration, not flags */
	SW_ARG_PROT,
	SW_ARG_MMAP_FLAGS,
	SW_ARG_MREMAP_FLAGS,
	SW_ARG_MEMFD_FLAGS,
	SW_ARG_AT_FLAGS,
	SW_ARG_FALLOC_MODE,
	SW_ARG_MADV_ADVICE, /* an enumeration, not flags */
	SW_ARG_OPEN_FLAGS,  /* the access mode, then the flags */
};

struct sw_arg_desc {
	const char *name;
	enum sw_arg_type type;
};

struct sw_call_desc {
	const char *name;
	int nargs;
	struct sw_arg_desc args[6];
	bool ret_addr; /* success returns an address (shown in hex) */
};

extern const struct sw_call_desc sw_calls[SW_CALL_MAX];

const char *sw_call_name(__u32 call);
/* enum sw_call for a name, or SW_CALL_NONE. */
__u32 sw_call_by_name(const char *name);
/* "fork", "exec", "exit", "signal", or the call's name for SW_EV_CALL. */
const char *sw_event_name(const struct sw_event *e);
/* enum sw_kind for a lifecycle name ("fork"...), or 0. */
__u32 sw_kind_by_name(const char *name);

/* Does a record of this call describe a file object (the object
 * fields of struct sw_call_info)? */
bool sw_call_has_object(__u32 call);
/* An exec's arguments one by one: the argument at *pos (its length in
 * *len, without the NUL), moving *pos past it; NULL after the last. */
const char *sw_argv_next(const struct sw_exec_info *x, __u32 *pos, size_t *len);

const char *sw_backing_name(__u32 backing);
__u32 sw_backing_by_name(const char *name);

/* True for a flag-like type whose value is shown as names. */
bool sw_arg_is_flags(enum sw_arg_type type);
/*
 * Names of the bits (or, for an enumeration, the one name) set in value:
 * calls fn once per name, including "0600"-style modes and "0x..." for
 * leftover unknown bits.  Returns the number of names.
 */
int sw_flag_names(enum sw_arg_type type, __u64 value,
		  void (*fn)(void *ctx, const char *name), void *ctx);
/* The same joined with '|', e.g. "IPC_CREAT|IPC_EXCL|0600"; "0" if none. */
size_t sw_format_flags(char *buf, size_t len, enum sw_arg_type type, __u64 value);

/* Is ret a failure (-4095..-1)?  Then -ret is the errno. */
static inline bool sw_ret_is_err(__s64 ret)
{
	return ret < 0 && ret >= -4095;
}
/* "ENOMEM"; "E<number>" for one glibc does not name. */
const char *sw_errno_name(int err);
/* errno for a name, or 0. */
int sw_errno_by_name(const char *name);

const char *sw_signal_name(int signo);
/* "SEGV_MAPERR", "BUS_ADRERR", ...; NULL if unknown. */
const char *sw_sigcode_name(int signo, int code);

/*
 * Text that a traced process (or a log, or a command line) controls, made
 * safe for a terminal: printable ASCII as is, backslash and double quote
 * escaped, every other byte as \xHH.  Reads at most max bytes of s (stops
 * at NUL) and writes a terminated string of at most len - 1 bytes, never
 * cutting an escape in half.  Returns the bytes written.  The one escaping
 * rule of every text shmwatch prints.
 */
size_t text_escape(char *buf, size_t len, const char *s, size_t max);
/* text_escape of a whole string, for a message: returns buf. */
static inline const char *text_escaped(char *buf, size_t len, const char *s)
{
	text_escape(buf, len, s, (size_t)-1);
	return buf;
}

/* "4.0 KiB", "1.5 GiB", "17 B". */
void human_size(char *buf, size_t len, __u64 bytes);
/* Parse "256M", "1G", "4096", "1.5GiB"; 0 or -EINVAL. */
int parse_size(const char *s, __u64 *out);

#endif
