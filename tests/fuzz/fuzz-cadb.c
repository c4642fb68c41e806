/* fuzz-cadb.c: the CA database reader, and the writer on what it accepts. */
#include "common/compat.h"

#include "cadb-ref.h"
#include "keystore/cadb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cadb db, back;
	struct cm_err err;
	struct buf b, sig;
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
	{
		/* the fast reader reads as jansson's reader does, or leaves */
		struct cadb fast, slow;
		int took = cadb_parse_fast((const char *)data, size, &fast);
		if (cadb_parse_json((const char *)data, size, &slow, &err) !=
		    0) {
			if (took || fast.n != 0)
				abort();
		} else if (took) {
			struct buf x, y;
			buf_init(&x, 0);
			buf_init(&y, 0);
			if (cadb_encode(&fast, &x) != 0 ||
			    cadb_encode(&slow, &y) != 0 || x.len != y.len ||
			    memcmp(x.data, y.data, x.len) != 0 ||
			    fast.crl_number != slow.crl_number)
				abort();
			buf_release(&x);
			buf_release(&y);
		}
		cadb_release(&fast);
		cadb_release(&slow);
	}
	if (cadb_parse((const char *)data, size, &db, &err) != 0) {
		if (db.n != 0 || db.v != NULL || err.msg[0] == '\0')
			abort();
		return 0;
	}
	/* what we write is what jansson wrote, and reads back the same */
	buf_init(&b, 0);
	{
		char *ref = cadb_ref_encode(&db);
		if (ref != NULL &&
		    (cadb_encode(&db, &b) != 0 || strlen(ref) != b.len ||
			memcmp(ref, b.data, b.len) != 0))
			abort();
		free(ref);
		buf_reset(&b);
	}
	if (cadb_encode(&db, &b) != 0 ||
	    cadb_parse(b.data, b.len, &back, &err) != 0 || back.n != db.n)
		abort();
	for (i = 0; i < db.n; i++)
		if (strcmp(db.v[i].serial, back.v[i].serial) != 0 ||
		    db.v[i].not_after != back.v[i].not_after ||
		    db.v[i].status != back.v[i].status)
			abort();
	cadb_release(&back);
	cadb_release(&db);
	buf_release(&b);
	return 0;
}
