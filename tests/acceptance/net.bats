# virtio-net under real KVM: guests on bridge capbr0 with a network namespace
# (capns, 198.18.0.1/24) behind a veth pair; see netbed.sh. Everything runs in
# the KVM host; guests are 198.18.0.2, .3, ...
load helpers
load net_helpers

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
	tcp_both_ways "$conf" "$guest" 64M 67108864
	[ "$(field 'guest sent' sent)" = 67108864 ]
}

@test "two VMs on one bridge ping each other" {
	two_vms_ping "$(net_conf a 2)" 198.18.0.2 "$(net_conf b 3)" 198.18.0.3
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
