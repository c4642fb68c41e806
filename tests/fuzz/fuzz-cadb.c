/* fuzz-cadb.c: the CA database reader, and the writer on what it accepts. */
#include "common/compat.h"

#include "keystore/cadb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cadb db, back;
	struct cm_err err;
	struct buf b, b2, sig;
	size_t signed_len, i;

	buf_init(&sig, 1 << 16);
	/* a whole file: the signature line is split off first */
	if (cadb_split((const char *)data, size, &signed_len, &sig, &err) ==
	    0) {
		if (signed_len > size)
			abort();
		size = signed_len;
	}
	buf_release(&sig);
	if (cadb_parse((const char *)data, size, &db, &err) != 0) {
		if (db.n != 0 || db.v != NULL || err.msg[0] == '\0')
			abort();
		return 0;
	}
	/* what we write reads back the same, and writes the same again */
	buf_init(&b, 0);
	buf_init(&b2, 0);
	if (cadb_encode(&db, &b) != 0 ||
	    cadb_parse(b.data, b.len, &back, &err) != 0 || back.n != db.n ||
	    back.crl_number != db.crl_number || cadb_encode(&back, &b2) != 0 ||
	    b.len != b2.len || memcmp(b.data, b2.data, b.len) != 0)
		abort();
	for (i = 0; i < db.n; i++)
		if (strcmp(db.v[i].serial, back.v[i].serial) != 0 ||
		    db.v[i].not_after != back.v[i].not_after ||
		    db.v[i].status != back.v[i].status)
			abort();
	cadb_release(&back);
	cadb_release(&db);
	buf_release(&b);
	buf_release(&b2);
	return 0;
}
