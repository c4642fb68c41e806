/*
 * unit.h: included by every C unit test.  cmocka, plus helpers for
 * private scratch directories.
 */
#ifndef CTXMGR_UNIT_H
#define CTXMGR_UNIT_H

#include "common/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A fresh directory under $TMPDIR, removed by unit_rmtree. */
char *unit_tmpdir(void);
void unit_rmtree(const char *dir);

/* Run a shell command (printf-style); the test fails unless it exits 0. */
void unit_run(const char *fmt, ...) PRINTFLIKE(1, 2);

#ifdef UNIT_IMPLEMENTATION
#include "common/file.h"
#include "common/xmalloc.h"
char *
unit_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = xasprintf("%s/ctxmgr-unit.XXXXXX", t && *t ? t : "/tmp");

	if (mkdtemp(p) == NULL)
		abort();
	return p;
}

void
unit_rmtree(const char *dir)
{
	(void)dir_remove_tree(dir, NULL);
}

#include <sys/wait.h>
void
unit_run(const char *fmt, ...)
{
	struct buf cmd;
	va_list ap;
	int st;

	buf_init(&cmd, 0);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	st = system(cmd.data);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("command failed: %s", cmd.data);
	buf_release(&cmd);
}
#endif

#endif
