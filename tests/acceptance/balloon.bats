# The memory balloon under real KVM: the guest's driver, capsule ctl's balloon commands and capsule's RSS, free page reporting, a target set at start.
load helpers

# In the KVM host: capsule with config $1 runs guest script $2, which prints
# "mark WORD" lines and reads a line from stdin after each. At each mark,
# print "WORD rss=KB" (capsule's VmRSS, from /proc/PID/status beside it) and
# let the guest go on; then "exit STATUS" and the guest's other output.
watch_rss='
	capsule=$0 conf=$1 script=$2 d=$(mktemp -d /run/capsule-balloon.XXXXXX)
	trap "rm -rf $d" EXIT
	mkfifo "$d/in"
	"$capsule" run -c "$conf" -- sh -c "$script" <"$d/in" >"$d/out" &
	pid=$!
	exec 3>"$d/in"
	seen=0
	while kill -0 $pid 2>/dev/null; do
		n=$(grep -c "^mark " "$d/out")
		if [ "$n" -gt "$seen" ]; then
			seen=$n
			echo "$(grep "^mark " "$d/out" | sed -n "${n}p" | cut -d" " -f2)" \
				"rss=$(awk "/^VmRSS:/ {print \$2}" /proc/$pid/status)"
			echo go >&3
		fi
		sleep 0.2
	done
	exec 3>&-
	wait $pid
	echo "exit $?"
	grep -v "^mark " "$d/out" || true'

# The KB after "WORD rss=" in the output.
rss_at() {
	sed -n "s/^$1 rss=//p" <<<"$output"
}

# The guest: a tmpfs of its own, 200 MiB written to it (touched), then removed (freed).
touch_and_free='mkdir -p /mnt && mount -t tmpfs -o size=400M big /mnt &&
	dd if=/dev/zero of=/mnt/f bs=1M count=200 2>/dev/null && echo mark touched && read x &&
	rm /mnt/f && sleep 8 && echo mark freed && read x'

# The same without pauses: the guest says "freed" and waits to be steered.
touch_and_free_then_sleep='mkdir -p /mnt && mount -t tmpfs -o size=400M big /mnt &&
	dd if=/dev/zero of=/mnt/f bs=1M count=200 2>/dev/null && rm /mnt/f && echo freed && sleep 600'

@test "the guest's driver finds the balloon (device 5) with every feature; enabled = false removes it" {
	kvm_capsule run -- sh -c 'cat /sys/bus/virtio/devices/*/device /sys/bus/virtio/devices/*/features;
		dmesg | grep -c "Free page reporting enabled"'
	expect_status 0
	echo "$output"
	grep -qx 0x0005 <<<"$output"
	# Stats queue, deflate-on-OOM and page reporting (bits 1, 2, 5), modern (bit 32).
	grep -qx '0110010000000000000000000000010010000000000000000000000000000000' <<<"$output"
	[ "${lines[-1]}" = 1 ]
	conf=$(make_conf '[balloon]' 'enabled = false')
	kvm_capsule run -c "$conf" -- sh -c 'cat /sys/bus/virtio/devices/*/device'
	expect_status 0
	! grep -q 0x0005 <<<"$output"
}

# In the KVM host: capsule with config $1 (named "balloon") runs the guest
# script $2, which prints "freed" and sleeps. Then, with capsule ctl: info
# balloon, balloon $3, wait (60 s at most) for actual to get there, info
# balloon, balloon $4, wait again, kill. Prints "WORD rss=KB" (capsule's
# VmRSS) at each step, the JSON answers, "reached SIZE after MS ms" or
# "never reached SIZE", and "exit STATUS".
steer='
	capsule=$0 conf=$1 script=$2 d=$(mktemp -d /run/capsule-balloon.XXXXXX)
	trap "rm -rf $d" EXIT
	"$capsule" run -c "$conf" -- sh -c "$script" >"$d/out" 2>&1 &
	pid=$!
	rss() { echo "$1 rss=$(awk "/^VmRSS:/ {print \$2}" /proc/$pid/status)"; }
	ctl() { "$capsule" ctl --json balloon "$@"; }
	reach() {
		local t0=$(date +%s%N) i
		ctl balloon "$1" >/dev/null
		for i in $(seq 600); do
			if ctl info balloon | grep -q "\"actual\":$2,"; then
				echo "reached $1 after $((($(date +%s%N) - t0) / 1000000)) ms"
				return
			fi
			sleep 0.1
		done
		echo "never reached $1"
	}
	for i in $(seq 600); do grep -q "^freed" "$d/out" && break; sleep 0.2; done
	sleep 2
	rss freed
	"$capsule" ctl balloon info vm | grep balloon0
	ctl info balloon
	reach "$3" $(($3))
	rss inflated
	sleep 1.5	# fresh guest statistics, after the balloon filled
	ctl info balloon
	reach "$4" $(($4))
	ctl info balloon
	ctl kill >/dev/null
	wait $pid
	echo "exit $?"'

# Member $1 of the JSON answer line $2, a number.
json_num() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"
}

@test "capsule ctl: balloon 128M takes back what the guest freed, from capsule's RSS; balloon 256M returns it; stats are plausible" {
	# Without free page reporting, what the guest freed stays with capsule until the balloon takes it.
	conf=$(make_conf '[vm]' 'name = balloon' 'memory = 256M' \
		'[balloon]' 'free_page_reporting = false' 'stats_interval = 1')
	run --separate-stderr "$kvm_host" bash -c "$steer" "$capsule" "$conf" \
		"$touch_and_free_then_sleep" $((128 << 20)) $((256 << 20))
	echo "$output"
	expect_status 0
	[ "$(grep "^exit" <<<"$output")" = "exit 137" ]
	# info vm lists the balloon as configured.
	grep -qx "  balloon0 virtio-balloon stats_interval=1 deflate_on_oom=true free_page_reporting=false" <<<"$output"
	infos=$(grep '"command":"info balloon"' <<<"$output")
	[ "$(wc -l <<<"$infos")" -eq 3 ]
	before=$(sed -n 1p <<<"$infos") inflated=$(sed -n 2p <<<"$infos") after=$(sed -n 3p <<<"$infos")
	# The guest touched 200 MiB: capsule holds it after the guest freed it.
	freed=$(rss_at freed)
	[ "$freed" -gt $((200 << 10)) ]
	[ "$(json_num actual "$before")" -eq $((256 << 20)) ]
	# The guest's statistics: free <= total <= configured memory.
	free=$(json_num free_memory "$before") total=$(json_num total_memory "$before")
	[ "$free" -gt 0 ] && [ "$free" -le "$total" ] && [ "$total" -le $((256 << 20)) ]
	# The balloon got to 128 MiB, and capsule gave at least 100 MiB back to the host.
	grep -q "^reached 134217728 after" <<<"$output"
	[ "$(json_num actual "$inflated")" -eq $((128 << 20)) ]
	[ "$(json_num in_balloon "$inflated")" -eq $((128 << 20)) ]
	[ $((freed - $(rss_at inflated))) -ge $((100 << 10)) ]
	# The guest that gave 128 MiB reports less free memory than before.
	[ "$(json_num free_memory "$inflated")" -lt $((free - (100 << 20))) ]
	# balloon 256M: actual comes back, the balloon is empty.
	grep -q "^reached 268435456 after" <<<"$output"
	[ "$(json_num actual "$after")" -eq $((256 << 20)) ]
	[ "$(json_num in_balloon "$after")" -eq 0 ]
	[ "$(json_num bad_pfns "$after")" -eq 0 ] && [ "$(json_num duplicates "$after")" -eq 0 ]
}

@test "free page reporting: 200 MiB the guest touched and freed leave capsule's RSS, no command needed" {
	conf=$(make_conf '[vm]' 'memory = 512M')
	run --separate-stderr "$kvm_host" bash -c "$watch_rss" "$capsule" "$conf" "$touch_and_free"
	echo "$output"
	expect_status 0
	[ "$(grep "^exit" <<<"$output")" = "exit 0" ]
	touched=$(rss_at touched) freed=$(rss_at freed)
	[ "$touched" -gt $((200 << 10)) ]
	[ $((touched - freed)) -ge $((100 << 10)) ]
}

# The guest waits for its balloon to fill (MemFree below $1 KiB) before it goes on.
wait_free_below='for i in $(seq 300); do
		[ "$(awk "/^MemFree:/ {print \$2}" /proc/meminfo)" -lt $1 ] && break; sleep 0.2; done'

@test "a target set at start: without deflate-on-OOM the guest's MemTotal shrinks by the balloon" {
	conf=$(make_conf '[balloon]' 'target = 128M' 'deflate_on_oom = false')
	kvm_capsule run -c "$conf" -- sh -c "set -- 120000; $wait_free_below;
		awk '/^MemTotal:/ {print \$2}' /proc/meminfo"
	expect_status 0
	# 256 MiB less the 128 MiB balloon, less what the kernel keeps (about 9 MiB here).
	total=${lines[-1]}
	echo "MemTotal: $total kB"
	[ "$total" -le $((128 << 10)) ] && [ "$total" -gt $((100 << 10)) ]
}

@test "a target set at start: with deflate-on-OOM the guest survives needing more than it was left" {
	conf=$(make_conf '[balloon]' 'target = 96M')
	# 160 MiB in the balloon leave about 86 MiB free; the guest then writes 150 MiB to a tmpfs.
	kvm_capsule run -c "$conf" -- sh -c "set -- 100000; $wait_free_below;
		grep -E '^Mem(Total|Free):' /proc/meminfo;
		mkdir -p /mnt && mount -t tmpfs -o size=200M big /mnt &&
		dd if=/dev/zero of=/mnt/f bs=1M count=150 2>/dev/null && ls -l /mnt/f && echo survived"
	echo "$output"
	expect_status 0
	free=$(awk '/^MemFree:/ {print $2}' <<<"$output")
	[ "$free" -lt 100000 ]
	grep -q " 157286400 " <<<"$output"
	[ "${lines[-1]}" = survived ]
}

@test "a target larger than [vm] memory stops capsule at start" {
	conf=$(make_conf '[vm]' 'memory = 128M' '[balloon]' 'target = 256M')
	kvm_capsule run -c "$conf" -- true
	expect_status 2
	[ "$stderr" = "capsule: [balloon] target is more than [vm] memory (128 MiB)" ]
}
