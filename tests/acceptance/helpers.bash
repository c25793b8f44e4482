# Shared by the bats files: how to run capsule, under KVM or not, and check what it did.
bats_require_minimum_version 1.5.0

top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
capsule=$top/out/capsule
kvm_host=$top/tests/kvm-host
# Run capsule under real KVM (directly, or in the shared emulated host) with a timeout.
# Sets $status, $output (stdout only) and $stderr like bats' run. The
# environment is the user's: throwaway overlays go where capsule finds room.
kvm_capsule() {
	run --separate-stderr "$kvm_host" "$capsule" "$@" </dev/null
}

# Same, with a string fed to capsule's stdin.
kvm_capsule_stdin() {
	local input=$1
	shift
	printf '%s' "$input" >"$BATS_TEST_TMPDIR/stdin"
	run --separate-stderr bash -c 'f=$1; shift; "$@" <"$f"' _ "$BATS_TEST_TMPDIR/stdin" \
		"$kvm_host" "$capsule" "$@"
}

# Talk to capsule's console as a person would (converse.py -e/-s steps), under KVM.
converse() {
	run --separate-stderr "$top/tests/acceptance/converse.py" -t 280 "$@" -- \
		"$kvm_host" "$capsule"
}

# Write a config file from the arguments (one line each); prints its path.
make_conf() {
	local f=$BATS_TEST_TMPDIR/test.conf
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

# A failed check says what was there.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status"
		echo "stdout: $output"
		echo "stderr: ${stderr:-}"
		return 1
	fi
}
