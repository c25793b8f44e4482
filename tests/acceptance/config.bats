# Bad configs and usage: one-line FILE:LINE errors, exit 2, nothing started. No KVM needed.
load helpers

@test "an unknown key is reported with file and line" {
	conf=$(make_conf '[vm]' 'memory = 256M' 'memroy = 1G')
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[ "$stderr" = "capsule: $conf:3: unknown key 'memroy' in [vm]" ]
}

@test "an unknown section is reported" {
	conf=$(make_conf '[vmm]')
	run --separate-stderr "$capsule" -c "$conf"
	expect_status 2
	[ "$stderr" = "capsule: $conf:1: unknown section [vmm]" ]
}

@test "a bad value names the key" {
	conf=$(make_conf '[vm]' 'vcpus = many')
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[[ $stderr == "capsule: $conf:2: vcpus: 'many' is not a vCPU count"* ]]
}

@test "a missing kernel file is reported" {
	conf=$(make_conf '[kernel]' 'path = no-such-bzImage')
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[[ $stderr == "capsule: $conf:2: path: '$BATS_TEST_TMPDIR/no-such-bzImage': No such file or directory" ]]
}

@test "a missing config file is reported" {
	run --separate-stderr "$capsule" run -c /nonexistent/capsule.conf -- true
	expect_status 2
	[ "$stderr" = "capsule: /nonexistent/capsule.conf: No such file or directory" ]
}

@test "--help lists the commands and options" {
	run "$capsule" --help
	expect_status 0
	[[ $output == *"capsule run"* ]]
	[[ $output == *"--config FILE"* ]]
}

@test "an unknown option is a usage error" {
	run --separate-stderr "$capsule" --frobnicate
	expect_status 2
	[[ $stderr == *"unknown option '--frobnicate'"* ]]
}

@test "without /dev/kvm capsule says so in one line" {
	# A private /dev without kvm, whatever this machine has.
	run --separate-stderr unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" run -- true' "$capsule"
	expect_status 1
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == "capsule: /dev/kvm does not exist: this host has no KVM"* ]]
}

@test "capsule is one statically linked binary" {
	run file "$capsule"
	[[ $output == *"statically linked"* ]]
}
