#!/usr/bin/env bash
# Builds the guest's initramfs: our init, busybox with its applets, a little /etc.
# usage: initrd/mkinitrd.sh INIT BUSYBOX OUT.cpio [TOOL...]   (tools go to /usr/bin)
set -euo pipefail

init=$1 busybox=$2 out=$3
shift 3
root=$(mktemp -d)
chmod 0755 "$root"	# mktemp makes it 0700: / would shut out every user but root
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,mnt}
install -m 0755 "$init" "$root/init"
install -m 0755 "$busybox" "$root/bin/busybox"
for tool in "$@"; do
	install -m 0755 "$tool" "$root/usr/bin/"
done
# One link per applet, where busybox says it belongs.
for applet in $("$busybox" --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cat >"$root/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/sh
EOT
cat >"$root/etc/group" <<'EOT'
root:x:0:
EOT
cat >"$root/etc/profile" <<'EOT'
PS1='capsule:\w\$ '
export PS1
EOT
echo capsule >"$root/etc/hostname"
# A fixed timestamp keeps the archive the same from build to build.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
