# The root filesystem images (images/) as the guest kernel sees them, before
# --image: the test image mounts and its python3 runs chrooted into it. Python
# needs /dev/urandom while the guest's kernel has no entropy yet (as --image's
# init provides: it moves /dev into the root).
load helpers

@test "the test image mounts in the guest and its python3 runs" {
	kvm_capsule run --disk "$top/out/images/test.qcow2" -- sh -c \
		'mount -t ext4 /dev/vda /mnt && stat -c "%u:%g" /mnt/home/tester &&
		 mount -o bind /dev /mnt/dev && chroot /mnt /usr/bin/python3 -c "import sys; print(sys.version_info[0])"'
	expect_status 0
	[ "${lines[0]}" = 1000:1000 ]
	[ "${lines[1]}" = 3 ]
}
