/* fuzz-privkey.c: key files as the tunnel inspects them before any
 * decryption (keystore/sshkey.h), and .pub lines. */
#include "common/compat.h"

#include "keystore/sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey_info k;
	struct cm_err err;
	char type[64];

	sshkey_info_init(&k);
	if (sshkey_parse((const char *)data, size, &k, &err) == 0 &&
	    k.blob != NULL && k.bloblen > SSHKEY_BLOB_MAX)
		abort();
	sshkey_info_release(&k);
	if (sshkey_parse_public_line((const char *)data, size, &k, &err) == 0 &&
	    (k.blob == NULL ||
		sshkey_blob_type(k.blob, k.bloblen, type, sizeof(type)) != 0))
		abort();
	sshkey_info_release(&k);
	return 0;
}
