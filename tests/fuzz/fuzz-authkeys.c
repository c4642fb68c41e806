/* fuzz-authkeys.c: authorized_keys and known_hosts parsing, the key
 * policy over them, and the answer of a remote authorized_keys check. */
#include "common/compat.h"

#include "keystore/keycheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	static const int flags[] = { 0, KEYCHECK_AUTHORIZED,
		KEYCHECK_KNOWN_HOSTS | KEYCHECK_EMPTY_OK };
	struct key_report rep;
	struct cm_err err;
	size_t i, j, f;

	for (f = 0; f < nitems(flags); f++) {
		key_report_init(&rep);
		keycheck_text("fuzz", (const char *)data, size, flags[f], &rep);
		for (i = 0; i < rep.n; i++) {
			const struct key_finding *k = &rep.v[i];
			enum key_verdict worst = KEY_OK;
			for (j = 0; j < k->nreasons; j++) {
				check_clean(k->reasons[j].text);
				if (k->reasons[j].level > worst)
					worst = k->reasons[j].level;
			}
			/* the verdict is the worst reason, nothing else */
			if (worst != k->verdict)
				abort();
			check_clean(k->options);
			check_clean(k->hosts);
			check_clean(k->marker);
			check_clean(k->key.comment);
		}
		key_report_release(&rep);
	}
	/* the same text as the answer of a hostile remote host */
	key_report_init(&rep);
	(void)keycheck_remote_output(
	    "remote", (const char *)data, size, &rep, &err);
	for (i = 0; i < rep.n; i++)
		for (j = 0; j < rep.v[i].nreasons; j++)
			check_clean(rep.v[i].reasons[j].text);
	key_report_release(&rep);
	return 0;
}
