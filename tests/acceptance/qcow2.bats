# qcow2 disks and throwaway overlays under real KVM.
load helpers

@test "the guest reads files from a compressed qcow2 image" {
	mkdir -p "$BATS_TEST_TMPDIR/root/etc"
	echo "hello from a compressed image" >"$BATS_TEST_TMPDIR/root/hello.txt"
	head -c 3M /dev/urandom >"$BATS_TEST_TMPDIR/root/etc/blob"
	sha=$(sha256sum <"$BATS_TEST_TMPDIR/root/etc/blob" | cut -d' ' -f1)
	truncate -s 32M "$BATS_TEST_TMPDIR/fs.raw"
	mkfs.ext4 -q -F -d "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/fs.raw"
	qemu-img convert -c -O qcow2 "$BATS_TEST_TMPDIR/fs.raw" "$BATS_TEST_TMPDIR/fs.qcow2"
	# compressed: the image is smaller than what it holds
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/fs.qcow2")" -lt $((32 << 20)) ]
	conf=$(make_conf '[disk root]' "path = $BATS_TEST_TMPDIR/fs.qcow2" 'readonly = true')
	kvm_capsule run -c "$conf" -- sh -c \
		'mount -o ro /dev/vda /mnt && cat /mnt/hello.txt && sha256sum /mnt/etc/blob'
	expect_status 0
	[ "${lines[0]}" = "hello from a compressed image" ]
	[ "${lines[1]%% *}" = "$sha" ]
}

@test "writes to a snapshot disk vanish; the base image is untouched" {
	head -c 8M /dev/urandom >"$BATS_TEST_TMPDIR/base.img"
	before=$(sha256sum <"$BATS_TEST_TMPDIR/base.img")
	conf=$(make_conf '[disk scratch]' "path = $BATS_TEST_TMPDIR/base.img" 'snapshot = true')
	kvm_capsule run -c "$conf" -- sh -c \
		'yes overlay | head -c 65536 | dd of=/dev/vda bs=4096 seek=100 conv=fsync 2>/dev/null &&
		 echo 3 >/proc/sys/vm/drop_caches &&
		 dd if=/dev/vda bs=4096 skip=100 count=1 2>/dev/null | head -c 8'
	expect_status 0
	[ "$output" = "$(printf 'overlay\n')" ] || [ "$output" = overlay ]
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/base.img")" = "$before" ]
}

@test "capsule run --disk gives a throwaway overlay over a qcow2 image" {
	qemu-img create -q -f qcow2 "$BATS_TEST_TMPDIR/d.qcow2" 16M
	qemu-io -c 'write -P 0x5a 0 1M' "$BATS_TEST_TMPDIR/d.qcow2" >/dev/null
	before=$(sha256sum <"$BATS_TEST_TMPDIR/d.qcow2")
	kvm_capsule run --disk "$BATS_TEST_TMPDIR/d.qcow2" -- sh -c \
		'od -An -tx1 -N2 /dev/vda; dd if=/dev/zero of=/dev/vda bs=64k count=16 conv=fsync 2>/dev/null; od -An -tx1 -N2 /dev/vda'
	expect_status 0
	[ "$(echo ${lines[0]})" = "5a 5a" ]
	[ "$(echo ${lines[1]})" = "00 00" ]
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/d.qcow2")" = "$before" ]
	qemu-img check -q "$BATS_TEST_TMPDIR/d.qcow2"
}

@test "a corrupt qcow2 image is refused at start with its path" {
	qemu-img create -q -f qcow2 "$BATS_TEST_TMPDIR/bad.qcow2" 16M
	# L1 table offset (header bytes 40-47) pointed far beyond the file
	printf '\x00\x00\x10\x00\x00\x00\x00\x00' | dd of="$BATS_TEST_TMPDIR/bad.qcow2" bs=1 seek=40 conv=notrunc 2>/dev/null
	conf=$(make_conf '[disk bad]' "path = $BATS_TEST_TMPDIR/bad.qcow2")
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[[ $stderr == "capsule: [disk bad] $BATS_TEST_TMPDIR/bad.qcow2: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}
