/* version.c: library versions for --version (see version.h). */
#include "common/compat.h"

#include <jansson.h>
#include <libssh2.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "ctxmgr/version.h"

void
version_libraries(char *buf, size_t len)
{
	snprintf(buf, len, "libssh2 %s, %s, jansson %s, libyaml %s",
	    libssh2_version(0), OpenSSL_version(OPENSSL_VERSION),
	    jansson_version_str(), yaml_get_version_string());
}
