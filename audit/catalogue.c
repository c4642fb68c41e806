/* catalogue.c: the audit checks (see catalogue.h). */
#include "common/compat.h"

#include "audit/catalogue.h"

#define API NEED_API
#define HOST NEED_HOST
#define PROBE NEED_PROBE

const struct check_def audit_checks[] = {
	/* exposure */
	{ "exposure.tcp-plaintext", "2.7", SEV_CRITICAL, G_EXPOSURE,
	    PROBE | HOST, "Engine API reachable over TCP without TLS",
	    "Anyone who can reach the port controls the daemon, and through "
	    "it the host as root; the traffic can also be read and changed "
	    "on the way.",
	    "Remove the tcp:// listener, or serve it with --tlsverify and a "
	    "CA (ctxmgr ca), or reach the daemon over SSH instead." },
	{ "exposure.tls-no-verify", "2.7", SEV_CRITICAL, G_EXPOSURE,
	    PROBE | HOST,
	    "Engine API over TLS without client certificate verification",
	    "With --tls but without --tlsverify the daemon encrypts the "
	    "connection but accepts every client: anyone who completes a "
	    "handshake controls the host as root.",
	    "Run dockerd with --tlsverify and --tlscacert (\"tlsverify\": "
	    "true in daemon.json) and give clients certificates signed by "
	    "that CA." },
	{ "exposure.tcp-public", "2.7", SEV_MEDIUM, G_EXPOSURE, HOST | PROBE,
	    "Engine API listens on a non-loopback address",
	    "A TCP listener on a public or private interface can be reached "
	    "by other machines; even with client verification it widens the "
	    "attack surface to the TLS stack and the CA's keys.",
	    "Listen on 127.0.0.1 or a unix socket and reach the daemon "
	    "through an SSH tunnel (ctxmgr tunnel), or restrict the port "
	    "with a firewall to the hosts that need it." },
	{ "exposure.daemon-warnings", "2.7", SEV_HIGH, G_EXPOSURE, API,
	    "Daemon warns that its API is exposed",
	    "dockerd itself reports listeners that are unencrypted or do not "
	    "verify clients (/info Warnings).",
	    "Fix the listener the warning names: TLS with --tlsverify, or no "
	    "TCP listener." },
	{ "exposure.socket-world", "3.16", SEV_CRITICAL, G_EXPOSURE, HOST,
	    "Docker socket usable by every local user",
	    "A socket that others may write to gives every local account "
	    "root on the host through the daemon.",
	    "chmod 660 the socket (SocketMode=0660 in docker.socket) and "
	    "keep it owned by root:docker." },
	{ "exposure.socket-owner", "3.15, 3.16", SEV_MEDIUM, G_EXPOSURE, HOST,
	    "Docker socket is not root:docker with mode 660 or stricter",
	    "The socket's owner and group decide who controls the daemon; "
	    "any other owner or group, or looser bits, grants that to "
	    "accounts nobody chose.",
	    "chown root:docker and chmod 660 the socket (SocketUser, "
	    "SocketGroup and SocketMode in docker.socket, or dockerd "
	    "--group)." },
	{ "exposure.docker-group", "1.1.2", SEV_INFO, G_EXPOSURE, HOST,
	    "Members of the docker group (root-equivalent)",
	    "Every member of the docker group can start a privileged "
	    "container and so is root on the host.",
	    "Keep the group to the people who must administer the host; "
	    "remove others with gpasswd -d USER docker." },
	{ "exposure.host-tcp-plaintext", "2.7", SEV_CRITICAL, G_EXPOSURE, HOST,
	    "Another dockerd on the host serves its API over TCP "
	    "without TLS",
	    "Every Docker Engine on the host counts, not only the one behind "
	    "the context: any local user or container that reaches the port "
	    "controls that daemon, and through it the host as root.",
	    "Stop that daemon, or remove its tcp:// listener, or serve it "
	    "with --tlsverify and a CA (ctxmgr ca)." },
	{ "exposure.host-tls-no-verify", "2.7", SEV_CRITICAL, G_EXPOSURE, HOST,
	    "Another dockerd on the host serves TLS without client "
	    "verification",
	    "A daemon with --tls but not --tlsverify accepts every client "
	    "that completes a handshake: anyone who reaches it is root on "
	    "the host.",
	    "Run that dockerd with --tlsverify and --tlscacert, or remove "
	    "its TCP listener." },
	{ "exposure.host-socket-open", "3.16", SEV_HIGH, G_EXPOSURE, HOST,
	    "A Docker or containerd socket on the host that other users may "
	    "use",
	    "Connecting to a daemon's unix socket needs write permission on "
	    "it; a socket of any dockerd or containerd that others, or a "
	    "group other than root and docker, may write to gives them the "
	    "daemon and so root.",
	    "chmod 660 the socket and keep it root:docker (dockerd --group) "
	    "or root:root (containerd's [grpc] uid/gid), or stop the "
	    "daemon." },
	{ "exposure.host-containerd-tcp", "", SEV_HIGH, G_EXPOSURE, HOST,
	    "containerd listens on TCP",
	    "containerd's API has no authentication of its own: whoever "
	    "reaches a TCP listener of it (grpc tcp_address, a debug or "
	    "stream address) may run containers as root.",
	    "Remove tcp_address from containerd's [grpc] section and keep "
	    "its debug and stream servers on unix sockets or loopback behind "
	    "a firewall." },

	/* daemon configuration */
	{ "daemon.icc", "2.2", SEV_MEDIUM, G_DAEMON, HOST | API,
	    "Containers on the default bridge can talk to each other",
	    "Inter-container communication lets any container on the "
	    "default bridge reach every other one's ports.",
	    "Set \"icc\": false in daemon.json and link or network the "
	    "containers that must talk." },
	{ "daemon.userns", "2.9", SEV_MEDIUM, G_DAEMON, API,
	    "User namespace remapping is not enabled",
	    "Without userns-remap, root in a container is root on the host "
	    "if it escapes.",
	    "Set \"userns-remap\": \"default\" in daemon.json, or run the "
	    "daemon rootless." },
	{ "daemon.no-new-privileges", "2.14", SEV_MEDIUM, G_DAEMON, API,
	    "Containers may gain privileges by default",
	    "Without no-new-privileges, setuid binaries in a container can "
	    "raise a process's privileges.",
	    "Set \"no-new-privileges\": true in daemon.json." },
	{ "daemon.live-restore", "2.15", SEV_LOW, G_DAEMON, API,
	    "Live restore is disabled",
	    "Without live restore every daemon restart or upgrade stops "
	    "all containers.",
	    "Set \"live-restore\": true in daemon.json." },
	{ "daemon.userland-proxy", "2.16", SEV_LOW, G_DAEMON, HOST,
	    "The userland proxy is enabled",
	    "docker-proxy processes add attack surface where hairpin NAT "
	    "and iptables would do.",
	    "Set \"userland-proxy\": false in daemon.json." },
	{ "daemon.insecure-registries", "2.5", SEV_HIGH, G_DAEMON, API,
	    "Insecure registries are configured",
	    "Images pulled from an insecure registry travel without TLS "
	    "verification and can be replaced on the way.",
	    "Remove \"insecure-registries\" entries and give those "
	    "registries certificates." },
	{ "daemon.authorization", "2.12", SEV_LOW, G_DAEMON, API,
	    "No authorization plugin",
	    "Without an authorization plugin every client that reaches the "
	    "daemon may do everything.",
	    "Where several people share a daemon, configure an "
	    "authorization plugin (--authorization-plugin)." },
	{ "daemon.logging", "2.13", SEV_LOW, G_DAEMON, API,
	    "Container logs stay on the host",
	    "With json-file, local or none, logs are lost with the host and "
	    "cannot be audited centrally.",
	    "Use a remote logging driver (syslog, journald forwarded, gelf, "
	    "fluentd) in \"log-driver\"." },
	{ "daemon.seccomp", "2.17", SEV_HIGH, G_DAEMON, API,
	    "Seccomp is off or unconfined by default",
	    "Without a seccomp profile containers may use every system "
	    "call, including those that break out of namespaces.",
	    "Run on a kernel with seccomp and leave \"seccomp-profile\" at "
	    "the default or a reviewed custom profile." },
	{ "daemon.log-level", "2.3", SEV_LOW, G_DAEMON, HOST,
	    "Daemon log level is debug",
	    "Debug logging records request details, sometimes secrets, and "
	    "fills disks.",
	    "Set \"log-level\": \"info\" in daemon.json." },
	{ "daemon.iptables", "2.4", SEV_LOW, G_DAEMON, HOST,
	    "Docker may not manage iptables",
	    "With --iptables=false published ports and isolation rules "
	    "depend on hand-made firewall rules.",
	    "Remove --iptables=false unless the firewall is managed "
	    "otherwise on purpose." },
	{ "daemon.experimental", "2.18", SEV_LOW, G_DAEMON, API,
	    "Experimental features are enabled",
	    "Experimental features are not supported and may change or "
	    "break.",
	    "Remove \"experimental\": true on production hosts." },
	{ "daemon.aufs", "2.6", SEV_LOW, G_DAEMON, API,
	    "The aufs storage driver is used",
	    "aufs is deprecated, unmaintained and has known kernel "
	    "problems.",
	    "Move to overlay2." },
	{ "daemon.rootful", "2.1", SEV_INFO, G_DAEMON, API,
	    "The daemon runs as root",
	    "A rootful daemon turns any container escape into root on the "
	    "host.",
	    "Where the workload allows it, run the daemon rootless." },
	{ "daemon.swarm", "5.1", SEV_LOW, G_DAEMON, API, "Swarm mode is active",
	    "Swarm opens management ports and holds secrets; unneeded it is "
	    "only attack surface.",
	    "docker swarm leave on hosts that do not need it." },

	/* files */
	{ "files.service-unit", "3.1, 3.2", SEV_MEDIUM, G_FILES, HOST,
	    "docker.service is not root:root 644 or stricter",
	    "Whoever can write the unit decides how dockerd starts, and so "
	    "owns the host.",
	    "chown root:root and chmod 644 docker.service and its "
	    "drop-ins." },
	{ "files.socket-unit", "3.3, 3.4", SEV_MEDIUM, G_FILES, HOST,
	    "docker.socket is not root:root 644 or stricter",
	    "Whoever can write the socket unit decides who may connect to "
	    "the daemon.",
	    "chown root:root and chmod 644 docker.socket and its "
	    "drop-ins." },
	{ "files.etc-docker", "3.5, 3.6", SEV_MEDIUM, G_FILES, HOST,
	    "/etc/docker is not root:root 755 or stricter",
	    "/etc/docker holds the daemon's configuration, keys and "
	    "registry certificates.",
	    "chown root:root /etc/docker and chmod 755 /etc/docker." },
	{ "files.registry-certs", "3.7, 3.8", SEV_MEDIUM, G_FILES, HOST,
	    "Registry certificates are not root:root 444 or stricter",
	    "A writable registry certificate lets its writer redirect image "
	    "pulls.",
	    "chown root:root and chmod 444 the files under "
	    "/etc/docker/certs.d." },
	{ "files.tls-ca", "3.9, 3.10", SEV_MEDIUM, G_FILES, HOST,
	    "The daemon's TLS CA certificate is not root:root 444 or "
	    "stricter",
	    "Whoever replaces the CA certificate decides which clients the "
	    "daemon trusts.",
	    "chown root:root and chmod 444 the --tlscacert file." },
	{ "files.tls-cert", "3.11, 3.12", SEV_MEDIUM, G_FILES, HOST,
	    "The daemon's TLS certificate is not root:root 444 or stricter",
	    "A writable server certificate can be swapped for one an "
	    "attacker holds the key of.",
	    "chown root:root and chmod 444 the --tlscert file." },
	{ "files.tls-key", "3.13, 3.14", SEV_HIGH, G_FILES, HOST,
	    "The daemon's TLS key is not root:root 400",
	    "Whoever reads the server key can impersonate the daemon to its "
	    "clients.",
	    "chown root:root and chmod 400 the --tlskey file." },
	{ "files.daemon-json", "3.17, 3.18", SEV_MEDIUM, G_FILES, HOST,
	    "daemon.json is not root:root 644 or stricter",
	    "Whoever can write daemon.json configures the daemon, including "
	    "its listeners and authorization.",
	    "chown root:root and chmod 644 /etc/docker/daemon.json." },
	{ "files.defaults", "3.19, 3.20, 3.21, 3.22", SEV_MEDIUM, G_FILES, HOST,
	    "/etc/default/docker or /etc/sysconfig/docker is not root:root "
	    "644 or stricter",
	    "These files add options to dockerd's command line.",
	    "chown root:root and chmod 644 the file." },
	{ "files.containerd-socket", "3.23, 3.24", SEV_MEDIUM, G_FILES, HOST,
	    "containerd's socket is not root:root 660 or stricter",
	    "containerd's socket gives the same control over containers as "
	    "Docker's.",
	    "chown root:root and chmod 660 "
	    "/run/containerd/containerd.sock." },

	/* images */
	{ "images.root-user", "4.1", SEV_MEDIUM, G_IMAGES, API,
	    "Image runs as root",
	    "Without a USER, processes in the container run as root and an "
	    "escape starts as root.",
	    "Add a USER instruction with an unprivileged user." },
	{ "images.no-healthcheck", "4.6", SEV_LOW, G_IMAGES, API,
	    "Image has no HEALTHCHECK",
	    "Without a health check a hung service looks healthy to the "
	    "engine and to orchestration.",
	    "Add a HEALTHCHECK instruction." },
	{ "images.secret-env", "4.10", SEV_HIGH, G_IMAGES, API,
	    "Image environment names a secret",
	    "Values baked into ENV are stored in the image and shown by "
	    "docker inspect to anyone who can pull it.",
	    "Pass secrets at run time (docker secrets, mounted files) and "
	    "rebuild without them; rotate what was exposed." },
	{ "images.add-url", "4.9", SEV_MEDIUM, G_IMAGES, API,
	    "Image build fetched a URL with ADD",
	    "ADD from a URL downloads without any checksum or signature "
	    "check.",
	    "Download with a pinned checksum in RUN (or ADD --checksum), or "
	    "COPY a vetted file." },
	{ "images.curl-pipe-sh", "4.11", SEV_MEDIUM, G_IMAGES, API,
	    "Image build piped a download into a shell",
	    "curl ... | sh runs whatever the server sends at build time, "
	    "unverified.",
	    "Download to a file, verify its checksum or signature, then run "
	    "it; or install from signed packages." },

	/* containers */
	{ "containers.privileged", "5.5", SEV_CRITICAL, G_CONTAINERS, API,
	    "Privileged container",
	    "--privileged gives every capability, every device and no "
	    "seccomp or AppArmor confinement: it is root on the host.",
	    "Run without --privileged and add only the capabilities and "
	    "devices the workload needs." },
	{ "containers.cap-add-dangerous", "5.4", SEV_HIGH, G_CONTAINERS, API,
	    "Container adds a capability that breaks isolation",
	    "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, DAC_READ_SEARCH, "
	    "NET_ADMIN, BPF and their kind allow container escapes.",
	    "Drop the capability; if one call needs it, find a way without "
	    "(a helper on the host, a narrower capability)." },
	{ "containers.cap-add", "5.4", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container adds capabilities beyond Docker's default set",
	    "Every added capability widens what a compromised process may "
	    "do.",
	    "Remove --cap-add entries the workload does not need; prefer "
	    "--cap-drop ALL with a short --cap-add list." },
	{ "containers.seccomp-unconfined", "5.22", SEV_HIGH, G_CONTAINERS, API,
	    "Container runs without seccomp",
	    "seccomp=unconfined allows every system call, including those "
	    "used in kernel exploits.",
	    "Remove --security-opt seccomp=unconfined; write a custom "
	    "profile if a call is missing." },
	{ "containers.apparmor-unconfined", "5.2", SEV_HIGH, G_CONTAINERS, API,
	    "Container runs without AppArmor",
	    "apparmor=unconfined removes the mandatory access control "
	    "Docker applies by default.",
	    "Remove --security-opt apparmor=unconfined, or give a profile "
	    "made for the workload." },
	{ "containers.selinux-disabled", "5.3", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container disables SELinux labels",
	    "label=disable turns off SELinux separation for the container.",
	    "Remove --security-opt label=disable." },
	{ "containers.no-memory-limit", "5.11", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container has no memory limit",
	    "One container can exhaust the host's memory and take the "
	    "others down.",
	    "Set --memory (and --memory-swap)." },
	{ "containers.no-cpu-limit", "5.12", SEV_LOW, G_CONTAINERS, API,
	    "Container has no CPU limit or weight",
	    "One container can starve the others of CPU.",
	    "Set --cpus, or --cpu-shares below the default 1024." },
	{ "containers.no-pids-limit", "5.29", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container has no pids limit",
	    "A fork bomb in one container exhausts the host's process "
	    "table.",
	    "Set --pids-limit." },
	{ "containers.host-network", "5.10", SEV_HIGH, G_CONTAINERS, API,
	    "Container shares the host's network namespace",
	    "--network host exposes the host's interfaces and services "
	    "bound to localhost to the container.",
	    "Use a bridge or user-defined network and publish what is "
	    "needed." },
	{ "containers.host-pid", "5.16", SEV_HIGH, G_CONTAINERS, API,
	    "Container shares the host's process namespace",
	    "--pid host lets the container see and signal every process on "
	    "the host.",
	    "Remove --pid host." },
	{ "containers.host-ipc", "5.17", SEV_HIGH, G_CONTAINERS, API,
	    "Container shares the host's IPC namespace",
	    "--ipc host exposes the host's shared memory and semaphores.",
	    "Remove --ipc host." },
	{ "containers.host-uts", "5.21", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container shares the host's UTS namespace",
	    "--uts host lets the container change the host's name.",
	    "Remove --uts host." },
	{ "containers.host-userns", "5.31", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container opts out of user namespace remapping",
	    "--userns host runs the container as real root even where the "
	    "daemon remaps users.",
	    "Remove --userns host." },
	{ "containers.docker-socket", "5.32", SEV_CRITICAL, G_CONTAINERS, API,
	    "Docker socket mounted into a container",
	    "A container holding the daemon's socket can start a privileged "
	    "container and own the host; a read-only mount does not help.",
	    "Do not mount the socket; use a narrowly scoped API proxy if a "
	    "container must see the daemon." },
	{ "containers.sensitive-mount", "5.6", SEV_HIGH, G_CONTAINERS, API,
	    "Sensitive host directory mounted read-write",
	    "Write access to /, /etc, /usr, /boot, /dev, /proc, /sys, /lib, "
	    "/root or Docker's data lets the container change the host.",
	    "Mount only what is needed, read-only (:ro)." },
	{ "containers.ports-all-interfaces", "5.14", SEV_MEDIUM, G_CONTAINERS,
	    API, "Port published on every interface",
	    "-p PORT:PORT and 0.0.0.0 or :: bindings expose the service on "
	    "every address of the host, past host firewalls Docker "
	    "rewrites.",
	    "Publish on the address that needs it (-p 127.0.0.1:8080:80) "
	    "or reach the service through a proxy." },
	{ "containers.privileged-ports", "5.8", SEV_LOW, G_CONTAINERS, API,
	    "Container publishes a privileged host port",
	    "Host ports below 1024 are reserved for system services.",
	    "Publish on a port from 1024 up and put a proxy in front if "
	    "needed." },
	{ "containers.writable-rootfs", "5.13", SEV_LOW, G_CONTAINERS, API,
	    "Container's root filesystem is writable",
	    "A writable root lets an attacker change the container's "
	    "binaries and persist.",
	    "Run with --read-only and mount volumes or tmpfs where writes "
	    "are needed." },
	{ "containers.no-new-privileges", "5.26", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container may gain new privileges",
	    "Without no-new-privileges setuid binaries can raise a "
	    "process's privileges; \"no-new-privileges:false\" counts as "
	    "unset.",
	    "Run with --security-opt no-new-privileges, or set it "
	    "daemon-wide." },
	{ "containers.restart-policy", "5.15", SEV_LOW, G_CONTAINERS, API,
	    "Container restarts without limit",
	    "always, unless-stopped and unbounded on-failure restart a "
	    "crashing container forever, hiding attacks and wasting "
	    "resources.",
	    "Use --restart on-failure:5." },
	{ "containers.mount-propagation", "5.20", SEV_MEDIUM, G_CONTAINERS, API,
	    "Mount propagation is shared",
	    "Shared propagation lets mounts made in the container appear on "
	    "the host.",
	    "Use the default private propagation." },
	{ "containers.devices", "5.18", SEV_MEDIUM, G_CONTAINERS, API,
	    "Host devices passed to a container",
	    "A host device node gives direct access to hardware or kernel "
	    "interfaces.",
	    "Pass only the devices needed, read-only where possible "
	    "(--device PATH:PATH:r)." },
	{ "containers.root-user", "4.1", SEV_MEDIUM, G_CONTAINERS, API,
	    "Container runs as root",
	    "Processes running as root in the container start any escape "
	    "as root.",
	    "Run with --user and an unprivileged uid, or set USER in the "
	    "image." },
	{ "containers.no-healthcheck", "5.27", SEV_LOW, G_CONTAINERS, API,
	    "Container has no health check",
	    "Without a health check a hung service is not noticed.",
	    "Add --health-cmd or a HEALTHCHECK in the image." },
	{ "containers.cgroup-parent", "5.25", SEV_LOW, G_CONTAINERS, API,
	    "Container uses a custom cgroup parent",
	    "A custom cgroup parent can place the container outside the "
	    "limits meant for containers.",
	    "Remove --cgroup-parent unless it is intended." },
	{ "containers.seccomp-custom", "5.22", SEV_INFO, G_CONTAINERS, API,
	    "Container uses a custom seccomp profile",
	    "A custom profile replaces Docker's reviewed default; its "
	    "problems are reported under the seccomp checks.",
	    "Review the profile with ctxmgr audit seccomp FILE." },

	/* sprawl */
	{ "sprawl.unused-images", "6.1", SEV_LOW, G_SPRAWL, API,
	    "Images not used by any container",
	    "Unused images keep old, unpatched software around to be run "
	    "by mistake, and fill disks.",
	    "docker image prune -a after checking what is still needed." },
	{ "sprawl.stopped-containers", "6.2", SEV_LOW, G_SPRAWL, API,
	    "Containers that are not running",
	    "Stopped and created containers keep old configuration and data "
	    "that can be started again.",
	    "docker container prune after checking what is still needed." },

	/* seccomp profiles */
	{ "seccomp.malformed", "5.22", SEV_HIGH, G_SECCOMP, API,
	    "Seccomp profile is malformed",
	    "A profile that does not parse is refused at container start, "
	    "or is read differently than intended.",
	    "Fix the JSON: defaultAction and syscalls[].names/action as in "
	    "Docker's default profile." },
	{ "seccomp.default-allow", "5.22", SEV_HIGH, G_SECCOMP, API,
	    "Seccomp profile allows by default (deny-list)",
	    "With defaultAction SCMP_ACT_ALLOW every system call not listed "
	    "is allowed, including ones added to future kernels.",
	    "Start from SCMP_ACT_ERRNO and allow the calls the workload "
	    "uses." },
	{ "seccomp.dangerous-syscall", "5.22", SEV_HIGH, G_SECCOMP, API,
	    "Seccomp profile allows a dangerous system call",
	    "mount, ptrace, kexec_load, bpf, unshare and their kind are "
	    "common steps of container escapes.",
	    "Remove the call from the allow rules, or allow it only with "
	    "the capability that guards it (includes.caps)." },
	{ "seccomp.unknown-syscall", "5.22", SEV_LOW, G_SECCOMP, API,
	    "Seccomp profile names an unknown system call",
	    "An unknown name is a typo or a call of another architecture; "
	    "the rule it sits in does not do what it says.",
	    "Correct the name or remove it." },
};

const size_t audit_ncheck = nitems(audit_checks);

const struct check_def *
check_find(const char *id)
{
	size_t i;

	for (i = 0; i < audit_ncheck; i++)
		if (strcmp(audit_checks[i].id, id) == 0)
			return &audit_checks[i];
	return NULL;
}

size_t
check_index(const struct check_def *c)
{
	return (size_t)(c - audit_checks);
}

static const char *const sev_names[SEV_COUNT] = { "info", "low", "medium",
	"high", "critical" };

const char *
severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? sev_names[s] : "?";
}

int
severity_parse(const char *s, enum severity *out)
{
	int i;

	for (i = 0; i < SEV_COUNT; i++)
		if (strcmp(s, sev_names[i]) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	return -1;
}

const char *
group_name(enum check_group g)
{
	static const char *const names[] = { "exposure", "daemon", "files",
		"images", "containers", "sprawl", "seccomp" };

	return (unsigned)g < nitems(names) ? names[g] : "?";
}
