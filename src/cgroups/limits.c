/* Resource limits onto cgroup files, v1 and v2. The knob table below is the
 * whole mapping from a setting to the controller and files of each version;
 * writing and reading go through libcgroup. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../error.h"
#include "../resources.h"
#include "../util.h"
#include "cgroup-internal.h"
#include "cgroup.h"

/*  setting            v1 controller  v1 file(s)                         v2 controller  v2 file
 *  cpuset cpus/mems   cpuset         cpuset.cpus / cpuset.mems          cpuset         same
 *  memory limit       memory         memory.limit_in_bytes (-1)         memory         memory.max (max)
 *  swap (OCI: mem+sw) memory         memory.memsw.limit_in_bytes        memory         memory.swap.max (= swap - limit)
 *  reservation        memory         memory.soft_limit_in_bytes         memory         memory.low
 *  cpu weight         cpu            cpu.shares                         cpu            cpu.weight (shares*100/1024)
 *  cpu quota/period   cpu            cpu.cfs_period_us, cfs_quota_us    cpu            cpu.max "QUOTA PERIOD"
 *  pids               pids           pids.max                           pids           pids.max
 *  io weight          blkio          blkio.bfq.weight or blkio.weight   io             io.bfq.weight or io.weight
 *  io throttles       blkio          blkio.throttle.{read,write}_{bps,iops}_device      io.max "MAJ:MIN rbps= ..."
 *  devices            devices        devices.deny / devices.allow       (core)         a BPF_CGROUP_DEVICE program
 *  freeze             freezer        freezer.state                      (core)         cgroup.freeze, cgroup.events
 */
static const struct knob_def {
	const char *v1_ctrl;
	const char *v2_ctrl; /* NULL: a core file of the unified hierarchy */
	const char *what;
} knobs[_K_MAX] = {
	[K_CPUSET_CPUS] = { "cpuset", "cpuset", "CPU set" },
	[K_CPUSET_MEMS] = { "cpuset", "cpuset", "memory node set" },
	[K_MEM_LIMIT] = { "memory", "memory", "memory limit" },
	[K_MEM_SWAP] = { "memory", "memory", "swap limit" },
	[K_MEM_LOW] = { "memory", "memory", "memory reservation" },
	[K_CPU_WEIGHT] = { "cpu", "cpu", "CPU weight" },
	[K_CPU_MAX] = { "cpu", "cpu", "CPU limit" },
	[K_PIDS] = { "pids", "pids", "process limit" },
	[K_IO_WEIGHT] = { "blkio", "io", "I/O weight" },
	[K_IO_MAX] = { "blkio", "io", "I/O limit" },
	[K_DEVICES] = { "devices", NULL, "device allow-list" },
};

static bool has_ctrl(const char *list, const char *c)
{
	size_t n = strlen(c);

	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
		if (strcspn(p, ",") == n && !strncmp(p, c, n))
			return true;
	return false;
}

/* v1 controllers first: on a hybrid host (v1 controllers, v2 with a few) the
 * v1 hierarchy of a controller is the one that holds the processes. */
int ctr_cg_find(const struct ctr_cgroup *cg, const char *v1_ctrl, const char *v2_ctrl, struct ctr_cg_target *ret)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->h[i].v2 && v1_ctrl && has_ctrl(cg->h[i].controllers, v1_ctrl)) {
			*ret = (struct ctr_cg_target){ .h = &cg->h[i], .v2 = false };
			snprintf(ret->ctrl, sizeof(ret->ctrl), "%s", v1_ctrl);
			return 0;
		}
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].v2 && (!v2_ctrl || has_ctrl(cg->h[i].controllers, v2_ctrl))) {
			/* A core file (v2_ctrl NULL): libcgroup finds the hierarchy
			 * by any of its controllers. */
			*ret = (struct ctr_cg_target){ .h = &cg->h[i], .v2 = true };
			if (v2_ctrl)
				snprintf(ret->ctrl, sizeof(ret->ctrl), "%s", v2_ctrl);
			else
				snprintf(ret->ctrl, sizeof(ret->ctrl), "%.*s", (int)strcspn(cg->h[i].controllers, ","),
					 cg->h[i].controllers);
			return 0;
		}
	return -ENOENT;
}

static bool t_has(const struct ctr_cg_target *t, const char *file)
{
	_cleanup_free_ char *p = NULL;

	if (asprintf(&p, "%s%s/%s", t->h->mount, t->h->path, file) < 0)
		return false;
	return access(p, F_OK) == 0;
}

/* Control files are written in the group's directory, which libcgroup found
 * (mount) and made: libcgroup 2.0's cgroup_modify_cgroup re-reads
 * /proc/mounts on every call, and a start writes a dozen files (the v1 device
 * list alone is ten), which cost 0.6 ms of a 7 ms container lifecycle. One
 * write(2) per value, as the kernel wants it; its errno is the answer
 * (EBUSY for a memory limit below usage, EINVAL for a CPU not in the parent's
 * set, ENOENT for a file this kernel does not have). */
int ctr_cg_write(const struct hier *h, const char *file, const char *value)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	if (!h->mount || asprintf(&p, "%s%s/%s", h->mount, strcmp(h->path, "/") ? h->path : "", file) < 0)
		return -ENOMEM;
	fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int t_write(const struct ctr_cg_target *t, const char *file, const char *value)
{
	return ctr_cg_write(t->h, file, value);
}

int ctr_cg_read(const struct hier *h, const char *ctrl, const char *file, char *buf, size_t size)
{
	void *handle = NULL;
	size_t len = 0;
	char line[4096];
	int r;

	buf[0] = '\0';
	r = cgroup_read_value_begin(ctrl, h->path, (char *)file, &handle, line, sizeof(line));
	while (r == 0) {
		size_t n = strlen(line);

		if (len + n + 1 >= size) {
			r = -ENOBUFS;
			break;
		}
		memcpy(buf + len, line, n + 1);
		len += n;
		r = cgroup_read_value_next(&handle, line, sizeof(line));
	}
	if (handle)
		cgroup_read_value_end(&handle);
	if (r == ECGEOF)
		return (int)len;
	return r < 0 ? r : -ctr_cg_lib_errno(r);
}

int ctr_cg_read_parent(const struct hier *h, const char *path, const char *ctrl, const char *file, char *buf,
		       size_t size)
{
	_cleanup_free_ char *p = strdup(path);
	struct hier parent = *h;
	int r;

	if (!p)
		return -ENOMEM;
	*strrchr(p, '/') = '\0';
	parent.path = p[0] ? p : (char *)"/";
	r = ctr_cg_read(&parent, ctrl, file, buf, size);
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int t_read(const struct ctr_cg_target *t, const char *file, char *buf, size_t size)
{
	if (!t_has(t, file))
		return -ENOENT;
	return ctr_cg_read(t->h, t->ctrl, file, buf, size);
}

/* ---- the values of each knob -------------------------------------------- */

void ctr_cg_writes_done(struct ctr_cg_writes *ws)
{
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

static int push(struct ctr_cg_writes *ws, const char *file, const char *value)
{
	struct ctr_cg_write *n = realloc(ws->w, (ws->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ws->w = n;
	n[ws->n] = (struct ctr_cg_write){ .file = file };
	snprintf(n[ws->n].value, sizeof(n[ws->n].value), "%s", value);
	ws->n++;
	return 0;
}

static void fmt_bytes(char *buf, size_t size, int64_t v, bool v2)
{
	if (v < 0)
		snprintf(buf, size, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static bool same_throttles(const struct ctr_resources *a, const struct ctr_resources *b)
{
	for (size_t t = 0; t < _CTR_THROTTLE_MAX; t++)
		if (a->n_throttle[t] != b->n_throttle[t] ||
		    (a->n_throttle[t] &&
		     memcmp(a->throttle[t], b->throttle[t], a->n_throttle[t] * sizeof(*a->throttle[t]))))
			return false;
	return true;
}

static bool same_devices(const struct ctr_resources *a, const struct ctr_resources *b)
{
	if (a->n_devices != b->n_devices)
		return false;
	for (size_t i = 0; i < a->n_devices; i++) {
		const struct ctr_device_rule *x = &a->devices[i], *y = &b->devices[i];

		if (x->allow != y->allow || x->type != y->type || x->major != y->major || x->minor != y->minor ||
		    strcmp(x->access, y->access))
			return false;
	}
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Whether the knob has a value to write at start (else the kernel's default stays). */
static bool knob_configured(enum ctr_cg_knob k, const struct ctr_resources *r)
{
	switch (k) {
	case K_CPUSET_CPUS: return r->cpuset_cpus;
	case K_CPUSET_MEMS: return r->cpuset_mems;
	case K_MEM_LIMIT: return r->memory_limit != CTR_RES_UNSET;
	case K_MEM_SWAP: return r->memory_swap != CTR_RES_UNSET;
	case K_MEM_LOW: return r->memory_reservation > 0;
	case K_CPU_WEIGHT: return r->cpu_shares;
	case K_CPU_MAX: return r->cpu_quota != CTR_RES_UNSET;
	case K_PIDS: return r->pids_limit != CTR_RES_UNSET;
	case K_IO_WEIGHT: return r->io_weight;
	case K_IO_MAX:
		for (size_t t = 0; t < _CTR_THROTTLE_MAX; t++)
			if (r->n_throttle[t])
				return true;
		return false;
	case K_DEVICES: return true; /* the default allow-list, always */
	case _K_MAX: break;
	}
	return false;
}

static bool knob_differs(enum ctr_cg_knob k, const struct ctr_resources *a, const struct ctr_resources *b)
{
	switch (k) {
	case K_CPUSET_CPUS: return !str_eq(a->cpuset_cpus, b->cpuset_cpus);
	case K_CPUSET_MEMS: return !str_eq(a->cpuset_mems, b->cpuset_mems);
	case K_MEM_LIMIT: return a->memory_limit != b->memory_limit;
	/* v2's swap.max is swap - limit: it moves with the limit. */
	case K_MEM_SWAP: return a->memory_swap != b->memory_swap || a->memory_limit != b->memory_limit;
	case K_MEM_LOW: return a->memory_reservation != b->memory_reservation;
	case K_CPU_WEIGHT: return a->cpu_shares != b->cpu_shares;
	case K_CPU_MAX: return a->cpu_quota != b->cpu_quota || a->cpu_period != b->cpu_period;
	case K_PIDS: return a->pids_limit != b->pids_limit;
	case K_IO_WEIGHT: return a->io_weight != b->io_weight;
	case K_IO_MAX: return !same_throttles(a, b);
	case K_DEVICES: return !same_devices(a, b);
	case _K_MAX: break;
	}
	return false;
}

static const char *const v1_throttle_file[_CTR_THROTTLE_MAX] = {
	"blkio.throttle.read_bps_device",
	"blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device",
	"blkio.throttle.write_iops_device",
};
static const char *const v2_throttle_key[_CTR_THROTTLE_MAX] = { "rbps", "wbps", "riops", "wiops" };

static const struct ctr_throttle_dev *find_throttle(const struct ctr_resources *r, size_t t, unsigned maj, unsigned min)
{
	for (size_t i = 0; i < r->n_throttle[t]; i++)
		if (r->throttle[t][i].major == maj && r->throttle[t][i].minor == min)
			return &r->throttle[t][i];
	return NULL;
}

/* Throttles of r; devices that only `prev` limits are set back to unlimited. */
static int throttle_writes(struct ctr_cg_writes *ws, bool v2, const struct ctr_resources *r,
			   const struct ctr_resources *prev)
{
	char line[160];
	int ret;

	if (!v2) {
		for (size_t k = 0; k < _CTR_THROTTLE_MAX; k++) {
			for (size_t i = 0; prev && i < prev->n_throttle[k]; i++) {
				const struct ctr_throttle_dev *d = &prev->throttle[k][i];

				if (find_throttle(r, k, d->major, d->minor))
					continue;
				snprintf(line, sizeof(line), "%u:%u 0", d->major, d->minor);
				if ((ret = push(ws, v1_throttle_file[k], line)) < 0)
					return ret;
			}
			for (size_t i = 0; i < r->n_throttle[k]; i++) {
				const struct ctr_throttle_dev *d = &r->throttle[k][i];

				snprintf(line, sizeof(line), "%u:%u %llu", d->major, d->minor,
					 (unsigned long long)d->rate);
				if ((ret = push(ws, v1_throttle_file[k], line)) < 0)
					return ret;
			}
		}
		return 0;
	}
	/* v2: one io.max line per device with all four limits. */
	for (int pass = 0; pass < 2; pass++) {
		const struct ctr_resources *src = pass ? r : prev;

		for (size_t k = 0; src && k < _CTR_THROTTLE_MAX; k++)
			for (size_t i = 0; i < src->n_throttle[k]; i++) {
				unsigned maj = src->throttle[k][i].major, min = src->throttle[k][i].minor;
				size_t len = (size_t)snprintf(line, sizeof(line), "%u:%u", maj, min);

				for (size_t j = 0; j < _CTR_THROTTLE_MAX; j++) {
					const struct ctr_throttle_dev *d = find_throttle(r, j, maj, min);

					if (d)
						len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=%llu",
									v2_throttle_key[j],
									(unsigned long long)d->rate);
					else
						len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=max",
									v2_throttle_key[j]);
				}
				if ((ret = push(ws, "io.max", line)) < 0)
					return ret;
			}
	}
	return 0;
}

static void fmt_rule(const struct ctr_device_rule *d, char *buf, size_t size)
{
	char maj[24] = "*", min[24] = "*";

	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)d->minor);
	if (d->type == 'a')
		snprintf(buf, size, "a");
	else
		snprintf(buf, size, "%c %s:%s %s", d->type, maj, min, d->access);
}

static bool only_allow_rules(const struct ctr_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (!r->devices[i].allow || r->devices[i].type == 'a')
			return false;
	return true;
}

static bool has_rule(const struct ctr_resources *r, const struct ctr_device_rule *d)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].type == d->type && r->devices[i].major == d->major &&
		    r->devices[i].minor == d->minor && !strcmp(r->devices[i].access, d->access))
			return true;
	return false;
}

static int device_writes_v1(struct ctr_cg_writes *ws, const struct ctr_resources *r, const struct ctr_resources *prev)
{
	char rule[80];
	int ret;

	/* A live change of allow rules only adds and removes exceptions, so
	 * that the container never loses /dev/null for a moment. */
	if (prev && only_allow_rules(prev) && only_allow_rules(r)) {
		for (size_t i = 0; i < prev->n_devices; i++)
			if (!has_rule(r, &prev->devices[i])) {
				fmt_rule(&prev->devices[i], rule, sizeof(rule));
				if ((ret = push(ws, "devices.deny", rule)) < 0)
					return ret;
			}
		for (size_t i = 0; i < r->n_devices; i++)
			if (!has_rule(prev, &r->devices[i])) {
				fmt_rule(&r->devices[i], rule, sizeof(rule));
				if ((ret = push(ws, "devices.allow", rule)) < 0)
					return ret;
			}
		return 0;
	}
	if ((ret = push(ws, "devices.deny", "a")) < 0)
		return ret;
	for (size_t i = 0; i < ctr_n_default_devices + r->n_devices; i++) {
		const struct ctr_device_rule *d =
			i < ctr_n_default_devices ? &ctr_default_devices[i] : &r->devices[i - ctr_n_default_devices];

		fmt_rule(d, rule, sizeof(rule));
		if ((ret = push(ws, d->allow ? "devices.allow" : "devices.deny", rule)) < 0)
			return ret;
	}
	return 0;
}

int ctr_cg_knob_writes(enum ctr_cg_knob k, bool v2, const struct ctr_resources *r, const struct ctr_resources *prev,
		       bool (*has)(const void *data, const char *file), const void *data, struct ctr_cg_writes *ws)
{
	char v[128];
	int ret;

	switch (k) {
	case K_CPUSET_CPUS:
	case K_CPUSET_MEMS: {
		const char *file = k == K_CPUSET_CPUS ? "cpuset.cpus" : "cpuset.mems";
		const char *val = k == K_CPUSET_CPUS ? r->cpuset_cpus : r->cpuset_mems;

		/* Unset: v2 inherits with "", v1 needs the parent's list. */
		if (!val && !v2) {
			if ((ret = push(ws, file, "")) < 0)
				return ret;
			ws->w[ws->n - 1].from_parent = true;
			return 0;
		}
		return push(ws, file, val ? val : "");
	}
	case K_MEM_LIMIT:
		fmt_bytes(v, sizeof(v), r->memory_limit == CTR_RES_UNSET ? -1 : r->memory_limit, v2);
		return push(ws, v2 ? "memory.max" : "memory.limit_in_bytes", v);
	case K_MEM_SWAP:
		if (v2)
			fmt_bytes(v, sizeof(v),
				  r->memory_swap < 0 || r->memory_limit < 0 ? -1 : r->memory_swap - r->memory_limit,
				  true);
		else
			fmt_bytes(v, sizeof(v), r->memory_swap == CTR_RES_UNSET ? -1 : r->memory_swap, false);
		return push(ws, v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes", v);
	case K_MEM_LOW:
		if (v2)
			snprintf(v, sizeof(v), "%lld",
				 r->memory_reservation > 0 ? (long long)r->memory_reservation : 0);
		else
			fmt_bytes(v, sizeof(v), r->memory_reservation > 0 ? r->memory_reservation : -1, false);
		return push(ws, v2 ? "memory.low" : "memory.soft_limit_in_bytes", v);
	case K_CPU_WEIGHT:
		if (v2)
			snprintf(v, sizeof(v), "%u", r->cpu_shares ? ctr_shares_to_weight(r->cpu_shares) : 100);
		else
			snprintf(v, sizeof(v), "%llu", r->cpu_shares ? (unsigned long long)r->cpu_shares : 1024);
		return push(ws, v2 ? "cpu.weight" : "cpu.shares", v);
	case K_CPU_MAX: {
		unsigned long long period = r->cpu_period ? r->cpu_period : CTR_CPU_PERIOD_US;
		long long quota = r->cpu_quota == CTR_RES_UNSET ? -1 : r->cpu_quota;

		if (v2) {
			if (quota < 0)
				snprintf(v, sizeof(v), "max %llu", period);
			else
				snprintf(v, sizeof(v), "%lld %llu", quota, period);
			return push(ws, "cpu.max", v);
		}
		/* v1 checks the quota against the period: unlimited first. */
		if ((ret = push(ws, "cpu.cfs_quota_us", "-1")) < 0)
			return ret;
		snprintf(v, sizeof(v), "%llu", period);
		if ((ret = push(ws, "cpu.cfs_period_us", v)) < 0)
			return ret;
		snprintf(v, sizeof(v), "%lld", quota);
		return push(ws, "cpu.cfs_quota_us", v);
	}
	case K_PIDS:
		if (r->pids_limit < 0)
			snprintf(v, sizeof(v), "max");
		else
			snprintf(v, sizeof(v), "%lld", (long long)r->pids_limit);
		return push(ws, "pids.max", v);
	case K_IO_WEIGHT: {
		/* BFQ's weight where the host has it (v1 on current kernels has no
		 * other), else the generic one (v2 with io.cost). */
		const char *bfq = v2 ? "io.bfq.weight" : "blkio.bfq.weight";

		snprintf(v, sizeof(v), "%u", r->io_weight ? r->io_weight : 100);
		return push(ws, has(data, bfq) ? bfq : v2 ? "io.weight" : "blkio.weight", v);
	}
	case K_IO_MAX: return throttle_writes(ws, v2, r, prev);
	case K_DEVICES:
		/* v2 has no file for it: a BPF program (devices.c). */
		return v2 ? 0 : device_writes_v1(ws, r, prev);
	case _K_MAX: break;
	}
	return -EINVAL;
}

static bool target_has(const void *data, const char *file)
{
	return t_has(data, file);
}

/* Write knob k's value from r (prev: what is there now, or NULL at start). */
static int knob_write(const struct ctr_cg_target *t, enum ctr_cg_knob k, const struct ctr_resources *r,
		      const struct ctr_resources *prev)
{
	_cleanup_(ctr_cg_writes_done) struct ctr_cg_writes ws = { 0 };
	int ret;

	if (k == K_DEVICES && t->v2)
		return ctr_cg_devices_bpf(t->h, r);
	if (k == K_MEM_LIMIT && t->v2 && prev && r->memory_limit >= 0) {
		/* v1 refuses a limit below what cannot be reclaimed; v2 takes it
		 * and OOM-kills until the group fits. Reclaim through
		 * memory.high first (which never OOM-kills) and refuse as v1
		 * does when that is not enough. */
		char v[64], cur[64];

		snprintf(v, sizeof(v), "%lld", (long long)r->memory_limit);
		if ((ret = t_write(t, "memory.high", v)) < 0)
			return ret;
		ret = t_read(t, "memory.current", cur, sizeof(cur));
		t_write(t, "memory.high", "max");
		if (ret < 0)
			return ret;
		if (strtoll(cur, NULL, 10) > r->memory_limit)
			return -EBUSY;
	}
	ret = ctr_cg_knob_writes(k, t->v2, r, prev, target_has, t, &ws);
	for (size_t i = 0; ret >= 0 && i < ws.n; i++) {
		if (ws.w[i].from_parent && (ret = ctr_cg_read_parent(t->h, t->h->path, t->ctrl, ws.w[i].file,
								     ws.w[i].value, sizeof(ws.w[i].value))) < 0)
			break;
		ret = t_write(t, ws.w[i].file, ws.w[i].value);
	}
	return ret < 0 ? ret : 0;
}

static int knob_error(struct ctr_error **err, enum ctr_cg_knob k, const struct ctr_cg_target *t, int r)
{
	if (r == -ENOENT)
		return ctr_error_user(err, CTR_ERR_SYSTEM, ENOTSUP,
				      "this host's %s cgroup (%s) cannot set the %s: its file is missing (kernel "
				      "built or booted without it%s)",
				      t->v2 ? "v2" : "v1", t->ctrl, knobs[k].what,
				      k == K_MEM_SWAP ? "; swap accounting needs swapaccount=1 on v1" : "");
	if (r == -EBUSY && k == K_MEM_LIMIT)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EBUSY,
				      "memory limit refused: the container holds more than that and the kernel "
				      "could not reclaim enough (see 'ctr stats'); the old limit stays");
	return ctr_error_sys(err, -r, "set the %s (%s cgroup %s)", knobs[k].what, t->v2 ? "v2" : "v1", t->ctrl);
}

int ctr_cgroup_apply(struct ctr_cgroup *cg, const struct ctr_resources *r, const struct ctr_resources *old,
		     struct ctr_error **err)
{
	struct ctr_cg_target targets[_K_MAX];
	bool done[_K_MAX] = { false };
	int ret;

	ret = ctr_cg_resolve(cg);
	if (ret < 0)
		return ctr_error_sys(err, -ret, "find the container's cgroups");
	for (enum ctr_cg_knob k = 0; k < _K_MAX; k++) {
		if (old ? !knob_differs(k, r, old) : !knob_configured(k, r))
			continue;
		if (ctr_cg_find(cg, knobs[k].v1_ctrl, knobs[k].v2_ctrl, &targets[k]) < 0) {
			/* Never skipped silently. For the device list, which is
			 * always there, this fails closed: nothing else would keep
			 * the container from the host's devices. */
			if (knobs[k].v2_ctrl)
				ret = ctr_error_user(err, CTR_ERR_SYSTEM, ENOTSUP,
						     "this host's cgroups cannot enforce the %s: no v1 '%s' controller "
						     "and no v2 '%s' controller delegated to the container's parent "
						     "cgroup",
						     knobs[k].what, knobs[k].v1_ctrl, knobs[k].v2_ctrl);
			else
				ret = ctr_error_user(err, CTR_ERR_SYSTEM, ENOTSUP,
						     "this host's cgroups cannot enforce the %s: no v1 '%s' controller "
						     "and no cgroup v2 hierarchy",
						     knobs[k].what, knobs[k].v1_ctrl);
			goto rollback;
		}
		ret = knob_write(&targets[k], k, r, old);
		/* v1 wants memory <= memory+swap at every moment: raising the
		 * memory limit above the current memsw limit needs memsw first. */
		if (ret == -EINVAL && k == K_MEM_LIMIT && !targets[k].v2 &&
		    (old ? knob_differs(K_MEM_SWAP, r, old) : knob_configured(K_MEM_SWAP, r))) {
			targets[K_MEM_SWAP] = targets[k];
			ret = knob_write(&targets[K_MEM_SWAP], K_MEM_SWAP, r, old);
			if (ret < 0) {
				ret = knob_error(err, K_MEM_SWAP, &targets[k], ret);
				goto rollback;
			}
			done[K_MEM_SWAP] = true;
			ret = knob_write(&targets[k], k, r, old);
		}
		if (ret < 0) {
			ret = knob_error(err, k, &targets[k], ret);
			goto rollback;
		}
		done[k] = true;
		if (k == K_MEM_LIMIT && done[K_MEM_SWAP])
			k = K_MEM_SWAP; /* written already */
	}
	return 0;

rollback:
	/* A live change that failed halfway: put back what it changed, so that
	 * the cgroup keeps matching the config (which is not written). Two
	 * passes, for the v1 memory/memsw ordering. */
	for (int pass = 0; old && pass < 2; pass++)
		for (int k = _K_MAX - 1; k >= 0; k--)
			if (done[k] && knob_write(&targets[k], (enum ctr_cg_knob)k, old, r) == 0)
				done[k] = false;
	return ret;
}

/* ---- freezing ----------------------------------------------------------- */

int ctr_cgroup_frozen(struct ctr_cgroup *cg)
{
	struct ctr_cg_target t;
	char buf[512];
	int r = ctr_cg_resolve(cg);

	if (r < 0)
		return r;
	if (ctr_cg_find(cg, "freezer", NULL, &t) < 0)
		return -ENOTSUP;
	if (!t.v2) {
		r = t_read(&t, "freezer.state", buf, sizeof(buf));
		if (r < 0)
			return r;
		return strncmp(buf, "THAWED", 6) != 0;
	}
	r = t_read(&t, "cgroup.freeze", buf, sizeof(buf));
	return r < 0 ? r : buf[0] == '1';
}

static bool freeze_done(const struct ctr_cg_target *t, bool frozen)
{
	char buf[512];

	if (!t->v2)
		return t_read(t, "freezer.state", buf, sizeof(buf)) >= 0 &&
		       !strncmp(buf, frozen ? "FROZEN" : "THAWED", 6);
	if (t_read(t, "cgroup.events", buf, sizeof(buf)) < 0)
		return false;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "frozen ", 7))
			return (line[7] == '1') == frozen;
	return false;
}

int ctr_cgroup_freeze(struct ctr_cgroup *cg, bool frozen, struct ctr_error **err)
{
	struct ctr_cg_target t;
	int r = ctr_cg_resolve(cg);

	if (r < 0)
		return ctr_error_sys(err, -r, "find the container's cgroups");
	if (ctr_cg_find(cg, "freezer", NULL, &t) < 0)
		return ctr_error_user(err, CTR_ERR_SYSTEM, ENOTSUP,
				      "this host has neither a v1 freezer nor cgroup v2: cannot pause");
	r = t.v2 ? t_write(&t, "cgroup.freeze", frozen ? "1" : "0")
		 : t_write(&t, "freezer.state", frozen ? "FROZEN" : "THAWED");
	if (r < 0)
		return ctr_error_sys(err, -r, "%s the container's cgroup", frozen ? "freeze" : "thaw");
	/* Freezing completes asynchronously (every task must reach the
	 * refrigerator); wait a bounded 5 s for it. */
	for (int i = 0; i < 500; i++) {
		if (freeze_done(&t, frozen))
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (frozen) {
		/* Do not leave it half frozen. */
		if (t.v2)
			t_write(&t, "cgroup.freeze", "0");
		else
			t_write(&t, "freezer.state", "THAWED");
	}
	return ctr_error_user(err, CTR_ERR_SYSTEM, ETIMEDOUT, "the container's processes did not %s within 5 s",
			      frozen ? "freeze" : "thaw");
}
