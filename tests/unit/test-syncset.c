/*
 * test-syncset.c: syncing several files at once, and writing a file in
 * two steps, over the previous version's file.  fsync is replaced here by one that records what it synced
 * and from which thread (then syncs for real), and fails on request.
 */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/file.h"
#include "common/syncset.h"
#include "common/xmalloc.h"

#define MAX_SYNCED 64

static struct {
	pthread_mutex_t lock;
	ino_t ino[MAX_SYNCED];
	pid_t tid[MAX_SYNCED];
	size_t n;
	ino_t fail; /* fail with EIO on this inode */
} rec = { PTHREAD_MUTEX_INITIALIZER, { 0 }, { 0 }, 0, 0 };

int fsync(int fd);

int
fsync(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	pthread_mutex_lock(&rec.lock);
	if (rec.n < MAX_SYNCED) {
		rec.ino[rec.n] = st.st_ino;
		rec.tid[rec.n++] = (pid_t)syscall(SYS_gettid);
	}
	pthread_mutex_unlock(&rec.lock);
	if (st.st_ino == rec.fail) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static ino_t
ino_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

static int
synced(ino_t ino)
{
	size_t i;

	for (i = 0; i < rec.n; i++)
		if (rec.ino[i] == ino)
			return 1;
	return 0;
}

static char *
put(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);
	struct cm_err err;

	assert_int_equal(
	    file_write_atomic(p, text, strlen(text), 0600, FILE_NOSYNC, &err),
	    0);
	return p;
}

/* A directory and its files, synced from more than one thread. */
static void
test_dir_in_parallel(void **state)
{
	char *dir = unit_tmpdir(), *sub = path_join(dir, "set"), *p[4];
	struct syncset ss;
	struct cm_err err;
	size_t i, j;
	int threads = 0;

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	p[0] = put(sub, "ca.pem", "a");
	p[1] = put(sub, "cert.pem", "b");
	p[2] = put(sub, "key.pem", "c");
	p[3] = put(dir, "index.json", "d");
	syncset_init(&ss);
	assert_int_equal(syncset_add(&ss, p[3], &err), 0);
	assert_int_equal(syncset_add_dir(&ss, sub, &err), 0);
	assert_int_equal(ss.n, 5);
	rec.n = 0;
	assert_int_equal(syncset_flush(&ss, &err), 0);
	assert_int_equal(ss.n, 0);
	assert_int_equal(rec.n, 5);
	assert_true(synced(ino_of(sub)));
	for (i = 0; i < 4; i++)
		assert_true(synced(ino_of(p[i])));
	for (i = 0; i < rec.n; i++) {
		for (j = 0; j < i && rec.tid[j] != rec.tid[i]; j++)
			;
		threads += j == i;
	}
	assert_true(threads > 1);
	/* an empty set syncs nothing */
	rec.n = 0;
	assert_int_equal(syncset_flush(&ss, &err), 0);
	assert_int_equal(rec.n, 0);
	for (i = 0; i < 4; i++)
		free(p[i]);
	unit_rmtree(dir);
	free(sub);
	free(dir);
}

/* A failed fsync names the file; the set is released all the same. */
static void
test_failure(void **state)
{
	char *dir = unit_tmpdir(), *a = put(dir, "a", "1"),
	     *b = put(dir, "b", "2");
	char *gone = path_join(dir, "gone");
	struct syncset ss;
	struct cm_err err;

	(void)state;
	syncset_init(&ss);
	assert_int_not_equal(syncset_add(&ss, gone, &err), 0);
	assert_non_null(strstr(err.msg, "gone"));
	assert_int_equal(ss.n, 0);
	assert_int_equal(syncset_add(&ss, a, &err), 0);
	assert_int_equal(syncset_add(&ss, b, &err), 0);
	rec.fail = ino_of(b);
	assert_int_not_equal(syncset_flush(&ss, &err), 0);
	rec.fail = 0;
	assert_non_null(strstr(err.msg, "cannot sync"));
	assert_non_null(strstr(err.msg, "/b\""));
	assert_int_equal(ss.n, 0);
	free(a);
	free(b);
	free(gone);
	unit_rmtree(dir);
	free(dir);
}

/* file_stage with FILE_SYNC_LATER leaves the sync to the caller;
 * file_commit moves the file in and syncs the directory; file_unstage
 * leaves the old file alone. */
static void
test_stage_commit(void **state)
{
	char *dir = unit_tmpdir(), *p = put(dir, "db", "old");
	struct file_staged fs;
	struct cm_err err;
	char buf[8] = { 0 };
	FILE *f;

	(void)state;
	rec.n = 0;
	assert_int_equal(
	    file_stage(p, "new", 3, 0600, FILE_SYNC_LATER, &fs, &err), 0);
	assert_int_equal(rec.n, 0);
	assert_non_null(fs.tmp);
	assert_true(access(fs.tmp, F_OK) == 0);
	file_unstage(&fs);
	assert_null(fs.tmp);
	assert_non_null(f = fopen(p, "r"));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old");

	assert_int_equal(
	    file_stage(p, "new", 3, 0600, FILE_SYNC_LATER, &fs, &err), 0);
	assert_int_equal(file_commit(&fs, &err), 0);
	assert_int_equal(rec.n, 1);
	assert_true(synced(ino_of(dir)));
	assert_non_null(f = fopen(p, "r"));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "new");
	/* without FILE_SYNC_LATER the file is synced when staged */
	rec.n = 0;
	assert_int_equal(file_stage(p, "xyz", 3, 0600, 0, &fs, &err), 0);
	assert_int_equal(rec.n, 1);
	/* unnamed (O_TMPFILE) until committed */
	assert_true(fs.unnamed);
	assert_null(fs.tmp);
	{
		struct stat st;
		assert_int_equal(fstat(fs.fd, &st), 0);
		assert_true(synced(st.st_ino));
	}
	assert_int_equal(file_commit(&fs, &err), 0);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

static void
expect_text(const char *path, const char *want)
{
	char buf[16] = { 0 };
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, want);
}

/* FILE_REUSE_PREV: the old version stays in .NAME.prev, whose inode
 * the next version is written into. */
static void
test_reuse_prev(void **state)
{
	char *dir = unit_tmpdir(), *p = put(dir, "db", "one");
	char *prev = path_join(dir, ".db.prev");
	struct file_staged fs;
	struct cm_err err;
	ino_t ino;

	(void)state;
	assert_int_equal(file_write_atomic(p, "two", 3, 0600,
			     FILE_REUSE_PREV | FILE_NOSYNC, &err),
	    0);
	expect_text(p, "two");
	expect_text(prev, "one");
	ino = ino_of(prev);
	assert_int_equal(
	    file_stage(p, "three", 5, 0600, FILE_REUSE_PREV, &fs, &err), 0);
	assert_string_equal(fs.tmp, prev);
	assert_int_equal(file_commit(&fs, &err), 0);
	expect_text(p, "three");
	expect_text(prev, "two");
	assert_true(ino_of(p) == ino); /* written into, not created */
	/* dropped before commit: the current version is untouched */
	assert_int_equal(
	    file_stage(p, "four", 4, 0600, FILE_REUSE_PREV, &fs, &err), 0);
	file_unstage(&fs);
	expect_text(p, "three");
	free(prev);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_in_parallel),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_stage_commit),
		cmocka_unit_test(test_reuse_prev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
