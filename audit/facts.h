/*
 * facts.h: host facts for the audit, gathered by one fixed POSIX sh script
 * embedded in the binary (facts_script).  Nothing from a context or the
 * command line is ever put into that script: the same bytes run on every
 * host, locally through /bin/sh or remotely through one SSH exec, and the
 * script reads on stdin as `sh -s`.
 *
 * The script prints records, one per line starting with "@", each
 * followed by its data lines, each starting with "|" (so file contents
 * can never forge a record):
 *
 *   @ctxmgr-facts 1            format version (first line)
 *   @id UID GID                who ran it
 *   @arch MACHINE              uname -m (byte order of /proc/net/tcp)
 *   @net FILE ok|denied        |LOCAL_ADDRESS INODE (LISTEN sockets only)
 *   @unix ok|denied            |INODE PATH (listening unix sockets)
 *   @dockerd PID               a dockerd process
 *   @containerd PID            a containerd process
 *   @cmdline PID ok|denied     |ARG, one per line
 *   @fds PID ok|denied         |INODE of each socket it holds (then
 *                              @stat lsock for each unix socket it
 *                              listens on)
 *   @stat TAG STATUS LINK PATH |ls -ldnLi output of PATH (after symlinks)
 *   @file TAG STATUS PATH      |each line of the file
 *   @group STATUS              |the docker group's line (getent or /etc/group)
 *   @primary STATUS            |users whose primary group is docker
 *   @end                       the script ran to its end
 *
 * STATUS is ok, absent, denied (permission) or error; LINK is "link" when
 * PATH itself is a symlink, else "-".  Anything unreadable is recorded as
 * denied, so a check can say "not checked (permission)" instead of passing.
 */
#ifndef CTXMGR_FACTS_H
#define CTXMGR_FACTS_H

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"

#define FACTS_MAX_OUTPUT ((size_t)4 << 20)
#define FACTS_TIMEOUT_MS 20000

enum fact_st { FS_OK, FS_ABSENT, FS_DENIED, FS_ERROR, FS_UNKNOWN };

struct fact_stat {
	char *tag;
	char *path;
	enum fact_st st;
	int is_link;
	unsigned long inode; /* of the target (0: unknown) */
	char type; /* '-', 'd', 's', 'l', ... from the mode string */
	unsigned mode; /* permission bits, 07777 */
	long uid, gid;
};

struct fact_file {
	char *tag;
	char *path;
	enum fact_st st;
	struct buf content;
};

struct fact_listen {
	int v6;
	char addr[48]; /* numeric, as inet_ntop writes it */
	int port;
	unsigned long inode;
};

struct fact_unix {
	unsigned long inode;
	char *path;
};

struct fact_daemon {
	long pid;
	enum fact_st cmdline_st;
	struct strv argv;
	enum fact_st fds_st;
	unsigned long *inodes;
	size_t ninodes;
};

struct host_facts {
	int version;
	long uid, gid;
	int big_endian; /* from @arch */
	enum fact_st tcp_st, tcp6_st, unix_st;
	struct fact_listen *listen;
	size_t nlisten;
	struct fact_unix *unixs;
	size_t nunix;
	struct fact_daemon *daemons; /* dockerd processes */
	size_t ndaemons;
	struct fact_daemon *containerds; /* containerd processes */
	size_t ncontainerds;
	struct fact_stat *stats;
	size_t nstats;
	struct fact_file *files;
	size_t nfiles;
	enum fact_st group_st, primary_st;
	char *group_line; /* "docker:x:998:alice,bob" */
	struct strv primary; /* users whose primary group is docker */
	int complete; /* saw @end */
	size_t ignored; /* lines that were not understood */
};

/* The script, NUL-terminated. */
extern const char facts_script[];

/*
 * Runs `script` on the audited host as `sh -s` (script on stdin) and
 * appends its standard output to `out` (capped at FACTS_MAX_OUTPUT).
 */
typedef int (*facts_runner_fn)(
    void *arg, const char *script, struct buf *out, struct cm_err *err);

/* The runner for this machine: /bin/sh -s with a clean environment. */
int facts_run_local(
    void *arg, const char *script, struct buf *out, struct cm_err *err);

/* Parse the script's output; never trusts it.  Free with facts_free. */
int facts_parse(
    const char *data, size_t len, struct host_facts *hf, struct cm_err *err);
void facts_free(struct host_facts *hf);

/* Lookups: the first record with that tag and path (NULL when none). */
const struct fact_stat *facts_stat(
    const struct host_facts *hf, const char *tag, const char *path);
const struct fact_file *facts_file(
    const struct host_facts *hf, const char *tag, const char *path);

/*
 * The dockerd that serves `unix_path` (a socket on that host) or listens
 * on `tcp_port` (0: none): matched through the socket inodes it holds,
 * else through its -H arguments, else the only dockerd there is.  NULL
 * with `why` filled when it cannot be told.
 */
const struct fact_daemon *facts_find_daemon(const struct host_facts *hf,
    const char *unix_path, int tcp_port, char *why, size_t whylen);

/* 1 if the daemon holds a socket with this inode. */
int facts_daemon_has_inode(const struct fact_daemon *d, unsigned long inode);

/* "ok", "absent", "permission denied", ... */
const char *facts_st_name(enum fact_st st);

#endif
