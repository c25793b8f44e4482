#!/usr/bin/env bash
# Builds the small root filesystem image the tests boot with --image, from what
# this machine already has: no network, a few seconds. Debian's python3 (its
# binary, the libraries ldd names and the standard library without its tests
# and tools), busybox-static for sh and the usual commands, root and a user
# tester (uid 1000, gid 1000, home /home/tester), /etc/os-release and hosts, empty
# /proc /sys /dev /run /tmp and a /srv. Merged /usr like Debian's.
# Writes DIR/test.img (raw ext4) and DIR/test.qcow2 (compressed), each whole or
# not at all. Needs no root: as a user it runs mke2fs in a user namespace
# where the user is root, so the files belong to root in the image.
# usage: images/test-image.sh DIR
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

SIZE_MIB=128	# room for the tests' own files (a 10 MiB copy-in, a --persist write)
EPOCH=1747699200	# timestamps in the image: the same as the bookworm recipe's
UUID=c0ffee00-7e57-4000-8000-000000000001
PYTHON=/usr/bin/python3	# Debian's, not one that PATH may find first
BUSYBOX=/bin/busybox

die() { printf 'test-image.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 DIR"
out=$1
python=$(readlink -f "$PYTHON")
[ -x "$python" ] || die "$PYTHON missing (package python3)"
file -L "$BUSYBOX" | grep -q 'statically linked' || die "$BUSYBOX is not static (package busybox-static)"
pyver=${python##*/python}
stdlib=/usr/lib/python$pyver
[ -f "$stdlib/os.py" ] || die "no standard library in $stdlib"

mkdir -p "$out"
tmp=$(mktemp -d "$out/.test-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP	# through the EXIT trap
tree=$tmp/root

# Copy PATH into the tree at the place it really lives, with each symlink on
# the way (libz.so.1 -> libz.so.1.2.13), the tree having the host's merged /usr.
copy_path() {
	local path=$1 depth=${2:-0} dir
	[ "$depth" -lt 8 ] || die "symlink chain too long at $path"
	dir=$(readlink -f "$(dirname "$path")")
	path=$dir/${path##*/}
	[ -e "$tree$path" ] || [ -L "$tree$path" ] && return 0
	mkdir -p "$tree$dir"
	cp -P --preserve=mode,timestamps "$path" "$tree$path"
	[ -L "$path" ] && copy_path "$(readlink -f "$path")" $((depth + 1))
	return 0
}

# The shared libraries an ELF file needs, as ldd names them.
libs_of() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
}

make_layout() {
	mkdir -p "$tree"/usr/{bin,sbin,lib,lib64} "$tree"/{etc,proc,sys,dev,run,srv,root,home/tester,tmp,var/tmp}
	local d
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$tree/$d"; done
	chmod 1777 "$tree/tmp" "$tree/var/tmp"
	chmod 700 "$tree/root"
}

add_python() {
	copy_path "$PYTHON"
	# The standard library without what no test needs: its own test suite, IDLE
	# and Tk, 2to3, pip's wheels, the embedding kit, optimised bytecode, and the
	# modules that pull in big libraries (NIS and Kerberos, curses, Berkeley DB).
	local dyn="${stdlib#/}/lib-dynload"
	tar -C / -cf - --exclude='*.opt-[12].pyc' \
		--exclude="${stdlib#/}/"{test,idlelib,tkinter,turtledemo,lib2to3,ensurepip,pydoc_data,distutils} \
		--exclude="${stdlib#/}/config-*" --exclude="$dyn/"{'*_test*',xx\*,nis.\*,_dbm.\*,_curses\*,ossaudiodev.\*} \
		"${stdlib#/}" | tar -C "$tree" -xf -
	# Debian's site.py imports sitecustomize, a link into /etc.
	[ ! -d "/etc/python$pyver" ] || copy_path "/etc/python$pyver/sitecustomize.py"
	local f lib
	for f in "$python" "$tree$stdlib"/lib-dynload/*.so; do
		for lib in $(libs_of "$f"); do copy_path "$lib"; done
	done
}

add_busybox() {
	cp "$BUSYBOX" "$tree/usr/bin/busybox"
	local applet
	while read -r applet; do
		case "$applet" in bin/* | sbin/*) applet=usr/$applet ;; usr/bin/* | usr/sbin/*) ;; *) continue ;; esac
		[ -e "$tree/$applet" ] || ln -s /usr/bin/busybox "$tree/$applet"
	done < <("$BUSYBOX" --list-full)
}

add_etc() {
	cat >"$tree/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
	cat >"$tree/etc/group" <<'EOF'
root:x:0:
tester:x:1000:
nogroup:x:65534:
EOF
	cat >"$tree/etc/os-release" <<'EOF'
PRETTY_NAME="capsule test image"
NAME="capsule test image"
ID=capsule-test
EOF
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$tree/etc/nsswitch.conf"
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$tree/etc/hosts"
}

# mke2fs takes owners from the tree: run it where the tree's owner is root.
make_ext4() {
	local as_root=()
	[ "$(id -u)" -eq 0 ] || as_root=(unshare --map-root-user)
	truncate -s "${SIZE_MIB}M" "$tmp/test.img"
	E2FSPROGS_FAKE_TIME=$EPOCH "${as_root[@]}" mke2fs -q -F -t ext4 -b 4096 -L capsule-test -U "$UUID" \
		-E "hash_seed=$UUID" -m 0 -d "$tree" "$tmp/test.img" || die "mke2fs failed"
	# The one thing not root's: tester's home.
	printf '%s\n' "sif /home/tester uid 1000" "sif /home/tester gid 1000" |
		debugfs -w -f - "$tmp/test.img" >/dev/null 2>&1 || die "debugfs could not give /home/tester to tester"
	qemu-img convert -c -O qcow2 -o compression_type=zlib "$tmp/test.img" "$tmp/test.qcow2" ||
		die "qemu-img convert failed"
}

make_layout
add_python
add_busybox
add_etc
make_ext4
mv "$tmp/test.img" "$out/test.img"
mv "$tmp/test.qcow2" "$out/test.qcow2"
