#!/usr/bin/env bash
# Turns a root filesystem tarball into an ext4 image with mke2fs -d (e2fsprogs
# 1.47.0's -d takes a directory only, so the tarball is unpacked first).
# Run as root, or as the root of a user namespace that maps the tarball's
# owners (`mmdebstrap --unshare-helper`): mke2fs copies owners from the tree.
# usage: images/tar2ext4.sh ROOT.tar OUT.img SIZE_MIB LABEL UUID EPOCH
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

die() { printf 'tar2ext4.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 6 ] || die "usage: $0 ROOT.tar OUT.img SIZE_MIB LABEL UUID EPOCH"
tarball=$1 img=$2 size=$3 label=$4 uuid=$5 epoch=$6
[[ $size =~ ^[0-9]+$ ]] || die "bad size: $size"
[[ $epoch =~ ^[0-9]+$ ]] || die "bad epoch: $epoch"

# The tree holds files of many owners: only this namespace can remove it again.
tree=$(mktemp -d "$(dirname "$img")/.tree.XXXXXX")
trap 'rm -rf "$tree"' EXIT

# /dev stays empty: the guest's init moves its own /dev over it, and a user
# namespace could not create the device nodes anyway.
tar --numeric-owner --same-permissions --xattrs --xattrs-include='*' \
	--exclude='./dev/*' -xf "$tarball" -C "$tree" || die "cannot unpack $tarball"

# A fixed UUID, hash seed and clock: the same tree gives the same image.
rm -f "$img"
truncate -s "${size}M" "$img"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -F -t ext4 -L "$label" -U "$uuid" \
	-E "hash_seed=$uuid" -m 0 -d "$tree" "$img" || die "mke2fs failed for $img"
