# The console against slow or odd readers under real KVM: output waits without stalling the VM, nothing is lost.
load helpers

probe=$top/tests/acceptance/stdio_probe.py

# stdio_probe.py ARGS... in the KVM host (see its usage); sets $status, $output, $stderr.
kvm_probe() {
	run --separate-stderr "$kvm_host" "$probe" "$@"
}

# The value of KEY=VALUE in the probe's report.
value() {
	sed -n "s/^$1=//p" <<<"$output"
}

# Scaled down from 100 MiB: nested, the console moves about 3 MiB/s.
PAYLOAD_MIB=32
PAUSE=6

@test "a reader pausing on stdout holds back only stdout: the disk and stderr go on, every byte arrives once" {
	local img=$BATS_TEST_TMPDIR/payload.img
	head -c $((PAYLOAD_MIB << 20)) /dev/urandom >"$img"
	# The workload cats the disk to stdout, while a background loop reads the
	# same disk with O_DIRECT (past every cache) and reports each pass on stderr.
	local loop='i=0; while :; do i=$((i + 1));
		dd if=/dev/vda of=/dev/null bs=4k count=16 skip=$((i % 64 * 16)) iflag=direct 2>/dev/null ||
			{ echo disk-read-failed >&2; exit 1; }
		echo "disk-read $i" >&2; sleep 0.1; done'
	conf=$(make_conf '[disk payload]' "path = $img" 'readonly = true')
	kvm_probe slow --at $((PAYLOAD_MIB << 18)) --pause $PAUSE -- \
		"$capsule" run -c "$conf" -- sh -c "($loop) & cat /dev/vda; kill \$!"
	expect_status 0
	echo "$output"
	[ "$(value status)" = 0 ]
	[ "$(value bytes)" = $((PAYLOAD_MIB << 20)) ]
	[ "$(value sha256)" = "$(sha256sum <"$img" | cut -d' ' -f1)" ]
	# The reader's pause held the workload back: it ended only after the pause.
	read -r _ t1 <<<"$(value pause)"
	[ "$(echo "$(value exited) > $t1" | bc)" = 1 ]
	# Meanwhile the disk loop went on: about 4 reads a second nested, none when the I/O thread is stuck.
	[ "$(value stderr_in_pause)" -ge 3 ]
	[[ $output != *disk-read-failed* ]]
	[ "$(value shared_blocking)" = yes ]
}

@test "stdout on a socket: a paused reader loses nothing and the socket stays blocking" {
	kvm_probe slow --socket --at 100000 --pause 2 -- \
		"$capsule" run -- sh -c 'head -c 3000000 /dev/zero | tr "\0" s; echo done >&2'
	expect_status 0
	echo "$output"
	[ "$(value status)" = 0 ]
	[ "$(value bytes)" = 3000000 ]
	[ "$(value sha256)" = "$(head -c 3000000 /dev/zero | tr '\0' s | sha256sum | cut -d' ' -f1)" ]
	grep -q '^stderr: .* done$' <<<"$output"
	[ "$(value shared_blocking)" = yes ]
}

@test "on a terminal, the user's terminal is left blocking after capsule exits" {
	kvm_probe tty -- "$capsule" run -- echo on-the-terminal
	expect_status 0
	echo "$output"
	[[ $output == *on-the-terminal* ]]
	[ "$(value status)" = 0 ]
	[ "$(value shared_blocking)" = yes ]
}

@test "capsule run -- yes | head ends as yes | head does: status 141 once the reader leaves" {
	run --separate-stderr "$kvm_host" bash -c \
		'"$0" run -- yes | head -c 10; echo " ${PIPESTATUS[0]}"' "$capsule"
	echo "output: $output"
	expect_status 0
	[ "${#lines[@]}" -eq 6 ] && [ "${lines[4]}" = y ] && [ "${lines[5]}" = " 141" ]
}
