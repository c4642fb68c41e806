/*
 * peeruid.h: who is at the other end of a loopback TCP connection.  Linux
 * lists every TCP socket with its owner's uid in /proc/net/tcp; the peer's
 * socket is the one whose local address is our peer address and whose
 * remote address is our local address.
 */
#ifndef CTXMGR_PEERUID_H
#define CTXMGR_PEERUID_H

#include <sys/types.h>

/* The uid owning the peer socket of connected TCP socket `fd` (IPv4
 * loopback), or -1 when it cannot be found. */
long tcp_peer_uid(int fd);

/* Parse one /proc/net/tcp line: 1 and *uidp when its local and remote
 * addresses are `local` and `remote` ("0100007F:1F90"), else 0.
 * Exposed for the unit test. */
int tcp_line_match(
    const char *line, const char *local, const char *remote, long *uidp);

#endif
