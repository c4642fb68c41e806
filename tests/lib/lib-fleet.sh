# lib-fleet.sh: a fleet of real hosts for the fleet commands (issue 17).
#
# fleet_start [N] starts N (default 50) "hosts": N real sshd processes on
# loopback ports, each with its own ed25519 host key, in front of two real
# dockerds (odd hosts reach daemon A, even ones daemon B: the remote
# socket path of their ssh:// URL differs).  Each host is a Host alias
# hNN in $HOME/.ssh/config and one tunnelled ctxmgr context of the same
# name, tagged "fleet", its group ("a" or "b") and "ok" or "broken".
# The last five are broken on purpose, one way each:
#
#   FLEET_DOWN     its sshd was stopped: connection refused
#   FLEET_BADKEY   its host key is not in known_hosts
#   FLEET_BADUSER  its User does not exist on the host: auth fails
#   FLEET_NOSOCK   its ssh:// path names a socket that does not exist
#   FLEET_SLOW     behind delayproxy.py, FLEET_SLOW_MS (default 150) each
#                  way: it works, slowly (and tagged "slow", not "broken")
#
# FLEET_OK lists the healthy hosts (the slow one included), FLEET_HOSTS
# all of them.  The sshds start at once; a server that does not start
# fails the file with its log; every process goes when the file ends.
# Sourced after test-lib.sh (or bench/lib.sh's bench_sandbox).

# our delay relay (tests/lib/delayproxy.py), or $CTXMGR_DELAYPROXY
fleet_delayproxy() {
	echo "${CTXMGR_DELAYPROXY:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/delayproxy.py}"
}

# fleet_ports PORT...: wait until every port listens; 1 if not in 20 s.
fleet_ports() {
	fp_n=200
	while [ $fp_n -gt 0 ]; do
		fp_l=$(ss -Hltn 2>/dev/null | awk '{ print $4 }')
		fp_miss=""
		for fp_p in "$@"; do
			printf '%s\n' "$fp_l" | grep -q ":$fp_p\$" ||
				fp_miss="$fp_miss $fp_p"
		done
		[ -z "$fp_miss" ] && return 0
		sleep 0.1
		fp_n=$((fp_n - 1))
	done
	FLEET_MISSING=$fp_miss
	return 1
}

fleet_start() {
	FLEET_N=${1:-50}
	FLEET_DIR=$TRASH/fleet
	SSH_USER=$(id -un)
	: "${SRC_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
	[ "$FLEET_N" -ge 6 ] || test_fatal "a fleet needs at least 6 hosts"
	mkdir -p "$FLEET_DIR" "$HOME/.ssh" "$TRASH/bin"
	chmod 700 "$HOME/.ssh"
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd_bin" ] || test_fatal "sshd is not installed"
	dp=$(fleet_delayproxy)

	# two daemons, starting while the hosts are made
	spawn_dockerd "$FLEET_DIR/dockerd-a"
	spawn_dockerd "$FLEET_DIR/dockerd-b"
	FLEET_SOCK_A=$FLEET_DIR/dockerd-a/docker.sock
	FLEET_SOCK_B=$FLEET_DIR/dockerd-b/docker.sock

	make_user_key ed25519
	cp "$HOME/.ssh/id_ed25519.pub" "$FLEET_DIR/authorized_keys"
	FLEET_HOSTS="" FLEET_OK="" kg_pids=""
	i=1
	while [ $i -le "$FLEET_N" ]; do
		h=$(printf 'h%02d' $i)
		FLEET_HOSTS="$FLEET_HOSTS $h"
		mkdir -p "$FLEET_DIR/$h"
		ssh-keygen -q -t ed25519 -N '' -C "$h" \
			-f "$FLEET_DIR/$h/host_ed25519" &
		kg_pids="$kg_pids $!"
		i=$((i + 1))
	done
	FLEET_HOSTS=${FLEET_HOSTS# }
	set -- $FLEET_HOSTS
	shift $((FLEET_N - 5))
	FLEET_DOWN=$1 FLEET_BADKEY=$2 FLEET_BADUSER=$3 FLEET_NOSOCK=$4 \
		FLEET_SLOW=$5
	for p in $kg_pids; do
		wait "$p" || test_fatal "ssh-keygen failed"
	done

	ports=""
	i=1
	for h in $FLEET_HOSTS; do
		port=$(free_port)
		ports="$ports $port"
		echo "$port" >"$FLEET_DIR/$h/port"
		if [ $((i % 2)) = 1 ]; then grp=a sock=$FLEET_SOCK_A; else
			grp=b sock=$FLEET_SOCK_B
		fi
		echo "$grp" >"$FLEET_DIR/$h/group"
		[ "$h" = "$FLEET_NOSOCK" ] && sock=$FLEET_DIR/$h/no-such.sock
		echo "$sock" >"$FLEET_DIR/$h/sock"
		cat >"$FLEET_DIR/$h/sshd_config" <<-CFG
		Port $port
		ListenAddress 127.0.0.1
		HostKey $FLEET_DIR/$h/host_ed25519
		PidFile $FLEET_DIR/$h/sshd.pid
		AuthorizedKeysFile $FLEET_DIR/authorized_keys
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		LogLevel VERBOSE
		MaxStartups 200:30:400
		SetEnv $SSHD_SHELL_ENV DOCKER_HOST=unix://$sock
		AllowStreamLocalForwarding yes
		AllowTcpForwarding yes
		CFG
		i=$((i + 1))
	done
	if ! out=$("$sshd_bin" -t -f "$FLEET_DIR/h01/sshd_config" 2>&1); then
		echo "$out" | sed 's/^/# sshd -t: /'
		test_fatal "sshd rejects its config"
	fi
	# every sshd at once; one clean-up for all of them
	: >"$FLEET_DIR/pids"
	test_atexit "kill \$(cat '$FLEET_DIR/pids') 2>/dev/null"
	for h in $FLEET_HOSTS; do
		"$sshd_bin" -D -f "$FLEET_DIR/$h/sshd_config" \
			-E "$FLEET_DIR/$h/log" </dev/null >/dev/null 2>&1 &
		echo $! >"$FLEET_DIR/$h/pid"
		echo $! >>"$FLEET_DIR/pids"
	done
	# the slow link: a proxy in front of the slow host's sshd
	FLEET_SLOW_PORT=$(free_port)
	python3 "$dp" "$FLEET_SLOW_PORT" "$(cat "$FLEET_DIR/$FLEET_SLOW/port")" \
		"${FLEET_SLOW_MS:-150}" </dev/null >"$FLEET_DIR/delayproxy.log" 2>&1 &
	echo $! >>"$FLEET_DIR/pids"
	if ! fleet_ports $ports "$FLEET_SLOW_PORT"; then
		for h in $FLEET_HOSTS; do
			case " $FLEET_MISSING " in
			*" $(cat "$FLEET_DIR/$h/port") "*)
				sed "s/^/# sshd $h: /" "$FLEET_DIR/$h/log" ;;
			esac
		done
		case " $FLEET_MISSING " in *" $FLEET_SLOW_PORT "*)
			sed 's/^/# delayproxy: /' "$FLEET_DIR/delayproxy.log" ;;
		esac
		test_fatal "fleet servers on ports$FLEET_MISSING did not start (logs above)"
	fi
	# broken on purpose: a stopped sshd
	kill "$(cat "$FLEET_DIR/$FLEET_DOWN/pid")"
	wait_for 5 sh -c "! ss -Hltn 'sport = :$(cat "$FLEET_DIR/$FLEET_DOWN/port")' | grep -q ." ||
		test_fatal "the sshd of $FLEET_DOWN did not stop"

	# known_hosts (not the unknown key) and one Host alias per host
	for h in $FLEET_HOSTS; do
		port=$(cat "$FLEET_DIR/$h/port")
		user=$SSH_USER
		[ "$h" = "$FLEET_SLOW" ] && port=$FLEET_SLOW_PORT
		[ "$h" = "$FLEET_BADUSER" ] && user=ctxmgr-no-such-user
		[ "$h" = "$FLEET_BADKEY" ] ||
			echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$FLEET_DIR/$h/host_ed25519.pub")"
		ssh_config_host "$h" "$port" "$user"
	done >>"$HOME/.ssh/known_hosts"
	ssh_config_ready

	# one tunnelled context per host
	for h in $FLEET_HOSTS; do
		case $h in
		"$FLEET_SLOW") state=slow ;;
		"$FLEET_DOWN" | "$FLEET_BADKEY" | "$FLEET_BADUSER" | \
			"$FLEET_NOSOCK") state=broken ;;
		*) state=ok ;;
		esac
		[ "$state" = broken ] || FLEET_OK="$FLEET_OK $h"
		"$CTXMGR" create "$h" --host "ssh://$h$(cat "$FLEET_DIR/$h/sock")" \
			--tag fleet --tag "$(cat "$FLEET_DIR/$h/group")" \
			--tag "$state" -q >/dev/null 2>"$FLEET_DIR/create.err" || {
			cat "$FLEET_DIR/create.err"
			test_fatal "cannot create the context of $h"
		}
	done
	FLEET_OK=${FLEET_OK# }
	await_dockerd "$FLEET_DIR/dockerd-a"
	await_dockerd "$FLEET_DIR/dockerd-b"
	unset DOCKERD_SOCK
	export FLEET_SOCK_A FLEET_SOCK_B
}

