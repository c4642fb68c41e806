/* privfile.c: secret files in private directories (see privfile.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/file.h"
#include "common/privfile.h"
#include "common/xmalloc.h"

int
privdir_check(const char *dir, int create, struct cm_err *err)
{
	struct stat st;
	int r;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || !create)
			return err_sys(err, "cannot use directory \"%s\"", dir);
		if ((r = dir_ensure(dir, 0700, err)) != 0)
			return r;
		if (stat(dir, &st) != 0)
			return err_sys(err, "cannot use directory \"%s\"", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(
		    err, ERR_INVALID, "\"%s\" is not a directory", dir);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return err_set(err, ERR_PERM,
		    "directory \"%s\" is owned by uid %u, not by you: another "
		    "user could replace the files in it",
		    dir, (unsigned)st.st_uid);
	if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		return err_set(err, ERR_PERM,
		    "directory \"%s\" has mode %04o: group or others could "
		    "replace the files in it (chmod go-w \"%s\")",
		    dir, (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

int
privfile_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags, struct cm_err *err)
{
	char *dir = path_dirname(path);
	struct stat st;
	int r, wflags = FILE_SECRET;

	if ((r = privdir_check(dir, 1, err)) != 0)
		goto out;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			r = err_set(err, ERR_PERM,
			    "refusing to write \"%s\": it is a symbolic link",
			    path);
			goto out;
		}
		if (!(flags & PRIVFILE_REPLACE)) {
			r = err_set(err, ERR_EXISTS,
			    "\"%s\" already exists (refusing to overwrite it)",
			    path);
			goto out;
		}
	}
	if (!(flags & PRIVFILE_REPLACE))
		wflags |= FILE_EXCL;
	if (flags & PRIVFILE_NOSYNC)
		wflags |= FILE_NOSYNC;
	r = file_write_atomic(path, data, len, mode, wflags, err);
	if (r == ERR_EXISTS)
		r = err_set(err, ERR_EXISTS,
		    "\"%s\" already exists (refusing to overwrite it)", path);
out:
	free(dir);
	return r;
}

int
privfile_check_fd(
    int fd, const char *path, const char *what, struct cm_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return err_sys(err, "cannot stat %s \"%s\"", what, path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_INVALID,
		    "%s \"%s\" is not a regular file", what, path);
	if (st.st_uid != geteuid())
		return err_set(err, ERR_PERM,
		    "%s \"%s\" is owned by uid %u, not by you (uid %u): "
		    "another user controls it",
		    what, path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return err_set(err, ERR_PERM,
		    "%s \"%s\" has mode %04o: group or others can read or "
		    "change it (chmod 600 \"%s\")",
		    what, path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

int
privfile_read(const char *path, const char *what, size_t max, struct buf *out,
    struct cm_err *err)
{
	int fd, r;

	fd = open(
	    path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(err, ERR_PERM,
			    "refusing to read %s \"%s\": it is a symbolic link",
			    what, path);
		return err_sys(err, "cannot open %s \"%s\"", what, path);
	}
	out->secret = 1;
	if ((r = privfile_check_fd(fd, path, what, err)) == 0 &&
	    (r = file_read_fd(fd, path, max, out, err)) != 0)
		buf_reset(out);
	close(fd);
	return r;
}
