/* Copy-out's member names: made canonical, refused when they could leave their directory, matched to a route. */
#ifndef CAPSULE_TRANSFER_EXTRACT_PATH_H
#define CAPSULE_TRANSFER_EXTRACT_PATH_H

#include <stddef.h>

#include "transfer/tar_extract.h"

/*
 * NAME (LEN bytes, no NUL) into OUT (LEN + 1 bytes at least) without empty
 * or "." names: "a//./b/" is "a/b", "." is "". NULL, or why it is refused:
 * "an empty name", "an absolute name", "'..' in its name".
 */
const char *extract_normalize(const char *name, size_t len, char *out);

/*
 * The route among the N ROUTES with the longest prefix the normalized PATH
 * starts with (whole names; "" takes everything), and in *REL where the
 * rest of PATH starts; -1 if none.
 */
int extract_find_route(const struct tar_extract_route *routes, unsigned n, const char *path,
		       size_t *rel);

#endif
