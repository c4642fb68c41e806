/* shellhist.c: the shell's history file (see shell.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "ctxmgr/shell.h"
#include "common/shellwords.h"
#include "common/xmalloc.h"

char *
shell_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state != NULL && state[0] == '/')
		return xasprintf("%s/ctxmgr/history", state);
	return xasprintf("%s/.local/state/ctxmgr/history",
	    home != NULL && *home != '\0' ? home : ".");
}

static void
split_lines(const char *data, size_t max, struct strv *lines)
{
	const char *p = data, *nl;
	struct strv all = { 0 };
	size_t i;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl > p)
			strv_push_owned(&all, xstrndup(p, (size_t)(nl - p)));
		p = *nl ? nl + 1 : nl;
	}
	for (i = all.n > max ? all.n - max : 0; i < all.n; i++)
		strv_push(lines, all.v[i]);
	strv_free(&all);
}

int
shell_history_load(
    const char *path, size_t max, struct strv *lines, struct cm_err *err)
{
	struct buf b;
	int r;

	buf_init(&b, SHELL_HISTORY_FILE_MAX);
	r = file_read(path, SHELL_HISTORY_FILE_MAX, FILE_NOFOLLOW, &b, err);
	if (r == ERR_NOTFOUND)
		r = 0;
	else if (r == 0)
		split_lines(b.data, max, lines);
	buf_release(&b);
	return r;
}

int
shell_history_append(const char *path, const char *line, struct cm_err *err)
{
	char *dir = path_dirname(path);
	struct stat sb;
	int fd, r;

	r = dir_ensure(dir, 0700, err);
	free(dir);
	if (r != 0)
		return r;
	fd = open(
	    path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(err, "cannot open history \"%s\"", path);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(err, ERR_PERM,
		    "history \"%s\" is not a regular file", path);
	}
	if ((sb.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		r = err_sys(err, "cannot make history \"%s\" private", path);
		close(fd);
		return r;
	}
	if (fd_write_all(fd, line, strlen(line)) != 0 ||
	    fd_write_all(fd, "\n", 1) != 0) {
		r = err_sys(err, "cannot write history \"%s\"", path);
		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

int
shell_history_trim(const char *path, size_t max, struct cm_err *err)
{
	struct strv lines = { 0 }, all = { 0 };
	struct buf b;
	size_t i;
	int r;

	if ((r = shell_history_load(path, (size_t)-1, &all, err)) != 0)
		return r;
	if (all.n <= max) {
		strv_free(&all);
		return 0;
	}
	for (i = all.n - max; i < all.n; i++)
		strv_push(&lines, all.v[i]);
	buf_init(&b, 0);
	for (i = 0; i < lines.n; i++)
		buf_printf(&b, "%s\n", lines.v[i]);
	r = file_write_atomic(path, b.data, b.len, 0600, FILE_NOSYNC, err);
	buf_release(&b);
	strv_free(&lines);
	strv_free(&all);
	return r;
}

/* docker login -p/--password VALUE (or -pVALUE) */
static int
docker_line_is_secret(int argc, char **argv)
{
	int i, login = 0, password = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "login") == 0)
			login = 1;
		else if (str_has_prefix(argv[i], "-p") ||
		    str_has_prefix(argv[i], "--password"))
			password = 1;
	}
	return login && password;
}

int
shell_line_is_private(const char *line)
{
	struct strv w = { 0 };
	struct cm_err err;
	int r = 1, skip = 0;

	if (line[0] == ' ' || line[0] == '\t' ||
	    strlen(line) > SHELL_HISTORY_LINE_MAX || strchr(line, '\n'))
		return 1;
	if (shellwords_split(line, &w, &err) != 0)
		return 1;
	if (w.n > 0 && strcmp(w.v[0], "ctxmgr") == 0)
		skip = 1;
	if (w.n > (size_t)skip && strcmp(w.v[skip], "docker") == 0)
		r = docker_line_is_secret((int)w.n - skip, w.v + skip);
	else
		r = cmd_line_is_secret((int)w.n - skip, w.v + skip);
	strv_free(&w);
	return r;
}
