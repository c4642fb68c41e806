/* test-peeruid.c: /proc/net/tcp lines and the owner of a loopback peer. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tunnel/peeruid.h"

static void
test_line(void **state)
{
	const char *l =
	    "   3: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 "
	    "00:00000000 00000000  1000        0 12345 1 0000 20 4 "
	    "30 10 -1\n";
	long uid = -1;

	(void)state;
	assert_int_equal(
	    tcp_line_match(l, "0100007F:9C40", "0100007F:1F90", &uid), 1);
	assert_int_equal(uid, 1000);
	assert_int_equal(
	    tcp_line_match(l, "0100007F:1F90", "0100007F:9C40", &uid), 0);
	/* the header, garbage, truncated lines and negative uids */
	assert_int_equal(tcp_line_match("  sl  local_address rem_address   st "
					"tx_queue rx_queue tr tm->when retrnsmt"
					"   uid  timeout inode\n",
			     "0100007F:9C40", "0100007F:1F90", &uid),
	    0);
	assert_int_equal(tcp_line_match("", "a", "b", &uid), 0);
	assert_int_equal(tcp_line_match("   3: 0100007F:9C40 0100007F:1F90 01",
			     "0100007F:9C40", "0100007F:1F90", &uid),
	    0);
	assert_int_equal(tcp_line_match("   3: 0100007F:9C40 0100007F:1F90 01 "
					"0:0 0:0 0 -5 0 1\n",
			     "0100007F:9C40", "0100007F:1F90", &uid),
	    0);
}

static void
test_real_peer(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int l, c, a;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(tcp_peer_uid(a), (long)geteuid());
	close(a);
	close(c);
	close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_real_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
