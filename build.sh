#!/usr/bin/env bash
# Sets up a fresh Debian bookworm machine for capsule: packages, zlib built
# against musl, and the guest kernel. Idempotent; slow parts are cached outside
# the checkout (CAPSULE_CACHE, default /var/cache/capsule) keyed by their inputs.
# Writes out/deps.mk, which tells the Makefile where the built pieces are.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cache=${CAPSULE_CACHE:-/var/cache/capsule}
out=$top/out
jobs=$(nproc)

step() { printf '\033[1mbuild.sh: %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

packages=(
	gcc make musl-tools musl-dev libc6-dev file cpio xz-utils lz4 bc flex bison
	libelf-dev libssl-dev dpkg-dev kmod python3 patch
	linux-source-6.1 busybox-static linux-image-amd64
	qemu-system-x86 qemu-utils bats libseccomp-dev gperf clang
	iproute2 procps zlib1g-dev e2fsprogs util-linux passt
	mmdebstrap uidmap debian-archive-keyring
)

install_packages() {
	local missing=() p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
	step "installing ${missing[*]}"
	apt-get update -q >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# apt-get source with a private source list, leaving the machine's apt config alone.
apt_source() {
	local pkg=$1 dir=$2 uri lists
	uri=$(grep -rshoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null |
		awk '{print $2}' | grep -v -e security -e nodesource -e google | head -1 || true)
	[ -n "$uri" ] || die "no Debian archive URI found in /etc/apt/sources.list*"
	lists=$cache/apt-src
	mkdir -p "$lists/lists/partial" "$dir"
	echo "deb-src $uri bookworm main" >"$lists/sources.list"
	local opts=(-o Dir::Etc::SourceList="$lists/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$lists/lists" -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" update -q >/dev/null || die "apt-get update for deb-src $uri failed"
	(cd "$dir" && apt-get "${opts[@]}" source -q "$pkg" >/dev/null) || die "apt-get source $pkg failed"
}

build_zlib() {
	zlib=$cache/zlib-musl
	[ -f "$zlib/lib/libz.a" ] && return 0
	step "building zlib against musl"
	local src=$cache/zlib-src
	rm -rf "$src"
	apt_source zlib "$src"
	local d
	d=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'zlib-*' | head -1)
	[ -n "$d" ] || die "zlib source not unpacked in $src"
	(cd "$d" && CC=musl-gcc CFLAGS="-O2 -fPIC" ./configure --static --prefix="$zlib" >/dev/null &&
		make -j"$jobs" >/dev/null && make install >/dev/null) || die "zlib build failed in $d"
	rm -rf "$src"
}

build_kernel() {
	local cfg=$top/images/kernel.config tarball=/usr/src/linux-source-6.1.tar.xz hash src obj
	local patches=("$top"/images/kernel-patches/*.patch) p patched
	[ -f "$tarball" ] || die "$tarball missing (package linux-source-6.1)"
	# Contents only: the same config and patches from any checkout find the same cache.
	patched=$(cat "${patches[@]}" | sha256sum | cut -c1-16)
	hash=$( (sha256sum <"$cfg"; echo "$patched"; dpkg-query -W -f='${Version}' linux-source-6.1) |
		sha256sum | cut -c1-16)
	kernel_dir=$cache/kernel-$hash
	[ -f "$kernel_dir/vmlinux" ] && return 0
	src=$cache/linux-source-6.1
	# The unpacked tree remembers which patch set it carries; another set unpacks afresh.
	if [ "$(cat "$src/.unpacked" 2>/dev/null)" != "$patched" ]; then
		step "unpacking linux-source-6.1 and applying images/kernel-patches"
		rm -rf "$src" && mkdir -p "$cache"
		tar -C "$cache" -xf "$tarball" || die "cannot unpack $tarball"
		for p in "${patches[@]}"; do
			patch -s -d "$src" -p1 <"$p" || die "kernel patch $p does not apply"
		done
		echo "$patched" >"$src/.unpacked"
	fi
	obj=$cache/kernel-obj
	rm -rf "$obj" && mkdir -p "$obj"
	step "configuring guest kernel (tinyconfig + images/kernel.config)"
	make -s -C "$src" O="$obj" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$cfg" >/dev/null
	make -s -C "$src" O="$obj" olddefconfig >/dev/null
	local line bad=0
	while read -r line; do
		case "$line" in '#'* | '') continue ;; esac
		if [[ $line == *=n ]]; then
			grep -qx "${line%=n}=y" "$obj/.config" && { echo "  not applied: $line" >&2; bad=1; }
		else
			grep -qx "$line" "$obj/.config" || { echo "  not applied: $line" >&2; bad=1; }
		fi
	done <"$cfg"
	[ $bad -eq 0 ] || die "images/kernel.config options did not survive olddefconfig (see above)"
	step "building guest kernel with $jobs jobs (about 8 minutes; cached afterwards)"
	make -s -C "$src" O="$obj" -j"$jobs" bzImage >"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; die "kernel build failed; log in $obj/build.log"; }
	mkdir -p "$kernel_dir"
	cp "$obj/arch/x86/boot/bzImage" "$kernel_dir/bzImage"
	# What capsule embeds: the kernel proper, no decompressor to run at each boot.
	strip -o "$kernel_dir/vmlinux" "$obj/vmlinux" || die "cannot strip $obj/vmlinux"
	# The kernel has no kallsyms: addresses in its messages (initcall_debug, oopses) are looked up here.
	cp "$obj/System.map" "$kernel_dir/System.map"
	cp "$obj/.config" "$kernel_dir/config"
	rm -rf "$obj"
}

write_deps() {
	mkdir -p "$out"
	cat >"$out/deps.mk.tmp" <<EOF
# written by build.sh
KERNEL_IMAGE := $kernel_dir/vmlinux
KERNEL_BZIMAGE := $kernel_dir/bzImage
ZLIB_DIR := $zlib
BUSYBOX := /bin/busybox
EOF
	# Only a change touches it: the Makefile re-embeds the kernel when it does.
	if cmp -s "$out/deps.mk.tmp" "$out/deps.mk"; then rm "$out/deps.mk.tmp"; else mv "$out/deps.mk.tmp" "$out/deps.mk"; fi
}

main() {
	[ -r /etc/debian_version ] || die "capsule's build.sh expects Debian bookworm"
	install_packages
	[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' ||
		die "/bin/busybox is not the static build (package busybox-static)"
	# One build of the cache at a time: two would share kernel-obj and spoil it.
	mkdir -p "$cache"
	exec {lock}>"$cache/build.lock"
	flock "$lock"
	build_zlib
	build_kernel
	write_deps
	step "ready"
}

main "$@"
