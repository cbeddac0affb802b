/* A container's resource limits, as stored in its config: OCI linux.resources
 * (memory, cpu, pids, blockIO, devices) and linux.devices (the extra device
 * nodes --device adds). The parsers of the user's values (sizes, CPU counts,
 * CPU lists, devices) live here too, so that the CLI and a panel calling the
 * library refuse the same nonsense with the same message. Applying them to
 * cgroups is src/cgroups/. */
#ifndef CTR_RESOURCES_H
#define CTR_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ctr_error;
typedef struct yajl_val_s *yajl_val;
typedef struct yajl_gen_t *yajl_gen;

#define CTR_RES_UNSET INT64_MIN /* not configured: whatever the kernel defaults to */
#define CTR_RES_MAX   (-1)	/* explicitly unlimited ("max") */

#define CTR_CPU_PERIOD_US 100000 /* the CFS period --cpus uses */

enum ctr_throttle {
	CTR_THROTTLE_READ_BPS,
	CTR_THROTTLE_WRITE_BPS,
	CTR_THROTTLE_READ_IOPS,
	CTR_THROTTLE_WRITE_IOPS,
	_CTR_THROTTLE_MAX,
};

struct ctr_throttle_dev {
	unsigned major, minor;
	uint64_t rate; /* bytes or operations per second */
};

/* A rule of the device allow-list. major/minor -1 mean any. */
struct ctr_device_rule {
	bool allow;
	char type; /* 'a' (all), 'c' or 'b' */
	int64_t major, minor;
	char access[4]; /* a subset of "rwm" */
};

/* A device node created in the container's /dev at start. */
struct ctr_device_node {
	char *path; /* absolute, under /dev */
	char type;  /* 'c' or 'b' */
	unsigned major, minor;
	unsigned mode; /* permission bits */
};

struct ctr_resources {
	int64_t memory_limit;	    /* bytes, CTR_RES_MAX or CTR_RES_UNSET */
	int64_t memory_swap;	    /* memory + swap (OCI's meaning), bytes, MAX or UNSET */
	int64_t memory_reservation; /* bytes; 0 or UNSET: none */
	uint64_t cpu_shares;	    /* 0: unset; v2 weight = shares * 100 / 1024 */
	int64_t cpu_quota;	    /* microseconds per period, MAX or UNSET */
	uint64_t cpu_period;	    /* microseconds; 0: unset */
	char *cpuset_cpus;
	char *cpuset_mems;
	int64_t pids_limit; /* MAX or UNSET */
	unsigned io_weight; /* 10..1000; 0: unset */
	struct ctr_throttle_dev *throttle[_CTR_THROTTLE_MAX];
	size_t n_throttle[_CTR_THROTTLE_MAX];
	struct ctr_device_rule *devices; /* after the default allow-list */
	size_t n_devices;
	struct ctr_device_node *nodes;
	size_t n_nodes;
};

void ctr_resources_init(struct ctr_resources *r);
void ctr_resources_done(struct ctr_resources *r);

/* The devices every container may use (null, zero, full, random, urandom,
 * tty, console, ptmx, pts/N); the config's rules come after these. */
extern const struct ctr_device_rule ctr_default_devices[];
extern const size_t ctr_n_default_devices;

/* OCI linux.resources / linux.devices. `path` prefixes error messages. */
int ctr_resources_parse(yajl_val v, struct ctr_resources *r, struct ctr_error **err);
int ctr_devices_parse(yajl_val v, struct ctr_resources *r, struct ctr_error **err);
/* Emit "resources" (always) and "devices" (when there are nodes) into an open map. */
void ctr_resources_gen(const struct ctr_resources *r, yajl_gen g);
/* A linux.devices path: 0, -EINVAL (not a plain path under /dev/) or -EEXIST
 * (a name ctr makes in every /dev itself). */
int ctr_device_path_valid(const char *path);
/* Consistency of the values with each other (not with the host). */
int ctr_resources_validate(const struct ctr_resources *r, struct ctr_error **err);

/* The create/set options (--memory, --cpus, ...): a name without the dashes
 * and the user's value. Options are applied in table order, whatever the
 * order given, so that --swap always sees the --memory of the same command. */
/* A command-line option of create/set that edits the config. */
struct ctr_option {
	const char *name;
	const char *arg;  /* placeholder, for help */
	const char *help; /* one line */
};
extern const struct ctr_option ctr_resource_options[];
extern const size_t ctr_n_resource_options;
/* Apply "name", "value" pairs (a NULL-terminated strv of even length). */
int ctr_resources_set(struct ctr_resources *r, char *const *pairs, struct ctr_error **err);

/* Value parsers, exposed for the unit tests. Return -EINVAL on nonsense. */
int ctr_parse_size(const char *s, int64_t *ret);       /* 512M, 1G, 1024, max (-1) */
int ctr_parse_cpus(const char *s, int64_t *ret_quota); /* 1.5 -> 150000 per 100000 us; max -> -1 */
/* A cpuset list ("0-3,6"): 0 when well-formed and inside `online` (same
 * syntax, e.g. /sys/devices/system/cpu/online), -ERANGE with the first id
 * outside in *ret_outside, -EINVAL when malformed. */
int ctr_parse_cpu_list(const char *s, const char *online, long *ret_outside);
uint64_t ctr_weight_to_shares(unsigned weight);
unsigned ctr_shares_to_weight(uint64_t shares);

#endif
