# lib-tunnel.sh: helpers for the tunnel tests (t0100-t0199).  Source it
# after test-lib.sh.

# json FILE EXPR: a value from a JSON file (the document is d).
json() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# http SOCKET REQUEST...: requests on one connection, answers printed
# (see tests/lib/http.py)
http() { python3 "$TEST_LIB_DIR/http.py" "$@"; }

# connected_context NAME SSHD: a tunnelled context on sshd SSHD's dockerd,
# current, with its session up (a docker version went through it)
connected_context() {
	ctxmgr create "$1" --host "ssh://$2$DOCKERD_SOCK" >/dev/null 2>&1 &&
		ctxmgr use "$1" && docker version >/dev/null &&
		test "$(svc_field "$1" State)" = connected
}

# ctx_socket NAME: the local socket a tunnelled context names in meta.json
ctx_socket() {
	json "$DOCKER_CONFIG/contexts/meta/$(ctx_dir "$1")/meta.json" \
		"d['Endpoints']['docker']['Host']" | sed "s|^unix://||"
}

# gone PID: the process has exited (init may not have reaped it yet).
gone() {
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	test -z "$st" || case "$st" in Z*) true ;; *) false ;; esac
}

# tunnel_pid NAME: the pid serving context NAME (the tunnel service's).
tunnel_pid() {
	ctxmgr tunnel ls --format json >"$TRASH/.tl.json" &&
		json "$TRASH/.tl.json" "[t['Pid'] for t in d if t['Context'] == '$1'][0]"
}

# tunnel_field NAME FIELD: one field of `tunnel ls --format json`.
tunnel_field() {
	ctxmgr tunnel ls --format json >"$TRASH/.tl.json" &&
		json "$TRASH/.tl.json" "[t['$2'] for t in d if t['Context'] == '$1'][0]"
}

# host_fp NAME: the SHA256 fingerprint of sshd NAME's host key.
host_fp() {
	ssh-keygen -lf "$TRASH/sshd-$1/host_ed25519.pub" | cut -d' ' -f2
}

# sock_of NAME: the service's socket path for context NAME.
sock_of() {
	for d in "$XDG_RUNTIME_DIR"/ctxmgr/*/; do
		echo "${d}_$(printf %s "$1" | sha256sum | cut -c1-16).sock"
	done
}

# no_tunnel_left NAME: not listed, not pinned, no socket, and none of the
# NAME.* files of the per-context processes there used to be.
no_tunnel_left() {
	ctxmgr tunnel ls -q >"$TRASH/.tl.names" &&
		! grep -qx "$1" "$TRASH/.tl.names" &&
		! cat "$XDG_RUNTIME_DIR"/ctxmgr/*/_pins 2>/dev/null | grep -q "^$1 " &&
		for s in $(sock_of "$1"); do ! test -e "$s" || return 1; done &&
		! ls "$XDG_RUNTIME_DIR"/ctxmgr/*/"$1".* >/dev/null 2>&1
}

# svc_pid: the pid of the running tunnel service (from its lock file).
svc_pid() {
	for f in "$XDG_RUNTIME_DIR"/ctxmgr/*/_service.lock; do
		[ -f "$f" ] && head -n1 "$f" && return 0
	done
	return 1
}

# svc_field NAME FIELD: one field of the service's entry for NAME.
svc_field() {
	ctxmgr tunnel ls --format json >"$TRASH/.tl.json" &&
		json "$TRASH/.tl.json" "[t['$2'] for t in d if t['Context'] == '$1' and t.get('Service')][0]"
}

# Whatever tunnel service a test started goes when the file ends.
test_atexit 'for f in "$XDG_RUNTIME_DIR"/ctxmgr/*/_service.lock; do [ -f "$f" ] && kill "$(head -n1 "$f")"; done'
