/* knownhosts.c: OpenSSH known_hosts (see knownhosts.h). */
#include "common/compat.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/file.h"
#include "tunnel/knownhosts.h"
#include "tunnel/sshconfig.h"
#include "keystore/sshcodec.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

void
knownhosts_init(struct known_hosts *kh)
{
	memset(kh, 0, sizeof(*kh));
}

void
knownhosts_release(struct known_hosts *kh)
{
	size_t i;

	for (i = 0; i < kh->n; i++) {
		free(kh->v[i].hosts);
		free(kh->v[i].type);
		free(kh->v[i].blob);
		free(kh->v[i].file);
	}
	free(kh->v);
	knownhosts_init(kh);
}

char *
knownhosts_name(const char *host, int port)
{
	if (port == 0 || port == 22)
		return xstrdup(host);
	return xasprintf("[%s]:%d", host, port);
}

/* Next whitespace-separated field of [*p, end). */
static int
next_field(const char **p, const char *end, const char **fs, size_t *fl)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return -1;
	*fs = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*fl = (size_t)(s - *fs);
	*p = s;
	return 0;
}

static int
parse_line(struct known_hosts *kh, const char *s, size_t len, const char *name,
    int line)
{
	const char *p = s, *end = s + len, *f;
	size_t fl;
	char *hosts = NULL, type[64];
	struct buf blob;
	int revoked = 0;
	struct kh_entry *e;

	if (next_field(&p, end, &f, &fl) != 0 || f[0] == '#')
		return 0; /* blank or comment */
	if (f[0] == '@') {
		if (fl == 8 && memcmp(f, "@revoked", 8) == 0)
			revoked = 1;
		else
			return 0; /* @cert-authority and unknown markers */
		if (next_field(&p, end, &f, &fl) != 0)
			return -1;
	}
	hosts = xstrndup(f, fl);
	buf_init(&blob, 65536);
	if (next_field(&p, end, &f, &fl) != 0 || fl >= sizeof(type))
		goto bad;
	memcpy(type, f, fl);
	type[fl] = '\0';
	if (next_field(&p, end, &f, &fl) != 0 ||
	    base64_decode(f, fl, &blob) != 0) {
		goto bad;
	}
	/* the blob must name the type the line names */
	char btype[64];
	if (sshkey_blob_type((unsigned char *)blob.data, blob.len, btype,
		sizeof(btype)) != 0 ||
	    strcmp(btype, type) != 0)
		goto bad;
	kh->v = xreallocarray(kh->v, kh->n + 1, sizeof(*kh->v));
	e = &kh->v[kh->n++];
	e->hosts = hosts;
	e->type = xstrdup(type);
	e->bloblen = blob.len;
	e->blob = (unsigned char *)buf_detach(&blob, NULL);
	e->revoked = revoked;
	e->file = xstrdup(name);
	e->line = line;
	return 0;
bad:
	free(hosts);
	buf_release(&blob);
	return -1;
}

void
knownhosts_parse(
    struct known_hosts *kh, const char *text, size_t len, const char *name)
{
	const char *line;
	size_t pos = 0, n;
	int lineno = 0, ctrl;

	while (text_next_line(text, len, &pos, &line, &n, &ctrl)) {
		lineno++;
		if (ctrl || parse_line(kh, line, n, name, lineno) != 0)
			kh->bad_lines++;
	}
}

int
knownhosts_load(struct known_hosts *kh, const char *path, struct cm_err *err)
{
	struct buf b;
	int r;

	if (!file_exists(path))
		return 0;
	buf_init(&b, KNOWNHOSTS_MAX_FILE);
	if ((r = file_read(path, KNOWNHOSTS_MAX_FILE, 0, &b, err)) == 0)
		knownhosts_parse(kh, b.data, b.len, path);
	buf_release(&b);
	return r;
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
static int
hashed_match(const char *field, const char *name)
{
	const char *salt = field + 3, *bar;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf s, h;
	int r = 0;

	if ((bar = strchr(salt, '|')) == NULL)
		return 0;
	buf_init(&s, 256);
	buf_init(&h, 256);
	if (base64_decode(salt, (size_t)(bar - salt), &s) == 0 &&
	    base64_decode(bar + 1, strlen(bar + 1), &h) == 0 && s.len > 0 &&
	    HMAC(EVP_sha1(), s.data, (int)s.len, (const unsigned char *)name,
		strlen(name), md, &mdlen) != NULL &&
	    h.len == mdlen && CRYPTO_memcmp(h.data, md, mdlen) == 0)
		r = 1;
	buf_release(&s);
	buf_release(&h);
	return r;
}

int
knownhosts_host_match(const char *field, const char *name)
{
	if (strncmp(field, "|1|", 3) == 0)
		return hashed_match(field, name);
	return ssh_pattern_list_match(name, field);
}

enum kh_result
knownhosts_check(const struct known_hosts *kh, const char *name,
    const unsigned char *blob, size_t len, const struct kh_entry **knownp)
{
	const struct kh_entry *same_type = NULL, *any = NULL;
	char type[64] = "";
	int matched = 0;
	size_t i;

	*knownp = NULL;
	(void)sshkey_blob_type(blob, len, type, sizeof(type));
	for (i = 0; i < kh->n; i++) {
		const struct kh_entry *e = &kh->v[i];
		int same = e->bloblen == len && memcmp(e->blob, blob, len) == 0;
		if (!knownhosts_host_match(e->hosts, name))
			continue;
		if (e->revoked) {
			if (same) {
				*knownp = e;
				return KH_REVOKED;
			}
			continue;
		}
		if (same)
			matched = 1;
		if (any == NULL)
			any = e;
		if (same_type == NULL && strcmp(e->type, type) == 0)
			same_type = e;
	}
	if (matched)
		return KH_MATCH;
	if (any == NULL)
		return KH_UNKNOWN;
	*knownp = same_type ? same_type : any;
	return KH_CHANGED;
}

void
knownhosts_types(
    const struct known_hosts *kh, const char *name, struct strv *types)
{
	size_t i, j;

	for (i = 0; i < kh->n; i++) {
		const struct kh_entry *e = &kh->v[i];
		if (e->revoked || !knownhosts_host_match(e->hosts, name))
			continue;
		for (j = 0; j < types->n; j++)
			if (strcmp(types->v[j], e->type) == 0)
				break;
		if (j == types->n)
			strv_push(types, e->type);
	}
}

int
knownhosts_add(const char *path, const char *name, const unsigned char *blob,
    size_t len, struct cm_err *err)
{
	char type[64], *dir = NULL;
	struct buf b;
	int r;

	if (sshkey_blob_type(blob, len, type, sizeof(type)) != 0)
		return err_set(err, ERR_INVALID, "malformed host key");
	buf_init(&b, KNOWNHOSTS_MAX_FILE + 65536);
	dir = path_dirname(path);
	if (!file_exists(dir) && (r = dir_ensure(dir, 0700, err)) != 0)
		goto out;
	if (file_exists(path) &&
	    (r = file_read(path, KNOWNHOSTS_MAX_FILE, 0, &b, err)) != 0)
		goto out;
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	buf_printf(&b, "%s %s ", name, type);
	base64_encode(blob, len, &b);
	if ((r = buf_addc(&b, '\n')) != 0) {
		r = err_set(err, ERR_TOOBIG, "\"%s\" is too large", path);
		goto out;
	}
	r = file_write_atomic(path, b.data, b.len, 0600,
	    FILE_KEEP_MODE | FILE_FOLLOW_TARGET, err);
out:
	free(dir);
	buf_release(&b);
	return r;
}
