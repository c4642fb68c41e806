/*
 * unit.h: included by every C unit test.  cmocka, plus helpers for
 * private scratch directories.
 */
#ifndef CTXMGR_UNIT_H
#define CTXMGR_UNIT_H

#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A fresh directory under $TMPDIR, removed by unit_rmtree. */
char *unit_tmpdir(void);
void unit_rmtree(const char *dir);

#ifdef UNIT_IMPLEMENTATION
#include "file.h"
#include "xmalloc.h"
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
#endif

#endif
