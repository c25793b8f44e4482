#!/usr/bin/env bash
# The network test bed, on a host with KVM (inside tests/kvm-host for the suite):
# bridge capbr0, and a network namespace capns joined to it by a veth pair, the
# namespace's end at 198.18.0.1/24 (198.18.0.0/15 is reserved for test beds).
# Guests on the bridge use 198.18.0.2, .3, ...
#
#   netbed.sh up                     make it (idempotent: what exists is kept)
#   netbed.sh down                   remove it, and any tap left on the bridge (idempotent)
#   netbed.sh tap NAME [QUEUES]      a persistent tap NAME on the bridge, up (for QEMU)
#   netbed.sh untap NAME             delete that tap
#   netbed.sh peer ARGS...           tests/acceptance/netpeer.py ARGS in the namespace
set -euo pipefail

BR=capbr0
NS=capns
VETH_BR=capvb0	# in the bridge
VETH_NS=capvn0	# in the namespace
NS_ADDR=198.18.0.1/24
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# /usr/bin/python3: a pyenv shim on PATH takes seconds to start in the emulated host.
python=/usr/bin/python3

exists() { ip link show dev "$1" >/dev/null 2>&1; }
in_ns() { ip netns exec "$NS" "$@"; }

up() {
	if ! exists "$BR"; then
		# No STP: a new port forwards at once. A fixed address: otherwise the
		# bridge takes its ports' lowest, and changes as taps come and go.
		ip link add "$BR" address 02:c5:00:00:00:01 type bridge stp_state 0 forward_delay 0
	fi
	# The guests have no IPv6: keep the bridge quiet.
	sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1" 2>/dev/null || true
	ip link set "$BR" up
	[ -e "/run/netns/$NS" ] || ip netns add "$NS"
	if ! exists "$VETH_BR"; then
		# A half-made pair (its namespace end still here) goes first.
		ip link del "$VETH_NS" 2>/dev/null || true
		in_ns ip link del "$VETH_NS" 2>/dev/null || true
		ip link add "$VETH_BR" type veth peer name "$VETH_NS"
		ip link set "$VETH_NS" netns "$NS"
	fi
	sysctl -qw "net.ipv6.conf.$VETH_BR.disable_ipv6=1" 2>/dev/null || true
	ip link set "$VETH_BR" master "$BR" up
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
	in_ns ip link set lo up
	in_ns ip addr replace "$NS_ADDR" dev "$VETH_NS"
	in_ns ip link set "$VETH_NS" up
}

down() {
	local port
	# Whatever is still on the bridge besides our veth: taps of runs that went wrong.
	if exists "$BR"; then
		for port in /sys/class/net/"$BR"/brif/*; do
			[ -e "$port" ] || continue
			port=${port##*/}
			[ "$port" = "$VETH_BR" ] || ip link del "$port" 2>/dev/null || true
		done
	fi
	ip link del "$VETH_BR" 2>/dev/null || true
	[ -e "/run/netns/$NS" ] && ip netns del "$NS"
	ip link del "$BR" 2>/dev/null || true
}

tap() {
	local name=$1 queues=${2:-1} mq=()
	[ "$queues" -gt 1 ] && mq=(multi_queue)
	exists "$name" && ip link del "$name"
	ip tuntap add dev "$name" mode tap "${mq[@]}"
	ip link set "$name" master "$BR" up
}

case ${1:-} in
up) up ;;
down) down ;;
tap) tap "$2" "${3:-1}" ;;
untap) ip link del "$2" 2>/dev/null || true ;;
peer) shift; exec ip netns exec "$NS" "$python" "$here/netpeer.py" "$@" ;;
*) sed -n '2,11s/^# \?//p' "$0" >&2; exit 2 ;;
esac
