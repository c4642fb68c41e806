/* test-store.c: meta.json parsing and encoding, names, the store on disk. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "store/archive.h"
#include "common/file.h"
#include "store/store.h"
#include "common/tar.h"

static char *
roundtrip(const char *in)
{
	struct context *c = NULL;
	struct cm_err err;
	struct buf b;

	err_init(&err);
	if (context_parse_meta(in, strlen(in), &c, &err) != 0)
		fail_msg("parse \"%s\": %s", in, err.msg);
	buf_init(&b, 0);
	assert_int_equal(context_encode_meta(c, &b), 0);
	context_free(c);
	return buf_detach(&b, NULL);
}

static void
test_meta_roundtrip_is_docker_bytes(void **state)
{
	static const char *const same[] = {
		"{\"Name\":\"foo\",\"Metadata\":{\"Description\":\"d "
		"\\u003c\\u0026\\u003e\"},\"Endpoints\":{\"docker\":{\"Host\":"
		"\"ssh://u@h:22/var/run/"
		"docker.sock\",\"SkipTLSVerify\":false}}}",
		"{\"Name\":\"bar\",\"Metadata\":{},\"Endpoints\":{\"docker\":{"
		"\"Host\":\"unix:///x\",\"SkipTLSVerify\":true}}}",
	};
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < nitems(same); i++) {
		out = roundtrip(same[i]);
		assert_string_equal(out, same[i]);
		free(out);
	}
}

static void
test_meta_keeps_unknown_keys(void **state)
{
	char *out;

	(void)state;
	/* extra metadata sorted (Go map order, uppercase first), numbers
	 * re-encoded as float64, other endpoints and unknown keys kept */
	out = roundtrip(
	    "{\"name\":\"x\",\"Top\":{\"b\":1,\"a\":2},"
	    "\"metadata\":{\"zeta\":2.50,\"Description\":\"d\","
	    "\"ctxmgr\":{\"identity\":\"/k\"},\"Alpha\":[1e21]},"
	    "\"endpoints\":{\"kubernetes\":{\"z\":null,\"a\":1},"
	    "\"docker\":{\"skiptlsverify\":true,\"host\":\"tcp://h:1\","
	    "\"Extra\":\"e\"}}}");
	assert_string_equal(out,
	    "{\"Name\":\"x\",\"Metadata\":{\"Alpha\":[1e+21],\"Description\":"
	    "\"d\",\"ctxmgr\":{\"identity\":\"/k\"},\"zeta\":2.5},"
	    "\"Endpoints\":{\"docker\":{\"Host\":\"tcp://h:1\","
	    "\"SkipTLSVerify\":true,\"Extra\":\"e\"},\"kubernetes\":{\"a\":1,"
	    "\"z\":null}},\"Top\":{\"a\":2,\"b\":1}}");
	free(out);
}

static void
test_meta_rejects(void **state)
{
	static const char *const bad[] = { "", "\0\0\0\0", "not json", "[]",
		"{\"Name\":3}",
		"{\"Name\":\"x\",\"Metadata\":{\"Description\":5}}",
		"{\"Name\":\"x\",\"Metadata\":[]}",
		"{\"Name\":\"x\",\"Endpoints\":{\"docker\":{\"Host\":[]}}}",
		"{\"Name\":\"x\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":"
		"\"yes\"}}}",
		"{\"Name\":\"x\",\"Endpoints\":{\"docker\":5}}",
		"{\"Name\":\"x\"} trailing" };
	struct context *c;
	struct cm_err err;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		c = NULL;
		size_t len = i == 1 ? 4 : strlen(bad[i]);
		assert_int_equal(
		    context_parse_meta(bad[i], len, &c, &err), ERR_INVALID);
		assert_null(c);
		assert_non_null(strstr(err.msg, "meta.json"));
	}
}

static void
test_names(void **state)
{
	static const char *const good[] = { "ab", "prod", "a1", "A.b-c_d+e",
		"0x" };
	static const char *const badnames[] = { "", "a", "default",
		"-oProxyCommand=x", "../x", "a b", "a/b", ".ab", "_ab", "ab\n",
		"caf\xc3\xa9", "a\tb" };
	struct cm_err err;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++)
		assert_int_equal(context_name_check(good[i], &err), 0);
	for (i = 0; i < nitems(badnames); i++)
		if (context_name_check(badnames[i], &err) != ERR_INVALID)
			fail_msg("\"%s\" accepted", badnames[i]);
}

static void
test_store_on_disk(void **state)
{
	char *dir = unit_tmpdir(), *cur = NULL, *mdir, *meta;
	struct context *c = context_new("prod"), *l = NULL;
	struct cm_err err;
	struct store st;
	struct stat sb;
	struct buf b;

	(void)state;
	store_init(&st, dir);
	c->host = strdup("ssh://u@h");
	assert_int_equal(store_lock(&st, &err), 0);
	assert_int_equal(store_save(&st, c, STORE_CREATE, &err), 0);
	assert_int_equal(store_save(&st, c, STORE_CREATE, &err), ERR_EXISTS);
	assert_int_equal(
	    store_tls_write(&st, "prod", "docker", "ca.pem", "x", 1, &err), 0);
	assert_int_equal(
	    store_tls_write(&st, "prod", "../x", "ca.pem", "x", 1, &err),
	    ERR_INVALID);
	assert_int_equal(store_load(&st, "prod", &l, &err), 0);
	assert_string_equal(l->host, "ssh://u@h");
	context_free(l);

	/* a symlinked meta.json is refused */
	mdir = store_meta_dir(&st, "prod");
	meta = path_join(mdir, "meta.json");
	assert_int_equal(unlink(meta), 0);
	assert_int_equal(symlink("/etc/hostname", meta), 0);
	assert_int_equal(store_load(&st, "prod", &l, &err), ERR_PERM);
	assert_int_equal(store_save(&st, c, 0, &err), ERR_PERM);
	unlink(meta);
	assert_int_equal(store_save(&st, c, 0, &err), 0);

	assert_int_equal(store_set_current(&st, "prod", &err), 0);
	assert_int_equal(stat(st.config_json, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_get_current(&st, &cur, &err), 0);
	assert_string_equal(cur, "prod");
	free(cur);
	assert_int_equal(store_rename(&st, "prod", "prod2", NULL, &err), 0);
	assert_int_equal(store_get_current(&st, &cur, &err), 0);
	assert_string_equal(cur, "prod2");
	free(cur);
	buf_init(&b, 0);
	assert_int_equal(
	    store_tls_read(&st, "prod2", "docker", "ca.pem", &b, &err), 0);
	assert_string_equal(b.data, "x");
	buf_release(&b);
	assert_int_equal(store_exists(&st, "prod"), 0);
	assert_int_equal(store_remove(&st, "prod2", &err), 0);
	assert_int_equal(store_remove(&st, "prod2", &err), ERR_NOTFOUND);
	store_unlock(&st);
	store_release(&st);
	context_free(c);
	free(meta);
	free(mdir);
	unit_rmtree(dir);
	free(dir);
}

/* Batched saves: nothing visible before the commit, every file whole
 * after it, more than one batch's worth, and dropped saves leave no
 * meta dir. */
static void
test_store_batch(void **state)
{
	char *dir = unit_tmpdir(), name[32], *mdir;
	struct context *c, *l = NULL;
	struct cm_err err;
	struct store st;
	size_t i, n = STORE_BATCH_MAX + 10;

	(void)state;
	store_init(&st, dir);
	assert_int_equal(store_lock(&st, &err), 0);
	store_batch_begin(&st);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		c = context_new(name);
		c->host = strdup("ssh://h");
		c->has_docker = 1;
		assert_int_equal(store_save(&st, c, STORE_CREATE, &err), 0);
		context_free(c);
	}
	/* the first batch committed by itself, the rest not yet */
	assert_int_equal(store_exists(&st, "b0"), 1);
	assert_int_equal(store_exists(&st, "b265"), 0);
	assert_int_equal(store_batch_commit(&st, &err), 0);
	assert_int_equal(store_load(&st, "b265", &l, &err), 0);
	assert_string_equal(l->host, "ssh://h");
	context_free(l);
	/* an existing name fails at once, when staged */
	c = context_new("b1");
	assert_int_equal(store_save(&st, c, STORE_CREATE, &err), ERR_EXISTS);
	context_free(c);
	/* dropped: no context, no meta dir */
	c = context_new("gone");
	assert_int_equal(store_save(&st, c, STORE_CREATE, &err), 0);
	context_free(c);
	store_batch_end(&st);
	assert_int_equal(store_exists(&st, "gone"), 0);
	mdir = store_meta_dir(&st, "gone");
	assert_int_equal(access(mdir, F_OK), -1);
	free(mdir);
	store_unlock(&st);
	store_release(&st);
	unit_rmtree(dir);
	free(dir);
}

static int
count_entry(const struct tar_entry *e, void *arg, struct cm_err *err)
{
	(void)e;
	(void)err;
	(*(int *)arg)++;
	return 0;
}

static void
test_tar_roundtrip_and_truncation(void **state)
{
	struct cm_err err;
	struct archive ar;
	struct buf t;
	int n = 0;

	(void)state;
	buf_init(&t, 0);
	assert_int_equal(tar_add_file(&t, "meta.json", 0644, "{}", 2), 0);
	assert_int_equal(tar_add_dir(&t, "tls", 0700), 0);
	assert_int_equal(tar_add_dir(&t, "tls/docker", 0700), 0);
	assert_int_equal(
	    tar_add_file(&t, "tls/docker/ca.pem", 0600, "pem", 3), 0);
	assert_int_equal(tar_finish(&t), 0);
	assert_int_equal(t.len % 512, 0);
	assert_int_equal(tar_walk(t.data, t.len, count_entry, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(archive_read(t.data, t.len, &ar, &err), 0);
	assert_int_equal(ar.nfiles, 1);
	assert_string_equal(ar.files[0].endpoint, "docker");
	assert_memory_equal(ar.files[0].data, "pem", 3);
	/* Docker 28: no padding after the last file, no end marker */
	assert_int_equal(
	    archive_read(t.data, t.len - 1024 - 509, &ar, &err), 0);
	/* cut inside the data: refused */
	assert_int_equal(
	    archive_read(t.data, t.len - 1024 - 511, &ar, &err), ERR_INVALID);
	/* a corrupted header checksum */
	t.data[0] ^= 1;
	assert_int_equal(archive_read(t.data, t.len, &ar, &err), ERR_INVALID);
	buf_release(&t);
}

static void
test_archive_rejects_hostile_members(void **state)
{
	static const char *const names[] = { "../meta.json", "/meta.json",
		"tls/docker/../../x", "tls/./docker/ca.pem", "tls//docker/x",
		"tls/docker/ca.pem/", "x.json", "tls/docker", "tls\\docker\\x",
		"tls/a/b/c" };
	struct cm_err err;
	struct archive ar;
	struct buf t;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		buf_init(&t, 0);
		tar_add_file(&t, "meta.json", 0644, "{}", 2);
		tar_add_file(&t, names[i], 0600, "x", 1);
		tar_finish(&t);
		if (archive_read(t.data, t.len, &ar, &err) == 0)
			fail_msg("\"%s\" accepted", names[i]);
		buf_release(&t);
	}
	/* no meta.json */
	buf_init(&t, 0);
	tar_finish(&t);
	assert_int_equal(archive_read(t.data, t.len, &ar, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "no metadata"));
	buf_release(&t);
}

/* A ustar header with a 155-byte prefix and a 100-byte name. */
static void
long_name_header(struct buf *t)
{
	unsigned sum = 0;
	size_t i;

	buf_init(t, 0);
	assert_int_equal(tar_add_file(t, "x", 0600, "x", 1), 0);
	memset(t->data, 'b', 100);
	memset(t->data + 345, 'a', 155);
	memset(t->data + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char)t->data[i];
	snprintf(t->data + 148, 8, "%06o", sum);
	t->data[155] = ' ';
	assert_int_equal(tar_finish(t), 0);
}

static int
check_entry_name(const struct tar_entry *e, void *arg, struct cm_err *err)
{
	(void)err;
	assert_int_equal(strlen(e->name), TAR_NAME_MAX);
	(*(int *)arg)++;
	return 0;
}

/* The longest ustar name fills name[] and stays terminated (was an overflow). */
static void
test_tar_longest_name(void **state)
{
	struct cm_err err;
	struct archive ar;
	struct buf t;
	int n = 0;

	(void)state;
	long_name_header(&t);
	assert_int_equal(
	    tar_walk(t.data, t.len, check_entry_name, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(archive_read(t.data, t.len, &ar, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "unexpected file"));
	buf_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_roundtrip_is_docker_bytes),
		cmocka_unit_test(test_meta_keeps_unknown_keys),
		cmocka_unit_test(test_meta_rejects),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_store_on_disk),
		cmocka_unit_test(test_store_batch),
		cmocka_unit_test(test_tar_roundtrip_and_truncation),
		cmocka_unit_test(test_archive_rejects_hostile_members),
		cmocka_unit_test(test_tar_longest_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
