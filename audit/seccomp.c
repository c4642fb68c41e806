/* seccomp.c: seccomp profile lint (see seccomp.h). */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "audit/seccomp.h"

/* Calls Docker's default profile refuses unless a capability allows them. */
static const char *const dangerous[] = { "acct", "add_key", "bpf",
	"clock_settime", "create_module", "delete_module", "finit_module",
	"fsconfig", "fsmount", "fsopen", "fspick", "init_module", "ioperm",
	"iopl", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
	"mount", "mount_setattr", "move_mount", "name_to_handle_at",
	"nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
	"pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
	"quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff",
	"swapon", "syslog", "umount", "umount2", "unshare", "uselib",
	"userfaultfd", "vhangup" };

static const char *const actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
	"SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY" };

#define MAX_UNKNOWN_SHOWN 10

int
seccomp_syscall_known(const char *name)
{
	size_t lo = 0, hi = seccomp_nsyscall, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, seccomp_syscall_names[mid]);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int
known_action(const char *a)
{
	size_t i;

	for (i = 0; i < nitems(actions); i++)
		if (strcmp(a, actions[i]) == 0)
			return 1;
	return 0;
}

/* ALLOW and LOG both let the call through. */
static int
action_allows(const char *a)
{
	return strcmp(a, "SCMP_ACT_ALLOW") == 0 ||
	    strcmp(a, "SCMP_ACT_LOG") == 0;
}

struct lint {
	seccomp_emit_fn emit;
	void *arg;
	size_t n;
	/* per dangerous call: 1 allowed unconditionally, 2 denied */
	unsigned char state[nitems(dangerous)];
	char rule_of[nitems(dangerous)][32];
	struct buf unknown;
	size_t nunknown;
};

static void emitf(struct lint *l, const char *id, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
emitf(struct lint *l, const char *id, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	l->emit(l->arg, id, tmp);
	l->n++;
}

static long
dangerous_index(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(dangerous); i++)
		if (strcmp(name, dangerous[i]) == 0)
			return (long)i;
	return -1;
}

/* A rule applies only under a condition: argument filters or caps. */
static int
conditional(json_t *rule)
{
	json_t *args = json_object_get(rule, "args");
	json_t *inc = json_object_get(rule, "includes");
	json_t *caps =
	    json_is_object(inc) ? json_object_get(inc, "caps") : NULL;

	return (json_is_array(args) && json_array_size(args) > 0) ||
	    (json_is_array(caps) && json_array_size(caps) > 0);
}

/* One name of a rule: unknown names and dangerous calls. */
static void
rule_name(
    struct lint *l, const char *name, const char *action, int cond, size_t idx)
{
	long d;

	if (!seccomp_syscall_known(name)) {
		if (l->nunknown++ < MAX_UNKNOWN_SHOWN)
			buf_printf(&l->unknown, "%s\"%.64s\"",
			    l->unknown.len ? ", " : "", name);
		return;
	}
	if ((d = dangerous_index(name)) < 0 || cond)
		return;
	if (action_allows(action)) {
		if (l->state[d] == 0) {
			l->state[d] = 1;
			snprintf(l->rule_of[d], sizeof(l->rule_of[d]),
			    "syscalls[%zu]", idx);
		}
	} else if (l->state[d] == 0)
		l->state[d] = 2;
}

static int
lint_rule(struct lint *l, json_t *rule, size_t idx)
{
	json_t *names, *name, *action, *v;
	const char *act;
	size_t i;
	int cond;

	if (!json_is_object(rule)) {
		emitf(l, "seccomp.malformed", "syscalls[%zu] is not an object",
		    idx);
		return -1;
	}
	action = json_object_get(rule, "action");
	if (!json_is_string(action) ||
	    !known_action(act = json_string_value(action))) {
		emitf(l, "seccomp.malformed",
		    "syscalls[%zu].action is missing or not a seccomp action",
		    idx);
		return -1;
	}
	names = json_object_get(rule, "names");
	name = json_object_get(rule, "name");
	if (names != NULL && !json_is_array(names)) {
		emitf(l, "seccomp.malformed",
		    "syscalls[%zu].names is not a list", idx);
		return -1;
	}
	if (name != NULL && !json_is_string(name)) {
		emitf(l, "seccomp.malformed",
		    "syscalls[%zu].name is not a string", idx);
		return -1;
	}
	if (names == NULL && name == NULL) {
		emitf(l, "seccomp.malformed",
		    "syscalls[%zu] names no system call", idx);
		return -1;
	}
	cond = conditional(rule);
	if (name != NULL)
		rule_name(l, json_string_value(name), act, cond, idx);
	json_array_foreach(names, i, v)
	{
		if (!json_is_string(v)) {
			emitf(l, "seccomp.malformed",
			    "syscalls[%zu].names[%zu] is not a string", idx, i);
			return -1;
		}
		rule_name(l, json_string_value(v), act, cond, idx);
	}
	return 0;
}

size_t
seccomp_lint(const char *data, size_t len, seccomp_emit_fn emit, void *arg)
{
	json_t *root = NULL, *def, *calls, *rule;
	const char *defact;
	json_error_t je;
	struct lint l;
	size_t i;
	int deny_list;

	memset(&l, 0, sizeof(l));
	l.emit = emit;
	l.arg = arg;
	buf_init(&l.unknown, 4096);
	if (len > SECCOMP_MAX_SIZE) {
		emitf(&l, "seccomp.malformed", "profile is over %zu bytes",
		    SECCOMP_MAX_SIZE);
		goto out;
	}
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		emitf(&l, "seccomp.malformed", "line %d column %d: %s", je.line,
		    je.column, je.text);
		goto out;
	}
	if (!json_is_object(root)) {
		emitf(&l, "seccomp.malformed", "the profile is not an object");
		goto out;
	}
	def = json_object_get(root, "defaultAction");
	if (!json_is_string(def) ||
	    !known_action(defact = json_string_value(def))) {
		emitf(&l, "seccomp.malformed",
		    "defaultAction is missing or not a seccomp action");
		goto out;
	}
	deny_list = action_allows(defact);
	if (deny_list)
		emitf(&l, "seccomp.default-allow",
		    "defaultAction is %s: every call not listed is allowed",
		    defact);
	calls = json_object_get(root, "syscalls");
	if (calls != NULL && !json_is_array(calls) && !json_is_null(calls)) {
		emitf(&l, "seccomp.malformed", "syscalls is not a list");
		goto out;
	}
	json_array_foreach(
	    calls, i, rule) if (lint_rule(&l, rule, i) != 0) goto out;
	for (i = 0; i < nitems(dangerous); i++) {
		if (l.state[i] == 1)
			emitf(&l, "seccomp.dangerous-syscall",
			    "%s is allowed by %s", dangerous[i], l.rule_of[i]);
		else if (l.state[i] == 0 && deny_list)
			emitf(&l, "seccomp.dangerous-syscall",
			    "%s is not denied and %s allows it", dangerous[i],
			    defact);
	}
	if (l.nunknown > 0)
		emitf(&l, "seccomp.unknown-syscall", "%zu unknown name%s: %s%s",
		    l.nunknown, l.nunknown == 1 ? "" : "s", l.unknown.data,
		    l.nunknown > MAX_UNKNOWN_SHOWN ? ", ..." : "");
out:
	json_decref(root);
	buf_release(&l.unknown);
	return l.n;
}
