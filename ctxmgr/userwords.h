/*
 * userwords.h: the words a password must not lean on, for zxcvbn's user
 * dictionary -- user names, this machine's name, and every context name
 * with the users and hosts of its endpoint.  Used by `password check`,
 * `keys gen` and the CA when they rate a passphrase.
 */
#ifndef CTXMGR_USERWORDS_H
#define CTXMGR_USERWORDS_H

#include "ctxmgr/cmd.h"

/*
 * Fill `out` (NULL-terminated once non-empty): the names in `users` (may
 * be NULL), the login name, the host name, and from the store every
 * context name, endpoint user and host, each also split into its parts
 * at '.', '-', '_' and '+' ("acme-prod" adds "acme" and "prod",
 * "db.example.com" adds "db" and "example").
 * Words shorter than 3 characters are left out; a broken store is
 * skipped, never an error.
 */
void cmd_user_words(
    struct cmd_ctx *ctx, const struct strv *users, struct strv *out);

#endif
