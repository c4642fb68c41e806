/*
 * main.c: the full binary (build/ctxmgr-full), with every command of
 * cmd-table.c.  main() is the only place that turns results into exit
 * statuses (run.c).
 */
#include "common/compat.h"

#include "ctxmgr/run.h"

int
main(int argc, char **argv)
{
	return ctxmgr_run(argc, argv);
}
