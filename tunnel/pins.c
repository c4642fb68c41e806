/* pins.c: the pinned direct contexts (see pins.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/file.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "tunnel/pins.h"

static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Docker's name rule: ^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$ (and ours: < 256). */
static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > 255 || !alnum(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!alnum(s[i]) && strchr("_.+-", s[i]) == NULL)
			return 0;
	return 1;
}

/* One line: 1 and *p if it parses. */
static int
parse_line(const char *line, size_t n, struct pin *p)
{
	char f[4][256], tmp[1024];
	long long v;
	int k;

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	if (strlen(tmp) != n) /* a NUL inside */
		return 0;
	/* exactly four fields, spaces or tabs between them */
	{
		char *end = tmp;
		int fields = 0;
		while (*end) {
			while (*end == ' ' || *end == '\t')
				end++;
			if (*end == '\0')
				break;
			char *start = end;
			fields++;
			while (*end && *end != ' ' && *end != '\t')
				end++;
			if (end - start > 255)
				return 0;
		}
		if (fields != 4)
			return 0;
	}
	k = sscanf(tmp, "%255s %255s %255s %255s", f[0], f[1], f[2], f[3]);
	if (k != 4)
		return 0;
	memset(p, 0, sizeof(*p));
	if (!name_ok(f[0], strlen(f[0])))
		return 0;
	snprintf(p->name, sizeof(p->name), "%s", f[0]);
	if (tunnel_mode_parse(f[1], &p->mode) != 0)
		return 0;
	if (strcmp(f[2], "0") != 0 && strcmp(f[2], "1") != 0)
		return 0;
	p->no_ping = f[2][0] == '1';
	if (parse_int(f[3], 0, 65535, &v) != 0)
		return 0;
	p->port = (int)v;
	return 1;
}

void
pins_parse(
    const char *data, size_t len, struct pin **listp, size_t *np, size_t *badp)
{
	struct pin *list = NULL, p;
	size_t n = 0, bad = 0, i;
	const char *s = data, *end = data + len, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (l > 0 && s[0] != '#') {
			if (parse_line(s, l, &p)) {
				for (i = 0; i < n; i++)
					if (strcmp(list[i].name, p.name) == 0)
						break;
				if (i == n)
					list = xreallocarray(
					    list, ++n, sizeof(*list));
				list[i] = p;
			} else
				bad++;
		}
		s += l + 1;
	}
	*listp = list;
	*np = n;
	if (badp != NULL)
		*badp = bad;
}

int
pins_load(
    const char *run_dir, struct pin **listp, size_t *np, struct cm_err *err)
{
	char *path = path_join(run_dir, PINS_FILE);
	struct stat st;
	struct buf b;
	int fd, r;

	*listp = NULL;
	*np = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			r = 0;
		else if (errno == ELOOP)
			r = err_set(err, ERR_PERM,
			    "\"%s\" is a symlink: refusing it", path);
		else
			r = err_sys(err, "cannot open \"%s\"", path);
		free(path);
		return r;
	}
	if (fstat(fd, &st) != 0)
		r = err_sys(err, "cannot stat \"%s\"", path);
	else if (!S_ISREG(st.st_mode))
		r = err_set(err, ERR_PERM,
		    "\"%s\" is not a regular file: refusing it", path);
	else if (st.st_uid != geteuid())
		r = err_set(err, ERR_PERM,
		    "\"%s\" belongs to another user (uid %ld): refusing it",
		    path, (long)st.st_uid);
	else if ((st.st_mode & 077) != 0)
		r = err_set(err, ERR_PERM,
		    "\"%s\" has mode %03o, not 600: refusing it", path,
		    (unsigned)(st.st_mode & 0777));
	else {
		buf_init(&b, PINS_MAX_BYTES);
		if ((r = file_read_fd(fd, path, PINS_MAX_BYTES, &b, err)) == 0)
			pins_parse(b.data, b.len, listp, np, NULL);
		buf_release(&b);
	}
	close(fd);
	free(path);
	return r;
}

int
pins_edit(const char *run_dir, const char *name, const struct pin *p,
    struct pin *oldp, int *wasp, struct cm_err *err)
{
	char *lock = path_join(run_dir, PINS_LOCK);
	char *path = path_join(run_dir, PINS_FILE);
	struct pin *list = NULL;
	size_t n = 0, i;
	struct buf b;
	int lfd = -1, r, changed = 0, was = 0;

	buf_init(&b, PINS_MAX_BYTES);
	if ((r = file_lock(lock, &lfd, err)) != 0 ||
	    (r = pins_load(run_dir, &list, &n, err)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0) {
			if (oldp != NULL)
				*oldp = list[i];
			was = 1;
			if (p != NULL && strcmp(p->name, name) == 0 &&
			    list[i].mode == p->mode &&
			    list[i].no_ping == p->no_ping &&
			    list[i].port == p->port)
				goto out; /* the same pin */
			list[i] = list[--n];
			changed = 1;
			break;
		}
	if (p != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(list[i].name, p->name) == 0)
				break;
		if (i == n)
			list = xreallocarray(list, ++n, sizeof(*list));
		list[i] = *p;
		changed = 1;
	}
	if (!changed)
		goto out;
	buf_printf(&b,
	    "# ctxmgr: direct contexts the tunnel service serves "
	    "(NAME MODE NOPING PORT)\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s %s %d %d\n", list[i].name,
		    tunnel_mode_name(list[i].mode), list[i].no_ping,
		    list[i].port);
	r = file_write_atomic(path, b.data, b.len, 0600, FILE_NOSYNC, err);
out:
	if (wasp != NULL)
		*wasp = was;
	file_unlock(lfd);
	buf_release(&b);
	free(list);
	free(lock);
	free(path);
	return r;
}

int
pins_listen_check(const char *listen, int *portp, struct cm_err *err)
{
	const char *colon = strrchr(listen, ':');
	long long port;

	if (colon == NULL ||
	    !((colon - listen == 9 && strncmp(listen, "127.0.0.1", 9) == 0) ||
		(colon - listen == 9 && strncmp(listen, "localhost", 9) == 0)))
		return err_set(err, ERR_USAGE,
		    "--listen \"%s\": only 127.0.0.1:PORT is allowed (anyone "
		    "who reaches the port controls the Docker daemon)",
		    listen);
	if (parse_int(colon + 1, 1, 65535, &port) != 0)
		return err_set(err, ERR_USAGE,
		    "--listen \"%s\": the port must be 1..65535", listen);
	*portp = (int)port;
	return 0;
}
