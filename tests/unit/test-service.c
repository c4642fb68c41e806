/* test-service.c: the tunnel service's paths, run dir checks, pins and
 * the "run" request's wire format. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tunnel/pins.h"
#include "tunnel/runwire.h"
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

/* The pins file's parser: hostile lines are skipped, good ones kept. */
static void
test_pins_parse(void **state)
{
	static const char in[] =
	    "# comment\n"
	    "box auto 0 0\n"
	    "b2 streamlocal 1 2375\n"
	    "\n"
	    "bad\n"
	    "-opt auto 0 0\n"
	    "x auto 0 0\n" /* one character: not a context name */
	    "../etc auto 0 0\n"
	    "ok weird 0 0\n"
	    "ok auto 2 0\n"
	    "ok auto 0 65536\n"
	    "ok auto 0 -1\n"
	    "ok auto 0 0 extra\n"
	    "ok\tdial-stdio\t0\t22\n"
	    "box dial-stdio 0 0\n" /* a later line of a name wins */
	    "no-newline auto 0 0";
	struct pin *list = NULL;
	size_t n = 0, bad = 0;
	char big[2048];

	(void)state;
	pins_parse(in, sizeof(in) - 1, &list, &n, &bad);
	assert_int_equal(n, 4);
	assert_int_equal(bad, 9);
	assert_string_equal(list[0].name, "box");
	assert_int_equal(list[0].mode, TUNNEL_DIAL_STDIO);
	assert_string_equal(list[1].name, "b2");
	assert_int_equal(list[1].no_ping, 1);
	assert_int_equal(list[1].port, 2375);
	assert_string_equal(list[2].name, "ok");
	assert_int_equal(list[2].port, 22);
	assert_string_equal(list[3].name, "no-newline");
	free(list);
	/* a NUL inside, an over-long name, an over-long line */
	pins_parse("a\0b auto 0 0\n", 13, &list, &n, &bad);
	assert_int_equal(n, 0);
	free(list);
	memset(big, 'a', sizeof(big));
	memcpy(big + 300, " auto 0 0\n", 10);
	pins_parse(big, 310, &list, &n, &bad);
	assert_int_equal(n, 0);
	assert_int_equal(bad, 1);
	free(list);
	pins_parse(big, sizeof(big), &list, &n, &bad);
	assert_int_equal(n, 0);
	free(list);
	pins_parse("", 0, &list, &n, &bad);
	assert_int_equal(n, 0);
	free(list);
}

/* The "run" request line: four numbers in range, nothing else. */
static void
test_run_request(void **state)
{
	static const char *const bad[] = { "", "4", "4 0 1000", "0 0 1000 10",
		"4 0 0 10", "x 0 1000 10", "4 0 1000 10 extra", "-4 0 1000 10",
		"4  0 1000 10", "4 0 1000 10 ", "8193 0 1000 10",
		"4 4194305 1000 10", "4 0 3600001 10", "4 0 1000 67108865",
		"4 0 1000 99999999999999999999999", "+4 0 1000 10",
		"4\t0 1000 10" };
	struct run_req rq;
	struct cm_err err;
	size_t i;

	(void)state;
	assert_int_equal(run_req_parse("4 12 20000 1048576", &rq, &err), 0);
	assert_int_equal(rq.cmdlen, 4);
	assert_int_equal(rq.inlen, 12);
	assert_int_equal(rq.timeout_ms, 20000);
	assert_int_equal(rq.outcap, 1048576);
	assert_int_equal(
	    run_req_parse("8192 4194304 3600000 67108864", &rq, &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(run_req_parse(bad[i], &rq, &err), ERR_INVALID);
}

/* Answers: made by run_answer, read back; hostile ones refused. */
static void
test_run_answer(void **state)
{
	static const char *const broken[] = { "", "\n", "[]\n", "null",
		"{\"ok\":true}\n",
		"{\"ok\":true,\"status\":0,\"out\":3,\"err\":0}\nab",
		"{\"ok\":true,\"status\":0,\"out\":1,\"err\":0}\nab",
		"{\"ok\":true,\"status\":0,\"out\":-1,\"err\":3}\nab",
		"{\"ok\":true,\"status\":0,\"out\":1.5,\"err\":0}\nab",
		"{\"ok\":true,\"status\":\"0\",\"out\":2,\"err\":0}\nab",
		"{\"ok\":true,\"status\":0,\"out\":9223372036854775807,"
		"\"err\":9223372036854775807}\n",
		"{\"ok\":true,\"status\":0,\"out\":20,\"err\":0}\n"
		"01234567890123456789" };
	struct ssh_exec_result in, out;
	struct cm_err err;
	struct buf b;
	char host[64];
	size_t i;

	(void)state;
	ssh_exec_result_init(&in, 1024);
	buf_add(&in.out, "line\n\0bin", 9);
	buf_adds(&in.err, "oops\n");
	in.exit_status = 3;
	buf_init(&b, 0);
	run_answer(&b, &in, "h.example");
	ssh_exec_result_init(&out, 1024);
	assert_int_equal(
	    run_answer_parse(b.data, b.len, &out, host, sizeof(host), &err), 0);
	assert_int_equal(out.exit_status, 3);
	assert_int_equal(out.out.len, 9);
	assert_memory_equal(out.out.data, "line\n\0bin", 9);
	assert_string_equal(out.err.data, "oops\n");
	assert_string_equal(host, "h.example");
	ssh_exec_result_release(&out);
	/* an error, with its message */
	buf_reset(&b);
	run_answer_error(&b, "not served");
	ssh_exec_result_init(&out, 1024);
	assert_int_equal(
	    run_answer_parse(b.data, b.len, &out, NULL, 0, &err), ERR_FAIL);
	assert_string_equal(err.msg, "not served");
	ssh_exec_result_release(&out);
	/* more output than the reader's cap */
	ssh_exec_result_init(&out, 4);
	buf_reset(&b);
	run_answer(&b, &in, "h");
	assert_int_equal(
	    run_answer_parse(b.data, b.len, &out, NULL, 0, &err), ERR_PROTO);
	ssh_exec_result_release(&out);
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		ssh_exec_result_init(&out, 16);
		assert_int_equal(run_answer_parse(broken[i], strlen(broken[i]),
				     &out, host, sizeof(host), &err),
		    ERR_PROTO);
		ssh_exec_result_release(&out);
	}
	buf_release(&b);
	ssh_exec_result_release(&in);
}

/* pins_edit and pins_load on a real file: mode, owner, symlink. */
static void
test_pins_file(void **state)
{
	char *dir = xasprintf("%s/pins", base), *f, *t;
	struct pin p, old, *list = NULL;
	struct cm_err err;
	size_t n = 0;
	int was = 0;

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	f = xasprintf("%s/%s", dir, PINS_FILE);
	t = xasprintf("%s/target", dir);
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "box");
	p.port = 2375;
	assert_int_equal(pins_edit(dir, "box", &p, NULL, &was, &err), 0);
	assert_int_equal(was, 0);
	assert_int_equal(pins_load(dir, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].port, 2375);
	free(list);
	/* a rename: the old pin comes back, stored under the new name */
	assert_int_equal(pins_edit(dir, "box", NULL, &old, &was, &err), 0);
	assert_int_equal(was, 1);
	snprintf(old.name, sizeof(old.name), "box2");
	assert_int_equal(pins_edit(dir, "box2", &old, NULL, NULL, &err), 0);
	assert_int_equal(pins_load(dir, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "box2");
	free(list);
	/* a mode others may read: refused, and so is editing it */
	assert_int_equal(chmod(f, 0644), 0);
	assert_int_equal(pins_load(dir, &list, &n, &err), ERR_PERM);
	assert_int_equal(pins_edit(dir, "x1", &p, NULL, NULL, &err), ERR_PERM);
	assert_int_equal(chmod(f, 0600), 0);
	/* a symlink: never followed, neither read nor replaced */
	assert_int_equal(unlink(f), 0);
	{
		FILE *fp = fopen(t, "w");
		assert_non_null(fp);
		fputs("secret auto 0 0\n", fp);
		fclose(fp);
	}
	assert_int_equal(chmod(t, 0600), 0);
	assert_int_equal(symlink(t, f), 0);
	assert_int_equal(pins_load(dir, &list, &n, &err), ERR_PERM);
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(pins_edit(dir, "box", &p, NULL, NULL, &err), ERR_PERM);
	{
		struct stat st;
		assert_int_equal(lstat(f, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	/* a directory in its place */
	assert_int_equal(unlink(f), 0);
	assert_int_equal(mkdir(f, 0700), 0);
	assert_int_equal(pins_load(dir, &list, &n, &err), ERR_PERM);
	assert_int_equal(rmdir(f), 0);
	/* --listen values */
	{
		int port = 0;
		assert_int_equal(
		    pins_listen_check("127.0.0.1:2375", &port, &err), 0);
		assert_int_equal(port, 2375);
		assert_int_equal(
		    pins_listen_check("localhost:1", &port, &err), 0);
		assert_int_equal(
		    pins_listen_check("0.0.0.0:2375", &port, &err), ERR_USAGE);
		assert_int_equal(
		    pins_listen_check("127.0.0.1:0", &port, &err), ERR_USAGE);
		assert_int_equal(
		    pins_listen_check("127.0.0.1", &port, &err), ERR_USAGE);
	}
	free(f);
	free(t);
	free(dir);
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
		cmocka_unit_test(test_pins_parse),
		cmocka_unit_test(test_pins_file),
		cmocka_unit_test(test_run_request),
		cmocka_unit_test(test_run_answer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
