/* test-service.c: the tunnel service's paths and run dir checks. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tunnel/service.h"

static char base[] = "/tmp/ctxmgr-unit-svc.XXXXXX";

static void
test_socket_path(void **state)
{
	struct sockaddr_un sa;
	struct cm_err err;
	char name[400], *p = NULL, longdir[200];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	err_init(&err);
	assert_int_equal(
	    svc_socket_path("/run/user/1000/ctxmgr/0123abcd", name, &p, &err),
	    0);
	assert_true(strlen(p) < sizeof(sa.sun_path));
	assert_string_equal(strrchr(p, '/') + 1 + 17, ".sock");
	assert_int_equal(strrchr(p, '/')[1], '_');
	free(p);
	/* stable: the same name gives the same path */
	assert_int_equal(svc_socket_path("/r", "prod", &p, &err), 0);
	{
		char *q = NULL;
		assert_int_equal(svc_socket_path("/r", "prod", &q, &err), 0);
		assert_string_equal(p, q);
		free(q);
	}
	free(p);
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(
	    svc_socket_path(longdir, "prod", &p, &err), ERR_TOOBIG);
	assert_null(p);
}

static void
test_run_dir_choice(void **state)
{
	char *x = xasprintf("%s/xdg", base), *d;

	(void)state;
	assert_int_equal(mkdir(x, 0755), 0);
	setenv("XDG_RUNTIME_DIR", x, 1);
	/* not private: not used */
	d = svc_run_dir(base);
	assert_true(strncmp(d, x, strlen(x)) != 0);
	free(d);
	assert_int_equal(chmod(x, 0700), 0);
	d = svc_run_dir(base);
	assert_true(strncmp(d, x, strlen(x)) == 0);
	free(d);
	free(x);
}

static void
test_run_dir_check(void **state)
{
	char *x = xasprintf("%s/xdg", base);
	char *rd = xasprintf("%s/ctxmgr/0123abcd", x);
	char *mid = xasprintf("%s/ctxmgr", x), *evil;
	struct cm_err err;

	(void)state;
	setenv("XDG_RUNTIME_DIR", x, 1);
	err_init(&err);
	assert_int_equal(svc_run_dir_check(rd, 1, &err), 0);
	assert_int_equal(svc_run_dir_check(rd, 0, &err), 0);
	/* a wide mode is refused, not fixed */
	assert_int_equal(chmod(rd, 0750), 0);
	assert_int_equal(svc_run_dir_check(rd, 1, &err), ERR_PERM);
	assert_non_null(strstr(err.msg, "mode 750"));
	assert_int_equal(chmod(rd, 0700), 0);
	/* a symlink in place of a directory ctxmgr makes */
	assert_int_equal(rmdir(rd), 0);
	evil = xasprintf("%s/elsewhere", base);
	assert_int_equal(mkdir(evil, 0700), 0);
	assert_int_equal(symlink(evil, rd), 0);
	err_init(&err);
	assert_int_equal(svc_run_dir_check(rd, 1, &err), ERR_PERM);
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(unlink(rd), 0);
	/* a path outside any run dir base */
	assert_int_equal(svc_run_dir_check("/etc/x", 1, &err), ERR_INVALID);
	assert_int_equal(
	    svc_run_dir_check("relative/ctxmgr/run", 1, &err), ERR_INVALID);
	free(evil);
	free(mid);
	free(rd);
	free(x);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(base) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", base);

	(void)state;
	if (system(cmd) != 0) {
		/* left behind: harmless */
	}
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_run_dir_choice),
		cmocka_unit_test(test_run_dir_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
