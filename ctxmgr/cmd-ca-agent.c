/*
 * cmd-ca-agent.c: `ca agent`, a process that holds the unlocked CA key
 * the way ssh-agent holds SSH keys.  The passphrase is asked once (and
 * the PBKDF2 cost paid once); then `ca issue`, `rotate`, `revoke`, `crl`
 * and `ls` command lines reach the agent through $CTXMGR_CA_AGENT, and
 * each runs in a forked copy of it, with the client's descriptors,
 * working directory and environment, and OpenSSL already set up.  That
 * makes an issue a few milliseconds instead of a new process's start,
 * OpenSSL's set-up and the key's decryption.
 *
 * The socket lives in a 0700 directory of its own and is 0600; the agent
 * also serves only peers with its own uid (SO_PEERCRED), is not dumpable,
 * and goes away after --timeout (default 1h).
 */
#include "common/compat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>

#include "common/caagent.h"
#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/config.h"
#include "common/dirswap.h"
#include "common/file.h"
#include "ctxmgr/output.h"
#include "ctxmgr/run.h"
#include "tunnel/shquote.h"
#include "common/xmalloc.h"

#define AGENT_DEFAULT_TIMEOUT 3600

/* Set in the agent and inherited by its workers. */
static struct {
	EVP_PKEY *key;
	char *dir;
	dev_t dev;
	ino_t ino;
	time_t started, expires;
	const char *socket;
	pid_t pid;
} agent;

static volatile sig_atomic_t agent_stop;

int
ca_agent_unlock(struct cmd_ctx *ctx, struct ca *ca, int *done)
{
	struct stat st;

	*done = 0;
	if (agent.key == NULL)
		return 0;
	if (stat(ca->dir, &st) != 0 || st.st_dev != agent.dev ||
	    st.st_ino != agent.ino)
		return 0;
	if (X509_check_private_key(ca->cert, agent.key) != 1) {
		ERR_clear_error();
		return err_set(&ctx->err, ERR_INVALID,
		    "the CA agent's key does not belong to the CA in \"%s\" "
		    "any more: stop the agent (ctxmgr ca agent --stop) and "
		    "start it again",
		    ca->dir);
	}
	EVP_PKEY_up_ref(agent.key);
	EVP_PKEY_free(ca->key);
	ca->key = agent.key;
	*done = 1;
	return 0;
}

const char *
ca_agent_dir(void)
{
	return agent.key != NULL ? agent.dir : NULL;
}

/* ---- the client side: --status and --stop ---- */

static int
agent_ask(
    struct cmd_ctx *ctx, const char *sock, enum caagent_type type, char **textp)
{
	uint32_t status;
	int fd, r = 0;

	*textp = NULL;
	if ((fd = caagent_connect(sock)) == -1)
		return err_set(&ctx->err, ERR_NOTFOUND,
		    "no CA agent answers at \"%s\": %s", sock, strerror(errno));
	if (caagent_send(fd, type, NULL, 0, NULL, 0) != 0 ||
	    (type == CAAGENT_INFO ? (*textp = caagent_get_text(fd)) == NULL
				  : caagent_get_u32(fd, &status) != 0))
		r = err_set(&ctx->err, ERR_IO,
		    "the CA agent at \"%s\" did not answer properly: %s", sock,
		    strerror(errno));
	close(fd);
	return r;
}

static void
print_env_line(
    struct cmd_ctx *ctx, const char *shell, const char *name, const char *value)
{
	char *q = shell_quote_str(value);

	if (strcmp(shell, "fish") == 0)
		fprintf(ctx->out, "set -gx %s %s;\n", name, q);
	else
		fprintf(ctx->out, "%s=%s; export %s;\n", name, q, name);
	free(q);
}

static void
print_unset_line(struct cmd_ctx *ctx, const char *shell, const char *name)
{
	if (strcmp(shell, "fish") == 0)
		fprintf(ctx->out, "set -e %s;\n", name);
	else
		fprintf(ctx->out, "unset %s;\n", name);
}

static void
when_text(time_t t, char out[32])
{
	if (t == 0)
		snprintf(out, 32, "it is stopped");
	else {
		char full[32];
		x509_time_format(t, full);
		snprintf(out, 32, "%.10s %.5s UTC", full, full + 11);
	}
}

static int
agent_status(struct cmd_ctx *ctx, const char *sock)
{
	json_t *o;
	json_error_t je;
	char *text, until[32];
	int r;

	if ((r = agent_ask(ctx, sock, CAAGENT_INFO, &text)) != 0)
		return r;
	o = json_loads(text, 0, &je);
	free(text);
	if (!json_is_object(o)) {
		json_decref(o);
		return err_set(&ctx->err, ERR_INVALID,
		    "the CA agent at \"%s\" sent an answer that is not JSON",
		    sock);
	}
	if (ctx->format != FMT_TABLE)
		r = output_value(ctx, o);
	else {
		when_text(
		    (time_t)json_integer_value(json_object_get(o, "expires")),
		    until);
		const char *dir = json_string_value(json_object_get(o, "dir"));
		const char *kt =
		    json_string_value(json_object_get(o, "keyType"));
		fprintf(ctx->out,
		    "CA agent pid %lld\n  CA       %s\n  key      %s\n"
		    "  socket   %s\n  until    %s\n",
		    (long long)json_integer_value(json_object_get(o, "pid")),
		    dir ? dir : "?", kt ? kt : "?", sock, until);
	}
	json_decref(o);
	return r;
}

static int
agent_stop_cmd(struct cmd_ctx *ctx, const char *sock, const char *shell)
{
	char *text;
	int r;

	if ((r = agent_ask(ctx, sock, CAAGENT_STOP, &text)) != 0)
		return r;
	print_unset_line(ctx, shell, CAAGENT_ENV);
	print_unset_line(ctx, shell, CAAGENT_PID_ENV);
	if (!ctx->quiet)
		fprintf(ctx->out, "echo 'CA agent stopped';\n");
	return 0;
}

/* ---- the agent ---- */

static void
on_term(int sig)
{
	(void)sig;
	agent_stop = 1;
}

static char *
info_json(void)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "pid", json_integer((json_int_t)agent.pid));
	json_object_set_new(o, "dir", json_string(agent.dir));
	json_object_set_new(
	    o, "keyType", json_string(x509_key_type_of(agent.key)));
	json_object_set_new(o, "socket", json_string(agent.socket));
	json_object_set_new(o, "started", json_integer(agent.started));
	json_object_set_new(o, "expires", json_integer(agent.expires));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void
worker_refuse(int errfd, int cfd, const char *msg)
{
	if (errfd >= 0)
		(void)fd_write_all(errfd, msg, strlen(msg));
	(void)caagent_put_u32(cfd, 2);
}

/* One connection, in a child of the agent: read the request, run it. */
static void __attribute__((noreturn)) agent_worker(int cfd)
{
	struct caagent_req req;
	struct timeval tv = { 10, 0 };
	char **argv = NULL, **envp = NULL, *info;
	int argc, i, status;

	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	(void)setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (caagent_recv(cfd, &req) != 0)
		_exit(1);
	switch (req.type) {
	case CAAGENT_INFO:
		info = info_json();
		(void)caagent_put_text(cfd, info);
		_exit(0);
	case CAAGENT_STOP:
		(void)kill(getppid(), SIGTERM);
		(void)caagent_put_u32(cfd, 0);
		_exit(0);
	case CAAGENT_RUN:
		break;
	}
	if (req.nfds != CAAGENT_NFDS ||
	    caagent_unpack_run(req.payload, req.len, &argc, &argv, &envp) !=
		0) {
		worker_refuse(req.nfds > 2 ? req.fds[2] : -1, cfd,
		    "ctxmgr: the CA agent got a malformed request\n");
		_exit(1);
	}
	if ((i = cmd_first_word(argc, argv)) < 0 ||
	    !caagent_wants(argc - i, argv + i)) {
		worker_refuse(req.fds[2], cfd,
		    "ctxmgr: the CA agent runs only ca issue, rotate, revoke, "
		    "crl and ls\n");
		_exit(1);
	}
	for (i = 0; i < 3; i++)
		if (dup2(req.fds[i], i) == -1)
			_exit(1);
	if (fchdir(req.fds[3]) != 0) {
		worker_refuse(2, cfd,
		    "ctxmgr: the CA agent cannot enter your working "
		    "directory\n");
		_exit(1);
	}
	for (i = 0; i < CAAGENT_NFDS; i++)
		if (req.fds[i] > 2)
			close(req.fds[i]);
	req.nfds = 0;
	(void)clearenv();
	for (i = 0; envp[i] != NULL; i++)
		if (strchr(envp[i], '=') != NULL)
			(void)putenv(envp[i]);
	(void)setvbuf(
	    stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
	dirswap_defer(1);
	status = ctxmgr_run(argc, argv);
	fflush(stdout);
	fflush(stderr);
	(void)caagent_put_u32(cfd, (uint32_t)status);
	close(cfd);
	dirswap_discard_pending();
	_exit(0);
}

/*
 * A spare worker: waits in accept() for the next command line, so that
 * none waits for a fork.  It tells the agent through the pipe *rfd when
 * it has a client (a byte) or has died (end of file); the agent then
 * forks the next.
 */
static pid_t
spawn_spare(int lfd, int *rfd, const sigset_t *unblocked)
{
	struct ucred cred;
	socklen_t cl;
	int p[2], cfd;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	/* the agent's signals are blocked here: a SIGTERM sent at once
	 * reaches the spare only after it has the default action back */
	if ((pid = fork()) == 0) {
		close(p[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, unblocked, NULL);
		for (;;) {
			cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd == -1) {
				if (errno == EINTR || errno == ECONNABORTED)
					continue;
				_exit(1);
			}
			cl = sizeof(cred);
			if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred,
				&cl) == 0 &&
			    cred.uid == geteuid())
				break;
			close(cfd); /* not our user: refused */
		}
		(void)!write(p[1], "x", 1);
		close(p[1]);
		close(lfd);
		agent_worker(cfd);
	}
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		return -1;
	}
	*rfd = p[0];
	return pid;
}

static void
agent_serve(int lfd, const char *sockpath, const char *sockdir)
{
	struct pollfd p;
	struct timespec ts;
	sigset_t stops, unblocked;
	long long ms;
	pid_t spare = -1;
	int rfd = -1;
	char c;

	agent.pid = getpid();
	signal(SIGCHLD, SIG_IGN); /* workers are reaped by the kernel */
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_term);
	signal(SIGPIPE, SIG_IGN);
	/* the stop signals arrive only inside ppoll, so none is missed */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &unblocked);
	while (!agent_stop) {
		ms = 60000;
		if (agent.expires != 0) {
			ms =
			    ((long long)agent.expires - (long long)time(NULL)) *
			    1000;
			if (ms <= 0)
				break;
			if (ms > 60000)
				ms = 60000;
		}
		if (spare == -1 &&
		    (spare = spawn_spare(lfd, &rfd, &unblocked)) == -1)
			ms = 100; /* out of processes for now: try again soon */
		p.fd = rfd;
		p.events = POLLIN;
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		if (ppoll(&p, spare == -1 ? 0 : 1, &ts, &unblocked) <= 0)
			continue;
		/* a byte: the spare has a client; end of file: it died, and
		 * the next waits a little, so that spares that cannot start
		 * do not spin */
		if (read(rfd, &c, 1) != 1) {
			ts.tv_sec = 0;
			ts.tv_nsec = 100000000;
			(void)ppoll(NULL, 0, &ts, &unblocked);
		}
		close(rfd);
		rfd = -1;
		spare = -1;
	}
	if (spare > 0)
		(void)kill(spare, SIGTERM);
	if (rfd != -1)
		close(rfd);
	unlink(sockpath);
	if (sockdir != NULL)
		rmdir(sockdir);
}

/* Make OpenSSL fetch what an issue uses, so that workers start warm. */
static void
warm_up(const struct ca *ca)
{
	struct cm_err e;
	struct buf b, sig;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	buf_init_secret(&b, 0);
	buf_init(&sig, 0);
	if (x509_keygen(KEY_ECDSA_P256, &k, &e) == 0)
		(void)x509_key_pem(k, &b);
	if (x509_sign_data(agent.key, "warm", 4, &sig, &e) == 0)
		(void)x509_verify_data(
		    X509_get0_pubkey(ca->cert), "warm", 4, sig.data, sig.len);
	if (x509_cert_load(
		ca->cert_pem.data, ca->cert_pem.len, "ca.pem", &x, &e) == 0) {
		buf_reset(&b);
		(void)x509_cert_pem(x, &b);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	buf_release(&b);
	buf_release(&sig);
	ERR_clear_error();
}

/* A socket path: --socket, else a new private directory. */
static int
agent_socket_path(
    struct cmd_ctx *ctx, const char *want, char **pathp, char **dirp)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *tmpl;

	*dirp = NULL;
	if (want != NULL) {
		if (lstat(want, &st) == 0) {
			int fd;
			if (!S_ISSOCK(st.st_mode))
				return err_set(&ctx->err, ERR_EXISTS,
				    "\"%s\" exists and is not a socket", want);
			if ((fd = caagent_connect(want)) != -1) {
				close(fd);
				return err_set(&ctx->err, ERR_EXISTS,
				    "a CA agent already listens on \"%s\"",
				    want);
			}
			(void)unlink(want); /* a dead agent's socket */
		}
		*pathp = xstrdup(want);
		return 0;
	}
	if (base == NULL || *base == '\0' || access(base, W_OK) != 0)
		base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = "/tmp";
	tmpl = xasprintf("%s/ctxmgr-agent-XXXXXX", base);
	if (mkdtemp(tmpl) == NULL) {
		int r = err_sys(
		    &ctx->err, "cannot make a directory in \"%s\"", base);
		free(tmpl);
		return r;
	}
	*pathp = path_join(tmpl, "agent.sock");
	*dirp = tmpl;
	return 0;
}

static int
agent_listen(struct cmd_ctx *ctx, const char *path, int *fdp)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r = 0;

	if (caagent_sockaddr(path, &sun) != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "the socket path \"%s\" is too long (at most %zu bytes)",
		    path, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return err_sys(&ctx->err, "cannot make a socket");
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 64) != 0)
		r = err_sys(&ctx->err, "cannot listen on \"%s\"", path);
	umask(old);
	if (r != 0) {
		close(fd);
		return r;
	}
	*fdp = fd;
	return 0;
}

static const struct cmd_flag ca_agent_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE,
	{ "timeout", 't', FLAG_STRING, COMPLETE_NONE, "DURATION",
	    "stop after DURATION (30m, 8h, 1d; 0: when stopped; default 1h)" },
	{ "socket", 'a', FLAG_STRING, COMPLETE_FILE, "PATH",
	    "listen on PATH (default: a new private directory under "
	    "$XDG_RUNTIME_DIR or /tmp)" },
	{ "shell", 0, FLAG_STRING, COMPLETE_CHOICE, "SHELL",
	    "print the variables for sh (default) or fish", "sh|fish" },
	{ "foreground", 'D', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "stay in the foreground (for a service manager)" },
	{ "status", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "show the agent $CTXMGR_CA_AGENT names" },
	{ "stop", 'k', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "stop the agent $CTXMGR_CA_AGENT names" },
	{ 0 } };

static int
cmd_ca_agent_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *shell = args_get(a, "shell"), *to = args_get(a, "timeout");
	const char *sock = args_get(a, "socket");
	char *path = NULL, *sockdir = NULL, until[32];
	long long secs = AGENT_DEFAULT_TIMEOUT;
	struct ca ca;
	struct stat st;
	pid_t pid;
	int lfd = -1, r;

	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	if (shell == NULL)
		shell = "sh";
	if (strcmp(shell, "sh") != 0 && strcmp(shell, "fish") != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--shell must be sh or fish, not \"%s\"", shell);
	if (args_has(a, "status") || args_has(a, "stop")) {
		if (sock == NULL)
			sock = getenv(CAAGENT_ENV);
		if (sock == NULL || *sock == '\0')
			return err_set(&ctx->err, ERR_NOTFOUND,
			    "no CA agent: %s is not set (start one with "
			    "eval \"$(ctxmgr ca agent)\")",
			    CAAGENT_ENV);
		return args_has(a, "stop") ? agent_stop_cmd(ctx, sock, shell)
					   : agent_status(ctx, sock);
	}
	if (to != NULL && config_parse_duration(to, &secs) != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--timeout must be a duration such as 90s, 30m, 8h or 1d "
		    "(0: until stopped), not \"%s\"",
		    to);
	/* no core dump or ptrace of a process that will hold the key */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if ((r = ca_cmd_open(ctx, a, &ca, 0)) != 0 ||
	    (r = ca_cmd_unlock(ctx, a, &ca)) != 0)
		goto out;
	if (stat(ca.dir, &st) != 0) {
		r = err_sys(&ctx->err, "cannot stat \"%s\"", ca.dir);
		goto out;
	}
	agent.key = ca.key;
	ca.key = NULL;
	agent.dir = realpath(ca.dir, NULL);
	if (agent.dir == NULL)
		agent.dir = xstrdup(ca.dir);
	agent.dev = st.st_dev;
	agent.ino = st.st_ino;
	agent.started = time(NULL);
	agent.expires = secs > 0 ? agent.started + (time_t)secs : 0;
	warm_up(&ca);
	if ((r = agent_socket_path(ctx, sock, &path, &sockdir)) != 0 ||
	    (r = agent_listen(ctx, path, &lfd)) != 0)
		goto out;
	agent.socket = path;
	fflush(NULL);
	pid = args_has(a, "foreground") ? getpid() : fork();
	if (pid == -1) {
		r = err_sys(&ctx->err, "cannot start the agent");
		goto out;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		(void)setsid();
		if (nul != -1) {
			(void)dup2(nul, 0);
			(void)dup2(nul, 1);
			(void)dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
		if (chdir("/") != 0)
			_exit(1);
		agent_serve(lfd, path, sockdir);
		_exit(0);
	}
	if (ctx->format != FMT_TABLE) {
		json_t *o = json_object();
		json_object_set_new(o, "socket", json_string(path));
		json_object_set_new(o, "pid", json_integer((json_int_t)pid));
		json_object_set_new(o, "dir", json_string(agent.dir));
		json_object_set_new(o, "expires", json_integer(agent.expires));
		r = output_value(ctx, o);
		json_decref(o);
	} else {
		char pidtext[24];
		snprintf(pidtext, sizeof(pidtext), "%ld", (long)pid);
		print_env_line(ctx, shell, CAAGENT_ENV, path);
		print_env_line(ctx, shell, CAAGENT_PID_ENV, pidtext);
		when_text(agent.expires, until);
		if (!ctx->quiet)
			fprintf(ctx->out,
			    "echo 'CA agent pid %ld holds the key of the CA "
			    "until %s';\n",
			    (long)pid, until);
	}
	fflush(ctx->out);
	if (args_has(a, "foreground")) {
		agent_serve(lfd, path, sockdir);
		lfd = -1;
	}
out:
	if (lfd != -1)
		close(lfd);
	/* a failed start leaves no socket or directory behind */
	if (r != 0 && lfd != -1)
		(void)unlink(path);
	if (r != 0 && sockdir != NULL)
		(void)rmdir(sockdir);
	EVP_PKEY_free(agent.key);
	agent.key = NULL;
	free(agent.dir);
	agent.dir = NULL;
	free(path);
	free(sockdir);
	ca_close(&ca);
	return r;
}

const struct cmd_entry cmd_ca_agent_entry = {
	.name = "agent",
	.usage = "[--timeout DURATION] | --status | --stop",
	.summary = "hold the unlocked CA key for later ca commands",
	.help =
	    "Like ssh-agent for the CA key: asks for the passphrase once, "
	    "then ca issue,\nrotate, revoke, crl and ls in shells that have "
	    "$CTXMGR_CA_AGENT run inside the\nagent, without asking again and "
	    "without paying the key's decryption and\nOpenSSL's start-up "
	    "each time.\n\n"
	    "  eval \"$(ctxmgr ca agent)\"          # sh, bash, zsh\n"
	    "  ctxmgr ca agent --shell fish | source\n"
	    "  ctxmgr ca issue client web1        # no passphrase asked\n"
	    "  eval \"$(ctxmgr ca agent --stop)\"\n\n"
	    "Only the agent's user can use it (the socket is 0600 in a 0700 "
	    "directory and\nthe agent checks the peer's uid).  It holds one "
	    "CA's key; commands for another\nCA directory still need that "
	    "CA's passphrase file.  Anyone who can run\ncommands as you while "
	    "it runs can issue certificates: keep --timeout short.",
	.flags = ca_agent_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ca_agent_exec,
	.attrs = CMD_SECRET,
};
