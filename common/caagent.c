/* caagent.c: the CA agent's wire protocol (see caagent.h). */
#include "common/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/caagent.h"

extern char **environ;

/* The ca subcommands the agent runs (the ones that need the key or read
 * the database; not init, agent or deploy). */
static const char *const agent_subcommands[] = { "issue", "rotate", "revoke",
	"crl", "ls", NULL };

int
caagent_wants(int argc, char **argv)
{
	size_t k;

	if (argc < 2 || strcmp(argv[0], "ca") != 0)
		return 0;
	for (k = 0; agent_subcommands[k] != NULL; k++)
		if (strcmp(argv[1], agent_subcommands[k]) == 0)
			return 1;
	return 0;
}

int
caagent_sockaddr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

int
caagent_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (caagent_sockaddr(path, &sun) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

	while (len > 0) {
		n = send(fd, c, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_all(int fd, void *p, size_t len)
{
	char *c = p;
	ssize_t n;

	while (len > 0) {
		n = read(fd, c, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EPIPE;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int
caagent_put_u32(int fd, uint32_t v)
{
	v = htonl(v);
	return write_all(fd, &v, sizeof(v));
}

int
caagent_get_u32(int fd, uint32_t *v)
{
	if (read_all(fd, v, sizeof(*v)) != 0)
		return -1;
	*v = ntohl(*v);
	return 0;
}

int
caagent_put_text(int fd, const char *text)
{
	size_t len = strlen(text);

	if (len > CAAGENT_MAX_TEXT) {
		errno = EMSGSIZE;
		return -1;
	}
	if (caagent_put_u32(fd, (uint32_t)len) != 0)
		return -1;
	return write_all(fd, text, len);
}

char *
caagent_get_text(int fd)
{
	uint32_t len;
	char *t;

	if (caagent_get_u32(fd, &len) != 0)
		return NULL;
	if (len > CAAGENT_MAX_TEXT) {
		errno = EMSGSIZE;
		return NULL;
	}
	if ((t = malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (read_all(fd, t, len) != 0) {
		free(t);
		return NULL;
	}
	t[len] = '\0';
	return t;
}

int
caagent_send(int fd, enum caagent_type type, const int *fds, int nfds,
    const void *payload, size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CAAGENT_NFDS)];
	} cm;
	unsigned char hdr[12];
	struct msghdr msg;
	struct iovec iov;
	uint32_t v;
	ssize_t n;

	if (nfds < 0 || nfds > CAAGENT_NFDS || len > CAAGENT_MAX_PAYLOAD) {
		errno = EINVAL;
		return -1;
	}
	memcpy(hdr, CAAGENT_MAGIC, 4);
	v = htonl((uint32_t)type);
	memcpy(hdr + 4, &v, 4);
	v = htonl((uint32_t)len);
	memcpy(hdr + 8, &v, 4);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(&cm.h), fds, sizeof(int) * (size_t)nfds);
	}
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(hdr))
		return -1;
	return len > 0 ? write_all(fd, payload, len) : 0;
}

void
caagent_req_free(struct caagent_req *req)
{
	int i;

	for (i = 0; i < req->nfds; i++)
		if (req->fds[i] >= 0)
			close(req->fds[i]);
	free(req->payload);
	memset(req, 0, sizeof(*req));
}

int
caagent_recv(int fd, struct caagent_req *req)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CAAGENT_NFDS)];
	} cm;
	unsigned char hdr[12];
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	uint32_t type, len;
	size_t i, n;
	ssize_t got;

	memset(req, 0, sizeof(*req));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	do
		got = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (req->nfds < CAAGENT_NFDS)
				req->fds[req->nfds++] = f;
			else
				close(f);
		}
	}
	errno = EPROTO;
	if (got != (ssize_t)sizeof(hdr) || (msg.msg_flags & MSG_CTRUNC) ||
	    memcmp(hdr, CAAGENT_MAGIC, 4) != 0)
		goto bad;
	memcpy(&type, hdr + 4, 4);
	memcpy(&len, hdr + 8, 4);
	type = ntohl(type);
	len = ntohl(len);
	if (type < CAAGENT_RUN || type > CAAGENT_STOP ||
	    len > CAAGENT_MAX_PAYLOAD)
		goto bad;
	req->type = (enum caagent_type)type;
	if ((req->payload = malloc((size_t)len + 1)) == NULL)
		goto bad;
	if (len > 0 && read_all(fd, req->payload, len) != 0)
		goto bad;
	req->payload[len] = '\0';
	req->len = len;
	return 0;
bad : {
	int e = errno;
	caagent_req_free(req);
	errno = e;
}
	return -1;
}

static void
pack_u32(char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

char *
caagent_pack_run(char **argv, int argc, char **envp, size_t *lenp)
{
	size_t len = 8, envc = 0, i, n;
	char *out, *p;

	for (i = 0; i < (size_t)argc; i++)
		len += strlen(argv[i]) + 1;
	for (; envp[envc] != NULL; envc++)
		len += strlen(envp[envc]) + 1;
	if (len > CAAGENT_MAX_PAYLOAD || (out = malloc(len)) == NULL)
		return NULL;
	p = out;
	pack_u32(p, (uint32_t)argc);
	p += 4;
	for (i = 0; i < (size_t)argc; i++) {
		n = strlen(argv[i]) + 1;
		memcpy(p, argv[i], n);
		p += n;
	}
	pack_u32(p, (uint32_t)envc);
	p += 4;
	for (i = 0; i < envc; i++) {
		n = strlen(envp[i]) + 1;
		memcpy(p, envp[i], n);
		p += n;
	}
	*lenp = len;
	return out;
}

/* Point up to `count` entries of vec at the strings starting at *p. */
static int
unpack_strings(char **p, char *end, uint32_t count, char ***vecp)
{
	char **vec, *nul;
	uint32_t i;

	/* every string takes at least one byte: a count cannot exceed it */
	if (count > (size_t)(end - *p))
		return -1;
	if ((vec = calloc((size_t)count + 1, sizeof(*vec))) == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		if ((nul = memchr(*p, '\0', (size_t)(end - *p))) == NULL) {
			free(vec);
			return -1;
		}
		vec[i] = *p;
		*p = nul + 1;
	}
	*vecp = vec;
	return 0;
}

int
caagent_unpack_run(
    char *payload, size_t len, int *argcp, char ***argvp, char ***envpp)
{
	char *p = payload, *end = payload + len, **argv = NULL, **envp = NULL;
	uint32_t argc, envc;

	if (len < 4)
		return -1;
	memcpy(&argc, p, 4);
	argc = ntohl(argc);
	p += 4;
	if (argc < 1 || unpack_strings(&p, end, argc, &argv) != 0)
		return -1;
	if ((size_t)(end - p) < 4) {
		free(argv);
		return -1;
	}
	memcpy(&envc, p, 4);
	envc = ntohl(envc);
	p += 4;
	if (unpack_strings(&p, end, envc, &envp) != 0 || p != end) {
		free(argv);
		free(envp);
		return -1;
	}
	*argcp = (int)argc;
	*argvp = argv;
	*envpp = envp;
	return 0;
}

int
caagent_run(const char *path, int argc, char **argv, int *sent)
{
	int fds[CAAGENT_NFDS] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO,
		-1 };
	size_t len;
	char *payload;
	uint32_t status;
	int fd, r = -1, e;

	*sent = 0;
	if ((fds[3] = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 &&
	    (fds[3] = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((payload = caagent_pack_run(argv, argc, environ, &len)) == NULL) {
		close(fds[3]);
		errno = E2BIG;
		return -1;
	}
	if ((fd = caagent_connect(path)) != -1) {
		if (caagent_send(fd, CAAGENT_RUN, fds, CAAGENT_NFDS, payload,
			len) == 0) {
			*sent = 1;
			if (caagent_get_u32(fd, &status) == 0)
				r = status > 255 ? 255 : (int)status;
		}
	}
	e = errno;
	if (fd != -1)
		close(fd);
	close(fds[3]);
	free(payload);
	errno = e;
	return r;
}
