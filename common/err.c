/* err.c: error codes and messages (see err.h). */
#include "common/compat.h"
#include "common/err.h"

void
err_init(struct cm_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

static void
err_vset(struct cm_err *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int
err_set(struct cm_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int
err_sys(struct cm_err *e, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	if (e == NULL)
		return ERR_IO;
	va_start(ap, fmt);
	err_vset(
	    e, saved == EACCES || saved == EPERM ? ERR_PERM : ERR_IO, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(saved));
	if (saved == ENOENT)
		e->code = ERR_NOTFOUND;
	errno = saved;
	return e->code;
}

int
err_prefix(struct cm_err *e, const char *fmt, ...)
{
	char prefix[512], old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return ERR_FAIL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
	return e->code;
}

const char *
err_name(int code)
{
	switch (code) {
	case ERR_OK:
		return "ok";
	case ERR_USAGE:
		return "usage error";
	case ERR_NOTFOUND:
		return "not found";
	case ERR_EXISTS:
		return "already exists";
	case ERR_INVALID:
		return "invalid input";
	case ERR_IO:
		return "input/output error";
	case ERR_PERM:
		return "permission problem";
	case ERR_TOOBIG:
		return "too big";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_AUTH:
		return "authentication failed";
	case ERR_HOSTKEY:
		return "host key problem";
	case ERR_NET:
		return "network error";
	case ERR_PROTO:
		return "protocol error";
	case ERR_CRYPTO:
		return "crypto error";
	case ERR_TIMEOUT:
		return "timed out";
	case ERR_CANCEL:
		return "cancelled";
	default:
		return "failed";
	}
}
