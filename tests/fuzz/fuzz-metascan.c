/*
 * fuzz-metascan.c: differential test of the fast meta.json scanner against
 * a reference built on jansson and Go's field rules.  Both must accept and
 * refuse the same inputs, and agree on the fields where keys are unique.
 */
#include "common/compat.h"

#include <strings.h>

#include <jansson.h>

#include "common/gojson.h"
#include "store/metascan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if two keys of one object fold to each other (order matters then). */
static int
fold_dups(const json_t *o)
{
	const char *k1, *k2;
	json_t *v1, *v2;
	int seen = 0;

	json_object_foreach((json_t *)o, k1, v1)
	{
		json_object_foreach((json_t *)o, k2,
		    v2) if (k1 != k2 && strcasecmp(k1, k2) == 0) seen = 1;
		if (json_is_object(v1) && fold_dups(v1))
			seen = 1;
	}
	return seen;
}

/* The reference: is this meta.json acceptable? */
static int
reference_ok(const json_t *v)
{
	json_t *name, *meta, *desc, *eps, *docker, *host, *skip;

	if (!json_is_object(v))
		return 0;
	name = gojson_get_fold(v, "Name");
	if (name && !json_is_string(name) && !json_is_null(name))
		return 0;
	meta = gojson_get_fold(v, "Metadata");
	if (meta && !json_is_object(meta) && !json_is_null(meta))
		return 0;
	desc = json_object_get(meta, "Description");
	if (desc && !json_is_string(desc))
		return 0;
	eps = gojson_get_fold(v, "Endpoints");
	if (eps && !json_is_object(eps) && !json_is_null(eps))
		return 0;
	docker = json_object_get(eps, "docker");
	if (docker && !json_is_object(docker) && !json_is_null(docker))
		return 0;
	host = gojson_get_fold(docker, "Host");
	if (host && !json_is_string(host) && !json_is_null(host))
		return 0;
	skip = gojson_get_fold(docker, "SkipTLSVerify");
	if (skip && !json_is_boolean(skip) && !json_is_null(skip))
		return 0;
	return 1;
}

/*
 * jansson skips a NUL byte that follows a number or literal (its stream
 * buffer uses NUL as "empty"); Go, and so Docker, refuse it, as the
 * scanner does.  Such inputs are judged without jansson.
 */
static int
nul_outside_strings(const uint8_t *p, size_t n)
{
	int in_str = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (in_str && p[i] == '\\')
			i++;
		else if (p[i] == '"')
			in_str = !in_str;
		else if (!in_str && p[i] == '\0')
			return 1;
	}
	return 0;
}

/*
 * 1 if some object holds the same key twice.  Go merges a repeated
 * object into the map it already decoded (measured: `docker context
 * inspect` keeps Endpoints.docker from the first "Endpoints" when a
 * second one lacks it), and so does the scanner; the jansson reference
 * replaces the value in the first key's place, so neither the verdict
 * nor the fields can be compared then (t0003 and the corpus hold such
 * files checked against Docker).
 */
static int
exact_dups(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *v;

	v = json_loadb((const char *)data, size,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	json_decref(v);
	return v == NULL;
}

static int
same_str(const char *a, const json_t *b)
{
	if (b == NULL || !json_is_string(b) || json_string_length(b) == 0)
		return a == NULL || *a == '\0';
	return a != NULL && strlen(a) == json_string_length(b) &&
	    memcmp(a, json_string_value(b), strlen(a)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct meta_summary s;
	struct cm_err err;
	json_t *v = NULL, *meta, *docker;
	int scan_ok, ref_ok, parsed, no_ref;

	scan_ok = meta_scan((const char *)data, size, &s, &err) == 0;
	parsed = gojson_parse((const char *)data, size, &v, &err) == 0;
	ref_ok = parsed && reference_ok(v);
	no_ref = parsed && exact_dups(data, size);
	/*
	 * jansson cannot hold an object key with an escaped NUL ("\u0000"),
	 * which Go and the scanner accept: the reference has no verdict.
	 */
	if (!parsed && memmem(data, size, "\\u0000", 6) != NULL)
		no_ref = 1;
	if (nul_outside_strings(data, size)) {
		if (scan_ok)
			abort();
		ref_ok = 0;
	}
	/* with a repeated key only the scanner's own safety is tested */
	if (scan_ok != ref_ok && !no_ref)
		abort();
	if (scan_ok && ref_ok && !no_ref && !fold_dups(v) &&
	    memchr(data, '\\', size) == NULL) {
		meta = gojson_get_fold(v, "Metadata");
		docker =
		    json_object_get(gojson_get_fold(v, "Endpoints"), "docker");
		if (!same_str(s.name, gojson_get_fold(v, "Name")) ||
		    !same_str(
			s.description, json_object_get(meta, "Description")) ||
		    !same_str(s.host, gojson_get_fold(docker, "Host")) ||
		    s.skip_tls_verify !=
			json_is_true(
			    gojson_get_fold(docker, "SkipTLSVerify")) ||
		    s.has_docker != json_is_object(docker) ||
		    !same_str(s.ssh_host,
			json_object_get(
			    json_object_get(meta, "ctxmgr"), "sshHost")))
			abort();
	}
	if (scan_ok)
		meta_summary_free(&s);
	json_decref(v);
	return 0;
}
