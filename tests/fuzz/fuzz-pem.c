/*
 * fuzz-pem.c: PEM input the CA and the context commands accept:
 * certificates (and the facts read from them), private keys, the pem.c
 * checks, and the subjectAltName and time parsers.
 */
#include "common/compat.h"

#include "keystore/pem.h"
#include "keystore/x509.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	STACK_OF(X509) *sk = NULL;
	struct x509_info info;
	struct strv sans = { 0 };
	struct cm_err err;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	char *text, *cn;
	time_t t;

	if (x509_cert_load(s, size, "input", &x, &err) == 0) {
		if (x509_info_get(x, &info, &err) == 0) {
			if (strlen(info.serial) >= sizeof(info.serial))
				abort();
			x509_info_release(&info);
		}
		cn = x509_common_name(x);
		free(cn);
		(void)x509_issued_by(x, x);
		X509_free(x);
	}
	if (x509_certs_load(s, size, "input", &sk, &err) == 0)
		sk_X509_pop_free(sk, X509_free);
	/* never a passphrase: an input could ask for 2^31 KDF rounds */
	if (x509_key_load(s, size, NULL, 0, &pk, &err) == 0) {
		(void)x509_key_type_of(pk);
		EVP_PKEY_free(pk);
	}
	(void)pem_key_is_encrypted(s, size);
	(void)pem_check_certs(s, size, "input", &err);
	(void)pem_check_key(s, size, "input", &err);
	if (size < 4096) {
		text = xstrndup(s, size);
		if (x509_san_parse(text, &sans, &err) == 0)
			for (size_t i = 0; i < sans.n; i++)
				if (x509_san_check(sans.v[i], &err) != 0)
					abort();
		strv_free(&sans);
		(void)x509_time_parse(text, &t);
		free(text);
	}
	return 0;
}
