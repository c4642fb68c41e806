/* tar.c: ustar writer and a strict reader (see tar.h). */
#include "common/compat.h"

#include "common/tar.h"

#define TAR_BLOCK 512

struct ustar {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

static int
tar_header(
    struct buf *out, const char *name, unsigned mode, size_t size, char type)
{
	struct ustar h;
	const unsigned char *p;
	unsigned sum = 0;
	size_t i, nl = strlen(name);

	if (nl == 0 || nl > 100)
		return ERR_INVALID;
	memset(&h, 0, sizeof(h));
	memcpy(h.name, name, nl);
	snprintf(h.mode, sizeof(h.mode), "%07o", mode & 07777);
	snprintf(h.uid, sizeof(h.uid), "%07o", 0);
	snprintf(h.gid, sizeof(h.gid), "%07o", 0);
	snprintf(h.size, sizeof(h.size), "%011zo", size);
	snprintf(h.mtime, sizeof(h.mtime), "%011o", 0);
	h.typeflag = type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	memset(h.chksum, ' ', sizeof(h.chksum));
	p = (const unsigned char *)&h;
	for (i = 0; i < sizeof(h); i++)
		sum += p[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	h.chksum[7] = ' ';
	return buf_add(out, &h, sizeof(h));
}

int
tar_add_dir(struct buf *out, const char *name, unsigned mode)
{
	return tar_header(out, name, mode, 0, '5');
}

int
tar_add_file(struct buf *out, const char *name, unsigned mode, const void *data,
    size_t len)
{
	static const char zero[TAR_BLOCK];
	int r;

	if ((r = tar_header(out, name, mode, len, '0')) != 0 ||
	    (r = buf_add(out, data, len)) != 0)
		return r;
	if (len % TAR_BLOCK)
		return buf_add(out, zero, TAR_BLOCK - len % TAR_BLOCK);
	return 0;
}

int
tar_finish(struct buf *out)
{
	static const char zero[2 * TAR_BLOCK];

	return buf_add(out, zero, sizeof(zero));
}

/* Parse an octal field; NUL or space ends it.  -1 when malformed. */
static long long
octal(const char *f, size_t n)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (1LL << 40))
			return -1;
		v = v * 8 + (f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return v;
}

static int
all_zero(const char *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != '\0')
			return 0;
	return 1;
}

int
tar_walk(const char *data, size_t len, tar_entry_fn fn, void *arg,
    struct cm_err *err)
{
	struct tar_entry e;
	const struct ustar *h;
	size_t off = 0, i, nl, pl;
	long long size, mode, sum;
	unsigned calc;
	int r;

	while (off < len) {
		if (len - off < TAR_BLOCK) {
			/* a truncated tail is only allowed when it is zeros */
			if (all_zero(data + off, len - off))
				return 0;
			return err_set(err, ERR_INVALID,
			    "archive is truncated inside a header");
		}
		h = (const struct ustar *)(const void *)(data + off);
		if (all_zero(data + off, TAR_BLOCK))
			return 0; /* end marker */
		calc = 0;
		for (i = 0; i < TAR_BLOCK; i++)
			calc += (i >= 148 && i < 156)
			    ? ' '
			    : (unsigned char)data[off + i];
		sum = octal(h->chksum, sizeof(h->chksum));
		if (sum < 0 || (unsigned)sum != calc)
			return err_set(err, ERR_INVALID,
			    "not a tar archive (bad header checksum at offset "
			    "%zu)",
			    off);
		size = octal(h->size, sizeof(h->size));
		mode = octal(h->mode, sizeof(h->mode));
		if (size < 0 || mode < 0)
			return err_set(err, ERR_INVALID,
			    "malformed tar header at offset %zu", off);
		memset(&e, 0, sizeof(e));
		nl = strnlen(h->name, sizeof(h->name));
		pl = memcmp(h->magic, "ustar", 5) == 0
		    ? strnlen(h->prefix, sizeof(h->prefix))
		    : 0;
		if (pl > 0) {
			memcpy(e.name, h->prefix, pl);
			e.name[pl] = '/';
			memcpy(e.name + pl + 1, h->name, nl);
		} else
			memcpy(e.name, h->name, nl);
		e.typeflag = h->typeflag;
		e.type = (h->typeflag == '0' || h->typeflag == '\0') ? TAR_FILE
		    : h->typeflag == '5'                             ? TAR_DIR
					 : TAR_OTHER;
		e.mode = (unsigned)mode;
		off += TAR_BLOCK;
		if (e.type != TAR_DIR) {
			if ((unsigned long long)size > len - off)
				return err_set(err, ERR_INVALID,
				    "archive is truncated inside \"%s\"",
				    e.name);
			e.data = data + off;
			e.size = (size_t)size;
			/* skip data and padding; a missing final pad is fine */
			off += (size_t)size;
			if (size % TAR_BLOCK) {
				size_t pad =
				    TAR_BLOCK - (size_t)size % TAR_BLOCK;
				off = pad > len - off ? len : off + pad;
			}
		}
		if ((r = fn(&e, arg, err)) != 0)
			return r;
	}
	return 0;
}
