/*
 * daemonjson.h: dockerd's /etc/docker/daemon.json, edited for `ca
 * deploy`: the TLS settings are set, every other key is kept in its
 * order.  The text comes from a remote host, so it is not trusted:
 * capped, parsed strictly, duplicate keys refused (dockerd refuses them
 * too).
 */
#ifndef CTXMGR_DAEMONJSON_H
#define CTXMGR_DAEMONJSON_H

#include "common/buf.h"
#include "common/err.h"

#define DAEMONJSON_MAX ((size_t)1 << 20)

/*
 * Merge "tlsverify": true and the three paths into `old` (len 0 or only
 * white space: a new object) and append the result to `out`.
 * *changedp is 0 when the settings were already exactly these.
 */
int daemonjson_merge_tls(const char *old, size_t len, const char *cacert,
    const char *cert, const char *key, struct buf *out, int *changedp,
    struct cm_err *err);

#endif
