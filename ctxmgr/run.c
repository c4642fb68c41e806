/*
 * run.c: from a command line to an exit status (see run.h).  Sets up the
 * command context, routes library diagnostics to stderr with -v, and
 * hands the command line to cmd_main.
 */
#include "common/compat.h"

#include <signal.h>

#include "ctxmgr/cmd.h"
#include "common/log.h"
#include "ctxmgr/run.h"

static void
stderr_sink(enum log_level level, const char *msg, void *arg)
{
	static const char *const names[] = { "error", "warning", "info",
		"debug" };

	(void)arg;
	fprintf(stderr, "ctxmgr: %s: %s\n", names[level], msg);
}

int
ctxmgr_run(int argc, char **argv)
{
	struct cmd_ctx ctx;
	int i, verbose = 0, r;

	signal(SIGPIPE, SIG_IGN);
	cmd_ctx_init(&ctx);
	/* -v anywhere turns on diagnostics before any library runs */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0)
			verbose++;
	log_set_sink(stderr_sink, NULL,
	    verbose > 1   ? LOG_DEBUG
		: verbose ? LOG_INFO
			  : LOG_WARN);
	r = cmd_main(&ctx, argc - 1, argv + 1);
	if (fflush(stdout) != 0 && r == 0)
		r = 1;
	cmd_ctx_release(&ctx);
	return r;
}
