# pause, resume and shutdown through capsule ctl, under real KVM: each test is one script in the KVM host.
load helpers

# The script's common part: guests.sh's helpers, and counting the guest's lines.
prelude='
capsule=$0
. "${capsule%/out/capsule}/tests/acceptance/guests.sh"
# vm NAME SCRIPT: capsule runs SCRIPT in the guest of $d/NAME.conf, in the background.
vm() { bg "$@"; }
# lines NAME: how many lines the guest wrote so far.
lines() { cat "$d/$1.out" 2>/dev/null | wc -l; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
# await NAME N: wait up to 120 s for the guest to have written N lines.
await() { wait_for "$1" has_lines "$1" "$2"; }
'

# Run SCRIPT (after the prelude) in the KVM host, ARGS as its $1...; its output is shown on failure.
in_host() { # SCRIPT [ARGS...]
	run --separate-stderr "$kvm_host" bash -c "$prelude$1" "$capsule" "${@:2}"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
}

# The guest prints its uptime (seconds) five times a second or so.
counter='while :; do read -r up idle </proc/uptime; echo $up; sleep 0.2; done'

@test "pause stops the guest, resume goes on without a jump in its clock; shutdown ends it with 0, socket and tap gone" {
	in_host '
	conf lc-a "[net n0]" "tap = caplc0"
	vm lc-a "$1"
	await lc-a 3
	ip link show caplc0 >/dev/null && echo "tap there"
	"$capsule" ctl lc-a resume
	echo "resume running: $?"
	"$capsule" ctl lc-a pause
	echo "pause: $?"
	n1=$(lines lc-a)
	"$capsule" ctl lc-a pause
	echo "pause paused: $?"
	"$capsule" ctl lc-a info vm | head -1
	sleep 4
	n2=$(lines lc-a)
	echo "lines while paused: $((n2 - n1))"
	"$capsule" ctl lc-a resume
	echo "resume: $?"
	await lc-a $((n2 + 3))
	# The guest clock across the pause: from the last line before it to the first after.
	echo "step $(sed -n "${n2}p;$((n2 + 1))p" "$d/lc-a.out" | tr "\n" " ")"
	"$capsule" ctl lc-a shutdown
	echo "shutdown: $?"
	ended lc-a
	echo "socket $(gone "$d/capsule/lc-a.sock")"
	ip link show caplc0 >/dev/null 2>&1 && echo "tap left" || echo "tap gone"
	' "$counter"
	grep -qx "tap there" <<<"$output"
	grep -qx "resume running: 1" <<<"$output"
	grep -q "not paused" <<<"$stderr"
	grep -qx "pause: 0" <<<"$output"
	grep -qx "pause paused: 1" <<<"$output"
	grep -q "already paused" <<<"$stderr"
	grep -Eq "^lc-a: paused, " <<<"$output"
	grep -qx "lines while paused: 0" <<<"$output"
	grep -qx "resume: 0" <<<"$output"
	# The guest's clock stood still while paused (4 s and more): it moved on by
	# about one turn of the loop, forward, and by less than the pause.
	read -r _ before after <<<"$(grep "^step " <<<"$output")"
	[ "$(echo "$after >= $before && $after - $before < 3" | bc)" = 1 ]
	grep -qx "shutdown: 0" <<<"$output"
	grep -qx "lc-a exit 0" <<<"$output"
	grep -qx "socket gone" <<<"$output"
	grep -qx "tap gone" <<<"$output"
}

@test "a guest that does not end within shutdown's timeout is killed: status 137, socket gone" {
	in_host '
	conf lc-b
	# Ignoring SIGTERM: init kills it only after 5 s, past the 1 s timeout.
	vm lc-b "trap \"\" TERM; echo up; while :; do sleep 1; done"
	await lc-b 1
	"$capsule" ctl lc-b shutdown --timeout 1
	echo "shutdown: $?"
	ended lc-b
	echo "socket $(gone "$d/capsule/lc-b.sock")"
	'
	grep -qx "shutdown: 0" <<<"$output"
	grep -qx "lc-b stderr: capsule: the guest did not shut down within 1 s: stopping it" <<<"$output"
	grep -qx "lc-b exit 137" <<<"$output"
	grep -qx "socket gone" <<<"$output"
}
