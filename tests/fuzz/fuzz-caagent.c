/*
 * fuzz-caagent.c: the CA agent's request reader (caagent_recv through a
 * socket pair) and RUN payload parser; what the parser accepts must pack
 * back to the same bytes.
 */
#include "common/compat.h"

#include <sys/socket.h>
#include <unistd.h>

#include "common/caagent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_payload(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), **argv, **envp, *back;
	size_t len;
	int argc;

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (caagent_unpack_run(copy, size, &argc, &argv, &envp) == 0) {
		if (argc < 1 || argv[argc] != NULL)
			abort();
		back = caagent_pack_run(argv, argc, envp, &len);
		if (back == NULL || len != size ||
		    memcmp(back, data, size) != 0)
			abort();
		free(back);
		free(argv);
		free(envp);
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caagent_req req;
	int sv[2];

	check_payload(data, size);
	/* the same bytes as a whole request on a socket */
	if (size > 65536 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	if (size > 0 && write(sv[0], data, size) != (ssize_t)size)
		abort();
	close(sv[0]);
	if (caagent_recv(sv[1], &req) == 0) {
		if (req.len > CAAGENT_MAX_PAYLOAD || req.payload == NULL ||
		    req.payload[req.len] != '\0' || req.nfds != 0)
			abort();
		if (req.type == CAAGENT_RUN)
			check_payload((const uint8_t *)req.payload, req.len);
		caagent_req_free(&req);
	}
	close(sv[1]);
	return 0;
}
