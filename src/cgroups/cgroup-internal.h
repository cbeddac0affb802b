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
	bool gone;   /* removed (during ctr_cgroup_destroy) */
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

/* One control file of h (mount resolved). write: one write(2) in the group's
 * directory (see limits.c for why not libcgroup's modify); read: through
 * libcgroup by a controller of the hierarchy, returning the length read. */
int ctr_cg_write(const struct hier *h, const char *file, const char *value);
int ctr_cg_read(const struct hier *h, const char *ctrl, const char *file, char *buf, size_t size);

/* Where a setting lives: the hierarchy, the controller libcgroup addresses
 * it by, and the version (which decides the file names and formats). */
struct ctr_cg_target {
	const struct hier *h;
	char ctrl[64];
	bool v2;
};
/* The hierarchy of a controller: a v1 one first (on a hybrid host the v1
 * hierarchy holds the processes), else the v2 one that has v2_ctrl (NULL: a
 * core file, any v2 hierarchy). -ENOENT when there is none. */
int ctr_cg_find(const struct ctr_cgroup *cg, const char *v1_ctrl, const char *v2_ctrl, struct ctr_cg_target *ret);
/* The first line of `file` in the parent group of `path` (h's hierarchy). */
int ctr_cg_read_parent(const struct hier *h, const char *path, const char *ctrl, const char *file, char *buf,
		       size_t size);

struct ctr_resources;

/* The settings of the cgroup table (limits.c), in the order they are written. */
enum ctr_cg_knob {
	K_CPUSET_CPUS,
	K_CPUSET_MEMS,
	K_MEM_LIMIT,
	K_MEM_SWAP,
	K_MEM_LOW,
	K_CPU_WEIGHT,
	K_CPU_MAX,
	K_PIDS,
	K_IO_WEIGHT,
	K_IO_MAX,
	K_DEVICES,
	_K_MAX,
};

/* One control-file write. from_parent: the value is the parent group's
 * (an unset v1 cpuset), read when the write happens. */
struct ctr_cg_write {
	const char *file;
	char value[192];
	bool from_parent;
};
struct ctr_cg_writes {
	struct ctr_cg_write *w;
	size_t n;
};
void ctr_cg_writes_done(struct ctr_cg_writes *ws);

/* The writes, in order, that give knob k the value it has in r, on a v1 or v2
 * group: the cgroup table as data, for limits.c and the unit tests. prev is
 * what the group has now (a live change: throttles and device rules it no
 * longer has are lifted), or NULL at start. has() tells whether the group has
 * a file (the I/O weight's depends on the disk scheduler). The v2 device list
 * is a BPF program, not writes. */
int ctr_cg_knob_writes(enum ctr_cg_knob k, bool v2, const struct ctr_resources *r, const struct ctr_resources *prev,
		       bool (*has)(const void *data, const char *file), const void *data, struct ctr_cg_writes *ws);

/* v2: replace the group's device program by one for the default allow-list
 * plus the rules of res. */
int ctr_cg_devices_bpf(const struct hier *h, const struct ctr_resources *res);

#endif
