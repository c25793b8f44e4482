# --net user: user-mode networking through passt, as a user who is not root
# (nobody, given /dev/kvm for the test), in the KVM host: no tap, no bridge.
# The host side of each test is a server on the KVM host's own 127.0.0.1.
load helpers

# Shell functions for the scripts run in the KVM host ($0 is capsule there).
host_lib=$(
	cat <<'EOF'
capsule=$0
d=$(mktemp -d /dev/shm/user-net.XXXXXX)
kvm_gid=$(getent group kvm | cut -d: -f3)
chmod 755 "$d"
chown nobody "$d"
# /dev/kvm for the kvm group, as a distribution gives it; put back at the end.
kvm_mode=$(stat -c '%g %a' /dev/kvm)
chgrp "$kvm_gid" /dev/kvm && chmod 660 /dev/kvm
trap 'kill $(jobs -p) 2>/dev/null; chgrp "${kvm_mode% *}" /dev/kvm; chmod "${kvm_mode#* }" /dev/kvm; rm -rf "$d"' EXIT
# as_user CMD...: CMD as nobody in group kvm, its runtime directory (control socket) in $d.
as_user() {
	setpriv --reuid=65534 --regid=65534 --groups="$kvm_gid" \
		env HOME="$d" XDG_RUNTIME_DIR="$d" PATH="$PATH" "$@"
}
# serve PORT: an HTTP server for $d/www on the host's 127.0.0.1:PORT, waited for.
serve() {
	mkdir -p "$d/www"
	/usr/bin/python3 -m http.server --bind 127.0.0.1 "$1" --directory "$d/www" \
		>/dev/null 2>&1 &
	for ((i = 0; i < 100; i++)); do
		/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $1))" \
			2>/dev/null && return 0
		sleep 0.1
	done
	echo "no server on port $1"
}
# dns_stub: a nameserver on the host's 127.0.0.1:53 answering every A query with
# 198.18.7.7, running once it is bound; $d/resolv.conf names it (mounted over
# /etc/resolv.conf in a mount namespace of the test's own, see with_resolv).
dns_stub() {
	printf 'nameserver 127.0.0.1\n' >"$d/resolv.conf"
	/usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open("'"$d"'/dns.ready", "w").close()
while True:
    q, peer = s.recvfrom(512)
    end = 12
    while end < len(q) and q[end]:
        end += q[end] + 1
    answer = bytes([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 7, 7])
    s.sendto(q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:end + 5] + answer, peer)
' &
	for ((i = 0; i < 100; i++)); do
		[ -e "$d/dns.ready" ] && return 0
		sleep 0.1
	done
	echo "no nameserver"
}
# with_resolv CMD...: CMD with $d/resolv.conf as /etc/resolv.conf (passt reads it).
with_resolv() {
	unshare -m sh -c 'mount --bind "$0/resolv.conf" /etc/resolv.conf && exec "$@"' "$d" "$@"
}
# Whether a passt process is left.
passt_left() {
	pgrep -x passt >/dev/null || pgrep -x passt.avx2 >/dev/null && echo "passt left" ||
		echo "no passt left"
}
EOF
)

in_host() {
	local script=$1
	shift
	run --separate-stderr "$kvm_host" bash -c "$host_lib
$script" "$capsule" "$@"
}

@test "as a non-root user, the guest reaches the host's 127.0.0.1 at the gateway and its nameserver at 10.0.2.3; passt ends with capsule" {
	token="from the host $RANDOM$RANDOM"
	in_host '
		serve 18000
		dns_stub
		echo "$1" >"$d/www/f.txt"
		with_resolv setpriv --reuid=65534 --regid=65534 --groups="$kvm_gid" \
			env HOME="$d" XDG_RUNTIME_DIR="$d" "$capsule" run --net user -- \
			sh -c "ip -4 addr show eth0 | grep -o \"inet [0-9./]*\"; wget -qO- http://10.0.2.2:18000/f.txt
				grep -o \"capsule.dns=[0-9.]*\" /proc/cmdline
				nslookup example.test 10.0.2.3 | grep -o -m1 \"Address: 198.18.7.7\""
		echo "status $?"
		passt_left' "$token"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = "inet 10.0.2.15/24"$'\n'"$token"$'\ncapsule.dns=10.0.2.3\nAddress: 198.18.7.7\nstatus 0\nno passt left' ]
	[ -z "$stderr" ]
}

@test "-p HOST:GUEST: the host's 127.0.0.1:HOST reaches a server in the guest; info vm shows the user backend" {
	in_host '
		mkfifo "$d/in"
		as_user "$capsule" run --net user -p 18080:80 -- sh -c "mkdir /www
			echo served by the guest >/www/g.txt
			httpd -p 80 -h /www && echo up; read x" <"$d/in" >"$d/out" 2>"$d/err" &
		vm=$!
		exec 3>"$d/in"
		for ((i = 0; i < 600; i++)); do
			grep -qx up "$d/out" && break
			sleep 0.2
		done
		/usr/bin/python3 -c "import urllib.request as u
print(u.urlopen(\"http://127.0.0.1:18080/g.txt\", timeout=60).read().decode().strip())"
		name=$(as_user "$capsule" ctl list | awk "NR == 2 { print \$1 }")
		as_user "$capsule" ctl --json "$name" info vm | grep -o "\"backend\": *\"[a-z]*\""
		echo go >&3
		wait $vm
		echo "status $?"
		echo "guest: $(cat "$d/out")"
		echo "stderr: $(cat "$d/err")"'
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$(sed -n 1,3p <<<"$output" | sed 's/": *"/":"/')" = $'served by the guest\n"backend":"user"\nstatus 0' ]
}

@test "the e1000 model on a user-mode NIC ([net] backend = user) reaches the host too" {
	conf=$(make_conf '[net u]' 'backend = user' 'model = e1000')
	in_host '
		serve 18001
		echo "to the e1000" >"$d/www/f.txt"
		cp "$1" "$d/e1000.conf"
		as_user "$capsule" run -c "$d/e1000.conf" -- wget -qO- http://10.0.2.2:18001/f.txt
		echo "status $?"' "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'to the e1000\nstatus 0' ]
}

# The errors come before anything needs KVM: run here directly.
@test "a bad -p, -p without --net user and a missing passt: one line each, exit 2" {
	run --separate-stderr "$capsule" run --net user -p 8080 -- true
	expect_status 2
	[ "$stderr" = "capsule: -p: '8080' is not HOST:GUEST[/udp] (ports 1 to 65535)" ]
	run --separate-stderr "$capsule" run -p 8080:80 -- true
	expect_status 2
	[ "$stderr" = "capsule: -p 8080:80 needs --net user" ]
	run --separate-stderr "$capsule" run --net tap -- true
	expect_status 2
	[ "$(wc -l <<<"$stderr")" = 2 ]	# usage errors add the --help hint
	[[ $stderr == "capsule: --net 'tap': only --net user"* ]]
	run --separate-stderr env PATH=/nonexistent "$capsule" run --net user -- true
	expect_status 2
	[ "$stderr" = "capsule: --net user needs passt (apt-get install passt)" ]
	conf=$(make_conf '[net u]' 'backend = user' 'bridge = br0')
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[ "$stderr" = "capsule: $conf:3: bridge: a user-mode NIC (backend = user) has no bridge" ]
}

@test "a forwarded port already taken on the host: passt's reason, then capsule's line, exit 2" {
	in_host '
		serve 18002
		as_user "$capsule" run --net user -p 18002:80 -- true
		echo "status $?"
		passt_left'
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "$output" = $'status 2\nno passt left' ]
	grep -q "18002" <<<"$stderr"
	[ "$(tail -1 <<<"$stderr")" = "capsule: [net user] passt ended before it served (it closed the connection; its own message, if any, is above)" ]
}
