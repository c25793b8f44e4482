/* What the config parser knows of each section and key; shared by config*.c only. */
#ifndef CAPSULE_CONFIG_SCHEMA_H
#define CAPSULE_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Sets one key in TARGET (the section's object); on a bad value -1 with WHY filled. */
typedef int (*config_set_fn)(void *target, const char *value, const char *base_dir,
			     char *why, size_t whylen);

struct config_key {
	const char *name;
	config_set_fn set;
};

struct config_section {
	const char *name;
	bool named;		/* written "[name INSTANCE]" */
	const struct config_key *keys;
	/* The object the section's keys write into, or NULL with WHY filled. */
	void *(*open)(struct config *cfg, const char *instance, char *why, size_t whylen);
	/* Checks once the section ends (required keys); NULL when there are none. */
	int (*close)(void *target, char *why, size_t whylen);
};

/* Every section, ending with a NULL name. */
extern const struct config_section config_sections[];

/*
 * A new instance of a named section ([disk NAME], [net NAME]): the next of
 * the MAX elements of SIZE bytes at ELEMS (*COUNT in use), zeroed and named
 * INSTANCE, or NULL with WHY filled (the name is taken, or all are). Each
 * element starts with its char name[CONFIG_NAME_MAX]; WHAT names one ("disk").
 */
void *config_add_instance(void *elems, size_t size, unsigned *count, unsigned max,
			  const char *what, const char *instance, char *why, size_t whylen);

/* [net NAME] (config_net.c). */
extern const struct config_key config_net_keys[];
void *config_open_net(struct config *cfg, const char *instance, char *why, size_t whylen);
int config_close_net(void *target, char *why, size_t whylen);
/* Its user-mode part (config_net_user.c): the backend and forward keys, */
int config_set_backend(void *target, const char *value, const char *base_dir, char *why,
		       size_t whylen);
int config_set_forward(void *target, const char *value, const char *base_dir, char *why,
		       size_t whylen);
/* a tap, a bridge or queues > 1 on a user-mode NIC refused (0 or -1 with WHY), */
int config_net_user_conflict(const struct config_net *net, char *why, size_t whylen);
/* and at the section's end: forward only with user; a user-mode NIC's default addresses. */
int config_net_user_close(struct config_net *net, char *why, size_t whylen);

/* [control] (config_control.c). */
extern const struct config_key config_control_keys[];
void *config_open_control(struct config *cfg, const char *instance, char *why, size_t whylen);
/* [balloon] (config_balloon.c). */
extern const struct config_key config_balloon_keys[];
void *config_open_balloon(struct config *cfg, const char *instance, char *why, size_t whylen);

/* Value parsers for setters: 0, or -1 with WHY filled. */
int config_value_bool(const char *value, bool *out, char *why, size_t whylen);
int config_value_file(char *dst, size_t dstlen, const char *value, const char *base_dir,
		      char *why, size_t whylen);
/*
 * Which of NAMES (NULL-terminated) VALUE is: its index, or -1 with WHY
 * saying "'x' is not a, b or c".
 */
int config_value_choice(const char *value, const char *const *names, char *why, size_t whylen);

/* An existing directory, made absolute against BASE_DIR (NULL: left as given). */
int config_value_dir(char *dst, size_t dstlen, const char *value, const char *base_dir,
		     char *why, size_t whylen);

#endif
