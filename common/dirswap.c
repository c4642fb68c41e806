/* dirswap.c: replace a directory of files as one (see dirswap.h). */
#include "common/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dirswap.h"
#include "common/fault.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define KEEP_MAX ((size_t)1 << 20)

/* Create `dir/name` (which must not exist) with `data`, synced unless
 * `nosync`. */
static int
write_new(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, int nosync, struct cm_err *err)
{
	char *path = path_join(dir, name);
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode & 0777);
	if (fd < 0) {
		r = err_sys(err, "cannot create \"%s\"", path);
		goto out;
	}
	if (fchmod(fd, mode & 0777) != 0 || fd_write_all(fd, data, len) != 0 ||
	    (!nosync && fsync(fd) != 0))
		r = err_sys(err, "cannot write \"%s\"", path);
	if (close(fd) != 0 && r == 0)
		r = err_sys(err, "cannot write \"%s\"", path);
out:
	free(path);
	return r;
}

static int
listed(const struct dirswap_file *files, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return 1;
	return 0;
}

/* Copy the regular files of `from` not named in `files` into `to`. */
static int
copy_others(const char *from, const char *to, const struct dirswap_file *files,
    size_t n, int nosync, struct cm_err *err)
{
	struct dirent *de;
	struct stat st;
	struct buf b;
	DIR *d;
	int r = 0;

	if ((d = opendir(from)) == NULL)
		return errno == ENOENT
		    ? 0
		    : err_sys(err, "cannot read \"%s\"", from);
	buf_init_secret(&b, KEEP_MAX);
	while (r == 0 && (de = readdir(d)) != NULL) {
		char *p;
		if (de->d_name[0] == '.' || listed(files, n, de->d_name))
			continue;
		p = path_join(from, de->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			buf_reset(&b);
			if ((r = file_read(
				 p, KEEP_MAX, FILE_NOFOLLOW, &b, err)) == 0)
				r = write_new(to, de->d_name, b.data, b.len,
				    st.st_mode & 0777, nosync, err);
		}
		free(p);
	}
	closedir(d);
	buf_release(&b);
	return r;
}

/* Without RENAME_EXCHANGE: move the staged files in one by one. */
static int
replace_each(const char *stage, const char *target, struct cm_err *err)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	log_warn("this file system cannot exchange directories; replacing "
		 "the files of \"%s\" one by one",
	    target);
	if ((d = opendir(stage)) == NULL)
		return err_sys(err, "cannot read \"%s\"", stage);
	while (r == 0 && (de = readdir(d)) != NULL) {
		char *from, *to;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		from = path_join(stage, de->d_name);
		to = path_join(target, de->d_name);
		if (rename(from, to) != 0)
			r = err_sys(err, "cannot replace \"%s\"", to);
		free(from);
		free(to);
	}
	closedir(d);
	return r;
}

int
dirswap_stage(const char *target, mode_t dir_mode,
    const struct dirswap_file *files, size_t n, int keep_others,
    const char *stage_dir, int flags, char **stagep, struct cm_err *err)
{
	int nosync = (flags & DIRSWAP_NOSYNC) != 0, r = 0;
	struct stat st;
	char *stage;
	size_t i;

	*stagep = NULL;
	if (lstat(target, &st) == 0 && !S_ISDIR(st.st_mode))
		return err_set(err, ERR_PERM,
		    "refusing to replace \"%s\": not a directory", target);
	if (mkdtemp(stage = path_join(stage_dir, ".ctxmgr-swap-XXXXXX")) ==
	    NULL) {
		r = err_sys(
		    err, "cannot create a directory in \"%s\"", stage_dir);
		free(stage);
		return r;
	}
	if (chmod(stage, dir_mode) != 0) {
		r = err_sys(err, "cannot set mode of \"%s\"", stage);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if ((r = write_new(stage, files[i].name, files[i].data,
			 files[i].len, files[i].mode, nosync, err)) != 0)
			goto fail;
	if (keep_others &&
	    (r = copy_others(target, stage, files, n, nosync, err)) != 0)
		goto fail;
	if (!nosync && (r = dir_sync(stage, err)) != 0)
		goto fail;
	*stagep = stage;
	return 0;
fail:
	(void)dir_remove_tree(stage, NULL);
	free(stage);
	return r;
}

int
dirswap_commit(const char *target, const char *stage, int flags, char **oldp,
    struct cm_err *err)
{
	const char *base;
	struct stat st;
	char *parent;
	int r = 0;

	*oldp = NULL;
	if (lstat(target, &st) != 0) {
		if (errno != ENOENT)
			r = err_sys(err, "cannot stat \"%s\"", target);
		else if (renameat2(AT_FDCWD, stage, AT_FDCWD, target,
			     RENAME_NOREPLACE) != 0)
			r = err_sys(err, "cannot create \"%s\"", target);
	} else if (!S_ISDIR(st.st_mode))
		r = err_set(err, ERR_PERM,
		    "refusing to replace \"%s\": not a directory", target);
	else if (renameat2(
		     AT_FDCWD, stage, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
		*oldp = xstrdup(stage);
		base = strrchr(target, '/');
		(void)fault_point(
		    "dirswap-exchanged", base ? base + 1 : target);
	} else if (errno != EINVAL && errno != ENOSYS)
		r = err_sys(err, "cannot replace \"%s\"", target);
	else if ((r = replace_each(stage, target, err)) == 0)
		(void)dir_remove_tree(stage, NULL);
	if (r != 0) {
		(void)dir_remove_tree(stage, NULL);
		return r;
	}
	/*
	 * Done.  A failed sync now is a durability problem, not a failure;
	 * where the old set went need not survive a crash (it is removed).
	 */
	parent = path_dirname(target);
	if (!(flags & DIRSWAP_NOSYNC) && dir_sync(parent, NULL) != 0)
		log_warn("cannot sync \"%s\"", parent);
	free(parent);
	return 0;
}

int
dirswap_sync(const char *path, struct cm_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return err_sys(err, "cannot open \"%s\"", path);
	if (syncfs(fd) != 0)
		r = err_sys(err, "cannot sync the file system of \"%s\"", path);
	close(fd);
	return r;
}

int
dirswap_replace(const char *target, mode_t dir_mode,
    const struct dirswap_file *files, size_t n, int keep_others,
    const char *stage_dir, char **oldp, struct cm_err *err)
{
	char *stage;
	int r;

	*oldp = NULL;
	if ((r = dirswap_stage(target, dir_mode, files, n, keep_others,
		 stage_dir, 0, &stage, err)) != 0)
		return r;
	r = dirswap_commit(target, stage, 0, oldp, err);
	free(stage);
	return r;
}
