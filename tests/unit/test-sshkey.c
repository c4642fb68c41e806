/*
 * test-sshkey.c: the key parser and writer against keys ssh-keygen and
 * openssl make here, at test time (no private key is committed): types,
 * sizes and fingerprints as `ssh-keygen -l` gives them, encryption
 * facts, passphrase checks through our bcrypt_pbkdf, keys we write read
 * back by ssh-keygen, certificates, and damaged input of every kind.
 */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "common/file.h"
#include "keystore/sshkey.h"
#include "keystore/sshcodec.h"
#include "common/xmalloc.h"

#define PASS "unit test passphrase"

static char *dir;

static const struct gen {
	const char *type;
	int bits;
	const char *label;
} gens[] = {
	{ "dsa", 1024, "DSA" },
	{ "rsa", 1024, "RSA" },
	{ "rsa", 2048, "RSA" },
	{ "rsa", 3072, "RSA" },
	{ "rsa", 4096, "RSA" },
	{ "ecdsa", 256, "ECDSA" },
	{ "ecdsa", 384, "ECDSA" },
	{ "ecdsa", 521, "ECDSA" },
	{ "ed25519", 256, "ED25519" },
};

static char *path_of(const char *fmt, ...) PRINTFLIKE(1, 2);

static char *
path_of(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, 0);
	buf_printf(&b, "%s/", dir);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

static void
slurp(const char *path, struct buf *b)
{
	struct cm_err err;

	buf_init(b, 0);
	if (file_read(path, SSHKEY_FILE_MAX, 0, b, &err) != 0)
		fail_msg("%s", err.msg);
}

/* Parse the file `name` of the test directory into `k` (must succeed). */
static void
load(const char *name, struct sshkey_info *k)
{
	char *p = path_of("%s", name);
	struct cm_err err;
	struct buf b;

	slurp(p, &b);
	sshkey_info_init(k);
	if (sshkey_parse(b.data, b.len, k, &err) != 0)
		fail_msg("%s: %s", p, err.msg);
	buf_release(&b);
	free(p);
}

/* What `ssh-keygen -l -f path` says: bits, fingerprint, label. */
static void
keygen_l(const char *path, int *bits, char fp[64], char label[32])
{
	char cmd[1024], line[2048], *open, *close;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ssh-keygen -l -f '%s'", path);
	assert_non_null(f = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof(line), f));
	pclose(f);
	assert_int_equal(sscanf(line, "%d %63s", bits, fp), 2);
	open = strrchr(line, '(');
	close = strrchr(line, ')');
	assert_non_null(open);
	assert_non_null(close);
	snprintf(label, 32, "%.*s", (int)(close - open - 1), open + 1);
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	dir = unit_tmpdir();
	for (i = 0; i < nitems(gens); i++) {
		unit_run("ssh-keygen -q -t %s -b %d -N '' -C 'plain %s %d' -f "
			 "%s/%s%d",
		    gens[i].type, gens[i].bits, gens[i].type, gens[i].bits, dir,
		    gens[i].type, gens[i].bits);
		unit_run("ssh-keygen -q -t %s -b %d -N '" PASS
			 "' -C 'enc' -f %s/%s%d-enc",
		    gens[i].type, gens[i].bits, dir, gens[i].type,
		    gens[i].bits);
	}
	unit_run(
	    "ssh-keygen -q -t ed25519 -a 8 -N '" PASS "' -f %s/rounds8", dir);
	unit_run("ssh-keygen -q -t ed25519 -a 100 -N '" PASS
		 "' -f %s/rounds100",
	    dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	free(dir);
	return 0;
}

static void
check_against_keygen(const char *path, const char *label, int is_private)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b;
	char fp[64], kl[32];
	int bits;

	slurp(path, &b);
	sshkey_info_init(&k);
	if (sshkey_parse(b.data, b.len, &k, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	keygen_l(path, &bits, fp, kl);
	assert_string_equal(k.fingerprint, fp);
	assert_int_equal(k.bits, bits);
	assert_string_equal(sshkey_type_label(k.type), kl);
	assert_string_equal(sshkey_type_label(k.type), label);
	assert_int_equal(k.is_private, is_private);
	assert_true(k.known);
	sshkey_info_release(&k);
	buf_release(&b);
}

static void
test_keygen_keys(void **state)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(gens); i++) {
		p = path_of("%s%d", gens[i].type, gens[i].bits);
		check_against_keygen(p, gens[i].label, 1);
		/* unencrypted: the comment comes from the private part */
		slurp(p, &b);
		sshkey_info_init(&k);
		assert_int_equal(sshkey_parse(b.data, b.len, &k, &err), 0);
		assert_int_equal(k.encrypted, 0);
		assert_string_equal(k.cipher, "none");
		assert_int_equal(k.format, SSHKEY_FMT_OPENSSH);
		assert_non_null(k.comment);
		assert_true(strncmp(k.comment, "plain ", 6) == 0);
		sshkey_info_release(&k);
		buf_release(&b);
		free(p);

		p = path_of("%s%d.pub", gens[i].type, gens[i].bits);
		check_against_keygen(p, gens[i].label, 0);
		free(p);

		p = path_of("%s%d-enc", gens[i].type, gens[i].bits);
		check_against_keygen(p, gens[i].label, 1);
		slurp(p, &b);
		sshkey_info_init(&k);
		assert_int_equal(sshkey_parse(b.data, b.len, &k, &err), 0);
		assert_int_equal(k.encrypted, 1);
		assert_string_equal(k.cipher, "aes256-ctr");
		assert_string_equal(k.kdf, "bcrypt");
		assert_int_equal(k.kdf_rounds, 16);
		/* the comment is encrypted: not known without the passphrase */
		assert_null(k.comment);
		sshkey_info_release(&k);
		buf_release(&b);
		free(p);
	}
}

static void
expect_rounds(const char *name, unsigned long rounds)
{
	struct sshkey_info k;

	load(name, &k);
	assert_int_equal(k.kdf_rounds, rounds);
	sshkey_info_release(&k);
}

static void
test_kdf_rounds(void **state)
{
	(void)state;
	expect_rounds("rounds8", 8);
	expect_rounds("rounds100", 100);
}

/* Our bcrypt_pbkdf and decryption against ssh-keygen's encryption. */
static void
test_passphrase_check(void **state)
{
	struct cm_err err;
	struct buf b;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(gens); i++) {
		p = path_of("%s%d-enc", gens[i].type, gens[i].bits);
		slurp(p, &b);
		assert_int_equal(sshkey_check_passphrase(
				     b.data, b.len, PASS, strlen(PASS), &err),
		    0);
		assert_int_equal(
		    sshkey_check_passphrase(b.data, b.len, "wrong", 5, &err),
		    ERR_AUTH);
		assert_int_equal(
		    sshkey_check_passphrase(b.data, b.len, "", 0, &err),
		    ERR_AUTH);
		buf_release(&b);
		free(p);
	}
	p = path_of("rounds8");
	slurp(p, &b);
	assert_int_equal(
	    sshkey_check_passphrase(b.data, b.len, PASS, strlen(PASS), &err),
	    0);
	buf_release(&b);
	free(p);
}

/* The other ciphers ssh-keygen -Z offers: named, and decrypted where
 * OpenSSL has the cipher. */
static void
test_ciphers(void **state)
{
	static const char *const ciphers[] = { "aes128-ctr", "aes192-ctr",
		"aes128-cbc", "aes256-cbc", "aes128-gcm@openssh.com",
		"aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com" };
	struct sshkey_info k;
	struct cm_err err;
	struct buf b;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(ciphers); i++) {
		unit_run("ssh-keygen -q -t ed25519 -a 2 -Z %s -N '" PASS
			 "' -f %s/z%zu",
		    ciphers[i], dir, i);
		p = path_of("z%zu", i);
		slurp(p, &b);
		sshkey_info_init(&k);
		assert_int_equal(sshkey_parse(b.data, b.len, &k, &err), 0);
		assert_string_equal(k.cipher, ciphers[i]);
		assert_int_equal(k.kdf_rounds, 2);
		if (strncmp(ciphers[i], "chacha", 6) == 0) {
			assert_int_equal(sshkey_check_passphrase(b.data, b.len,
					     PASS, strlen(PASS), &err),
			    ERR_INVALID);
			assert_non_null(strstr(err.msg, "cannot decrypt"));
		} else {
			assert_int_equal(sshkey_check_passphrase(b.data, b.len,
					     PASS, strlen(PASS), &err),
			    0);
			assert_int_equal(sshkey_check_passphrase(
					     b.data, b.len, "nope", 4, &err),
			    ERR_AUTH);
		}
		sshkey_info_release(&k);
		buf_release(&b);
		free(p);
	}
}

/* Keys we write: ssh-keygen reads them, with and without passphrase. */
static void
test_written_keys(void **state)
{
	static const struct {
		enum sshkey_type type;
		int bits;
	} w[] = { { SSHKEY_ED25519, 0 }, { SSHKEY_ECDSA, 256 },
		{ SSHKEY_ECDSA, 384 }, { SSHKEY_ECDSA, 521 },
		{ SSHKEY_RSA, 2048 }, { SSHKEY_RSA, 3072 } };
	struct sshkey_info k;
	struct buf priv, pub, y;
	struct cm_err err;
	EVP_PKEY *pk;
	char *p, *pp, *yp;
	size_t i;
	int enc;

	(void)state;
	for (i = 0; i < nitems(w); i++)
		for (enc = 0; enc < 2; enc++) {
			assert_int_equal(
			    sshkey_generate(w[i].type, w[i].bits, &pk, &err),
			    0);
			buf_init(&priv, 0);
			buf_init(&pub, 0);
			assert_int_equal(
			    sshkey_write_private(pk, "written",
				enc ? PASS : NULL, enc ? strlen(PASS) : 0, 16,
				&priv, &err),
			    0);
			assert_true(priv.secret);
			assert_int_equal(
			    sshkey_write_public(pk, "written", &pub, &err), 0);
			p = path_of("w%zu-%d", i, enc);
			pp = path_of("w%zu-%d.pub", i, enc);
			yp = path_of("w%zu-%d.y", i, enc);
			assert_int_equal(file_write_atomic(p, priv.data,
					     priv.len, 0600, FILE_NOSYNC, &err),
			    0);
			assert_int_equal(file_write_atomic(pp, pub.data,
					     pub.len, 0644, FILE_NOSYNC, &err),
			    0);
			unit_run("ssh-keygen -y -P '%s' -f %s >%s",
			    enc ? PASS : "", p, yp);
			slurp(yp, &y);
			/* -y prints "type base64 comment" */
			assert_int_equal(y.len, pub.len);
			assert_memory_equal(y.data, pub.data, pub.len);
			buf_release(&y);
			check_against_keygen(
			    p, sshkey_type_label(w[i].type), 1);
			/* our own parser agrees, and so does our decryption */
			sshkey_info_init(&k);
			assert_int_equal(
			    sshkey_parse(priv.data, priv.len, &k, &err), 0);
			assert_int_equal(k.encrypted, enc);
			if (enc)
				assert_int_equal(k.kdf_rounds, 16);
			else
				assert_string_equal(k.comment, "written");
			assert_int_equal(
			    sshkey_check_passphrase(
				priv.data, priv.len, PASS, strlen(PASS), &err),
			    0);
			sshkey_info_release(&k);
			buf_release(&priv);
			buf_release(&pub);
			EVP_PKEY_free(pk);
			free(p);
			free(pp);
			free(yp);
		}
}

static void
test_generate_limits(void **state)
{
	struct cm_err err;
	EVP_PKEY *pk;

	(void)state;
	assert_int_equal(
	    sshkey_generate(SSHKEY_RSA, 512, &pk, &err), ERR_INVALID);
	assert_int_equal(
	    sshkey_generate(SSHKEY_RSA, 20000, &pk, &err), ERR_INVALID);
	assert_int_equal(
	    sshkey_generate(SSHKEY_ECDSA, 255, &pk, &err), ERR_INVALID);
	assert_int_equal(
	    sshkey_generate(SSHKEY_ED25519, 255, &pk, &err), ERR_INVALID);
	assert_int_equal(
	    sshkey_generate(SSHKEY_DSA, 1024, &pk, &err), ERR_INVALID);
	assert_null(pk);
}

/* PEM keys from openssl: PKCS#1, PKCS#8, SEC1, encrypted or not. */
static void
test_openssl_keys(void **state)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b;
	char *p, fp[64], label[32];
	int bits;

	(void)state;
	unit_run(
	    "cd %s && openssl genpkey -quiet -algorithm RSA -pkeyopt "
	    "rsa_keygen_bits:2048 -out rsa8.pem 2>/dev/null && "
	    "openssl rsa -in rsa8.pem -traditional -out rsa1.pem 2>/dev/null "
	    "&& "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 "
	    "-out ec8.pem && openssl ec -in ec8.pem -out sec1.pem 2>/dev/null "
	    "&& openssl genpkey -algorithm ED25519 -out ed8.pem && "
	    "openssl pkey -in ec8.pem -pubout -out ecpub.pem && "
	    "openssl genpkey -algorithm ED25519 -aes-256-cbc -pass pass:x "
	    "-out ed8enc.pem && openssl rsa -in rsa8.pem -traditional "
	    "-aes128 -passout pass:x -out rsa1enc.pem 2>/dev/null && "
	    "openssl pkcs8 -topk8 -in rsa8.pem -v1 PBE-SHA1-3DES -passout "
	    "pass:x -out rsa8pbes1.pem && openssl pkcs8 -topk8 -in rsa8.pem "
	    "-scrypt -passout pass:x -out rsa8scrypt.pem && "
	    "chmod 600 *.pem",
	    dir);

	static const struct {
		const char *file;
		enum sshkey_format fmt;
		const char *label;
		int keygen; /* ssh-keygen -l reads it */
	} pems[] = {
		{ "rsa8.pem", SSHKEY_FMT_PKCS8, "RSA", 1 },
		{ "rsa1.pem", SSHKEY_FMT_PKCS1, "RSA", 1 },
		{ "ec8.pem", SSHKEY_FMT_PKCS8, "ECDSA", 1 },
		{ "sec1.pem", SSHKEY_FMT_SEC1, "ECDSA", 1 },
		{ "ed8.pem", SSHKEY_FMT_PKCS8, "ED25519", 0 },
		{ "ecpub.pem", SSHKEY_FMT_SPKI, "ECDSA", 0 },
	};
	size_t i;
	for (i = 0; i < nitems(pems); i++) {
		p = path_of("%s", pems[i].file);
		slurp(p, &b);
		sshkey_info_init(&k);
		if (sshkey_parse(b.data, b.len, &k, &err) != 0)
			fail_msg("%s: %s", p, err.msg);
		assert_int_equal(k.format, pems[i].fmt);
		assert_string_equal(sshkey_type_label(k.type), pems[i].label);
		assert_int_equal(k.encrypted, 0);
		assert_int_equal(k.is_private, pems[i].fmt != SSHKEY_FMT_SPKI);
		if (pems[i].keygen) {
			keygen_l(p, &bits, fp, label);
			assert_string_equal(k.fingerprint, fp);
			assert_int_equal(k.bits, bits);
		}
		sshkey_info_release(&k);
		buf_release(&b);
		free(p);
	}
	/* the EC public key has the private key's fingerprint */
	{
		struct sshkey_info a, c;
		load("ec8.pem", &a);
		load("ecpub.pem", &c);
		assert_string_equal(a.fingerprint, c.fingerprint);
		assert_int_equal(a.bits, 384);
		sshkey_info_release(&a);
		sshkey_info_release(&c);
	}

	static const struct {
		const char *file;
		enum sshkey_format fmt;
		const char *kdf;
		const char *cipher;
		unsigned long rounds;
	} encs[] = {
		{ "ed8enc.pem", SSHKEY_FMT_PKCS8_ENC, "pbkdf2", "AES-256-CBC",
		    2048 },
		{ "rsa1enc.pem", SSHKEY_FMT_PKCS1, "md5", "AES-128-CBC", 1 },
		{ "rsa8pbes1.pem", SSHKEY_FMT_PKCS8_ENC, "pbes1",
		    "PBE-SHA1-3DES", 0 },
		{ "rsa8scrypt.pem", SSHKEY_FMT_PKCS8_ENC, "scrypt",
		    "AES-256-CBC", 16384 },
	};
	for (i = 0; i < nitems(encs); i++) {
		load(encs[i].file, &k);
		assert_int_equal(k.format, encs[i].fmt);
		assert_int_equal(k.encrypted, 1);
		assert_int_equal(k.is_private, 1);
		assert_int_equal(k.known, 0);
		assert_string_equal(k.kdf, encs[i].kdf);
		assert_string_equal(k.cipher, encs[i].cipher);
		assert_int_equal(k.kdf_rounds, encs[i].rounds);
		sshkey_info_release(&k);
	}
}

/* Public keys in RFC 4716 and PKCS#8 (SPKI) form, from ssh-keygen -e. */
static void
test_exported_public(void **state)
{
	struct sshkey_info a, k;

	(void)state;
	unit_run("cd %s && ssh-keygen -e -f rsa2048.pub >rsa.rfc && "
		 "ssh-keygen -e -m PKCS8 -f rsa2048.pub >rsa.spki && "
		 "ssh-keygen -e -f ed25519256.pub >ed.rfc",
	    dir);
	load("rsa2048.pub", &a);
	static const char *const files[] = { "rsa.rfc", "rsa.spki" };
	size_t i;
	for (i = 0; i < nitems(files); i++) {
		load(files[i], &k);
		assert_string_equal(k.fingerprint, a.fingerprint);
		assert_int_equal(k.bits, 2048);
		assert_int_equal(k.is_private, 0);
		sshkey_info_release(&k);
	}
	load("ed.rfc", &k);
	assert_int_equal(k.format, SSHKEY_FMT_RFC4716);
	assert_non_null(k.comment); /* ssh-keygen writes a Comment: header */
	sshkey_info_release(&k);
	sshkey_info_release(&a);
}

/* OpenSSH certificates: the certified key and the CA that signed it. */
static void
test_certificates(void **state)
{
	struct sshkey_info k, ca, user;
	char *p, fp[64], label[32];
	int bits;

	(void)state;
	unit_run("cd %s && cp ed25519256.pub user.pub && "
		 "ssh-keygen -q -s ecdsa256 -I 'key id' -n alice -V +1d "
		 "user.pub && cp rsa3072.pub host.pub && ssh-keygen -q -s "
		 "ed25519256 -I host -h -n box host.pub",
	    dir);
	load("user-cert.pub", &k);
	assert_true(k.cert);
	assert_false(k.cert_host);
	assert_string_equal(k.type_name, "ssh-ed25519-cert-v01@openssh.com");
	assert_string_equal(k.cert_key_id, "key id");
	assert_int_equal(k.ca_type, SSHKEY_ECDSA);
	assert_int_equal(k.ca_bits, 256);
	p = path_of("user-cert.pub");
	keygen_l(p, &bits, fp, label);
	free(p);
	assert_string_equal(k.fingerprint, fp);
	assert_string_equal(label, "ED25519-CERT");
	/* the fingerprints are those of the plain keys */
	load("ecdsa256.pub", &ca);
	assert_string_equal(k.ca_fingerprint, ca.fingerprint);
	load("user.pub", &user);
	assert_string_equal(k.fingerprint, user.fingerprint);
	sshkey_info_release(&k);
	sshkey_info_release(&ca);
	sshkey_info_release(&user);

	load("host-cert.pub", &k);
	assert_true(k.cert_host);
	assert_int_equal(k.type, SSHKEY_RSA);
	assert_int_equal(k.bits, 3072);
	assert_int_equal(k.ca_type, SSHKEY_ED25519);
	sshkey_info_release(&k);
}

/* Security-key (FIDO) public keys, built from ordinary keys' points:
 * type, size and fingerprint as ssh-keygen -l gives them. */
static void
test_sk_keys(void **state)
{
	struct sshkey_info ec, ed, k;
	struct cm_err err;
	struct buf blob, line;
	const unsigned char *t, *curve, *q, *pk;
	size_t tl, cl, ql, pl;
	struct sshrd r;
	char *p, fp[64], label[32];
	int bits;

	(void)state;
	load("ecdsa256.pub", &ec);
	load("ed25519256.pub", &ed);
	sshrd_init(&r, ec.blob, ec.bloblen);
	assert_int_equal(sshrd_string(&r, &t, &tl), 0);
	assert_int_equal(sshrd_string(&r, &curve, &cl), 0);
	assert_int_equal(sshrd_string(&r, &q, &ql), 0);
	sshrd_init(&r, ed.blob, ed.bloblen);
	assert_int_equal(sshrd_string(&r, &t, &tl), 0);
	assert_int_equal(sshrd_string(&r, &pk, &pl), 0);

	buf_init(&blob, 0);
	sshwr_cstring(&blob, "sk-ecdsa-sha2-nistp256@openssh.com");
	sshwr_string(&blob, curve, cl);
	sshwr_string(&blob, q, ql);
	sshwr_cstring(&blob, "ssh:");
	buf_init(&line, 0);
	buf_adds(&line, "sk-ecdsa-sha2-nistp256@openssh.com ");
	base64_encode(blob.data, blob.len, &line);
	buf_adds(&line, " fido\n");
	p = path_of("sk-ecdsa.pub");
	assert_int_equal(
	    file_write_atomic(p, line.data, line.len, 0644, FILE_NOSYNC, &err),
	    0);
	load("sk-ecdsa.pub", &k);
	assert_int_equal(k.type, SSHKEY_ECDSA_SK);
	keygen_l(p, &bits, fp, label);
	assert_string_equal(k.fingerprint, fp);
	assert_int_equal(k.bits, bits);
	assert_string_equal(label, "ECDSA-SK");
	sshkey_info_release(&k);
	free(p);

	buf_reset(&blob);
	buf_reset(&line);
	sshwr_cstring(&blob, "sk-ssh-ed25519@openssh.com");
	sshwr_string(&blob, pk, pl);
	sshwr_cstring(&blob, "ssh:");
	buf_adds(&line, "sk-ssh-ed25519@openssh.com ");
	base64_encode(blob.data, blob.len, &line);
	buf_adds(&line, "\n");
	p = path_of("sk-ed.pub");
	assert_int_equal(
	    file_write_atomic(p, line.data, line.len, 0644, FILE_NOSYNC, &err),
	    0);
	load("sk-ed.pub", &k);
	assert_int_equal(k.type, SSHKEY_ED25519_SK);
	keygen_l(p, &bits, fp, label);
	assert_string_equal(k.fingerprint, fp);
	assert_string_equal(label, "ED25519-SK");
	sshkey_info_release(&k);
	free(p);
	buf_release(&blob);
	buf_release(&line);
	sshkey_info_release(&ec);
	sshkey_info_release(&ed);
}

/* A blob we build, for hostile variations. */
static void
blob_ed25519(struct buf *b, size_t pklen)
{
	unsigned char pk[64];

	memset(pk, 7, sizeof(pk));
	buf_init(b, 0);
	sshwr_cstring(b, "ssh-ed25519");
	sshwr_string(b, pk, pklen);
}

static void
expect_blob_error(const struct buf *b, const char *needle)
{
	struct sshkey_info k;
	struct cm_err err;

	sshkey_info_init(&k);
	err_init(&err);
	assert_int_not_equal(
	    sshkey_parse_blob((const unsigned char *)b->data, b->len, &k, &err),
	    0);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.msg, needle);
	assert_int_equal(k.known, 0);
	sshkey_info_release(&k);
}

static void
test_hostile_blobs(void **state)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b;
	size_t i;

	(void)state;
	blob_ed25519(&b, 32);
	sshkey_info_init(&k);
	assert_int_equal(
	    sshkey_parse_blob((const unsigned char *)b.data, b.len, &k, &err),
	    0);
	sshkey_info_release(&k);
	/* every truncation fails cleanly */
	for (i = 0; i < b.len; i++) {
		struct buf t;
		buf_init(&t, 0);
		buf_add(&t, b.data, i);
		sshkey_info_init(&k);
		assert_int_not_equal(
		    sshkey_parse_blob(
			(const unsigned char *)t.data, t.len, &k, &err),
		    0);
		sshkey_info_release(&k);
		buf_release(&t);
	}
	/* trailing bytes */
	buf_addc(&b, 0);
	expect_blob_error(&b, "unexpected bytes");
	buf_release(&b);
	blob_ed25519(&b, 31);
	expect_blob_error(&b, "32 bytes");
	buf_release(&b);
	/* a length that points far past the end */
	blob_ed25519(&b, 32);
	b.data[15] = 0x7f;
	expect_blob_error(&b, "truncated");
	buf_release(&b);
	/* unknown type, with control characters kept out of the message */
	buf_init(&b, 0);
	sshwr_cstring(&b, "ssh-foo\x1b[31m");
	expect_blob_error(&b, "unknown key type \"ssh-foo?[31m\"");
	buf_release(&b);
	/* an RSA key with an even modulus */
	buf_init(&b, 0);
	sshwr_cstring(&b, "ssh-rsa");
	sshwr_mpint(&b, (const unsigned char *)"\x01\x00\x01", 3);
	sshwr_mpint(&b, (const unsigned char *)"\x80\x00", 2);
	expect_blob_error(&b, "not a valid RSA");
	buf_release(&b);
	/* an ECDSA point off the curve, and a curve mismatch */
	unsigned char q[65];
	memset(q, 1, sizeof(q));
	q[0] = 4;
	buf_init(&b, 0);
	sshwr_cstring(&b, "ecdsa-sha2-nistp256");
	sshwr_cstring(&b, "nistp256");
	sshwr_string(&b, q, sizeof(q));
	expect_blob_error(&b, "not a point on nistp256");
	buf_release(&b);
	buf_init(&b, 0);
	sshwr_cstring(&b, "ecdsa-sha2-nistp256");
	sshwr_cstring(&b, "nistp384");
	sshwr_string(&b, q, sizeof(q));
	expect_blob_error(&b, "curve does not match");
	buf_release(&b);
	/* a certificate cut short, and one signed by an unknown CA type */
	buf_init(&b, 0);
	sshwr_cstring(&b, "ssh-ed25519-cert-v01@openssh.com");
	sshwr_string(&b, "nonce", 5);
	expect_blob_error(&b, "truncated");
	buf_release(&b);
	/* oversized */
	buf_init(&b, 0);
	sshwr_cstring(&b, "ssh-ed25519");
	for (i = 0; i < SSHKEY_BLOB_MAX; i++)
		buf_addc(&b, 0);
	expect_blob_error(&b, "more than the");
	buf_release(&b);
}

static void
expect_line(const char *line, int ok, const char *needle)
{
	struct sshkey_info k;
	struct cm_err err;
	int r;

	sshkey_info_init(&k);
	err_init(&err);
	r = sshkey_parse_public_line(line, strlen(line), &k, &err);
	if (ok && r != 0)
		fail_msg("\"%s\": %s", line, err.msg);
	if (!ok && r == 0)
		fail_msg("\"%s\" was accepted", line);
	if (needle != NULL &&
	    strstr(ok ? (k.comment ? k.comment : "") : err.msg, needle) == NULL)
		fail_msg("\"%s\": \"%s\" lacks \"%s\"", line,
		    ok ? k.comment : err.msg, needle);
	sshkey_info_release(&k);
}

static void
test_public_lines(void **state)
{
	struct buf b, line;
	char *p;

	(void)state;
	p = path_of("ed25519256.pub");
	slurp(p, &b);
	buf_rtrim(&b);
	free(p);
	expect_line(b.data, 1, "plain ed25519");
	/* comment control characters are replaced */
	buf_init(&line, 0);
	buf_printf(&line, "%.*s a\x1b]0;x\x07z", 80, b.data);
	expect_line(line.data, 1, "a?]0;x?z");
	buf_release(&line);
	/* the type word must match the blob */
	buf_init(&line, 0);
	buf_printf(&line, "ssh-rsa %s", b.data + strlen("ssh-ed25519 "));
	expect_line(line.data, 0, "says \"ssh-rsa\"");
	buf_release(&line);
	expect_line("ssh-ed25519", 0, "TYPE BASE64");
	expect_line("ssh-ed25519 AAAA====", 0, "base64");
	expect_line("ssh-ed25519 !!!!", 0, "base64");
	expect_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", 0, "truncated");
	expect_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE", 0, "base64");
	expect_line("ssh-xyz AAAA", 0, "unknown key type");
	expect_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", 0, "truncated");
	buf_release(&b);
}

/* Every prefix and many bit flips of a private key file: no crash, no
 * success but for the whole file. */
static void
test_damaged_private(void **state)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b, dec, t;
	char *p;
	size_t i, ok = 0;
	const char *body;

	(void)state;
	p = path_of("rsa2048-enc");
	slurp(p, &b);
	free(p);
	for (i = 0; i <= b.len; i++) {
		sshkey_info_init(&k);
		if (sshkey_parse(b.data, i, &k, &err) == 0)
			ok++;
		sshkey_info_release(&k);
	}
	/* only the whole file, and the file less its final newline */
	assert_int_equal(ok, 2);
	for (i = 0; i < b.len; i += 7) {
		b.data[i] ^= 0x20;
		sshkey_info_init(&k);
		(void)sshkey_parse(b.data, b.len, &k, &err);
		sshkey_info_release(&k);
		b.data[i] ^= 0x20;
	}
	/* the decoded bytes cut at every length, re-armoured */
	buf_init(&dec, 0);
	body = b.data + strlen("-----BEGIN OPENSSH PRIVATE KEY-----\n");
	{
		struct buf b64;
		const char *c;
		buf_init(&b64, 0);
		for (c = body; *c != '-'; c++)
			if (*c != '\n')
				buf_addc(&b64, *c);
		assert_int_equal(base64_decode(b64.data, b64.len, &dec), 0);
		buf_release(&b64);
	}
	for (i = 0; i < dec.len; i++) {
		buf_init(&t, 0);
		buf_adds(&t, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
		base64_encode(dec.data, i, &t);
		buf_adds(&t, "\n-----END OPENSSH PRIVATE KEY-----\n");
		sshkey_info_init(&k);
		err_init(&err);
		assert_int_not_equal(sshkey_parse(t.data, t.len, &k, &err), 0);
		assert_true(err.msg[0] != '\0');
		sshkey_info_release(&k);
		buf_release(&t);
	}
	buf_release(&dec);
	buf_release(&b);
}

/* Damage in an unencrypted private part is found: check words, padding,
 * a private key that does not match its public key. */
static void
test_damaged_plain_private(void **state)
{
	struct sshkey_info k;
	struct cm_err err;
	struct buf b, dec, t, b64;
	const char *c;
	char *p;
	size_t i, fails = 0;

	(void)state;
	p = path_of("ed25519256");
	slurp(p, &b);
	free(p);
	buf_init(&b64, 0);
	buf_init(&dec, 0);
	for (c = b.data + 36; *c != '-'; c++)
		if (*c != '\n')
			buf_addc(&b64, *c);
	assert_int_equal(base64_decode(b64.data, b64.len, &dec), 0);
	/* flip each byte of the private part (the last 144 bytes or so) */
	for (i = dec.len - 140; i < dec.len; i++) {
		dec.data[i] ^= 1;
		buf_init(&t, 0);
		buf_adds(&t, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
		base64_encode(dec.data, dec.len, &t);
		buf_adds(&t, "\n-----END OPENSSH PRIVATE KEY-----\n");
		sshkey_info_init(&k);
		if (sshkey_parse(t.data, t.len, &k, &err) != 0)
			fails++;
		sshkey_info_release(&k);
		buf_release(&t);
		dec.data[i] ^= 1;
	}
	/* all but the comment bytes and the seed half of the secret key */
	assert_true(fails >= 60);
	buf_release(&dec);
	buf_release(&b64);
	buf_release(&b);
}

static void
expect_file_error(const char *text, size_t len, int code, const char *needle)
{
	struct sshkey_info k;
	struct cm_err err;

	sshkey_info_init(&k);
	err_init(&err);
	assert_int_equal(sshkey_parse(text, len, &k, &err), code);
	if (needle != NULL && strstr(err.msg, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
	sshkey_info_release(&k);
}

static void
test_wrong_files(void **state)
{
	(void)state;
	expect_file_error("", 0, ERR_INVALID, "empty");
	expect_file_error("\x7f"
			  "ELF\0\0",
	    6, ERR_INVALID, "binary");
	expect_file_error("hello world\n", 12, ERR_NOTFOUND, NULL);
	expect_file_error("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
			  "CERTIFICATE-----\n",
	    58, ERR_INVALID, "CERTIFICATE");
	expect_file_error("x\n-----BEGIN OPENSSH PRIVATE KEY-----\n", 38,
	    ERR_INVALID, "text before");
	expect_file_error("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n", 41,
	    ERR_INVALID, "truncated");
	expect_file_error("-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n-----END "
			  "OPENSSH PRIVATE KEY-----\n",
	    75, ERR_INVALID, "base64");
	expect_file_error("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END "
			  "OPENSSH PRIVATE KEY-----\n",
	    75, ERR_INVALID, "magic");
	expect_file_error("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA "
			  "PRIVATE KEY-----\n",
	    67, ERR_INVALID, "corrupted");
	expect_file_error("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n", 37,
	    ERR_INVALID, "truncated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_keys),
		cmocka_unit_test(test_kdf_rounds),
		cmocka_unit_test(test_passphrase_check),
		cmocka_unit_test(test_ciphers),
		cmocka_unit_test(test_written_keys),
		cmocka_unit_test(test_generate_limits),
		cmocka_unit_test(test_openssl_keys),
		cmocka_unit_test(test_exported_public),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_sk_keys),
		cmocka_unit_test(test_hostile_blobs),
		cmocka_unit_test(test_public_lines),
		cmocka_unit_test(test_damaged_private),
		cmocka_unit_test(test_damaged_plain_private),
		cmocka_unit_test(test_wrong_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
