/*
 * err.h: the error convention.  Core functions return 0 on success or a
 * negative ERR_* code and fill a struct cm_err with a one-line message
 * (lower case, no final full stop, the subject in quotes).  Only main and
 * the shell decide what to print and which exit status to use.
 */
#ifndef CTXMGR_ERR_H
#define CTXMGR_ERR_H

#include "common/compat.h"

enum {
	ERR_OK = 0,
	ERR_FAIL = -1, /* generic failure */
	ERR_USAGE = -2, /* bad command line: exit status 2 */
	ERR_NOTFOUND = -3, /* context, file or object does not exist */
	ERR_EXISTS = -4, /* refusing to overwrite */
	ERR_INVALID = -5, /* malformed or hostile input */
	ERR_IO = -6, /* a system call failed */
	ERR_PERM = -7, /* unsafe permissions or ownership */
	ERR_TOOBIG = -8, /* input over its size cap */
	ERR_NOMEM = -9,
	ERR_AUTH = -10, /* authentication failed */
	ERR_HOSTKEY = -11, /* unknown or changed host key */
	ERR_NET = -12, /* connection failed or dropped */
	ERR_PROTO = -13, /* peer spoke something unexpected */
	ERR_CRYPTO = -14, /* a libcrypto call failed */
	ERR_TIMEOUT = -15,
	ERR_CANCEL = -16, /* the user cancelled (Ctrl-C, empty passphrase) */
};

struct cm_err {
	int code;
	char msg[1024];
};

/* Clear an error before use. */
void err_init(struct cm_err *e);

/* Set code and message; returns code so callers can `return err_set(...)`. */
int err_set(struct cm_err *e, int code, const char *fmt, ...) PRINTFLIKE(3, 4);

/* As err_set, appending ": strerror(errno)" for the current errno. */
int err_sys(struct cm_err *e, const char *fmt, ...) PRINTFLIKE(2, 3);

/* Prepend "prefix: " to an existing message; returns e->code. */
int err_prefix(struct cm_err *e, const char *fmt, ...) PRINTFLIKE(2, 3);

/* A short name for a code ("not found", "invalid input"). */
const char *err_name(int code);

#endif
