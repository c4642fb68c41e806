/* fuzz-sshconfig.c: the ssh_config parser, token expansion and the list of
 * Host aliases. */
#include "common/compat.h"

#include "tunnel/sshconfig.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "prod", "web.example.com", "db1",
		"x", "" };
	/* no home: Include reads no file */
	struct ssh_config_env env = { NULL, "u", NULL };
	struct ssh_tokens t = { "/h", "host", "alias", "r", "u", 22 };
	struct ssh_host_config c;
	struct cm_err err;
	const char *host;
	char *out;
	size_t i;

	if (size == 0)
		return 0;
	host = hosts[data[0] % nitems(hosts)];
	sshconfig_init(&c);
	if (sshconfig_parse((const char *)data + 1, size - 1, "fuzz", host,
		&env, &c, &err) == 0) {
		if (c.port < 0 || c.port > 65535)
			abort();
		if ((c.hostname && c.hostname[0] == '-') ||
		    (c.user && c.user[0] == '-'))
			abort();
		for (i = 0; i < c.identity_files.n; i++)
			if (sshconfig_expand(
				c.identity_files.v[i], &t, &out, &err) == 0)
				free(out);
		for (i = 0; i < c.known_hosts.n; i++)
			if (sshconfig_expand(
				c.known_hosts.v[i], &t, &out, &err) == 0)
				free(out);
	}
	sshconfig_release(&c);
	/* the Host aliases import-hosts --ssh-config takes */
	struct strv aliases = { 0 }, notes = { 0 };
	if (sshconfig_list_hosts((const char *)data + 1, size - 1, "fuzz",
		&aliases, &notes, &err) == 0)
		for (i = 0; i < aliases.n; i++)
			if (strpbrk(aliases.v[i], "*?!,") != NULL ||
			    aliases.v[i][0] == '\0')
				abort();
	strv_free(&aliases);
	strv_free(&notes);
	return 0;
}
