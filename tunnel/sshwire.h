/*
 * sshwire.h: small pieces of the SSH wire format used by the tunnel
 * (base64 is keystore/sshcodec.h's): length-prefixed strings in key
 * blobs, SHA256 fingerprints, and the public half of OpenSSH private key
 * files.  Inputs are untrusted: every length is checked against what is
 * left.
 */
#ifndef CTXMGR_SSHWIRE_H
#define CTXMGR_SSHWIRE_H

#include "common/buf.h"
#include "common/err.h"

/*
 * Read a uint32-length-prefixed string at *pos of `blob` (of `len`
 * bytes); points *sp and *slen at it (not NUL-terminated) and advances *pos.
 * -1 when it runs past the end.
 */
int sshwire_string(const unsigned char *blob, size_t len, size_t *pos,
    const unsigned char **sp, size_t *slen);

/*
 * The key type a public key blob names ("ssh-ed25519"), copied into
 * `out` (NUL-terminated); -1 when the blob is malformed or the name is
 * not printable or longer than `outlen` - 1.
 */
int sshwire_key_type(
    const unsigned char *blob, size_t len, char *out, size_t outlen);

/* "SHA256:" and the unpadded base64 of the blob's SHA-256 (out[64]). */
void ssh_fingerprint(const unsigned char *blob, size_t len, char out[64]);

/* A short label for a key type: "ED25519", "ECDSA", "RSA", "DSA". */
const char *ssh_key_label(const char *type);

/* What the text of a private key file says about the key. */
struct privkey_info {
	int format; /* PRIVKEY_OPENSSH, PRIVKEY_PEM, PRIVKEY_UNKNOWN */
	int encrypted;
	struct buf pubkey; /* public blob (OpenSSH format only), else empty */
};
#define PRIVKEY_UNKNOWN 0
#define PRIVKEY_OPENSSH 1
#define PRIVKEY_PEM 2

/*
 * Inspect private key text without decrypting it: the format, whether a
 * passphrase protects it, and (OpenSSH format) its public blob.  Returns
 * ERR_INVALID for text that is no private key.  Release with
 * privkey_info_release.
 */
int privkey_inspect(
    const char *text, size_t len, struct privkey_info *pi, struct cm_err *err);
void privkey_info_release(struct privkey_info *pi);

/*
 * The next line of a text file: points *linep and *lenp at it (without
 * "\n" or a final "\r") and advances *pos; 0 at the end of the text.
 * *ctrlp is set when the line holds a control character but a tab.
 */
int text_next_line(const char *text, size_t len, size_t *pos,
    const char **linep, size_t *lenp, int *ctrlp);

/* The public blob of an OpenSSH ".pub" line ("type base64 [comment]"). */
int pubkey_parse_line(const char *text, size_t len, struct buf *blob);

#endif
