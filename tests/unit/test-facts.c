/* test-facts.c: the fact script, its output parser, daemon settings. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <unistd.h>

#include "audit/daemonconf.h"
#include "audit/facts.h"
#include "common/file.h"

static const char sample[] =
    "@ctxmgr-facts 1\n"
    "@id 1000 1000\n"
    "@arch x86_64\n"
    "@net /proc/net/tcp ok\n"
    "|0100007F:0947 111\n"
    "|00000000:5DC0 222\n"
    "|garbage\n"
    "@net /proc/net/tcp6 ok\n"
    "|00000000000000000000000000000000:0948 333\n"
    "@unix ok\n"
    "|444 /run/docker.sock\n"
    "|555 /tmp/other/docker.sock\n"
    "@dockerd 10\n"
    "@cmdline 10 ok\n"
    "|/usr/sbin/dockerd\n"
    "|-H\n"
    "|fd://\n"
    "|--tlsverify=false\n"
    "|--tls\n"
    "|--config-file=/etc/docker/daemon.json\n"
    "\n"
    "@fds 10 ok\n"
    "|444\n"
    "|222\n"
    "@dockerd 20\n"
    "@cmdline 20 ok\n"
    "|dockerd\n"
    "|--host=unix:///tmp/other/docker.sock\n"
    "|-Htcp://127.0.0.1:2375\n"
    "@fds 20 denied\n"
    "@containerd 30\n"
    "@cmdline 30 ok\n"
    "|containerd\n"
    "\n"
    "@fds 30 ok\n"
    "|111\n"
    "@stat lsock ok - /run/containerd/containerd.sock\n"
    "|777 srw-rw---- 1 0 0 0 Nov 28 13:59 /run/containerd/containerd.sock\n"
    "@stat sock ok - /run/docker.sock\n"
    "|444 srw-rw---- 1 0 998 0 Nov 28 13:59 /run/docker.sock\n"
    "@stat sock ok link /var/run/docker.sock\n"
    "|444 srw-rw-rw- 1 0 998 0 Nov 28 13:59 /var/run/docker.sock\n"
    "@stat tlskey denied - /etc/docker/key.pem\n"
    "@stat weird ok - /x\n"
    "|1 drwsr-sr-t 2 0 0 4096 Nov 28 13:59 /x\n"
    "@stat broken ok - /y\n"
    "|1 ?????????? ? ? ? ? /y\n"
    "@file daemonjson ok /etc/docker/daemon.json\n"
    "|{\"icc\": false, \"hosts\": [\"tcp://0.0.0.0:2376\"],\n"
    "| \"userland-proxy\": true, \"tlscert\": \"/etc/docker/cert.pem\"}\n"
    "\n"
    "@file socket ok /lib/systemd/system/docker.socket\n"
    "|[Socket]\n"
    "|ListenStream=/run/docker.sock\n"
    "|ListenStream = 0.0.0.0:2377\n"
    "@group ok\n"
    "|docker:x:998:alice,bob\n"
    "@primary ok\n"
    "|carol\n"
    "@mystery thing\n"
    "@end\n";

static void
test_parse_sample(void **state)
{
	struct host_facts hf;
	struct cm_err e;
	const struct fact_stat *s;
	const struct fact_file *f;

	(void)state;
	assert_int_equal(facts_parse(sample, sizeof(sample) - 1, &hf, &e), 0);
	assert_int_equal(hf.uid, 1000);
	assert_true(hf.complete);
	assert_int_equal(hf.nlisten, 3);
	assert_string_equal(hf.listen[0].addr, "127.0.0.1");
	assert_int_equal(hf.listen[0].port, 2375);
	assert_string_equal(hf.listen[1].addr, "0.0.0.0");
	assert_int_equal(hf.listen[1].port, 24000);
	assert_string_equal(hf.listen[2].addr, "::");
	assert_int_equal(hf.listen[2].port, 2376);
	assert_int_equal(hf.nunix, 2);
	assert_int_equal(hf.ndaemons, 2);
	assert_int_equal(hf.daemons[0].argv.n, 6);
	assert_int_equal(hf.daemons[0].ninodes, 2);
	assert_int_equal(hf.daemons[1].fds_st, FS_DENIED);
	/* containerd is listed apart: never taken for the audited dockerd */
	assert_int_equal(hf.ncontainerds, 1);
	assert_int_equal(hf.containerds[0].pid, 30);
	assert_true(facts_daemon_has_inode(&hf.containerds[0], 111));
	assert_int_equal(
	    facts_stat(&hf, "lsock", "/run/containerd/containerd.sock")->mode,
	    0660);
	s = facts_stat(&hf, "sock", "/run/docker.sock");
	assert_non_null(s);
	assert_int_equal(s->st, FS_OK);
	assert_int_equal(s->mode, 0660);
	assert_int_equal(s->gid, 998);
	assert_int_equal(s->type, 's');
	s = facts_stat(&hf, "sock", "/var/run/docker.sock");
	assert_true(s->is_link);
	assert_int_equal(s->mode, 0666);
	assert_int_equal(
	    facts_stat(&hf, "tlskey", "/etc/docker/key.pem")->st, FS_DENIED);
	s = facts_stat(&hf, "weird", "/x");
	assert_int_equal(s->mode, 06755 | 01000);
	/* an ls line that does not parse never becomes "ok" */
	assert_int_equal(facts_stat(&hf, "broken", "/y")->st, FS_ERROR);
	f = facts_file(&hf, "daemonjson", "/etc/docker/daemon.json");
	assert_non_null(f);
	assert_non_null(strstr(f->content.data, "\"icc\": false"));
	assert_string_equal(hf.group_line, "docker:x:998:alice,bob");
	assert_int_equal(hf.primary.n, 1);
	assert_true(hf.ignored >= 2);
	facts_free(&hf);
}

static void
test_parse_refuses(void **state)
{
	struct host_facts hf;
	struct cm_err e;
	const char *bad[] = { "", "hello\n", "@ctxmgr-facts 2\n",
		"|@ctxmgr-facts 1\n" };
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(
		    facts_parse(bad[i], strlen(bad[i]), &hf, &e), ERR_PROTO);
		facts_free(&hf);
	}
	/* no @end: parsed, but marked incomplete */
	assert_int_equal(
	    facts_parse("@ctxmgr-facts 1\n@id 0 0\n", 24, &hf, &e), 0);
	assert_false(hf.complete);
	facts_free(&hf);
}

static void
test_find_daemon(void **state)
{
	struct host_facts hf;
	struct cm_err e;
	const struct fact_daemon *d;
	char why[256];

	(void)state;
	assert_int_equal(facts_parse(sample, sizeof(sample) - 1, &hf, &e), 0);
	/* by the inode of the socket it holds */
	d = facts_find_daemon(&hf, "/var/run/docker.sock", 0, why, sizeof(why));
	assert_non_null(d);
	assert_int_equal(d->pid, 10);
	/* by the listening port's inode */
	d = facts_find_daemon(&hf, NULL, 24000, why, sizeof(why));
	assert_non_null(d);
	assert_int_equal(d->pid, 10);
	/* by -H, when its sockets cannot be read */
	d = facts_find_daemon(
	    &hf, "/tmp/other/docker.sock", 0, why, sizeof(why));
	assert_non_null(d);
	assert_int_equal(d->pid, 20);
	d = facts_find_daemon(&hf, "/nowhere.sock", 0, why, sizeof(why));
	assert_null(d);
	assert_non_null(strstr(why, "2 dockerd"));
	facts_free(&hf);
}

static void
test_daemon_conf(void **state)
{
	struct host_facts hf;
	struct daemon_conf dc;
	struct cm_err e;
	size_t i;
	int found = 0;

	(void)state;
	assert_int_equal(facts_parse(sample, sizeof(sample) - 1, &hf, &e), 0);
	daemon_conf_build(&hf, &hf.daemons[0], &dc);
	assert_int_equal(dc.json_st, FS_OK);
	assert_int_equal(dc.icc.src, DS_JSON);
	assert_false(dc.icc.b);
	assert_int_equal(dc.tls.src, DS_FLAG);
	assert_true(dc.tls.b);
	assert_int_equal(dc.tlsverify.src, DS_FLAG);
	assert_false(dc.tlsverify.b);
	/* flags win over daemon.json; json fills the rest */
	assert_int_equal(dc.hosts.src, DS_FLAG);
	assert_string_equal(dc.tlscert.s, "/etc/docker/cert.pem");
	assert_int_equal(dc.live_restore.src, DS_DEFAULT);
	assert_true(dc.socket_activated);
	assert_true(dc.listen_known);
	for (i = 0; i < dc.nlisten; i++)
		if (dc.listen[i].port == 2377 &&
		    strcmp(dc.listen[i].addr, "0.0.0.0") == 0)
			found |= 1;
		else if (dc.listen[i].port == 24000 && dc.listen[i].from_proc)
			found |= 2;
	assert_int_equal(found, 3);
	daemon_conf_free(&dc);

	/* the second daemon: no daemon.json fact for its config, short -H */
	daemon_conf_build(&hf, &hf.daemons[1], &dc);
	assert_int_equal(dc.hosts.list.n, 2);
	assert_string_equal(dc.hosts.list.v[1], "tcp://127.0.0.1:2375");
	assert_false(dc.listen_known);
	assert_int_equal(dc.nlisten, 1);
	daemon_conf_free(&dc);
	facts_free(&hf);
}

static void
test_daemon_conf_unknown(void **state)
{
	static const char out[] =
	    "@ctxmgr-facts 1\n@dockerd 5\n"
	    "@cmdline 5 ok\n|dockerd\n|--iptables=false\n"
	    "@fds 5 denied\n"
	    "@file daemonjson denied /etc/docker/daemon.json\n"
	    "@end\n";
	struct host_facts hf;
	struct daemon_conf dc;
	struct cm_err e;

	(void)state;
	assert_int_equal(facts_parse(out, sizeof(out) - 1, &hf, &e), 0);
	daemon_conf_build(&hf, &hf.daemons[0], &dc);
	/* unreadable daemon.json: only flags are known */
	assert_int_equal(dc.json_st, FS_DENIED);
	assert_int_equal(dc.iptables.src, DS_FLAG);
	assert_false(dc.iptables.b);
	assert_int_equal(dc.icc.src, DS_UNKNOWN);
	assert_int_equal(dc.userland_proxy.src, DS_UNKNOWN);
	daemon_conf_free(&dc);
	facts_free(&hf);
}

static void
test_tcp_host(void **state)
{
	char a[64];
	int port;

	(void)state;
	assert_int_equal(
	    docker_tcp_host("tcp://0.0.0.0:2375", 0, a, 64, &port), 0);
	assert_string_equal(a, "0.0.0.0");
	assert_int_equal(port, 2375);
	assert_int_equal(docker_tcp_host("tcp://:2376", 1, a, 64, &port), 0);
	assert_string_equal(a, "0.0.0.0");
	assert_int_equal(docker_tcp_host("tcp://[::1]", 1, a, 64, &port), 0);
	assert_string_equal(a, "::1");
	assert_int_equal(port, 2376);
	assert_int_equal(docker_tcp_host("tcp://h:99999", 0, a, 64, &port), -1);
	assert_int_equal(docker_tcp_host("unix:///x", 0, a, 64, &port), -1);
	assert_true(addr_is_loopback("127.0.0.2"));
	assert_false(addr_is_loopback("10.0.0.1"));
}

/* The compiled script is audit/facts.sh, byte for byte. */
static void
test_script_in_sync(void **state)
{
	const char *src = getenv("CTXMGR_SRC");
	struct buf b;
	struct cm_err e;
	char *path;

	(void)state;
	path = xasprintf("%s/audit/facts.sh", src && *src ? src : ".");
	buf_init(&b, 0);
	assert_int_equal(file_read(path, 1 << 20, 0, &b, &e), 0);
	if (strcmp(b.data, facts_script) != 0)
		fail_msg("audit/facts-script.c is stale: run "
			 "scripts/gen-facts-script");
	buf_release(&b);
	free(path);
}

/* The real script on this machine: it runs, parses and ends. */
static void
test_run_local(void **state)
{
	struct host_facts hf;
	struct cm_err e;
	struct buf out;

	(void)state;
	buf_init(&out, FACTS_MAX_OUTPUT);
	if (facts_run_local(NULL, facts_script, &out, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(facts_parse(out.data, out.len, &hf, &e), 0);
	assert_true(hf.complete);
	assert_int_equal(hf.uid, (long)getuid());
	assert_int_equal(hf.tcp_st, FS_OK);
	assert_int_equal(hf.ignored, 0);
	facts_free(&hf);
	buf_release(&out);
	/* a script that fails is an error */
	buf_init(&out, FACTS_MAX_OUTPUT);
	assert_int_equal(facts_run_local(NULL, "exit 3\n", &out, &e), ERR_FAIL);
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sample),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_find_daemon),
		cmocka_unit_test(test_daemon_conf),
		cmocka_unit_test(test_daemon_conf_unknown),
		cmocka_unit_test(test_tcp_host),
		cmocka_unit_test(test_script_in_sync),
		cmocka_unit_test(test_run_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
