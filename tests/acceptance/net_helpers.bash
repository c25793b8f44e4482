# Shared by the network bats files (net.bats, legacy_nics.bats): the test bed
# (bridge capbr0, namespace capns at 198.18.0.1/24; see netbed.sh) made once
# per file, and the shell functions scripts run in the KVM host get.
netbed=$top/tests/acceptance/netbed.sh

setup_file() {
	"$kvm_host" "$netbed" up
}

teardown_file() {
	"$kvm_host" "$netbed" down
}

# Shell functions for the scripts in_host runs in the KVM host. Files go to a
# local tmpfs (FIFOs do not work on the host's shared /tmp).
host_lib=$(
	cat <<'EOF'
capsule=$0 netbed=$1
shift
export TMPDIR=/dev/shm
# The test bed, again if the KVM host was rebooted since setup_file.
[ -e /run/netns/capns ] || "$netbed" up
d=$(mktemp -d /run/capsule-net.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$d"' EXIT
# vm NAME CONF SCRIPT: capsule runs SCRIPT in a guest, in the background; its
# stdin is a FIFO kept open here (say, finish), its output goes to $d/NAME.out.
vm() {
	local fd
	rm -f "$d/$1.in"
	mkfifo "$d/$1.in"
	"$capsule" run -c "$2" -- sh -c "$3" <"$d/$1.in" >"$d/$1.out" 2>"$d/$1.err" &
	eval "$1_pid=$!"
	exec {fd}>"$d/$1.in"
	eval "$1_fd=$fd"
	printf -v "$1_conf" %s "$2"
	printf -v "$1_script" %s "$3"
}
# await NAME LINE: wait up to 120 s for the guest to print LINE. A guest that
# died of a triple fault before that gets up to two more starts, only in the
# emulated KVM host (see guest_run); each is said on stderr.
await() {
	local i try pid conf=$1_conf script=$1_script
	for try in 1 2 3; do
		pid=$(eval echo "\$$1_pid")
		for ((i = 0; i < 600; i++)); do
			grep -qx "$2" "$d/$1.out" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		[ $try != 3 ] && [ -d /run/kvm-host ] && ! kill -0 "$pid" 2>/dev/null &&
			grep -q "triple fault" "$d/$1.err" || break
		echo "$1 try $try: $(tr "\n" " " <"$d/$1.err")" >&2
		eval "exec {$1_fd}>&-"
		vm "$1" "${!conf}" "${!script}"
	done
	echo "$1: no \"$2\"; stdout: $(cat "$d/$1.out"); stderr: $(cat "$d/$1.err")"
	return 1
}
# say NAME: a line to the guest's stdin.
say() { eval "echo go >&\$$1_fd"; }
# finish NAME: end the guest's stdin, wait for it (up to 120 s, then kill it);
# its output, then "NAME exit STATUS".
finish() {
	local s i pid
	pid=$(eval echo "\$$1_pid")
	eval "exec {$1_fd}>&-"
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && { echo "$1 timed out"; kill -KILL "$pid"; }
	wait "$pid"
	s=$?
	sed "s/^/$1: /" "$d/$1.out"
	[ $s -eq 0 ] || sed "s/^/$1 stderr: /" "$d/$1.err"
	echo "$1 exit $s"
}
# peer NAME ARGS...: netpeer.py ARGS in the namespace, in the background, once it listens.
peer() {
	local name=$1 i
	shift
	"$netbed" peer "$@" --ready "$d/$name.ready" >"$d/$name.out" &
	eval "${name}_pid=$!"
	peers+=("$name")
	for ((i = 0; i < 300; i++)); do
		[ -s "$d/$name.ready" ] && return 0
		sleep 0.1
	done
	echo "peer $name did not start"
	return 1
}
# result NAME: the peer's line as "NAME: bytes N sha256 H seconds S", waiting up
# to 20 s for it (the guest is done by now), else "NAME: no result".
result() {
	local pid i
	pid=$(eval echo "\$$1_pid")
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if [ -s "$d/$1.out" ]; then
		sed "s/^/$1: /" "$d/$1.out"
	else
		echo "$1: no result"
	fi
}
# stop_peers: end every peer started so far, for a fresh start.
stop_peers() {
	local name pid
	for name in "${peers[@]}"; do
		pid=$(eval echo "\$${name}_pid")
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$d/$name.ready" "$d/$name.out"
	done
	peers=()
}
# guest_run START CONF SCRIPT: START (a function starting the peers), then
# SCRIPT in a guest (120 s at most); its stdout and stderr, then "guest exit
# STATUS". The emulated KVM host now and then crashes or hangs a guest under
# traffic, QEMU's too (see "A crashing guest" in tests/kvm-host.d/README.md):
# there (/run/kvm-host exists) a triple fault or a timeout gets up to two
# more tries, each said on stdout. On real KVM there is one try.
guest_run() {
	local start=$1 try s
	for try in 1 2 3; do
		$start || return 1
		timeout -k 5 120 "$capsule" run -c "$2" -- sh -c "$3" </dev/null >"$d/guest" 2>"$d/err"
		s=$?
		[ $try != 3 ] && [ -d /run/kvm-host ] || break
		# 124: timed out; 137: and still shutting down 5 s later (capsule gives a guest 10 s).
		[ $s = 124 ] || [ $s = 137 ] || grep -q "triple fault" "$d/err" || break
		echo "try $try: $(tr "\n" " " <"$d/err")"
		stop_peers
	done
	cat "$d/guest"
	cat "$d/err" >&2
	echo "guest exit $s"
}
EOF
)

# Run SCRIPT (bash, after host_lib) in the KVM host with ARGS as $1...; like bats' run.
in_host() {
	local script=$1
	shift
	run --separate-stderr "$kvm_host" bash -c "$host_lib
$script" "$capsule" "$netbed" "$@"
}

# Write config NAME.conf: a NIC on the bridge with address 198.18.0.HOST, then
# the extra lines; prints its path. (The default MAC comes from the file's path.)
net_conf() {
	local f=$BATS_TEST_TMPDIR/$1.conf host=$2
	shift 2
	printf '%s\n' "[net n0]" "bridge = capbr0" "ip = 198.18.0.$host/24" "$@" >"$f"
	echo "$f"
}

# The field after KEY on the line starting with PREFIX in $output.
field() {
	local line
	line=$(grep -m1 "^$1" <<<"$output") || return 1
	sed -E "s/.*[ ]$2 ([^ ]+).*/\1/" <<<"$line"
}

# tcp_both_ways CONF GUEST SIZE BYTES: GUEST (a script) sends to a sink in the
# namespace on port 5001 and prints "guest sent ... sha256 H", then reads
# SIZE (BYTES bytes) of the pattern from a source on 5002 and prints "guest
# received sha256 H". Both sides' bytes and sha256s must match.
tcp_both_ways() {
	local conf=$1 guest=$2 size=$3 bytes=$4
	# Three tries of up to 120 s each, if need be.
	CAPSULE_KVM_TIMEOUT=420 in_host '
		size=$3
		start() { peer sink sink 5001 && peer source source 5002 "$size"; }
		guest_run start "$1" "$2" || exit 1
		result sink
		result source' "$conf" "$guest" "$size"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$(field 'guest exit' exit)" = 0 ]
	[ "$(field sink: bytes)" = "$bytes" ]
	[ "$(field sink: sha256)" = "$(field 'guest sent' sha256)" ]
	[ "$(field source: bytes)" = "$bytes" ]
	[ "$(field source: sha256)" = "$(field 'guest received' sha256)" ]
}

# two_vms_ping CONF_A ADDR_A CONF_B ADDR_B: VM a waits while VM b pings it,
# then pings b; both must get replies and end with 0.
two_vms_ping() {
	in_host '
		vm a "$1" "echo up; read x; ping -c 2 -W 5 $4 >/dev/null && echo pinged b"
		await a up || exit 1
		vm b "$3" "ping -c 2 -W 5 $2 >/dev/null && echo pinged a; echo up; read x"
		await b up || exit 1
		say a
		finish a
		say b
		finish b' "$@"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'a: up\na: pinged b\na exit 0\nb: pinged a\nb: up\nb exit 0' ]
}
