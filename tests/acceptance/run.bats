# capsule run as a container runner: the request channel, -e/-w/--user, --image roots, copies.
load helpers

# The test image (images/test-image.sh, built by make test): busybox, python3, a user tester.
image=$top/out/images/test.qcow2

@test "-e, -w and --user take effect; a command and environment far past the kernel command line's limit arrive whole" {
	local args
	args=$(seq -f 'a%05g' 1 20000)
	# shellcheck disable=SC2086 # one argument per word
	kvm_capsule run -e FOO=bar -e 'SPACED=a  b' -e FOO=later -e "BIG=$(printf 'x%.0s' $(seq 50000))" \
		-w /srv/work -u 1000:5 -- sh -c 'echo "$FOO|$SPACED|${#BIG}|$#|${20000}"; pwd; id; echo "$HOME"' _ $args
	expect_status 0
	[ "${lines[0]}" = "later|a  b|50000|20000|a20000" ]
	[ "${lines[1]}" = /srv/work ]
	[ "${lines[2]}" = "uid=1000 gid=5" ]
	[ "${lines[3]}" = / ]
}

@test "--image: the image is the root, python3 runs from it; --user is the image's; writes vanish, or stay with --persist" {
	local raw=$BATS_TEST_TMPDIR/root.img
	kvm_capsule run --image "$image" -u tester -w /home/tester/w -- sh -c \
		'python3 -c "import sys; print(sys.version_info[0])"; id; pwd; echo "$HOME"; stat -c "%u:%g" "$HOME"
		cat /srv/mark 2>/dev/null || echo absent; echo written >/srv/mark 2>/dev/null || echo denied; exit 4'
	expect_status 4
	[ "$output" = "3
uid=1000(tester) gid=1000(tester) groups=1000(tester)
/home/tester/w
/home/tester
1000:1000
absent
denied" ]
	# As root (the default): the write goes to the throwaway overlay, the next run does not see it.
	kvm_capsule run --image "$image" -- sh -c 'cat /srv/mark 2>/dev/null || echo absent; echo written >/srv/mark'
	expect_status 0
	[ "$output" = absent ]
	cp --sparse=always "$top/out/images/test.img" "$raw"
	kvm_capsule run --image "$raw" --persist -- sh -c 'cat /srv/mark 2>/dev/null || echo absent; echo kept >/srv/mark'
	[ "$output" = absent ]
	kvm_capsule run -c "$(make_conf '[vm]' "root = $raw")" -- cat /srv/mark
	expect_status 0
	[ "$output" = kept ]
}

@test "--user names a user the image lacks: one line, status 126" {
	kvm_capsule run --image "$image" -u nosuch -- true
	expect_status 126
	[[ "$stderr" == *"--user nosuch: no user 'nosuch' in the guest's /etc/passwd"* ]]
}

@test "bad run options stop capsule before anything starts: one line, status 2" {
	local cases=(
		"-e =x|-e '=x': not NAME=VALUE"
		"-e A\ B=x|-e 'A B=x': not NAME=VALUE"
		"-w rel|-w 'rel': not an absolute path"
		"-u a:b:c|--user 'a:b:c': not UID[:GID]"
		"--image $BATS_TEST_TMPDIR/none.img|--image: '$BATS_TEST_TMPDIR/none.img': No such file"
		"--persist|--persist needs --image"
		"--copy-in nocolon|--copy-in 'nocolon': not HOST:GUEST"
		"--copy-out rel:/tmp/x|--copy-out: the guest path is not absolute"
	)
	for c in "${cases[@]}"; do
		eval "set -- ${c%%|*}"
		run --separate-stderr "$capsule" run "$@" -- true
		echo "$c -> $status: $stderr"
		[ "$status" -eq 2 ]
		[ "$(wc -l <<<"$stderr")" -le 2 ]	# the line, and the hint at --help
		[[ "$stderr" == *"${c#*|}"* ]]
	done
}

# converse.py on a pty of ROWSxCOLS, inside the KVM host, with capsule run ARGS after --.
pty_converse() {
	local size=$1
	shift
	run --separate-stderr "$kvm_host" "$top/tests/acceptance/converse.py" -t 200 -p "$size" "$@"
}

@test "-t on a terminal: the guest's terminal has its size and follows it; Ctrl-C reaches the command" {
	local cmd='stty size; trap "echo got-int; exit 5" INT; i=0
		while [ "$(stty size)" = "30 100" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		stty size; echo ready; while :; do sleep 0.1; done'
	pty_converse 30x100 -e '30 100' -r 40x120 -e ready -s '\x03' -- "$capsule" run -t -- sh -c "$cmd"
	echo "$output"
	expect_status 5
	[[ "$output" == *"40 120"*ready*got-int* ]]
}

@test "-i without -t: a terminal's input reaches the command, which gets pipes, not a terminal" {
	# The command's stdin is no terminal, though capsule's is.
	pty_converse 24x80 -e ready -s 'line\n\x04' -- "$capsule" run -i -- sh -c \
		'[ -t 0 ] && echo tty || echo pipe; echo ready; cat; echo to-stderr >&2'
	echo "$output"
	expect_status 0
	[[ "$output" == *pipe*ready*line*to-stderr* ]]
}

@test "--copy-in and --copy-out round-trip a tree (a symlink, an executable, 10 MiB) by checksum, even when the command fails" {
	local src=$BATS_TEST_TMPDIR/src out=$BATS_TEST_TMPDIR/out
	mkdir -p "$src/tree/sub"
	head -c $((10 << 20)) /dev/urandom >"$src/tree/big"
	echo hi >"$src/tree/sub/f"
	printf '#!/bin/sh\necho ran\n' >"$src/tree/run.sh"
	chmod 755 "$src/tree/run.sh"
	ln -s sub/f "$src/tree/link"
	# The guest copies the tree into the output directory, runs the script from there, and fails.
	kvm_capsule run --image "$image" -u tester --copy-in "$src:/src" --copy-out "/src/out:$out" -- sh -c \
		'stat -c "%u %n" /src/tree/big; mkdir /src/out && cp -a /src/tree /src/out/ && /src/out/tree/run.sh; exit 3'
	expect_status 3
	[ "$output" = "1000 /src/tree/big
ran" ]
	sums() { (cd "$1" && find . -type f -exec sha256sum {} + | sort); }
	[ "$(sums "$src/tree")" = "$(sums "$out/tree")" ]
	[ "$(readlink "$out/tree/link")" = sub/f ]
	[ -x "$out/tree/run.sh" ] && [ ! -x "$out/tree/big" ]
	[ "$(find "$out" | wc -l)" -eq 7 ]	# out, tree, sub, and the four entries: nothing else
}

@test "copies that cannot be made: a host path that is no directory stops capsule (2); a missing guest path, or more than --copy-out-max, fails the run (1)" {
	kvm_capsule run --copy-in /etc/hostname:/x -- true
	expect_status 2
	[[ "$stderr" == *"--copy-in"*"/etc/hostname"*"not a directory"* ]]
	kvm_capsule run --copy-out "/nonexistent:$BATS_TEST_TMPDIR/out" --copy-out-max 1M \
		--copy-out "/x:$BATS_TEST_TMPDIR/x" -- sh -c 'mkdir /x; head -c 3000000 /dev/zero >/x/big'
	expect_status 1
	[[ "$stderr" == *"--copy-out /nonexistent: No such file or directory"* ]]
	[[ "$stderr" == *"--copy-out: member 'x/big': over the budget of 1048576 bytes"* ]]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/x/big" 2>/dev/null || echo 0)" -le $((1 << 20)) ]
}

@test "a guest that sends its own --copy-out stream, ../ and symlink tricks included, reaches nothing outside HOST" {
	local out=$BATS_TEST_TMPDIR/box/out
	mkdir -p "$BATS_TEST_TMPDIR/box"
	# The command itself (root in the guest) writes a hostile archive to the copy-out port.
	local forge='import io, os, tarfile
def add(t, name, data=b"", kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data); i.mode = 0o4755
    t.addfile(i, io.BytesIO(data) if data else None)
port = next("/dev/" + d for d in os.listdir("/sys/class/virtio-ports")
            if open(f"/sys/class/virtio-ports/{d}/name").read().strip() == "capsule.copy-out")
with open(port, "wb") as f, tarfile.open(fileobj=f, mode="w|", format=tarfile.GNU_FORMAT) as t:
    add(t, "x/ok", b"fine")
    add(t, "x/suid", b"#!/bin/sh")
    add(t, "x/up", kind=tarfile.SYMTYPE, link="../..")
    add(t, "x/up/escaped", b"bad")
    add(t, "x/../escaped2", b"bad")'
	kvm_capsule run --image "$image" --copy-out "/x:$out" -- python3 -c "$forge"
	echo "$stderr"
	expect_status 1
	[ "$(cat "$out/ok")" = fine ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name 'escaped*')" ]
	[ "$(stat -c %a "$out/suid")" = 755 ]	# no setuid bit
	[ "$(readlink "$out/up")" = ../.. ]	# kept as it is, never followed
	# The first bad member stops the extraction; the rest is read and dropped.
	[[ "$stderr" == *"--copy-out: member 'x/up/escaped': "* ]]
}
