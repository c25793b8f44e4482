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

@test "--boot-time reports each start-up step and the milestones; the output is the command's" {
	kvm_capsule run --boot-time -- echo timed
	expect_status 0
	[ "$output" = timed ]
	local steps=' config [0-9.]+ host-devices [0-9.]+ vm [0-9.]+ devices [0-9.]+ load [0-9.]+'
	steps+=' vcpus [0-9.]+ sandbox [0-9.]+ threads [0-9.]+$'
	# The vCPU thread's kernel-entry line may come before the main thread's lines.
	[[ $(grep '^capsule: started-at-ms' <<<"$stderr") =~ ^capsule:\ started-at-ms\ [0-9.]+\ steps-ms$steps ]]
	local vcpus kernel init
	vcpus=$(sed -n 's/^capsule: start-to-vcpus-ms //p' <<<"$stderr")
	kernel=$(sed -n 's/^capsule: kernel-entry-ms //p' <<<"$stderr")
	init=$(sed -n 's/^capsule: boot-time-ms //p' <<<"$stderr")
	# Every milestone after the start; the kernel entered before init starts.
	awk -v v="$vcpus" -v k="$kernel" -v i="$init" 'BEGIN { exit !(v > 0 && k > 0 && k < i && v < i) }'
	[ "$(grep -c '^capsule: ' <<<"$stderr")" -eq 4 ]
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
