# virtio-net under real KVM: guests on bridge capbr0 with a network namespace
# (capns, 198.18.0.1/24) behind a veth pair; see netbed.sh. Everything runs in
# the KVM host; guests are 198.18.0.2, .3, ...
load helpers

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
		[ $s = 124 ] || grep -q "triple fault" "$d/err" || break
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

@test "the guest pings the namespace and the namespace pings the guest; no tap is left" {
	conf=$(net_conf a 2)
	in_host '
		before=$(ip -o link)
		vm a "$1" "ping -c 2 -W 5 198.18.0.1 >/dev/null && echo pinged; echo up; read x"
		await a up || exit 1
		ip netns exec capns busybox ping -c 2 -W 5 198.18.0.2 >/dev/null && echo "namespace pinged"
		say a
		finish a
		[ "$(ip -o link)" = "$before" ] && echo "links unchanged" ||
			diff <(echo "$before") <(ip -o link)' "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'namespace pinged\na: pinged\na: up\na exit 0\nlinks unchanged' ]
}

@test "64 MiB cross over TCP each way with the same sha256" {
	conf=$(net_conf a 2 "[vm]" "memory = 512M")
	# 64 different 1 MiB blocks: a random one with each's number in front (fast in a guest).
	guest='dd if=/dev/urandom of=/tmp/seed bs=1M count=1 2>/dev/null
		i=0
		while [ $i -lt 64 ]; do printf "block %10d" $i; tail -c +17 /tmp/seed; i=$((i + 1)); done >/tmp/out
		echo "guest sent $(wc -c </tmp/out) sha256 $(sha256sum </tmp/out | cut -d" " -f1)"
		nc 198.18.0.1 5001 </tmp/out || echo "nc to 5001 failed"
		echo "guest received sha256 $(nc 198.18.0.1 5002 </dev/null | sha256sum | cut -d" " -f1)"'
	# Three tries of up to 120 s each, if need be.
	CAPSULE_KVM_TIMEOUT=420 in_host '
		start() { peer sink sink 5001 && peer source source 5002 64M; }
		guest_run start "$1" "$2" || exit 1
		result sink
		result source' "$conf" "$guest"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$(field 'guest exit' exit)" = 0 ]
	[ "$(field 'guest sent' sent)" = 67108864 ]
	[ "$(field sink: bytes)" = 67108864 ]
	[ "$(field sink: sha256)" = "$(field 'guest sent' sha256)" ]
	[ "$(field source: bytes)" = 67108864 ]
	[ "$(field source: sha256)" = "$(field 'guest received' sha256)" ]
}

@test "two VMs on one bridge ping each other" {
	conf_a=$(net_conf a 2)
	conf_b=$(net_conf b 3)
	in_host '
		vm a "$1" "echo up; read x; ping -c 2 -W 5 198.18.0.3 >/dev/null && echo pinged b"
		await a up || exit 1
		vm b "$2" "ping -c 2 -W 5 198.18.0.2 >/dev/null && echo pinged a; echo up; read x"
		await b up || exit 1
		say a
		finish a
		say b
		finish b' "$conf_a" "$conf_b"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'a: up\na: pinged b\na exit 0\nb: pinged a\nb: up\nb exit 0' ]
}

@test "queues = 2 with 2 vCPUs: two queue pairs, traffic both ways, also after ethtool -L combined 1" {
	conf=$(net_conf a 2 "queues = 2" "[vm]" "vcpus = 2")
	# 4 MiB of zeros up, 4 MiB of the peer's pattern down; twice.
	guest='combined() { ethtool -l eth0 | sed -n "s/^Combined:[[:space:]]*//p" | tr "\n" " "; echo; }
		xfer() {
			dd if=/dev/zero bs=64K count=64 2>/dev/null | nc 198.18.0.1 $1 || echo "nc to $1 failed"
			echo "down$2 sha256 $(nc 198.18.0.1 $2 </dev/null | sha256sum | cut -d" " -f1)"
		}
		echo "queues $(ls /sys/class/net/eth0/queues | tr "\n" " ")"
		echo "combined $(combined)"
		xfer 5001 5002
		ethtool -L eth0 combined 1 || echo "ethtool -L failed"
		echo "combined $(combined)"
		xfer 5003 5004'
	# Three tries of up to 120 s each, if need be.
	CAPSULE_KVM_TIMEOUT=420 in_host '
		start() {
			peer up1 sink 5001 && peer down1 source 5002 4M &&
				peer up2 sink 5003 && peer down2 source 5004 4M
		}
		guest_run start "$1" "$2" || exit 1
		for p in up1 down1 up2 down2; do result $p; done' "$conf" "$guest"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	zeros=$(head -c 4194304 /dev/zero | sha256sum | cut -d' ' -f1)
	[ "$(field 'guest exit' exit)" = 0 ]
	[ "$(grep '^queues' <<<"$output")" = "queues rx-0 rx-1 tx-0 tx-1 " ]
	[ "$(grep -m1 '^combined' <<<"$output")" = "combined 2 2 " ]
	[ "$(grep '^combined' <<<"$output" | tail -1)" = "combined 2 1 " ]
	[ "$(field up1: sha256)" = "$zeros" ]
	[ "$(field up2: sha256)" = "$zeros" ]
	[ "$(field down1: bytes)" = 4194304 ]
	[ "$(field down1: sha256)" = "$(field down5002 sha256)" ]
	[ "$(field down2: bytes)" = 4194304 ]
	[ "$(field down2: sha256)" = "$(field down5004 sha256)" ]
}

@test "a tap capsule creates under a given name is on the bridge while it runs, gone after SIGTERM" {
	conf=$(net_conf a 2 "tap = capnamed0")
	in_host '
		before=$(ip -o link)
		vm a "$1" "echo up; read x"
		await a up || exit 1
		ip -o link show capnamed0 | grep -o "master capbr0"
		kill -TERM $a_pid
		finish a >"$d/finish"
		tail -1 "$d/finish"
		[ "$(ip -o link)" = "$before" ] && echo "links unchanged" ||
			diff <(echo "$before") <(ip -o link)' "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "${lines[0]}" = "master capbr0" ]
	[[ ${lines[1]} == "a exit "* ]]
	[ "${lines[1]}" != "a timed out" ]
	[ "${lines[2]}" = "links unchanged" ]
}

@test "an existing tap is put back as found when capsule ends, after SIGTERM and after SIGKILL" {
	conf=$(net_conf a 2 "tap = capkeep0")
	in_host '
		ip tuntap add dev capkeep0 mode tap
		trap "ip link del capkeep0; kill \$(jobs -p) 2>/dev/null; rm -rf \"\$d\"" EXIT
		# Up or down, and bridge (the qdisc a link gets once up stays: not ours to undo).
		state() { echo "$(ip -br link show capkeep0) $(ip -o link show capkeep0 | grep -o "master [^ ]*")"; }
		found=$(state)
		for vm_sig in a:TERM b:KILL; do
			name=${vm_sig%:*} sig=${vm_sig#*:}
			vm $name "$1" "echo up; read x"
			await $name up || exit 1
			ip -o link show capkeep0 | grep -o "master capbr0"
			kill -$sig $(eval echo \$${name}_pid)
			finish $name >/dev/null
			# After SIGKILL the cleanup process does it, a moment later.
			for ((i = 0; i < 50; i++)); do
				now=$(state)
				[ "$now" = "$found" ] && break
				sleep 0.1
			done
			[ "$now" = "$found" ] && echo "$sig: as found" || echo "$sig: $now (found: $found)"
		done' "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "${lines[0]}" = "master capbr0" ]
	[ "${lines[1]}" = "TERM: as found" ]
	[ "${lines[2]}" = "master capbr0" ]
	[ "${lines[3]}" = "KILL: as found" ]
}

# bad_net CONF HOLD PREFIX...: run capsule with CONF under PREFIX (a command that
# execs its arguments) in the KVM host, with tap HOLD held open by another process
# unless HOLD is "-". It must fail before the guest starts, with exit 2 and one
# line naming the NIC, and leave `ip -o link` as it was.
bad_net() {
	local conf=$1 hold=$2
	shift 2
	in_host '
		conf=$1 hold=$2
		shift 2
		if [ "$hold" != - ]; then
			# The holder: a non-persistent tap open in python (TUNSETIFF, IFF_TAP | IFF_NO_PI).
			/usr/bin/python3 -c "if True:
				import fcntl, os, struct, sys, time
				fd = os.open(\"/dev/net/tun\", os.O_RDWR)
				fcntl.ioctl(fd, 0x400454ca, struct.pack(\"16sH\", sys.argv[1].encode(), 0x1002))
				open(sys.argv[2], \"w\").write(\"held\\n\")
				time.sleep(120)" "$hold" "$d/held" &
			for ((i = 0; i < 100; i++)); do [ -s "$d/held" ] && break; sleep 0.1; done
			[ -s "$d/held" ] || { echo "could not hold tap $hold"; exit 1; }
		fi
		before=$(ip -o link)
		"$@" "$capsule" run -c "$conf" -- true </dev/null
		s=$?
		[ "$(ip -o link)" = "$before" ] || { echo "links changed:"; diff <(echo "$before") <(ip -o link); }
		exit $s' "$conf" "$hold" "$@"
	echo "stderr: $stderr"
	expect_status 2
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == *"[net n0]"* ]]
}

@test "a bridge that does not exist: exit 2, one line naming the NIC, no tap left" {
	bad_net "$(make_conf '[net n0]' 'bridge = capnobr0')" - env
	[[ $stderr == *capnobr0* ]]
}

@test "without CAP_NET_ADMIN: exit 2, one line naming the NIC, no tap left" {
	bad_net "$(make_conf '[net n0]' 'bridge = capbr0')" - setpriv --bounding-set=-net_admin
	[[ $stderr == *CAP_NET_ADMIN* ]]
}

@test "a tap another process holds: exit 2, one line naming the NIC, no tap left" {
	bad_net "$(make_conf '[net n0]' 'tap = capbusy0' 'bridge = capbr0')" capbusy0 env
	[[ $stderr == *"in use"* ]]
}

@test "no /dev/net/tun: exit 2, one line naming the NIC, no tap left" {
	bad_net "$(make_conf '[net n0]' 'bridge = capbr0')" - \
		unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh
	[[ $stderr == */dev/net/tun* ]]
}
