# The control socket and capsule ctl, under real KVM: each test is one script in the KVM host.
load helpers

# The script's common part: guests.sh's helpers, and guests that say "up".
prelude='
capsule=$0 raw=$1 top=$2
shift 2
. "$top/tests/acceptance/guests.sh"
python=/usr/bin/python3
# vm NAME [SCRIPT]: the guest of $d/NAME.conf in the background; it says "up"
# and waits for a line on stdin, or runs SCRIPT after "up".
vm() { bg "$1" "echo up; ${2:-read x}; echo bye"; }
# await NAME: wait up to 120 s for the guest to say "up".
is_up() { grep -qx up "$d/$1.out" 2>/dev/null; }
await() { wait_for "$1" is_up "$1"; }
# finish NAME: a line to the guest, so it ends; then "NAME exit STATUS".
finish() {
	local v=${1//-/_}
	eval "echo go >&\$${v}_fd; exec {${v}_fd}>&-"
	ended "$1"
}
'

# Run SCRIPT (after the prelude) in the KVM host; its output is shown on failure.
in_host() {
	run --separate-stderr "$kvm_host" bash -c "$prelude$1" "$capsule" \
		"$top/tests/acceptance/ctl_raw.py" "$top"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
}

@test "ctl: info vm, list, two VMs steered at once, another uid refused, kill (socket and tap gone)" {
	in_host '
	conf ctl-a "memory = 192M" "vcpus = 2" "[net n0]" "tap = capctl0"
	# b names its socket: ctl finds it by its path, list (the default directory) does not.
	conf ctl-b "[control]" "socket = $d/b.sock"
	vm ctl-a
	vm ctl-b
	await ctl-a
	await ctl-b
	echo "dir $(stat -c %a "$d/capsule") sock $(stat -c %a "$d/capsule/ctl-a.sock") $(stat -c %a "$d/b.sock")"
	echo "--- info"
	"$capsule" ctl ctl-a info vm
	echo "--- json"
	"$capsule" ctl --json ctl-a info vm
	echo "--- list"
	"$capsule" ctl list
	echo "--- both at once"
	pids=()
	for i in 1 2 3 4; do
		"$capsule" ctl --json ctl-a info vm >"$d/a$i" &
		pids+=($!)
		"$capsule" ctl --json "$d/b.sock" info vm >"$d/b$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$d"/a? | grep -c "\"name\":\"ctl-a\""
	cat "$d"/b? | grep -c "\"name\":\"ctl-b\""
	echo "--- nobody"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$capsule" ctl "$d/capsule/ctl-a.sock" info vm
	echo "status $?"
	# Were the socket open to all, capsule would still refuse (SO_PEERCRED).
	chmod 0711 "$d/capsule"
	chmod 0666 "$d/capsule/ctl-a.sock"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$capsule" ctl "$d/capsule/ctl-a.sock" info vm
	echo "status $?"
	echo "--- kill"
	"$capsule" ctl ctl-a kill
	echo "status $?"
	ended ctl-a
	echo "socket a $(gone "$d/capsule/ctl-a.sock")"
	ip link show capctl0 >/dev/null 2>&1 || echo "tap gone"
	"$capsule" ctl "$d/b.sock" info vm >/dev/null && echo "b still answers"
	"$capsule" ctl ctl-a info vm
	echo "status $?"
	finish ctl-b
	echo "socket b $(gone "$d/b.sock")"
	'
	grep -qx "dir 700 sock 600 600" <<<"$output"
	# Short text: name, state, memory, vCPUs, uptime; the devices.
	grep -Eq "^ctl-a: running, memory 192M, 2 vCPUs, up [0-9]+h[0-9]{2}m[0-9]{2}s, pid [0-9]+$" <<<"$output"
	grep -Eq '^\{"ok":true,"command":"info vm","name":"ctl-a","state":"running","memory":201326592,"vcpus":2,"uptime_ms":[0-9]+,.*"devices":\[.*"type":"virtio-console"' <<<"$output"
	grep -Eq "^ctl-a +running +/.*/capsule/ctl-a.sock$" <<<"$output"
	! grep -q "^ctl-b " <<<"$output"
	[ "$(sed -n '/^--- both/,/^--- nobody/p' <<<"$output" | sed -n 2,3p | tr '\n' ' ')" = "4 4 " ]
	# The directory (0700) keeps others out; past it, SO_PEERCRED does.
	sed -n '/^--- nobody/,/^--- kill/p' <<<"$output" | grep -c "^status 1$" | grep -qx 2
	grep -q "permission-denied" <<<"$stderr"
	grep -qx "killed (capsule exits 137)" <<<"$output"
	grep -qx "ctl-a exit 137" <<<"$output"
	grep -qx "socket a gone" <<<"$output"
	grep -qx "tap gone" <<<"$output"
	grep -Eq "^  eth0   virtio-net name=n0 backend=tap host=tap capctl0 " <<<"$output"
	grep -qx "b still answers" <<<"$output"
	grep -qx "ctl-b exit 0" <<<"$output"
	grep -qx "socket b gone" <<<"$output"
}

@test "ctl: garbage gets error answers and 32 clients at once are answered; the guest goes on" {
	in_host '
	conf ctl-g
	# The guest ticks on its console every second until told to stop.
	vm ctl-g "while ! read -t 1 x; do echo tick; done"
	await ctl-g
	sock=$d/capsule/ctl-g.sock
	echo "--- garbage"
	$python "$raw" "$sock" garbage
	echo "--- junk"
	head -c 65536 /dev/urandom | $python -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read()); s.close()" "$sock"
	echo "--- flood"
	before=$(grep -c tick "$d/ctl-g.out")
	$python "$raw" "$sock" flood 32 3
	echo "ticks during the flood: $(($(grep -c tick "$d/ctl-g.out") - before))"
	echo "--- after"
	"$capsule" ctl ctl-g info vm | head -1 | cut -d, -f1
	"$capsule" ctl ctl-g frobnicate
	echo "status $?"
	"$capsule" ctl ctl-g balloon 12Q
	echo "status $?"
	finish ctl-g
	'
	[ "$(sed -n '/^--- garbage/,/^--- junk/p' <<<"$output" | sed '1d;$d' | tr '\n' ' ')" = \
		"too-long bad-request bad-request bad-request unknown-command bad-argument bad-argument bad-argument bad-argument bad-argument bad-argument ok " ]
	grep -qx "answered 32 of 32" <<<"$output"
	grep -qx "one more: busy" <<<"$output"
	# The console went on while 32 clients held every slot (3 s).
	[ "$(sed -n "s/^ticks during the flood: //p" <<<"$output")" -ge 2 ]
	grep -qx "ctl-g: running" <<<"$output"
	[ "$(grep -c "^status 2$" <<<"$output")" -eq 2 ]
	grep -qx "ctl-g exit 0" <<<"$output"
}

@test "ctl: a running name refused at start, a stale socket replaced; the socket goes at exit, SIGTERM, SIGKILL and errors" {
	in_host '
	conf ctl-s
	vm ctl-s
	await ctl-s
	echo "--- again"
	"$capsule" run -c "$d/ctl-s.conf" -- true 2>"$d/again.err"
	echo "status $?"
	cat "$d/again.err"
	"$capsule" ctl ctl-s info vm >/dev/null && echo "first still answers"
	echo "--- exit"
	finish ctl-s
	echo "socket $(gone "$d/capsule/ctl-s.sock")"
	echo "--- stale"
	$python -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$d/capsule/ctl-s.sock"
	[ -S "$d/capsule/ctl-s.sock" ] && echo "stale socket made"
	vm ctl-s
	await ctl-s
	"$capsule" ctl ctl-s info vm | head -1 | cut -d, -f1
	echo "--- term"
	kill -TERM $ctl_s_pid
	ended ctl-s >/dev/null
	echo "socket $(gone "$d/capsule/ctl-s.sock")"
	echo "--- kill"
	vm ctl-s
	await ctl-s
	kill -KILL $ctl_s_pid
	ended ctl-s
	echo "socket $(gone "$d/capsule/ctl-s.sock")"
	echo "--- error"
	conf ctl-e "[net n0]" "bridge = capnobr0"
	"$capsule" run -c "$d/ctl-e.conf" -- true 2>/dev/null
	echo "status $?"
	echo "socket $(gone "$d/capsule/ctl-e.sock")"
	echo "--- no config"
	"$capsule" run -- true
	echo "status $?"
	ls -A "$d/capsule"
	echo "--- end"
	'
	sed -n '/^--- again/,/^--- exit/p' <<<"$output" | grep -qx "status 2"
	sed -n '/^--- again/,/^--- exit/p' <<<"$output" | grep -q "already running"
	[ "$(sed -n '/^--- again/,/^first/p' <<<"$output" | grep -c "already running")" -eq 1 ]
	grep -qx "first still answers" <<<"$output"
	grep -qx "ctl-s exit 0" <<<"$output"
	grep -qx "stale socket made" <<<"$output"
	grep -qx "ctl-s: running" <<<"$output"
	grep -qx "ctl-s exit 137" <<<"$output"
	[ "$(grep -c "^socket gone$" <<<"$output")" -eq 4 ]
	! grep -q "still there" <<<"$output"
	sed -n '/^--- error/,/^--- no config/p' <<<"$output" | grep -Eqx "status [1-9][0-9]*"
	# Without a config file the VM is capsule-PID, and its socket went too.
	[ "$(sed -n '/^--- no config/,/^--- end/p' <<<"$output" | tr '\n' ' ')" = "--- no config status 0 --- end " ]
}

@test "ctl: a [control] socket whose directory is missing stops capsule at start, in one line" {
	conf=$(make_conf '[control]' "socket = $BATS_TEST_TMPDIR/no-such-dir/vm.sock")
	kvm_capsule run -c "$conf" -- true
	expect_status 2
	[ "$stderr" = "capsule: control socket $BATS_TEST_TMPDIR/no-such-dir/vm.sock: $BATS_TEST_TMPDIR/no-such-dir: No such file or directory" ]
	[ ! -e "$BATS_TEST_TMPDIR/no-such-dir" ]
}
