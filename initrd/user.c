/* Whom the workload runs as: --user UID[:GID] or NAME[:GROUP], looked up in its root's /etc files. */
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

static bool numeric(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The group part: a number, or a name in /etc/group. */
static int resolve_group(const char *spec, const char *g, struct init_user *u)
{
	struct group *gr;

	if (numeric(g)) {
		u->gid = (gid_t)strtoul(g, NULL, 10);
		return 0;
	}
	gr = getgrnam(g);
	if (!gr) {
		fprintf(stderr, "capsule: --user %s: no group '%s' in the guest's /etc/group\n", spec, g);
		return -1;
	}
	u->gid = gr->gr_gid;
	return 0;
}

/*
 * SPEC (NULL: root) into U, from the /etc/passwd and /etc/group of the root
 * the caller is in. A number without a passwd entry is taken as it is, with
 * group 0 and home / (docker's rule); a name must be there. -1 when not found.
 */
int init_resolve_user(const char *spec, struct init_user *u)
{
	char name[64];
	const char *colon;
	struct passwd *pw;

	*u = (struct init_user){ 0, 0, "root", "/root", false };
	if (!spec)
		return 0;
	colon = strchr(spec, ':');
	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	pw = numeric(name) ? getpwuid((uid_t)strtoul(name, NULL, 10)) : getpwnam(name);
	if (pw) {
		*u = (struct init_user){ pw->pw_uid, pw->pw_gid, strdup(pw->pw_name),
					 strdup(pw->pw_dir), true };
	} else if (numeric(name)) {
		*u = (struct init_user){ (uid_t)strtoul(name, NULL, 10), 0, NULL, "/", false };
	} else {
		fprintf(stderr, "capsule: --user %s: no user '%s' in the guest's /etc/passwd\n", spec,
			name);
		return -1;
	}
	return colon ? resolve_group(spec, colon + 1, u) : 0;
}

/* Become U: its groups (from /etc/group when it has a name there), then gid, then uid. */
int init_become_user(const struct init_user *u)
{
	int r = u->in_passwd ? initgroups(u->name, u->gid) : setgroups(0, NULL);

	if (r < 0 || setgid(u->gid) < 0 || setuid(u->uid) < 0) {
		perror("capsule: cannot become the --user");
		return -1;
	}
	return 0;
}
