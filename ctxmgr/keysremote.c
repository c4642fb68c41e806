/* keysremote.c: remote authorized_keys checks (see keysremote.h). */
#include "common/compat.h"

#include "ctxmgr/keysremote.h"
#include "ctxmgr/sshctx.h"

/* The remote file is read whole up to this size; sshd itself reads any. */
#define KEYS_REMOTE_CAP (4 << 20)

int
keys_check_remote(struct cmd_ctx *ctx, const char *name, struct key_report *rep)
{
	struct ssh_conn *c = NULL;
	struct ssh_exec_result res;
	char label[512];
	int r;

	if ((r = cmd_ssh_connect(ctx, name, 0, &c)) != 0)
		return r;
	ssh_exec_result_init(&res, KEYS_REMOTE_CAP);
	r = ssh_exec(c, KEYCHECK_REMOTE_COMMAND, NULL, 0, 0, &res, &ctx->err);
	if (r == 0 && res.out_truncated)
		r = err_set(&ctx->err, ERR_FAIL,
		    "%s: the remote authorized_keys is larger than %d MiB",
		    name, KEYS_REMOTE_CAP >> 20);
	else if (r == 0 && res.exit_status != 0) {
		buf_rtrim(&res.err);
		r = err_set(&ctx->err, ERR_FAIL,
		    "%s: the remote check exited with status %d%s%.200s", name,
		    res.exit_status, res.err.len > 0 ? ": " : "",
		    res.err.len > 0 ? res.err.data : "");
	}
	if (r == 0) {
		snprintf(
		    label, sizeof label, "%s:~/.ssh/authorized_keys", name);
		r = keycheck_remote_output(
		    label, res.out.data, res.out.len, rep, &ctx->err);
	}
	ssh_exec_result_release(&res);
	ssh_close(c);
	return r;
}
