// SPDX-License-Identifier: GPL-2.0
/*
 * rules_ids.c - the rules about a SysV id or key that no longer means, or
 * never meant, the segment its caller wanted: removed-while-in-use and
 * ipc-namespace-mismatch.  Both explain a call the kernel refused because
 * the segment is not there (shmat or shmctl on the id: EINVAL, EIDRM;
 * shmget on the key without IPC_CREAT: ENOENT), which failed-then-used
 * would otherwise report as a bad id; it leaves such a call to them
 * (ids_own), so one refusal gives one finding.
 *
 * removed-while-in-use: the segment was removed with IPC_RMID (the model
 * remembers the latest removals, struct removal) by a process that
 * neither created it nor had it attached: someone else's cleanup, such as
 * ipcrm in a script or systemd-logind's RemoveIPC at a user's last
 * logout.  A segment removed by its own creator or by a process that used
 * it is the program's own business, and failed-then-used says when it
 * was removed.  The same for a tmpfs object unlinked by a process that
 * neither created nor mapped it (Python's resource tracker of another
 * program, a cleanup job) and then opened by name (shm_open's openat
 * failing with ENOENT) in the same mount namespace.
 *
 * ipc-namespace-mismatch: SysV ids are numbers within one IPC namespace
 * (a new namespace numbers its segments from 0 again).  An id that the
 * caller's namespace never had, while a live segment of that number is
 * known in another namespace, came from there: an X client in a container
 * that sends its MIT-SHM segment's id to the host's X server, which then
 * fails to attach it (BadAccess for the client).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "analyzer/objects.h"
#include "kabi.h"
#include "lib/names.h"

/* The id a refused call named, or the key of a refused lookup. */
struct refusal {
	bool by_key; /* shmget ENOENT: key, else an id */
	__s32 v;
};

/* Is e a call the kernel refused because no segment has its id (or key)
 * in the caller's namespace?  Fills what it named. */
static bool refused_as_absent(const struct sw_event *e, struct refusal *r)
{
	__s64 ret = e->c.ret;

	switch (e->call) {
	case SW_SHMGET:
		/* Without IPC_CREAT a missing key is ENOENT; IPC_PRIVATE
		 * always creates. */
		if (ret != -ENOENT || (__s32)e->c.args[0] == K_IPC_PRIVATE)
			return false;
		*r = (struct refusal){ .by_key = true, .v = (__s32)e->c.args[0] };
		return true;
	case SW_SHMAT:
		if (ret == -EINVAL && !ftu_shmat_einval_is_id(e))
			return false;
		break;
	case SW_SHMCTL:
		if (!ftu_shmctl_takes_id(e->c.args[1]))
			return false;
		break;
	default:
		return false;
	}
	if ((ret != -EINVAL && ret != -EIDRM) || (__s32)e->c.args[0] < 0)
		return false;
	*r = (struct refusal){ .by_key = false, .v = (__s32)e->c.args[0] };
	return true;
}

/* The segment the refused call wanted was removed, and that removal is
 * remembered: it, else NULL.  A segment still alive in the model was not
 * what the kernel refused (the model missed something). */
static const struct removal *removal_behind(struct analyzer *a, const struct sw_event *e,
					    const struct refusal *r)
{
	__u32 ns = e->ipc_ns;

	if (r->by_key)
		return model_seg_key_alive(a, ns, r->v) ? NULL : model_removal_of_key(a, ns, r->v);
	return model_seg(a, ns, r->v) ? NULL : model_removal_of_id(a, ns, r->v);
}

/* A live segment of this id in another namespace than ipc_ns, when the
 * id means nothing in ipc_ns: not alive there and not remembered as
 * removed there.  The newest such segment, or NULL. */
static const struct segment *foreign_segment(struct analyzer *a, __u32 ipc_ns, __s32 id)
{
	const struct segment *best = NULL;
	struct hmap_iter it;
	struct hnode *n;

	if (model_seg(a, ipc_ns, id) || model_removal_of_id(a, ipc_ns, id))
		return NULL;
	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		const struct segment *s = hmap_entry(n, struct segment, node);

		if (s->destroyed || s->shmid != id || s->ipc_ns == ipc_ns)
			continue;
		if (!best || s->create_seq > best->create_seq)
			best = s;
	}
	return best;
}

bool ids_own(struct analyzer *a, const struct sw_event *e)
{
	const struct removal *rm;
	struct refusal r;

	if (!refused_as_absent(e, &r))
		return false;
	rm = removal_behind(a, e, &r);
	if (rm)
		return rm->outsider && rm->remover_pid != e->pid;
	return !r.by_key && foreign_segment(a, e->ipc_ns, r.v);
}

/* "shmat(32768)", "shmctl(32768, IPC_STAT)", "shmget(0x5d0a1b2c)" */
static void describe_refused(char *buf, size_t len, const struct sw_event *e)
{
	char cmd[32];

	if (e->call == SW_SHMGET) {
		snprintf(buf, len, "shmget(0x%x)", (unsigned int)e->c.args[0]);
	} else if (e->call == SW_SHMCTL) {
		sw_format_flags(cmd, sizeof(cmd), SW_ARG_SHMCTL_CMD, e->c.args[1]);
		snprintf(buf, len, "shmctl(%d, %s)", (__s32)e->c.args[0], cmd);
	} else {
		snprintf(buf, len, "shmat(%d)", (__s32)e->c.args[0]);
	}
}

/* "pid 4242 ipcrm, uid 1000, ipcrm -M 0x5d0a1b2c" */
static void describe_remover(char *buf, size_t len, const struct removal *rm)
{
	int n = snprintf(buf, len, "pid %u %s, uid %u", rm->remover_pid, rm->remover_comm,
			 rm->remover_uid);

	if (rm->remover_cmd[0] && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %s", rm->remover_cmd);
}

/* "segment 32768 (key 0x5d0a1b2c, 64 KiB, made by pid 4200 app)" */
static void describe_removed(char *buf, size_t len, const struct removal *rm)
{
	char key[24] = "IPC_PRIVATE", sz[32] = "size unknown", by[48] = "creator unknown";

	if (rm->key)
		snprintf(key, sizeof(key), "key 0x%08x", (__u32)rm->key);
	if (rm->size)
		finding_size(sz, sizeof(sz), rm->size);
	if (rm->creator_pid)
		snprintf(by, sizeof(by), "made by pid %u %s", rm->creator_pid, rm->creator_comm);
	snprintf(buf, len, "segment %d (%s, %s, %s)", rm->shmid, key, sz, by);
}

/* "/dev/shm/psm_1f2e (1.0 MiB, made by pid 4200 python3)" */
static void describe_unlinked(char *buf, size_t len, const struct removal *rm)
{
	char sz[32] = "size unknown", by[48] = "creator unknown";

	if (rm->size)
		finding_size(sz, sizeof(sz), rm->size);
	if (rm->creator_pid)
		snprintf(by, sizeof(by), "made by pid %u %s", rm->creator_pid, rm->creator_comm);
	else if (rm->seeded)
		snprintf(by, sizeof(by), "there before the trace");
	snprintf(buf, len, "%s (%s, %s)", rm->path, sz, by);
}

static void removed_report(struct analyzer *a, struct proc *p, const struct sw_event *e,
			   const struct removal *rm)
{
	char call[48 + SW_NAME_LEN], what[128 + SW_NAME_LEN], who[64 + SW_CMDLINE_LEN];
	struct sw_finding f;

	if (!finding_first_time(a, p, SW_RULE_REMOVED_WHILE_IN_USE, SW_CALL_NONE, rm->seq))
		return;
	finding_from_event(&f, SW_RULE_REMOVED_WHILE_IN_USE, e);
	finding_evidence(&f, rm->seq);
	finding_evidence(&f, e->seq);
	/* The fix is the remover's: a known one (logind, ipcrm, a resource
	 * tracker) has its own. */
	finding_known_process(&f, rm->remover_comm, rm->remover_cmd);
	describe_remover(who, sizeof(who), rm);
	if (rm->object) {
		snprintf(call, sizeof(call), "openat(%s)", e->c.name);
		describe_unlinked(what, sizeof(what), rm);
		if (rm->seeded) {
			finding_publish(a, p, &f, a->lost_total,
				"%s failed with %s: %s was unlinked at seq %llu by %s, which did not map it while pid %u %s did",
				call, finding_err(e->c.ret), what, (unsigned long long)rm->seq, who,
				rm->holder_pid, rm->holder_comm);
			return;
		}
		finding_publish(a, p, &f, a->lost_total,
			"%s failed with %s: %s was unlinked at seq %llu by %s, which neither created nor mapped it",
			call, finding_err(e->c.ret), what, (unsigned long long)rm->seq, who);
		return;
	}
	describe_refused(call, sizeof(call), e);
	describe_removed(what, sizeof(what), rm);
	finding_publish(a, p, &f, a->lost_total,
		"%s failed with %s: %s was removed with IPC_RMID at seq %llu by %s, which neither created nor attached it",
		call, finding_err(e->c.ret), what, (unsigned long long)rm->seq, who);
}

/* An open of a /dev/shm path that failed because the name is gone, and
 * the unlink of that path in the caller's mount namespace (each
 * container has its own /dev/shm) that explains it, else NULL.  A name
 * the model still knows as linked was not what the kernel refused. */
static const struct removal *unlink_behind(struct analyzer *a, const struct sw_event *e)
{
	if (e->call != SW_OPENAT || e->c.ret != -ENOENT || e->c.name_cut || !e->c.mnt_ns)
		return NULL;
	if (model_obj_seen_at(a, e->c.name, e->c.mnt_ns))
		return NULL;
	return model_removal_of_path(a, e->c.mnt_ns, e->c.name);
}

/* "the initial IPC namespace", "IPC namespace ipc:[4026532451]" */
static void describe_ns(char *buf, size_t len, __u32 ipc_ns)
{
	if (ipc_ns)
		snprintf(buf, len, "IPC namespace ipc:[%u]", ipc_ns);
	else
		snprintf(buf, len, "the initial IPC namespace");
}

static void foreign_report(struct analyzer *a, struct proc *p, const struct sw_event *e,
			   const struct segment *s)
{
	char call[48], mine[48], theirs[48], sz[32], by[48] = "";
	struct sw_finding f;

	if (!finding_first_time(a, p, SW_RULE_IPC_NAMESPACE_MISMATCH, e->call, (__u32)s->shmid))
		return;
	finding_from_event(&f, SW_RULE_IPC_NAMESPACE_MISMATCH, e);
	finding_evidence(&f, s->create_seq);
	finding_evidence(&f, e->seq);
	finding_stack_held(&f.origin, s->stack);
	describe_refused(call, sizeof(call), e);
	describe_ns(mine, sizeof(mine), e->ipc_ns);
	describe_ns(theirs, sizeof(theirs), s->ipc_ns);
	finding_size(sz, sizeof(sz), s->size);
	if (s->creator_known)
		snprintf(by, sizeof(by), ", made by pid %u %s", s->creator_pid, s->creator_comm);
	finding_publish(a, p, &f, a->lost_total,
		"%s failed with %s in %s: no segment %d there, but segment %d (%s%s) lives in %s; a SysV id means something only in the namespace that made it",
		call, finding_err(e->c.ret), mine, s->shmid, s->shmid, sz, by, theirs);
}

void removed_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct removal *rm;
	struct refusal r;

	if (!p)
		return;
	if (e->call == SW_OPENAT)
		rm = unlink_behind(a, e);
	else if (refused_as_absent(e, &r))
		rm = removal_behind(a, e, &r);
	else
		return;
	if (rm && rm->outsider && rm->remover_pid != e->pid)
		removed_report(a, p, e, rm);
}

void nsx_on_call(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	const struct segment *s;
	struct refusal r;

	if (!p || !refused_as_absent(e, &r) || r.by_key || removal_behind(a, e, &r))
		return;
	s = foreign_segment(a, e->ipc_ns, r.v);
	if (s)
		foreign_report(a, p, e, s);
}

const struct removal *ids_removal_of(struct analyzer *a, const struct sw_event *e)
{
	struct refusal r;

	return refused_as_absent(e, &r) ? removal_behind(a, e, &r) : NULL;
}
