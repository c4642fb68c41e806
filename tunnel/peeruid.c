/* peeruid.c: the owner of a loopback TCP peer (see peeruid.h). */
#include "common/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "tunnel/peeruid.h"

int
tcp_line_match(
    const char *line, const char *local, const char *remote, long *uidp)
{
	char l[64], r[64];
	unsigned st;
	long uid;

	/* sl local rem st tx:rx tr:when retrnsmt uid ... */
	if (sscanf(line, " %*[0-9]: %63s %63s %x %*s %*s %*s %ld", l, r, &st,
		&uid) != 4)
		return 0;
	if (strcmp(l, local) != 0 || strcmp(r, remote) != 0 || uid < 0)
		return 0;
	*uidp = uid;
	return 1;
}

long
tcp_peer_uid(int fd)
{
	struct sockaddr_in me, peer;
	socklen_t l1 = sizeof(me), l2 = sizeof(peer);
	char local[32], remote[32], line[512];
	long uid = -1, u;
	FILE *f;

	if (getsockname(fd, (struct sockaddr *)&me, &l1) != 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &l2) != 0 ||
	    me.sin_family != AF_INET || peer.sin_family != AF_INET)
		return -1;
	/* the peer's socket: local = its address, remote = ours; the
	 * kernel prints the address as the raw 32-bit word in hex */
	snprintf(local, sizeof(local), "%08X:%04X",
	    (unsigned)peer.sin_addr.s_addr, (unsigned)ntohs(peer.sin_port));
	snprintf(remote, sizeof(remote), "%08X:%04X",
	    (unsigned)me.sin_addr.s_addr, (unsigned)ntohs(me.sin_port));
	if ((f = fopen("/proc/net/tcp", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (tcp_line_match(line, local, remote, &u)) {
			uid = u;
			break;
		}
	fclose(f);
	return uid;
}
