/* The container's cgroups: one per mounted hierarchy, below the caller's own
 * cgroup of that hierarchy (never above it), through libcgroup. Limits are
 * set by the resource-control layer; this is creation, joining, killing and
 * removal. */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <sys/types.h>

struct ctr_error;
struct ctr_cgroup;

/* Create ctr-NAME below the cgroup of `caller` in every mounted hierarchy. A
 * leftover group of that name from a crash is emptied and reused. */
int ctr_cgroup_create(const char *name, pid_t caller, struct ctr_cgroup **ret, struct ctr_error **err);
/* Rebuild from the "controllers:path" strings saved in the run state. */
int ctr_cgroup_from_strv(char *const *v, struct ctr_cgroup **ret);
/* "controllers:path" strings, for the run state. */
int ctr_cgroup_to_strv(const struct ctr_cgroup *cg, char ***ret);
/* Move pid into the container's cgroup in every hierarchy. */
int ctr_cgroup_attach(const struct ctr_cgroup *cg, pid_t pid, struct ctr_error **err);
/* Send sig to every process in the container's cgroups; returns how many got it. */
int ctr_cgroup_signal_all(const struct ctr_cgroup *cg, int sig);
/* Kill what is left, wait (bounded) for the groups to empty, remove them. */
int ctr_cgroup_destroy(const struct ctr_cgroup *cg, struct ctr_error **err);
void ctr_cgroup_free(struct ctr_cgroup *cg);
static inline void ctr_cgroup_freep(struct ctr_cgroup **cg)
{
	ctr_cgroup_free(*cg);
}

#endif
