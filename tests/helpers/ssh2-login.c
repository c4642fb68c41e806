/*
 * ssh2-login.c: a test helper.  Logs in to an SSH server on 127.0.0.1
 * with a private key file through libssh2 -- the library ctxmgr's tunnel
 * uses -- and runs `true`, to prove libssh2 reads the keys `keys gen`
 * writes.  Prints "ok" and exits 0 on success; prints libssh2's error
 * and exits 1 otherwise.
 *
 *   ssh2-login PORT USER KEYFILE [PASSPHRASE-FILE]
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>

static LIBSSH2_SESSION *s;
static int fd = -1;

/* Report, free everything (the sanitizers count leaks), exit 1. */
static int
fail(const char *what)
{
	char *msg = NULL;

	if (s != NULL)
		libssh2_session_last_error(s, &msg, NULL, 0);
	fprintf(stderr, "ssh2-login: %s: %s\n", what, msg ? msg : "failed");
	if (s != NULL) {
		libssh2_session_disconnect(s, "failed");
		libssh2_session_free(s);
	}
	if (fd >= 0)
		close(fd);
	libssh2_exit();
	return 1;
}

int
main(int argc, char **argv)
{
	LIBSSH2_CHANNEL *ch;
	struct sockaddr_in sin;
	char pass[4096] = "", buf[256];
	FILE *f;
	int rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
		    "usage: ssh2-login PORT USER KEYFILE [PASSPHRASE-FILE]\n");
		return 2;
	}
	if (argc == 5) {
		if ((f = fopen(argv[4], "r")) == NULL ||
		    fgets(pass, sizeof(pass), f) == NULL)
			return fail("cannot read the passphrase file");
		fclose(f);
		pass[strcspn(pass, "\r\n")] = '\0';
	}
	if (libssh2_init(0) != 0)
		return fail("libssh2_init");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return fail("connect");
	if ((s = libssh2_session_init()) == NULL)
		return fail("session");
	libssh2_session_set_blocking(s, 1);
	if (libssh2_session_handshake(s, fd) != 0)
		return fail("handshake");
	/* the public key is derived from the private key file */
	if (libssh2_userauth_publickey_fromfile_ex(s, argv[2],
		(unsigned)strlen(argv[2]), NULL, argv[3],
		argc == 5 ? pass : NULL) != 0)
		return fail("public key authentication");
	if ((ch = libssh2_channel_open_session(s)) == NULL)
		return fail("channel");
	if (libssh2_channel_exec(ch, "true") != 0)
		return fail("exec");
	while ((rc = (int)libssh2_channel_read(ch, buf, sizeof(buf))) > 0)
		;
	libssh2_channel_close(ch);
	libssh2_channel_wait_closed(ch);
	rc = libssh2_channel_get_exit_status(ch);
	libssh2_channel_free(ch);
	libssh2_session_disconnect(s, "done");
	libssh2_session_free(s);
	close(fd);
	libssh2_exit();
	if (rc != 0) {
		fprintf(stderr, "ssh2-login: remote exit status %d\n", rc);
		return 1;
	}
	printf("ok\n");
	return 0;
}
