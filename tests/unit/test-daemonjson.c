/* test-daemonjson.c: TLS settings merged into dockerd's daemon.json. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "keystore/daemonjson.h"

#define CA "/etc/docker/tls/ca.pem"
#define CERT "/etc/docker/tls/server-cert.pem"
#define KEY "/etc/docker/tls/server-key.pem"

static void
merge(const char *in, const char *want, int want_changed)
{
	struct buf b;
	struct cm_err err;
	int changed;

	buf_init(&b, 0);
	if (daemonjson_merge_tls(
		in, strlen(in), CA, CERT, KEY, &b, &changed, &err) != 0)
		fail_msg("%s: %s", in, err.msg);
	assert_string_equal(b.data, want);
	assert_int_equal(changed, want_changed);
	buf_release(&b);
}

static void
test_merge(void **state)
{
	(void)state;
	merge("",
	    "{\n  \"tlsverify\": true,\n  \"tlscacert\": \"" CA
	    "\",\n  \"tlscert\": \"" CERT "\",\n  \"tlskey\": \"" KEY "\"\n}\n",
	    1);
	/* other keys stay, in their order; nested values too */
	merge("{\"log-driver\":\"journald\",\"tlscert\":\"/old.pem\","
	      "\"default-ulimits\":{\"nofile\":{\"Hard\":64000}},\"debug\":"
	      "false}",
	    "{\n  \"log-driver\": \"journald\",\n  \"tlscert\": \"" CERT
	    "\",\n  \"default-ulimits\": {\n    \"nofile\": {\n      "
	    "\"Hard\": 64000\n    }\n  },\n  \"debug\": false,\n  "
	    "\"tlsverify\": true,\n  \"tlscacert\": \"" CA
	    "\",\n  \"tlskey\": \"" KEY "\"\n}\n",
	    1);
	/* already so: unchanged */
	merge("{\"tlsverify\":true,\"tlscacert\":\"" CA "\",\"tlscert\":\"" CERT
	      "\",\"tlskey\":\"" KEY "\"}",
	    "{\n  \"tlsverify\": true,\n  \"tlscacert\": \"" CA
	    "\",\n  \"tlscert\": \"" CERT "\",\n  \"tlskey\": \"" KEY "\"\n}\n",
	    0);
	merge("  \n",
	    "{\n  \"tlsverify\": true,\n  \"tlscacert\": \"" CA
	    "\",\n  \"tlscert\": \"" CERT "\",\n  \"tlskey\": \"" KEY "\"\n}\n",
	    1);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = { "[]", "{", "{\"a\":1,\"a\":2}",
		"{} {}", "\"x\"", "{\"a\":}", "nul" };
	struct buf b;
	struct cm_err err;
	size_t i;
	int changed;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		buf_init(&b, 0);
		if (daemonjson_merge_tls(bad[i], strlen(bad[i]), CA, CERT, KEY,
			&b, &changed, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
