/*
 * log.h: diagnostics from library code.  Libraries never print; they call
 * log_msg and the program decides where it goes (stderr with -v, the
 * tunnel's log file, nowhere).  Never pass a secret to these functions.
 */
#ifndef CTXMGR_LOG_H
#define CTXMGR_LOG_H

#include "common/compat.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

typedef void (*log_sink_fn)(enum log_level level, const char *msg, void *arg);

/* Route messages at or below `max` to `fn` (NULL: drop everything). */
void log_set_sink(log_sink_fn fn, void *arg, enum log_level max);

/* 1 if messages at `level` go anywhere (skip building costly ones). */
int log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) PRINTFLIKE(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
