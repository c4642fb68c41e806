/* syncset.c: fsync several files at once (see syncset.h). */
#include "common/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/syncset.h"
#include "common/xmalloc.h"

/* More threads than this gain nothing on a disk that queues the rest. */
#define SYNC_THREADS 8

void
syncset_init(struct syncset *s)
{
	memset(s, 0, sizeof(*s));
}

void
syncset_release(struct syncset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		close(s->fd[i]);
	free(s->fd);
	strv_free(&s->name);
	memset(s, 0, sizeof(*s));
}

int
syncset_add(struct syncset *s, const char *path, struct cm_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return err_sys(err, "cannot open \"%s\" to sync it", path);
	s->fd = xreallocarray(s->fd, s->n + 1, sizeof(*s->fd));
	s->fd[s->n++] = fd;
	strv_push(&s->name, path);
	return 0;
}

int
syncset_add_dir(struct syncset *s, const char *dir, struct cm_err *err)
{
	struct dirent *de;
	DIR *d;
	int r;

	if ((r = syncset_add(s, dir, err)) != 0)
		return r;
	if ((d = opendir(dir)) == NULL)
		return err_sys(err, "cannot read \"%s\"", dir);
	while (r == 0 && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = path_join(dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			r = syncset_add(s, p, err);
		free(p);
	}
	closedir(d);
	return r;
}

struct sync_job {
	const struct syncset *s;
	size_t first, step;
	int *errs; /* errno of each, 0 when synced */
};

static void *
sync_some(void *arg)
{
	const struct sync_job *j = arg;
	size_t i;

	for (i = j->first; i < j->s->n; i += j->step)
		/* a directory may refuse fsync on some file systems */
		j->errs[i] =
		    fsync(j->s->fd[i]) == 0 || errno == EINVAL ? 0 : errno;
	return NULL;
}

int
syncset_flush(struct syncset *s, struct cm_err *err)
{
	struct sync_job job[SYNC_THREADS];
	pthread_t tid[SYNC_THREADS];
	int started[SYNC_THREADS] = { 0 };
	size_t i, nt = s->n < SYNC_THREADS ? s->n : SYNC_THREADS;
	int *errs, r = 0;

	if (s->n == 0)
		return 0;
	errs = xcalloc(s->n, sizeof(*errs));
	for (i = 0; i < nt; i++)
		job[i] = (struct sync_job){ s, i, nt, errs };
	/* the first share runs here; a thread that cannot start, too */
	for (i = 1; i < nt; i++)
		started[i] =
		    pthread_create(&tid[i], NULL, sync_some, &job[i]) == 0;
	sync_some(&job[0]);
	for (i = 1; i < nt; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			sync_some(&job[i]);
	}
	for (i = 0; i < s->n && r == 0; i++)
		if (errs[i] != 0) {
			errno = errs[i];
			r = err_sys(err, "cannot sync \"%s\"", s->name.v[i]);
		}
	free(errs);
	syncset_release(s);
	return r;
}
