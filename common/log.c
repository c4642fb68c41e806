/* log.c: the diagnostics sink (see log.h). */
#include "common/compat.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"

static log_sink_fn log_fn;
static void *log_arg;
static enum log_level log_max = LOG_WARN;

void
log_set_sink(log_sink_fn fn, void *arg, enum log_level max)
{
	log_fn = fn;
	log_arg = arg;
	log_max = max;
}

int
log_enabled(enum log_level level)
{
	return log_fn != NULL && level <= log_max;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages carry remote and file text: never raw to a log */
	if (str_needs_escape(msg)) {
		struct buf b;
		buf_init(&b, 0);
		str_escape_term(&b, msg, 0);
		log_fn(level, b.data, log_arg);
		buf_release(&b);
		return;
	}
	log_fn(level, msg, log_arg);
}
