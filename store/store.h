/*
 * store.h: Docker's context store, read and written exactly as the Docker
 * CLI 28 does (see docs/ARCHITECTURE.md and the store notes), but losing
 * nothing: unknown Metadata keys, other endpoints, unknown keys inside the
 * docker endpoint and unknown top-level keys all survive an update, and
 * config.json is edited byte for byte.
 *
 * Layout under the config dir:
 *   contexts/meta/<sha256(name)>/meta.json     0644 in 0755 dirs
 *   contexts/tls/<sha256(name)>/<ep>/<file>    0600 in 0700 dirs
 *   config.json                                currentContext
 *   ctxmgr/                                    ctxmgr's own state (0700)
 *
 * The store knows nothing of SSH or TLS issuance.  Writes are atomic and
 * serialised by store_lock; reads need no lock.
 */
#ifndef CTXMGR_STORE_H
#define CTXMGR_STORE_H

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"

#define STORE_DEFAULT_NAME "default"
#define STORE_DEFAULT_DESCRIPTION "Current DOCKER_HOST based configuration"
#define STORE_DEFAULT_HOST "unix:///var/run/docker.sock"
#define STORE_META_MAX ((size_t)1 << 20)
#define STORE_TLS_MAX ((size_t)1 << 20)
#define STORE_SETTINGS_KEY "ctxmgr" /* our key inside Metadata */

/* Names of ctxmgr's own settings inside Metadata.ctxmgr. */
#define SETTING_IDENTITY "identity"
#define SETTING_HOST_KEY_CHECK "strictHostKeyChecking"
#define SETTING_TUNNEL_MODE "tunnelMode"
/* a tunnelled context: its ssh:// URL (Endpoints.docker.Host is the
 * local socket the tunnel service serves) */
#define SETTING_SSH_HOST "sshHost"

struct store {
	char *config_dir;
	char *meta_root; /* contexts/meta */
	char *tls_root; /* contexts/tls */
	char *config_json; /* config.json */
	char *state_dir; /* ctxmgr/ */
	int lock_fd;
	int tidied; /* meta dirs without meta.json looked for */
	char *last_set; /* what store_set_current last made current */
	int batch; /* store_batch_begin: saves are staged */
	struct file_staged *staged;
	char **staged_dirs; /* the meta dir, when the save made it */
	size_t nstaged;
};

struct context {
	char *name;
	char *description; /* NULL when none */
	char *host; /* docker endpoint Host; NULL when none */
	int skip_tls_verify;
	int has_docker; /* an Endpoints.docker object exists */
	int docker_null; /* Endpoints.docker is null (Docker: not usable) */
	int no_metadata; /* meta.json has no Metadata (or null): inspect omits it */
	json_t *metadata; /* other Metadata keys (never NULL) */
	json_t *endpoints; /* endpoints other than docker (never NULL) */
	json_t *docker_extra; /* unknown keys in Endpoints.docker */
	json_t *top_extra; /* unknown top-level keys */
	char *error; /* store_list: why this entry is broken */
	int is_default; /* the built-in default context */
	int light; /* a store_list entry: listed fields (and Metadata's
		      ctxmgr.sshHost) only; cannot be saved */
};

/* The config dir: $DOCKER_CONFIG, else ~/.docker (new string). */
char *store_default_config_dir(void);

/* Set up paths; no I/O. */
void store_init(struct store *st, const char *config_dir);
void store_release(struct store *st);

/* Docker's name rule: ^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$, not "default". */
int context_name_check(const char *name, struct cm_err *err);

struct context *context_new(const char *name);
void context_free(struct context *c);
void context_list_free(struct context **list, size_t n);

/* The built-in default context (DOCKER_HOST, else the local socket). */
struct context *context_default(void);

/* meta.json bytes <-> context.  Parsing never trusts the input. */
int context_parse_meta(
    const char *data, size_t len, struct context **cp, struct cm_err *err);
int context_encode_meta(const struct context *c, struct buf *out);

/* ctxmgr's own per-context settings (strings in Metadata.ctxmgr). */
const char *context_setting(const struct context *c, const char *key);
void context_set_setting(struct context *c, const char *key, const char *value);

/* Paths for a context (new strings). */
char *store_meta_dir(const struct store *st, const char *name);
char *store_tls_dir(const struct store *st, const char *name);

/* Serialise writers across processes. */
int store_lock(struct store *st, struct cm_err *err);
void store_unlock(struct store *st);

/* 1 if a context by that name is stored. */
int store_exists(const struct store *st, const char *name);

/* Load one context ("default" gives the built-in one). */
int store_load(const struct store *st, const char *name, struct context **cp,
    struct cm_err *err);

/* Fill `err` with `context "NAME" not found` and a "did you mean" for
 * the closest stored names; returns ERR_NOTFOUND. */
int store_not_found(
    const struct store *st, const char *name, struct cm_err *err);

/*
 * Every stored context, sorted by name, plus the default one; a broken
 * meta.json becomes an entry with `error` set, never a failure.  Entries
 * carry name, description, host and skip_tls_verify only (read with the
 * fast scanner); store_load a context for its settings and extra keys.
 */
int store_list(const struct store *st, struct context ***listp, size_t *np,
    struct cm_err *err);

#define STORE_CREATE 0x01 /* the context must not exist yet */

/* Write a context's meta.json (call with the lock held). */
int store_save(
    struct store *st, const struct context *c, int flags, struct cm_err *err);

/*
 * Many saves made durable together (import-hosts): after
 * store_batch_begin, store_save stages each meta.json (file_stage) and
 * nothing is visible yet; store_batch_commit syncs the file system once,
 * puts every staged file in place and syncs once more, which costs two
 * syncs instead of two per context.  Every STORE_BATCH_MAX saves commit
 * by themselves (each staged file holds a descriptor).  A crash or kill
 * before a commit loses that batch's saves, never a whole file.
 * store_batch_end drops what was not committed.  Lock held throughout.
 */
#define STORE_BATCH_MAX 256
void store_batch_begin(struct store *st);
int store_batch_commit(struct store *st, struct cm_err *err);
void store_batch_end(struct store *st);

/* Remove a context's metadata and TLS files (lock held). */
int store_remove(struct store *st, const char *name, struct cm_err *err);

/*
 * Rename, taking the TLS files and currentContext along (lock held).
 * Killed at any point, the current context stays complete; run again,
 * it finishes an interrupted rename of the same names (*resumedp = 1;
 * resumedp may be NULL).
 */
int store_rename(struct store *st, const char *from, const char *to,
    int *resumedp, struct cm_err *err);

/* TLS material: contexts/tls/<sha>/<endpoint>/<file>. */
int store_tls_write(struct store *st, const char *name, const char *endpoint,
    const char *file, const void *data, size_t len, struct cm_err *err);
int store_tls_read(const struct store *st, const char *name,
    const char *endpoint, const char *file, struct buf *out,
    struct cm_err *err);
int store_tls_remove(struct store *st, const char *name, const char *endpoint,
    const char *file, struct cm_err *err);

/*
 * Replace the files of a context's TLS endpoint as one set, swapped in
 * with renameat2(RENAME_EXCHANGE) (see dirswap.h): the endpoint dir holds
 * the old set or the new one, never a mix.  Other files are kept.  Call
 * with the lock held.
 *
 * store_tls_stage writes the new set beside the endpoint dir (*stagep),
 * synced unless `flags` holds DIRSWAP_NOSYNC; store_tls_commit swaps it
 * in and gives the swapped-out directory (inside contexts/tls) in *oldp
 * for the caller to read and remove, or NULL.  It consumes `stage`, also
 * on failure.  With `flags` 0 each syncs what it wrote.  Many contexts at
 * once (ca rotate): stage and commit each with DIRSWAP_NOSYNC and call
 * store_tls_sync after the stages and after the commits: two syncfs(2)
 * instead of five fsyncs per context.
 */
struct dirswap_file;
int store_tls_stage(struct store *st, const char *name, const char *endpoint,
    const struct dirswap_file *files, size_t n, int flags, char **stagep,
    struct cm_err *err);
int store_tls_commit(struct store *st, const char *name, const char *endpoint,
    const char *stage, int flags, char **oldp, struct cm_err *err);
int store_tls_sync(struct store *st, struct cm_err *err);

/*
 * Undo a store_tls_commit that a killed command left (caller holds the
 * store lock): `stage` (a base name in contexts/tls) holds the set the
 * commit swapped out; it is swapped back and the newer set removed.
 * Without `stage` (the endpoint had no TLS dir before) the endpoint dir
 * is removed.
 */
int store_tls_swap_back(struct store *st, const char *name,
    const char *endpoint, const char *stage, struct cm_err *err);

/* Remove contexts/tls/`stage` (a .ctxmgr-swap-* base name), if there. */
void store_tls_drop_stage(struct store *st, const char *stage);

/*
 * Remove every contexts/tls/.ctxmgr-swap-* (staged or swapped-out TLS
 * sets, with their private keys) that a killed command left; the caller
 * holds the store lock, so no writer is using one.  The count removed.
 */
size_t store_tls_tidy_swaps(struct store *st);

/* {endpoint: [files...]} for inspect and export (new reference). */
json_t *store_tls_material(const struct store *st, const char *name);

/* currentContext from config.json (*namep NULL for default). */
int store_get_current(const struct store *st, char **namep, struct cm_err *err);

/* Set currentContext (NULL or "default" removes it); lock held. */
int store_set_current(struct store *st, const char *name, struct cm_err *err);

/*
 * The context `use -` returns to (*namep NULL when none recorded), and
 * with store_get_switch also the one ctxmgr last made current (*setp
 * NULL when unknown): when config.json names another, someone else (the
 * docker CLI) switched since, and `use -` goes back to *setp.
 */
int store_get_previous(
    const struct store *st, char **namep, struct cm_err *err);
int store_get_switch(
    const struct store *st, char **prevp, char **setp, struct cm_err *err);

/* Record `name` for `use -`, and what store_set_current set in this
 * process as the context ctxmgr made current (lock held). */
int store_set_previous(struct store *st, const char *name, struct cm_err *err);

/* Where the effective context came from. */
enum context_source {
	SRC_FLAG, /* --context */
	SRC_DOCKER_HOST, /* DOCKER_HOST forces default */
	SRC_DOCKER_CONTEXT, /* DOCKER_CONTEXT */
	SRC_CONFIG, /* currentContext in config.json */
	SRC_DEFAULT /* nothing set */
};

/*
 * The effective context name, in Docker's order: --context, DOCKER_HOST,
 * DOCKER_CONTEXT, currentContext, default.
 */
int store_resolve(const struct store *st, const char *flag, char **namep,
    enum context_source *srcp, struct cm_err *err);

/* Read-only access to ctxmgr's state dir, creating it 0700 when asked. */
int store_state_dir(struct store *st, struct cm_err *err);

#endif
