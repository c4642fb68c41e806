/* version.h: ctxmgr's version and the versions of the libraries in use. */
#ifndef CTXMGR_VERSION_H
#define CTXMGR_VERSION_H

#include "common/compat.h"

#define CTXMGR_VERSION "0.1.0"

/* "libssh2 1.11.1, OpenSSL 3.0.x, ..." into buf. */
void version_libraries(char *buf, size_t len);

#endif
