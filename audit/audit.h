/*
 * audit.h: audits of a Docker daemon, an image and a seccomp profile.
 *
 * The caller (a command) resolves the context and hands over plain values:
 * how to reach the Engine API (an http_target: the daemon's unix socket,
 * the local socket of an SSH tunnel, or tcp:// with TLS material), a
 * runner for the fixed fact script (local /bin/sh, or one SSH exec), and
 * the host to probe.  The audit gathers from the three sources at once
 * (API requests spread over several connections, the fact script and the
 * probes in a second thread), runs every check of the catalogue and
 * returns a report; the caller applies its policy with report_finish.
 *
 * Nothing here prints or exits.  A source that fails does not fail the
 * audit: its checks end as "error" or "not_checked" with the reason, and
 * the report lists what went wrong.
 */
#ifndef CTXMGR_AUDIT_H
#define CTXMGR_AUDIT_H

#include "audit/facts.h"
#include "audit/http.h"
#include "audit/report.h"

struct audit_target {
	const char *context; /* the context's name, for the report */
	const char *endpoint; /* its Docker endpoint URL */
	const char *host; /* the host's name for the report */
	struct http_target api; /* how to reach the Engine API */

	facts_runner_fn run_facts; /* NULL: no shell on the host */
	void *run_arg;
	const char *no_facts; /* why there is no runner */
	const char *socket_path; /* the daemon's socket on its host */
	int tcp_port; /* the daemon's TCP port (tcp:// contexts) */

	const char *probe_host; /* NULL: no network probes */
	int probe_local; /* the host is this machine: probe listeners */
	int probe_timeout_ms; /* 0: 2000 */
	int probe_ports[4]; /* extra ports to probe (0 ends) */

	/* NULL, or called by audit_daemon before its first Engine API
	 * request, while the host facts are already being gathered (a
	 * tunnelled context's session connects here); its failure is the
	 * audit's. */
	int (*api_ready)(void *arg, struct cm_err *err);
	void *api_ready_arg;
};

/* Audit a daemon: exposure, configuration, files, images, containers,
 * sprawl, custom seccomp profiles.  Fails only when t->api_ready does
 * (or on a programming error). */
int audit_daemon(const struct audit_target *t, struct audit_report **out,
    struct cm_err *err);

/*
 * Audit one image by name or id: its configuration and its history, kept
 * in the report's "image" data (layers with sizes and flagged steps).
 * ERR_NOTFOUND when the daemon does not know it.
 */
int audit_image(const struct audit_target *t, const char *image,
    struct audit_report **out, struct cm_err *err);

/* Lint a seccomp profile read from `path` (only named in the report). */
int audit_seccomp(
    const char *path, const char *data, size_t len, struct audit_report **out);

/*
 * Step flags of one history entry's CreatedBy: "add-url",
 * "curl-pipe-sh" (the image check ids without "images.").  Returns a
 * NULL-terminated static list in `flags` (up to 3).
 */
void audit_history_flags(const char *created_by, const char *flags[3]);

/* 1 if an environment variable's name suggests a secret. */
int audit_secret_name(const char *name, size_t len);

/*
 * A copy of a history step with the values of secret-looking NAME=value
 * words (ENV, build args) replaced by "***" (free it).
 */
char *audit_redact(const char *created_by);

#endif
