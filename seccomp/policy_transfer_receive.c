/*
 * The copy-out process: reads a tar stream from a pipe and makes files under
 * directory fds, each name resolved by openat2() beneath them without
 * symlinks. Every *at() call must name a real directory fd, never AT_FDCWD.
 */
#include <fcntl.h>

#include "policy.h"

/* A dirfd with its sign bit clear: a real fd, never AT_FDCWD (-100). */
#define DIRFD_NOT_CWD(argn) CMP(argn, 0x80000000u, 0)

const struct policy_rule policy_transfer_receive[] = {
	ALLOW(read),			/* the stream */
	/* Every open (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, in a struct seccomp cannot read). */
	ALLOW_IF(openat2, 0, 0x80000000u, 0),
	ALLOW_IF(mkdirat, 0, 0x80000000u, 0),
	ALLOW_IF(symlinkat, 1, 0x80000000u, 0),
	/* What is in the way of a new file (never a directory: no AT_REMOVEDIR). */
	{ SCMP_SYS(unlinkat), "unlinkat", 2, { DIRFD_NOT_CWD(0), CMP(2, ~0u, 0) } },
	/* A hard link to a file this process made: the name itself (no AT_SYMLINK_FOLLOW, no AT_EMPTY_PATH). */
	{ SCMP_SYS(linkat), "linkat", 2, { DIRFD_NOT_CWD(0), CMP(4, ~0u, 0) } },
	/* lstat of a name in a directory. */
	{ SCMP_SYS(newfstatat), "newfstatat", 2,
	  { DIRFD_NOT_CWD(0), CMP(3, ~0u, AT_SYMLINK_NOFOLLOW) } },
	ALLOW(fstat),			/* a new file's inode, for hard links to it */
	ALLOW(fchmod),			/* modes, on fds of what was made */
	ALLOW_IF(utimensat, 0, 0x80000000u, 0),	/* mtimes: futimens, or a symlink's own by name */
	ALLOW(close),
	POLICY_END
};
