/* fuzz-privkey.c: private key files inspected before any decryption. */
#include "common/compat.h"

#include "tunnel/sshwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct privkey_info pi;
	struct cm_err err;
	struct buf b;

	if (privkey_inspect((const char *)data, size, &pi, &err) == 0 &&
	    pi.format == 0)
		abort();
	privkey_info_release(&pi);
	buf_init(&b, 1 << 20);
	(void)pubkey_parse_line((const char *)data, size, &b);
	buf_release(&b);
	return 0;
}
