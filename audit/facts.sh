# ctxmgr audit: host facts, output format 1 (see audit/facts.h).
# This text is fixed: it is compiled into ctxmgr (audit/facts-script.c,
# made by scripts/gen-facts-script) and nothing is ever substituted into
# it.  It reads only, changes nothing, and needs nothing beyond POSIX sh
# and utilities (getent is used when present).
LC_ALL=C
export LC_ALL
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
umask 077
nl='
'

echo "@ctxmgr-facts 1"
echo "@id $(id -u) $(id -g)"
echo "@arch $(uname -m 2>/dev/null)"

# why TEXT: absent, denied or error from an error message
why() {
	case $1 in
	*"ermission denied"*) echo denied ;;
	*"o such file"* | *"ot a directory"*) echo absent ;;
	*) echo error ;;
	esac
}

# st TAG PATH: inode, mode, owner and group of PATH after symlinks
st() {
	case $2 in /*) ;; *) return ;; esac
	l=-
	[ -L "$2" ] && l=link
	if o=$(ls -ldnLi -- "$2" 2>&1); then
		echo "@stat $1 ok $l $2"
		printf '|%s\n' "${o%%"$nl"*}"
	else
		echo "@stat $1 $(why "$o") $l $2"
	fi
}

# emit TAG PATH: a file's contents, each line behind "|"
emit() {
	case $2 in /*) ;; *) return ;; esac
	if [ -f "$2" ] && [ -r "$2" ]; then
		echo "@file $1 ok $2"
		dd if="$2" bs=65536 count=4 2>/dev/null | sed 's/^/|/'
		echo
	elif o=$(ls -ldL -- "$2" 2>&1); then
		echo "@file $1 denied $2"
	else
		echo "@file $1 $(why "$o") $2"
	fi
}

# config_paths FILE: TLS files and unix sockets named in a daemon.json
config_paths() {
	[ -r "$1" ] || return
	dd if="$1" bs=65536 count=4 2>/dev/null | tr ',{}[]' '\n\n\n\n\n' |
	sed -n -e 's/^[[:space:]]*"\(tlscacert\)"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1 \2/p' \
	    -e 's/^[[:space:]]*"\(tlscert\)"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1 \2/p' \
	    -e 's/^[[:space:]]*"\(tlskey\)"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1 \2/p' \
	    -e 's/^[[:space:]]*"unix:\/\/\(\/[^"]*\)".*/sock \1/p' |
	while read -r k p; do
		st "$k" "$p"
	done
}

for f in /proc/net/tcp /proc/net/tcp6; do
	if [ -r "$f" ]; then
		echo "@net $f ok"
		awk 'NR > 1 && $4 == "0A" { print "|" $2 " " $10 }' "$f"
	else
		echo "@net $f $(why "$(ls -ld -- "$f" 2>&1)")"
	fi
done
if [ -r /proc/net/unix ]; then
	echo "@unix ok"
	awk 'NR > 1 && $4 == "00010000" && NF >= 8 {
		p = $0
		for (i = 1; i < 8; i++) sub(/^ *[^ ]+ +/, "", p)
		print "|" $7 " " p
	}' /proc/net/unix
else
	echo "@unix denied"
fi

config=/etc/docker/daemon.json
for d in /proc/[0-9]*; do
	c=
	{ read -r c <"$d/comm"; } 2>/dev/null || continue
	case $c in dockerd | containerd) ;; *) continue ;; esac
	pid=${d#/proc/}
	echo "@$c $pid"
	if [ -r "$d/cmdline" ]; then
		echo "@cmdline $pid ok"
		tr '\0' '\n' <"$d/cmdline" | sed 's/^/|/'
		echo
	else
		echo "@cmdline $pid denied"
	fi
	if o=$(ls -l "$d/fd" 2>&1); then
		echo "@fds $pid ok"
		printf '%s\n' "$o" | sed -n 's/.*socket:\[\([0-9]*\)\].*/|\1/p'
		# the unix sockets it listens on, for their modes
		if [ -r /proc/net/unix ]; then
			l=" $(printf '%s\n' "$o" |
				sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' |
				tr '\n' ' ')"
			awk -v l="$l" 'NR > 1 && $4 == "00010000" && NF >= 8 &&
				index(l, " " $7 " ") {
				p = $0
				for (i = 1; i < 8; i++) sub(/^ *[^ ]+ +/, "", p)
				print p
			}' /proc/net/unix | while IFS= read -r p; do
				st lsock "$p"
			done
		fi
	else
		echo "@fds $pid $(why "$o")"
	fi
	[ "$c" = dockerd ] || continue
	# files this daemon names on its command line
	tr '\0' '\n' <"$d/cmdline" 2>/dev/null | {
		k=
		while IFS= read -r a; do
			if [ -n "$k" ]; then
				v=$a
			else
				case $a in
				--config-file | --tlscacert | --tlscert | --tlskey | -H | --host)
					k=$a
					continue
					;;
				--config-file=* | --tlscacert=* | --tlscert=* | --tlskey=* | --host=*)
					k=${a%%=*}
					v=${a#*=}
					;;
				-H=*) k=-H v=${a#-H=} ;;
				-H?*) k=-H v=${a#-H} ;;
				*) continue ;;
				esac
			fi
			case $k in
			--config-file)
				emit daemonjson "$v"
				st daemonjson "$v"
				config_paths "$v"
				;;
			--tlscacert) st tlscacert "$v" ;;
			--tlscert) st tlscert "$v" ;;
			--tlskey) st tlskey "$v" ;;
			-H | --host)
				case $v in unix://*) st sock "${v#unix://}" ;; esac
				;;
			esac
			k=
		done
	}
done

emit daemonjson $config
st daemonjson $config
config_paths $config
st etcdocker /etc/docker
st sock /var/run/docker.sock
st sock /run/docker.sock
st containerd /run/containerd/containerd.sock
for f in /etc/default/docker /etc/sysconfig/docker; do
	st defaults $f
	emit defaults $f
done
for f in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system \
	/run/systemd/system; do
	for u in docker.service docker.socket; do
		tag=service
		[ $u = docker.socket ] && tag=socket
		st $tag $f/$u
		emit $tag $f/$u
		for g in $f/$u.d/*.conf; do
			[ -e "$g" ] || continue
			st $tag "$g"
			emit $tag "$g"
		done
	done
done
for f in /lib/systemd/system/docker.socket /usr/lib/systemd/system/docker.socket \
	/etc/systemd/system/docker.socket; do
	[ -r $f ] || continue
	sed -n 's/^[[:space:]]*ListenStream[[:space:]]*=[[:space:]]*\(\/.*\)/\1/p' $f |
	while read -r p; do
		st sock "$p"
	done
done
st certsd /etc/docker/certs.d
for f in /etc/docker/certs.d/*/*; do
	[ -e "$f" ] && st regcert "$f"
done

if g=$(getent group docker 2>/dev/null) || g=$(grep '^docker:' /etc/group 2>/dev/null); then
	echo "@group ok"
	printf '|%s\n' "$g" | head -n 1
	gid=$(printf '%s\n' "$g" | head -n 1 | cut -d: -f3)
	case $gid in
	'' | *[!0-9]*) echo "@primary error" ;;
	*)
		if [ -r /etc/passwd ]; then
			echo "@primary ok"
			awk -F: -v g="$gid" '$4 == g { print "|" $1 }' /etc/passwd
		else
			echo "@primary denied"
		fi
		;;
	esac
elif [ -r /etc/group ]; then
	echo "@group absent"
else
	echo "@group denied"
fi
echo "@end"
