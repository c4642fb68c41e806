/*
 * sshauth.c: public key authentication -- the ssh-agent first, then the
 * identity files, as OpenSSH's ssh does it.  Private keys are read into
 * secret buffers, checked for loose permissions, and handed to libssh2
 * from memory; passphrases come from the caller's callback.
 */
#include "common/compat.h"

#include <sys/stat.h>

#include "common/file.h"
#include "common/log.h"
#include "tunnel/ssh-int.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

#define KEY_FILE_MAX ((size_t)256 << 10)
#define MAX_PASSPHRASE_TRIES 3
#define MAX_AGENT_KEYS 16

struct cand {
	const char *path;
	struct buf pub; /* public blob when known */
};

struct tried {
	struct buf notes; /* "agent (2 keys), /a (refused), ..." */
	struct strv blobs; /* hex of public blobs already offered */
	char hint[512]; /* how to give a skipped key its passphrase */
};

static void note(struct tried *t, const char *fmt, ...) PRINTFLIKE(2, 3);

/* What happened to one identity: kept for the error, and said with -v. */
static void
note(struct tried *t, const char *fmt, ...)
{
	va_list ap;
	size_t from;

	if (t->notes.len > 0)
		buf_adds(&t->notes, "; ");
	from = t->notes.len;
	va_start(ap, fmt);
	buf_vprintf(&t->notes, fmt, ap);
	va_end(ap);
	log_info("identity: %s", t->notes.data + from);
}

static char *
blob_id(const unsigned char *blob, size_t len)
{
	char fp[64];

	sshkey_fingerprint(blob, len, fp);
	return xstrdup(fp);
}

static int
already_offered(const struct tried *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->blobs.n; i++)
		if (strcmp(t->blobs.v[i], id) == 0)
			return 1;
	return 0;
}

static void
set_auth_info(
    struct ssh_conn *c, const char *how, const unsigned char *blob, size_t len)
{
	char type[64] = "", fp[64] = "";

	if (blob != NULL && len > 0) {
		(void)sshkey_blob_type(blob, len, type, sizeof(type));
		sshkey_fingerprint(blob, len, fp);
	}
	snprintf(c->info.auth, sizeof(c->info.auth), "%s%s%s%s%s", how,
	    type[0] ? " " : "", type[0] ? sshkey_type_name_label(type) : "",
	    fp[0] ? " " : "", fp);
}

/* What a private key file says before it is decrypted (the keystore's
 * parser): whether a passphrase protects it, and its public blob when
 * the format keeps it in clear. */
static int
inspect_private(
    const struct buf *key, struct sshkey_info *k, struct cm_err *err)
{
	int r;

	if ((r = sshkey_parse(key->data, key->len, k, err)) != 0)
		return r;
	if (!k->is_private)
		return err_set(
		    err, ERR_INVALID, "a public key, not a private key file");
	return 0;
}

/* The public blob of an identity: from its .pub file when there is one. */
static void
load_pub(struct cand *cd)
{
	char *pubpath = xasprintf("%s.pub", cd->path);
	struct sshkey_info k;
	struct buf text;
	struct cm_err e2;

	buf_init(&text, 65536);
	sshkey_info_init(&k);
	if (file_exists(pubpath) &&
	    file_read(pubpath, 65536, 0, &text, &e2) == 0 &&
	    sshkey_parse_public_line(text.data, text.len, &k, &e2) == 0 &&
	    k.blob != NULL)
		buf_add(&cd->pub, k.blob, k.bloblen);
	sshkey_info_release(&k);
	buf_release(&text);
	free(pubpath);
}

/* Without a .pub: the public key from the key file itself (OpenSSH's
 * format keeps it in clear), to match it among the agent's keys. */
static void
load_pub_from_key(struct cand *cd)
{
	struct sshkey_info pi;
	struct buf key;
	struct cm_err e2;

	if (cd->pub.len > 0)
		return;
	sshkey_info_init(&pi);
	buf_init_secret(&key, KEY_FILE_MAX);
	if (file_read(cd->path, KEY_FILE_MAX, FILE_SECRET, &key, &e2) == 0 &&
	    inspect_private(&key, &pi, &e2) == 0 && pi.blob != NULL)
		buf_add(&cd->pub, pi.blob, pi.bloblen);
	sshkey_info_release(&pi);
	buf_release(&key);
}

static int
cand_listed(
    const struct cand *cands, size_t n, const unsigned char *blob, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cands[i].pub.len == len &&
		    memcmp(cands[i].pub.data, blob, len) == 0)
			return 1;
	return 0;
}

/* 0 authenticated, 1 not (go on), negative: stop with err. */
static int
try_agent(struct ssh_conn *c, const struct ssh_auth_input *in,
    const struct cand *cands, size_t ncands, struct tried *t,
    struct cm_err *err)
{
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	const struct cand *own = NULL;
	LIBSSH2_AGENT *agent;
	int rc, r = 1, offered = 0, n;
	size_t i;

	/* the context's own identity: the agent may offer that key only */
	for (i = 0; in->explicit_id != NULL && i < ncands; i++)
		if (strcmp(cands[i].path, in->explicit_id) == 0)
			own = &cands[i];

	if ((agent = libssh2_agent_init(c->s)) == NULL)
		return 1;
	libssh2_agent_set_identity_path(agent, in->agent_socket);
	for (;;) {
		rc = libssh2_agent_connect(agent);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			break;
	}
	if (rc != 0) {
		note(t, "agent at \"%s\" not reachable", in->agent_socket);
		goto out;
	}
	if (libssh2_agent_list_identities(agent) != 0) {
		note(t, "agent gave no key list");
		goto out;
	}
	for (n = 0; n < MAX_AGENT_KEYS; n++) {
		if ((rc = libssh2_agent_get_identity(agent, &id, prev)) != 0)
			break;
		prev = id;
		if (own != NULL &&
		    !cand_listed(own, 1, id->blob, id->blob_len)) {
			char *fp = blob_id(id->blob, id->blob_len);
			log_info("identity: agent key %s skipped (not the "
				 "context's identity \"%s\")",
			    fp, own->path);
			free(fp);
			continue;
		}
		if (in->identities_only &&
		    !cand_listed(cands, ncands, id->blob, id->blob_len)) {
			char *fp = blob_id(id->blob, id->blob_len);
			log_info("identity: agent key %s skipped "
				 "(IdentitiesOnly: not an IdentityFile)",
			    fp);
			free(fp);
			continue;
		}
		strv_push_owned(&t->blobs, blob_id(id->blob, id->blob_len));
		offered++;
		rc = libssh2_agent_userauth(agent, in->user, id);
		if (rc == 0) {
			set_auth_info(c, "agent", id->blob, id->blob_len);
			log_info("identity: agent key %s accepted",
			    t->blobs.v[t->blobs.n - 1]);
			r = 0;
			goto out;
		}
		log_info("identity: agent key %s refused by the server",
		    t->blobs.v[t->blobs.n - 1]);
		if (ssh_session_broken(rc)) {
			r = ssh_lib_error(c->s, err, ERR_NET,
			    "connection lost during authentication");
			goto out;
		}
	}
	note(t, "agent: %d key%s refused", offered, offered == 1 ? "" : "s");
out:
	libssh2_agent_disconnect(agent);
	libssh2_agent_free(agent);
	return r;
}

/*
 * An encrypted key whose passphrase the callback did not give (no
 * terminal, nothing typed; `why` says so and how to give it): the
 * caller's own identity is an error -- going on would log in with
 * another key -- any other one is skipped.
 */
static int
passphrase_skipped(const struct cand *cd, int is_explicit, const char *why,
    struct tried *t, struct cm_err *err)
{
	if (is_explicit)
		return err_set(err, ERR_AUTH,
		    "the identity \"%s\" needs its passphrase%s%s", cd->path,
		    *why ? ": " : "", why);
	note(t, "\"%s\" skipped (no passphrase)", cd->path);
	if (t->hint[0] == '\0' && *why)
		snprintf(t->hint, sizeof(t->hint), "%s", why);
	return 1;
}

/* 0 authenticated, 1 not (go on), negative: stop with err. */
static int
try_file(struct ssh_conn *c, const struct ssh_auth_input *in, struct cand *cd,
    int is_explicit, int is_named, struct tried *t, struct cm_err *err)
{
	struct sshkey_info pi;
	struct buf key, pass;
	struct stat st;
	struct cm_err e2;
	int r = 1, rc, attempt;

	sshkey_info_init(&pi);
	buf_init_secret(&key, KEY_FILE_MAX);
	buf_init_secret(&pass, 4096);
	if (stat(cd->path, &st) != 0) {
		if (is_explicit)
			r = err_sys(err, "identity file \"%s\"", cd->path);
		else if (!is_named) /* a named one was warned about */
			log_info("identity: \"%s\" (a default) does not exist",
			    cd->path);
		goto out;
	}
	if (file_check_private(cd->path, &st, "private key", &e2) != 0) {
		if (is_explicit) {
			*err = e2;
			r = e2.code;
		} else {
			log_warn("%s; ignoring it", e2.msg);
			note(t, "\"%s\" ignored: readable by others", cd->path);
		}
		goto out;
	}
	if (file_read(cd->path, KEY_FILE_MAX, FILE_SECRET, &key, &e2) != 0 ||
	    inspect_private(&key, &pi, &e2) != 0) {
		if (is_explicit) {
			r = err_set(err, ERR_INVALID,
			    "identity file \"%s\": %s", cd->path, e2.msg);
			goto out;
		}
		note(t, "\"%s\": %s", cd->path, e2.msg);
		goto out;
	}
	if (cd->pub.len == 0 && pi.blob != NULL)
		buf_add(&cd->pub, pi.blob, pi.bloblen);
	if (cd->pub.len > 0) {
		char *id = blob_id((unsigned char *)cd->pub.data, cd->pub.len);
		int dup = already_offered(t, id);
		if (!dup)
			strv_push(&t->blobs, id);
		else
			log_info("identity: \"%s\" skipped (its key %s was "
				 "offered already)",
			    cd->path, id);
		free(id);
		if (dup)
			goto out;
	}
	for (attempt = 1; attempt <= MAX_PASSPHRASE_TRIES; attempt++) {
		buf_reset(&pass);
		if (pi.encrypted) {
			if (in->passphrase == NULL) {
				r = passphrase_skipped(
				    cd, is_explicit, "", t, err);
				goto out;
			}
			rc = in->passphrase(
			    in->passphrase_arg, cd->path, attempt, &pass, err);
			if (rc == ERR_CANCEL) {
				char why[sizeof(err->msg)];
				snprintf(why, sizeof(why), "%s", err->msg);
				err_init(err);
				r = passphrase_skipped(
				    cd, is_explicit, why, t, err);
				goto out;
			}
			if (rc != 0) {
				r = rc;
				goto out;
			}
		}
		rc = libssh2_userauth_publickey_frommemory(c->s, in->user,
		    strlen(in->user), NULL, 0, key.data, key.len,
		    pi.encrypted ? pass.data : NULL);
		if (rc == 0) {
			char how[300];
			log_info("identity: \"%s\" accepted", cd->path);
			snprintf(how, sizeof(how), "key %s", cd->path);
			set_auth_info(
			    c, how, (unsigned char *)cd->pub.data, cd->pub.len);
			r = 0;
			goto out;
		}
		if (ssh_session_broken(rc)) {
			r = ssh_lib_error(c->s, err, ERR_NET,
			    "connection lost during authentication");
			goto out;
		}
		if (rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED ||
		    rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED) {
			note(t, "\"%s\" refused by the server", cd->path);
			goto out;
		}
		/* the key could not be decoded: a wrong passphrase */
		if (!pi.encrypted) {
			char *msg = NULL;
			libssh2_session_last_error(c->s, &msg, NULL, 0);
			note(t, "\"%s\" unusable: %s", cd->path,
			    msg ? msg : "unknown key format");
			goto out;
		}
		log_info(
		    "wrong passphrase for \"%s\" (try %d)", cd->path, attempt);
	}
	r = err_set(
	    err, ERR_AUTH, "wrong passphrase for private key \"%s\"", cd->path);
out:
	sshkey_info_release(&pi);
	buf_release(&key);
	buf_release(&pass);
	return r;
}

int
ssh_auth(
    struct ssh_conn *c, const struct ssh_auth_input *in, struct cm_err *err)
{
	struct tried t;
	struct cand *cands;
	const char *list;
	size_t i, n = in->ids->n;
	int r = 1;

	list =
	    libssh2_userauth_list(c->s, in->user, (unsigned)strlen(in->user));
	if (list == NULL) {
		if (libssh2_userauth_authenticated(c->s)) {
			snprintf(c->info.auth, sizeof(c->info.auth), "none");
			return 0;
		}
		return ssh_lib_error(c->s, err, 0, "authentication failed");
	}
	if (strstr(list, "publickey") == NULL)
		return err_set(err, ERR_AUTH,
		    "\"%s\" does not accept public keys for \"%s\" (it "
		    "offers: %s)",
		    c->info.alias, in->user, list);
	buf_init(&t.notes, 8192);
	memset(&t.blobs, 0, sizeof(t.blobs));
	t.hint[0] = '\0';
	cands = xcalloc(n + 1, sizeof(*cands));
	for (i = 0; i < n; i++) {
		cands[i].path = in->ids->v[i];
		buf_init(&cands[i].pub, 65536);
		load_pub(&cands[i]);
		if (in->explicit_id != NULL &&
		    strcmp(cands[i].path, in->explicit_id) == 0)
			load_pub_from_key(&cands[i]);
	}
	/* as ssh: "no such identity: PATH: ...", whichever key logs in */
	for (i = 0; i < n && i < in->nnamed; i++) {
		struct stat st;
		if ((in->explicit_id == NULL ||
			strcmp(cands[i].path, in->explicit_id) != 0) &&
		    stat(cands[i].path, &st) != 0) {
			log_warn("no such identity: %s: %s", cands[i].path,
			    strerror(errno));
			note(&t, "\"%s\" (IdentityFile) does not exist",
			    cands[i].path);
		}
	}
	if (in->agent_socket != NULL && strcmp(in->agent_socket, "none") != 0)
		r = try_agent(c, in, cands, n, &t, err);
	for (i = 0; r == 1 && i < n; i++) {
		int is_explicit = in->explicit_id != NULL &&
		    strcmp(cands[i].path, in->explicit_id) == 0;
		r = try_file(
		    c, in, &cands[i], is_explicit, i < in->nnamed, &t, err);
	}
	if (r == 1)
		r = err_set(err, ERR_AUTH,
		    "no key was accepted for \"%s\" on \"%s\"%s%s%s%s%s",
		    in->user, c->info.alias, t.notes.len ? " (" : "",
		    t.notes.data, t.notes.len ? ")" : "",
		    t.hint[0] ? "; for a skipped key: " : "", t.hint);
	for (i = 0; i < n; i++)
		buf_release(&cands[i].pub);
	free(cands);
	buf_release(&t.notes);
	strv_free(&t.blobs);
	return r;
}
