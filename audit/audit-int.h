/*
 * audit-int.h: what the audit gathered, shared by audit.c (gathering) and
 * the check files (checks-host.c, checks-api.c).  Not for other modules.
 */
#ifndef CTXMGR_AUDIT_INT_H
#define CTXMGR_AUDIT_INT_H

#include <jansson.h>

#include "audit/audit.h"
#include "audit/daemonconf.h"
#include "audit/probe.h"

struct api_data {
	int reached; /* /_ping answered like the Engine API */
	char err[512]; /* why not */
	json_t *version, *info, *containers, *images, *bridge;
	char version_err[512], info_err[512], containers_err[512];
	char images_err[512], bridge_err[512];
	int bridge_absent; /* no default bridge network (404) */
	size_t nc; /* containers listed */
	size_t inspected; /* ... and judged from their inspect answer */
	size_t ni; /* images listed */
	json_t **iins, **ihist; /* their answers (NULL: see ierr, igone) */
	char **ierr;
	char *igone; /* removed since they were listed */
};

struct host_data {
	int have; /* the fact script ran and its output parsed */
	char err[512]; /* why not */
	struct host_facts hf;
	const struct fact_daemon *d; /* the audited dockerd, or NULL */
	char why[256]; /* why there is none */
	int have_conf;
	struct daemon_conf dc;
};

struct probe_data {
	int ran;
	char why[256];
	struct probe p[PROBE_MAX];
	size_t n;
};

struct audit_ctx {
	const struct audit_target *t;
	struct audit_report *r;
	struct api_data api;
	struct host_data host;
	struct probe_data probes;
};

/* checks-host.c: exposure, daemon configuration, files */
void checks_exposure(struct audit_ctx *a);
void checks_daemon(struct audit_ctx *a);
void checks_files(struct audit_ctx *a);

/*
 * checks-api.c: images, containers, sprawl.  Containers are judged one by
 * one as their inspect answers arrive (check_container), so gathering
 * keeps no container's JSON; checks_containers only covers the case where
 * there was no list to go through.
 */
void checks_images(struct audit_ctx *a);
void check_container(struct audit_ctx *a, const json_t *inspect);
void check_container_error(struct audit_ctx *a, const char *msg);
void checks_containers(struct audit_ctx *a);
void checks_sprawl(struct audit_ctx *a);

/* One image's checks (shared with `audit image`). */
void check_one_image(struct audit_report *r, const char *name,
    const json_t *inspect, const json_t *history);

/* Mark every check of `group` that needs only `source` as not checked. */
void checks_source_missing(struct audit_report *r, enum check_group g,
    unsigned source, int is_error, const char *why);

/* The daemon's SecurityOptions hold an entry starting with `prefix`. */
int info_has_secopt(const json_t *info, const char *prefix);

/* A short display name for a container ("web") or image ("busybox:1"). */
void container_name(const json_t *c, char *out, size_t len);
void image_name(
    const json_t *list_entry, const json_t *inspect, char *out, size_t len);

#endif
