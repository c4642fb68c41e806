/* test-knownhosts.c: known_hosts matching, hashing, markers, writing. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/file.h"
#include "tunnel/knownhosts.h"
#include "keystore/sshcodec.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

/* A synthetic public blob: string type, string 32 bytes of `fill`. */
static void
make_blob(const char *type, int fill, struct buf *out)
{
	unsigned char len[4];
	size_t n = strlen(type);

	buf_reset(out);
	len[0] = len[1] = 0;
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	buf_add(out, len, 4);
	buf_add(out, type, n);
	len[3] = 32;
	len[2] = 0;
	buf_add(out, len, 4);
	for (int i = 0; i < 32; i++)
		buf_addc(out, fill);
}

/* "hosts type base64" */
static char *
line_for(const char *hosts, const char *type, int fill)
{
	struct buf blob, b64;
	char *s;

	buf_init(&blob, 0);
	buf_init(&b64, 0);
	make_blob(type, fill, &blob);
	base64_encode(blob.data, blob.len, &b64);
	s = xasprintf("%s %s %s", hosts, type, b64.data);
	buf_release(&blob);
	buf_release(&b64);
	return s;
}

static char *
hashed(const char *name)
{
	unsigned char salt[20], md[20];
	unsigned int mdlen = 0;
	struct buf a, b;
	char *s;

	for (int i = 0; i < 20; i++)
		salt[i] = (unsigned char)(i * 7 + 1);
	HMAC(EVP_sha1(), salt, sizeof(salt), (const unsigned char *)name,
	    strlen(name), md, &mdlen);
	buf_init(&a, 0);
	buf_init(&b, 0);
	base64_encode(salt, sizeof(salt), &a);
	base64_encode(md, mdlen, &b);
	s = xasprintf("|1|%s|%s", a.data, b.data);
	buf_release(&a);
	buf_release(&b);
	return s;
}

static enum kh_result
check(const struct known_hosts *kh, const char *name, const char *type,
    int fill, const struct kh_entry **known)
{
	struct buf blob;
	enum kh_result r;

	buf_init(&blob, 0);
	make_blob(type, fill, &blob);
	r = knownhosts_check(
	    kh, name, (unsigned char *)blob.data, blob.len, known);
	buf_release(&blob);
	return r;
}

static void
test_match(void **state)
{
	struct known_hosts kh;
	const struct kh_entry *k;
	struct buf text;
	char *h, *l;

	(void)state;
	knownhosts_init(&kh);
	buf_init(&text, 0);
	l = line_for("plain.example,10.0.0.1", "ssh-ed25519", 1);
	buf_printf(&text, "# comment\n\n%s\n", l);
	free(l);
	l = line_for("[plain.example]:2222", "ssh-ed25519", 2);
	buf_printf(&text, "%s\n", l);
	free(l);
	h = hashed("[hashed.example]:2200");
	l = line_for(h, "ecdsa-sha2-nistp256", 3);
	buf_printf(&text, "%s\r\n", l);
	free(l);
	free(h);
	l = line_for("*.wild.example,!bad.wild.example", "ssh-rsa", 4);
	buf_printf(&text, "%s\n", l);
	free(l);
	l = line_for("@revoked *", "ssh-ed25519", 9);
	buf_printf(&text, "%s\n", l);
	free(l);
	l = line_for("@cert-authority *.example", "ssh-ed25519", 8);
	buf_printf(&text, "%s\n", l);
	free(l);
	/* junk that must be skipped, not fatal */
	buf_adds(&text,
	    "garbage\nhost ssh-ed25519 !!!notbase64\n"
	    "host ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIA==\n");
	knownhosts_parse(&kh, text.data, text.len, "kh");
	assert_int_equal(kh.n, 5);
	assert_int_equal(kh.bad_lines, 3);

	assert_int_equal(
	    check(&kh, "plain.example", "ssh-ed25519", 1, &k), KH_MATCH);
	assert_int_equal(
	    check(&kh, "10.0.0.1", "ssh-ed25519", 1, &k), KH_MATCH);
	/* port 22 entries do not answer for other ports, as in ssh */
	assert_int_equal(
	    check(&kh, "[plain.example]:2222", "ssh-ed25519", 1, &k),
	    KH_CHANGED);
	assert_int_equal(
	    check(&kh, "[plain.example]:2222", "ssh-ed25519", 2, &k), KH_MATCH);
	assert_int_equal(
	    check(&kh, "[plain.example]:2223", "ssh-ed25519", 2, &k),
	    KH_UNKNOWN);
	assert_int_equal(
	    check(&kh, "plain.example", "ssh-ed25519", 5, &k), KH_CHANGED);
	assert_non_null(k);
	assert_int_equal(k->line, 3);
	assert_int_equal(
	    check(&kh, "[hashed.example]:2200", "ecdsa-sha2-nistp256", 3, &k),
	    KH_MATCH);
	assert_int_equal(
	    check(&kh, "hashed.example", "ecdsa-sha2-nistp256", 3, &k),
	    KH_UNKNOWN);
	assert_int_equal(
	    check(&kh, "a.wild.example", "ssh-rsa", 4, &k), KH_MATCH);
	assert_int_equal(
	    check(&kh, "bad.wild.example", "ssh-rsa", 4, &k), KH_UNKNOWN);
	/* another type known for the host: refused as changed */
	assert_int_equal(
	    check(&kh, "plain.example", "ssh-rsa", 1, &k), KH_CHANGED);
	assert_string_equal(k->type, "ssh-ed25519");
	assert_int_equal(
	    check(&kh, "anything", "ssh-ed25519", 9, &k), KH_REVOKED);

	struct strv types = { 0 };
	knownhosts_types(&kh, "plain.example", &types);
	assert_int_equal(types.n, 1);
	assert_string_equal(types.v[0], "ssh-ed25519");
	strv_free(&types);

	h = knownhosts_name("h", 22);
	assert_string_equal(h, "h");
	free(h);
	h = knownhosts_name("h", 2222);
	assert_string_equal(h, "[h]:2222");
	free(h);
	knownhosts_release(&kh);
	buf_release(&text);
}

static void
test_add(void **state)
{
	char *dir = unit_tmpdir(), *path, *h;
	struct known_hosts kh;
	const struct kh_entry *k;
	struct buf blob;
	struct cm_err err;
	struct stat st;

	(void)state;
	path = xasprintf("%s/sub/known_hosts", dir);
	buf_init(&blob, 0);
	make_blob("ssh-ed25519", 7, &blob);
	assert_int_equal(knownhosts_add(path, "[new.example]:2222",
			     (unsigned char *)blob.data, blob.len, &err),
	    0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	h = path_dirname(path);
	assert_int_equal(stat(h, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(h);
	make_blob("ecdsa-sha2-nistp256", 8, &blob);
	assert_int_equal(knownhosts_add(path, "other",
			     (unsigned char *)blob.data, blob.len, &err),
	    0);
	knownhosts_init(&kh);
	assert_int_equal(knownhosts_load(&kh, path, &err), 0);
	assert_int_equal(kh.n, 2);
	assert_int_equal(
	    check(&kh, "[new.example]:2222", "ssh-ed25519", 7, &k), KH_MATCH);
	assert_int_equal(
	    check(&kh, "other", "ecdsa-sha2-nistp256", 8, &k), KH_MATCH);
	knownhosts_release(&kh);
	/* a blob that is not a key is refused */
	assert_int_not_equal(knownhosts_add(path, "x",
				 (const unsigned char *)"\0\0\0\x09", 4, &err),
	    0);
	buf_release(&blob);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static void
test_fingerprint(void **state)
{
	/* ssh-keygen -lf of this key prints this fingerprint */
	static const char pub[] =
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6QbbLDejtHRM4chAwLCkGMnE3avC"
	    "TXQEaooTmyyfsG x";
	struct sshkey_info k;
	struct cm_err err;
	char fp[64], type[64];

	(void)state;
	sshkey_info_init(&k);
	assert_int_equal(
	    sshkey_parse_public_line(pub, strlen(pub), &k, &err), 0);
	sshkey_fingerprint(k.blob, k.bloblen, fp);
	assert_string_equal(
	    fp, "SHA256:Gc/b0COgQIpwN9tQGTXxkSfHdicVzRt/Ls4pbaLpVMg");
	assert_int_equal(sshkey_blob_type(k.blob, k.bloblen, type, 64), 0);
	assert_string_equal(type, "ssh-ed25519");
	assert_string_equal(sshkey_type_name_label(type), "ED25519");
	/* the name only: shorter than a length, or not printable */
	assert_int_equal(sshkey_blob_type(k.blob, 3, type, 64), -1);
	assert_int_equal(sshkey_blob_type(k.blob, k.bloblen, type, 11), -1);
	sshkey_info_release(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_fingerprint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
