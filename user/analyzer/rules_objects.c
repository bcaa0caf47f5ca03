// SPDX-License-Identifier: GPL-2.0
/*
 * rules_objects.c - the rules about shm objects and their mounts:
 * shm-object-leak (a tmpfs file nobody unlinked or maps once no process
 * that could reach it is left) and sigbus-explained (why a fault on a mapped object
 * raised SIGBUS: past its end, truncated, a full mount, no huge page).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "analyzer/objects.h"
#include "analyzer/space.h"
#include "kabi.h"
#include "lib/names.h"

static const char *mount_label(struct analyzer *a, __u32 dev)
{
	struct mount *m = model_mount(a, dev);

	return m && m->has_label ? m->label : "its tmpfs";
}

/* The stack that says most about where an object came from: its
 * creation, unless that is a bare libc frame (shm_open has no frame
 * pointers) and its creator sized it from code that has them. */
static const struct ustack *obj_origin(const struct shmobj *o)
{
	if (o->resize_stack && o->resize_pid == o->creator_pid &&
	    (!o->stack || o->resize_stack->n > o->stack->n))
		return o->resize_stack;
	return o->stack;
}

/* What the object holds, as far as the events tell: pages once
 * allocated stay until a (traced) ftruncate or fallocate gives them
 * back, so the latest count is a lower bound; writes are not seen. */
static void objleak_holds(struct analyzer *a, const struct shmobj *o, char *buf, size_t len)
{
	char sz[32];

	if (!o->alloc) {
		snprintf(buf, len,
			 "its name stays in %s, with no page allocated at its latest traced call (later writes are not seen)",
			 mount_label(a, o->dev));
		return;
	}
	finding_size(sz, sizeof(sz), o->alloc);
	snprintf(buf, len, "it keeps at least %s of %s allocated", sz, mount_label(a, o->dev));
}

/*
 * Judged when nothing can reach the object any more: its creator gone,
 * nobody mapping it, and no process left that could unlink it by name
 * (see struct reach); until then it waits.  e is the event that let go
 * of the last of them, or the end of the trace.
 */
static void objleak_check(struct analyzer *a, struct shmobj *o, const struct sw_event *e)
{
	struct proc *p = model_proc(a, o->creator_pid);
	struct sw_finding f;
	char sz[32], holds[160];

	if (!o->creator_gone || o->leak_reported || o->forgotten || !model_obj_leak_candidate(o) ||
	    o->n_maps)
		return;
	if (model_reach_forgotten(a, &o->reach)) {
		model_obj_forget(a, o);
		model_obj_unwait(a, o);
		return;
	}
	if (model_reach_live(a, &o->reach))
		return;
	o->leak_reported = true;
	model_obj_unwait(a, o);
	/* Counted in the creator's summary only at its own exit. */
	if (p && (!p->exited || p->gen != o->reach.creator.gen))
		p = NULL;
	finding_init(&f, SW_RULE_SHM_OBJECT_LEAK, o->creator_pid, o->creator_tid,
		     o->creator_comm, e->ts_ns);
	finding_object(&f, o->path);
	finding_stack_held(&f.origin, obj_origin(o));
	/* Usually an exit, without a stack; an mremap or a MAP_FIXED over
	 * the last mapping has one. */
	finding_stack_event(&f.site, e);
	finding_evidence(&f, o->create_seq);
	finding_evidence(&f, o->resize_seq);
	finding_evidence(&f, o->first_map_seq);
	finding_evidence(&f, o->creator_exit_seq);
	finding_evidence(&f, e->seq);
	finding_size(sz, sizeof(sz), o->size);
	objleak_holds(a, o, holds, sizeof(holds));
	finding_publish(a, p, &f, o->lost_snap,
		"%s (%s, ino %llu) was never unlinked, and no process that could still unlink it is left: %s",
		o->path, sz, (unsigned long long)o->ino, holds);
}

/* After an exit or an unmapping, and at the end: objects waiting for
 * their last holder and reacher. */
void objleak_on_release(struct analyzer *a, const struct sw_event *e)
{
	struct list_node *pos, *tmp;

	/* objleak_check may take o off the list. */
	list_for_each_safe(pos, tmp, &a->objs_wait)
		objleak_check(a, list_entry(pos, struct shmobj, wnode), e);
}

/* What a SIGBUS hit, from the event (read at the fault) or else from
 * the model's mapping at the address. */
struct fault_view {
	__u32 backing;
	__u32 dev;
	__u64 ino;
	__u64 offset;
	__u64 obj_size;
	bool sizes_known;
	bool from_model; /* sizes from the traced calls, not read at the fault */
	const char *name;
	const struct mapping *range;
};

static bool fault_view(struct analyzer *a, struct proc *p, const struct sw_event *e,
		       struct fault_view *v)
{
	const struct sw_signal_info *s = &e->sig;
	const struct mapping *r = p->mm ? model_range_at(p->mm, s->addr) : NULL;
	const struct shmobj *o;

	if (s->backing != SW_BK_NONE) {
		*v = (struct fault_view){ .backing = s->backing, .dev = s->dev, .ino = s->ino,
					  .offset = s->offset, .obj_size = s->obj_size,
					  .sizes_known = true, .name = s->name, .range = r };
		return s->backing != SW_BK_ANON_PRIVATE && s->backing != SW_BK_FILE_PRIVATE;
	}
	if (!r)
		return false;
	/* The kernel could not read the mapping at the fault (its lock was
	 * busy): the model's mapping and object stand in, sized as the
	 * traced calls left it. */
	*v = (struct fault_view){ .backing = r->backing, .dev = r->dev, .ino = r->ino,
				  .name = "", .range = r };
	o = r->ino ? model_obj(a, r->dev, r->ino) : NULL;
	if (o && r->has_base) {
		v->offset = s->addr - r->base;
		v->obj_size = o->size;
		v->sizes_known = true;
		v->from_model = true;
	}
	return true;
}

/* Bytes in full with thousands separators: "33,497,088 B". */
static void exact_size(char *buf, size_t len, __u64 bytes)
{
	char digits[24];
	size_t n, at = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)bytes);
	n = strlen(digits);
	for (size_t i = 0; i < n && at + 3 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[at++] = ',';
		buf[at++] = digits[i];
	}
	snprintf(buf + at, len - at, " B");
}

/*
 * An offset and the size it is compared with.  Rounded alike, a fault a
 * few KiB before the end reads "offset 32 MiB is inside the object (32
 * MiB)": when the human forms are equal, or equal as a page past the
 * end would make them, both are written in exact bytes so that the
 * comparison the message makes can be checked.
 */
static void offset_and_size(char *off, char *size, size_t len, __u64 offset, __u64 obj_size)
{
	finding_size(off, len, offset);
	finding_size(size, len, obj_size);
	if (strcmp(off, size))
		return;
	exact_size(off, len, offset);
	exact_size(size, len, obj_size);
}

/* A part of a message built piece by piece in buf[len]: a piece that does
 * not fit is cut, and what comes after it is left out. */
struct msgbuf {
	char *buf;
	size_t len;
	size_t at;
};

static void __attribute__((format(printf, 2, 3))) msg_add(struct msgbuf *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->at + 1 >= m->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->at, m->len - m->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->at = m->at + (size_t)n < m->len ? m->at + (size_t)n : m->len - 1;
}

/* " (mapped by pid 12, 14; created by pid 12 (writer), gone)": who holds
 * a mount's big file now, then who made it; "deleted, still held; "
 * first for a file with no name left. */
static void holders_desc(struct analyzer *a, __u32 dev, __u64 ino, const struct shmobj *o,
			 bool deleted, struct msgbuf *m)
{
	__u32 pids[3];
	unsigned int n = model_mappers(a, dev, ino, pids, 3);

	msg_add(m, " (%s", deleted ? "deleted, still held; " : "");
	if (!n)
		msg_add(m, "mapped by no traced process");
	for (unsigned int i = 0; i < n && i < 3; i++)
		msg_add(m, "%s %u", i ? "," : n > 1 ? "mapped by pids" : "mapped by pid", pids[i]);
	if (n > 3)
		msg_add(m, " and %u more", n - 3);
	if (o && o->created)
		msg_add(m, "; created by pid %u (%s)%s", o->creator_pid, o->creator_comm,
			o->creator_gone ? ", gone" : "");
	msg_add(m, ")");
}

/* "; biggest: /dev/shm/a 3.0 MiB (mapped by pid 12; created by pid 9
 * (prod), gone), ino 77 1.0 MiB (deleted, still held; ...)" from a list
 * the kernel read (nlink NULL: not read): the files that fill the mount,
 * and the processes that keep them mapped now, which are who can give
 * the space back; their creators come second.  It fits in buf[len]
 * whole files at a time: one that does not fit ends the list with
 * ", ...", so a message is never cut inside a file's description. */
static void top_list(struct analyzer *a, __u32 dev, const struct sw_holder *top,
		     const __u32 *nlink, char *buf, size_t len)
{
	struct msgbuf m = { buf, len, 0 };

	buf[0] = '\0';
	for (int i = 0; i < SW_TOP_HOLDERS && top[i].ino; i++) {
		const struct sw_holder *h = &top[i];
		struct shmobj *o = model_obj(a, dev, h->ino);
		char one[SW_MSG_LEN], sz[32];
		struct msgbuf e = { one, sizeof(one), 0 };

		one[0] = '\0';
		finding_size(sz, sizeof(sz), h->bytes);
		if (o)
			msg_add(&e, "%s%s %s", i ? ", " : "; biggest: ", o->path, sz);
		else
			msg_add(&e, "%sino %llu %s", i ? ", " : "; biggest: ",
				(unsigned long long)h->ino, sz);
		holders_desc(a, dev, h->ino, o, nlink && !nlink[i], &e);
		if (m.at + e.at + 1 > len || e.at + 1 >= sizeof(one)) {
			if (i && m.at + 6 <= len)
				msg_add(&m, ", ...");
			break;
		}
		msg_add(&m, "%s", one);
	}
}

/* What room a list of holders has after head in a finding's message. */
static size_t room_after(const char *head)
{
	size_t n = strlen(head);

	return n + 1 < SW_MSG_LEN ? SW_MSG_LEN - n : 1;
}

void sigbus_on_signal(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct sw_signal_info *s = &e->sig;
	struct fault_view v;
	struct shmobj *o;
	struct sw_finding f;
	char what[160], off[32], size[32], used[32], cap[32], top[SW_MSG_LEN];
	const char *name;

	if (s->signo != K_SIGBUS || s->code <= 0 || !fault_view(a, p, e, &v))
		return;
	if (!finding_first_time(a, p, SW_RULE_SIGBUS_EXPLAINED, 0,
			obj_key(v.dev, v.ino) ^ (s->addr >> 12) * 0xff51afd7ed558ccdULL))
		return;
	o = v.ino ? model_obj(a, v.dev, v.ino) : NULL;
	name = o ? o->path : v.name[0] ? v.name : sw_backing_name(v.backing);
	finding_from_event(&f, SW_RULE_SIGBUS_EXPLAINED, e);
	finding_object(&f, name);
	if (o) {
		finding_evidence(&f, o->create_seq);
		finding_evidence(&f, o->resize_seq);
	}
	if (v.range) {
		finding_evidence(&f, v.range->seq);
		finding_stack_held(&f.origin, v.range->stack);
	}
	finding_evidence(&f, e->seq);
	snprintf(what, sizeof(what), "SIGBUS at 0x%llx in %s (%s, ino %llu%s)",
		 (unsigned long long)s->addr, name, sw_backing_name(v.backing),
		 (unsigned long long)v.ino, v.from_model ? ", sizes as last traced" : "");
	if (!v.sizes_known) {
		finding_publish(a, p, &f, a->lost_total,
			"%s: the mapping could not be read at the fault; offset and size unknown", what);
		return;
	}
	offset_and_size(off, size, sizeof(off), v.offset, v.obj_size);
	if (v.offset >= SW_PAGE_ALIGN(v.obj_size)) {
		if (o && o->resize_seq && o->resize_from > v.obj_size) {
			bool while_mapped = !v.range || o->resize_seq > v.range->seq;
			char from[32];

			finding_size(from, sizeof(from), o->resize_from);
			finding_stack_held(&f.origin, o->resize_stack);
			finding_publish(a, p, &f, a->lost_total,
				"%s: offset %s is past the object's end (%s): pid %u (%s) truncated it from %s at seq %llu%s",
				what, off, size, o->resize_pid, o->resize_comm, from,
				(unsigned long long)o->resize_seq,
				while_mapped ? " while it was mapped" :
					       ", before this mapping was made beyond its end");
		} else {
			finding_publish(a, p, &f, a->lost_total,
				"%s: offset %s is past the object's end (%s): it was mapped beyond its size and never grown (ftruncate) to cover it",
				what, off, size);
		}
		return;
	}
	if (v.from_model) {
		finding_publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s as last traced); the mount's usage could not be read at the fault",
			what, off, size);
		return;
	}
	finding_size(used, sizeof(used), model_space_used(a, e));
	finding_size(cap, sizeof(cap), s->fs_size);
	if (model_space_nearly_full(a, s->fs_used, s->fs_size)) {
		char head[SW_MSG_LEN];

		snprintf(head, sizeof(head), "%s: offset %s is inside the object (%s) but %s was full, %s of %s used",
			 what, off, size, mount_label(a, v.dev), used, cap);
		top_list(a, v.dev, e->sig.top, NULL, top, room_after(head));
		finding_publish(a, p, &f, a->lost_total, "%s%s", head, top);
	} else if (v.backing == SW_BK_HUGETLB) {
		finding_publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s): no huge page was free to back it",
			what, off, size);
	} else {
		finding_publish(a, p, &f, a->lost_total,
			"%s: offset %s is inside the object (%s) and its mount had room (%s of %s used): not a size or space problem (an I/O or memory error?)",
			what, off, size, used, s->fs_size ? cap : "no limit");
	}
}

/* ---- shm-space-exhausted ------------------------------------------------ */

/* "fallocate of /dev/shm/x to 64 MiB": what the call asked for. */
static void space_request(const struct sw_event *e, const char *name, char *buf, size_t len)
{
	const struct sw_call_info *c = &e->c;
	char a1[32], a2[32];

	switch (e->call) {
	case SW_FTRUNCATE:
	case SW_FALLOCATE:
		finding_size(a1, sizeof(a1),
			     e->call == SW_FTRUNCATE ? c->args[1] : c->args[2] + c->args[3]);
		snprintf(buf, len, "%s of %s to %s", sw_call_name(e->call), name, a1);
		break;
	case SW_PWRITE64:
		finding_size(a1, sizeof(a1), c->args[2]);
		finding_size(a2, sizeof(a2), c->args[3]);
		snprintf(buf, len, "pwrite of %s at %s to %s", a1, a2, name);
		break;
	default:
		finding_size(a1, sizeof(a1), c->args[2]);
		snprintf(buf, len, "write of %s to %s", a1, name);
		break;
	}
}

/*
 * A call that a memory filesystem refused for want of space.  One finding
 * per object (a worker retrying a full mount is one problem), attributed
 * to the process that asked; the kernel's word (ENOSPC) is certain, so
 * it is never uncertain.
 */
void space_on_applied(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	char what[160], cap[32], used[32], freeb[32], wantb[32], top[SW_MSG_LEN];
	char head[SW_MSG_LEN];
	struct shmobj *o;
	struct sw_finding f;
	const char *name;
	__u64 want, room, fs_used;

	if (!p || c->ret != -K_ENOSPC || !c->ino)
		return;
	switch (e->call) {
	case SW_FTRUNCATE:
	case SW_FALLOCATE:
	case SW_WRITE:
	case SW_PWRITE64:
		break;
	default:
		return;
	}
	o = model_obj(a, c->dev, c->ino);
	if (o ? o->space_reported :
		!finding_first_time(a, p, SW_RULE_SHM_SPACE_EXHAUSTED, 0, obj_key(c->dev, c->ino)))
		return;
	if (o)
		o->space_reported = true;
	name = o && o->created ? o->path : c->name[0] ? c->name : "an unnamed file";
	finding_from_event(&f, SW_RULE_SHM_SPACE_EXHAUSTED, e);
	finding_object(&f, name);
	if (o) {
		finding_stack_held(&f.origin, obj_origin(o));
		finding_evidence(&f, o->create_seq);
	}
	finding_evidence(&f, e->seq);
	space_request(e, name, what, sizeof(what));
	want = model_space_wanted(e);
	if (!c->fs_size) {
		finding_publish(a, p, &f, a->lost_total,
			"%s failed with ENOSPC on a filesystem without a size limit: the memory it may use ran out (a memory cgroup limit?)",
			what);
		return;
	}
	fs_used = model_space_used(a, e);
	room = fs_used < c->fs_size ? c->fs_size - fs_used : 0;
	finding_size(cap, sizeof(cap), c->fs_size);
	finding_size(used, sizeof(used), fs_used);
	finding_size(freeb, sizeof(freeb), room);
	finding_size(wantb, sizeof(wantb), want);
	snprintf(head, sizeof(head), "%s failed with ENOSPC: %s (%s) had %s free, %s used%s%s", what,
		 mount_label(a, c->dev), cap, freeb, used, want ? ", and the call needed " : "",
		 want ? wantb : "");
	top_list(a, c->dev, e->space.top, e->space.nlink, top, room_after(head));
	finding_publish(a, p, &f, a->lost_total, "%s%s", head, top);
}
