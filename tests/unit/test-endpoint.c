/* test-endpoint.c: Docker endpoint URL parsing. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "common/endpoint.h"

static void
ok(const char *url, enum endpoint_scheme s, const char *user, const char *host,
    int port, const char *path)
{
	struct endpoint ep;
	struct cm_err err;

	err_init(&err);
	if (endpoint_parse(url, &ep, &err) != 0)
		fail_msg("%s: %s", url, err.msg);
	assert_int_equal(ep.scheme, s);
	if (user)
		assert_string_equal(ep.user, user);
	else
		assert_null(ep.user);
	if (host)
		assert_string_equal(ep.host, host);
	else
		assert_null(ep.host);
	assert_int_equal(ep.port, port);
	if (path)
		assert_string_equal(ep.path, path);
	else
		assert_null(ep.path);
	endpoint_free(&ep);
}

static void
bad(const char *url, const char *msg_part)
{
	struct endpoint ep;
	struct cm_err err;

	err_init(&err);
	if (endpoint_parse(url, &ep, &err) == 0)
		fail_msg("\"%s\" was accepted", url);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", url, err.msg,
		    msg_part);
	endpoint_free(&ep);
}

static void
test_good(void **state)
{
	(void)state;
	ok("ssh://u@h", EP_SSH, "u", "h", 0, NULL);
	ok("ssh://h", EP_SSH, NULL, "h", 0, NULL);
	ok("ssh://deploy@prod.example.com:2222/run/docker.sock", EP_SSH,
	    "deploy", "prod.example.com", 2222, "/run/docker.sock");
	ok("ssh://u@h:22/", EP_SSH, "u", "h", 22, NULL);
	ok("ssh://u@[::1]:2200/x", EP_SSH, "u", "::1", 2200, "/x");
	ok("ssh://h/x%20y", EP_SSH, NULL, "h", 0, "/x y");
	ok("tcp://1.2.3.4:2376", EP_TCP, NULL, "1.2.3.4", 2376, NULL);
	ok("tcp://docker.example.com", EP_TCP, NULL, "docker.example.com", 0,
	    NULL);
	ok("unix:///var/run/docker.sock", EP_UNIX, NULL, NULL, 0,
	    "/var/run/docker.sock");
}

static void
test_bad(void **state)
{
	char longpath[300];

	(void)state;
	bad("", "empty");
	bad("ssh://-oProxyCommand=x", "option");
	bad("ssh://u@-oProxyCommand=x", "option");
	bad("ssh://-oProxyCommand=x@h", "option");
	/* refused as injection, not for the space it also holds */
	bad("ssh://-oProxyCommand=touch /tmp/pwned", "option injection");
	bad("ssh://u@-oProxyCommand=touch /tmp/x", "option injection");
	bad("tcp://-oX=a b:1", "option injection");
	bad("ssh://h/x@-y z", "holds a space");
	bad("ssh://u:secret@h", "password");
	bad("ssh://h?x=1", "query");
	bad("ssh://h#frag", "query");
	bad("ssh://", "no host");
	bad("ssh://u@", "empty");
	bad("ssh://h:0", "range");
	bad("ssh://h:70000", "range");
	bad("ssh://h:2x", "port");
	bad("ssh://h o", "space");
	bad("ssh://h\n", "control");
	bad("ssh://h/x%0a", "control");
	bad("ssh://h/x%zz", "percent");
	bad("ssh://h;id", "not allowed");
	bad("ssh://h$(id)", "not allowed");
	bad("ssh://[::1", "]");
	bad("ftp://h", "unsupported");
	bad("npipe:////./pipe/docker", "unsupported");
	bad("docker.example.com", "not a URL");
	bad("unix://relative", "absolute");
	bad("tcp://u@h:1", "user");
	bad("tcp://h:1/path", "path");
	/* shell and terminal metacharacters, in every scheme */
	bad("tcp://staging:2376\\';echo PWNED > x;#", "space");
	bad("tcp://staging:2376\\';touch${IFS}x;#", "not allowed");
	bad("tcp://h:2376'", "\"'\"");
	bad("unix:///tmp/a';touch${IFS}x;'", "not allowed");
	bad("unix:///tmp/`id`", "\"`\"");
	bad("unix:///tmp/\"x", "not allowed");
	bad("unix:///tmp/a\\b", "not allowed");
	bad("unix:///tmp/a|b", "not allowed");
	bad("unix:///tmp/a#b", "fragment");
	bad("ssh://h/x$y", "not allowed");
	bad("ssh://h/x\xc2\x9b", "0xc2");
	bad("unix:///tmp/\xff", "0xff");
	bad("tcp://h:1\x1b[2J", "control");
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:///", 8);
	longpath[sizeof(longpath) - 1] = '\0';
	bad(longpath, "longer");
}

static void
test_check_url(void **state)
{
	struct cm_err err;

	(void)state;
	assert_int_equal(
	    endpoint_check_url("npipe:////./pipe/docker_engine", &err), 0);
	assert_int_equal(endpoint_check_url("tcp://h:2376", &err), 0);
	assert_int_equal(
	    endpoint_check_url("npipe:////./pipe/a'b", &err), ERR_INVALID);
	assert_int_equal(
	    endpoint_check_url("npipe:////./pipe/a b", &err), ERR_INVALID);
	assert_int_equal(
	    endpoint_check_url("tcp://h:2376';x", &err), ERR_INVALID);
	assert_int_equal(endpoint_check_url("fd://", &err), ERR_INVALID);
	assert_int_equal(endpoint_check_url(NULL, &err), ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_check_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
