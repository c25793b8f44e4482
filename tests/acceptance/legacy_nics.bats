# The emulated PCI NICs (model = e1000 | rtl8139) under real KVM, on the same
# test bed as net.bats: bridge capbr0, namespace capns at 198.18.0.1/24. Each
# is driven by the guest kernel's stock driver (e1000; 8139cp, as the rtl8139
# is an RTL8139C+ like QEMU's).
load helpers
load net_helpers

# One guest with MODEL at .HOST: its driver and MAC, and ping both ways.
model_binds_and_pings() {
	local model=$1 host=$2 driver=$3 mac=$4
	conf=$(net_conf $model $host "model = $model" "mac = $mac")
	guest='echo "driver $(basename $(readlink /sys/class/net/eth0/device/driver))"
		echo "mac $(cat /sys/class/net/eth0/address)"
		ping -c 2 -W 5 198.18.0.1 >/dev/null && echo "pinged namespace"
		echo up
		read x'
	in_host '
		vm a "$1" "$2"
		await a up || exit 1
		ip netns exec capns busybox ping -c 2 -W 5 198.18.0.$3 >/dev/null && echo "namespace pinged"
		say a
		finish a' "$conf" "$guest" "$host"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = "namespace pinged
a: driver $driver
a: mac $mac
a: pinged namespace
a: up
a exit 0" ]
}

@test "e1000: the e1000 driver binds with the configured MAC; ping both ways" {
	model_binds_and_pings e1000 2 e1000 02:e1:00:00:00:02
}

@test "rtl8139: the 8139cp driver binds with the configured MAC; ping both ways" {
	model_binds_and_pings rtl8139 3 8139cp 02:81:39:00:00:03
}

# 16 MiB of the peer's pattern down and 16 MiB of the guest's own data up
# through MODEL, by sha256. In the emulated KVM host this test boots a host of
# its own with one emulated CPU: with two, sustained traffic through a NIC
# whose every register access exits wedged that host or crashed the guest
# (tests/kvm-host.d/README.md, "A crashing guest"). On real KVM nothing changes.
model_carries_tcp() {
	local model=$1 host=$2
	# /run/kvm-host: the harness is emulating the KVM host (net.bats' guest_run knows it too).
	if "$kvm_host" test -d /run/kvm-host; then
		export CAPSULE_KVM_HOST= CAPSULE_KVM_HOST_SMP=1
	fi
	conf=$(net_conf $model $host "model = $model" "[vm]" "memory = 256M")
	guest='head -c 16777216 /dev/urandom >/tmp/up
		echo "guest sent sha256 $(sha256sum </tmp/up | cut -d" " -f1)"
		nc 198.18.0.1 5001 </tmp/up || echo "nc to 5001 failed"
		echo "guest received sha256 $(nc 198.18.0.1 5002 </dev/null | sha256sum | cut -d" " -f1)"'
	tcp_both_ways "$conf" "$guest" 16M 16777216
}

@test "e1000: 16 MiB TCP each way with matching sha256" {
	model_carries_tcp e1000 2
}

@test "rtl8139: 16 MiB TCP each way with matching sha256" {
	model_carries_tcp rtl8139 3
}

@test "one VM with all three models: eth0 virtio, eth1 e1000, eth2 rtl8139, each carries its own traffic" {
	conf=$(make_conf '[net v]' 'bridge = capbr0' 'ip = 198.18.0.4/24' \
		'[net e]' 'model = e1000' 'bridge = capbr0' 'ip = 198.18.0.5/24' \
		'[net r]' 'model = rtl8139' 'bridge = capbr0' 'ip = 198.18.0.6/24')
	# Each address answers only on its own NIC (arp_ignore), and each ping
	# leaves by its own NIC (-I): a reply can only come back the same way.
	guest='for f in /proc/sys/net/ipv4/conf/*/arp_ignore; do echo 1 >$f; done
		for f in /proc/sys/net/ipv4/conf/*/arp_announce; do echo 2 >$f; done
		for i in 0 1 2; do
			n=eth$i
			echo "$n $(basename $(readlink /sys/class/net/$n/device/driver))"
			ping -c 2 -W 5 -I $n 198.18.0.1 >/dev/null && echo "$n pinged"
			echo "$n rx $(cat /sys/class/net/$n/statistics/rx_packets)"
		done'
	in_host '
		# the namespace forgets what it learnt of these addresses before
		ip netns exec capns ip neigh flush all
		guest_run true "$1" "$2"' "$conf" "$guest"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$(field 'guest exit' exit)" = 0 ]
	grep -qx "eth0 virtio_net" <<<"$output"
	grep -qx "eth1 e1000" <<<"$output"
	grep -qx "eth2 8139cp" <<<"$output"
	for n in eth0 eth1 eth2; do
		grep -qx "$n pinged" <<<"$output"
		[ "$(field "$n rx" rx)" -ge 2 ]
	done
}

@test "an e1000 VM and an rtl8139 VM on one bridge ping each other" {
	two_vms_ping "$(net_conf a 7 "model = e1000")" 198.18.0.7 "$(net_conf b 8 "model = rtl8139")" 198.18.0.8
}

@test "no kernel error line on a terminal: without PCI devices, and with all three models" {
	conf=$(make_conf '[net v]' 'bridge = capbr0' '[net e]' 'model = e1000' 'bridge = capbr0' \
		'[net r]' 'model = rtl8139' 'bridge = capbr0')
	# What an interactive boot shows (quiet: levels 0-3), read back from the
	# log. On a terminal (script(1) gives it one) the guest gets hvc0 alone,
	# as an interactive boot does. Before hvc0 alone was offered without
	# MULTIPORT, "Warning: unable to open an initial console." came now and then.
	# (script echoes the NUL it sends at its stdin's end as "^@": left out.)
	in_host '
		errors() { dmesg -r | grep "^<[0-3]>"; }
		on_tty() { SHELL=/bin/bash script -qec "$(printf "%q " "$@")" /dev/null </dev/null | tr -d "\r" | sed "s/\^@//g"; }
		on_tty "$capsule" run -- sh -c "$(declare -f errors); errors; echo no-pci done"
		on_tty "$capsule" run -c "$1" -- sh -c "$(declare -f errors); errors; echo pci done"' "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'no-pci done\npci done' ]
}
