/*
 * pins.h: the direct contexts a user pinned to the tunnel service.
 *
 * A direct context (a plain Docker ssh:// endpoint) is served by the
 * tunnel service only once `tunnel start`, `env`, `exec`, `shell` or
 * `audit` asked for it; the run dir's `_pins` file lists those, one a
 * line:
 *
 *	NAME MODE NOPING PORT
 *
 * MODE auto|streamlocal|dial-stdio, NOPING 0|1, PORT the --listen port
 * on 127.0.0.1 (0: none).  Lines that do not parse are skipped.  The
 * file must be a regular file of this user, mode 0600 (no symlink is
 * followed); it is rewritten atomically under `_pins.lock`.
 */
#ifndef CTXMGR_PINS_H
#define CTXMGR_PINS_H

#include "common/err.h"
#include "tunnel/ssh.h"

#define PINS_FILE "_pins"
#define PINS_LOCK "_pins.lock"
#define PINS_MAX_BYTES (1 << 20)

struct pin {
	char name[256];
	enum tunnel_mode mode;
	int no_ping;
	int port; /* 127.0.0.1:PORT, 0 none */
};

/* Parse `len` bytes (untrusted): the valid lines into a new list, the
 * count of skipped ones into *badp (may be NULL).  A later line of a
 * name replaces an earlier one. */
void pins_parse(
    const char *data, size_t len, struct pin **listp, size_t *np, size_t *badp);

/* The pins of `run_dir`: none when there is no file; ERR_PERM for a
 * symlink, a non-regular file, another user's or one others may read. */
int pins_load(
    const char *run_dir, struct pin **listp, size_t *np, struct cm_err *err);

/*
 * Under the lock: take `name` out (its old pin into *oldp when oldp is
 * not NULL and it was pinned; *wasp 1 then), then add `p` when not NULL
 * (under p->name, which may differ: a rename).  Writes the file only
 * when something changed.
 */
int pins_edit(const char *run_dir, const char *name, const struct pin *p,
    struct pin *oldp, int *wasp, struct cm_err *err);

/* 127.0.0.1:PORT or localhost:PORT only (a --listen value). */
int pins_listen_check(const char *listen, int *portp, struct cm_err *err);

#endif
