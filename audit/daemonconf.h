/*
 * daemonconf.h: the settings of the dockerd being audited, read from its
 * command line (as dockerd's own flag parser reads it), its daemon.json
 * and, for `-H fd://`, the systemd socket unit.  A setting that cannot be
 * known (daemon.json unreadable and no flag given) stays unknown, so a
 * check says "not checked (permission)" rather than guessing the default.
 */
#ifndef CTXMGR_DAEMONCONF_H
#define CTXMGR_DAEMONCONF_H

#include "audit/facts.h"

enum dsrc { DS_UNKNOWN, DS_DEFAULT, DS_FLAG, DS_JSON };

struct dsetting {
	enum dsrc src;
	int b; /* booleans */
	char *s; /* strings (NULL: not set) */
	struct strv list; /* lists */
};

/* A TCP listener of the daemon: from /proc/net/tcp or from its config. */
struct dlisten {
	char addr[64]; /* "0.0.0.0", "::", "127.0.0.1" or a host name */
	int port;
	int from_proc; /* seen listening, not only configured */
};

struct daemon_conf {
	long pid;
	char *config_path; /* daemon.json in use */
	enum fact_st json_st; /* FS_OK, FS_ABSENT, FS_DENIED, FS_ERROR */
	char json_err[200]; /* why daemon.json could not be parsed */
	int socket_activated; /* -H fd:// */
	struct dsetting hosts, tls, tlsverify, tlscacert, tlscert, tlskey;
	struct dsetting icc, userns_remap, nnp, live_restore, userland_proxy;
	struct dsetting insecure, authz, log_driver, log_level, seccomp;
	struct dsetting iptables, experimental;
	struct dlisten *listen;
	size_t nlisten;
	int listen_known; /* the daemon's sockets could be read */
};

/* Work out the settings of daemon `d` from the host facts. */
void daemon_conf_build(const struct host_facts *hf, const struct fact_daemon *d,
    struct daemon_conf *dc);
void daemon_conf_free(struct daemon_conf *dc);

/* Where a setting came from, for evidence ("daemon.json", "flag"). */
const char *dsrc_name(enum dsrc src);

/*
 * Split a Docker host ("tcp://0.0.0.0:2375", "tcp://:2376") into address
 * and port; `tls` picks the default port.  Returns 0, or -1 when it is not
 * a tcp:// host.
 */
int docker_tcp_host(
    const char *h, int tls, char *addr, size_t addrlen, int *port);

/* 1 for 127.0.0.0/8, ::1 and "localhost". */
int addr_is_loopback(const char *addr);

#endif
