/*
 * probe.h: network probes from this machine to the audited host, and to
 * no other: a TCP connect, a plain HTTP `GET /_ping`, and a TLS handshake
 * without a client certificate followed by `GET /_ping`.  A daemon that
 * answers the last one runs `--tls` without `--tlsverify`: anyone who can
 * reach the port controls it.
 */
#ifndef CTXMGR_PROBE_H
#define CTXMGR_PROBE_H

#include "common/err.h"

#define PROBE_MAX 16

struct probe {
	/* in */
	char host[256]; /* address or name to connect to */
	int port;
	/* out */
	int done;
	int open; /* TCP connect succeeded */
	char err[160]; /* why not, or what failed later */
	int http_status; /* plain GET /_ping: 0 if no HTTP answer */
	int http_docker; /* ... answered like the Engine API */
	int http_wants_tls; /* "Client sent an HTTP request to an HTTPS server" */
	char server[96]; /* Server header, control characters dropped */
	char api_version[16];
	int tls_handshake; /* completed without a client certificate */
	int tls_cert_requested; /* the server asked for a certificate */
	int tls_status; /* GET /_ping over that TLS: 0 if refused */
	int tls_docker; /* ... answered like the Engine API */
	char tls_err[160];
};

/*
 * Probe every entry of `p` at once (one thread each), each phase limited
 * to `timeout_ms`.  Results are in the entries; never fails as a whole.
 */
void probe_run(struct probe *p, size_t n, int timeout_ms);

#endif
