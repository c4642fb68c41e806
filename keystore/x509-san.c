/*
 * x509-san.c: subjectAltNames (see x509.h): checking and normalising the
 * DNS: and IP: entries given on the command line or read from the CA
 * database, and reading them back from a certificate.
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "keystore/x509.h"
#include "common/xmalloc.h"

#define SAN_MAX 100
#define SAN_DNS_MAX 253

/* A host name label: letters, digits, inner hyphens, 1..63 long. */
static int
dns_label_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(isascii((unsigned char)s[i]) &&
			(isalnum((unsigned char)s[i]) || s[i] == '-')))
			return 0;
	return 1;
}

static int
dns_name_ok(const char *name)
{
	const char *p = name, *dot;
	size_t len = strlen(name), labels = 0;
	int all_numeric = 1;

	if (len == 0 || len > SAN_DNS_MAX)
		return 0;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (;;) {
		dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!dns_label_ok(p, n))
			return 0;
		if (strspn(p, "0123456789") < n)
			all_numeric = 0;
		labels++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	/* "*.com" would match a whole top-level domain */
	if (name[0] == '*' && labels < 2)
		return 0;
	return !all_numeric;
}

int
x509_san_check(const char *san, struct cm_err *err)
{
	unsigned char addr[16];
	char canon[INET6_ADDRSTRLEN];

	if (strncmp(san, "DNS:", 4) == 0) {
		if (dns_name_ok(san + 4))
			return 0;
	} else if (strncmp(san, "IP:", 3) == 0) {
		if (inet_pton(AF_INET, san + 3, addr) == 1 &&
		    inet_ntop(AF_INET, addr, canon, sizeof(canon)) != NULL &&
		    strcmp(canon, san + 3) == 0)
			return 0;
		if (inet_pton(AF_INET6, san + 3, addr) == 1 &&
		    inet_ntop(AF_INET6, addr, canon, sizeof(canon)) != NULL &&
		    strcmp(canon, san + 3) == 0)
			return 0;
	}
	if (str_has_ctrl(san) || strlen(san) > SAN_DNS_MAX + 4)
		return err_set(err, ERR_INVALID, "invalid subjectAltName");
	return err_set(err, ERR_INVALID, "invalid subjectAltName \"%s\"", san);
}

/* Normalise one "DNS:x" or "IP:y" entry into a new string. */
static int
san_normalise(const char *item, size_t n, char **outp, struct cm_err *err)
{
	unsigned char addr[16];
	char canon[INET6_ADDRSTRLEN], *copy, *v;
	size_t i;
	int r = 0;

	copy = xstrndup(item, n);
	if (strncasecmp(copy, "DNS:", 4) == 0) {
		v = copy + 4;
		for (i = 0; v[i] != '\0'; i++)
			v[i] = (char)tolower((unsigned char)v[i]);
		if (!dns_name_ok(v)) {
			if (*v != '\0' && strspn(v, "0123456789.") == strlen(v))
				r = err_set(err, ERR_INVALID,
				    "invalid subjectAltName \"%s\": an "
				    "address goes in IP:%s",
				    str_has_ctrl(copy) ? "DNS:..." : copy, v);
			else
				r = err_set(err, ERR_INVALID,
				    "invalid subjectAltName \"%s\": not a "
				    "host name",
				    str_has_ctrl(copy) ? "DNS:..." : copy);
			goto out;
		}
		*outp = xasprintf("DNS:%s", v);
	} else if (strncasecmp(copy, "IP:", 3) == 0) {
		v = copy + 3;
		if (v[0] == '[' && n > 4 && v[strlen(v) - 1] == ']') {
			v++;
			v[strlen(v) - 1] = '\0';
		}
		if (inet_pton(AF_INET, v, addr) == 1)
			inet_ntop(AF_INET, addr, canon, sizeof(canon));
		else if (inet_pton(AF_INET6, v, addr) == 1)
			inet_ntop(AF_INET6, addr, canon, sizeof(canon));
		else {
			r = err_set(err, ERR_INVALID,
			    "invalid subjectAltName \"%s\": not an IPv4 or "
			    "IPv6 address",
			    str_has_ctrl(copy) ? "IP:..." : copy);
			goto out;
		}
		*outp = xasprintf("IP:%s", canon);
	} else
		r = err_set(err, ERR_INVALID,
		    "invalid subjectAltName \"%s\": use DNS:name or IP:address",
		    str_has_ctrl(copy) ? "..." : copy);
out:
	free(copy);
	return r;
}

int
x509_san_parse(const char *spec, struct strv *out, struct cm_err *err)
{
	const char *p = spec, *comma;
	char *norm = NULL;
	size_t n, i;
	int r;

	for (;;) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			return err_set(err, ERR_INVALID,
			    "empty subjectAltName in \"%s\"",
			    str_has_ctrl(spec) ? "..." : spec);
		if ((r = san_normalise(p, n, &norm, err)) != 0)
			return r;
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i], norm) == 0)
				break;
		if (i < out->n)
			free(norm); /* a repeat adds nothing */
		else if (out->n >= SAN_MAX) {
			free(norm);
			return err_set(err, ERR_INVALID,
			    "too many subjectAltNames (at most %d)", SAN_MAX);
		} else
			strv_push_owned(out, norm);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

void
x509_cert_sans(X509 *x, struct strv *out)
{
	GENERAL_NAMES *gens;
	GENERAL_NAME *g;
	char ip[INET6_ADDRSTRLEN];
	int i;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			char *v =
			    xstrndup((const char *)ASN1_STRING_get0_data(s),
				(size_t)ASN1_STRING_length(s));
			if (str_has_ctrl(v) ||
			    strlen(v) != (size_t)ASN1_STRING_length(s))
				strv_push(out, "DNS:?");
			else
				strv_push_owned(out, xasprintf("DNS:%s", v));
			free(v);
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *s = g->d.iPAddress;
			int n = ASN1_STRING_length(s);
			const unsigned char *p = ASN1_STRING_get0_data(s);
			if ((n == 4 &&
				inet_ntop(AF_INET, p, ip, sizeof(ip)) !=
				    NULL) ||
			    (n == 16 &&
				inet_ntop(AF_INET6, p, ip, sizeof(ip)) != NULL))
				strv_push_owned(out, xasprintf("IP:%s", ip));
			else
				strv_push(out, "IP:?");
		} else
			strv_push(out, "other:?");
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
}
