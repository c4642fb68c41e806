/* test-caagent.c: the CA agent's wire format and which lines it takes. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <sys/socket.h>
#include <unistd.h>

#include "common/caagent.h"
#include "ctxmgr/cmd.h"

/* Whether the agent takes command line `line` (words split on spaces). */
static int
wants(const char *line)
{
	char *copy = strdup(line), *argv[16], *p = copy, *sp;
	int argc = 0, r, i;

	while (argc < 15) {
		argv[argc++] = p;
		if ((sp = strchr(p, ' ')) == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	argv[argc] = NULL;
	i = cmd_first_word(argc, argv);
	r = i >= 0 && caagent_wants(argc - i, argv + i);
	free(copy);
	return r;
}

static void
test_wants(void **state)
{
	(void)state;
	assert_int_equal(wants("ctxmgr ca issue client web1"), 1);
	assert_int_equal(wants("ctxmgr ca rotate --all"), 1);
	assert_int_equal(wants("ctxmgr ca revoke 1A2B3C4D"), 1);
	assert_int_equal(wants("ctxmgr ca crl"), 1);
	assert_int_equal(wants("ctxmgr ca ls"), 1);
	assert_int_equal(wants("ctxmgr -q ca ls"), 1);
	assert_int_equal(wants("ctxmgr --config /c ca ls"), 1);
	assert_int_equal(wants("ctxmgr --config=/c ca ls"), 1);
	assert_int_equal(wants("ctxmgr -c prod ca ls"), 1);
	/* the value of a global option is not the command */
	assert_int_equal(wants("ctxmgr --context ca ls"), 0);
	assert_int_equal(wants("ctxmgr ca init"), 0);
	assert_int_equal(wants("ctxmgr ca agent --stop"), 0);
	assert_int_equal(wants("ctxmgr ca deploy docker1"), 0);
	assert_int_equal(wants("ctxmgr ca"), 0);
	assert_int_equal(wants("ctxmgr rm ca"), 0);
	assert_int_equal(wants("ctxmgr -- ca ls"), 0);
	assert_int_equal(wants("ctxmgr"), 0);
	assert_int_equal(wants("ctxmgr --help ca ls"), 0);
	assert_int_equal(wants("ctxmgr --format json ca ls"), 1);
}

static void
test_pack_unpack(void **state)
{
	char *argv[] = { "ctxmgr", "ca", "issue", "client", "", NULL };
	char *envp[] = { "HOME=/h", "X=", NULL };
	char *p, **av, **ev;
	size_t len;
	int ac;

	(void)state;
	p = caagent_pack_run(argv, 5, envp, &len);
	assert_non_null(p);
	assert_int_equal(caagent_unpack_run(p, len, &ac, &av, &ev), 0);
	assert_int_equal(ac, 5);
	assert_string_equal(av[2], "issue");
	assert_string_equal(av[4], "");
	assert_null(av[5]);
	assert_string_equal(ev[1], "X=");
	assert_null(ev[2]);
	free(av);
	free(ev);
	/* cut anywhere: refused */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(caagent_unpack_run(p, n, &ac, &av, &ev), -1);
	free(p);
}

static void
test_bad_payloads(void **state)
{
	char noargs[8] = { 0 }; /* argc 0 */
	char lies[] = "\x7f\xff\xff\xff"
		      "a";
	char trailing[] = "\0\0\0\1x\0\0\0\0\0junk";
	int ac;
	char **av, **ev;

	(void)state;
	assert_int_equal(caagent_unpack_run(noargs, 8, &ac, &av, &ev), -1);
	assert_int_equal(
	    caagent_unpack_run(lies, sizeof(lies) - 1, &ac, &av, &ev), -1);
	assert_int_equal(
	    caagent_unpack_run(trailing, sizeof(trailing) - 1, &ac, &av, &ev),
	    -1);
}

static void
test_send_recv(void **state)
{
	struct caagent_req req;
	int sv[2], fds[CAAGENT_NFDS];
	char hdr[12];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < CAAGENT_NFDS; i++)
		fds[i] = STDERR_FILENO;
	assert_int_equal(
	    caagent_send(sv[0], CAAGENT_RUN, fds, CAAGENT_NFDS, "ab\0", 3), 0);
	assert_int_equal(caagent_recv(sv[1], &req), 0);
	assert_int_equal(req.type, CAAGENT_RUN);
	assert_int_equal(req.nfds, CAAGENT_NFDS);
	assert_int_equal(req.len, 3);
	assert_memory_equal(req.payload, "ab\0", 3);
	caagent_req_free(&req);
	/* a header that claims more than the limit */
	memcpy(hdr, "CMA1\0\0\0\1\x7f\0\0\0", 12);
	assert_int_equal(write(sv[0], hdr, 12), 12);
	assert_int_equal(caagent_recv(sv[1], &req), -1);
	assert_int_equal(req.nfds, 0);
	/* too many descriptors for caagent_send */
	assert_int_equal(caagent_send(sv[0], CAAGENT_RUN, fds, 5, NULL, 0), -1);
	close(sv[0]);
	/* the peer went away: no request */
	assert_int_equal(caagent_recv(sv[1], &req), -1);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_pack_unpack),
		cmocka_unit_test(test_bad_payloads),
		cmocka_unit_test(test_send_recv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
