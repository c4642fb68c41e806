# lib-daemons.sh: real servers for the tests -- dockerd and sshd on private
# sockets and loopback ports, stopped by pid when the test file ends.  A
# server that cannot start fails the file with its log (test_fatal); it
# is never skipped.  Sourced by test-lib.sh; also usable alone when the
# caller defines test_fatal and test_atexit.

BUSYBOX_IMAGE=ctxmgr-test/busybox:latest

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range (where
# outgoing connections take their local ports: a port free now could be
# taken by one before the server binds it), used by no socket in any
# state, and not handed to another test of this run (a mkdir claim).
free_port() {
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${lo:-0}" -gt 12000 ] || lo=32768
	claims=${TMPDIR:-/tmp}/ctxmgr-test-ports
	mkdir -p "$claims" 2>/dev/null
	while :; do
		p=$(( (RANDOM << 1 ^ RANDOM ^ $$) % (lo - 11000) + 10000 ))
		[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] || continue
		# a claim older than an hour is from a run that is over
		find "$claims" -maxdepth 1 -name "$p" -mmin +60 \
			-exec rmdir {} + 2>/dev/null
		mkdir "$claims/$p" 2>/dev/null || continue
		echo "$p"
		return
	done
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s.
wait_for() {
	n=$(( $1 * 10 ))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Stop the process in a pidfile and wait for it to go.
stop_pidfile() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1" 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	n=100
	while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -9 "$pid" 2>/dev/null || true
}

# start_dockerd DIR [dockerd args...]: a private dockerd whose API is on
# unix://DIR/docker.sock.  Sets DOCKERD_SOCK.
start_dockerd() {
	spawn_dockerd "$@"
	await_dockerd "$1"
}

# spawn_dockerd DIR [dockerd args...]: start_dockerd without the wait, so
# several daemons start at once; await_dockerd DIR then waits for one.
spawn_dockerd() {
	dd_dir=$1
	shift
	mkdir -p "$dd_dir"
	command -v dockerd >/dev/null ||
		test_fatal "dockerd is not installed (run scripts/install-deps)"
	dockerd --iptables=false --ip6tables=false --bridge=none \
		--storage-driver=vfs --host "unix://$dd_dir/docker.sock" \
		--data-root "$dd_dir/data" --exec-root "$dd_dir/x" \
		--pidfile "$dd_dir/pid" "$@" >"$dd_dir/log" 2>&1 &
	dd_pid=$!
	test_atexit "stop_pidfile '$dd_dir/pid'; kill $dd_pid 2>/dev/null"
}

# await_dockerd DIR: wait for a spawned dockerd; its log and a failure if
# it does not answer.  Sets DOCKERD_SOCK.
await_dockerd() {
	if ! wait_for 60 docker -H "unix://$1/docker.sock" version; then
		tail -n 40 "$1/log" | sed 's/^/# dockerd: /'
		test_fatal "dockerd did not start (log above, $1/log)"
	fi
	DOCKERD_SOCK="$1/docker.sock"
}

# The suite's shared dockerd if the runner started one, else our own.
use_dockerd() {
	if [ -n "${CTXMGR_TEST_DOCKER_SOCK:-}" ] &&
		docker -H "unix://$CTXMGR_TEST_DOCKER_SOCK" version >/dev/null 2>&1; then
		DOCKERD_SOCK=$CTXMGR_TEST_DOCKER_SOCK
	else
		start_dockerd "$TRASH/dockerd"
	fi
	ensure_busybox_image "$DOCKERD_SOCK"
}

# A tiny image without any registry: a static busybox, docker-imported.
ensure_busybox_image() {
	docker -H "unix://$1" image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 &&
		return 0
	bb=$(command -v busybox || echo /bin/busybox)
	[ -x "$bb" ] || test_fatal "busybox-static is not installed"
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/tmp" "$root/etc"
	cp "$bb" "$root/bin/busybox"
	for c in sh cat echo ls sleep true false id wc head tail sha256sum \
		dd env ps mkdir rm yes seq; do
		ln -s busybox "$root/bin/$c"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$root/etc/passwd"
	tar -C "$root" -cf "$root.tar" . &&
		docker -H "unix://$1" import -c 'CMD ["/bin/sh"]' \
			"$root.tar" "$BUSYBOX_IMAGE" >/dev/null ||
		test_fatal "cannot import the busybox image"
	rm -rf "$root" "$root.tar"
}

# make_user_key TYPE [FILE]: an unencrypted key for the test user.
make_user_key() {
	f=${2:-$HOME/.ssh/id_$1}
	mkdir -p "$(dirname "$f")"
	chmod 700 "$HOME/.ssh" 2>/dev/null || true
	[ -f "$f" ] || ssh-keygen -q -t "$1" -N '' -C "ctxmgr-test" -f "$f"
}

# ssh_config_host ALIAS PORT [USER [LINE...]]: a Host block for a loopback
# sshd in $HOME/.ssh/config (our key, our known_hosts, strict), with any
# extra LINEs (e.g. "Ciphers aes128-ctr")
ssh_config_host() {
	local alias=$1 port=$2 user=${3:-$SSH_USER} line
	shift 2
	[ $# -gt 0 ] && shift
	{
		printf 'Host %s\n\tHostName 127.0.0.1\n\tPort %s\n\tUser %s\n' \
			"$alias" "$port" "$user"
		printf '\tIdentityFile %s\n\tUserKnownHostsFile %s\n' \
			"$HOME/.ssh/id_ed25519" "$HOME/.ssh/known_hosts"
		printf '\tStrictHostKeyChecking yes\n\tBatchMode yes\n'
		for line in "$@"; do
			[ -n "$line" ] && printf '\t%s\n' "$line"
		done
		echo
	} >>"$HOME/.ssh/config"
}

# ssh_config_ready: $HOME/.ssh/config private, and an `ssh` first in PATH
# that reads it: OpenSSH reads ~/.ssh/config from the passwd home, not
# $HOME, and the docker CLI's ssh:// transport runs plain `ssh`
ssh_config_ready() {
	chmod 600 "$HOME/.ssh/config"
	mkdir -p "$TRASH/bin"
	if [ ! -x "$TRASH/bin/ssh" ]; then
		printf '#!/bin/sh\nexec %s -F "%s" "$@"\n' "$(command -v ssh)" \
			"$HOME/.ssh/config" >"$TRASH/bin/ssh"
		chmod +x "$TRASH/bin/ssh"
	fi
	case ":$PATH:" in *":$TRASH/bin:"*) ;; *) PATH="$TRASH/bin:$PATH" ;; esac
	export PATH
}

# the SetEnv of every sshd of the tests (start_sshd, lib-fleet.sh)
SSHD_SHELL_ENV=SHLVL=1

# start_sshd NAME [sshd_config lines...]: a real sshd on 127.0.0.1 with its
# own host key, accepting $HOME/.ssh/id_ed25519 (made here) for the
# current user.  Sets SSHD_PORT, SSHD_DIR, SSH_USER; adds NAME to
# $HOME/.ssh/config and the host key to $HOME/.ssh/known_hosts.  When
# DOCKERD_SOCK is set, remote `docker` commands reach that daemon.
start_sshd() {
	name=$1
	shift
	SSHD_DIR="$TRASH/sshd-$name"
	SSH_USER=$(id -un)
	mkdir -p "$SSHD_DIR" "$HOME/.ssh"
	chmod 700 "$HOME/.ssh"
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd_bin" ] || test_fatal "sshd is not installed"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_ed25519"
	make_user_key ed25519
	cat "$HOME"/.ssh/id_*.pub >"$SSHD_DIR/authorized_keys" 2>/dev/null
	SSHD_PORT=$(free_port)
	{
		echo "Port $SSHD_PORT"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $SSHD_DIR/host_ed25519"
		echo "PidFile $SSHD_DIR/sshd.pid"
		echo "AuthorizedKeysFile $SSHD_DIR/authorized_keys"
		echo "StrictModes no"
		echo "UsePAM no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "LogLevel VERBOSE"
		echo "MaxStartups 200:30:400"
		# sshd honours only its first SetEnv line: gather them into one.
		# SHLVL=1: the remote user is this machine's, and bash sources
		# its ~/.bashrc for every command sshd runs (a developer's can
		# cost 70 ms of CPU a command); a shell started at level 2 does
		# not, as on a host whose account has none
		setenv=" $SSHD_SHELL_ENV"
		[ -n "${DOCKERD_SOCK:-}" ] &&
			setenv=" DOCKER_HOST=unix://$DOCKERD_SOCK"
		for line in "$@"; do
			case $line in
			"SetEnv "*) setenv="$setenv ${line#SetEnv }" ;;
			*) echo "$line" ;;
			esac
		done
		echo "SetEnv$setenv"
		# defaults last: sshd keeps the first value it reads
		echo "AllowStreamLocalForwarding yes"
		echo "AllowTcpForwarding yes"
	} >"$SSHD_DIR/sshd_config"
	if ! out=$("$sshd_bin" -t -f "$SSHD_DIR/sshd_config" 2>&1); then
		echo "$out" | sed 's/^/# sshd -t: /'
		test_fatal "sshd rejects its config"
	fi
	# no inherited stdio: sessions outlive this shell's pipes otherwise
	"$sshd_bin" -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/log" \
		</dev/null >/dev/null 2>&1 &
	sshd_pid=$!
	echo "$sshd_pid" >"$SSHD_DIR/pid.shell"
	test_atexit "kill $sshd_pid 2>/dev/null"
	if ! wait_for 20 sh -c "ss -Hltn 'sport = :$SSHD_PORT' | grep -q ."; then
		sed 's/^/# sshd: /' "$SSHD_DIR/log"
		test_fatal "sshd did not start (log above)"
	fi
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" \
		>>"$HOME/.ssh/known_hosts"
	ssh_config_host "$name" "$SSHD_PORT"
	ssh_config_ready
}

# stop_sshd NAME: kill that sshd (and its sessions' listener).
stop_sshd() {
	[ -f "$TRASH/sshd-$1/pid.shell" ] && kill "$(cat "$TRASH/sshd-$1/pid.shell")" 2>/dev/null
	wait_for 5 sh -c "! ss -Hltn 'sport = :$SSHD_PORT' | grep -q ." || true
}

# kill_sshd NAME: kill that sshd and the session processes it forked, so
# connections through it drop (stop_sshd leaves sessions running).
kill_sshd() {
	kd_pidf="$TRASH/sshd-$1/pid.shell"
	[ -f "$kd_pidf" ] || return 0
	kd_pid=$(cat "$kd_pidf")
	kd_kids=$(ps -o pid= --ppid "$kd_pid" 2>/dev/null)
	kill "$kd_pid" 2>/dev/null
	for kd_k in $kd_kids; do
		# the session's own children (the privilege-separated user side)
		for kd_g in $(ps -o pid= --ppid "$kd_k" 2>/dev/null); do
			kill "$kd_g" 2>/dev/null
		done
		kill "$kd_k" 2>/dev/null
	done
	kd_port=$(sed -n 's/^Port //p' "$TRASH/sshd-$1/sshd_config")
	wait_for 5 sh -c "! ss -Hltn 'sport = :$kd_port' | grep -q ." || true
}

# restart_sshd NAME: start a killed sshd again, same port, keys and config.
restart_sshd() {
	rs_dir="$TRASH/sshd-$1"
	rs_port=$(sed -n 's/^Port //p' "$rs_dir/sshd_config")
	sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
	"$sshd_bin" -D -f "$rs_dir/sshd_config" -E "$rs_dir/log" &
	rs_pid=$!
	echo "$rs_pid" >"$rs_dir/pid.shell"
	test_atexit "kill $rs_pid 2>/dev/null"
	wait_for 20 sh -c "ss -Hltn 'sport = :$rs_port' | grep -q ." ||
		test_fatal "sshd $1 did not restart"
}
