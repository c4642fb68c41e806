/*
 * ctlconn.h: connecting to a control socket of ours (the tunnel
 * service's, a direct tunnel's) as a client that trusts nothing there:
 * a full backlog (EAGAIN, the socket not connecting) is retried until
 * the timeout, and the peer must be this user (SO_PEERCRED), or the
 * connection is refused -- someone else's socket at our path gets no
 * request from us.
 */
#ifndef CTXMGR_CTLCONN_H
#define CTXMGR_CTLCONN_H

#include <sys/un.h>

#include "common/err.h"

/* Fill `sa` for unix socket `path`: ERR_TOOBIG when it does not fit
 * sun_path.  Every bind and connect of ours goes through here. */
int unix_sockaddr(const char *path, struct sockaddr_un *sa, struct cm_err *err);

/*
 * A connected descriptor (>= 0, non-blocking), or: ERR_TOOBIG (path too
 * long for sun_path), ERR_TIMEOUT (the backlog stayed full), ERR_PERM
 * (another user serves it), or the connect error with its errno.
 */
int ctl_connect_unix(const char *path, int timeout_ms, struct cm_err *err);

#endif
