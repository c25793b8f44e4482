# The in-host side shared by control.bats and lifecycle.bats, sourced by
# their scripts (which set $capsule): a private directory $d, which is also
# $XDG_RUNTIME_DIR (so the default sockets are in $d/capsule), configs, and
# guests running in the background until they end.
d=$(mktemp -d /run/capsule-ctl.XXXXXX)
chmod 0711 "$d"
trap "kill -KILL \$(jobs -p) 2>/dev/null; rm -rf $d" EXIT
export XDG_RUNTIME_DIR=$d

# conf NAME LINES...: a config naming the VM NAME, in $d/NAME.conf.
conf() {
	local n=$1
	shift
	printf "%s\n" "[vm]" "name = $n" "$@" >"$d/$n.conf"
}

# bg NAME SCRIPT: capsule runs SCRIPT in the guest of $d/NAME.conf, in the
# background: its stdin a FIFO held open here (fd ${V}_fd), its output in
# $d/NAME.out and .err, its pid ${V}_pid (V: NAME with - as _).
bg() {
	local fd v=${1//-/_}
	rm -f "$d/$1.in" "$d/$1.out" "$d/$1.err"
	mkfifo "$d/$1.in"
	"$capsule" run -c "$d/$1.conf" -- sh -c "$2" <"$d/$1.in" >"$d/$1.out" 2>"$d/$1.err" &
	eval "${v}_pid=$!"
	exec {fd}>"$d/$1.in"
	eval "${v}_fd=$fd"
}

# wait_for NAME COMMAND...: wait up to 120 s for COMMAND to succeed while
# NAME's capsule runs; else say what the guest printed and end the script.
wait_for() {
	local i name=$1 v=${1//-/_}
	shift
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		kill -0 "$(eval echo "\$${v}_pid")" 2>/dev/null || break
		sleep 0.2
	done
	echo "$name: never ($*); stdout: $(cat "$d/$name.out"); stderr: $(cat "$d/$name.err")"
	exit 1
}

# ended NAME: wait up to 120 s for capsule to end; "NAME exit STATUS", and
# what it printed on stderr when that is not 0.
ended() {
	local pid i s v=${1//-/_}
	pid=$(eval echo "\$${v}_pid")
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && { echo "$1 timed out"; kill -KILL "$pid"; }
	wait "$pid"
	s=$?
	[ $s -eq 0 ] || sed "s/^/$1 stderr: /" "$d/$1.err"
	echo "$1 exit $s"
}

# gone PATH: "gone" once PATH is no more (the cleanup process removes it, within 10 s), else "still there".
gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -e "$1" ] || { echo gone; return; }
		sleep 0.2
	done
	echo "still there"
}
