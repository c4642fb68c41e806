/* keysremote.c: remote authorized_keys checks (see keysremote.h). */
#include "compat.h"

#include "keysremote.h"

int
keys_check_remote(struct cmd_ctx *ctx, const char *name, struct key_report *rep)
{
	(void)rep;
	return err_set(&ctx->err, ERR_FAIL,
	    "keys check --context \"%s\": reading a remote authorized_keys "
	    "needs the SSH tunnel module, which this build lacks",
	    name);
}
