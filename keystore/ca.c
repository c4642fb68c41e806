/* ca.c: the TLS CA directory (see ca.h). */
#include "common/compat.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "keystore/ca.h"
#include "common/dirswap.h"
#include "common/file.h"
#include "common/xmalloc.h"

#define PEM_MAX ((size_t)1 << 20)

time_t
ca_now(void)
{
	return time(NULL);
}

time_t
ca_renew_at(time_t nb, time_t na, const struct ca_renew_rule *rule)
{
	double life = (double)(na - nb);

	if (rule->seconds > 0)
		return na - (time_t)rule->seconds;
	return na - (time_t)(life * rule->percent / 100.0);
}

int
ca_renew_rule_parse(
    const char *s, struct ca_renew_rule *rule, struct cm_err *err)
{
	static const struct {
		char unit;
		long long secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 } };
	size_t len = strlen(s), i;
	long long n;
	char *num;

	memset(rule, 0, sizeof(*rule));
	if (len < 2)
		goto bad;
	num = xstrndup(s, len - 1);
	i = (size_t)parse_int(num, 1, 100LL * 365 * 86400, &n);
	free(num);
	if (i != 0)
		goto bad;
	if (s[len - 1] == '%') {
		if (n >= 100)
			goto bad;
		rule->percent = (double)n;
		return 0;
	}
	for (i = 0; i < nitems(units); i++)
		if (s[len - 1] == units[i].unit) {
			rule->seconds = n * units[i].secs;
			return 0;
		}
bad:
	return err_set(err, ERR_USAGE,
	    "--renew-before takes a percentage of the lifetime (1%% to 99%%) "
	    "or a duration such as 30d, 12h or 2w%s%s%s",
	    str_has_ctrl(s) ? "" : ", not \"", str_has_ctrl(s) ? "" : s,
	    str_has_ctrl(s) ? "" : "\"");
}

static void
ca_zero(struct ca *ca)
{
	memset(ca, 0, sizeof(*ca));
	buf_init(&ca->cert_pem, PEM_MAX);
	buf_init(&ca->db_bytes, CADB_MAX_BYTES);
	cadb_init(&ca->db);
	ca->lock_fd = -1;
}

void
ca_close(struct ca *ca)
{
	free(ca->dir);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key); /* OpenSSL wipes key material on free */
	buf_release(&ca->cert_pem);
	buf_release(&ca->db_bytes);
	cadb_release(&ca->db);
	if (ca->lock_fd >= 0)
		file_unlock(ca->lock_fd);
	ca_zero(ca);
}

static char *
ca_path(const struct ca *ca, const char *name)
{
	return path_join(ca->dir, name);
}

static void
entry_fill(struct cadb_entry *e, const struct x509_info *info,
    enum cert_kind kind, const char *context)
{
	size_t i;

	free(e->serial);
	e->serial = xstrdup(info->serial);
	e->kind = kind;
	e->status = CADB_VALID;
	free(e->subject);
	e->subject = xstrdup(info->subject);
	for (i = 0; i < info->sans.n; i++)
		strv_push(&e->sans, info->sans.v[i]);
	free(e->context);
	e->context = xstrdup(context ? context : "");
	free(e->key_type);
	e->key_type = xstrdup(info->key_type);
	e->not_before = info->not_before;
	e->not_after = info->not_after;
	free(e->sha256);
	e->sha256 = xstrdup(info->sha256);
}

/* Write a new file in a directory being built (no temp file needed). */
static int
write_in(const char *dir, const char *name, const struct buf *b, mode_t mode,
    struct cm_err *err)
{
	char *path = path_join(dir, name);
	int r = file_write_atomic(path, b->data, b->len, mode, FILE_EXCL, err);

	free(path);
	return r;
}

static int
lock_dir(const char *dir, int *fdp, struct cm_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "cannot open \"%s\"", dir);
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return err_sys(err, "cannot lock \"%s\"", dir);
		}
	*fdp = fd;
	return 0;
}

/*
 * Is `dir` absent or an empty directory (0; an empty one is removed, and
 * *removedp set, so the rename can take its place), or something else?
 */
static int
check_init_target(const char *dir, int *removedp, struct cm_err *err)
{
	struct stat st;
	char *p;
	int has_ca;

	if (lstat(dir, &st) != 0)
		return errno == ENOENT
		    ? 0
		    : err_sys(err, "cannot stat \"%s\"", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ERR_EXISTS,
		    "\"%s\" exists and is not a directory", dir);
	p = path_join(dir, CA_CERT_FILE);
	has_ca = file_exists(p);
	free(p);
	if (has_ca)
		return err_set(err, ERR_EXISTS,
		    "a CA already exists in \"%s\" (refusing to overwrite it; "
		    "use --dir for another one)",
		    dir);
	if (rmdir(dir) == 0)
		*removedp = 1;
	else if (errno != ENOENT) {
		if (errno == ENOTEMPTY || errno == EEXIST)
			return err_set(err, ERR_EXISTS,
			    "\"%s\" exists and is not empty (refusing to "
			    "overwrite it)",
			    dir);
		return err_sys(err, "cannot use \"%s\"", dir);
	}
	return 0;
}

int
ca_init(const struct ca_init_opts *o, struct ca *out, struct cm_err *err)
{
	struct ca ca;
	struct x509_req req;
	struct x509_info info;
	struct buf key_pem;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *parent, *tmp = NULL, *sub;
	time_t now = ca_now();
	int r, lock_fd = -1, removed = 0;

	x509_lib_init();
	ca_zero(&ca);
	ca_zero(out);
	memset(&info, 0, sizeof(info));
	buf_init_secret(&key_pem, PEM_MAX);
	parent = path_dirname(o->dir);
	if ((r = x509_cn_check(o->cn, err)) != 0)
		goto out;
	if (o->days < 1 || o->days > CA_DAYS_MAX) {
		r = err_set(
		    err, ERR_USAGE, "--days must be 1 to %d", CA_DAYS_MAX);
		goto out;
	}
	if (o->kdf_iter < CA_KDF_ITER_MIN) {
		r = err_set(err, ERR_USAGE,
		    "the PBKDF2 iteration count must be at least %d",
		    CA_KDF_ITER_MIN);
		goto out;
	}
	if ((r = dir_ensure(parent, 0700, err)) != 0 ||
	    (r = lock_dir(parent, &lock_fd, err)) != 0 ||
	    (r = check_init_target(o->dir, &removed, err)) != 0)
		goto out;

	if ((r = x509_keygen(o->key_type, &key, err)) != 0)
		goto out;
	memset(&req, 0, sizeof(req));
	req.kind = CERT_CA;
	req.cn = o->cn;
	req.not_before = now - CA_BACKDATE;
	req.not_after = now + (time_t)o->days * 86400;
	req.key = key;
	req.issuer_key = key;
	if ((r = x509_build(&req, &cert, err)) != 0 ||
	    (r = x509_info_get(cert, &info, err)) != 0)
		goto out;
	if ((r = x509_key_pem_encrypted(
		 key, o->pass, o->passlen, o->kdf_iter, &key_pem, err)) != 0)
		goto out;
	ca.cert = cert;
	cert = NULL;
	ca.key = key;
	key = NULL;
	if (x509_cert_pem(ca.cert, &ca.cert_pem) != 0) {
		r = err_set(err, ERR_CRYPTO, "cannot encode the certificate");
		goto out;
	}
	entry_fill(cadb_add(&ca.db), &info, CERT_CA, NULL);
	if ((r = cadb_write(&ca.db, ca.key, &ca.db_bytes, err)) != 0)
		goto out;

	/* build it aside, then one rename: complete or absent */
	tmp = path_join(parent, ".ca-init-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		r = err_sys(err, "cannot create a directory in \"%s\"", parent);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (chmod(tmp, 0700) != 0) {
		r = err_sys(err, "cannot set mode of \"%s\"", tmp);
		goto out;
	}
	sub = path_join(tmp, "issued");
	r = dir_ensure(sub, 0700, err);
	free(sub);
	if (r != 0)
		goto out;
	if ((r = write_in(tmp, CA_CERT_FILE, &ca.cert_pem, 0644, err)) != 0 ||
	    (r = write_in(tmp, CA_KEY_FILE, &key_pem, 0600, err)) != 0 ||
	    (r = write_in(tmp, CA_DB_FILE, &ca.db_bytes, 0600, err)) != 0 ||
	    (r = dir_sync(tmp, err)) != 0)
		goto out;
	if (rename(tmp, o->dir) != 0) {
		r = errno == ENOTEMPTY || errno == EEXIST
		    ? err_set(
			  err, ERR_EXISTS, "\"%s\" appeared meanwhile", o->dir)
		    : err_sys(err, "cannot create \"%s\"", o->dir);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	(void)dir_sync(parent, NULL);
	ca.dir = xstrdup(o->dir);
	*out = ca;
	ca_zero(&ca);
	r = 0;
out:
	if (tmp != NULL) {
		(void)dir_remove_tree(tmp, NULL);
		free(tmp);
	}
	if (r != 0 && removed)
		(void)mkdir(o->dir, 0700); /* as it was: empty */
	if (lock_fd >= 0)
		file_unlock(lock_fd);
	x509_info_release(&info);
	buf_release(&key_pem);
	EVP_PKEY_free(key);
	X509_free(cert);
	ca_close(&ca);
	free(parent);
	return r;
}

/* Whether `x` is a self-signed CA certificate (else the error, naming
 * `path`). */
static int
self_signed_ca(X509 *x, const char *path, struct cm_err *err)
{
	if (!x509_issued_by(x, x)) {
		err_set(err, ERR_INVALID,
		    "\"%s\" is not a self-signed CA certificate", path);
		return 0;
	}
	if (X509_check_ca(x) < 1) {
		err_set(
		    err, ERR_INVALID, "\"%s\" is not a CA certificate", path);
		return 0;
	}
	return 1;
}

/*
 * servers/.ctxmgr-swap-*: a server set (its key with it) staged or
 * swapped out by a `ca issue server` that was killed.  Writers hold the
 * CA lock, so none is in use.
 */
static void
tidy_server_swaps(const char *dir)
{
	char *servers = path_join(dir, "servers"), *p;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(servers)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, ".ctxmgr-swap-", 13) == 0) {
				p = path_join(servers, de->d_name);
				(void)dir_remove_tree(p, NULL);
				free(p);
			}
		closedir(d);
	}
	free(servers);
}

int
ca_open(struct ca *ca, const char *dir, int flags, struct cm_err *err)
{
	static const char *const parts[] = { CA_CERT_FILE, CA_KEY_FILE,
		CA_DB_FILE };
	struct stat st;
	size_t i;
	char *p;
	int r;

	x509_lib_init();
	ca_zero(ca);
	ca->dir = xstrdup(dir);
	if (lstat(dir, &st) != 0) {
		if (errno == ENOENT)
			return err_set(err, ERR_NOTFOUND,
			    "no CA in \"%s\": run \"ctxmgr ca init\" first",
			    dir);
		return err_sys(err, "cannot stat \"%s\"", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ERR_INVALID,
		    "CA directory \"%s\" is not a directory", dir);
	/* anyone who can write here could swap the CA certificate */
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return err_set(err, ERR_PERM,
		    "CA directory \"%s\" is owned by uid %u, not by you", dir,
		    (unsigned)st.st_uid);
	if (st.st_mode & 022)
		return err_set(err, ERR_PERM,
		    "CA directory \"%s\" has mode %04o: group or others can "
		    "write to it (chmod 700 \"%s\")",
		    dir, (unsigned)(st.st_mode & 07777), dir);
	if (flags & CA_OPEN_LOCK) {
		p = ca_path(ca, "lock");
		r = file_lock(p, &ca->lock_fd, err);
		free(p);
		if (r != 0)
			return r;
		/* what a writer killed without O_TMPFILE left (file.h) */
		file_tidy_dir(ca->dir);
		p = ca_path(ca, "issued");
		file_tidy_dir(p);
		free(p);
		tidy_server_swaps(ca->dir);
	}
	for (i = 0; i < nitems(parts); i++) {
		p = ca_path(ca, parts[i]);
		r = file_exists(p);
		free(p);
		if (!r)
			return err_set(err, ERR_INVALID,
			    "the CA in \"%s\" is incomplete: %s is missing "
			    "(restore it from a backup, or move the directory "
			    "away and run \"ctxmgr ca init\")",
			    dir, parts[i]);
	}
	p = ca_path(ca, CA_CERT_FILE);
	r = file_read(p, PEM_MAX, FILE_NOFOLLOW, &ca->cert_pem, err);
	if (r == 0)
		r = x509_cert_load(
		    ca->cert_pem.data, ca->cert_pem.len, p, &ca->cert, err);
	if (r == 0 && !self_signed_ca(ca->cert, p, err))
		r = ERR_INVALID;
	free(p);
	if (r != 0)
		return r;
	p = ca_path(ca, CA_DB_FILE);
	r = file_read(p, CADB_MAX_BYTES, FILE_NOFOLLOW, &ca->db_bytes, err);
	if (r == 0 &&
	    (r = cadb_read(ca->db_bytes.data, ca->db_bytes.len,
		 X509_get0_pubkey(ca->cert), &ca->db, err)) != 0)
		err_prefix(err, "CA database \"%s\"", p);
	free(p);
	ERR_clear_error();
	return r;
}

int
ca_unlock(struct ca *ca, const char *pass, size_t passlen, struct cm_err *err)
{
	struct buf b;
	struct stat st;
	EVP_PKEY *key = NULL;
	char *p = ca_path(ca, CA_KEY_FILE);
	int r;

	buf_init_secret(&b, PEM_MAX);
	if (lstat(p, &st) != 0) {
		r = err_sys(err, "cannot read the CA key \"%s\"", p);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		r = err_set(err, ERR_PERM,
		    "refusing to read \"%s\": it is a symbolic link", p);
		goto out;
	}
	if ((r = file_check_private(p, &st, "CA key", err)) != 0 ||
	    (r = file_read(p, PEM_MAX, FILE_NOFOLLOW | FILE_SECRET, &b, err)) !=
		0)
		goto out;
	if (!strstr(b.data, "-----BEGIN ENCRYPTED PRIVATE KEY")) {
		r = err_set(err, ERR_INVALID,
		    "the CA key \"%s\" is not an encrypted PKCS#8 key", p);
		goto out;
	}
	if ((r = x509_key_load(b.data, b.len, pass, passlen, &key, err)) != 0) {
		if (r == ERR_AUTH)
			err_set(err, ERR_AUTH,
			    "wrong passphrase for the CA key \"%s\"", p);
		else
			err_prefix(err, "the CA key \"%s\"", p);
		goto out;
	}
	if (X509_check_private_key(ca->cert, key) != 1) {
		ERR_clear_error();
		r = err_set(err, ERR_INVALID,
		    "the CA key \"%s\" does not belong to %s", p, CA_CERT_FILE);
		goto out;
	}
	EVP_PKEY_free(ca->key);
	ca->key = key;
	key = NULL;
out:
	EVP_PKEY_free(key);
	buf_release(&b);
	free(p);
	return r;
}

void
ca_issued_release(struct ca_issued *is)
{
	X509_free(is->cert);
	buf_release(&is->cert_pem);
	buf_release(&is->key_pem);
	x509_info_release(&is->info);
	memset(is, 0, sizeof(*is));
}

int
ca_issue(struct ca *ca, const struct ca_issue_opts *o, struct ca_issued *out,
    struct cm_err *err)
{
	struct x509_req req;
	EVP_PKEY *key = NULL;
	time_t now = o->now ? o->now : ca_now();
	time_t ca_end = 0, ca_start = 0;
	char *path = NULL, *name;
	int r;

	memset(out, 0, sizeof(*out));
	buf_init(&out->cert_pem, PEM_MAX);
	buf_init_secret(&out->key_pem, PEM_MAX);
	if (ca->key == NULL)
		return err_set(err, ERR_INVALID, "the CA key is locked");
	if (o->days < 1 || o->days > CA_DAYS_MAX)
		return err_set(
		    err, ERR_USAGE, "--days must be 1 to %d", CA_DAYS_MAX);
	{
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (ASN1_TIME_to_tm(X509_get0_notAfter(ca->cert), &tm))
			ca_end = timegm(&tm);
		memset(&tm, 0, sizeof(tm));
		if (ASN1_TIME_to_tm(X509_get0_notBefore(ca->cert), &tm))
			ca_start = timegm(&tm);
	}
	if (ca_end <= now) {
		char when[32];
		x509_time_format(ca_end, when);
		return err_set(err, ERR_INVALID,
		    "the CA expired on %s: make a new one with \"ctxmgr ca "
		    "init --dir DIR\"",
		    when);
	}
	/* a clock set back would sign for the wrong time span */
	if (now < ca_start) {
		char when[32], clock[32];
		x509_time_format(ca_start, when);
		x509_time_format(now, clock);
		return err_set(err, ERR_INVALID,
		    "the clock says %s, before the CA's notBefore (%s): "
		    "check the system clock",
		    clock, when);
	}
	/* never cut a lifetime short without a word: refuse instead */
	if (now + (time_t)o->days * 86400 > ca_end) {
		long left = (long)((ca_end - now) / 86400);
		char when[32];
		x509_time_format(ca_end, when);
		if (left < 1)
			return err_set(err, ERR_INVALID,
			    "a %d-day certificate would outlive the CA, which "
			    "expires on %s: make a new CA (ca init --dir NEW)",
			    o->days, when);
		return err_set(err, ERR_INVALID,
		    "a %d-day certificate would outlive the CA, which expires "
		    "on %s: give --days %ld or less, or make a new CA (ca "
		    "init --dir NEW)",
		    o->days, when, left);
	}
	memset(&req, 0, sizeof(req));
	req.kind = o->kind;
	req.cn = o->cn;
	req.sans = o->sans;
	req.not_before = now - CA_BACKDATE;
	req.not_after = now + (time_t)o->days * 86400;
	req.issuer = ca->cert;
	req.issuer_key = ca->key;
	if ((r = x509_keygen(o->key_type, &key, err)) != 0)
		goto out;
	req.key = key;
	if ((r = x509_build(&req, &out->cert, err)) != 0 ||
	    (r = x509_info_get(out->cert, &out->info, err)) != 0)
		goto out;
	if (x509_cert_pem(out->cert, &out->cert_pem) != 0 ||
	    x509_key_pem(key, &out->key_pem) != 0) {
		r = err_set(err, ERR_CRYPTO, "cannot encode the certificate");
		goto out;
	}
	path = ca_path(ca, "issued");
	if ((r = dir_ensure(path, 0700, err)) != 0)
		goto out;
	name = path_join(path, out->info.serial);
	free(path);
	path = xasprintf("%s.pem", name);
	free(name);
	/*
	 * The archive copy is not synced: the database and the context are
	 * what must survive a crash, and two fsyncs are a third of the
	 * time an issue takes.
	 */
	r = file_write_atomic(path, out->cert_pem.data, out->cert_pem.len, 0644,
	    FILE_EXCL | FILE_NOSYNC, err);
	if (r != 0)
		goto out;
	entry_fill(cadb_add(&ca->db), &out->info, o->kind, o->context);
out:
	free(path);
	EVP_PKEY_free(key);
	if (r != 0)
		ca_issued_release(out);
	return r;
}

/*
 * Drop superseded certificates that have expired: nothing can use them
 * any more and their PEM stays in issued/.  Keeps the database, which is
 * read and rewritten whole, from growing with every rotation.
 */
static void
prune(struct ca *ca)
{
	time_t now = ca_now();
	size_t i, j;

	for (i = j = 0; i < ca->db.n; i++) {
		struct cadb_entry *e = &ca->db.v[i];
		if (e->status == CADB_SUPERSEDED && e->not_after < now) {
			cadb_entry_release(e);
			continue;
		}
		if (i != j)
			ca->db.v[j] = *e;
		j++;
	}
	ca->db.n = j;
}

int
ca_save(struct ca *ca, struct cm_err *err)
{
	struct buf bytes;
	char *p;
	int r;

	if (ca->key == NULL)
		return err_set(err, ERR_INVALID, "the CA key is locked");
	prune(ca);
	buf_init(&bytes, CADB_MAX_BYTES);
	p = ca_path(ca, CA_DB_FILE);
	if ((r = cadb_write(&ca->db, ca->key, &bytes, err)) == 0 &&
	    (r = file_write_atomic(p, bytes.data, bytes.len, 0600, 0, err)) ==
		0) {
		buf_release(&ca->db_bytes);
		ca->db_bytes = bytes;
		buf_init(&bytes, CADB_MAX_BYTES);
	}
	free(p);
	buf_release(&bytes);
	return r;
}

int
ca_rollback(struct ca *ca, const struct buf *old, struct cm_err *err)
{
	char *p = ca_path(ca, CA_DB_FILE);
	int r = file_write_atomic(p, old->data, old->len, 0600, 0, err);

	free(p);
	if (r != 0)
		return r;
	cadb_release(&ca->db);
	buf_reset(&ca->db_bytes);
	if ((r = buf_add(&ca->db_bytes, old->data, old->len)) != 0)
		return err_set(err, r, "cannot keep the database");
	return cadb_read(
	    old->data, old->len, X509_get0_pubkey(ca->cert), &ca->db, err);
}

void
ca_supersede(struct cadb_entry *e, const char *serial)
{
	if (e == NULL || e->status != CADB_VALID)
		return;
	e->status = CADB_SUPERSEDED;
	free(e->replaced_by);
	e->replaced_by = xstrdup(serial);
}

void
ca_discard(struct ca *ca, const char *serial)
{
	char *name = xasprintf("issued/%s.pem", serial), *p;

	p = ca_path(ca, name);
	(void)unlink(p);
	free(p);
	free(name);
}

void
ca_forget(struct ca *ca, const char *serial, const char *old_serial)
{
	struct cadb_entry *e = cadb_find(&ca->db, serial), *old;
	size_t i;

	ca_discard(ca, serial);
	if (e != NULL) {
		i = (size_t)(e - ca->db.v);
		cadb_entry_release(e);
		memmove(&ca->db.v[i], &ca->db.v[i + 1],
		    (ca->db.n - i - 1) * sizeof(*e));
		ca->db.n--;
	}
	if (old_serial != NULL &&
	    (old = cadb_find(&ca->db, old_serial)) != NULL &&
	    old->status == CADB_SUPERSEDED) {
		old->status = CADB_VALID;
		free(old->replaced_by);
		old->replaced_by = xstrdup("");
	}
}

static int
serial_to_asn1(const char *hex, ASN1_INTEGER **out)
{
	BIGNUM *bn = NULL;
	int ok;

	ok = BN_hex2bn(&bn, hex) > 0 &&
	    (*out = BN_to_ASN1_INTEGER(bn, NULL)) != NULL;
	BN_free(bn);
	return ok ? 0 : ERR_CRYPTO;
}

int
ca_crl(struct ca *ca, int days, struct buf *out, struct cm_err *err)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = NULL, *serial;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX v3;
	BIO *bio = NULL;
	time_t now = ca_now();
	size_t i;
	char *p = NULL;
	int r = ERR_CRYPTO;

	if (ca->key == NULL) {
		r = err_set(err, ERR_INVALID, "the CA key is locked");
		goto out;
	}
	if (days < 1 || days > CA_DAYS_MAX) {
		r = err_set(
		    err, ERR_USAGE, "--days must be 1 to %d", CA_DAYS_MAX);
		goto out;
	}
	if (crl == NULL || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    (t = ASN1_TIME_set(NULL, now)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_set(t, now + (time_t)days * 86400) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t))
		goto crypto;
	for (i = 0; i < ca->db.n; i++) {
		const struct cadb_entry *e = &ca->db.v[i];
		X509_REVOKED *rev;
		if (e->status != CADB_REVOKED)
			continue;
		if ((rev = X509_REVOKED_new()) == NULL)
			goto crypto;
		if (serial_to_asn1(e->serial, &serial) != 0) {
			X509_REVOKED_free(rev);
			goto crypto;
		}
		X509_REVOKED_set_serialNumber(rev, serial);
		ASN1_INTEGER_free(serial);
		ASN1_TIME_set(t, e->revoked_at);
		X509_REVOKED_set_revocationDate(rev, t);
		if (!X509_CRL_add0_revoked(crl, rev)) {
			X509_REVOKED_free(rev);
			goto crypto;
		}
	}
	X509_CRL_sort(crl);
	ca->db.crl_number++;
	X509V3_set_ctx(&v3, ca->cert, NULL, NULL, crl, 0);
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(num, ca->db.crl_number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) ||
	    (ext = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
		 "keyid:always")) == NULL ||
	    !X509_CRL_add_ext(crl, ext, -1))
		goto crypto;
	if (X509_CRL_sign(crl, ca->key, x509_sign_md(ca->key)) <= 0 ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509_CRL(bio, crl))
		goto crypto;
	{
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		if (n < 0 || buf_add(out, data, (size_t)n) != 0)
			goto crypto;
	}
	p = ca_path(ca, CA_CRL_FILE);
	r = file_write_atomic(p, out->data, out->len, 0644, 0, err);
	goto out;
crypto:
	r = err_set(err, ERR_CRYPTO, "cannot make the CRL: %s",
	    ERR_reason_error_string(ERR_peek_last_error())
		? ERR_reason_error_string(ERR_peek_last_error())
		: "unknown error");
out:
	ERR_clear_error();
	free(p);
	BIO_free(bio);
	X509_EXTENSION_free(ext);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return r;
}

char *
ca_server_dir(const struct ca *ca, const char *cn)
{
	char *servers = ca_path(ca, "servers"), *p;

	p = path_join(servers, cn);
	free(servers);
	return p;
}

int
ca_server_name_check(const char *cn, struct cm_err *err)
{
	const char *p;

	if (*cn == '\0' || *cn == '.' || *cn == '-' || strlen(cn) > 64)
		goto bad;
	for (p = cn; *p != '\0'; p++)
		if (!(isascii((unsigned char)*p) &&
			(isalnum((unsigned char)*p) || strchr("._-", *p))))
			goto bad;
	return 0;
bad:
	if (str_has_ctrl(cn))
		return err_set(err, ERR_USAGE, "invalid --cn");
	return err_set(err, ERR_USAGE,
	    "invalid --cn \"%s\": a server certificate is named by a plain "
	    "host name (letters, digits, \".\", \"-\", \"_\"); wildcards "
	    "go in --san",
	    cn);
}

int
ca_store_server(struct ca *ca, const struct ca_issued *is, char **old_serial,
    struct cm_err *err)
{
	char *servers = ca_path(ca, "servers"), *dir, *old = NULL, *cn;
	struct dirswap_file files[3];
	struct buf b;
	X509 *x = NULL;
	int r;

	*old_serial = NULL;
	cn = x509_common_name(is->cert);
	dir = path_join(servers, cn);
	buf_init(&b, PEM_MAX);
	/* the modes the CIS Docker Benchmark asks of dockerd's files */
	files[0] = (struct dirswap_file){ "ca.pem", ca->cert_pem.data,
		ca->cert_pem.len, 0444 };
	files[1] = (struct dirswap_file){ "server-cert.pem", is->cert_pem.data,
		is->cert_pem.len, 0444 };
	files[2] = (struct dirswap_file){ "server-key.pem", is->key_pem.data,
		is->key_pem.len, 0400 };
	if ((r = ca_server_name_check(cn, err)) != 0 ||
	    (r = dir_ensure(servers, 0700, err)) != 0 ||
	    (r = dirswap_replace(
		 dir, 0700, files, nitems(files), 0, servers, &old, err)) != 0)
		goto out;
	if (old != NULL) {
		char *p = path_join(old, "server-cert.pem");
		struct x509_info info;
		if (file_read(p, PEM_MAX, FILE_NOFOLLOW, &b, NULL) == 0 &&
		    x509_cert_load(b.data, b.len, p, &x, NULL) == 0 &&
		    x509_info_get(x, &info, NULL) == 0) {
			*old_serial = xstrdup(info.serial);
			x509_info_release(&info);
		}
		free(p);
		(void)dir_remove_tree(old, NULL);
	}
out:
	X509_free(x);
	buf_release(&b);
	free(old);
	free(dir);
	free(cn);
	free(servers);
	return r;
}

const char *
ca_server_cn(const struct cadb_entry *e)
{
	if (e->kind != CERT_SERVER || strncmp(e->subject, "CN=", 3) != 0)
		return NULL;
	return e->subject + 3;
}

struct cadb_entry *
ca_lookup(struct ca *ca, X509 *x)
{
	struct x509_info info;
	struct cadb_entry *e = NULL;

	if (!x509_issued_by(x, ca->cert))
		return NULL;
	if (x509_info_get(x, &info, NULL) == 0)
		e = cadb_find(&ca->db, info.serial);
	x509_info_release(&info);
	return e;
}
