/* Resource control of running containers: live limit changes, pause and
 * resume, usage statistics. The limits themselves are applied at start by
 * the monitor's cgroup helper (monitor.c). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cgroups/cgroup.h"
#include "container.h"
#include "internal.h"
#include "rootfs/rootfs.h"
#include "util.h"

static int state_cgroup(const struct ctr_state *st, const char *name, struct ctr_cgroup **ret, struct ctr_error **err)
{
	int r;

	if (!st->cgroups || !st->cgroups[0])
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, ESRCH, "container '%s' has no cgroups yet (%s)", name,
				      ctr_status_to_string(st->status));
	r = ctr_cgroup_from_strv(st->cgroups, ret);
	return r < 0 ? ctr_error_sys(err, -r, "read the cgroups of '%s' from its run state", name) : 0;
}

/* The run state of a container that must be running (or paused). */
static int running_state(struct ctr_context *ctx, const char *name, bool repair, struct ctr_state *ret,
			 struct ctr_error **err)
{
	int r = ctr_name_validate(name, err);

	if (r < 0)
		return r;
	r = ctr_container_exists(ctx, name, err);
	if (r < 0)
		return r;
	r = ctr_load_state(ctx, name, repair, ret, err);
	if (r < 0)
		return r;
	if (ret->status != CTR_RUNNING) {
		r = ctr_error_user(err, CTR_ERR_WRONG_STATE, ESRCH, "container '%s' is %s, not running", name,
				   ctr_status_to_string(ret->status));
		ctr_state_done(ret);
	}
	return r;
}

/* The cgroups of a running container's state when it is frozen, else NULL. */
static struct ctr_cgroup *frozen_cgroup(const struct ctr_state *st)
{
	struct ctr_cgroup *cg = NULL;

	if (st->status != CTR_RUNNING || !st->cgroups || !st->cgroups[0] || ctr_cgroup_from_strv(st->cgroups, &cg) < 0)
		return NULL;
	if (ctr_cgroup_frozen(cg) > 0)
		return cg;
	ctr_cgroup_free(cg);
	return NULL;
}

int ctr_paused(const struct ctr_state *st)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = frozen_cgroup(st);

	return cg != NULL;
}

int ctr_thaw_if_paused(const struct ctr_state *st, struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = frozen_cgroup(st);

	return cg ? ctr_cgroup_freeze(cg, false, err) : 0;
}

/* The cgroups of a container that must be running (or paused). */
static int running_cgroup(struct ctr_context *ctx, const char *name, bool repair, struct ctr_cgroup **ret,
			  struct ctr_error **err)
{
	struct ctr_state st = { 0 };
	int r;

	r = running_state(ctx, name, repair, &st, err);
	if (r < 0)
		return r;
	r = state_cgroup(&st, name, ret, err);
	ctr_state_done(&st);
	return r;
}

static int set_paused(struct ctr_context *ctx, const char *name, bool pause, struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	_cleanup_close_ int lock = -1;
	int r, frozen;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		return r;
	r = running_cgroup(ctx, name, true, &cg, err);
	if (r < 0)
		return r;
	frozen = ctr_cgroup_frozen(cg);
	if (frozen < 0)
		return ctr_error_sys(err, -frozen, "read the freezer state of '%s'", name);
	if (frozen == pause)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, EALREADY,
				      pause ? "container '%s' is already paused" : "container '%s' is not paused",
				      name);
	r = ctr_cgroup_freeze(cg, pause, err);
	return r < 0 ? ctr_error_wrap(err, "%s %s", pause ? "pause" : "resume", name) : 0;
}

int ctr_pause(struct ctr_context *ctx, const char *name, struct ctr_error **err)
{
	return set_paused(ctx, name, true, err);
}

int ctr_resume(struct ctr_context *ctx, const char *name, struct ctr_error **err)
{
	return set_paused(ctx, name, false, err);
}

int ctr_stats_get(struct ctr_context *ctx, const char *name, struct ctr_stats *ret, struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	int r = running_cgroup(ctx, name, false, &cg, err);

	return r < 0 ? r : ctr_cgroup_stats(cg, ret, err);
}

static bool has_node(const struct ctr_resources *r, const struct ctr_device_node *n)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (!strcmp(r->nodes[i].path, n->path) && r->nodes[i].type == n->type &&
		    r->nodes[i].major == n->major && r->nodes[i].minor == n->minor)
			return true;
	return false;
}

int ctr_resources_apply_live(const struct ctr_state *st, const char *name, const struct ctr_resources *res,
			     const struct ctr_resources *old, struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	int r;

	r = state_cgroup(st, name, &cg, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_apply(cg, res, old, err);
	if (r < 0)
		return r;
	/* Device nodes follow the allow-list: a new --device appears in the
	 * running container's /dev (on failure, everything goes back), then a
	 * removed one goes (its access is already denied by the cgroup). */
	for (size_t i = 0; i < res->n_nodes; i++) {
		if (has_node(old, &res->nodes[i]))
			continue;
		r = ctr_rootfs_device_node(st->init_pid, &res->nodes[i], true);
		if (r < 0 && r != -EEXIST) {
			ctr_error_sys(err, -r, "create %s in the running container", res->nodes[i].path);
			while (i-- > 0)
				if (!has_node(old, &res->nodes[i]))
					ctr_rootfs_device_node(st->init_pid, &res->nodes[i], false);
			ctr_cgroup_apply(cg, old, res, NULL);
			return r;
		}
	}
	for (size_t i = 0; i < old->n_nodes; i++)
		if (!has_node(res, &old->nodes[i]))
			ctr_rootfs_device_node(st->init_pid, &old->nodes[i], false);
	return 0;
}

int ctr_resources_revert_live(const struct ctr_state *st, const struct ctr_resources *res,
			      const struct ctr_resources *old)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;

	if (ctr_cgroup_from_strv(st->cgroups, &cg) < 0)
		return -ENOMEM;
	return ctr_cgroup_apply(cg, old, res, NULL);
}
