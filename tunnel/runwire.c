/*
 * runwire.c: the "run" request of the tunnel service (see runwire.h).
 */
#include "common/compat.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/gojson.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "tunnel/runwire.h"
#include "tunnel/service.h"

/* One decimal number of at most `max`, then a space (the end if last). */
static int
take_num(const char **pp, uint64_t max, int last, uint64_t *v)
{
	const char *p = *pp;
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return -1;
	}
	if (last ? *p != '\0' : *p++ != ' ')
		return -1;
	*pp = p;
	*v = n;
	return 0;
}

int
run_req_parse(const char *args, struct run_req *rq, struct cm_err *err)
{
	uint64_t cmd, in, to, cap;

	if (take_num(&args, RUN_CMD_MAX, 0, &cmd) != 0 || cmd == 0 ||
	    take_num(&args, RUN_IN_MAX, 0, &in) != 0 ||
	    take_num(&args, RUN_TIMEOUT_MAX, 0, &to) != 0 || to == 0 ||
	    take_num(&args, RUN_OUT_MAX, 1, &cap) != 0)
		return err_set(err, ERR_INVALID, "bad run request");
	rq->cmdlen = (size_t)cmd;
	rq->inlen = (size_t)in;
	rq->timeout_ms = (int)to;
	rq->outcap = (size_t)cap;
	return 0;
}

static void
answer_head(struct buf *b, json_t *o)
{
	gojson_encode(o, NULL, b);
	json_decref(o);
	(void)buf_addc(b, '\n');
}

void
run_answer(struct buf *b, const struct ssh_exec_result *res, const char *host)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "status", json_integer(res->exit_status));
	json_object_set_new(o, "signal", json_string(res->exit_signal));
	json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "out", json_integer((json_int_t)res->out.len));
	json_object_set_new(o, "err", json_integer((json_int_t)res->err.len));
	json_object_set_new(
	    o, "out_truncated", json_boolean(res->out_truncated));
	json_object_set_new(
	    o, "err_truncated", json_boolean(res->err_truncated));
	answer_head(b, o);
	(void)buf_add(b, res->out.data, res->out.len);
	(void)buf_add(b, res->err.data, res->err.len);
}

void
run_answer_error(struct buf *b, const char *msg)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", json_string(msg));
	answer_head(b, o);
}

/* The answer's counted bytes into res, as ssh_exec would capture them. */
static int
take_streams(const json_t *o, const char *p, size_t n,
    struct ssh_exec_result *res, struct cm_err *err)
{
	json_int_t out = json_integer_value(json_object_get(o, "out"));
	json_int_t er = json_integer_value(json_object_get(o, "err"));
	const json_t *st = json_object_get(o, "status");
	const char *sig = json_string_value(json_object_get(o, "signal"));

	if (!json_is_integer(st) ||
	    !json_is_integer(json_object_get(o, "out")) ||
	    !json_is_integer(json_object_get(o, "err")) || out < 0 || er < 0 ||
	    (uint64_t)out + (uint64_t)er != n || (size_t)out > res->out.max)
		return err_set(err, ERR_PROTO,
		    "the tunnel service's answer to \"run\" is broken");
	res->exit_status = (int)json_integer_value(st);
	snprintf(
	    res->exit_signal, sizeof(res->exit_signal), "%s", sig ? sig : "");
	res->out_truncated = json_is_true(json_object_get(o, "out_truncated"));
	res->err_truncated = json_is_true(json_object_get(o, "err_truncated"));
	if ((size_t)er > res->err.max) {
		er = (json_int_t)res->err.max;
		res->err_truncated = 1;
	}
	if (buf_add(&res->out, p, (size_t)out) != 0 ||
	    buf_add(&res->err, p + out, (size_t)er) != 0)
		return err_set(
		    err, ERR_TOOBIG, "the command's output is too big");
	return 0;
}

int
run_answer_parse(const char *p, size_t len, struct ssh_exec_result *res,
    char *host, size_t hostlen, struct cm_err *err)
{
	const char *nl = len ? memchr(p, '\n', len) : NULL;
	size_t head = nl ? (size_t)(nl - p) : len;
	json_error_t je;
	json_t *o = json_loadb(p, head, 0, &je);
	int r;

	if (!json_is_object(o))
		r = err_set(err, ERR_PROTO,
		    "the tunnel service's answer to \"run\" is broken");
	else if (!json_is_true(json_object_get(o, "ok"))) {
		const char *e = json_string_value(json_object_get(o, "error"));
		r = err_set(err, ERR_FAIL, "%s", e ? e : "unknown error");
	} else if ((r = take_streams(o, nl ? nl + 1 : "",
			nl ? len - head - 1 : 0, res, err)) == 0 &&
	    host != NULL && hostlen > 0) {
		const char *h = json_string_value(json_object_get(o, "host"));
		snprintf(host, hostlen, "%s", h ? h : "");
	}
	json_decref(o);
	return r;
}

int
svc_run_command(const char *run_dir, const char *name, const char *command,
    const void *in, size_t inlen, int timeout_ms, struct ssh_exec_result *res,
    char *host, size_t hostlen, struct cm_err *err)
{
	size_t cmdlen = strlen(command);
	struct buf body, ans;
	char *line;
	int r;

	if (cmdlen == 0 || cmdlen > RUN_CMD_MAX || inlen > RUN_IN_MAX)
		return err_set(err, ERR_TOOBIG, "the command is too long");
	line = xasprintf("run %s %zu %zu %d %zu", name, cmdlen, inlen,
	    timeout_ms, res->out.max);
	buf_init(&body, cmdlen + inlen);
	(void)buf_add(&body, command, cmdlen);
	(void)buf_add(&body, in, inlen);
	/* the answer: a line, then at most OUTCAP + RUN_ERR_MAX bytes; it
	 * may wait for a connect (a slow host) and the command */
	buf_init(&ans, res->out.max + RUN_ERR_MAX + 65536);
	r = svc_request_body(run_dir, line, body.data, body.len,
	    timeout_ms + 130000, NULL, NULL, &ans, err);
	if (r == 0)
		r = run_answer_parse(
		    ans.data, ans.len, res, host, hostlen, err);
	buf_release(&ans);
	buf_release(&body);
	free(line);
	return r;
}
