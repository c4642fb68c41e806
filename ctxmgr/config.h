/*
 * config.h: ctxmgr's settings file, <config>/ctxmgr/config.yaml (the
 * config dir is Docker's: --config, $DOCKER_CONFIG or ~/.docker).  Every
 * key is optional; a missing file means every default.  Unknown keys and
 * values of the wrong type are errors naming the file, line and column.
 *
 *   ssh:
 *     identity: ~/.ssh/id_ed25519      # key to log in with
 *     known-hosts: yes                 # yes | accept-new | no
 *   tunnel:
 *     idle-timeout: 30m                # stop an idle tunnel; 0 = never
 *   ca:
 *     dir: ~/ca                        # default <config>/ctxmgr/ca
 *     rotation-window: 30d             # renew this long before expiry,
 *                                      # or a share of the lifetime: 33%
 *   audit:
 *     fail-on: high                    # critical | high | medium | low
 *     policy: ~/audit-policy.yaml
 *
 * Durations are a number with s, m, h, d or w (1h30m works), or plain
 * seconds.  Paths are absolute or start with ~/ ($HOME).  Commands read
 * the file with config_get (once per command) and hand the values to the
 * libraries; a flag, then an environment variable where there is one,
 * come before the file (see settings.h).
 */
#ifndef CTXMGR_CONFIG_H
#define CTXMGR_CONFIG_H

#include "common/err.h"

#define CONFIG_FILE "config.yaml" /* under <config>/ctxmgr/ */
#define CONFIG_MAX_BYTES ((size_t)256 << 10)
#define CONFIG_UNSET (-1) /* an integer setting the file does not give */

#define CONFIG_KNOWN_HOSTS_CHOICES "yes|accept-new|no"
#define CONFIG_FAIL_ON_CHOICES "critical|high|medium|low"

struct ctxmgr_config {
	char *path; /* the file read, NULL when there is none */

	char *ssh_identity; /* NULL: unset (ssh_config / ssh defaults) */
	char *ssh_known_hosts; /* "yes", "accept-new", "no"; NULL: unset */

	long long tunnel_idle_timeout; /* seconds, 0 never; or CONFIG_UNSET */

	char *ca_dir; /* always set: the file's, else <config>/ctxmgr/ca */
	long long ca_rotation_window; /* seconds before expiry, or UNSET */
	int ca_rotation_percent; /* 1..99 of the lifetime, or UNSET */

	char *audit_fail_on; /* NULL: unset */
	char *audit_policy; /* NULL: unset */
};

/* Defaults only (ca_dir from `config_dir`). */
void config_init(struct ctxmgr_config *cfg, const char *config_dir);
void config_release(struct ctxmgr_config *cfg);

/* The file's path for a config dir (new string). */
char *config_path(const char *config_dir);

/*
 * Read <config_dir>/ctxmgr/config.yaml into `cfg` (initialised here).
 * A missing file is not an error.  On error cfg still holds the
 * defaults and must be released.
 */
int config_load(
    const char *config_dir, struct ctxmgr_config *cfg, struct cm_err *err);

/*
 * The settings of `config_dir`, read at the first call and kept for the
 * process (one command: the shell runs each in a child).  A broken file
 * fails every call with the same message (file:line:column).
 */
int config_get(const char *config_dir, const struct ctxmgr_config **cfgp,
    struct cm_err *err);

/* Parse a file's bytes; `name` is used in messages. */
int config_parse(const char *data, size_t len, const char *name,
    struct ctxmgr_config *cfg, struct cm_err *err);

/* "90s", "30m", "1h30m", "2d", "1w" or plain seconds; 0 or ERR_INVALID. */
int config_parse_duration(const char *s, long long *secs);

#endif
