/* test-tunnel.c: key files as the tunnel reads them, shell quoting, Engine
 * answers. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "tunnel/engine.h"
#include "tunnel/forward.h"
#include "tunnel/shquote.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

/* Throwaway test keys (ssh-keygen -t ed25519; the second with the
 * passphrase "secret"). */
static const char key_plain[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDX9m8bfeKXf0ykl3QJfLqkAokXeDC6yPdYdVAezp4zyQAAAIh0S7amdEu2\n"
    "pgAAAAtzc2gtZWQyNTUxOQAAACDX9m8bfeKXf0ykl3QJfLqkAokXeDC6yPdYdVAezp4zyQ\n"
    "AAAECNAdyqGXxWzgzDQXeA6+7Hfr4OeKoVZm0hMAt+3M6R/9f2bxt94pd/TKSXdAl8uqQC\n"
    "iRd4MLrI91h1UB7OnjPJAAAAAXQBAgME\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char pub_plain[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINf2bxt"
				"94pd/TKSXdAl8uqQCiRd4MLrI91h1UB7OnjPJ t\n";
static const char key_enc[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABAxFz8pig\n"
    "LrT72CLHecezJIAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIE/x5FQeBrF38/G3\n"
    "zq5tjeFATeAG3oWygxfYHxcESZ14AAAAkDTH4Q6RhEXeFy+gcsqzNv1ztoV1eVZWp+0FbC\n"
    "9zGm+DHDCYS2APZjSWFzqqtLtnQNwwQddtaDs4G5lt+leDQa0XS3gESMygtRZCXSI+fWDJ\n"
    "L1GSO/QRBOao7lLP9D1SAK4JYoA1kwgvXZBbDEdrbzav6wKZclGMNaEwBCFc5aUIbrvJ2n\n"
    "yoKwAaffGI5EIurA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char pub_enc[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE/x5FQe"
			      "BrF38/G3zq5tjeFATeAG3oWygxfYHxcESZ14 t";

/* What the tunnel reads of a key file before it is decrypted (the
 * keystore's parser): encrypted or not, and the public blob. */
static void
test_privkey(void **state)
{
	struct sshkey_info k, pub;
	struct cm_err err;

	(void)state;
	sshkey_info_init(&k);
	sshkey_info_init(&pub);
	assert_int_equal(
	    sshkey_parse(key_plain, strlen(key_plain), &k, &err), 0);
	assert_true(k.is_private);
	assert_false(k.encrypted);
	assert_int_equal(k.format, SSHKEY_FMT_OPENSSH);
	assert_int_equal(
	    sshkey_parse_public_line(pub_plain, strlen(pub_plain), &pub, &err),
	    0);
	assert_int_equal(k.bloblen, pub.bloblen);
	assert_memory_equal(k.blob, pub.blob, pub.bloblen);
	sshkey_info_release(&k);
	sshkey_info_release(&pub);

	assert_int_equal(sshkey_parse(key_enc, strlen(key_enc), &k, &err), 0);
	assert_true(k.encrypted);
	assert_int_equal(
	    sshkey_parse_public_line(pub_enc, strlen(pub_enc), &pub, &err), 0);
	assert_memory_equal(k.blob, pub.blob, pub.bloblen);
	sshkey_info_release(&k);
	sshkey_info_release(&pub);

	/* hostile: truncated, bad magic, lengths past the end */
	static const char *const bad[] = {
		"not a key",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
		"-----END OPENSSH PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\n"
		"b3BlbnNzaC1rZXktdjEA/////w==\n"
		"-----END OPENSSH PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn",
	};
	for (size_t i = 0; i < nitems(bad); i++) {
		assert_int_not_equal(
		    sshkey_parse(bad[i], strlen(bad[i]), &k, &err), 0);
		sshkey_info_release(&k);
	}
}

/* What sh prints for `printf %s QUOTED` must be the original. */
static void
roundtrip(const char *arg)
{
	struct buf cmd;
	char out[4096];
	size_t n;
	FILE *f;

	buf_init(&cmd, 0);
	buf_adds(&cmd, "printf %s ");
	assert_int_equal(shell_quote(&cmd, arg), 0);
	f = popen(cmd.data, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	if (strcmp(out, arg) != 0)
		fail_msg("\"%s\" came back as \"%s\" (command: %s)", arg, out,
		    cmd.data);
	buf_release(&cmd);
}

static void
test_shquote(void **state)
{
	static const char *const args[] = { "plain", "a b", "it's", "''",
		"$(id)", "`id`", "a;b&c|d", "*", "~", "~root", "=x", "a\nb",
		"\"q\"", "\\", "-n", "%s", "$HOME", "!x", "{a,b}", "#c",
		"tab\there", "unix:///var/run/docker.sock" };
	struct buf b;
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(args); i++)
		roundtrip(args[i]);
	s = shell_quote_str("");
	assert_string_equal(s, "''");
	free(s);
	s = shell_quote_str("/var/run/docker.sock");
	assert_string_equal(s, "/var/run/docker.sock");
	free(s);
	s = shell_quote_str("it's");
	assert_string_equal(s, "'it'\\''s'");
	free(s);
	buf_init(&b, 0);
	const char *argv[] = { "docker", "--host", "unix:///x y", NULL };
	assert_int_equal(shell_quote_argv(&b, argv, -1), 0);
	assert_string_equal(b.data, "docker --host 'unix:///x y'");
	buf_release(&b);
	/* past the cap nothing is appended */
	buf_init(&b, 8);
	buf_adds(&b, "ab");
	assert_int_equal(shell_quote(&b, "0123456789"), -1);
	assert_string_equal(b.data, "ab");
	buf_release(&b);
}

static void
test_engine(void **state)
{
	struct engine_response r;
	struct cm_err err;
	static const char ok[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
				 "Content-Length: 2\r\n\r\nOKjunk";
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				      "chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde"
				      "\r\n0\r\n\r\n";

	(void)state;
	engine_response_init(&r, 64);
	assert_int_equal(engine_parse_response(ok, strlen(ok), &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.data, "OK");
	assert_string_equal(r.api_version, "1.41");
	assert_int_equal(
	    engine_parse_response(chunked, strlen(chunked), &r, &err), 0);
	assert_string_equal(r.body.data, "abcde");
	static const char *const bad[] = { "", "HTTP/1.1 200 OK\r\n",
		"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"fffffffff\r\n" };
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_not_equal(
		    engine_parse_response(bad[i], strlen(bad[i]), &r, &err), 0);
	/* over the body cap */
	static const char big[] = "HTTP/1.1 200 OK\r\n\r\n"
				  "0123456789012345678901234567890123456789"
				  "0123456789012345678901234567890123456789";
	assert_int_equal(
	    engine_parse_response(big, strlen(big), &r, &err), ERR_TOOBIG);
	engine_response_release(&r);
}

static void
test_ping_cache_parsers(void **state)
{
	static const char get[] = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
	static const char head[] = "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
				   "GET /version HTTP/1.1\r\n\r\n";
	static const char *const not_ping[] = { "GET /_pingx HTTP/1.1\r\n\r\n",
		"GET /_ping?x=1 HTTP/1.1\r\n\r\n",
		"GET /v1.41/_ping HTTP/1.1\r\n\r\n",
		"GET /_ping HTTP/1.0\r\n\r\n", "POST /_ping HTTP/1.1\r\n\r\n",
		"get /_ping HTTP/1.1\r\n\r\n",
		"GET /_ping HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
		"GET /_ping HTTP/1.1\r\nTRANSFER-ENCODING: chunked\r\n\r\n",
		"GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n",
		"GET /_ping HTTP/1.1\r\nUpgrade: tcp\r\n\r\n",
		"GET /_ping HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
		"DELETE /containers/x HTTP/1.1\r\n\r\n", "\x16\x03\x01" };
	static const char ok[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
				 "Content-Length: 2\r\n\r\nOK";
	static const char hok[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static const char *const unfit[] = { "HTTP/1.1 500 x\r\n"
					     "Content-Length: 2\r\n\r\nOK",
		"HTTP/1.1 200 OK\r\n\r\nOK",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 2\r\n\r\nOK",
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2"
		"\r\n\r\nOK",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nOK",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999"
		"\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", "\r\n\r\n" };
	char big[5000];
	size_t hl = 0, i;

	(void)state;
	assert_int_equal(fwd_ping_request(get, strlen(get), &hl), FWD_PING_GET);
	assert_int_equal(hl, strlen(get));
	assert_int_equal(
	    fwd_ping_request(head, strlen(head), &hl), FWD_PING_HEAD);
	assert_int_equal(
	    hl, strlen(head) - strlen("GET /version HTTP/1.1\r\n\r\n"));
	for (i = 1; i < strlen(get); i++)
		assert_int_equal(fwd_ping_request(get, i, &hl), -1);
	for (i = 0; i < nitems(not_ping); i++)
		assert_int_equal(
		    fwd_ping_request(not_ping[i], strlen(not_ping[i]), &hl), 0);
	memset(big, 'a', sizeof(big));
	memcpy(big, get, 21); /* the request line */
	assert_int_equal(fwd_ping_request(big, sizeof(big), &hl), 0);
	assert_int_equal(fwd_ping_request(big, 100, &hl), -1);

	assert_int_equal(
	    fwd_ping_response(ok, strlen(ok), FWD_PING_GET), (long)strlen(ok));
	assert_int_equal(
	    fwd_ping_response(ok, strlen(ok) - 1, FWD_PING_GET), 0);
	assert_int_equal(fwd_ping_response(ok, 10, FWD_PING_GET), 0);
	assert_int_equal(fwd_ping_response(hok, strlen(hok), FWD_PING_HEAD),
	    (long)strlen(hok));
	for (i = 0; i < nitems(unfit); i++)
		assert_int_equal(
		    fwd_ping_response(unfit[i], strlen(unfit[i]), FWD_PING_GET),
		    -1);
	assert_int_equal(fwd_ping_response(big, sizeof(big), FWD_PING_GET), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privkey),
		cmocka_unit_test(test_shquote),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_ping_cache_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
