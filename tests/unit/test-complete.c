/* test-complete.c: completion from the table, and what stays out of history. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "ctxmgr/complete.h"
#include "ctxmgr/shell.h"
#include "common/shellwords.h"
#include "store/store.h"
#include "common/xmalloc.h"

static char *config_dir;

static int
setup(void **state)
{
	struct context *c;
	struct store st;
	struct cm_err err;
	const char *names[] = { "prod", "prod-eu", "staging", "web-tcp" };
	size_t i;

	(void)state;
	config_dir = unit_tmpdir();
	store_init(&st, config_dir);
	for (i = 0; i < nitems(names); i++) {
		c = context_new(names[i]);
		c->host = xstrdup(i == 3 ? "tcp://web.example.com:2376"
					 : "ssh://x@example.com");
		c->has_docker = 1;
		if (store_save(&st, c, STORE_CREATE, &err) != 0)
			fail_msg("%s", err.msg);
		context_free(c);
	}
	store_release(&st);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(config_dir);
	free(config_dir);
	return 0;
}

/* Candidates for a line (the last word is being typed), "|"-joined. */
static char *
complete(const char *line, int shell, enum complete_result *kind)
{
	struct strv w = { 0 };
	struct completion c;
	struct buf b;
	size_t i;
	int q;

	shellwords_split_partial(line, &w, &q);
	complete_line(config_dir, w.v, (int)w.n, shell, &c);
	buf_init(&b, 0);
	for (i = 0; i < c.words.n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", c.words.v[i]);
	if (kind != NULL)
		*kind = c.kind;
	completion_release(&c);
	strv_free(&w);
	return buf_detach(&b, NULL);
}

#define COMPLETES(line, shell, want)                                           \
	do {                                                                   \
		char *got_ = complete(line, shell, NULL);                      \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_commands(void **state)
{
	char *all;

	(void)state;
	COMPLETES("us", 0, "use");
	COMPLETES("im", 0, "import|import-hosts");
	COMPLETES("sh", 0, "show|shell");
	COMPLETES("sh", 1, "show"); /* no shell inside the shell */
	COMPLETES("do", 1, "docker");
	COMPLETES("ex", 1, "export|exit");
	COMPLETES("man", 0, ""); /* hidden */
	COMPLETES("nosuch x", 0, "");
	all = complete("", 0, NULL);
	assert_non_null(strstr(all, "create|ls|use"));
	free(all);
}

static void
test_subcommands_and_help(void **state)
{
	(void)state;
	COMPLETES("config ", 0, "show|path");
	COMPLETES("config s", 0, "show");
	COMPLETES("config show ", 0, "");
	COMPLETES("help con", 0, "config");
	COMPLETES("help config p", 0, "path");
	COMPLETES("completion ", 0, "bash|zsh|fish");
}

static void
test_flags(void **state)
{
	(void)state;
	COMPLETES("import-hosts --d", 0, "--dry-run");
	COMPLETES("ls --con", 0, "--config|--context");
	COMPLETES("--ver", 0, "--verbose|--version");
	COMPLETES("ls --ver", 0, "--verbose");
	COMPLETES("inspect --format ", 0, "json|yaml");
	COMPLETES("--format ", 0, "table|json|yaml|sarif");
	COMPLETES("create x --strict-host-key-checking a", 0, "accept-new");
	COMPLETES("create x --strict-host-key-checking=n", 0, "no");
	COMPLETES("rm --force=", 0, "true|false");
	COMPLETES("rm -- --f", 0, "");
}

static void
test_contexts(void **state)
{
	(void)state;
	/* "-" (back to the previous) after use, not after rm */
	COMPLETES("use ", 0, "default|prod|prod-eu|staging|web-tcp|-");
	COMPLETES("use prod", 0, "prod|prod-eu");
	COMPLETES("use prod ", 0, ""); /* one argument only */
	COMPLETES("-c st", 0, "staging");
	COMPLETES("--context=st", 0, "staging");
	COMPLETES("rm -f prod ", 0, "default|prod|prod-eu|staging|web-tcp");
	COMPLETES("--config /nonexistent use ", 0, "default|-");
	/* only the contexts a command takes */
	COMPLETES("tunnel start ", 1, "prod|prod-eu|staging");
	COMPLETES("ca issue client ", 1, "web-tcp");
	COMPLETES("ca rotate ", 0, "web-tcp");
}

static void
test_files(void **state)
{
	enum complete_result kind;
	char *got;

	(void)state;
	got = complete("import-hosts ", 0, &kind);
	assert_int_equal(kind, COMPLETE_FILES);
	free(got);
	got = complete("create x --ca ", 0, &kind);
	assert_int_equal(kind, COMPLETE_FILES);
	free(got);
	got = complete("--config ", 0, &kind);
	assert_int_equal(kind, COMPLETE_DIRS);
	free(got);
	got = complete("docker run ", 1, &kind);
	assert_int_equal(kind, COMPLETE_FILES);
	free(got);
}

static int
line_secret(const char *line)
{
	struct strv w = { 0 };
	struct cm_err err;
	int r;

	if (shellwords_split(line, &w, &err) != 0)
		return -1;
	r = cmd_line_is_secret((int)w.n, w.v);
	strv_free(&w);
	return r;
}

static void
test_secrets(void **state)
{
	(void)state;
	assert_int_equal(line_secret("ls -q"), 0);
	assert_int_equal(line_secret("create x --description password"), 0);
	assert_int_equal(line_secret("ca init --passphrase-file f"), 1);
	assert_int_equal(line_secret("anything --password=x"), 1);
	assert_int_equal(line_secret("keys gen --new-passphrase x"), 1);
	assert_int_equal(shell_line_is_private("show"), 0);
	assert_int_equal(shell_line_is_private(" show"), 1);
	assert_int_equal(shell_line_is_private("ctxmgr --password x"), 1);
	assert_int_equal(shell_line_is_private("docker ps -a"), 0);
	assert_int_equal(shell_line_is_private("docker run -p 80:80 img"), 0);
	assert_int_equal(
	    shell_line_is_private("docker login -u me -p s3cret reg"), 1);
	assert_int_equal(
	    shell_line_is_private("docker login --password=s3cret"), 1);
	assert_int_equal(shell_line_is_private("create 'open"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_subcommands_and_help),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_secrets),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
