/*
 * main.c: the full binary (build/ctxmgr-full), with every command of
 * cmd-table.c.  main() is the only place that turns results into exit
 * statuses (run.c).
 */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/picker.h"
#include "ctxmgr/run.h"

int
main(int argc, char **argv)
{
	/* readline lives here, not in the front: "use" with no name */
	cmd_use_picker = picker_pick;
	return ctxmgr_run(argc, argv);
}
