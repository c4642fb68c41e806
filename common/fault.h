/*
 * fault.h: test-only fault points, as SQLite's test builds have them.
 * Code calls fault_point("name", detail) at a precise place (after a
 * temporary file is written, between two steps of a rename...); nothing
 * happens unless the environment holds
 *
 *	CTXMGR_TEST_FAULT=POINT[/DETAIL]:ACTION[:N][,...]
 *
 * ACTION is kill (SIGKILL, nothing runs after it), int or term (the
 * signal is raised, as if Ctrl-C or kill(1) arrived there), or enospc
 * (fault_point returns ENOSPC for the caller to fail as if the disk were
 * full).  DETAIL, when given, must equal the point's detail (a file's
 * base name); N fires at the Nth matching call (default the first).
 * Several specs, separated by commas, count their calls apart.
 * The variable is for the tests only and is documented as such
 * (docs/ARCHITECTURE.md lists the points).
 */
#ifndef CTXMGR_FAULT_H
#define CTXMGR_FAULT_H

#define FAULT_ENV "CTXMGR_TEST_FAULT"

/* 0, or an errno to fail with; may not return (kill). */
int fault_point(const char *point, const char *detail);

#endif
