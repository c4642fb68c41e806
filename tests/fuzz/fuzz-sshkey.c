/* fuzz-sshkey.c: the key file parser (every format) and the blob parser. */
#include "common/compat.h"

#include "keystore/sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Text from the input must reach a report without control characters. */
static void
check_clean(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey_info k, again;
	struct cm_err err;

	sshkey_info_init(&k);
	if (sshkey_parse((const char *)data, size, &k, &err) == 0) {
		check_clean(k.comment);
		if (k.known) {
			if (strncmp(k.fingerprint, "SHA256:", 7) != 0 ||
			    k.bits <= 0 || k.blob == NULL)
				abort();
			/* the plain blob reads back to the same key */
			sshkey_info_init(&again);
			if (sshkey_parse_blob(
				k.blob, k.bloblen, &again, &err) != 0 ||
			    strcmp(again.fingerprint, k.fingerprint) != 0 ||
			    again.bits != k.bits)
				abort();
			sshkey_info_release(&again);
		}
		/* decryption paths, where the KDF is cheap enough */
		if (k.format == SSHKEY_FMT_OPENSSH &&
		    (!k.encrypted || k.kdf_rounds <= 2))
			(void)sshkey_check_passphrase(
			    (const char *)data, size, "fuzz", 4, &err);
	} else
		check_clean(err.msg);
	sshkey_info_release(&k);

	sshkey_info_init(&k);
	if (sshkey_parse_blob(data, size, &k, &err) != 0)
		check_clean(err.msg);
	sshkey_info_release(&k);
	return 0;
}
