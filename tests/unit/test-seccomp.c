/* test-seccomp.c: the seccomp profile lint. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "audit/seccomp.h"

struct got {
	char text[4096];
	size_t n;
};

static void
collect(void *arg, const char *id, const char *evidence)
{
	struct got *g = arg;
	size_t len = strlen(g->text);

	snprintf(
	    g->text + len, sizeof(g->text) - len, "%s: %s\n", id, evidence);
	g->n++;
}

static struct got
lint(const char *profile)
{
	struct got g;
	size_t n;

	memset(&g, 0, sizeof(g));
	n = seccomp_lint(profile, strlen(profile), collect, &g);
	assert_int_equal(n, g.n);
	return g;
}

static void
has(const struct got *g, const char *line)
{
	if (strstr(g->text, line) == NULL)
		fail_msg("no \"%s\" in:\n%s", line, g->text);
}

static void
test_deny_list(void **state)
{
	struct got g;

	(void)state;
	g = lint("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		 "{\"names\": [\"mount\", \"ptrace\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\"}]}");
	has(&g, "seccomp.default-allow: defaultAction is SCMP_ACT_ALLOW");
	/* explicitly denied calls are fine; the rest of the list is not */
	assert_null(strstr(g.text, ": mount is"));
	assert_null(strstr(g.text, ": ptrace is"));
	has(&g, "seccomp.dangerous-syscall: kexec_load is not denied");
	has(&g, "seccomp.dangerous-syscall: bpf is not denied");
}

static void
test_allow_list(void **state)
{
	struct got g;

	(void)state;
	g = lint("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		 "{\"names\": [\"read\", \"write\", \"unshare\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\"},"
		 "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
		 "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		 "{\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\", "
		 "\"args\": [{\"index\": 0, \"value\": 1, \"op\": "
		 "\"SCMP_CMP_EQ\"}]},"
		 "{\"name\": \"ptrace\", \"action\": \"SCMP_ACT_LOG\"},"
		 "{\"names\": [\"frobnicate\", \"opne\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\"}]}");
	assert_null(strstr(g.text, "default-allow"));
	has(&g, "seccomp.dangerous-syscall: unshare is allowed by syscalls[0]");
	has(&g, "seccomp.dangerous-syscall: ptrace is allowed by syscalls[3]");
	/* conditional rules are not flagged */
	assert_null(strstr(g.text, ": mount is"));
	assert_null(strstr(g.text, ": bpf is"));
	has(&g,
	    "seccomp.unknown-syscall: 2 unknown names: \"frobnicate\", "
	    "\"opne\"");
	assert_int_equal(g.n, 3);
}

static void
test_clean(void **state)
{
	struct got g;

	(void)state;
	g = lint("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": "
		 "1, \"syscalls\": [{\"names\": [\"read\", \"write\", "
		 "\"exit_group\", \"_llseek\", \"clone3\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(g.n, 0);
}

static void
test_malformed(void **state)
{
	static const char *const bad[][2] = {
		{ "{", "seccomp.malformed: line 1" },
		{ "[]", "not an object" },
		{ "{}", "defaultAction is missing" },
		{ "{\"defaultAction\": \"ALLOW\"}", "not a seccomp action" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": 3}",
		    "syscalls is not a list" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [1]}",
		    "syscalls[0] is not an object" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		  "[{\"names\": [\"read\"]}]}",
		    "syscalls[0].action" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		  "[{\"names\": [1], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "names[0] is not a string" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		  "[{\"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "names no system call" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAction\": "
		  "\"SCMP_ACT_ALLOW\"}",
		    "duplicate" },
	};
	struct got g;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		g = lint(bad[i][0]);
		has(&g, bad[i][1]);
		has(&g, "seccomp.malformed");
	}
}

static void
test_known(void **state)
{
	size_t i;

	(void)state;
	assert_true(seccomp_syscall_known("read"));
	assert_true(seccomp_syscall_known("kexec_file_load"));
	assert_true(seccomp_syscall_known("arm_fadvise64_64"));
	assert_false(seccomp_syscall_known("readd"));
	assert_false(seccomp_syscall_known(""));
	/* the table must stay sorted for the binary search */
	for (i = 1; i < seccomp_nsyscall; i++)
		assert_true(strcmp(seccomp_syscall_names[i - 1],
				seccomp_syscall_names[i]) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deny_list),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
