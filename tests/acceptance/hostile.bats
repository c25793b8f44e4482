# Hostile guests and images: nothing they write or name makes capsule read a host file it was not given.
load helpers

setup() {
	d=$BATS_TEST_TMPDIR
	# The secret sits beside the disk: the worst place, as backing-file rules go.
	token=capsule-secret-$RANDOM$RANDOM
	echo "$token" >"$d/secret"
}

# A qcow2 image, 8 MiB virtual, whose backing file is "secret" (raw): what the guest will try to write.
make_evil() {
	qemu-img create -q -f qcow2 -b secret -F raw "$d/evil.qcow2" 8M
	truncate -s 256K "$d/evil.qcow2"
}

# In the guest: the disk's size and whether the secret shows anywhere on it.
look='echo "sectors=$(cat /sys/block/vda/size)"; grep -c "$0" /dev/vda || true'

@test "a guest cannot turn its probed raw disk into a qcow2 image naming a host file" {
	make_evil
	truncate -s 1M "$d/disk.img"
	conf=$(make_conf '[disk d]' "path = $d/disk.img")
	# The rest of the image first, then its header over sector 0, as an attacker would.
	kvm_capsule_stdin "$(base64 -w0 "$d/evil.qcow2")" run -c "$conf" -- sh -c '
		base64 -d >/tmp/evil &&
		dd if=/tmp/evil of=/dev/vda bs=64k skip=1 seek=1 oflag=direct 2>/dev/null &&
		dd if=/tmp/evil of=/dev/vda bs=64k count=1 oflag=direct 2>/dev/null; echo "header=$?"'
	expect_status 0
	[ "$output" = header=1 ]
	[[ $stderr == *"disk.img: the guest wrote an image header into the first sector of this disk"* ]]
	[ "$(head -c 3 "$d/disk.img" | od -An -c | tr -d ' ')" = '\0\0\0' ]
	# The same config again: still a raw disk of 1 MiB, no secret.
	kvm_capsule run -c "$conf" -- sh -c "$look" "$token"
	expect_status 0
	[ "${lines[0]}" = sectors=2048 ]
	[ "${lines[1]}" = 0 ]
	# And --disk over the same image.
	kvm_capsule run --disk "$d/disk.img" -- sh -c "$look" "$token"
	expect_status 0
	[ "${lines[0]}" = sectors=2048 ]
	[ "${lines[1]}" = 0 ]
}

@test "with format = raw the guest may write any header, and the disk stays raw" {
	make_evil
	truncate -s 1M "$d/disk.img"
	conf=$(make_conf '[disk d]' "path = $d/disk.img" 'format = raw')
	kvm_capsule_stdin "$(base64 -w0 "$d/evil.qcow2")" run -c "$conf" -- sh -c '
		base64 -d >/tmp/evil && dd if=/tmp/evil of=/dev/vda bs=64k oflag=direct 2>/dev/null &&
		grep -c "$0" /dev/vda || true' "$token"
	expect_status 0
	[ "$output" = 0 ]
	[ "$(head -c 3 "$d/disk.img")" = QFI ]
	# The config says raw: the next start serves the same bytes, not the image they describe.
	kvm_capsule run -c "$conf" -- sh -c "$look" "$token"
	expect_status 0
	[ "${lines[0]}" = sectors=2048 ]
	[ "${lines[1]}" = 0 ]
}

# Crafted images are refused at start, before KVM is touched: no emulated host needed.
refused() { # BACKING-NAME MESSAGE-START
	qemu-img create -q -u -f qcow2 -b "$1" -F raw "$d/sub/crafted.qcow2" 1M
	run --separate-stderr "$capsule" run --disk "$d/sub/crafted.qcow2" -- true
	expect_status 2
	[ "${#lines[@]}" -eq 0 ] && [ "$(wc -l <<<"$stderr")" -eq 1 ] &&
		[[ $stderr == "capsule: [disk cli-0] $d/sub/crafted.qcow2: backing file $2"* ]] ||
		{ echo "stderr: $stderr"; return 1; }
}

@test "images naming /etc/shadow, ../secret or /dev/zero as backing files are refused at start" {
	mkdir "$d/sub"
	refused /etc/shadow "/etc/shadow is outside the image's directory $d/sub"
	refused ../secret "$d/secret is outside the image's directory $d/sub"
	refused /dev/zero "/dev/zero is outside the image's directory $d/sub"
	ln -s ../secret "$d/sub/link"
	refused link "$d/sub/link leaves $d/sub through a symlink"
}

@test "backing_dirs lets an image's backing file live in another directory" {
	mkdir "$d/base" "$d/over"
	truncate -s 1M "$d/base/b.raw"
	qemu-img create -q -f qcow2 -b ../base/b.raw -F raw "$d/over/o.qcow2" 1M
	conf=$(make_conf '[disk d]' "path = $d/over/o.qcow2" 'readonly = true')
	run --separate-stderr "$capsule" run -c "$conf" -- true
	expect_status 2
	[[ $stderr == *"backing file $d/base/b.raw is outside the image's directory $d/over"* ]]
	conf=$(make_conf '[disk d]' "path = $d/over/o.qcow2" 'readonly = true' 'backing_dirs = base')
	kvm_capsule run -c "$conf" -- cat /sys/block/vda/size
	expect_status 0
	[ "$output" = 2048 ]
}
