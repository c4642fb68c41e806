/* test-x509.c: keys, SANs, certificates, PEM, times, renewal rules. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "keystore/ca.h"
#include "keystore/x509.h"

static void
test_key_types(void **state)
{
	static const char *const names[] = { "ecdsa-p256", "ecdsa-p384",
		"ed25519", "rsa-3072" };
	enum x509_key_type t;
	struct cm_err err;
	EVP_PKEY *pk;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		assert_int_equal(x509_key_type_parse(names[i], &t, &err), 0);
		assert_string_equal(x509_key_type_name(t), names[i]);
		assert_int_equal(x509_keygen(t, &pk, &err), 0);
		assert_string_equal(x509_key_type_of(pk), names[i]);
		EVP_PKEY_free(pk);
	}
	assert_int_equal(x509_key_type_parse("dsa", &t, &err), ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown key type \"dsa\""));
	assert_int_equal(x509_key_type_parse("", &t, &err), ERR_USAGE);
}

static void
san_ok(const char *spec, const char *want)
{
	struct strv sv = { 0 };
	struct buf b;
	struct cm_err err;
	size_t i;

	if (x509_san_parse(spec, &sv, &err) != 0)
		fail_msg("%s: %s", spec, err.msg);
	buf_init(&b, 0);
	for (i = 0; i < sv.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", sv.v[i]);
	assert_string_equal(b.data, want);
	for (i = 0; i < sv.n; i++)
		assert_int_equal(x509_san_check(sv.v[i], &err), 0);
	buf_release(&b);
	strv_free(&sv);
}

static void
san_bad(const char *spec)
{
	struct strv sv = { 0 };
	struct cm_err err;

	if (x509_san_parse(spec, &sv, &err) != ERR_INVALID)
		fail_msg("accepted %s", spec);
	assert_non_null(strstr(err.msg, "subjectAltName"));
	strv_free(&sv);
}

static void
test_sans(void **state)
{
	(void)state;
	san_ok("DNS:docker.example.com", "DNS:docker.example.com");
	san_ok("dns:Docker.Example.COM , ip:127.0.0.1",
	    "DNS:docker.example.com,IP:127.0.0.1");
	san_ok("IP:::1,IP:[::1],IP:0:0::1", "IP:::1");
	san_ok("IP:2001:DB8::7", "IP:2001:db8::7");
	san_ok("DNS:*.example.com,DNS:localhost",
	    "DNS:*.example.com,DNS:localhost");
	san_ok("DNS:a-b.c1", "DNS:a-b.c1");
	san_bad("");
	san_bad("DNS:");
	san_bad("DNS:a,,DNS:b");
	san_bad("DNS:-a.com");
	san_bad("DNS:a-.com");
	san_bad("DNS:a..com");
	san_bad("DNS:a.com.");
	san_bad("DNS:a_b.com");
	san_bad("DNS:*.com");
	san_bad("DNS:a.*.com");
	san_bad("DNS:1.2.3.4");
	san_bad("DNS:caf\xc3\xa9.com");
	san_bad("DNS:a\nb");
	san_bad("IP:1.2.3");
	san_bad("IP:256.1.1.1");
	san_bad("IP:localhost");
	san_bad("URI:https://x");
	san_bad("email:a@b");
	san_bad("docker.example.com");
	/* 64-character label */
	san_bad(
	    "DNS:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa.com");
}

static void
test_times(void **state)
{
	char s[32];
	time_t t;

	(void)state;
	assert_int_equal(x509_time_parse("2025-01-31T12:34:56Z", &t), 0);
	x509_time_format(t, s);
	assert_string_equal(s, "2025-01-31T12:34:56Z");
	assert_int_equal(x509_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_not_equal(x509_time_parse("2025-02-30T00:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31 12:34:56Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31T12:34:56", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31T12:34:56Zx", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-1-31T12:34:56Z", &t), 0);
	assert_int_not_equal(x509_time_parse("+025-01-31T12:34:56Z", &t), 0);
	assert_int_not_equal(x509_time_parse("", &t), 0);
	assert_int_not_equal(x509_time_parse("2023-02-29T00:00:00Z", &t), 0);
	assert_int_equal(x509_time_parse("2024-02-29T23:59:59Z", &t), 0);
	assert_int_not_equal(x509_time_parse("1900-02-29T00:00:00Z", &t), 0);
	assert_int_equal(x509_time_parse("2000-02-29T00:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31T24:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31T12:60:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-31T12:00:60Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-00-10T12:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-13-10T12:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-00T12:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("2025-01-3 T12:00:00Z", &t), 0);
	assert_int_not_equal(x509_time_parse("1949-12-31T23:59:59Z", &t), 0);
}

static X509 *
make(enum cert_kind kind, const char *cn, const struct strv *sans,
    EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, time_t nb, time_t na)
{
	struct x509_req req;
	struct cm_err err;
	X509 *x = NULL;

	memset(&req, 0, sizeof(req));
	req.kind = kind;
	req.cn = cn;
	req.sans = sans;
	req.not_before = nb;
	req.not_after = na;
	req.key = key;
	req.issuer = issuer;
	req.issuer_key = issuer_key;
	if (x509_build(&req, &x, &err) != 0)
		fail_msg("build: %s", err.msg);
	return x;
}

static void
test_build_and_verify(void **state)
{
	EVP_PKEY *cakey, *skey, *ckey;
	X509 *ca, *srv, *cli, *old;
	struct strv sans = { 0 };
	struct x509_info info;
	struct cm_err err;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(x509_keygen(KEY_ED25519, &cakey, &err), 0);
	assert_int_equal(x509_keygen(KEY_ECDSA_P256, &skey, &err), 0);
	assert_int_equal(x509_keygen(KEY_ECDSA_P384, &ckey, &err), 0);
	ca = make(CERT_CA, "test CA", NULL, cakey, NULL, cakey, now - 86400,
	    now + 86400);
	strv_push(&sans, "DNS:localhost");
	strv_push(&sans, "IP:127.0.0.1");
	srv = make(
	    CERT_SERVER, "srv", &sans, skey, ca, cakey, now - 60, now + 3600);
	cli = make(
	    CERT_CLIENT, "cli", NULL, ckey, ca, cakey, now - 60, now + 3600);
	old = make(
	    CERT_CLIENT, "old", NULL, ckey, ca, cakey, now - 7200, now - 3600);

	assert_true(x509_issued_by(ca, ca));
	assert_true(x509_issued_by(srv, ca));
	assert_false(x509_issued_by(ca, srv));
	assert_int_equal(
	    x509_verify(ca, srv, X509_PURPOSE_SSL_SERVER, 0, &err), 0);
	assert_int_equal(
	    x509_verify(ca, cli, X509_PURPOSE_SSL_CLIENT, 0, &err), 0);
	assert_int_equal(x509_verify(ca, srv, X509_PURPOSE_SSL_CLIENT, 0, &err),
	    ERR_INVALID);
	assert_non_null(strstr(err.msg, "unsuitable certificate purpose"));
	assert_int_equal(x509_verify(ca, cli, X509_PURPOSE_SSL_SERVER, 0, &err),
	    ERR_INVALID);
	assert_int_equal(x509_verify(ca, old, X509_PURPOSE_SSL_CLIENT, 0, &err),
	    ERR_INVALID);
	assert_non_null(strstr(err.msg, "expired"));
	assert_int_equal(
	    x509_verify(ca, old, X509_PURPOSE_SSL_CLIENT, now - 5000, &err), 0);

	assert_int_equal(x509_info_get(srv, &info, &err), 0);
	assert_string_equal(info.subject, "CN=srv");
	assert_string_equal(info.issuer, "CN=test CA");
	assert_int_equal(info.sans.n, 2);
	assert_string_equal(info.sans.v[0], "DNS:localhost");
	assert_string_equal(info.sans.v[1], "IP:127.0.0.1");
	assert_string_equal(info.key_type, "ecdsa-p256");
	assert_true(info.server_auth);
	assert_false(info.client_auth);
	assert_false(info.is_ca);
	assert_int_equal(strlen(info.serial), 40);
	assert_int_equal(strlen(info.sha256), 64);
	assert_int_equal(info.not_after, now + 3600);
	x509_info_release(&info);
	assert_int_equal(x509_info_get(ca, &info, &err), 0);
	assert_true(info.is_ca);
	x509_info_release(&info);

	/* a server certificate needs names; only a CA is self-signed */
	{
		struct x509_req req;
		X509 *x = NULL;
		memset(&req, 0, sizeof(req));
		req.kind = CERT_SERVER;
		req.cn = "x";
		req.not_before = now;
		req.not_after = now + 10;
		req.key = skey;
		req.issuer = ca;
		req.issuer_key = cakey;
		assert_int_equal(x509_build(&req, &x, &err), ERR_INVALID);
		req.kind = CERT_CLIENT;
		req.issuer = NULL;
		assert_int_equal(x509_build(&req, &x, &err), ERR_INVALID);
		req.issuer = ca;
		req.not_after = now;
		assert_int_equal(x509_build(&req, &x, &err), ERR_INVALID);
		req.not_after = now + 10;
		req.cn = "";
		assert_int_equal(x509_build(&req, &x, &err), ERR_INVALID);
		assert_null(x);
	}
	strv_free(&sans);
	X509_free(ca);
	X509_free(srv);
	X509_free(cli);
	X509_free(old);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(skey);
	EVP_PKEY_free(ckey);
}

static void
test_pem_keys(void **state)
{
	struct buf enc, plain, sig;
	struct cm_err err;
	EVP_PKEY *pk, *back;

	(void)state;
	buf_init(&enc, 0);
	buf_init(&plain, 0);
	buf_init(&sig, 0);
	assert_int_equal(x509_keygen(KEY_ECDSA_P256, &pk, &err), 0);
	assert_int_equal(
	    x509_key_pem_encrypted(pk, "sekrit", 6, 2048, &enc, &err), 0);
	assert_true(enc.secret);
	assert_non_null(strstr(enc.data, "BEGIN ENCRYPTED PRIVATE KEY"));
	assert_int_equal(
	    x509_key_load(enc.data, enc.len, "wrong", 5, &back, &err),
	    ERR_AUTH);
	assert_null(back);
	assert_int_equal(x509_key_load(enc.data, enc.len, NULL, 0, &back, &err),
	    ERR_INVALID);
	assert_int_equal(
	    x509_key_load(enc.data, enc.len, "sekrit", 6, &back, &err), 0);
	assert_int_equal(EVP_PKEY_eq(pk, back), 1);
	EVP_PKEY_free(back);

	assert_int_equal(x509_key_pem(pk, &plain), 0);
	assert_non_null(strstr(plain.data, "-----BEGIN PRIVATE KEY-----"));
	assert_int_equal(
	    x509_key_load(plain.data, plain.len, NULL, 0, &back, &err), 0);
	assert_int_equal(EVP_PKEY_eq(pk, back), 1);
	EVP_PKEY_free(back);
	assert_int_equal(
	    x509_key_load("junk", 4, NULL, 0, &back, &err), ERR_INVALID);
	{
		/* legacy "Proc-Type: 4,ENCRYPTED" PEM without a passphrase */
		BIO *bio = BIO_new(BIO_s_mem());
		char *p;
		long n;
		assert_int_equal(PEM_write_bio_PrivateKey_traditional(bio, pk,
				     EVP_aes_128_cbc(), (unsigned char *)"pw",
				     2, NULL, NULL),
		    1);
		n = BIO_get_mem_data(bio, &p);
		assert_int_equal(
		    x509_key_load(p, (size_t)n, NULL, 0, &back, &err),
		    ERR_INVALID);
		assert_string_equal(err.msg, "the key is encrypted");
		BIO_free(bio);
	}
	assert_int_equal(
	    x509_key_pem_encrypted(pk, "", 0, 2048, &enc, &err), ERR_INVALID);

	assert_int_equal(x509_sign_data(pk, "data", 4, &sig, &err), 0);
	assert_int_equal(x509_verify_data(pk, "data", 4, sig.data, sig.len), 0);
	assert_int_equal(
	    x509_verify_data(pk, "datA", 4, sig.data, sig.len), ERR_INVALID);
	EVP_PKEY_free(pk);
	buf_release(&enc);
	buf_release(&plain);
	buf_release(&sig);
}

static void
test_renew_rule(void **state)
{
	struct ca_renew_rule rule;
	struct cm_err err;
	static const char *const bad[] = { "", "%", "0%", "100%", "-5%", "5",
		"5x", "d", "1.5d", "99999999999d" };
	size_t i;

	(void)state;
	rule.percent = CA_RENEW_PERCENT_DEFAULT;
	rule.seconds = 0;
	/* 90 days: due after 60 */
	assert_int_equal(ca_renew_at(0, 90 * 86400, &rule), 60 * 86400);
	assert_int_equal(ca_renew_rule_parse("25%", &rule, &err), 0);
	assert_int_equal(ca_renew_at(0, 100, &rule), 75);
	assert_int_equal(ca_renew_rule_parse("30d", &rule, &err), 0);
	assert_int_equal(rule.seconds, 30 * 86400);
	assert_int_equal(ca_renew_at(0, 90 * 86400, &rule), 60 * 86400);
	assert_int_equal(ca_renew_rule_parse("12h", &rule, &err), 0);
	assert_int_equal(rule.seconds, 12 * 3600);
	assert_int_equal(ca_renew_rule_parse("2w", &rule, &err), 0);
	assert_int_equal(rule.seconds, 14 * 86400);
	for (i = 0; i < nitems(bad); i++)
		assert_int_equal(
		    ca_renew_rule_parse(bad[i], &rule, &err), ERR_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_sans),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_build_and_verify),
		cmocka_unit_test(test_pem_keys),
		cmocka_unit_test(test_renew_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
