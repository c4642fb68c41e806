/* test-shellwords.c: splitting shell lines, as the shell and completion do. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "common/shellwords.h"
#include "common/xmalloc.h"

/* The words of `line` joined with "|", or "ERR" on an error. */
static char *
split(const char *line)
{
	struct strv w = { 0 };
	struct cm_err err;
	struct buf b;
	size_t i;

	if (shellwords_split(line, &w, &err) != 0)
		return xstrdup("ERR");
	buf_init(&b, 0);
	for (i = 0; i < w.n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", w.v[i]);
	strv_free(&w);
	return buf_detach(&b, NULL);
}

#define SPLITS(line, want)                                                     \
	do {                                                                   \
		char *got_ = split(line);                                      \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_split(void **state)
{
	(void)state;
	SPLITS("", "");
	SPLITS("   \t ", "");
	SPLITS("ls -q", "ls|-q");
	SPLITS("  use   prod  ", "use|prod");
	SPLITS("create x --description 'two words'",
	    "create|x|--description|two words");
	SPLITS("a \"b \\\"c\\\" \\\\ \\$d\"", "a|b \"c\" \\ $d");
	SPLITS("a \"\\n\"", "a|\\n");
	SPLITS("it\\'s a\\ b", "it's|a b");
	SPLITS("x'y'\"z\"w", "xyzw");
	SPLITS("'' \"\"", "|");
	SPLITS("show # a comment", "show");
	SPLITS("a#b", "a#b");
	SPLITS("a \\\nb", "a|b");
	SPLITS("caf\xc3\xa9", "caf\xc3\xa9");
}

static void
test_errors(void **state)
{
	struct strv w = { 0 };
	struct cm_err err;

	(void)state;
	assert_int_equal(shellwords_split("ls 'open", &w, &err), ERR_INVALID);
	assert_string_equal(err.msg, "column 4: unterminated single quote");
	assert_int_equal(w.n, 0);
	assert_int_equal(shellwords_split("ls \"open", &w, &err), ERR_INVALID);
	assert_string_equal(err.msg, "column 4: unterminated double quote");
	assert_int_equal(shellwords_split("ls \\", &w, &err), ERR_INVALID);
	assert_string_equal(
	    err.msg, "column 4: backslash at the end of the line");
	assert_int_equal(w.n, 0);
}

static void
test_partial(void **state)
{
	struct strv w = { 0 };
	int q;

	(void)state;
	shellwords_split_partial("use pr", &w, &q);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[1], "pr");
	assert_int_equal(q, 0);
	strv_free(&w);
	shellwords_split_partial("use ", &w, &q);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[1], "");
	strv_free(&w);
	shellwords_split_partial("", &w, &q);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0], "");
	strv_free(&w);
	shellwords_split_partial("import-hosts 'my fi", &w, &q);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[1], "my fi");
	assert_int_equal(q, '\'');
	strv_free(&w);
}

static void
test_quote(void **state)
{
	char *q;

	(void)state;
	q = shellwords_quote("plain-word_1.2");
	assert_string_equal(q, "plain-word_1.2");
	free(q);
	q = shellwords_quote("it's two");
	assert_string_equal(q, "'it'\\''s two'");
	free(q);
	q = shellwords_quote("");
	assert_string_equal(q, "''");
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
