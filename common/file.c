/* file.c: capped reads, atomic writes, private dirs and locks (see file.h). */
#include "common/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fault.h"
#include "common/file.h"
#include "common/xmalloc.h"

int
fd_write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
file_read_fd(
    int fd, const char *name, size_t max, struct buf *out, struct cm_err *err)
{
	size_t start = out->len;
	char tmp[16384];
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "cannot read \"%s\"", name);
		}
		if (n == 0)
			break;
		if (out->len - start + (size_t)n > max ||
		    buf_add(out, tmp, (size_t)n) != 0) {
			if (out->secret)
				explicit_bzero(tmp, sizeof(tmp));
			return err_set(err, ERR_TOOBIG,
			    "\"%s\" is larger than %zu bytes", name, max);
		}
	}
	if (out->secret)
		explicit_bzero(tmp, sizeof(tmp));
	return 0;
}

int
file_read(const char *path, size_t max, int flags, struct buf *out,
    struct cm_err *err)
{
	int fd, r, oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
	struct stat st;

	if (flags & FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if ((fd = open(path, oflags)) < 0) {
		if (errno == ELOOP && (flags & FILE_NOFOLLOW))
			return err_set(err, ERR_PERM,
			    "refusing to read \"%s\": it is a symbolic link",
			    path);
		return err_sys(err, "cannot open \"%s\"", path);
	}
	if (fstat(fd, &st) != 0) {
		r = err_sys(err, "cannot stat \"%s\"", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = err_set(err, ERR_INVALID, "\"%s\" is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		r = err_set(err, ERR_TOOBIG, "\"%s\" is larger than %zu bytes",
		    path, max);
		goto out;
	}
	if (flags & FILE_SECRET)
		out->secret = 1;
	r = file_read_fd(fd, path, max, out, err);
out:
	close(fd);
	return r;
}

static int
resolve_target(const char *path, char **outp, struct cm_err *err)
{
	char *real;
	struct stat st;

	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
		*outp = xstrdup(path);
		return 0;
	}
	if ((real = realpath(path, NULL)) == NULL) {
		if (errno != ENOENT)
			return err_sys(err, "cannot resolve \"%s\"", path);
		/* dangling link: write where it points */
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return err_sys(err, "cannot read link \"%s\"", path);
		target[n] = '\0';
		if (target[0] == '/')
			real = xstrdup(target);
		else {
			char *dir = path_dirname(path);
			real = path_join(dir, target);
			free(dir);
		}
	}
	*outp = real;
	return 0;
}

/* Whether O_TMPFILE files can be named here: through /proc/self/fd. */
static int
can_link_tmpfile(void)
{
	static int ok = -1;

	if (ok < 0)
		ok = access("/proc/self/fd", X_OK) == 0;
	return ok;
}

/*
 * An unnamed file in `dir` (O_TMPFILE): a writer killed before it is
 * linked leaves nothing behind.  -1 where the file system or the kernel
 * has none (the caller uses a named temporary file then).
 */
static int
open_unnamed(const char *dir)
{
	int e;

	if ((e = fault_point("tmpfile", NULL)) != 0 || !can_link_tmpfile())
		return -1;
	return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
}

/* Give the unnamed file `fd` the name `path` (EEXIST when taken). */
static int
link_unnamed(int fd, const char *path)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/* ".BASE.tmp-" and six random letters (mkstemp's shape). */
static char *
tmp_name(const char *dir, const char *base)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	char suffix[7];
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(rand() ^ getpid());
	for (i = 0; i < sizeof(rnd); i++)
		suffix[i] = set[rnd[i] % (sizeof(set) - 1)];
	suffix[6] = '\0';
	return xasprintf("%s/.%s.tmp-%s", dir, base, suffix);
}

int
file_is_tmp_of(const char *name, const char *base)
{
	size_t bl = strlen(base);

	return name[0] == '.' && strncmp(name + 1, base, bl) == 0 &&
	    strncmp(name + 1 + bl, ".tmp-", 5) == 0 &&
	    strlen(name + 1 + bl + 5) == 6;
}

void
file_tidy(const char *path)
{
	char *dir = path_dirname(path);
	const char *base = strrchr(path, '/');
	struct dirent *de;
	DIR *d;
	int dfd;

	base = base ? base + 1 : path;
	if ((d = opendir(dir)) == NULL)
		goto out;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL)
		if (file_is_tmp_of(de->d_name, base))
			(void)unlinkat(dfd, de->d_name, 0);
	closedir(d);
out:
	free(dir);
}

void
file_tidy_dir(const char *dir)
{
	struct dirent *de;
	size_t len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' && len > 12 &&
		    strncmp(de->d_name + len - 11, ".tmp-", 5) == 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Name the unnamed file `fd`: the target itself (FILE_EXCL), else a
 * temporary name to rename from (*tmpp). */
static int
name_unnamed(int fd, const char *dir, const char *target, const char *base,
    int flags, char **tmpp, struct cm_err *err)
{
	int tries;

	if (flags & FILE_EXCL) {
		if (link_unnamed(fd, target) == 0)
			return 0;
		if (errno == EEXIST)
			return err_set(
			    err, ERR_EXISTS, "\"%s\" already exists", target);
		return err_sys(err, "cannot create \"%s\"", target);
	}
	for (tries = 0;; tries++) {
		*tmpp = tmp_name(dir, base);
		if (link_unnamed(fd, *tmpp) == 0)
			break;
		free(*tmpp);
		*tmpp = NULL;
		if (errno != EEXIST || tries == 100)
			return err_sys(err,
			    "cannot create a temporary file in \"%s\"", dir);
	}
	(void)fault_point("file-linked", base);
	return 0;
}

int
file_stage(const char *path, const void *data, size_t len, mode_t mode,
    int flags, struct file_staged *sf, struct cm_err *err)
{
	char *dir = path_dirname(path);
	const char *base = strrchr(path, '/');
	struct stat st;
	int r = 0, e;

	memset(sf, 0, sizeof(*sf));
	sf->fd = -1;
	sf->flags = flags & FILE_EXCL;
	base = base ? base + 1 : path;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			r = err_set(err, ERR_PERM,
			    "refusing to write \"%s\": it is a symbolic link",
			    path);
		else if (flags & FILE_EXCL)
			r = err_set(
			    err, ERR_EXISTS, "\"%s\" already exists", path);
		else if (!S_ISREG(st.st_mode))
			r = err_set(err, ERR_INVALID,
			    "refusing to replace \"%s\": not a regular file",
			    path);
		if (r != 0)
			goto out;
	} else if (errno != ENOENT) {
		r = err_sys(err, "cannot stat \"%s\"", path);
		goto out;
	}
	if (flags & FILE_TIDY)
		file_tidy(path);
	if ((sf->fd = open_unnamed(dir)) < 0) {
		sf->tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, base);
		if ((sf->fd = mkostemp(sf->tmp, O_CLOEXEC)) < 0) {
			r = err_sys(err,
			    "cannot create a temporary file in \"%s\"", dir);
			goto out;
		}
	}
	if (fd_write_all(sf->fd, data, len) != 0) {
		r = err_sys(err, "cannot write \"%s\"", path);
		goto out;
	}
	if (fchmod(sf->fd, mode) != 0) {
		r = err_sys(err, "cannot set mode of \"%s\"", path);
		goto out;
	}
	if ((e = fault_point("file-written", base)) != 0) {
		errno = e;
		r = err_sys(err, "cannot write \"%s\"", path);
		goto out;
	}
	sf->path = xstrdup(path);
	if (sf->tmp != NULL) { /* named already: no descriptor to keep */
		close(sf->fd);
		sf->fd = -1;
	}
out:
	if (r != 0)
		file_stage_drop(sf);
	free(dir);
	return r;
}

int
file_stage_place(struct file_staged *sf, struct cm_err *err)
{
	char *dir = path_dirname(sf->path);
	const char *base = strrchr(sf->path, '/');
	int r = 0;

	base = base ? base + 1 : sf->path;
	if (sf->fd >= 0) {
		if ((r = name_unnamed(sf->fd, dir, sf->path, base, sf->flags,
			 &sf->tmp, err)) != 0 ||
		    (sf->flags & FILE_EXCL))
			goto out;
	}
	if (sf->flags & FILE_EXCL) {
		if (link(sf->tmp, sf->path) != 0)
			r = errno == EEXIST
			    ? err_set(err, ERR_EXISTS, "\"%s\" already exists",
				  sf->path)
			    : err_sys(err, "cannot create \"%s\"", sf->path);
	} else if (rename(sf->tmp, sf->path) != 0)
		r = err_sys(err, "cannot replace \"%s\"", sf->path);
	else {
		free(sf->tmp); /* renamed: nothing to unlink */
		sf->tmp = NULL;
	}
out:
	free(dir);
	file_stage_drop(sf);
	return r;
}

void
file_stage_drop(struct file_staged *sf)
{
	if (sf->fd >= 0)
		close(sf->fd);
	if (sf->tmp != NULL)
		(void)unlink(sf->tmp);
	free(sf->tmp);
	free(sf->path);
	memset(sf, 0, sizeof(*sf));
	sf->fd = -1;
}

int
file_sync_fs(const char *path, struct cm_err *err)
{
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_sys(err, "cannot open \"%s\"", path);
	if (syncfs(fd) != 0)
		r = err_sys(err, "cannot sync \"%s\"", path);
	close(fd);
	return r;
}

int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    int flags, struct cm_err *err)
{
	char *target = NULL, *dir = NULL, *tmp = NULL;
	const char *base, *what;
	struct stat st;
	int fd = -1, r, have_old = 0, e, unnamed = 0;

	if (flags & FILE_FOLLOW_TARGET) {
		if ((r = resolve_target(path, &target, err)) != 0)
			return r;
	} else
		target = xstrdup(path);

	if (lstat(target, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			r = err_set(err, ERR_PERM,
			    "refusing to write \"%s\": it is a symbolic link",
			    target);
			goto out;
		}
		if (flags & FILE_EXCL) {
			r = err_set(
			    err, ERR_EXISTS, "\"%s\" already exists", target);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			r = err_set(err, ERR_INVALID,
			    "refusing to replace \"%s\": not a regular file",
			    target);
			goto out;
		}
		have_old = 1;
	} else if (errno != ENOENT) {
		r = err_sys(err, "cannot stat \"%s\"", target);
		goto out;
	}

	dir = path_dirname(target);
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (flags & FILE_TIDY)
		file_tidy(target);
	/* unnamed until complete: a killed writer leaves no name behind */
	if ((fd = open_unnamed(dir)) >= 0)
		unnamed = 1;
	else {
		tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, base);
		if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
			r = err_sys(err,
			    "cannot create a temporary file in \"%s\"", dir);
			free(tmp);
			tmp = NULL;
			goto out;
		}
	}
	what = tmp != NULL ? tmp : target;
	if (fd_write_all(fd, data, len) != 0) {
		r = err_sys(err, "cannot write \"%s\"", what);
		goto out;
	}
	if ((flags & FILE_KEEP_MODE) && have_old) {
		if (fchmod(fd, st.st_mode & 07777) != 0) {
			r = err_sys(err, "cannot set mode of \"%s\"", what);
			goto out;
		}
		/* keeping the owner needs privilege; ignore EPERM */
		if (fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) {
			r = err_sys(err, "cannot set owner of \"%s\"", what);
			goto out;
		}
	} else if (fchmod(fd, mode) != 0) {
		r = err_sys(err, "cannot set mode of \"%s\"", what);
		goto out;
	}
	if (!(flags & FILE_NOSYNC) && fsync(fd) != 0) {
		r = err_sys(err, "cannot sync \"%s\"", what);
		goto out;
	}
	if ((e = fault_point("file-written", base)) != 0) {
		errno = e;
		r = err_sys(err, "cannot write \"%s\"", what);
		goto out;
	}
	if (unnamed) {
		r = name_unnamed(fd, dir, target, base, flags, &tmp, err);
		if (r != 0 || (flags & FILE_EXCL))
			goto synced;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = err_sys(err, "cannot write \"%s\"", what);
		goto out;
	}
	fd = -1;
	if (flags & FILE_EXCL) {
		if (link(tmp, target) != 0) {
			if (errno == EEXIST)
				r = err_set(err, ERR_EXISTS,
				    "\"%s\" already exists", target);
			else
				r = err_sys(
				    err, "cannot create \"%s\"", target);
			goto out;
		}
		unlink(tmp);
	} else if (rename(tmp, target) != 0) {
		r = err_sys(err, "cannot replace \"%s\"", target);
		goto out;
	}
	free(tmp);
	tmp = NULL;
synced:
	if (r == 0)
		r = (flags & FILE_NOSYNC) ? 0 : dir_sync(dir, err);
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(target);
	return r;
}

int
dir_ensure(const char *path, mode_t mode, struct cm_err *err)
{
	char *p, *s;
	struct stat st;
	int r = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0; /* the common case: nothing to create */
	p = xstrdup(path);
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char save = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0) {
			if (errno != EEXIST) {
				r = err_sys(
				    err, "cannot create directory \"%s\"", p);
				goto out;
			}
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				r = err_set(err, ERR_INVALID,
				    "\"%s\" exists and is not a directory", p);
				goto out;
			}
		} else if (chmod(p, mode) != 0) {
			/* mkdir honours the umask; the mode asked for is exact */
			r = err_sys(err, "cannot set mode of \"%s\"", p);
			goto out;
		}
		*s = save;
		if (save == '\0')
			break;
		while (s[1] == '/')
			s++;
		if (s[1] == '\0')
			break;
	}
out:
	free(p);
	return r;
}

int
dir_sync(const char *path, struct cm_err *err)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_sys(err, "cannot open directory \"%s\"", path);
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return err_sys(err, "cannot sync directory \"%s\"", path);
	}
	close(fd);
	return 0;
}

int
dir_remove_tree(const char *path, struct cm_err *err)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT
		    ? 0
		    : err_sys(err, "cannot stat \"%s\"", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) != 0 && errno != ENOENT)
			return err_sys(err, "cannot remove \"%s\"", path);
		return 0;
	}
	if ((d = opendir(path)) == NULL)
		return err_sys(err, "cannot open directory \"%s\"", path);
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		char *child = path_join(path, de->d_name);
		r = dir_remove_tree(child, err);
		free(child);
	}
	closedir(d);
	if (r == 0 && rmdir(path) != 0 && errno != ENOENT)
		r = err_sys(err, "cannot remove \"%s\"", path);
	return r;
}

int
file_check_private(const char *path, const struct stat *stp, const char *what,
    struct cm_err *err)
{
	struct stat st;

	if (stp == NULL) {
		if (stat(path, &st) != 0)
			return err_sys(err, "cannot stat \"%s\"", path);
		stp = &st;
	}
	if (stp->st_uid != geteuid() && stp->st_uid != 0)
		return err_set(err, ERR_PERM,
		    "%s \"%s\" is owned by uid %u, not by you", what, path,
		    (unsigned)stp->st_uid);
	if (stp->st_mode & 077)
		return err_set(err, ERR_PERM,
		    "%s \"%s\" has mode %04o: it must not be accessible by "
		    "group or others (chmod 600 \"%s\")",
		    what, path, (unsigned)(stp->st_mode & 07777), path);
	return 0;
}

int
file_lock(const char *path, int *fdp, struct cm_err *err)
{
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_sys(err, "cannot open lock file \"%s\"", path);
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		close(fd);
		return err_sys(err, "cannot lock \"%s\"", path);
	}
	*fdp = fd;
	return 0;
}

void
file_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

int
file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)la, a, b);
}

char *
path_dirname(const char *path)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}
