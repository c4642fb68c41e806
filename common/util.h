/* util.h: small helpers with no better home. */
#ifndef CTXMGR_UTIL_H
#define CTXMGR_UTIL_H

#include "common/compat.h"

/* Lowercase hex SHA-256 of `len` bytes into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* 1 if `s` starts with `prefix`. */
int str_has_prefix(const char *s, const char *prefix);

/* Damerau-Levenshtein distance (for "did you mean" suggestions). */
int str_distance(const char *a, const char *b);

/* 1 if `s` holds a byte below 0x20 or DEL. */
int str_has_ctrl(const char *s);

/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit(int c);

/*
 * The next line of a text file: points *linep and *lenp at it (without
 * "\n" or a final "\r") and advances *pos; 0 at the end of the text.
 * *ctrlp is set when the line holds a control character but a tab.
 */
int text_next_line(const char *text, size_t len, size_t *pos,
    const char **linep, size_t *lenp, int *ctrlp);

/*
 * The length of the UTF-8 sequence at p (before end) as jansson accepts
 * it -- no overlong forms, surrogates or code points past U+10FFFF; 1
 * for ASCII -- or 0 when it is not valid.
 */
size_t utf8_valid_len(const unsigned char *p, const unsigned char *end);

struct buf;

/*
 * Append `s` with everything that could drive a terminal made visible:
 * C0 controls (but a newline when `keep_nl`) and DEL as \xNN, C1 controls
 * (U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8) as \u00NN, and bytes that are
 * not valid UTF-8 as \xNN.  The one escaping used for every string that
 * came from a file, a remote host or a daemon before it reaches a
 * terminal or a log; JSON output is not escaped this way.
 */
void str_escape_term(struct buf *b, const char *s, int keep_nl);
/* A new string escaped as str_escape_term does (newlines escaped). */
char *str_term_safe(const char *s);
/* 1 if str_escape_term would change `s` (newlines count). */
int str_needs_escape(const char *s);

/* A vector of owned strings; `v` is NULL-terminated once non-empty. */
struct strv {
	char **v;
	size_t n;
};
void strv_push(struct strv *sv, const char *s);
void strv_push_owned(struct strv *sv, char *s);
void strv_sort(struct strv *sv);
void strv_free(struct strv *sv);

/* Monotonic clock in microseconds. */
uint64_t now_us(void);

/* Parse a base-10 integer in [min, max]; 0 or ERR_INVALID. */
int parse_int(const char *s, long long min, long long max, long long *out);

#endif
