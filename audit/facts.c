/* facts.c: run the fact script and read what it printed (see facts.h). */
#include "common/compat.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/facts.h"
#include "common/file.h"
#include "common/xmalloc.h"

#define FACTS_MAX_RECORDS 20000

const char *
facts_st_name(enum fact_st st)
{
	switch (st) {
	case FS_OK:
		return "ok";
	case FS_ABSENT:
		return "absent";
	case FS_DENIED:
		return "permission denied";
	case FS_ERROR:
		return "unreadable";
	case FS_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- the local runner ---- */

static int
drain(int fd, pid_t pid, struct buf *out, struct cm_err *err)
{
	uint64_t end = now_us() + (uint64_t)FACTS_TIMEOUT_MS * 1000, now;
	struct pollfd p;
	char tmp[8192];
	ssize_t n;

	for (;;) {
		now = now_us();
		if (now >= end) {
			kill(-pid, SIGKILL);
			return err_set(err, ERR_TIMEOUT,
			    "the fact script did not finish within %d s",
			    FACTS_TIMEOUT_MS / 1000);
		}
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, (int)((end - now) / 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "poll");
		}
		if (p.revents == 0)
			continue;
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "reading the fact script's output");
		if (n == 0)
			return 0;
		if (buf_add(out, tmp, (size_t)n) != 0) {
			kill(-pid, SIGKILL);
			return err_set(err, ERR_TOOBIG,
			    "the fact script printed more than %zu bytes",
			    FACTS_MAX_OUTPUT);
		}
	}
}

int
facts_run_local(
    void *arg, const char *script, struct buf *out, struct cm_err *err)
{
	static char *const argv[] = { "sh", "-s", NULL };
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"LC_ALL=C", NULL };
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, devnull, status, r = 0;
	size_t len = strlen(script);
	pid_t pid;

	(void)arg;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(o, O_CLOEXEC) != 0) {
		r = err_sys(err, "pipe");
		goto out;
	}
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		r = err_sys(err, "/dev/null");
		goto out;
	}
	if ((pid = fork()) < 0) {
		close(devnull);
		r = err_sys(err, "fork");
		goto out;
	}
	if (pid == 0) {
		/* only async-signal-safe calls until exec */
		setpgid(0, 0);
		if (dup2(in[0], 0) < 0 || dup2(o[1], 1) < 0 ||
		    dup2(devnull, 2) < 0)
			_exit(127);
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	/* both sides set the group, so a kill never misses the child */
	setpgid(pid, pid);
	close(devnull);
	close(in[0]);
	close(o[1]);
	in[0] = o[1] = -1;
	/* the script is far smaller than a pipe's buffer */
	if (fd_write_all(in[1], script, len) != 0)
		r = err_sys(err, "writing the fact script");
	close(in[1]);
	in[1] = -1;
	if (r == 0)
		r = drain(o[0], pid, out, err);
	else
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = err_set(err, ERR_FAIL, "the fact script failed (status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status));
out:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (o[0] >= 0)
		close(o[0]);
	if (o[1] >= 0)
		close(o[1]);
	return r;
}

/* ---- the parser ---- */

static enum fact_st
parse_st(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return FS_OK;
	if (strcmp(s, "absent") == 0)
		return FS_ABSENT;
	if (strcmp(s, "denied") == 0)
		return FS_DENIED;
	return FS_ERROR;
}

/* Split off the next space-separated word of *sp (NULL at the end). */
static char *
word(char **sp)
{
	char *s = *sp, *w;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s != '\0' && *s != ' ')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return w;
}

static int
parse_long(const char *s, long *out)
{
	long long v;

	if (s == NULL || parse_int(s, 0, INT32_MAX, &v) != 0)
		return -1;
	*out = (long)v;
	return 0;
}

static int
parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (ULONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

/* "drwxr-x--- 2 0 0 ..." (after the inode): type, mode, uid and gid. */
static int
parse_ls(struct fact_stat *s, char *line)
{
	static const char bits[] = "rwxrwxrwx";
	char *p = line, *mode;
	unsigned m = 0;
	int i;

	if ((mode = word(&p)) == NULL || strlen(mode) < 10)
		return -1;
	for (i = 0; i < 9; i++) {
		char c = mode[1 + i];
		if (c == bits[i])
			m |= 0400u >> i;
		else if ((i == 2 || i == 5 || i == 8) && (c == 's' || c == 't'))
			m |= (0400u >> i) |
			    (i == 2          ? 04000u
				    : i == 5 ? 02000u
					     : 01000u);
		else if ((i == 2 || i == 5 || i == 8) && (c == 'S' || c == 'T'))
			m |= i == 2 ? 04000u : i == 5 ? 02000u : 01000u;
		else if (c != '-')
			return -1;
	}
	if (word(&p) == NULL || parse_long(word(&p), &s->uid) != 0 ||
	    parse_long(word(&p), &s->gid) != 0)
		return -1;
	s->type = mode[0];
	s->mode = m;
	return 0;
}

/* /proc/net/tcp's "0100007F:0947" into an address and a port. */
static int
parse_sockaddr(const char *s, int v6, int big_endian, struct fact_listen *l)
{
	unsigned char a[16];
	size_t hexlen = v6 ? 32 : 8, i, w;
	unsigned long port;
	char *end;

	if (strlen(s) != hexlen + 5 || s[hexlen] != ':')
		return -1;
	for (i = 0; i < hexlen; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	/* each 32-bit word is printed as a number in the host's order */
	for (w = 0; w < hexlen / 8; w++) {
		char tmp[9];
		unsigned long v;
		memcpy(tmp, s + w * 8, 8);
		tmp[8] = '\0';
		v = strtoul(tmp, NULL, 16);
		for (i = 0; i < 4; i++)
			a[w * 4 + i] = big_endian
			    ? (unsigned char)(v >> (24 - 8 * i))
			    : (unsigned char)(v >> (8 * i));
	}
	port = strtoul(s + hexlen + 1, &end, 16);
	if (*end != '\0' || !isxdigit((unsigned char)s[hexlen + 1]))
		return -1;
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, l->addr, sizeof(l->addr)) ==
	    NULL)
		return -1;
	l->v6 = v6;
	l->port = (int)port;
	return 0;
}

enum rec {
	R_NONE,
	R_NET4,
	R_NET6,
	R_UNIX,
	R_CMDLINE,
	R_FDS,
	R_STAT,
	R_FILE,
	R_GROUP,
	R_PRIMARY,
	R_SKIP
};

struct pstate {
	struct host_facts *hf;
	enum rec rec;
	struct fact_daemon *d; /* for R_CMDLINE and R_FDS */
	struct fact_stat *s;
	struct fact_file *f;
	int stat_lines;
	size_t records;
};

static struct fact_daemon *
daemon_by_pid(struct host_facts *hf, long pid)
{
	size_t i;

	for (i = 0; i < hf->ndaemons; i++)
		if (hf->daemons[i].pid == pid)
			return &hf->daemons[i];
	for (i = 0; i < hf->ncontainerds; i++)
		if (hf->containerds[i].pid == pid)
			return &hf->containerds[i];
	return NULL;
}

/* A "@..." line; returns 0, or -1 when it is not understood. */
static int
record(struct pstate *ps, char *line)
{
	struct host_facts *hf = ps->hf;
	char *p = line + 1, *kind, *a, *b, *c;
	long pid;

	ps->rec = R_SKIP;
	ps->d = NULL;
	ps->s = NULL;
	ps->f = NULL;
	if ((kind = word(&p)) == NULL)
		return -1;
	if (++ps->records > FACTS_MAX_RECORDS)
		return -1;
	if (strcmp(kind, "ctxmgr-facts") == 0) {
		a = word(&p);
		if (a == NULL || strcmp(a, "1") != 0)
			return -1;
		hf->version = 1;
	} else if (strcmp(kind, "end") == 0)
		hf->complete = 1;
	else if (strcmp(kind, "id") == 0) {
		if (parse_long(word(&p), &hf->uid) != 0 ||
		    parse_long(word(&p), &hf->gid) != 0)
			return -1;
	} else if (strcmp(kind, "arch") == 0) {
		a = word(&p);
		hf->big_endian = a != NULL &&
		    (strcmp(a, "s390x") == 0 || strcmp(a, "ppc64") == 0 ||
			strcmp(a, "ppc") == 0 || strcmp(a, "mips") == 0 ||
			strcmp(a, "mips64") == 0 || strcmp(a, "sparc64") == 0);
	} else if (strcmp(kind, "net") == 0) {
		a = word(&p);
		b = word(&p);
		if (a == NULL || b == NULL)
			return -1;
		if (strcmp(a, "/proc/net/tcp") == 0) {
			hf->tcp_st = parse_st(b);
			ps->rec = R_NET4;
		} else if (strcmp(a, "/proc/net/tcp6") == 0) {
			hf->tcp6_st = parse_st(b);
			ps->rec = R_NET6;
		} else
			return -1;
	} else if (strcmp(kind, "unix") == 0) {
		if ((a = word(&p)) == NULL)
			return -1;
		hf->unix_st = parse_st(a);
		ps->rec = R_UNIX;
	} else if (strcmp(kind, "dockerd") == 0 ||
	    strcmp(kind, "containerd") == 0) {
		struct fact_daemon **arr =
		    kind[0] == 'd' ? &hf->daemons : &hf->containerds;
		size_t *n = kind[0] == 'd' ? &hf->ndaemons : &hf->ncontainerds;
		if (parse_long(word(&p), &pid) != 0)
			return -1;
		if (daemon_by_pid(hf, pid) != NULL)
			return 0;
		*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
		memset(&(*arr)[*n], 0, sizeof(**arr));
		(*arr)[*n].pid = pid;
		(*arr)[*n].cmdline_st = FS_UNKNOWN;
		(*arr)[*n].fds_st = FS_UNKNOWN;
		(*n)++;
	} else if (strcmp(kind, "cmdline") == 0 || strcmp(kind, "fds") == 0) {
		if (parse_long(word(&p), &pid) != 0 || (a = word(&p)) == NULL ||
		    (ps->d = daemon_by_pid(hf, pid)) == NULL)
			return -1;
		if (kind[0] == 'c') {
			if (ps->d->cmdline_st != FS_UNKNOWN)
				return -1;
			ps->d->cmdline_st = parse_st(a);
			ps->rec = R_CMDLINE;
		} else {
			if (ps->d->fds_st != FS_UNKNOWN)
				return -1;
			ps->d->fds_st = parse_st(a);
			ps->rec = R_FDS;
		}
	} else if (strcmp(kind, "stat") == 0) {
		struct fact_stat *s;
		if ((a = word(&p)) == NULL || (b = word(&p)) == NULL ||
		    (c = word(&p)) == NULL || *p != '/')
			return -1;
		hf->stats = xreallocarray(
		    hf->stats, hf->nstats + 1, sizeof(*hf->stats));
		s = &hf->stats[hf->nstats++];
		memset(s, 0, sizeof(*s));
		s->tag = xstrdup(a);
		s->st = parse_st(b);
		s->is_link = strcmp(c, "link") == 0;
		s->path = xstrdup(p);
		s->uid = s->gid = -1;
		/* "ok" stands only once its ls line is read */
		if (s->st == FS_OK) {
			s->st = FS_ERROR;
			ps->s = s;
			ps->rec = R_STAT;
			ps->stat_lines = 0;
		}
	} else if (strcmp(kind, "file") == 0) {
		struct fact_file *f;
		if ((a = word(&p)) == NULL || (b = word(&p)) == NULL ||
		    *p != '/')
			return -1;
		hf->files = xreallocarray(
		    hf->files, hf->nfiles + 1, sizeof(*hf->files));
		f = &hf->files[hf->nfiles++];
		memset(f, 0, sizeof(*f));
		f->tag = xstrdup(a);
		f->path = xstrdup(p);
		f->st = parse_st(b);
		buf_init(&f->content, (size_t)1 << 20);
		ps->f = f;
		ps->rec = R_FILE;
	} else if (strcmp(kind, "group") == 0 || strcmp(kind, "primary") == 0) {
		if ((a = word(&p)) == NULL)
			return -1;
		if (kind[0] == 'g') {
			hf->group_st = parse_st(a);
			ps->rec = R_GROUP;
		} else {
			hf->primary_st = parse_st(a);
			ps->rec = R_PRIMARY;
		}
	} else
		return -1;
	return 0;
}

static int
listen_line(struct pstate *ps, char *data, int v6)
{
	struct host_facts *hf = ps->hf;
	struct fact_listen l;
	char *p = data, *addr = word(&p), *inode = word(&p);

	memset(&l, 0, sizeof(l));
	if (addr == NULL || parse_sockaddr(addr, v6, hf->big_endian, &l) != 0 ||
	    parse_ulong(inode, &l.inode) != 0)
		return -1;
	hf->listen =
	    xreallocarray(hf->listen, hf->nlisten + 1, sizeof(*hf->listen));
	hf->listen[hf->nlisten++] = l;
	return 0;
}

/* A "|..." line for the current record. */
static int
data_line(struct pstate *ps, char *data, size_t len)
{
	struct host_facts *hf = ps->hf;
	struct fact_daemon *d = ps->d;
	unsigned long inode;
	char *p = data, *w;

	switch (ps->rec) {
	case R_NET4:
	case R_NET6:
		return listen_line(ps, data, ps->rec == R_NET6);
	case R_UNIX:
		if (parse_ulong(word(&p), &inode) != 0 || *p != '/')
			return -1;
		hf->unixs =
		    xreallocarray(hf->unixs, hf->nunix + 1, sizeof(*hf->unixs));
		hf->unixs[hf->nunix].inode = inode;
		hf->unixs[hf->nunix++].path = xstrdup(p);
		return 0;
	case R_CMDLINE:
		if (d->argv.n >= 4096)
			return -1;
		strv_push(&d->argv, data);
		return 0;
	case R_FDS:
		if (parse_ulong(data, &inode) != 0 || d->ninodes >= 65536)
			return -1;
		d->inodes = xreallocarray(
		    d->inodes, d->ninodes + 1, sizeof(*d->inodes));
		d->inodes[d->ninodes++] = inode;
		return 0;
	case R_STAT:
		if (ps->stat_lines++ > 0)
			return -1;
		/* the inode first, then ls's usual fields */
		if ((w = word(&p)) == NULL || parse_ulong(w, &inode) != 0 ||
		    parse_ls(ps->s, p) != 0)
			return -1;
		ps->s->inode = inode;
		ps->s->st = FS_OK;
		return 0;
	case R_FILE:
		if (ps->f->st != FS_OK)
			return -1;
		if (buf_add(&ps->f->content, data, len) != 0 ||
		    buf_addc(&ps->f->content, '\n') != 0) {
			ps->f->st = FS_ERROR;
			return -1;
		}
		return 0;
	case R_GROUP:
		if (hf->group_line != NULL || strlen(data) > 65536)
			return -1;
		hf->group_line = xstrdup(data);
		return 0;
	case R_PRIMARY:
		if (hf->primary.n >= 10000)
			return -1;
		strv_push(&hf->primary, data);
		return 0;
	default:
		return -1;
	}
}

int
facts_parse(
    const char *data, size_t len, struct host_facts *hf, struct cm_err *err)
{
	struct pstate ps;
	const char *p = data, *end = data + len, *nl;
	char *line;
	size_t n;

	memset(hf, 0, sizeof(*hf));
	hf->uid = hf->gid = -1;
	hf->tcp_st = hf->tcp6_st = hf->unix_st = FS_UNKNOWN;
	hf->group_st = hf->primary_st = FS_UNKNOWN;
	memset(&ps, 0, sizeof(ps));
	ps.hf = hf;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line = xstrndup(p, n);
		/* strndup stops at a NUL: such a line is taken as cut */
		if (p == data && strcmp(line, "@ctxmgr-facts 1") != 0) {
			free(line);
			return err_set(err, ERR_PROTO,
			    "the fact script's output does not start with "
			    "its header");
		}
		if (line[0] == '@') {
			if (record(&ps, line) != 0)
				hf->ignored++;
		} else if (line[0] == '|') {
			if (data_line(&ps, line + 1, strlen(line + 1)) != 0)
				hf->ignored++;
		} else if (line[0] != '\0')
			hf->ignored++;
		free(line);
		p += n + (nl != NULL);
	}
	if (hf->version != 1)
		return err_set(
		    err, ERR_PROTO, "the fact script printed nothing");
	return 0;
}

void
facts_free(struct host_facts *hf)
{
	size_t i;

	free(hf->listen);
	for (i = 0; i < hf->nunix; i++)
		free(hf->unixs[i].path);
	free(hf->unixs);
	for (i = 0; i < hf->ndaemons; i++) {
		strv_free(&hf->daemons[i].argv);
		free(hf->daemons[i].inodes);
	}
	free(hf->daemons);
	for (i = 0; i < hf->ncontainerds; i++) {
		strv_free(&hf->containerds[i].argv);
		free(hf->containerds[i].inodes);
	}
	free(hf->containerds);
	for (i = 0; i < hf->nstats; i++) {
		free(hf->stats[i].tag);
		free(hf->stats[i].path);
	}
	free(hf->stats);
	for (i = 0; i < hf->nfiles; i++) {
		free(hf->files[i].tag);
		free(hf->files[i].path);
		buf_release(&hf->files[i].content);
	}
	free(hf->files);
	free(hf->group_line);
	strv_free(&hf->primary);
	memset(hf, 0, sizeof(*hf));
}

const struct fact_stat *
facts_stat(const struct host_facts *hf, const char *tag, const char *path)
{
	size_t i;

	for (i = 0; i < hf->nstats; i++)
		if ((tag == NULL || strcmp(hf->stats[i].tag, tag) == 0) &&
		    strcmp(hf->stats[i].path, path) == 0)
			return &hf->stats[i];
	return NULL;
}

const struct fact_file *
facts_file(const struct host_facts *hf, const char *tag, const char *path)
{
	size_t i;

	for (i = 0; i < hf->nfiles; i++)
		if ((tag == NULL || strcmp(hf->files[i].tag, tag) == 0) &&
		    strcmp(hf->files[i].path, path) == 0)
			return &hf->files[i];
	return NULL;
}

int
facts_daemon_has_inode(const struct fact_daemon *d, unsigned long inode)
{
	size_t i;

	for (i = 0; i < d->ninodes; i++)
		if (d->inodes[i] == inode)
			return 1;
	return 0;
}

/* /var/run/x and /run/x are the same place on every modern system. */
static int
same_socket_path(const char *a, const char *b)
{
	if (str_has_prefix(a, "/var/run/"))
		a += 4;
	if (str_has_prefix(b, "/var/run/"))
		b += 4;
	return strcmp(a, b) == 0;
}

/* 1 if dockerd's arguments name this unix socket with -H/--host. */
static int
argv_names_socket(const struct fact_daemon *d, const char *path)
{
	const char *a, *v;
	size_t i;

	for (i = 1; i < d->argv.n; i++) {
		a = d->argv.v[i];
		v = NULL;
		if ((strcmp(a, "-H") == 0 || strcmp(a, "--host") == 0) &&
		    i + 1 < d->argv.n)
			v = d->argv.v[i + 1];
		else if (str_has_prefix(a, "--host="))
			v = a + 7;
		else if (str_has_prefix(a, "-H="))
			v = a + 3;
		else if (str_has_prefix(a, "-H"))
			v = a + 2;
		if (v != NULL && str_has_prefix(v, "unix://") &&
		    same_socket_path(v + 7, path))
			return 1;
	}
	return 0;
}

const struct fact_daemon *
facts_find_daemon(const struct host_facts *hf, const char *unix_path,
    int tcp_port, char *why, size_t whylen)
{
	const struct fact_daemon *found = NULL;
	size_t i, j;
	int fds_known = 0;

	for (i = 0; i < hf->ndaemons; i++)
		fds_known |= hf->daemons[i].fds_st == FS_OK;
	/* the inode behind the path or port, held by one dockerd */
	for (i = 0; i < hf->ndaemons && found == NULL; i++) {
		const struct fact_daemon *d = &hf->daemons[i];
		for (j = 0; unix_path != NULL && j < hf->nunix; j++)
			if (same_socket_path(hf->unixs[j].path, unix_path) &&
			    facts_daemon_has_inode(d, hf->unixs[j].inode))
				found = d;
		for (j = 0; tcp_port > 0 && j < hf->nlisten; j++)
			if (hf->listen[j].port == tcp_port &&
			    facts_daemon_has_inode(d, hf->listen[j].inode))
				found = d;
	}
	if (found != NULL)
		return found;
	for (i = 0; unix_path != NULL && i < hf->ndaemons; i++)
		if (argv_names_socket(&hf->daemons[i], unix_path)) {
			if (found != NULL) {
				snprintf(why, whylen,
				    "several dockerd processes name \"%s\"",
				    unix_path);
				return NULL;
			}
			found = &hf->daemons[i];
		}
	if (found != NULL)
		return found;
	if (hf->ndaemons == 1 && !fds_known)
		return &hf->daemons[0];
	if (hf->ndaemons == 0)
		snprintf(why, whylen, "no dockerd process is visible");
	else
		snprintf(why, whylen,
		    "cannot tell which of %zu dockerd processes serves the "
		    "context",
		    hf->ndaemons);
	return NULL;
}
