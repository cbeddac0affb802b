/* Shared by the files of src/cgroups/; not part of its interface. */
#ifndef CTR_CGROUP_INTERNAL_H
#define CTR_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct cgroup;

/* One hierarchy: the controllers mounted there (comma separated, as in
 * /proc/self/cgroup) and the container's path inside it. */
struct hier {
	char *controllers;
	char *path;
	char *mount; /* where the hierarchy is mounted; NULL until resolved */
	bool v2;     /* a cgroup2 (unified) hierarchy; valid once mount is set */
};

struct ctr_cgroup {
	struct hier *h;
	size_t n;
};

/* libcgroup's tables, read once per process; 0 or -ENOTSUP. */
int ctr_cg_lib_init(void);
/* A libcgroup group for h with all its controllers; NULL on ENOMEM. */
struct cgroup *ctr_cg_lib_group(const struct hier *h);
/* A libcgroup error as a positive errno. */
int ctr_cg_lib_errno(int r);
/* Fill in mount and v2 of every hierarchy (after ctr_cgroup_from_strv). */
int ctr_cg_resolve(struct ctr_cgroup *cg);

/* One control file through libcgroup, by the controller that addresses the
 * hierarchy. read returns the length read (lines joined with '\n'). */
int ctr_cg_write(const struct hier *h, const char *ctrl, const char *file, const char *value);
int ctr_cg_read(const struct hier *h, const char *ctrl, const char *file, char *buf, size_t size);

struct ctr_resources;
/* v2: replace the group's device program by one for the default allow-list
 * plus the rules of res. */
int ctr_cg_devices_bpf(const struct hier *h, const struct ctr_resources *res);

#endif
