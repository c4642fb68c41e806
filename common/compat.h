/*
 * compat.h: included first by every ctxmgr source file.  Pulls in the
 * system headers nearly every file needs and bans the unbounded string
 * functions (after git's banned.h): use snprintf, the buf_* helpers or
 * memcpy with an explicit length instead.
 */
#ifndef CTXMGR_COMPAT_H
#define CTXMGR_COMPAT_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define UNUSED __attribute__((unused))
#else
#define PRINTFLIKE(f, a)
#define UNUSED
#endif

#define BANNED(func) sorry_##func##_is_banned_in_ctxmgr
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
