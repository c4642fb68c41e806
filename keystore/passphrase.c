/* passphrase.c: reading secrets without echo (see passphrase.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "common/file.h"
#include "keystore/passphrase.h"

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* Read one line from the terminal with echo off. */
static int
read_tty_line(int fd, const char *prompt, struct buf *out, struct cm_err *err)
{
	struct sigaction sa, old_int, old_term, old_quit, old_tstp;
	struct termios saved, noecho;
	int r = 0, have_term;
	char c;
	ssize_t n;

	got_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: read returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGQUIT, &sa, &old_quit);
	sigaction(SIGTSTP, &sa, &old_tstp);

	have_term = tcgetattr(fd, &saved) == 0;
	if (have_term) {
		noecho = saved;
		noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		noecho.c_lflag |= ICANON;
		(void)tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	(void)!write(fd, prompt, strlen(prompt));
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR && !got_signal)
			continue;
		if (n < 0 || got_signal) {
			r = got_signal
			    ? err_set(err, ERR_CANCEL, "cancelled")
			    : err_sys(err, "cannot read the terminal");
			break;
		}
		if (n == 0) {
			if (out->len == 0)
				r = err_set(
				    err, ERR_CANCEL, "no passphrase given");
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (buf_addc(out, c) != 0) {
			r = err_set(
			    err, ERR_TOOBIG, "the passphrase is too long");
			break;
		}
	}
	c = 0;
	if (have_term)
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
	(void)!write(fd, "\n", 1);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTSTP, &old_tstp, NULL);
	if (got_signal && got_signal != SIGTSTP)
		raise(got_signal);
	if (r != 0)
		buf_reset(out);
	return r;
}

static int
prompt_tty(const char *prompt, int confirm, passphrase_check_fn check,
    void *arg, struct buf *out, struct cm_err *err)
{
	struct buf again;
	int fd, r;

	out->secret = 1;
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(err, ERR_NOTFOUND,
		    "no terminal to ask for the passphrase on");
	buf_init_secret(&again, PASSPHRASE_MAX);
	r = read_tty_line(fd, prompt, out, err);
	if (r == 0 && check != NULL && (r = check(arg, out, err)) != 0)
		buf_reset(out);
	if (r == 0 && confirm) {
		r = read_tty_line(fd, "Same passphrase again: ", &again, err);
		if (r == 0 &&
		    (again.len != out->len ||
			memcmp(again.data, out->data, out->len) != 0)) {
			buf_reset(out);
			r = err_set(
			    err, ERR_INVALID, "the passphrases do not match");
		}
	}
	buf_release(&again);
	close(fd);
	return r;
}

int
passphrase_prompt(
    const char *prompt, int confirm, struct buf *out, struct cm_err *err)
{
	return prompt_tty(prompt, confirm, NULL, NULL, out, err);
}

int
passphrase_prompt_checked(const char *prompt, passphrase_check_fn check,
    void *arg, struct buf *out, struct cm_err *err)
{
	return prompt_tty(prompt, 1, check, arg, out, err);
}

int
passphrase_from_fd(int fd, size_t max, struct buf *out, struct cm_err *err)
{
	int r;

	out->secret = 1;
	if ((r = file_read_fd(fd, "standard input", max, out, err)) != 0) {
		buf_reset(out);
		return r;
	}
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		out->data[--out->len] = '\0';
	return 0;
}

int
passphrase_from_file(const char *path, struct buf *out, struct cm_err *err)
{
	struct stat st;
	char *nl;
	int r;

	if (stat(path, &st) != 0)
		return err_sys(err, "cannot read passphrase file \"%s\"", path);
	if ((r = file_check_private(path, &st, "passphrase file", err)) != 0)
		return r;
	out->secret = 1;
	if ((r = file_read(path, PASSPHRASE_MAX, FILE_SECRET, out, err)) != 0) {
		buf_reset(out);
		return r;
	}
	if ((nl = memchr(out->data, '\n', out->len)) != NULL) {
		size_t keep = (size_t)(nl - out->data);
		memset(nl, 0, out->len - keep);
		out->len = keep;
	}
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		out->data[--out->len] = '\0';
	return 0;
}
