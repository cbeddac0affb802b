/* The container's cgroups: one per mounted hierarchy, below the caller's own
 * cgroup of that hierarchy (never above it), through libcgroup: creation,
 * joining, limits (cgroup v1 or v2, whichever holds each controller), usage
 * statistics, freezing, killing and removal. */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

struct ctr_error;
struct ctr_cgroup;
struct ctr_resources;

/* Create ctr-NAME below the cgroup of `caller` in every mounted hierarchy, or
 * below parent_path (the same path in every hierarchy, created if missing)
 * when the host configures one. A leftover group of that name from a crash is
 * emptied first. */
int ctr_cgroup_create(const char *name, pid_t caller, const char *parent_path, struct ctr_cgroup **ret,
		      struct ctr_error **err);
/* Rebuild from the "controllers:path" strings saved in the run state. */
int ctr_cgroup_from_strv(char *const *v, struct ctr_cgroup **ret);
/* "controllers:path" strings, for the run state. */
int ctr_cgroup_to_strv(const struct ctr_cgroup *cg, char ***ret);
/* Move pid into the container's cgroup in every hierarchy. */
int ctr_cgroup_attach(const struct ctr_cgroup *cg, pid_t pid, struct ctr_error **err);
/* Send sig to every process in the container's cgroups; returns how many got it. */
int ctr_cgroup_signal_all(const struct ctr_cgroup *cg, int sig);
/* Kill what is left, wait (bounded) for the groups to empty, remove them. */
int ctr_cgroup_destroy(struct ctr_cgroup *cg, struct ctr_error **err);
/* Write the limits. With `old` (a running container's current settings), only
 * what differs, and on failure what was already changed is put back. */
int ctr_cgroup_apply(struct ctr_cgroup *cg, const struct ctr_resources *res, const struct ctr_resources *old,
		     struct ctr_error **err);

/* Pause (v1 freezer / v2 cgroup.freeze) or resume; waits, bounded, until done. */
int ctr_cgroup_freeze(struct ctr_cgroup *cg, bool frozen, struct ctr_error **err);
/* 1 when frozen (or freezing), 0 when not, -errno. */
int ctr_cgroup_frozen(struct ctr_cgroup *cg);

/* Usage, peaks, limits and failure counters, OpenVZ beancounter style. A value
 * the host does not provide is CTR_STAT_NONE; an unlimited limit is
 * CTR_STAT_UNLIMITED. */
#define CTR_STAT_NONE	   (-1)
#define CTR_STAT_UNLIMITED (-2)
struct ctr_stats {
	int64_t memory_usage, memory_peak, memory_limit, memory_failcnt, memory_oom_kills;
	int64_t swap_usage, swap_limit;
	int64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
	int64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
	int64_t cpu_quota_us, cpu_period_us, cpu_weight;
	int64_t pids_current, pids_peak, pids_limit, pids_failcnt;
	int64_t io_read_bytes, io_write_bytes, io_read_ops, io_write_ops;
	char cpuset_cpus[256];
	bool frozen;
};
int ctr_cgroup_stats(struct ctr_cgroup *cg, struct ctr_stats *ret, struct ctr_error **err);

void ctr_cgroup_free(struct ctr_cgroup *cg);
static inline void ctr_cgroup_freep(struct ctr_cgroup **cg)
{
	ctr_cgroup_free(*cg);
}

#endif
