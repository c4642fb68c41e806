/* intr.c: signals during multi-step commands (see intr.h). */
#include "common/compat.h"

#include "ctxmgr/intr.h"

static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t caught;

static void
sigs_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < nitems(sigs); i++)
		sigaddset(set, sigs[i]);
}

void
intr_hold(struct intr *in)
{
	sigset_t set;

	sigs_set(&set);
	sigprocmask(SIG_BLOCK, &set, &in->old_mask);
}

void
intr_release(struct cmd_ctx *ctx, struct intr *in, int r)
{
	sigset_t pending;
	size_t i;

	/* the signal ends the process: say first why the command failed */
	if (r < 0 && sigpending(&pending) == 0)
		for (i = 0; i < nitems(sigs); i++)
			if (sigismember(&pending, sigs[i])) {
				fprintf(
				    ctx->errout, "ctxmgr: %s\n", ctx->err.msg);
				break;
			}
	fflush(ctx->out);
	fflush(ctx->errout);
	sigprocmask(SIG_SETMASK, &in->old_mask, NULL);
}

static void
on_signal(int sig)
{
	if (caught == 0)
		caught = sig;
}

void
intr_catch(struct intr *in)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (i = 0; i < nitems(sigs); i++)
		sigaction(sigs[i], &sa, &in->old[i]);
}

void
intr_restore(struct intr *in)
{
	size_t i;

	for (i = 0; i < nitems(sigs); i++)
		sigaction(sigs[i], &in->old[i], NULL);
}

int
intr_caught(void)
{
	return (int)caught;
}
