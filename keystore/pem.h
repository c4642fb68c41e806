/*
 * pem.h: checks on PEM input handed to ctxmgr (context TLS files, CA
 * input).  Nothing is trusted: sizes are capped by the caller, and every
 * failure is a message, never a crash.
 */
#ifndef CTXMGR_PEM_H
#define CTXMGR_PEM_H

#include "common/err.h"

/* A pem_password_cb that refuses, so OpenSSL never prompts on the tty. */
int pem_no_passphrase(char *buf, int size, int rwflag, void *u);

/* 1 if the text holds an encrypted private key (PKCS#8 or legacy PEM). */
int pem_key_is_encrypted(const char *data, size_t len);

/* The text holds at least one certificate and nothing unparsable. */
int pem_check_certs(
    const char *data, size_t len, const char *what, struct cm_err *err);

/* The text holds one unencrypted private key Docker can use. */
int pem_check_key(
    const char *data, size_t len, const char *what, struct cm_err *err);

/* The first certificate in `cert` belongs to the key in `key`. */
int pem_check_pair(const char *cert, size_t cert_len, const char *key,
    size_t key_len, struct cm_err *err);

#endif
