/*
 * cadb-ref.h: what cadb_encode wrote before it wrote JSON itself -- a
 * jansson tree dumped with JSON_INDENT(2) | JSON_PRESERVE_ORDER.  The
 * tests hold the direct writer to it byte for byte.
 */
#ifndef CTXMGR_CADB_REF_H
#define CTXMGR_CADB_REF_H

#include <jansson.h>

#include "keystore/cadb.h"
#include "common/xmalloc.h"

static json_t *
cadb_ref_time(time_t t)
{
	char s[32];

	x509_time_format(t, s);
	return json_string(s);
}

/* The reference text, or NULL where jansson refuses a string. */
static char *
cadb_ref_encode(const struct cadb *db)
{
	json_t *root = json_object(), *certs = json_array(), *o, *sans;
	size_t i, j;
	char *text, *out;

	json_object_set_new(root, "version", json_integer(CADB_VERSION));
	json_object_set_new(
	    root, "crlNumber", json_integer((json_int_t)db->crl_number));
	for (i = 0; i < db->n; i++) {
		const struct cadb_entry *e = &db->v[i];
		o = json_object();
		json_object_set_new(o, "serial", json_string(e->serial));
		json_object_set_new(
		    o, "kind", json_string(x509_kind_name(e->kind)));
		json_object_set_new(
		    o, "status", json_string(cadb_status_name(e->status)));
		json_object_set_new(o, "subject", json_string(e->subject));
		sans = json_array();
		for (j = 0; j < e->sans.n; j++)
			json_array_append_new(sans, json_string(e->sans.v[j]));
		json_object_set_new(o, "sans", sans);
		json_object_set_new(o, "context", json_string(e->context));
		json_object_set_new(o, "keyType", json_string(e->key_type));
		json_object_set_new(
		    o, "notBefore", cadb_ref_time(e->not_before));
		json_object_set_new(o, "notAfter", cadb_ref_time(e->not_after));
		json_object_set_new(o, "sha256", json_string(e->sha256));
		if (e->status == CADB_REVOKED)
			json_object_set_new(
			    o, "revokedAt", cadb_ref_time(e->revoked_at));
		if (*e->replaced_by != '\0')
			json_object_set_new(
			    o, "replacedBy", json_string(e->replaced_by));
		json_array_append_new(certs, o);
	}
	json_object_set_new(root, "certificates", certs);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return NULL;
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

#endif
