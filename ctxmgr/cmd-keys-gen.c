/* cmd-keys-gen.c: make an SSH key pair that OpenSSH and libssh2 read. */
#include "common/compat.h"

#include <pwd.h>
#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "common/file.h"
#include "keystore/keycheck.h"
#include "ctxmgr/output.h"
#include "keystore/passphrase.h"
#include "common/privfile.h"
#include "keystore/pwpolicy.h"
#include "ctxmgr/userwords.h"
#include "common/xmalloc.h"

#define PASSPHRASE_FILE_ENV "CTXMGR_PASSPHRASE_FILE"

static const struct cmd_flag keys_gen_flags[] = {
	{ "type", 't', FLAG_STRING, COMPLETE_CHOICE, "TYPE",
	    "ed25519 (default), ecdsa or rsa", "ed25519|ecdsa|rsa" },
	{ "bits", 'b', FLAG_INT, COMPLETE_NONE, "N",
	    "key size: rsa 3072 (default) to 16384; ecdsa 256 (default), 384 "
	    "or 521" },
	{ "comment", 'C', FLAG_STRING, COMPLETE_NONE, "TEXT",
	    "comment in the key (default: user@host)" },
	{ "passphrase-file", 0, FLAG_STRING, COMPLETE_FILE, "FILE",
	    "read the passphrase from the first line of FILE (mode 0600; "
	    "also $" PASSPHRASE_FILE_ENV ")" },
	{ "no-passphrase", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "write the private key unencrypted (warned about)" },
	{ "rounds", 'a', FLAG_INT, COMPLETE_NONE, "N",
	    "bcrypt KDF rounds for the passphrase (default 16, as "
	    "ssh-keygen)" },
	{ "allow-weak", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "make the key even if its type, size or passphrase fails the "
	    "policy" },
	{ 0 }
};

/* ssh-keygen's default comment: user@host. */
static char *
default_comment(void)
{
	struct passwd *pw = getpwuid(geteuid());
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	return xasprintf("%s@%s", pw ? pw->pw_name : "user", host);
}

/* The passphrase from a file, the terminal, or none (len 0). */
/* The policy over `pass`: 0, or ERR_INVALID (err says why, *rep has
 * the advice); *weak when it failed but --allow-weak keeps it. */
static int
rate_passphrase(struct cmd_ctx *ctx, struct cmd_args *a, const struct buf *pass,
    struct pw_report *rep, int *weak, struct cm_err *err)
{
	struct strv words = { NULL, 0 };
	struct pw_policy pol;
	int r;

	cmd_user_words(ctx, NULL, &words);
	pw_policy_init(&pol);
	pol.allow_weak = args_has(a, "allow-weak");
	pol.user_words = (const char *const *)words.v;
	r = pw_policy_check(pass->data, pass->len, &pol, rep, weak, err);
	strv_free(&words);
	return r;
}

/* Rate the passphrase; 0 to go on, else the exit status or error. */
static int
check_passphrase(
    struct cmd_ctx *ctx, struct cmd_args *a, const struct buf *pass)
{
	struct pw_report rep;
	int weak = 0;

	if (rate_passphrase(ctx, a, pass, &rep, &weak, &ctx->err) != 0) {
		cmd_print_error(ctx->errout, ctx->err.msg);
		if (rep.feedback[0] != '\0')
			fprintf(ctx->errout, "hint: %s\n", rep.feedback);
		return 1;
	}
	if (weak)
		fprintf(ctx->errout,
		    "warning: %s; kept because of --allow-weak\n",
		    ctx->err.msg);
	return 0;
}

struct first_entry {
	struct cmd_ctx *ctx;
	struct cmd_args *a;
};

/* The first entry on the terminal, rated before it is asked for again:
 * a passphrase the policy refuses costs one entry, not two. */
static int
rate_first_entry(void *arg, const struct buf *pass, struct cm_err *err)
{
	struct first_entry *fe = arg;
	struct pw_report rep;
	int weak = 0, r;

	if (pass->len == 0)
		return 0; /* no passphrase: warned about later */
	r = rate_passphrase(fe->ctx, fe->a, pass, &rep, &weak, err);
	if (r == 0) {
		err_init(err); /* a weak one kept is warned about later */
		return 0;
	}
	if (rep.feedback[0] != '\0') {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, "\nhint: %s",
		    rep.feedback);
	}
	return r;
}

static int
get_passphrase(struct cmd_ctx *ctx, struct cmd_args *a, struct buf *pass)
{
	const char *file = args_get(a, "passphrase-file");
	int r;

	if (args_has(a, "no-passphrase")) {
		if (file != NULL)
			return err_set(&ctx->err, ERR_USAGE,
			    "--no-passphrase and --passphrase-file exclude "
			    "each other");
		return 0;
	}
	if (file == NULL && (file = getenv(PASSPHRASE_FILE_ENV)) != NULL &&
	    *file == '\0')
		file = NULL;
	if (file != NULL) {
		if ((r = passphrase_from_file(file, pass, &ctx->err)) != 0)
			return r;
		if (pass->len == 0)
			return err_set(&ctx->err, ERR_INVALID,
			    "the passphrase file \"%s\" is empty (use "
			    "--no-passphrase for an unencrypted key)",
			    file);
		return 0;
	}
	struct first_entry fe = { ctx, a };
	r = passphrase_prompt_checked(
	    "Passphrase for the new key (empty for none): ", rate_first_entry,
	    &fe, pass, &ctx->err);
	if (r == ERR_NOTFOUND)
		return err_set(&ctx->err, ERR_USAGE,
		    "no terminal to ask for a passphrase on: use "
		    "--passphrase-file FILE or --no-passphrase");
	return r;
}

static int
parse_type(
    struct cmd_ctx *ctx, struct cmd_args *a, enum sshkey_type *type, int *bits)
{
	const char *t = args_get(a, "type");
	char why[512];
	enum key_verdict v;

	*bits = (int)args_get_int(a, "bits", 0);
	if (t == NULL || strcmp(t, "ed25519") == 0)
		*type = SSHKEY_ED25519;
	else if (strcmp(t, "ecdsa") == 0)
		*type = SSHKEY_ECDSA;
	else
		*type = SSHKEY_RSA;
	if (*type == SSHKEY_ED25519 && *bits != 0 && *bits != 256)
		return err_set(&ctx->err, ERR_USAGE,
		    "Ed25519 keys have 256 bits; leave out --bits");
	if (*type == SSHKEY_ECDSA && *bits == 0)
		*bits = 256;
	if (*type == SSHKEY_RSA && *bits == 0)
		*bits = 3072;
	if (*type == SSHKEY_ECDSA && *bits != 256 && *bits != 384 &&
	    *bits != 521)
		return err_set(&ctx->err, ERR_USAGE,
		    "ECDSA keys have 256, 384 or 521 bits, not %d", *bits);
	if (*type == SSHKEY_RSA &&
	    (*bits < SSHKEY_RSA_MIN_BITS || *bits > SSHKEY_RSA_MAX_BITS))
		return err_set(&ctx->err, ERR_USAGE,
		    "RSA keys have %d to %d bits (OpenSSH's limits), not %d",
		    SSHKEY_RSA_MIN_BITS, SSHKEY_RSA_MAX_BITS, *bits);
	v = keycheck_type_policy(*type, *bits, why, sizeof(why));
	if (v == KEY_FAIL && !args_has(a, "allow-weak"))
		return err_set(&ctx->err, ERR_INVALID,
		    "refusing to make a weak key: %s (--allow-weak makes it "
		    "anyway)",
		    why);
	if (v != KEY_OK)
		fprintf(ctx->errout, "warning: %s\n", why);
	return 0;
}

static void
print_result(struct cmd_ctx *ctx, const char *path, const char *pubpath,
    const struct key_report *rep)
{
	const struct key_finding *f = rep->n > 0 ? &rep->v[0] : NULL;
	const struct sshkey_info *k = f ? &f->key : NULL;
	json_t *o, *reasons;
	size_t i;

	if (ctx->format != FMT_TABLE) {
		o = json_object();
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "publicPath", json_string(pubpath));
		if (k != NULL) {
			json_object_set_new(
			    o, "type", json_string(sshkey_type_label(k->type)));
			json_object_set_new(
			    o, "keyType", json_string(k->type_name));
			json_object_set_new(o, "bits", json_integer(k->bits));
			json_object_set_new(
			    o, "fingerprint", json_string(k->fingerprint));
			json_object_set_new(o, "comment",
			    json_string(k->comment ? k->comment : ""));
			json_object_set_new(
			    o, "encrypted", json_boolean(k->encrypted));
			json_object_set_new(
			    o, "cipher", json_string(k->cipher));
			json_object_set_new(o, "kdf", json_string(k->kdf));
			if (k->kdf_rounds > 0)
				json_object_set_new(o, "kdfRounds",
				    json_integer((json_int_t)k->kdf_rounds));
			json_object_set_new(o, "verdict",
			    json_string(key_verdict_name(f->verdict)));
			reasons = json_array();
			for (i = 0; i < f->nreasons; i++)
				json_array_append_new(
				    reasons, json_string(f->reasons[i].text));
			json_object_set_new(o, "reasons", reasons);
		}
		output_value(ctx, o);
		json_decref(o);
		return;
	}
	if (ctx->quiet || k == NULL)
		return;
	fprintf(ctx->out, "private key: %s\n", path);
	fprintf(ctx->out, "public key:  %s\n", pubpath);
	fprintf(ctx->out, "key:         %s %d bits, %s\n",
	    sshkey_type_label(k->type), k->bits,
	    k->encrypted ? "encrypted" : "not encrypted");
	if (k->encrypted)
		fprintf(ctx->out, "encryption:  %s, %s KDF, %lu rounds\n",
		    k->cipher, k->kdf, k->kdf_rounds);
	fprintf(ctx->out, "fingerprint: %s %s\n", k->fingerprint,
	    k->comment ? k->comment : "");
	fprintf(ctx->out, "verdict:     %s\n", key_verdict_name(f->verdict));
}

static int
cmd_keys_gen_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *path = a->argv[0];
	char *pubpath = xasprintf("%s.pub", path), *comment = NULL, *dir;
	long long rounds = args_get_int(a, "rounds", SSHKEY_ROUNDS_DEFAULT);
	struct buf pass, priv, pub;
	struct key_report rep;
	enum sshkey_type type;
	EVP_PKEY *pk = NULL;
	int r, bits, wrote = 0;

	buf_init_secret(&pass, PASSPHRASE_MAX);
	buf_init_secret(&priv, SSHKEY_FILE_MAX);
	buf_init(&pub, SSHKEY_FILE_MAX);
	key_report_init(&rep);
	if (args_get(a, "comment") != NULL) {
		comment = xstrdup(args_get(a, "comment"));
		if (str_has_ctrl(comment)) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "the comment holds a control character");
			goto out;
		}
	} else
		comment = default_comment();
	if (rounds < 1 || rounds > SSHKEY_ROUNDS_MAX) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "--rounds takes 1 to %d, not %lld", SSHKEY_ROUNDS_MAX,
		    rounds);
		goto out;
	}
	if (rounds < SSHKEY_ROUNDS_DEFAULT && !args_has(a, "allow-weak")) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "refusing %lld bcrypt rounds, fewer than %d: passphrase "
		    "guesses would be cheap (--allow-weak makes it anyway)",
		    rounds, SSHKEY_ROUNDS_DEFAULT);
		goto out;
	}
	if ((r = parse_type(ctx, a, &type, &bits)) != 0)
		goto out;
	/* refuse early, before asking for a passphrase */
	if (file_exists(path) || file_exists(pubpath)) {
		r = err_set(&ctx->err, ERR_EXISTS,
		    "\"%s\" already exists (refusing to overwrite it)",
		    file_exists(path) ? path : pubpath);
		goto out;
	}
	dir = path_dirname(path);
	r = privdir_check(dir, 1, &ctx->err);
	free(dir);
	if (r != 0)
		goto out;
	if ((r = get_passphrase(ctx, a, &pass)) != 0)
		goto out;
	if (pass.len > 0 && (r = check_passphrase(ctx, a, &pass)) != 0)
		goto out;
	if (pass.len == 0)
		fprintf(ctx->errout,
		    "warning: the private key is not encrypted: whoever reads "
		    "\"%s\" has the key\n",
		    path);
	if ((r = sshkey_generate(type, bits, &pk, &ctx->err)) != 0 ||
	    (r = sshkey_write_private(pk, comment, pass.data, pass.len,
		 (unsigned)rounds, &priv, &ctx->err)) != 0 ||
	    (r = sshkey_write_public(pk, comment, &pub, &ctx->err)) != 0)
		goto out;
	buf_release(&pass);
	if ((r = privfile_write(
		 path, priv.data, priv.len, 0600, 0, &ctx->err)) != 0)
		goto out;
	wrote = 1;
	if ((r = file_write_atomic(
		 pubpath, pub.data, pub.len, 0644, FILE_EXCL, &ctx->err)) != 0)
		goto out;
	keycheck_file(path, &rep);
	print_result(ctx, path, pubpath, &rep);
	r = 0;
out:
	if (r != 0 && wrote)
		unlink(path);
	EVP_PKEY_free(pk);
	buf_release(&pass);
	buf_release(&priv);
	buf_release(&pub);
	key_report_release(&rep);
	free(comment);
	free(pubpath);
	return r;
}

const struct cmd_entry cmd_keys_gen_entry = {
	.name = "gen",
	.usage = "[--type ed25519|ecdsa|rsa] [--bits N] [--comment TEXT] "
		 "[--passphrase-file FILE | --no-passphrase] [--allow-weak] "
		 "FILE",
	.summary = "make an SSH key pair (FILE and FILE.pub)",
	.help = "Writes FILE (mode 0600) in OpenSSH's openssh-key-v1 format, "
		"encrypted with\nbcrypt-pbkdf and aes256-ctr as ssh-keygen "
		"does, and FILE.pub (mode 0644) in\nOpenSSH's one-line form; "
		"OpenSSH and libssh2 read both.  An existing FILE or\n"
		"FILE.pub is never overwritten.  The passphrase is asked twice "
		"on the terminal\nwithout echo (empty: no encryption), or read "
		"from --passphrase-file or\n$" PASSPHRASE_FILE_ENV
		".  A key the policy fails (RSA below 2048 bits) and a\n"
		"passphrase below zxcvbn score 3 are refused unless "
		"--allow-weak.",
	.flags = keys_gen_flags,
	.args = { 1, 1, COMPLETE_FILE, NULL },
	.exec = cmd_keys_gen_exec,
	.attrs = CMD_SECRET,
};
