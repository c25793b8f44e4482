/* The copy-in process: reads host trees through directory fds (never by path from the cwd), writes one tar stream. */
#include <fcntl.h>

#include "policy.h"

/* A dirfd with its sign bit clear: a real fd, never AT_FDCWD (-100). */
#define DIRFD_NOT_CWD(argn) CMP(argn, 0x80000000u, 0)

const struct policy_rule policy_transfer_send[] = {
	ALLOW(read),			/* the files' data */
	/* Files and directories below an open directory, for reading only. */
	{ SCMP_SYS(openat), "openat", 2,
	  { DIRFD_NOT_CWD(0), CMP(2, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, 0) } },
	ALLOW(getdents64),		/* readdir */
	/* lstat of a name in a directory. */
	{ SCMP_SYS(newfstatat), "newfstatat", 2,
	  { DIRFD_NOT_CWD(0), CMP(3, ~0u, AT_SYMLINK_NOFOLLOW) } },
	ALLOW(fstat),			/* what an open fd turned out to be */
	ALLOW_IF(readlinkat, 0, 0x80000000u, 0),	/* a symlink's target, by name in its directory */
	ALLOW_IF(fcntl, 1, ~0u, F_GETFL),	/* fdopendir's checks */
	ALLOW_IF(fcntl, 1, ~0u, F_SETFD),
	ALLOW(close),
	POLICY_END
};
