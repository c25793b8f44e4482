#!/usr/bin/env bash
# Builds a root filesystem image for `capsule run --image` from a recipe
# (images/NAME.recipe): mmdebstrap writes a tarball, images/tar2ext4.sh makes
# an ext4 of it with mke2fs -d, qemu-img compresses it into OUT/NAME.qcow2.
# Without root, mmdebstrap runs in its unshare mode (needs newuidmap and
# /etc/subuid, /etc/subgid entries) and the ext4 is made in the same kind of
# user namespace. The image is replaced only whole: a failed build leaves the
# previous one. OUT/NAME.key records the inputs it was built from; a second run
# with the same inputs does nothing. The archive's content is no input (a
# security update does not rebuild by itself): --force does.
# usage: images/build-image.sh [--force] [--check] [--out DIR] NAME
#   --check  only ask apt whether the recipe's packages install (mmdebstrap --simulate)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out/images
force=0 check=0

step() { printf '\033[1mbuild-image.sh: %s\033[0m\n' "$*" >&2; }
die() { printf 'build-image.sh: error: %s\n' "$*" >&2; exit 1; }

# --- the recipe: "key: value" lines; include, exclude and keep may repeat ---
suite='' variant='' size='' epoch='' include=() exclude=() keep=()
read_recipe() {
	local file=$1 n=0 line key value words
	[ -r "$file" ] || die "no recipe $file"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case "$line" in '#'* | '') continue ;; esac
		[[ $line =~ ^([a-z-]+):[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] ||
			die "$file:$n: expected 'key: value'"
		key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
		case "$key" in
		suite) suite=$value ;;
		variant) variant=$value ;;
		size-mib) [[ $value =~ ^[0-9]{2,6}$ ]] || die "$file:$n: size-mib must be a number of MiB"; size=$value ;;
		epoch) [[ $value =~ ^[0-9]{1,12}$ ]] || die "$file:$n: epoch must be seconds since 1970"; epoch=$value ;;
		include) read -ra words <<<"$value"; include+=("${words[@]}") ;;
		exclude) read -ra words <<<"$value"; exclude+=("${words[@]}") ;;
		keep) read -ra words <<<"$value"; keep+=("${words[@]}") ;;
		*) die "$file:$n: unknown key '$key'" ;;
		esac
	done <"$file"
	local k
	for k in suite variant size epoch; do
		[ -n "${!k}" ] || die "$file: no ${k/size/size-mib}"
	done
}

# --- the archive: the machine's own Debian mirror, as apt is configured ---
mirror_uri() {
	local pattern=$1
	grep -rshoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null |
		awk '{print $2}' | grep -E "$pattern" | head -1 || true
}
mirrors=()
find_mirrors() {
	local main security
	main=${CAPSULE_MIRROR:-$(mirror_uri '/debian/?$')}
	security=${CAPSULE_SECURITY_MIRROR:-$(mirror_uri '/debian-security/?$')}
	[ -n "$main" ] || die "no Debian archive URI in /etc/apt/sources.list* (set CAPSULE_MIRROR)"
	mirrors=("deb $main $suite main" "deb $main $suite-updates main")
	[ -z "$security" ] || mirrors+=("deb $security $suite-security main")
}

mmdebstrap_args() {
	local p
	args=(--variant="$variant" --include="$(IFS=,; echo "${include[*]}")")
	for p in "${exclude[@]}"; do args+=(--dpkgopt="path-exclude=$p"); done
	for p in "${keep[@]}"; do args+=(--dpkgopt="path-include=$p"); done
	# The guest's init writes these at boot; the build host's copies would leak in.
	args+=(--customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"')
}

# Everything the image is made from, but the archive's content.
input_key() {
	(cat "$recipe" "$top/images/build-image.sh" "$top/images/tar2ext4.sh"
		printf '%s\n' "${mirrors[@]}"
		dpkg-query -W -f='${Version}\n' mmdebstrap e2fsprogs qemu-utils) | sha256sum | cut -c1-64
}

# A UUID made from the key: the same inputs give the same file system.
uuid_of() { echo "${1:0:8}-${1:8:4}-4${1:13:3}-8${1:17:3}-${1:20:12}"; }

build() {
	local key=$1 tmp start mkfs=()
	start=$(date +%s)
	mkdir -p "$out"
	tmp=$(mktemp -d "$out/.$name.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" EXIT
	trap 'exit 1' INT TERM HUP	# through the EXIT trap
	# Without root, the namespace's root is a subordinate uid: it may write in
	# tmp, and what it leaves there (the ext4) the owner of tmp can still remove.
	[ "$(id -u)" -eq 0 ] || { chmod 777 "$tmp"; mkfs=(mmdebstrap --unshare-helper); }
	step "mmdebstrap $suite ($variant + ${include[*]})"
	SOURCE_DATE_EPOCH=$epoch nice mmdebstrap --quiet "${args[@]}" "$suite" "$tmp/root.tar" "${mirrors[@]}" ||
		die "mmdebstrap failed"
	step "ext4 of ${size} MiB (mke2fs -d)"
	nice "${mkfs[@]}" "$top/images/tar2ext4.sh" "$tmp/root.tar" "$tmp/root.img" "$size" "$name" \
		"$(uuid_of "$key")" "$epoch" || die "making the ext4 failed"
	rm -f "$tmp/root.tar"
	step "compressing to qcow2"
	nice qemu-img convert -c -O qcow2 -o compression_type=zlib "$tmp/root.img" "$tmp/$name.qcow2" ||
		die "qemu-img convert failed"
	qemu-img check -q "$tmp/$name.qcow2" || die "qemu-img check found errors in $tmp/$name.qcow2"
	# The image first, then its key: a crash in between only costs a rebuild.
	mv "$tmp/$name.qcow2" "$out/$name.qcow2"
	echo "$key" >"$tmp/key" && mv "$tmp/key" "$out/$name.key"
	step "$out/$name.qcow2: $(du -h --apparent-size "$out/$name.qcow2" | cut -f1) in $(($(date +%s) - start)) s"
}

main() {
	while [ $# -gt 1 ]; do
		case "$1" in
		--force) force=1 ;;
		--check) check=1 ;;
		--out) out=$2; shift ;;
		*) die "unknown option $1" ;;
		esac
		shift
	done
	[ $# -eq 1 ] || die "usage: $0 [--force] [--check] [--out DIR] NAME"
	name=$1
	[[ $name =~ ^[a-z0-9][a-z0-9.-]*$ ]] || die "bad image name: $name"
	recipe=$top/images/$name.recipe
	command -v mmdebstrap >/dev/null || die "mmdebstrap missing (run ./build.sh, or apt-get install mmdebstrap)"
	read_recipe "$recipe"
	find_mirrors
	mmdebstrap_args
	if [ $check -eq 1 ]; then
		step "checking that $name's packages install (mmdebstrap --simulate)"
		mmdebstrap --quiet --simulate "${args[@]}" "$suite" /dev/null "${mirrors[@]}" || die "recipe $recipe does not install"
		return 0
	fi
	local key
	key=$(input_key)
	if [ $force -eq 0 ] && [ -f "$out/$name.qcow2" ] && [ "$(cat "$out/$name.key" 2>/dev/null)" = "$key" ]; then
		step "$out/$name.qcow2 is up to date"
		return 0
	fi
	build "$key"
}

main "$@"
