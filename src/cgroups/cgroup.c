#include "config.h"

#include <fcntl.h>
#include <libcgroup.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <linux/magic.h>

#include "../error.h"
#include "../util.h"
#include "cgroup.h"
#include "cgroup-internal.h"

void ctr_cgroup_free(struct ctr_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].controllers);
		free(cg->h[i].path);
		free(cg->h[i].mount);
	}
	free(cg->h);
	free(cg);
}

static int lib_init_result;

static void lib_init_once(void)
{
	lib_init_result = cgroup_init();
}

int ctr_cg_lib_init(void)
{
	/* libcgroup keeps its mount table in process globals; reading it once per
	 * process is enough. */
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (pthread_once(&once, lib_init_once) != 0)
		return -EIO;
	return lib_init_result == 0 ? 0 : -ENOTSUP;
}

static int add_hier(struct ctr_cgroup *cg, const char *controllers, const char *path, const char *mount)
{
	struct hier *nh = realloc(cg->h, (cg->n + 1) * sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	cg->h = nh;
	cg->h[cg->n].controllers = strdup(controllers);
	cg->h[cg->n].path = strdup(path);
	cg->h[cg->n].mount = mount ? strdup(mount) : NULL;
	if (!cg->h[cg->n].controllers || !cg->h[cg->n].path || (mount && !cg->h[cg->n].mount)) {
		free(cg->h[cg->n].controllers);
		free(cg->h[cg->n].path);
		free(cg->h[cg->n].mount);
		return -ENOMEM;
	}
	cg->n++;
	return 0;
}

/* The caller's path in the hierarchy of `controller`, from the caller's
 * /proc/PID/cgroup read once ("ID:controllers:path" lines). A controller on the
 * unified (v2) hierarchy has no line of its own: the "0::" line is its answer. */
static int caller_path(const char *proc_cgroup, const char *controller, char **ret)
{
	const char *v2 = NULL;

	for (const char *line = proc_cgroup; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *list = strchr(line, ':'), *path, *end = strchr(line, '\n');
		size_t clen = strlen(controller);

		if (!list)
			break;
		list++;
		path = strchr(list, ':');
		if (!path || (end && path > end))
			continue;
		path++;
		if (!end)
			end = path + strlen(path);
		if (path == list + 1 && !strncmp(line, "0::", 3)) {
			v2 = path;
			continue;
		}
		for (const char *c = list; c < path - 1;) {
			size_t n = strcspn(c, ",:");

			if (n == clen && !strncmp(c, controller, clen)) {
				*ret = strndup(path, (size_t)(end - path));
				return *ret ? 0 : -ENOMEM;
			}
			c += n + 1;
		}
	}
	if (!v2)
		return -ENOENT;
	*ret = strndup(v2, strcspn(v2, "\n"));
	return *ret ? 0 : -ENOMEM;
}

struct cgroup *ctr_cg_lib_group(const struct hier *h)
{
	_cleanup_free_ char *ctrls = strdup(h->controllers);
	struct cgroup *g = cgroup_new_cgroup(h->path);
	char *save = NULL;

	if (!g || !ctrls) {
		if (g)
			cgroup_free(&g);
		return NULL;
	}
	for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (!cgroup_add_controller(g, c)) {
			cgroup_free(&g);
			return NULL;
		}
	return g;
}

int ctr_cg_lib_errno(int r)
{
	if (r == ECGOTHER)
		return cgroup_get_last_errno() ?: EIO;
	if (r == ECGROUPNOTEXIST || r == ECGROUPVALUENOTEXIST)
		return ENOENT;
	if (r == ECGROUPNOTOWNER || r == ECGROUPNOTALLOWED)
		return EPERM;
	return EIO;
}

/* A new v1 cpuset group is unusable until it has CPUs and memory nodes:
 * give it its parent's. */
static int cpuset_inherit(struct cgroup *g, const struct hier *h, const char *path)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	struct cgroup_controller *c = cgroup_get_controller(g, "cpuset");

	if (!c)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char buf[4096];
		int r = ctr_cg_read_parent(h, path, "cpuset", files[i], buf, sizeof(buf));

		if (r < 0)
			return r;
		if (cgroup_add_value_string(c, files[i], buf) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* Whether the group at `path` of h's (resolved) hierarchy exists; anything
 * but ENOENT counts as yes. */
static bool group_exists(const struct hier *h, const char *path)
{
	_cleanup_free_ char *dir = NULL;

	if (asprintf(&dir, "%s%s", h->mount, path) < 0)
		return true;
	return access(dir, F_OK) == 0 || errno != ENOENT;
}

/* cgroup v2: controllers reach a group only through its parent's
 * cgroup.subtree_control. Enable, in one write, those of h's controllers that
 * the parent has (its cgroup.controllers); h keeps just these. The kernel
 * refuses when the parent holds processes itself and is not the root (the
 * "no internal processes" rule): EBUSY, or EOPNOTSUPP once a threaded
 * controller made it a thread root; one write keeps that from happening. */
static pid_t parent_pid(pid_t pid)
{
	_cleanup_free_ char *status = NULL;
	char file[64];
	const char *p;

	snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
	if (read_file_at(AT_FDCWD, file, 1 << 16, &status, NULL) < 0)
		return -1;
	p = strstr(status, "\nPPid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : -1;
}

/* A systemd unit with Delegate=yes (ctr start --foreground as its main
 * process) owns its cgroup but sits in it: when ctr's own processes are all
 * there is (the monitor, which is `caller`, and its children: this helper and
 * init, cloned but not yet in its cgroup), they move into
 * a leaf "supervisor" below it, as systemd's cgroup delegation rules ask, and
 * the unit's cgroup can then delegate. Anyone else there: -EBUSY. The leaf
 * is made with mkdir: libcgroup's create would first enable controllers in
 * the parent, which is what the parent cannot do yet. */
static int move_to_leaf(const struct hier *h, const char *first, const char *parent_path, pid_t caller)
{
	_cleanup_free_ char *leaf = NULL, *dir = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct hier at = *h;
	int n = 0, r;
	char pid[32];

	if (caller <= 0)
		return -EBUSY;
	r = cgroup_get_procs((char *)parent_path, (char *)first, &pids, &n);
	if (r != 0)
		return -ctr_cg_lib_errno(r);
	for (int i = 0; i < n; i++)
		if (pids[i] != caller && parent_pid(pids[i]) != caller)
			return -EBUSY;
	if (asprintf(&leaf, "%s/supervisor", strcmp(parent_path, "/") ? parent_path : "") < 0 ||
	    asprintf(&dir, "%s%s", h->mount, leaf) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	at.path = leaf;
	for (int i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)pids[i]);
		r = ctr_cg_write(&at, "cgroup.procs", pid);
		if (r < 0)
			return r;
	}
	return 0;
}

static int delegate_controllers(struct hier *h, const char *parent_path, pid_t caller, struct ctr_error **err)
{
	_cleanup_free_ char *first = strndup(h->controllers, strcspn(h->controllers, ",")),
			    *want = strdup(h->controllers);
	_cleanup_free_ char *plus = NULL, *kept = NULL;
	struct hier parent = *h;
	size_t plus_len = 0, kept_len = 0;
	char avail[1024], *save = NULL;
	int r;

	if (!first || !want)
		return -ENOMEM;
	parent.path = (char *)parent_path;
	r = ctr_cg_read(&parent, first, "cgroup.controllers", avail, sizeof(avail));
	if (r < 0)
		return ctr_error_sys(err, -r, "read the controllers of cgroup %s", parent_path);
	plus = calloc(1, strlen(h->controllers) * 2 + 2);
	kept = calloc(1, strlen(h->controllers) + 1);
	if (!plus || !kept)
		return -ENOMEM;
	for (char *c = strtok_r(want, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(c);
		bool found = false;

		for (const char *a = avail; *a; a += strcspn(a, " \n") + (a[strcspn(a, " \n")] ? 1 : 0))
			found |= strcspn(a, " \n") == n && !strncmp(a, c, n);
		if (!found)
			continue;
		plus_len += (size_t)sprintf(plus + plus_len, "%s+%s", plus_len ? " " : "", c);
		kept_len += (size_t)sprintf(kept + kept_len, "%s%s", kept_len ? "," : "", c);
	}
	if (!kept_len)
		return ctr_error_user(err, CTR_ERR_SYSTEM, ENOTSUP,
				      "cgroup v2: cgroup %s has no controllers to give (its own parent delegates "
				      "none); delegate them to it, or set cgroup-parent in ctr.conf",
				      parent_path);
	r = ctr_cg_write(&parent, "cgroup.subtree_control", plus);
	/* The monitor clones init while this runs: a child born between our
	 * listing and the moves stays behind. Move again (bounded); anyone not
	 * ours makes move_to_leaf fail at once. */
	for (int tries = 0; tries < 10 && (r == -EBUSY || r == -EOPNOTSUPP); tries++) {
		if (move_to_leaf(h, first, parent_path, caller) < 0)
			break;
		r = ctr_cg_write(&parent, "cgroup.subtree_control", plus);
	}
	if (r == -EBUSY || r == -EOPNOTSUPP)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EBUSY,
				      "cgroup v2: cannot delegate controllers below %s: that cgroup holds processes "
				      "itself (the no-internal-processes rule); set cgroup-parent in ctr.conf (e.g. "
				      "cgroup-parent = /ctr.slice) or CTR_CGROUP_PARENT",
				      parent_path);
	if (r < 0)
		return ctr_error_sys(err, -r, "enable controllers %s in cgroup %s", plus, parent_path);
	free(h->controllers);
	h->controllers = TAKE_PTR(kept);
	return 0;
}

/* Create hierarchy h's group at `path` (its parent must exist): a v1 cpuset
 * group gets its parent's CPUs and nodes, a v2 group the controllers its
 * parent delegates. */
static int create_group(struct hier *h, const char *path, pid_t caller, struct ctr_error **err)
{
	_cleanup_free_ char *parent = strdup(path);
	struct hier at;
	struct cgroup *g;
	int r;

	if (!parent)
		return -ENOMEM;
	*strrchr(parent, '/') = '\0';
	/* First, as it decides which controllers the group gets. */
	if (h->v2 && (r = delegate_controllers(h, parent[0] ? parent : "/", caller, err)) < 0)
		return r;
	at = *h;
	at.path = (char *)path;
	g = ctr_cg_lib_group(&at);
	if (!g)
		return -ENOMEM;
	r = h->v2 ? 0 : cpuset_inherit(g, h, path);
	if (r == 0) {
		/* ignore_ownership: the group stays root's, as its parent;
		 * skipping libcgroup's chown of every control file saves
		 * a few hundred syscalls per start. */
		r = cgroup_create_cgroup(g, 1);
		r = r == 0 ? 0 : ctr_error_sys(err, ctr_cg_lib_errno(r), "create cgroup %s:%s", h->controllers, path);
	}
	cgroup_free(&g);
	return r;
}

/* The levels of a configured parent (e.g. /ctr.slice) that do not exist yet,
 * top down. They stay when containers go: they are the host's layout. */
static int make_parent_levels(struct hier *h, const char *parent, struct ctr_error **err)
{
	_cleanup_free_ char *p = strdup(parent);

	if (!p)
		return -ENOMEM;
	for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
		int r;

		if (slash)
			*slash = '\0';
		if (p[1] && !group_exists(h, p) && (r = create_group(h, p, 0, err)) < 0)
			return r;
		if (!slash)
			return 0;
		*slash = '/';
	}
}

static int hier_count_procs(const struct hier *h, pid_t **ret_pids)
{
	_cleanup_free_ char *ctrls = strdup(h->controllers);
	pid_t *pids = NULL;
	int size = 0, r;

	if (!ctrls)
		return -ENOMEM;
	ctrls[strcspn(ctrls, ",")] = '\0';
	r = cgroup_get_procs(h->path, ctrls, &pids, &size);
	if (r != 0) {
		free(pids);
		return r == ECGROUPNOTEXIST ? -ENOENT : -ctr_cg_lib_errno(r);
	}
	if (ret_pids)
		*ret_pids = pids;
	else
		free(pids);
	return size;
}

int ctr_cgroup_signal_all(const struct ctr_cgroup *cg, int sig)
{
	int count = 0;

	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		int n = hier_count_procs(&cg->h[i], &pids);

		for (int j = 0; j < n; j++)
			if (kill(pids[j], sig) == 0)
				count++;
	}
	return count;
}

static int hier_delete(const struct hier *h, int flags)
{
	struct cgroup *g = ctr_cg_lib_group(h);
	int r;

	if (!g)
		return ECGOTHER;
	r = cgroup_delete_cgroup_ext(g, flags);
	cgroup_free(&g);
	return r;
}

/* Whether the group's directory still exists. libcgroup 2.0's empty-only delete
 * reports success even when rmdir failed with EBUSY, so look for ourselves. */
static bool hier_exists(const struct hier *h)
{
	_cleanup_free_ char *ctrl = strndup(h->controllers, strcspn(h->controllers, ","));
	struct hier at = *h;
	bool exists;

	if (h->mount)
		return group_exists(h, h->path);
	if (!ctrl || cgroup_get_subsys_mount_point(ctrl, &at.mount) != 0)
		return true;
	exists = group_exists(&at, h->path);
	free(at.mount);
	return exists;
}

/* Whether processes stay in the group for half a second. */
static bool hier_busy(const struct hier *h)
{
	for (int tries = 0; tries < 50; tries++) {
		_cleanup_free_ pid_t *pids = NULL;

		if (hier_count_procs(h, &pids) <= 0)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return true;
}

static int hier_remove(const struct hier *h, struct ctr_error **err)
{
	int r = 0;

	/* Usually init's death emptied the group and one rmdir does it. Otherwise
	 * kill what is left; SIGKILLed processes leave asynchronously, so retry
	 * for a bounded time (2 s), then remove sub-groups too. */
	for (int tries = 0; tries < 200; tries++) {
		r = hier_delete(h, tries < 100 ? CGFLAG_DELETE_EMPTY_ONLY : CGFLAG_DELETE_RECURSIVE);
		if (r == ECGROUPNOTEXIST || !hier_exists(h))
			return 0;
		if (tries % 20 == 0) {
			_cleanup_free_ pid_t *pids = NULL;
			int n = hier_count_procs(h, &pids);

			for (int j = 0; j < n; j++)
				kill(pids[j], SIGKILL);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return ctr_error_sys(err, r ? ctr_cg_lib_errno(r) : EBUSY, "remove cgroup %s:%s", h->controllers, h->path);
}

int ctr_cgroup_destroy(struct ctr_cgroup *cg, struct ctr_error **err)
{
	int ret = 0;

	if (!cg)
		return 0;
	if (ctr_cg_lib_init() < 0)
		return ctr_error_sys(err, ENOTSUP, "libcgroup cannot read this host's cgroup mounts");
	/* Usually init's death emptied every group: one rmdir each. */
	for (size_t i = 0; i < cg->n; i++)
		cg->h[i].gone =
			hier_delete(&cg->h[i], CGFLAG_DELETE_EMPTY_ONLY) == ECGROUPNOTEXIST || !hier_exists(&cg->h[i]);
	/* Frozen processes (a paused container) do not die of SIGKILL on v1. */
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->h[i].gone) {
			if (ctr_cgroup_frozen(cg) > 0)
				ctr_cgroup_freeze(cg, false, NULL);
			break;
		}
	for (size_t i = 0; i < cg->n; i++) {
		int r = cg->h[i].gone ? 0 : hier_remove(&cg->h[i], err);

		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

int ctr_cgroup_create(const char *name, pid_t caller, const char *parent_path, struct ctr_cgroup **ret,
		      struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = calloc(1, sizeof(*cg));
	struct cgroup_mount_point mp;
	_cleanup_free_ char *proc_cgroup = NULL;
	char file[64];
	void *handle = NULL;
	int r;

	if (!cg)
		return -ENOMEM;
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)caller);
	r = read_file_at(AT_FDCWD, file, 1 << 16, &proc_cgroup, NULL);
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s", file);
	if (ctr_cg_lib_init() < 0)
		return ctr_error_sys(err, ENOTSUP, "libcgroup cannot read this host's cgroup mounts");

	/* Group controllers by mount point: co-mounted controllers share a group. */
	for (r = cgroup_get_controller_begin(&handle, &mp); r == 0; r = cgroup_get_controller_next(&handle, &mp)) {
		_cleanup_free_ char *parent = NULL, *path = NULL;
		size_t j;

		for (j = 0; j < cg->n; j++)
			if (!strcmp(cg->h[j].mount, mp.path))
				break;
		if (j < cg->n) {
			/* co-mounted: append to that hierarchy's controller list */
			char *joined;

			if (asprintf(&joined, "%s,%s", cg->h[j].controllers, mp.name) < 0) {
				r = -ENOMEM;
				break;
			}
			free(cg->h[j].controllers);
			cg->h[j].controllers = joined;
			continue;
		}
		/* A configured parent is the same path in every hierarchy. */
		r = parent_path ? ((parent = strdup(parent_path)) ? 0 : -ENOMEM)
				: caller_path(proc_cgroup, mp.name, &parent);
		if (r < 0) {
			r = ctr_error_from_errno(err, r, "find own cgroup of controller %s", mp.name);
			break;
		}
		if (asprintf(&path, "%s/ctr-%s", strcmp(parent, "/") ? parent : "", name) < 0) {
			r = -ENOMEM;
			break;
		}
		r = add_hier(cg, mp.name, path, mp.path);
		if (r < 0)
			break;
	}
	if (handle)
		cgroup_get_controller_end(&handle);
	if (r != ECGEOF && r != 0)
		return r < 0 ? r : ctr_error_sys(err, ctr_cg_lib_errno(r), "list cgroup controllers");
	if (cg->n == 0)
		return ctr_error_sys(err, ENOENT, "no cgroup hierarchy is mounted");
	r = ctr_cg_resolve(cg);
	if (r < 0)
		return ctr_error_sys(err, -r, "find the cgroup hierarchies' mounts");

	/* A configured parent may not exist yet: make its missing levels. */
	for (size_t i = 0; parent_path && i < cg->n; i++) {
		r = make_parent_levels(&cg->h[i], parent_path, err);
		if (r < 0)
			return r;
	}

	/* A group left over by a crash (killed mid-start) is emptied first. One
	 * whose processes stay (processes killed leave within moments) is a
	 * running container's of the same name under another --root: emptying
	 * it would kill that container. */
	for (size_t i = 0; i < cg->n; i++) {
		if (!group_exists(&cg->h[i], cg->h[i].path))
			continue;
		if (hier_busy(&cg->h[i])) {
			r = ctr_error_user(err, CTR_ERR_EXISTS, EBUSY,
					   "cgroup %s:%s holds the processes of a running container: is a container "
					   "named '%s' running under another ctr root? Give one of them another "
					   "name, or each root its own cgroup-parent (ctr.conf)",
					   cg->h[i].controllers, cg->h[i].path, name);
			return r;
		}
		hier_remove(&cg->h[i], NULL);
	}

	for (size_t i = 0; i < cg->n; i++) {
		/* Below a configured parent nobody moves: it is not ctr's own. */
		r = create_group(&cg->h[i], cg->h[i].path, parent_path ? 0 : caller, err);
		if (r < 0) {
			/* Roll back the hierarchies already created. */
			cg->n = i + 1;
			goto fail;
		}
	}
	*ret = TAKE_PTR(cg);
	return 0;
fail:
	ctr_cgroup_destroy(cg, NULL);
	return r;
}

int ctr_cgroup_attach(const struct ctr_cgroup *cg, pid_t pid, struct ctr_error **err)
{
	if (ctr_cg_lib_init() < 0)
		return ctr_error_sys(err, ENOTSUP, "libcgroup cannot read this host's cgroup mounts");
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup *g = ctr_cg_lib_group(&cg->h[i]);
		int r;

		if (!g)
			return -ENOMEM;
		r = cgroup_attach_task_pid(g, pid);
		cgroup_free(&g);
		if (r != 0)
			return ctr_error_sys(err, ctr_cg_lib_errno(r), "join cgroup %s:%s", cg->h[i].controllers,
					     cg->h[i].path);
	}
	return 0;
}

int ctr_cg_resolve(struct ctr_cgroup *cg)
{
	int r = ctr_cg_lib_init();

	if (r < 0)
		return r;
	for (size_t i = 0; i < cg->n; i++) {
		struct hier *h = &cg->h[i];
		_cleanup_free_ char *ctrl = NULL;
		struct statfs sfs;

		if (!h->mount) {
			ctrl = strndup(h->controllers, strcspn(h->controllers, ","));
			if (!ctrl)
				return -ENOMEM;
			if (cgroup_get_subsys_mount_point(ctrl, &h->mount) != 0)
				return -ENOENT;
		}
		if (statfs(h->mount, &sfs) < 0)
			return -errno;
		h->v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
	}
	return 0;
}

int ctr_cgroup_to_strv(const struct ctr_cgroup *cg, char ***ret)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ char *s = NULL;

		if (asprintf(&s, "%s:%s", cg->h[i].controllers, cg->h[i].path) < 0 || strv_push(&v, s) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int ctr_cgroup_from_strv(char *const *v, struct ctr_cgroup **ret)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return -ENOMEM;
	for (size_t i = 0; v && v[i]; i++) {
		_cleanup_free_ char *s = strdup(v[i]);
		char *colon;
		int r;

		if (!s)
			return -ENOMEM;
		colon = strchr(s, ':');
		if (!colon || colon[1] != '/')
			return -EINVAL;
		*colon = '\0';
		r = add_hier(cg, s, colon + 1, NULL);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(cg);
	return 0;
}
