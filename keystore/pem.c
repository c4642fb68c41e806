/* pem.c: PEM certificate and key checks (see pem.h). */
#include "common/compat.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "keystore/pem.h"

int
pem_key_is_encrypted(const char *data, size_t len)
{
	static const char *const marks[] = { "-----BEGIN ENCRYPTED PRIVATE KEY",
		"Proc-Type: 4,ENCRYPTED" };
	size_t i;

	for (i = 0; i < nitems(marks); i++)
		if (memmem(data, len, marks[i], strlen(marks[i])) != NULL)
			return 1;
	return 0;
}

int
pem_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
pem_check_certs(
    const char *data, size_t len, const char *what, struct cm_err *err)
{
	BIO *bio;
	X509 *x;
	int n = 0;

	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "%s is too big", what);
	if (memmem(data, len, "-----BEGIN ", 11) == NULL)
		return err_set(err, ERR_INVALID,
		    "%s is not a PEM file (no \"-----BEGIN\" line)", what);
	bio = BIO_new_mem_buf(data, (int)len);
	while ((x = PEM_read_bio_X509(bio, NULL, pem_no_passphrase, NULL)) !=
	    NULL) {
		X509_free(x);
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (n == 0)
		return err_set(
		    err, ERR_INVALID, "%s holds no PEM certificate", what);
	return 0;
}

int
pem_check_key(
    const char *data, size_t len, const char *what, struct cm_err *err)
{
	EVP_PKEY *pk;
	BIO *bio;

	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "%s is too big", what);
	if (memmem(data, len, "-----BEGIN ", 11) == NULL)
		return err_set(err, ERR_INVALID,
		    "%s is not a PEM file (no \"-----BEGIN\" line)", what);
	if (pem_key_is_encrypted(data, len))
		return err_set(err, ERR_INVALID,
		    "%s is encrypted: Docker cannot use encrypted client keys "
		    "(decrypt a copy with \"openssl pkey -in KEY -out "
		    "KEY.plain\")",
		    what);
	bio = BIO_new_mem_buf(data, (int)len);
	pk = PEM_read_bio_PrivateKey(bio, NULL, pem_no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pk == NULL)
		return err_set(err, ERR_INVALID,
		    "%s holds no usable PEM private key", what);
	EVP_PKEY_free(pk);
	return 0;
}

int
pem_check_pair(const char *cert, size_t cert_len, const char *key,
    size_t key_len, struct cm_err *err)
{
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	BIO *bio;
	int r;

	if (cert_len > INT32_MAX || key_len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "certificate or key too big");
	bio = BIO_new_mem_buf(cert, (int)cert_len);
	x = PEM_read_bio_X509(bio, NULL, pem_no_passphrase, NULL);
	BIO_free(bio);
	bio = BIO_new_mem_buf(key, (int)key_len);
	pk = PEM_read_bio_PrivateKey(bio, NULL, pem_no_passphrase, NULL);
	BIO_free(bio);
	if (x == NULL || pk == NULL)
		r = err_set(
		    err, ERR_INVALID, "cannot read the certificate or the key");
	else if (X509_check_private_key(x, pk) != 1)
		r = err_set(err, ERR_INVALID,
		    "the certificate does not match the private key");
	else
		r = 0;
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(pk);
	return r;
}
