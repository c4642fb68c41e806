/*
 * front.c: the ctxmgr binary users run.  `use`, `show`, `prompt` and `ls`
 * run on every shell prompt for some users, so they run here, in a
 * binary that links only the store (no OpenSSL, libssh2, readline or
 * zxcvbn: a third of the start-up time, see docs/ARCHITECTURE.md).
 * Every other command line is handed to the full binary with execv(), in
 * the same process: the same pid, arguments, environment and descriptors.
 *
 * The full binary is found next to this one (the build tree) or in
 * ../libexec/ctxmgr/ (an installed tree), like git's libexec/git-core.
 */
#include "common/compat.h"

#include <limits.h>
#include <unistd.h>

#include "ctxmgr/cmd.h"
#include "ctxmgr/run.h"

extern const struct cmd_entry cmd_ls_entry;
extern const struct cmd_entry cmd_use_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_prompt_entry;

/* The commands run here; cmd.c finds them through this table. */
const struct cmd_entry *const cmd_table[] = { &cmd_ls_entry, &cmd_use_entry,
	&cmd_show_entry, &cmd_prompt_entry, NULL };

#define FULL_NAME "ctxmgr-full"

/* "use" with no name opens the picker, which needs readline: not here. */
static int
use_has_name(int argc, char **argv)
{
	struct cmd_walk w;

	cmd_walk(argc - 1, argv + 1, &w);
	return w.nargs > 0;
}

/*
 * Whether this command line is one the front runs: its first word that
 * is not a global option names a command of cmd_table.  Anything else
 * (no command, --help or --version before it, another command, a typo
 * that deserves a suggestion from the whole table, "use" with no name)
 * goes to the full binary.
 */
static int
runs_here(int argc, char **argv)
{
	const struct cmd_entry *const *e;
	int i = cmd_first_word(argc, argv);

	if (i < 0)
		return 0;
	for (e = cmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, argv[i]) == 0)
			return *e != &cmd_use_entry || use_has_name(argc, argv);
	return 0;
}

/* Try dir/rel: exec it when it is there. */
static void
try_exec(const char *dir, const char *rel, char **argv)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    sizeof(path))
		return;
	if (access(path, X_OK) == 0)
		execv(path, argv);
}

int
main(int argc, char **argv)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (runs_here(argc, argv))
		return ctxmgr_run(argc, argv);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "ctxmgr: cannot find my own binary: %s\n",
		    strerror(errno));
		return 1;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	try_exec(self, FULL_NAME, argv);
	try_exec(self, "../libexec/ctxmgr/" FULL_NAME, argv);
	fprintf(stderr,
	    "ctxmgr: cannot run %s (looked next to %s and in "
	    "%s/../libexec/ctxmgr): %s; reinstall ctxmgr\n",
	    FULL_NAME, self, self, strerror(errno));
	return 1;
}
