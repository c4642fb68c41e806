/*
 * test-dirswap.c: replacing a directory of files as one.  A reader
 * thread checks, while the writer swaps hundreds of times, that the
 * directory never holds a certificate of one generation beside a key of
 * another.
 */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dirswap.h"
#include "common/file.h"
#include "common/xmalloc.h"

static char *
read_at(int dfd, const char *name)
{
	char buf[64];
	ssize_t n;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static char *
slurp(const char *dir, const char *name)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *s;

	if (dfd < 0)
		return NULL;
	s = read_at(dfd, name);
	close(dfd);
	return s;
}

static int
swap_gen(const char *target, const char *stage, int gen, int keep)
{
	char text[32], *old = NULL;
	struct dirswap_file files[2];
	struct cm_err err;
	int r;

	snprintf(text, sizeof(text), "gen %d", gen);
	files[0] =
	    (struct dirswap_file){ "cert.pem", text, strlen(text), 0600 };
	files[1] = (struct dirswap_file){ "key.pem", text, strlen(text), 0600 };
	r = dirswap_replace(target, 0700, files, 2, keep, stage, &old, &err);
	if (r != 0)
		fail_msg("dirswap: %s", err.msg);
	if (old != NULL)
		(void)dir_remove_tree(old, NULL);
	free(old);
	return r;
}

static void
test_basic(void **state)
{
	char *dir = unit_tmpdir(), *target = path_join(dir, "docker");
	char *stage = path_join(dir, "stage"), *s, *old = NULL;
	struct dirswap_file f = { "cert.pem", "x", 1, 0600 };
	struct cm_err err;
	struct stat st;

	(void)state;
	assert_int_equal(dir_ensure(stage, 0700, &err), 0);
	swap_gen(target, stage, 1, 0);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	s = slurp(target, "key.pem");
	assert_string_equal(s, "gen 1");
	free(s);
	/* an extra file survives with keep_others, not without */
	s = path_join(target, "extra");
	assert_int_equal(file_write_atomic(s, "e", 1, 0600, 0, &err), 0);
	free(s);
	swap_gen(target, stage, 2, 1);
	s = slurp(target, "extra");
	assert_string_equal(s, "e");
	free(s);
	swap_gen(target, stage, 3, 0);
	assert_null(slurp(target, "extra"));
	/* the old set comes back for the caller */
	assert_int_equal(
	    dirswap_replace(target, 0700, &f, 1, 0, stage, &old, &err), 0);
	assert_non_null(old);
	s = slurp(old, "cert.pem");
	assert_string_equal(s, "gen 3");
	free(s);
	(void)dir_remove_tree(old, NULL);
	free(old);
	/* a file where the directory should be is refused */
	s = path_join(dir, "file");
	assert_int_equal(file_write_atomic(s, "x", 1, 0600, 0, &err), 0);
	assert_int_equal(
	    dirswap_replace(s, 0700, &f, 1, 0, stage, &old, &err), ERR_PERM);
	free(s);
	/* nothing is left behind in the staging dir */
	assert_int_equal(rmdir(stage), 0);
	unit_rmtree(dir);
	free(stage);
	free(target);
	free(dir);
}

/* The steps ca rotate uses: stage unsynced, sync once, commit. */
static void
test_steps(void **state)
{
	char *dir = unit_tmpdir(), *target = path_join(dir, "docker");
	char *stage_dir = path_join(dir, "stage"), *stage, *old, *s;
	struct dirswap_file f = { "cert.pem", "new", 3, 0600 };
	struct cm_err err;

	(void)state;
	assert_int_equal(dir_ensure(stage_dir, 0700, &err), 0);
	swap_gen(target, stage_dir, 1, 0);
	assert_int_equal(dirswap_stage(target, 0700, &f, 1, 1, stage_dir,
			     DIRSWAP_NOSYNC, &stage, &err),
	    0);
	/* staged, not yet visible; the kept key came along */
	s = slurp(target, "cert.pem");
	assert_string_equal(s, "gen 1");
	free(s);
	s = slurp(stage, "key.pem");
	assert_string_equal(s, "gen 1");
	free(s);
	assert_int_equal(dirswap_sync(stage_dir, &err), 0);
	assert_int_equal(
	    dirswap_commit(target, stage, DIRSWAP_NOSYNC, &old, &err), 0);
	s = slurp(target, "cert.pem");
	assert_string_equal(s, "new");
	free(s);
	assert_non_null(old);
	(void)dir_remove_tree(old, NULL);
	free(old);
	free(stage);
	/* a commit that cannot happen removes the staged directory */
	assert_int_equal(dirswap_stage(target, 0700, &f, 1, 0, stage_dir,
			     DIRSWAP_NOSYNC, &stage, &err),
	    0);
	(void)dir_remove_tree(target, NULL);
	assert_int_equal(file_write_atomic(target, "x", 1, 0600, 0, &err), 0);
	assert_int_equal(
	    dirswap_commit(target, stage, 0, &old, &err), ERR_PERM);
	assert_false(file_exists(stage));
	free(stage);
	assert_int_equal(dirswap_sync("/nonexistent-dir", &err), ERR_NOTFOUND);
	unit_rmtree(dir);
	free(stage_dir);
	free(target);
	free(dir);
}

struct reader {
	const char *target;
	volatile int stop;
	long reads, mismatches;
};

/* Open the directory once, then read both files through it. */
static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	char *a, *b;
	int dfd;

	while (!rd->stop) {
		if ((dfd = open(rd->target, O_RDONLY | O_DIRECTORY)) < 0)
			continue;
		a = read_at(dfd, "cert.pem");
		b = read_at(dfd, "key.pem");
		close(dfd);
		if (a != NULL && b != NULL) {
			rd->reads++;
			if (strcmp(a, b) != 0)
				rd->mismatches++;
		}
		free(a);
		free(b);
	}
	return NULL;
}

static void
test_never_mixed(void **state)
{
	char *dir = unit_tmpdir(), *target = path_join(dir, "docker");
	char *stage = path_join(dir, "stage");
	struct reader rd = { target, 0, 0, 0 };
	struct cm_err err;
	pthread_t t;
	int i;

	(void)state;
	assert_int_equal(dir_ensure(stage, 0700, &err), 0);
	swap_gen(target, stage, 0, 0);
	assert_int_equal(pthread_create(&t, NULL, reader_main, &rd), 0);
	for (i = 1; i <= 500; i++)
		swap_gen(target, stage, i, 0);
	rd.stop = 1;
	pthread_join(t, NULL);
	print_message("%ld consistent reads during 500 swaps\n", rd.reads);
	assert_true(rd.reads > 0);
	assert_int_equal(rd.mismatches, 0);
	unit_rmtree(dir);
	free(stage);
	free(target);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_never_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
