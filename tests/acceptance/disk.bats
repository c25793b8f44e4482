# virtio-blk on raw images under real KVM: sizes, data both ways, read-only, two disks, discard.
load helpers

setup() {
	img=$BATS_TEST_TMPDIR/disk.img
}

# A config with one disk per argument ("PATH[,readonly]"), vda first.
disk_conf() {
	local lines=() i=0 spec
	for spec in "$@"; do
		lines+=("[disk d$i]" "path = ${spec%%,*}")
		[[ $spec == *,readonly ]] && lines+=("readonly = true")
		i=$((i + 1))
	done
	make_conf "${lines[@]}"
}

@test "the guest sees /dev/vda with the image's size" {
	truncate -s 64M "$img"
	kvm_capsule run -c "$(disk_conf "$img")" -- cat /sys/block/vda/size
	expect_status 0
	[ "$output" = 131072 ]
}

@test "what the guest writes is in the host file byte for byte" {
	truncate -s 16M "$img"
	kvm_capsule run -c "$(disk_conf "$img")" -- \
		sh -c 'yes capsule-pattern | head -c 1048576 | dd of=/dev/vda bs=64k conv=fsync 2>/dev/null'
	expect_status 0
	cmp <(yes capsule-pattern | head -c 1048576) <(head -c 1048576 "$img")
	# and nothing beyond it
	cmp <(head -c 1048576 /dev/zero) <(tail -c +1048577 "$img" | head -c 1048576)
}

@test "what the host wrote is what the guest reads" {
	truncate -s 16M "$img"
	head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/pattern"
	dd if="$BATS_TEST_TMPDIR/pattern" of="$img" bs=4096 seek=256 conv=notrunc 2>/dev/null
	kvm_capsule run -c "$(disk_conf "$img")" -- \
		sh -c 'dd if=/dev/vda bs=4096 skip=256 count=16 2>/dev/null | sha256sum'
	expect_status 0
	[ "${output%% *}" = "$(sha256sum <"$BATS_TEST_TMPDIR/pattern" | cut -d' ' -f1)" ]
}

@test "a read-only disk refuses writes and stays unchanged" {
	head -c 4M /dev/urandom >"$img"
	before=$(sha256sum <"$img")
	kvm_capsule run -c "$(disk_conf "$img,readonly")" -- \
		sh -c 'cat /sys/block/vda/ro; dd if=/dev/zero of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; echo "dd=$?"'
	expect_status 0
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" != dd=0 ]
	[ "$(sha256sum <"$img")" = "$before" ]
}

@test "two disks at once are vda and vdb" {
	truncate -s 8M "$img"
	truncate -s 24M "$img.2"
	kvm_capsule run -c "$(disk_conf "$img" "$img.2")" -- \
		sh -c 'cat /sys/block/vda/size /sys/block/vdb/size; echo two >/dev/vdb; sync'
	expect_status 0
	[ "${lines[0]}" = 16384 ]
	[ "${lines[1]}" = 49152 ]
	[ "$(head -c 3 "$img.2")" = two ]
}

@test "discard frees the host file's blocks" {
	# On a local filesystem of the KVM host (the shared /tmp may not punch holes).
	run --separate-stderr "$kvm_host" bash -c '
		d=$(mktemp -d /run/capsule-discard.XXXXXX) && cd "$d" &&
		head -c 16M /dev/urandom >disk.img && sync &&
		printf "[disk d]\npath = disk.img\n" >c.conf &&
		before=$(stat -c %b disk.img) &&
		"$0" run -c c.conf -- blkdiscard /dev/vda &&
		echo "$before $(stat -c %b disk.img) $(stat -c %s disk.img)"; s=$?; rm -rf "$d"; exit $s' "$capsule"
	expect_status 0
	read -r before after size <<<"$output"
	echo "allocated blocks: $before before, $after after"
	[ "$after" -lt $((before / 4)) ]
	[ "$size" -eq $((16 << 20)) ]
}

@test "a disk image that does not exist is a config error" {
	run --separate-stderr "$capsule" run -c "$(disk_conf /nonexistent.img)" -- true
	expect_status 2
	[[ $stderr == *"test.conf:2: path: '/nonexistent.img': No such file or directory" ]]
}

# In the guest: write to vda, then reset and probe it over and over on vCPU 1
# (config space reads, status writes) while vCPU 0 ends the VM.
shutdown_guest='
	dd if=/dev/urandom of=/dev/vda bs=64k count=16 seek=$((RANDOM % 512)) conv=fsync 2>/dev/null
	dev=$(basename "$(readlink /sys/block/vda/device)")
	d=/sys/bus/virtio/drivers/virtio_blk
	taskset 2 sh -c "while :; do echo $dev >$d/unbind; echo $dev >$d/bind; done" 2>/dev/null &
	sleep 0.$((RANDOM % 4 + 1))
	exit 7'

@test "the VM ends cleanly while another vCPU resets and probes its disk (10 runs)" {
	qemu-img create -q -f qcow2 "$BATS_TEST_TMPDIR/d.qcow2" 64M
	conf=$(make_conf '[vm]' 'vcpus = 2' '[disk d]' "path = $BATS_TEST_TMPDIR/d.qcow2")
	run --separate-stderr "$kvm_host" bash -c '
		for i in $(seq 10); do
			"$0" run -c "$1" -- sh -c "$3" </dev/null
			s=$?
			[ $s = 7 ] || { echo "run $i: exit status $s"; exit 1; }
			qemu-img check -q "$2" || { echo "run $i: image not clean"; exit 1; }
		done; echo done' "$capsule" "$conf" "$BATS_TEST_TMPDIR/d.qcow2" "$shutdown_guest"
	expect_status 0
	[ "$output" = done ]
}
