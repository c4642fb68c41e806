/* tlsutil.c: OpenSSL client set-up (see tlsutil.h). */
#include "common/compat.h"

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "audit/tlsutil.h"

int
host_is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

int
tls_error(struct cm_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return err_set(
	    err, ERR_CRYPTO, "%s: %s", what, reason ? reason : "TLS failure");
}

void
tls_verify_detail(SSL *ssl, struct cm_err *err)
{
	long v = SSL_get_verify_result(ssl);
	size_t len = strlen(err->msg);

	if (v != X509_V_OK)
		snprintf(err->msg + len, sizeof(err->msg) - len, " (%s)",
		    X509_verify_cert_error_string(v));
}

/* Add every certificate in the PEM text to the trust store. */
static int
load_ca(SSL_CTX *ctx, const char *ca, size_t len, struct cm_err *err)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = BIO_new_mem_buf(ca, (int)len);
	X509 *x;
	int n = 0;

	if (bio == NULL)
		return tls_error(err, "cannot read the CA certificates");
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) == 1)
			n++;
		X509_free(x);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (n == 0)
		return err_set(err, ERR_INVALID, "no usable CA certificate");
	return 0;
}

static int
load_pair(SSL_CTX *ctx, const char *cert, size_t cert_len, const char *key,
    size_t key_len, struct cm_err *err)
{
	BIO *bio = BIO_new_mem_buf(cert, (int)cert_len);
	EVP_PKEY *pk = NULL;
	X509 *x;
	int r = 0, first = 1;

	if (bio == NULL)
		return tls_error(err, "cannot read the client certificate");
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		int ok = first ? SSL_CTX_use_certificate(ctx, x)
			       : SSL_CTX_add0_chain_cert(ctx, x);
		if (first || ok != 1)
			X509_free(x);
		if (ok != 1) {
			r = tls_error(err, "cannot use the client certificate");
			break;
		}
		first = 0;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (r == 0 && first)
		r = err_set(
		    err, ERR_INVALID, "no certificate in the client cert");
	if (r != 0)
		return r;
	if ((bio = BIO_new_mem_buf(key, (int)key_len)) == NULL)
		return tls_error(err, "cannot read the client key");
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk == NULL)
		return tls_error(err, "cannot read the client key");
	if (SSL_CTX_use_PrivateKey(ctx, pk) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		r = tls_error(
		    err, "the client key does not fit its certificate");
	EVP_PKEY_free(pk);
	return r;
}

SSL_CTX *
tls_client_ctx(const char *ca, size_t ca_len, const char *cert, size_t cert_len,
    const char *key, size_t key_len, int verify, struct cm_err *err)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		tls_error(err, "cannot set up TLS");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (verify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (ca != NULL && ca_len > 0) {
			if (load_ca(ctx, ca, ca_len, err) != 0)
				goto fail;
		} else
			SSL_CTX_set_default_verify_paths(ctx);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (cert != NULL && cert_len > 0 && key != NULL && key_len > 0 &&
	    load_pair(ctx, cert, cert_len, key, key_len, err) != 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
tls_set_peer_name(SSL *ssl, const char *host, int verify, struct cm_err *err)
{
	if (host == NULL)
		return 0;
	if (host_is_ip(host)) {
		if (verify &&
		    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) !=
			1)
			return tls_error(
			    err, "cannot set the address to check");
		return 0;
	}
	if (SSL_set_tlsext_host_name(ssl, host) != 1)
		return tls_error(err, "cannot set the server name");
	if (verify && SSL_set1_host(ssl, host) != 1)
		return tls_error(err, "cannot set the name to check");
	return 0;
}
