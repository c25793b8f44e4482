# The sandbox under real KVM: every thread under seccomp, and the jail capsule enters as root.
load helpers

# In the KVM host: capsule with config $2 runs a guest that waits; once it
# is up, print each thread's name and its seccomp, no_new_privs, capability
# and uid lines, then what /proc/PID/root holds; then let the guest end.
inspect='
	capsule=$0 conf=$1 d=$(mktemp -d /run/capsule-sandbox.XXXXXX)
	trap "rm -rf $d" EXIT
	mkfifo "$d/in"
	"$capsule" run -c "$conf" -- sh -c "echo up; read x; exit 0" <"$d/in" >"$d/out" &
	pid=$!
	exec 3>"$d/in"
	for ((i = 0; i < 600; i++)); do grep -q up "$d/out" && break; sleep 0.2; done
	for t in /proc/$pid/task/*; do
		echo "$(cat $t/comm) $(grep -E "^(Seccomp|NoNewPrivs|CapEff|Uid):" $t/status | tr -s "\t" " " | tr "\n" " ")"
	done
	echo "root: $(ls -A /proc/$pid/root | tr "\n" " ")."
	exec 3>&-
	wait $pid
	echo "exit $?"'

# Run $inspect with a config of the given lines (and one disk, so workers exist).
inspect_with() {
	truncate -s 1M "$BATS_TEST_TMPDIR/disk.img"
	conf=$(make_conf "$@" '[disk d]' "path = $BATS_TEST_TMPDIR/disk.img")
	run --separate-stderr "$kvm_host" bash -c "$inspect" "$capsule" "$conf"
	echo "$output"
	echo "stderr: $stderr"
	expect_status 0
	[ "${lines[-1]}" = "exit 0" ]
}

@test "every thread runs under seccomp; as root the jail holds: empty root, no capabilities, nobody" {
	inspect_with '[vm]' 'vcpus = 2'
	threads=$(grep -c "Seccomp: 2 " <<<"$output")
	# capsule, two vCPUs, four block workers
	[ "$threads" -eq 7 ] && [ "$(grep -c Seccomp: <<<"$output")" -eq 7 ]
	[ "$(grep -c "^vcpu[01] " <<<"$output")" -eq 2 ]
	[ "$(grep -c "^virtio-blk " <<<"$output")" -eq 4 ]
	[ "$(grep -c "NoNewPrivs: 1 " <<<"$output")" -eq 7 ]
	[ "$(grep -c "CapEff: 0000000000000000 " <<<"$output")" -eq 7 ]
	[ "$(grep -c "Uid: 65534 65534 65534 65534 " <<<"$output")" -eq 7 ]
	grep -qx "root: ." <<<"$output"
}

@test "seccomp = off installs no filter; [jail] enabled = false keeps root and the host's files" {
	inspect_with '[vm]' 'seccomp = off' '[jail]' 'enabled = false'
	[ "$(grep -c "Seccomp: 0 " <<<"$output")" -eq 6 ]
	[ "$(grep -c "Uid: 0 0 0 0 " <<<"$output")" -eq 6 ]
	grep -q "^root: .*proc" <<<"$output"
}

@test "seccomp = log installs the filters and the guest runs as with on" {
	inspect_with '[vm]' 'seccomp = log'
	[ "$(grep -c "Seccomp: 2 " <<<"$output")" -eq 6 ]
	grep -qx "root: ." <<<"$output"
}

@test "a jail user that does not exist stops capsule at start" {
	conf=$(make_conf '[jail]' 'user = capsule-no-such-user')
	run --separate-stderr "$kvm_host" "$capsule" run -c "$conf" -- true
	expect_status 2
	[ "$stderr" = "capsule: [jail] user 'capsule-no-such-user' does not exist" ]
}
