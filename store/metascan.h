/*
 * metascan.h: a fast, strict reader for the few meta.json fields a listing
 * needs (Name, Description, the docker Host and SkipTLSVerify, and
 * ctxmgr's Metadata.ctxmgr.sshHost of a tunnelled context).  It
 * validates the whole document with the same rules as the full reader
 * (context_parse_meta: jansson plus Go's field matching) -- a differential
 * fuzz harness holds the two to the same verdicts and values -- without
 * building a tree, which makes `ls` over a thousand contexts several times
 * faster.
 */
#ifndef CTXMGR_METASCAN_H
#define CTXMGR_METASCAN_H

#include "common/err.h"

struct meta_summary {
	char *name; /* "" when absent */
	char *description; /* NULL when absent or empty */
	char *host; /* NULL when absent or empty */
	char *ssh_host; /* Metadata.ctxmgr.sshHost: NULL unless a string */
	int skip_tls_verify;
	int has_docker; /* Endpoints has a "docker" object */
	int docker_null; /* Endpoints has "docker": null */
};

/* Scan a meta.json text; on success fill `s` (free with meta_summary_free). */
int meta_scan(
    const char *data, size_t len, struct meta_summary *s, struct cm_err *err);
void meta_summary_free(struct meta_summary *s);

#endif
