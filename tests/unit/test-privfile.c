/* test-privfile.c: secret files: private directories, exclusive
 * creation, no symlinks, owner and mode checks. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/privfile.h"
#include "common/xmalloc.h"

static void
expect_err(int r, int code, const struct cm_err *err, const char *needle)
{
	assert_int_equal(r, code);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err->msg, needle);
}

static void
test_privdir(void **state)
{
	char *d = unit_tmpdir(), *sub = xasprintf("%s/a/b", d);
	struct cm_err err;
	struct stat st;

	(void)state;
	/* created 0700 whatever the umask, parents too */
	mode_t old = umask(0);
	assert_int_equal(privdir_check(sub, 1, &err), 0);
	umask(old);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	free(sub);
	sub = xasprintf("%s/a", d);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* not created without `create` */
	free(sub);
	sub = xasprintf("%s/missing", d);
	assert_int_not_equal(privdir_check(sub, 0, &err), 0);
	/* writable by others: refused, unless sticky */
	assert_int_equal(chmod(d, 0777), 0);
	expect_err(privdir_check(d, 0, &err), ERR_PERM, &err, "chmod go-w");
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(privdir_check(d, 0, &err), 0);
	assert_int_equal(chmod(d, 0700), 0);
	/* a file is not a directory */
	free(sub);
	sub = xasprintf("%s/file", d);
	assert_int_equal(privfile_write(sub, "x", 1, 0600, 0, &err), 0);
	expect_err(
	    privdir_check(sub, 1, &err), ERR_INVALID, &err, "not a directory");
	/* another owner */
	if (geteuid() == 0) {
		free(sub);
		sub = xasprintf("%s/theirs", d);
		assert_int_equal(mkdir(sub, 0700), 0);
		assert_int_equal(chown(sub, 65534, 65534), 0);
		expect_err(privdir_check(sub, 0, &err), ERR_PERM, &err,
		    "owned by uid 65534");
	}
	free(sub);
	unit_rmtree(d);
	free(d);
}

static void
test_privfile_write(void **state)
{
	char *d = unit_tmpdir(), *p = xasprintf("%s/k/key", d);
	char *link = xasprintf("%s/k/link", d);
	struct cm_err err;
	struct stat st;
	struct buf b;

	(void)state;
	mode_t old = umask(0);
	assert_int_equal(privfile_write(p, "secret", 6, 0600, 0, &err), 0);
	umask(old);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* never over an existing file */
	expect_err(privfile_write(p, "other", 5, 0600, 0, &err), ERR_EXISTS,
	    &err, "already exists");
	buf_init(&b, 0);
	assert_int_equal(privfile_read(p, "key", 1024, &b, &err), 0);
	assert_string_equal(b.data, "secret");
	assert_true(b.secret);
	buf_release(&b);
	/* replace on purpose */
	assert_int_equal(
	    privfile_write(p, "new", 3, 0600, PRIVFILE_REPLACE, &err), 0);
	assert_int_equal(privfile_read(p, "key", 1024, &b, &err), 0);
	assert_string_equal(b.data, "new");
	buf_release(&b);
	/* never through a symlink, even a dangling one */
	char *target = xasprintf("%s/target", d);
	assert_int_equal(symlink(target, link), 0);
	expect_err(privfile_write(link, "x", 1, 0600, 0, &err), ERR_PERM, &err,
	    "symbolic link");
	expect_err(privfile_write(link, "x", 1, 0600, PRIVFILE_REPLACE, &err),
	    ERR_PERM, &err, "symbolic link");
	assert_int_not_equal(lstat(target, &st), 0);
	/* no temporary file is left behind */
	char *cmd = xasprintf("test $(ls -A %s/k | wc -l) -eq 2", d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(target);
	free(link);
	free(p);
	unit_rmtree(d);
	free(d);
}

static void
test_privfile_read(void **state)
{
	char *d = unit_tmpdir(), *p = xasprintf("%s/key", d);
	char *link = xasprintf("%s/link", d);
	struct cm_err err;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(privfile_write(p, "0123456789", 10, 0600, 0, &err), 0);
	expect_err(privfile_read(p, "key", 4, &b, &err), ERR_TOOBIG, &err,
	    "larger than");
	assert_int_equal(b.len, 0);
	assert_int_equal(symlink(p, link), 0);
	expect_err(privfile_read(link, "private key", 1024, &b, &err), ERR_PERM,
	    &err, "symbolic link");
	assert_int_equal(chmod(p, 0604), 0);
	expect_err(privfile_read(p, "private key", 1024, &b, &err), ERR_PERM,
	    &err, "mode 0604");
	assert_int_equal(chmod(p, 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		expect_err(privfile_read(p, "private key", 1024, &b, &err),
		    ERR_PERM, &err, "owned by uid 65534");
	}
	expect_err(privfile_read(d, "key", 1024, &b, &err), ERR_INVALID, &err,
	    "not a regular file");
	expect_err(privfile_read("/nonexistent/x", "key", 1024, &b, &err),
	    ERR_NOTFOUND, &err, "cannot open key");
	buf_release(&b);
	free(p);
	free(link);
	unit_rmtree(d);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privdir),
		cmocka_unit_test(test_privfile_write),
		cmocka_unit_test(test_privfile_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
