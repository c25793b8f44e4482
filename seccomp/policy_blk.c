/* A block worker: one virtio-blk request at a time against a raw or qcow2 image. */
#include "policy.h"

const struct policy_rule policy_blk[] = {
	ALLOW(pread64),			/* image data and qcow2 metadata */
	ALLOW(pwrite64),
	ALLOW(preadv),
	ALLOW(pwritev),
	ALLOW(fallocate),		/* discard and write-zeroes: holes punched, ranges zeroed */
	POLICY_END
};
