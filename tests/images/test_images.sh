#!/usr/bin/env bash
# Checks the root filesystem images without booting them: the qcow2 is sound
# and holds what the raw ext4 holds, owners and modes are right, and python3
# runs chrooted into the unpacked tree (in a user namespace when not root).
#   test_images.sh DIR         the test image DIR/test.{img,qcow2} (images/test-image.sh)
#   test_images.sh --full DIR  also builds images/debian-bookworm.recipe afresh
#                              into a scratch directory (network: the Debian archive)
# Ends with "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
PATH=$PATH:/usr/sbin:/sbin

top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
full=0
[ "${1:-}" = --full ] && { full=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--full] DIR" >&2; exit 2; }
dir=$1
scratch=$(mktemp -d /tmp/capsule-images.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

check() {
	local what=$1; shift
	if "$@" >"$scratch/out" 2>&1; then
		passed=$((passed + 1)); echo "ok $what"
	else
		failed=$((failed + 1)); echo "FAIL $what"; sed 's/^/    /' "$scratch/out" | tail -5
	fi
}

# Runs a command chrooted into TREE as root, or as a user namespace's root.
in_tree() {
	local tree=$1; shift
	if [ "$(id -u)" -eq 0 ]; then chroot "$tree" "$@"; else unshare --map-root-user chroot "$tree" "$@"; fi
}

qcow2_sound() {
	qemu-img check -q "$1" && qemu-img info --output=json "$1" |
		grep -q '"compression-type": "zlib"'
}

# debugfs's stat of PATH has the fields FIELD: VALUE (User, Group, Mode).
inode_has() {
	local img=$1 path=$2 field=$3 want=$4
	debugfs -R "stat $path" "$img" 2>/dev/null | grep -Eq "(^|[[:space:]])$field:[[:space:]]+$want([[:space:]]|$)"
}

unpack() { mkdir -p "$2" && debugfs -R "rdump / $2" "$1" >/dev/null 2>&1 && [ -d "$2/usr/bin" ]; }

python_runs() {
	in_tree "$1" /usr/bin/python3 -c 'import sys; print(sys.version)' | grep -Eq '^3\.[0-9]+\.[0-9]+'
}

check_test_image() {
	local img=$dir/test.img qcow2=$dir/test.qcow2 tree=$scratch/test
	check "test image: qcow2 is sound and zlib-compressed" qcow2_sound "$qcow2"
	check "test image: raw and qcow2 hold the same bytes" qemu-img compare -q "$img" "$qcow2"
	check "test image: /usr/bin/python3.11 is root's, mode 0755" \
		eval 'inode_has "$img" /usr/bin/python3.11 User 0 && inode_has "$img" /usr/bin/python3.11 Mode 0755'
	check "test image: /home/tester belongs to 1000:1000" \
		eval 'inode_has "$img" /home/tester User 1000 && inode_has "$img" /home/tester Group 1000'
	check "test image: /tmp is 1777" inode_has "$img" /tmp Mode 01777
	check "test image: unpacks" unpack "$img" "$tree"
	check "test image: tester in /etc/passwd and /etc/group" \
		eval 'grep -qx "tester:x:1000:1000:tester:/home/tester:/bin/sh" "$tree/etc/passwd" &&
			grep -qx "tester:x:1000:" "$tree/etc/group"'
	check "test image: python3 prints its version" python_runs "$tree"
	check "test image: python3 imports http.server" in_tree "$tree" /usr/bin/python3 -c 'import http.server'
	check "test image: busybox sh runs" eval 'in_tree "$tree" /bin/sh -c "echo hi | wc -c" | grep -qx "3"'
	check "test image: empty /proc /sys /dev /run /srv" \
		eval 'for d in proc sys dev run srv; do [ -d "$tree/$d" ] && [ -z "$(ls -A "$tree/$d")" ] || exit 1; done'
}

check_recipe() {
	local out=$scratch/bookworm img=$scratch/bookworm.img tree=$scratch/bookworm-tree
	check "recipe: packages install (mmdebstrap --simulate)" \
		"$top/images/build-image.sh" --check debian-bookworm
	check "recipe: builds" "$top/images/build-image.sh" --out "$out" debian-bookworm
	check "recipe: a second run is a no-op" \
		eval '"$top/images/build-image.sh" --out "$out" debian-bookworm 2>&1 | grep -q "up to date"'
	check "recipe: qcow2 is sound and zlib-compressed" qcow2_sound "$out/debian-bookworm.qcow2"
	check "recipe: converts to raw" qemu-img convert -O raw "$out/debian-bookworm.qcow2" "$img"
	check "recipe: /etc/shadow is root:shadow 0640" \
		eval 'inode_has "$img" /etc/shadow User 0 && inode_has "$img" /etc/shadow Group 42 &&
			inode_has "$img" /etc/shadow Mode 0640'
	check "recipe: unpacks" unpack "$img" "$tree"
	check "recipe: python3 prints its version" python_runs "$tree"
	check "recipe: bash, wget, make, CA certificates" \
		eval '[ -x "$tree/usr/bin/bash" ] && [ -x "$tree/usr/bin/wget" ] && [ -x "$tree/usr/bin/make" ] &&
			[ -s "$tree/etc/ssl/certs/ca-certificates.crt" ]'
	check "recipe: no resolv.conf or hostname from the build host" \
		eval '[ ! -e "$tree/etc/resolv.conf" ] && [ ! -e "$tree/etc/hostname" ]'
	rm -rf "$tree" "$img"
}

check_test_image
[ $full -eq 0 ] || check_recipe
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
