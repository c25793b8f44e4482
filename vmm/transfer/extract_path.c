/* Copy-out's member names: made canonical, refused when they could leave their directory, matched to a route. */
#include "transfer/extract_path.h"

#include <string.h>

const char *extract_normalize(const char *name, size_t len, char *out)
{
	size_t o = 0;

	if (!len)
		return "an empty name";
	if (name[0] == '/')
		return "an absolute name";
	for (size_t i = 0; i < len;) {
		const char *slash = memchr(name + i, '/', len - i);
		size_t n = slash ? (size_t)(slash - name) - i : len - i;

		if (n == 2 && name[i] == '.' && name[i + 1] == '.')
			return "'..' in its name";
		if (n && !(n == 1 && name[i] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, name + i, n);
			o += n;
		}
		i += n + 1;
	}
	out[o] = 0;
	return NULL;
}

int extract_find_route(const struct tar_extract_route *routes, unsigned n, const char *path,
		       size_t *rel)
{
	int best = -1;
	size_t best_len = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *p = routes[i].prefix;
		size_t plen = strlen(p);

		if ((best < 0 || plen > best_len) &&
		    (!plen || (!strncmp(path, p, plen) && (path[plen] == 0 || path[plen] == '/')))) {
			best = (int)i;
			best_len = plen;
		}
	}
	if (best >= 0)
		*rel = best_len + (path[best_len] == '/');
	return best;
}
