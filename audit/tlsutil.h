/*
 * tlsutil.h: the OpenSSL set-up shared by the Engine API client and the
 * exposure probes: a client context from PEM text held in memory, the
 * peer name to check, and readable messages for OpenSSL's errors.
 */
#ifndef CTXMGR_TLSUTIL_H
#define CTXMGR_TLSUTIL_H

#include <openssl/ssl.h>

#include "common/err.h"

/*
 * A TLS client context (TLS 1.2 or later).  `ca` (empty: the system's
 * roots) is trusted when `verify`; `cert` and `key` (both or neither) are
 * presented as the client certificate.  The key text is read in place and
 * never copied.  NULL with err filled on failure.
 */
SSL_CTX *tls_client_ctx(const char *ca, size_t ca_len, const char *cert,
    size_t cert_len, const char *key, size_t key_len, int verify,
    struct cm_err *err);

/* SNI and, when verifying, the name or address the certificate must hold. */
int tls_set_peer_name(
    SSL *ssl, const char *host, int verify, struct cm_err *err);

/* Fill err with "what: <OpenSSL's reason>" and clear OpenSSL's queue. */
int tls_error(struct cm_err *err, const char *what);

/* Append the certificate verification failure, if that was the cause. */
void tls_verify_detail(SSL *ssl, struct cm_err *err);

/* 1 if `host` is a literal IPv4 or IPv6 address. */
int host_is_ip(const char *host);

#endif
