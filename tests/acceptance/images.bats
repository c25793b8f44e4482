# The test root filesystem image (images/test-image.sh, built by make test) as
# capsule run --image boots it: its python3 runs, its tester owns its home.
load helpers

@test "the test image boots with --image: python3 prints its version, tester owns its home" {
	kvm_capsule run --image "$top/out/images/test.qcow2" -u tester -- sh -c \
		'python3 -c "import sys; print(sys.version_info[0])" && stat -c "%u:%g %n" "$HOME"'
	expect_status 0
	[ "${lines[0]}" = 3 ]
	[ "${lines[1]}" = "1000:1000 /home/tester" ]
}
