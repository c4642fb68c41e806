/* test-cadb.c: the CA database: round trips, signatures, hostile input. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "keystore/cadb.h"

static void
fill(struct cadb *db)
{
	struct cadb_entry *e;

	cadb_init(db);
	db->crl_number = 7;
	e = cadb_add(db);
	free(e->serial);
	e->serial = xstrdup("0A1B2C3D4E5F60718293");
	e->kind = CERT_SERVER;
	free(e->subject);
	e->subject = xstrdup("CN=docker1");
	strv_push(&e->sans, "DNS:docker1.example.com");
	strv_push(&e->sans, "IP:192.0.2.7");
	free(e->key_type);
	e->key_type = xstrdup("ecdsa-p256");
	e->not_before = 1700000000;
	e->not_after = 1800000000;
	e = cadb_add(db);
	free(e->serial);
	e->serial = xstrdup("7F00AA");
	e->kind = CERT_CLIENT;
	e->status = CADB_REVOKED;
	e->revoked_at = 1750000000;
	free(e->context);
	e->context = xstrdup("prod.eu-1");
	free(e->replaced_by);
	e->replaced_by = xstrdup("0A1B2C3D4E5F60718293");
	free(e->sha256);
	e->sha256 = xstrdup("00112233445566778899aabbccddeeff"
			    "00112233445566778899aabbccddeeff");
	e->not_before = 1700000000;
	e->not_after = 1700000000;
}

/* Strings that need escaping survive a round trip; a full buffer
 * takes nothing. */
static void
test_encode_strings(void **state)
{
	static const char *const subjects[] = { "CN=docker1",
		"CN=a \"quoted\" \\ name",
		"CN=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "CN=/slash/",
		"" };
	struct cadb db, back;
	struct cm_err err;
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(subjects); i++) {
		fill(&db);
		free(db.v[0].subject);
		db.v[0].subject = xstrdup(subjects[i]);
		buf_init(&b, 0);
		assert_int_equal(cadb_encode(&db, &b), 0);
		assert_int_equal(cadb_parse(b.data, b.len, &back, &err), 0);
		assert_string_equal(back.v[0].subject, subjects[i]);
		cadb_release(&back);
		buf_release(&b);
		cadb_release(&db);
	}
	/* no entries */
	cadb_init(&db);
	buf_init(&b, 0);
	assert_int_equal(cadb_encode(&db, &b), 0);
	assert_int_equal(cadb_parse(b.data, b.len, &back, &err), 0);
	assert_int_equal(back.n, 0);
	buf_release(&b);
	/* a buffer too small: nothing written */
	fill(&db);
	buf_init(&b, 64);
	buf_adds(&b, "x");
	assert_int_equal(cadb_encode(&db, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 1);
	buf_release(&b);
	cadb_release(&db);
}

/* A document the reader takes writes back as one it reads the same. */
static void
stable(const char *doc)
{
	struct cadb db, back;
	struct cm_err err;
	struct buf a, b;

	assert_int_equal(cadb_parse(doc, strlen(doc), &db, &err), 0);
	buf_init(&a, 0);
	buf_init(&b, 0);
	assert_int_equal(cadb_encode(&db, &a), 0);
	assert_int_equal(cadb_parse(a.data, a.len, &back, &err), 0);
	assert_int_equal(cadb_encode(&back, &b), 0);
	assert_string_equal(a.data, b.data);
	buf_release(&a);
	buf_release(&b);
	cadb_release(&db);
	cadb_release(&back);
}

#define ONE(fields) "{\"version\": 1, \"certificates\": [{" fields "}]}"
#define MIN                                                                    \
	"\"serial\": \"0A\", \"kind\": \"client\", \"status\": \"valid\", "    \
	"\"subject\": \"CN=a\", \"notBefore\": \"2025-01-01T00:00:00Z\", "     \
	"\"notAfter\": \"2026-01-01T00:00:00Z\""

/* Any layout is read; anything malformed or out of range is refused. */
static void
test_reader(void **state)
{
	static const char *const takes[] = {
		"{\"version\": 1, \"certificates\": []}",
		"{\"certificates\":[],\"crlNumber\":0,\"version\":1}",
		" {\"version\" :1,\"crlNumber\": 123456789012345,"
		"\n\t\"certificates\" : [ ] }\r\n",
		ONE(MIN),
		ONE(MIN ", \"sans\": [], \"context\": \"\", \"sha256\": \"\""),
		ONE(MIN ", \"sans\": [\"DNS:a.example\", \"IP:192.0.2.1\"]"),
		ONE("\"status\": \"revoked\", \"revokedAt\": "
		    "\"2025-06-01T00:00:00Z\", \"serial\": \"0B\", "
		    "\"kind\": \"server\", \"subject\": \"CN=b\", "
		    "\"notBefore\": \"2025-01-01T00:00:00Z\", \"notAfter\": "
		    "\"2026-01-01T00:00:00Z\", \"replacedBy\": \"0C\""),
	};
	static const char *const refuses[] = {
		"",
		"[]",
		"2",
		"{}",
		"{\"version\": 2, \"certificates\": []}",
		"{\"version\": 01, \"certificates\": []}",
		"{\"version\": 1.0, \"certificates\": []}",
		"{\"version\": 1, \"crlNumber\": -1, \"certificates\": []}",
		"{\"version\": 1}",
		"{\"version\": 1, \"certificates\": {}}",
		"{\"version\": 1, \"version\": 1, \"certificates\": []}",
		"{\"version\": 1, \"certificates\": []} x",
		"{\"version\": 1, \"certificates\": [],}",
		"{\"version\": 1, \"certificates\": [1]}",
		ONE(MIN ", \"kind\": \"ca\""),
		ONE("\"serial\": \"0A\""),
		ONE(MIN ", \"context\": 1"),
		ONE(MIN ", \"context\": \"caf\xc3\xa9\""),
		ONE(MIN ", \"context\": \"a b\""),
		ONE(MIN ", \"sha256\": \"ABC\""),
		ONE(MIN ", \"sans\": \"x\""),
		ONE(MIN ", \"sans\": [\"DNS:\"]"),
		ONE(MIN ", \"sans\": [1]"),
		ONE(MIN ", \"replacedBy\": \"xyz\""),
		ONE("\"serial\": \"0A\", \"kind\": \"client\", \"status\": "
		    "\"revoked\", \"subject\": \"CN=a\", \"notBefore\": "
		    "\"2025-01-01T00:00:00Z\", \"notAfter\": "
		    "\"2026-01-01T00:00:00Z\""),
		ONE("\"serial\": \"0A\", \"kind\": \"client\", \"status\": "
		    "\"valid\", \"subject\": \"CN=a\", \"notBefore\": "
		    "\"2026-01-01T00:00:00Z\", \"notAfter\": "
		    "\"2025-01-01T00:00:00Z\""),
		"{\"version\": 1, \"certificates\": [{" MIN "}, {" MIN "}]}",
	};
	static const char *const takes_too[] = {
		"{\"version\": 1, \"crlNumber\": 1234567890123456, "
		"\"certificates\": []}",
		"{\"version\": 1, \"certificates\": [], \"x\": 1}",
		ONE(MIN ", \"extra\": \"x\""),
		ONE(MIN ", \"context\": \"a\\u0062\""),
	};
	struct cadb db;
	struct cm_err err;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(takes); i++)
		stable(takes[i]);
	for (i = 0; i < nitems(takes_too); i++)
		stable(takes_too[i]);
	for (i = 0; i < nitems(refuses); i++) {
		assert_int_not_equal(
		    cadb_parse(refuses[i], strlen(refuses[i]), &db, &err), 0);
		assert_int_equal(db.n, 0);
		assert_null(db.v);
	}
}

static void
test_roundtrip(void **state)
{
	struct cadb db, back;
	struct buf b, b2;
	struct cm_err err;

	(void)state;
	fill(&db);
	buf_init(&b, 0);
	buf_init(&b2, 0);
	assert_int_equal(cadb_encode(&db, &b), 0);
	assert_int_equal(cadb_parse(b.data, b.len, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.crl_number, 7);
	assert_string_equal(back.v[0].subject, "CN=docker1");
	assert_int_equal(back.v[0].sans.n, 2);
	assert_int_equal(back.v[1].status, CADB_REVOKED);
	assert_int_equal(back.v[1].revoked_at, 1750000000);
	assert_string_equal(back.v[1].context, "prod.eu-1");
	assert_int_equal(cadb_encode(&back, &b2), 0);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	assert_ptr_equal(cadb_find(&back, "7f00aa"), &back.v[1]);
	assert_null(cadb_find(&back, "7F00"));
	cadb_release(&db);
	cadb_release(&back);
	buf_release(&b);
	buf_release(&b2);
}

static void
test_prefix(void **state)
{
	struct cadb db;
	struct cadb_entry *e;
	struct cm_err err;

	(void)state;
	fill(&db);
	assert_int_equal(cadb_find_prefix(&db, "0a1b2c3d", &e, &err), 0);
	assert_ptr_equal(e, &db.v[0]);
	assert_int_equal(cadb_find_prefix(&db, "0A1B", &e, &err), ERR_NOTFOUND);
	assert_int_equal(
	    cadb_find_prefix(&db, "FFFFFFFF", &e, &err), ERR_NOTFOUND);
	assert_int_equal(
	    cadb_find_prefix(&db, "0A1B2C3Z", &e, &err), ERR_NOTFOUND);
	free(db.v[1].serial);
	db.v[1].serial = xstrdup("0A1B2C3D99");
	assert_int_equal(
	    cadb_find_prefix(&db, "0A1B2C3D", &e, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "ambiguous"));
	cadb_release(&db);
}

static void
test_signature(void **state)
{
	struct cadb db, back;
	struct buf b;
	struct cm_err err;
	EVP_PKEY *k1, *k2;
	size_t i;

	(void)state;
	fill(&db);
	buf_init(&b, 0);
	assert_int_equal(x509_keygen(KEY_ECDSA_P256, &k1, &err), 0);
	assert_int_equal(x509_keygen(KEY_ED25519, &k2, &err), 0);
	assert_int_equal(cadb_write(&db, k1, &b, &err), 0);
	assert_int_equal(cadb_read(b.data, b.len, k1, &back, &err), 0);
	assert_int_equal(back.n, 2);
	cadb_release(&back);
	assert_int_equal(
	    cadb_read(b.data, b.len, k2, &back, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "signature does not match"));
	/* any changed byte of the signed part is caught */
	for (i = 0; i < b.len && b.data[i] != 's'; i += 7) {
		b.data[i] ^= 1;
		assert_int_not_equal(
		    cadb_read(b.data, b.len, k1, &back, &err), 0);
		b.data[i] ^= 1;
	}
	assert_int_equal(
	    cadb_read(b.data, b.len - 1, k1, &back, &err), ERR_INVALID);
	assert_int_equal(cadb_read(b.data, 10, k1, &back, &err), ERR_INVALID);
	assert_int_equal(cadb_read("", 0, k1, &back, &err), ERR_INVALID);
	assert_int_equal(
	    cadb_read("signature: !!!!\n", 16, k1, &back, &err), ERR_INVALID);
	assert_int_equal(back.n, 0);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	cadb_release(&db);
	buf_release(&b);
}

static void
bad(const char *json, const char *msg_part)
{
	struct cadb db;
	struct cm_err err;

	err_init(&err);
	if (cadb_parse(json, strlen(json), &db, &err) == 0)
		fail_msg("accepted: %s", json);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg(
		    "%s: message \"%s\" lacks \"%s\"", json, err.msg, msg_part);
	assert_int_equal(db.n, 0);
	assert_null(db.v);
}

#define ENTRY(extra)                                                           \
	"{\"version\":1,\"certificates\":[{\"serial\":\"0A\",\"kind\":"        \
	"\"client\",\"status\":\"valid\",\"subject\":\"CN=x\",\"notBefore\":"  \
	"\"2025-01-01T00:00:00Z\",\"notAfter\":\"2025-02-01T00:00:00Z\"" extra \
	"}]}"

static void
test_hostile(void **state)
{
	struct cadb db;
	struct cm_err err;

	(void)state;
	assert_int_equal(
	    cadb_parse(ENTRY(""), strlen(ENTRY("")), &db, &err), 0);
	cadb_release(&db);
	bad("", "line 1");
	bad("[]", "not a JSON object");
	bad("{\"version\":2,\"certificates\":[]}", "version");
	bad("{\"version\":1}", "\"certificates\" is not a list");
	bad("{\"version\":1,\"version\":1,\"certificates\":[]}", "duplicate");
	bad("{\"version\":1,\"crlNumber\":-1,\"certificates\":[]}",
	    "crlNumber");
	bad("{\"version\":1,\"certificates\":[1]}",
	    "certificate 1: not an object");
	bad(ENTRY(",\"kind\":\"client\""), "duplicate");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0A\"}]}",
	    "\"kind\" is missing");
	bad(ENTRY(",\"sans\":[\"DNS:-x\"]"), "san 1");
	bad(ENTRY(",\"sans\":\"DNS:x\""), "not a list");
	bad(ENTRY(",\"context\":\"../x\""), "context");
	bad(ENTRY(",\"context\":5"), "not a string");
	bad(ENTRY(",\"sha256\":\"abc\""), "sha256");
	bad(ENTRY(",\"replacedBy\":\"zz\""), "replacedBy");
	bad(ENTRY(",\"keyType\":\"a\\u0001b\""), "control characters");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0a\",\"kind\":"
	    "\"client\",\"status\":\"valid\",\"subject\":\"CN=x\","
	    "\"notBefore\":\"2025-01-01T00:00:00Z\",\"notAfter\":"
	    "\"2025-02-01T00:00:00Z\"}]}",
	    "upper-case hex");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0A\",\"kind\":"
	    "\"root\",\"status\":\"valid\",\"subject\":\"CN=x\","
	    "\"notBefore\":\"2025-01-01T00:00:00Z\",\"notAfter\":"
	    "\"2025-02-01T00:00:00Z\"}]}",
	    "unknown kind");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0A\",\"kind\":"
	    "\"client\",\"status\":\"revoked\",\"subject\":\"CN=x\","
	    "\"notBefore\":\"2025-01-01T00:00:00Z\",\"notAfter\":"
	    "\"2025-02-01T00:00:00Z\"}]}",
	    "\"revokedAt\" is missing");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0A\",\"kind\":"
	    "\"client\",\"status\":\"valid\",\"subject\":\"CN=x\","
	    "\"notBefore\":\"2025-03-01T00:00:00Z\",\"notAfter\":"
	    "\"2025-02-01T00:00:00Z\"}]}",
	    "notAfter is before notBefore");
	bad("{\"version\":1,\"certificates\":[{\"serial\":\"0A\",\"kind\":"
	    "\"client\",\"status\":\"valid\",\"subject\":\"CN=x\","
	    "\"notBefore\":\"yesterday\",\"notAfter\":"
	    "\"2025-02-01T00:00:00Z\"}]}",
	    "not a UTC time");
	bad("{\"version\":1,\"certificates\":[" ENTRY("") "]}",
	    "\"serial\" is missing");
	{
		/* the same serial twice */
		const char *twice =
		    "{\"version\":1,\"certificates\":[{\"serial\":\"0A\","
		    "\"kind\":\"client\",\"status\":\"valid\",\"subject\":"
		    "\"CN=x\",\"notBefore\":\"2025-01-01T00:00:00Z\","
		    "\"notAfter\":\"2025-02-01T00:00:00Z\"},{\"serial\":\"0A\","
		    "\"kind\":\"client\",\"status\":\"valid\",\"subject\":"
		    "\"CN=x\",\"notBefore\":\"2025-01-01T00:00:00Z\","
		    "\"notAfter\":\"2025-02-01T00:00:00Z\"}]}";
		bad(twice, "appears twice");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encode_strings),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
