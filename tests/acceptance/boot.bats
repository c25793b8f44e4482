# Booting the appliance under real KVM: the shell, run, exit statuses, CPUs, memory.
load helpers

@test "capsule boots to a shell prompt; poweroff ends it with status 0" {
	converse -e 'capsule:~# ' -s 'echo marker-$((6*7))\n' -e 'marker-42' -s 'poweroff\n'
	expect_status 0
}

@test "Ctrl-D at the shell prompt ends the VM with status 0" {
	converse -e 'capsule:~# ' -s 'echo before-eof\n' -e 'before-eof' -e 'capsule:~# ' -s '\x04'
	expect_status 0
}

@test "capsule run prints the command's output" {
	kvm_capsule run -- echo hello from the guest
	expect_status 0
	[ "$output" = "hello from the guest" ]
}

@test "capsule run keeps the command's stdout and stderr apart, byte for byte" {
	kvm_capsule run -- sh -c 'printf "out\r\n\001"; printf "err\n" >&2; exit 3'
	expect_status 3
	[ "$output" = "$(printf 'out\r\n\001')" ]
	[ "$stderr" = err ]
}

@test "capsule run passes arguments through untouched" {
	kvm_capsule run -- sh -c 'printf "[%s]" "$@"' sh 'a b' '' 'c,d' "it's"
	expect_status 0
	[ "$output" = "[a b][][c,d][it's]" ]
}

@test "capsule run exits with the command's status" {
	kvm_capsule run -- sh -c 'exit 7'
	expect_status 7
	kvm_capsule run -- true
	expect_status 0
}

@test "capsule run of a missing command exits 127" {
	run -127 --separate-stderr "$kvm_host" "$capsule" run -- no-such-command </dev/null
	[ -z "$output" ]
	[[ $stderr == *"no-such-command: No such file or directory"* ]]
}

@test "capsule run feeds stdin to the command" {
	kvm_capsule_stdin $'line one\nline two\n' run -- wc -l
	expect_status 0
	[ "$output" = 2 ]
}

@test "vcpus = 2 gives the guest two CPUs" {
	conf=$(make_conf '[vm]' 'vcpus = 2')
	kvm_capsule run -c "$conf" -- nproc
	expect_status 0
	[ "$output" = 2 ]
}

@test "guest MemTotal is close to the configured memory" {
	conf=$(make_conf '[vm]' 'memory = 192M')
	kvm_capsule run -c "$conf" -- sh -c "awk '/MemTotal/ {print \$2}' /proc/meminfo"
	expect_status 0
	# The kernel keeps a few MiB for itself: expect 160..192 MiB in KiB.
	[ "$output" -gt $((160 * 1024)) ]
	[ "$output" -le $((192 * 1024)) ]
}

@test "cmdline_append reaches the guest kernel" {
	conf=$(make_conf '[kernel]' 'cmdline_append = capsule_test_marker=1')
	kvm_capsule run -c "$conf" -- cat /proc/cmdline
	expect_status 0
	[[ $output == *capsule_test_marker=1* ]]
}
