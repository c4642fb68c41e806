/*
 * test-keycheck.c: the key policy, and authorized_keys / known_hosts
 * parsing, over keys ssh-keygen makes at test time.
 */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "keystore/keycheck.h"
#include "common/xmalloc.h"

static char *dir;
static char *ed_pub, *ecdsa_pub, *dsa_pub, *rsa1024_pub, *rsa2048_pub,
    *rsa3072_pub;

/* The first line of a .pub file, without its newline. */
static char *
publine(const char *name)
{
	char *p = xasprintf("%s/%s.pub", dir, name);
	struct cm_err err;
	struct buf b;

	buf_init(&b, 0);
	if (file_read(p, 65536, 0, &b, &err) != 0)
		fail_msg("%s", err.msg);
	buf_rtrim(&b);
	free(p);
	return buf_detach(&b, NULL);
}

static int
setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	unit_run("cd %s && ssh-keygen -q -t ed25519 -N '' -C ed -f ed && "
		 "ssh-keygen -q -t ed25519 -N 'a b c d e f' -f ed-enc && "
		 "ssh-keygen -q -t ed25519 -a 8 -N 'a b c d e f' -f ed-8 && "
		 "ssh-keygen -q -t ecdsa -N '' -f ecdsa && "
		 "ssh-keygen -q -t dsa -N '' -f dsa && "
		 "ssh-keygen -q -t rsa -b 1024 -N '' -f rsa1024 && "
		 "ssh-keygen -q -t rsa -b 2048 -N '' -f rsa2048 && "
		 "ssh-keygen -q -t rsa -b 3072 -N '' -f rsa3072 >/dev/null",
	    dir);
	ed_pub = publine("ed");
	ecdsa_pub = publine("ecdsa");
	dsa_pub = publine("dsa");
	rsa1024_pub = publine("rsa1024");
	rsa2048_pub = publine("rsa2048");
	rsa3072_pub = publine("rsa3072");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	free(dir);
	free(ed_pub);
	free(ecdsa_pub);
	free(dsa_pub);
	free(rsa1024_pub);
	free(rsa2048_pub);
	free(rsa3072_pub);
	return 0;
}

/* 1 if some reason of `f` at `level` holds `needle`. */
static int
has_reason(
    const struct key_finding *f, enum key_verdict level, const char *needle)
{
	size_t i;

	for (i = 0; i < f->nreasons; i++)
		if (f->reasons[i].level == level &&
		    strstr(f->reasons[i].text, needle) != NULL)
			return 1;
	return 0;
}

static void
expect_reason(
    const struct key_finding *f, enum key_verdict level, const char *needle)
{
	size_t i;

	if (has_reason(f, level, needle))
		return;
	for (i = 0; i < f->nreasons; i++)
		print_message("reason %s: %s\n",
		    key_verdict_name(f->reasons[i].level), f->reasons[i].text);
	fail_msg("%s:%u: no %s reason with \"%s\"", f->path, f->line,
	    key_verdict_name(level), needle);
}

static void
check_file(const char *name, struct key_report *rep)
{
	char *p = xasprintf("%s/%s", dir, name);

	key_report_init(rep);
	keycheck_file(p, rep);
	free(p);
}

static void
test_type_policy(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_DSA, 1024, why, sizeof(why)), KEY_FAIL);
	assert_non_null(strstr(why, "DSA"));
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 1024, NULL, 0), KEY_FAIL);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 2047, NULL, 0), KEY_FAIL);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 2048, why, sizeof(why)), KEY_WARN);
	assert_non_null(strstr(why, "SP 800-57"));
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 3071, NULL, 0), KEY_WARN);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 3072, why, sizeof(why)), KEY_OK);
	assert_string_equal(why, "");
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 16384, NULL, 0), KEY_OK);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_RSA, 16385, NULL, 0), KEY_FAIL);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_ECDSA, 521, NULL, 0), KEY_WARN);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_ECDSA_SK, 256, NULL, 0), KEY_WARN);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_ED25519, 256, NULL, 0), KEY_OK);
	assert_int_equal(
	    keycheck_type_policy(SSHKEY_ED25519_SK, 256, NULL, 0), KEY_OK);
}

static void
test_private_files(void **state)
{
	struct key_report rep;
	char *p;

	(void)state;
	check_file("ed", &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].kind, KEY_KIND_PRIVATE);
	assert_int_equal(rep.v[0].verdict, KEY_WARN);
	expect_reason(&rep.v[0], KEY_WARN, "not encrypted");
	assert_int_equal(rep.v[0].mode, 0600);
	assert_int_equal(rep.v[0].uid, geteuid());
	key_report_release(&rep);

	check_file("ed-enc", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	assert_int_equal(rep.v[0].nreasons, 0);
	/* the comment comes from ed-enc.pub */
	assert_non_null(rep.v[0].key.comment);
	key_report_release(&rep);

	check_file("ed-8", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_WARN);
	expect_reason(&rep.v[0], KEY_WARN, "8 rounds");
	key_report_release(&rep);

	check_file("dsa", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_FAIL);
	expect_reason(&rep.v[0], KEY_FAIL, "DSA");
	key_report_release(&rep);

	check_file("rsa1024.pub", &rep);
	assert_int_equal(rep.v[0].kind, KEY_KIND_PUBLIC);
	assert_int_equal(rep.v[0].verdict, KEY_FAIL);
	key_report_release(&rep);
	check_file("rsa2048.pub", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_WARN);
	key_report_release(&rep);
	check_file("rsa3072.pub", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	key_report_release(&rep);
	check_file("ecdsa.pub", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_WARN);
	expect_reason(&rep.v[0], KEY_WARN, "ECDSA");
	key_report_release(&rep);

	/* mode and owner */
	p = xasprintf("%s/ed-enc", dir);
	assert_int_equal(chmod(p, 0640), 0);
	check_file("ed-enc", &rep);
	assert_int_equal(rep.v[0].verdict, KEY_FAIL);
	expect_reason(&rep.v[0], KEY_FAIL, "mode 0640");
	key_report_release(&rep);
	assert_int_equal(chmod(p, 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		check_file("ed-enc", &rep);
		assert_int_equal(rep.v[0].verdict, KEY_FAIL);
		expect_reason(&rep.v[0], KEY_FAIL, "not by you");
		assert_int_equal(rep.v[0].uid, 65534);
		key_report_release(&rep);
		assert_int_equal(chown(p, 0, 0), 0);
	}
	free(p);
}

/* An encrypted PEM key: type and size from its .pub, weak encryption. */
static void
test_pem_sidecar(void **state)
{
	struct key_report rep;

	(void)state;
	/* ssh-keygen -m PEM encrypts the legacy way (DEK-Info, MD5) */
	unit_run(
	    "cd %s && cp rsa2048 pem && ssh-keygen -q -p -m PEM -N 'x y z' "
	    "-f pem >/dev/null && cp rsa2048.pub pem.pub",
	    dir);
	check_file("pem", &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].kind, KEY_KIND_PRIVATE);
	assert_int_equal(rep.v[0].key.format, SSHKEY_FMT_PKCS1);
	assert_int_equal(rep.v[0].key.encrypted, 1);
	assert_int_equal(rep.v[0].key.bits, 2048);
	expect_reason(&rep.v[0], KEY_OK, "pem.pub");
	expect_reason(&rep.v[0], KEY_WARN, "legacy PEM encryption");
	expect_reason(&rep.v[0], KEY_WARN, "RSA 2048");
	key_report_release(&rep);
	/* no .pub: type unknown, said so */
	unit_run("rm %s/pem.pub", dir);
	check_file("pem", &rep);
	assert_int_equal(rep.v[0].key.bits, 0);
	expect_reason(&rep.v[0], KEY_OK, "unknown without the passphrase");
	key_report_release(&rep);
	/* a .pub of another key is pointed out */
	unit_run("cp %s/ed.pub %s/ed-enc.pub", dir, dir);
	check_file("ed-enc", &rep);
	expect_reason(&rep.v[0], KEY_WARN, "another key");
	key_report_release(&rep);
}

static void
check_text(const char *text, int flags, struct key_report *rep)
{
	key_report_init(rep);
	keycheck_text("remote", text, strlen(text), flags, rep);
}

static void
test_authorized_keys(void **state)
{
	struct key_report rep;
	struct buf t;

	(void)state;
	buf_init(&t, 0);
	buf_printf(&t, "# comment\n\n%s\n", ed_pub);
	buf_printf(&t, "restrict,from=\"10.0.0.0/8,!10.1.*\" %s\n", ed_pub);
	buf_printf(&t, "command=\"echo \\\"a b\\\"\",no-pty %s\n", rsa3072_pub);
	buf_printf(&t, "cert-authority,principals=\"x\" %s\n", ecdsa_pub);
	buf_printf(&t, "restict %s\n", ed_pub);
	buf_printf(&t, "from=\"unclosed %s\n", ed_pub);
	buf_printf(&t, "no-pty=\"x\" %s\n", ed_pub);
	buf_printf(&t, "  %s\n", dsa_pub);
	buf_printf(&t, "%s\n", rsa1024_pub);
	buf_adds(&t, "ssh-ed25519 AAAA!!!!\n");
	buf_adds(&t, "ssh-unknown AAAA\n");
	check_text(t.data, KEYCHECK_AUTHORIZED, &rep);
	assert_int_equal(rep.n, 11);
	assert_int_equal(rep.v[0].line, 3);
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	assert_int_equal(rep.v[0].kind, KEY_KIND_AUTHORIZED);
	assert_string_equal(
	    rep.v[1].options, "restrict,from=\"10.0.0.0/8,!10.1.*\"");
	assert_int_equal(rep.v[1].verdict, KEY_OK);
	expect_reason(&rep.v[1], KEY_OK, "options: restrict");
	assert_int_equal(rep.v[2].verdict, KEY_OK);
	assert_int_equal(rep.v[2].key.bits, 3072);
	/* an ECDSA certificate authority fails */
	assert_true(rep.v[3].cert_authority);
	assert_int_equal(rep.v[3].verdict, KEY_FAIL);
	expect_reason(&rep.v[3], KEY_FAIL, "certificate authority");
	expect_reason(&rep.v[4], KEY_FAIL, "unknown option \"restict\"");
	expect_reason(&rep.v[5], KEY_FAIL, "quote");
	expect_reason(&rep.v[6], KEY_FAIL, "takes no value");
	assert_int_equal(rep.v[7].verdict, KEY_FAIL);
	assert_int_equal(rep.v[7].key.type, SSHKEY_DSA);
	assert_int_equal(rep.v[8].verdict, KEY_FAIL);
	expect_reason(&rep.v[9], KEY_FAIL, "base64");
	expect_reason(&rep.v[10], KEY_FAIL, "unknown key type");
	assert_int_equal(rep.v[10].line, 13);
	assert_int_equal(key_report_worst(&rep), KEY_FAIL);
	key_report_release(&rep);

	/* without a hint, options make it an authorized_keys file */
	buf_reset(&t);
	buf_printf(&t, "restrict %s\nbogus %s\n", ed_pub, ed_pub);
	check_text(t.data, 0, &rep);
	assert_int_equal(rep.v[1].kind, KEY_KIND_AUTHORIZED);
	expect_reason(&rep.v[1], KEY_FAIL, "unknown option \"bogus\"");
	key_report_release(&rep);
	buf_release(&t);
}

static void
test_known_hosts(void **state)
{
	struct key_report rep;
	struct buf t;
	char *p;

	(void)state;
	buf_init(&t, 0);
	buf_printf(&t, "example.com,10.0.0.1 %s\n", ed_pub);
	buf_printf(&t, "[box]:2222 %s\n", dsa_pub);
	buf_printf(&t, "@revoked * %s\n", rsa1024_pub);
	buf_printf(&t, "@cert-authority *.example.com %s\n", ecdsa_pub);
	buf_printf(&t, "@bogus * %s\n", ed_pub);
	buf_printf(&t, "|1|AAAA|BBBB %s\n", ed_pub);
	check_text(t.data, 0, &rep);
	assert_int_equal(rep.n, 6);
	assert_int_equal(rep.v[0].kind, KEY_KIND_KNOWN_HOST);
	assert_string_equal(rep.v[0].hosts, "example.com,10.0.0.1");
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	assert_int_equal(rep.v[1].verdict, KEY_FAIL);
	/* a revoked key is no risk, whatever its type */
	assert_int_equal(rep.v[2].verdict, KEY_OK);
	expect_reason(&rep.v[2], KEY_OK, "@revoked");
	assert_int_equal(rep.v[3].verdict, KEY_FAIL);
	expect_reason(&rep.v[3], KEY_FAIL, "certificate authority");
	expect_reason(&rep.v[4], KEY_FAIL, "unknown marker");
	expect_reason(&rep.v[5], KEY_FAIL, "hashed host");
	key_report_release(&rep);

	/* hashed by ssh-keygen -H */
	p = xasprintf("%s/known_hosts", dir);
	buf_reset(&t);
	buf_printf(&t, "example.com %s\nbox %s\n", ed_pub, rsa3072_pub);
	assert_int_equal(
	    file_write_atomic(p, t.data, t.len, 0600, FILE_NOSYNC, NULL), 0);
	unit_run(
	    "ssh-keygen -q -H -f %s >/dev/null 2>&1 && rm -f %s.old", p, p);
	key_report_init(&rep);
	keycheck_file(p, &rep);
	assert_int_equal(rep.n, 2);
	assert_true(rep.v[0].hashed);
	assert_string_equal(rep.v[0].hosts, "(hashed)");
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	assert_int_equal(rep.v[1].key.bits, 3072);
	key_report_release(&rep);
	/* writable by others: a file finding */
	assert_int_equal(chmod(p, 0666), 0);
	key_report_init(&rep);
	keycheck_file(p, &rep);
	assert_int_equal(rep.n, 3);
	assert_int_equal(rep.v[2].kind, KEY_KIND_FILE);
	expect_reason(&rep.v[2], KEY_FAIL, "mode 0666");
	key_report_release(&rep);
	free(p);
	buf_release(&t);
}

static void
test_bad_texts(void **state)
{
	struct key_report rep;
	struct buf t;
	int i;

	(void)state;
	check_text("", 0, &rep);
	assert_int_equal(rep.n, 1);
	expect_reason(&rep.v[0], KEY_FAIL, "no SSH key");
	key_report_release(&rep);
	check_text("# nothing\n", KEYCHECK_EMPTY_OK, &rep);
	assert_int_equal(rep.n, 0);
	key_report_release(&rep);
	key_report_init(&rep);
	keycheck_text("bin", "ab\0cd", 5, 0, &rep);
	expect_reason(&rep.v[0], KEY_FAIL, "binary");
	key_report_release(&rep);
	/* a long text of junk stops after a while */
	buf_init(&t, 0);
	for (i = 0; i < 1000; i++)
		buf_printf(&t, "junk line %d\n", i);
	check_text(t.data, 0, &rep);
	assert_int_equal(rep.n, KEYCHECK_MAX_BAD_LINES + 1);
	expect_reason(&rep.v[rep.n - 1], KEY_FAIL, "stopped reading");
	key_report_release(&rep);
	/* an over-long line */
	buf_reset(&t);
	for (i = 0; i < KEYCHECK_LINE_MAX + 10; i++)
		buf_addc(&t, 'A');
	buf_printf(&t, "\n%s\n", ed_pub);
	check_text(t.data, 0, &rep);
	assert_int_equal(rep.n, 2);
	expect_reason(&rep.v[0], KEY_FAIL, "longer than");
	assert_int_equal(rep.v[1].verdict, KEY_OK);
	assert_int_equal(rep.v[1].line, 2);
	key_report_release(&rep);
	buf_release(&t);
}

static void
test_unreadable_files(void **state)
{
	struct key_report rep;
	char *p;

	(void)state;
	key_report_init(&rep);
	keycheck_file("/nonexistent/key", &rep);
	keycheck_file(dir, &rep);
	p = xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	keycheck_file(p, &rep);
	free(p);
	p = xasprintf("%s/big", dir);
	unit_run("head -c 2000000 /dev/zero >%s", p);
	keycheck_file(p, &rep);
	free(p);
	assert_int_equal(rep.n, 4);
	expect_reason(&rep.v[0], KEY_FAIL, "cannot open");
	expect_reason(&rep.v[1], KEY_OK, "a directory, not keys: skipped");
	assert_true(rep.v[1].skipped);
	expect_reason(&rep.v[2], KEY_FAIL, "not a regular file");
	expect_reason(&rep.v[3], KEY_FAIL, "larger than");
	key_report_release(&rep);
}

/* One text, one finding: skipped with `why`, or not skipped. */
static void
expect_skip(const char *name, const char *text, const char *why)
{
	struct key_report rep;

	key_report_init(&rep);
	keycheck_text(name, text, strlen(text), 0, &rep);
	assert_true(rep.n >= 1);
	if (why != NULL) {
		assert_int_equal(rep.n, 1);
		assert_true(rep.v[0].skipped);
		assert_int_equal(rep.v[0].verdict, KEY_OK);
		expect_reason(&rep.v[0], KEY_OK, why);
	} else if (rep.v[0].skipped)
		fail_msg("\"%s\" skipped: %s", text, rep.v[0].reasons[0].text);
	key_report_release(&rep);
}

static void
test_not_key_files(void **state)
{
	char *t;

	(void)state;
	expect_skip("config",
	    "# hosts\nHost prod\n    HostName prod.example.org\n"
	    "    User deploy\n\tIdentityFile ~/.ssh/id_ed25519\r\n"
	    "Host=*\n  HostKeyAlgorithms ssh-ed25519\n  UnknownOption x\n",
	    "an ssh_config file");
	expect_skip("config", "# nothing yet\n\n", "without settings");
	expect_skip("environment", "PATH=/usr/bin:/bin\nLANG=C.UTF-8\n",
	    "an environment file");
	expect_skip("rc", "if read proto cookie; then :; fi\n", "rc script");
	expect_skip("x", "#!/bin/sh\necho hi\n", "a script");
	/* a key line anywhere: checked as keys, never skipped */
	t = xasprintf("Host x\n%s\n", ed_pub);
	expect_skip("config", t, NULL);
	free(t);
	t = xasprintf("environment=\"A=b\" %s\n", ed_pub);
	expect_skip("environment", t, NULL);
	free(t);
	t = xasprintf("#!/bin/sh\n%s\n", ed_pub);
	expect_skip("x", t, NULL);
	free(t);
	/* hostile or merely odd texts are not taken for a config */
	expect_skip("config", "", "without settings");
	expect_skip("x", "", NULL);
	expect_skip("x", "hello world\n", NULL);
	expect_skip("x", "Host\n", NULL);
	expect_skip("x", "Host\tprod\nwhat-is-this value\n", NULL);
	expect_skip("x", "=Host prod\n", NULL);
	expect_skip("x", "1A=b\n", NULL);
	expect_skip("x", "A=b\nc d\n", NULL);
	expect_skip("x", "#!", "a script");
}

static void
test_remote_output(void **state)
{
	struct key_report rep;
	struct cm_err err;
	struct buf t;

	(void)state;
	buf_init(&t, 0);
	buf_printf(&t,
	    "ctxmgr-keys 1\n1000\n600 1000\n700 1000\n755 1000\n"
	    "present\n%s\nrestrict %s\n",
	    ed_pub, rsa1024_pub);
	key_report_init(&rep);
	assert_int_equal(keycheck_remote_output("box:~/.ssh/authorized_keys",
			     t.data, t.len, &rep, &err),
	    0);
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.v[0].path, "box:~/.ssh/authorized_keys");
	assert_int_equal(rep.v[0].kind, KEY_KIND_AUTHORIZED);
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	assert_int_equal(rep.v[0].mode, 0600);
	assert_string_equal(rep.v[0].owner, "1000");
	assert_int_equal(rep.v[1].verdict, KEY_FAIL);
	assert_int_equal(rep.v[1].line, 2);
	key_report_release(&rep);

	/* what StrictModes refuses: a writable file, ~/.ssh or home, and
	 * another owner */
	buf_reset(&t);
	buf_printf(&t,
	    "ctxmgr-keys 1\n1000\n664 1000\n777 1000\n755 2000\n"
	    "present\n%s\n",
	    ed_pub);
	key_report_init(&rep);
	assert_int_equal(
	    keycheck_remote_output("box", t.data, t.len, &rep, &err), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.v[1].kind, KEY_KIND_FILE);
	expect_reason(
	    &rep.v[1], KEY_FAIL, "authorized_keys file has mode 0664");
	expect_reason(&rep.v[1], KEY_FAIL, "~/.ssh has mode 0777");
	expect_reason(
	    &rep.v[1], KEY_FAIL, "the home directory is owned by uid 2000");
	key_report_release(&rep);

	/* no file: a note; root-owned directories are fine */
	key_report_init(&rep);
	assert_int_equal(
	    keycheck_remote_output("box",
		"ctxmgr-keys 1\n0\n-\n700 0\n700 0\nabsent\n", 37, &rep, &err),
	    0);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].verdict, KEY_OK);
	expect_reason(&rep.v[0], KEY_OK, "no authorized_keys");
	key_report_release(&rep);

	/* an empty file is no failure */
	key_report_init(&rep);
	assert_int_equal(keycheck_remote_output("box",
			     "ctxmgr-keys 1\n0\n600 0\n700 0\n700 0\n"
			     "present\n",
			     42, &rep, &err),
	    0);
	assert_int_equal(rep.n, 0);
	key_report_release(&rep);

	/* anything else is refused, whole */
	static const char *const bad[] = { "", "hello\n",
		"ctxmgr-keys 2\n0\n-\n-\n-\nabsent\n",
		"ctxmgr-keys 1\nroot\n-\n-\n-\nabsent\n",
		"ctxmgr-keys 1\n0\n999 0\n-\n-\nabsent\n",
		"ctxmgr-keys 1\n0\n600\n-\n-\nabsent\n",
		"ctxmgr-keys 1\n0\n600 x\n-\n-\nabsent\n",
		"ctxmgr-keys 1\n0\n-\n-\n-\nmaybe\n",
		"ctxmgr-keys 1\n0\n-\n-\n-\nabsent\ntrailing\n",
		"ctxmgr-keys 1\n0\n-\n-\n-\nabsent",
		"ctxmgr-keys 1\n99999999999999999999999\n-\n-\n-\nabsent\n" };
	size_t i;
	for (i = 0; i < nitems(bad); i++) {
		key_report_init(&rep);
		assert_int_equal(keycheck_remote_output(
				     "box", bad[i], strlen(bad[i]), &rep, &err),
		    ERR_PROTO);
		assert_int_equal(rep.n, 0);
		key_report_release(&rep);
	}
	buf_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_policy),
		cmocka_unit_test(test_private_files),
		cmocka_unit_test(test_pem_sidecar),
		cmocka_unit_test(test_authorized_keys),
		cmocka_unit_test(test_known_hosts),
		cmocka_unit_test(test_bad_texts),
		cmocka_unit_test(test_unreadable_files),
		cmocka_unit_test(test_not_key_files),
		cmocka_unit_test(test_remote_output),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
