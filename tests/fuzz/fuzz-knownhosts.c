/* fuzz-knownhosts.c: known_hosts lines and host lookups. */
#include "common/compat.h"

#include "tunnel/knownhosts.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char blob[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
					    "01234567890123456789012345678901";
	const struct kh_entry *k;
	struct known_hosts kh;
	struct strv types = { 0 };
	size_t i;

	knownhosts_init(&kh);
	knownhosts_parse(&kh, (const char *)data, size, "fuzz");
	(void)knownhosts_check(&kh, "host.example", blob, sizeof(blob) - 1, &k);
	(void)knownhosts_check(&kh, "[h]:2222", blob, sizeof(blob) - 1, &k);
	knownhosts_types(&kh, "host.example", &types);
	for (i = 0; i < kh.n; i++) {
		char fp[64], type[64];
		sshkey_fingerprint(kh.v[i].blob, kh.v[i].bloblen, fp);
		/* every kept entry names its own type */
		if (sshkey_blob_type(kh.v[i].blob, kh.v[i].bloblen, type,
			sizeof(type)) != 0 ||
		    strcmp(type, kh.v[i].type) != 0)
			abort();
	}
	strv_free(&types);
	knownhosts_release(&kh);
	return 0;
}
