/* Usage statistics of a container's cgroups, v1 or v2, in one shape. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../error.h"
#include "cgroup-internal.h"
#include "cgroup.h"

/* The hierarchy holding a controller (ctr_cg_find) and the name to read it by. */
static const struct hier *find(const struct ctr_cgroup *cg, const char *v1_ctrl, const char *v2_ctrl,
			       const char **ret_ctrl)
{
	struct ctr_cg_target t;

	if (ctr_cg_find(cg, v1_ctrl, v2_ctrl, &t) < 0)
		return NULL;
	*ret_ctrl = t.v2 ? v2_ctrl : v1_ctrl;
	return t.h;
}

/* A single number; "max" (and v1's page-rounded LLONG_MAX) is unlimited. */
static int64_t read_num(const struct hier *h, const char *ctrl, const char *file)
{
	char buf[256], *end;
	long long v;

	if (!h || ctr_cg_read(h, ctrl, file, buf, sizeof(buf)) <= 0)
		return CTR_STAT_NONE;
	if (!strncmp(buf, "max", 3))
		return CTR_STAT_UNLIMITED;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return CTR_STAT_NONE;
	if (v < 0 || v >= (1LL << 62))
		return CTR_STAT_UNLIMITED;
	return v;
}

/* The value of "KEY VALUE" in a flat-keyed file (cpu.stat, memory.events). */
static int64_t read_key(const struct hier *h, const char *ctrl, const char *file, const char *key)
{
	char buf[8192];
	size_t n = strlen(key);

	if (!h || ctr_cg_read(h, ctrl, file, buf, sizeof(buf)) <= 0)
		return CTR_STAT_NONE;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, n) && line[n] == ' ')
			return strtoll(line + n + 1, NULL, 10);
	return CTR_STAT_NONE;
}

static int64_t scaled(int64_t v, int64_t mul)
{
	return v < 0 ? v : v * mul;
}

static int64_t diff(int64_t a, int64_t b)
{
	if (a == CTR_STAT_UNLIMITED)
		return CTR_STAT_UNLIMITED;
	return a < 0 || b < 0 ? CTR_STAT_NONE : a - b;
}

/* v1 blkio.throttle.io_service{d,_bytes}_recursive: "MAJ:MIN Read N" lines. */
static void v1_io(const struct hier *h, const char *file, int64_t *ret_read, int64_t *ret_write)
{
	char buf[16384];

	if (!h || ctr_cg_read(h, "blkio", file, buf, sizeof(buf)) < 0)
		return;
	*ret_read = *ret_write = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char dev[32], op[16];
		long long v;

		if (sscanf(line, "%31s %15s %lld", dev, op, &v) != 3)
			continue;
		if (!strcmp(op, "Read"))
			*ret_read += v;
		else if (!strcmp(op, "Write"))
			*ret_write += v;
	}
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." per device. */
static void v2_io(const struct hier *h, struct ctr_stats *s)
{
	char buf[16384];

	if (!h || ctr_cg_read(h, "io", "io.stat", buf, sizeof(buf)) < 0)
		return;
	s->io_read_bytes = s->io_write_bytes = s->io_read_ops = s->io_write_ops = 0;
	for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
		static const struct {
			const char *key;
			size_t off;
		} keys[] = {
			{ "rbytes=", offsetof(struct ctr_stats, io_read_bytes) },
			{ "wbytes=", offsetof(struct ctr_stats, io_write_bytes) },
			{ "rios=", offsetof(struct ctr_stats, io_read_ops) },
			{ "wios=", offsetof(struct ctr_stats, io_write_ops) },
		};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strncmp(tok, keys[k].key, strlen(keys[k].key)))
				*(int64_t *)((char *)s + keys[k].off) += strtoll(tok + strlen(keys[k].key), NULL, 10);
	}
}

static void memory_stats(const struct hier *h, const char *c, bool v2, struct ctr_stats *s)
{
	if (v2) {
		s->memory_usage = read_num(h, c, "memory.current");
		s->memory_peak = read_num(h, c, "memory.peak");
		s->memory_limit = read_num(h, c, "memory.max");
		s->memory_failcnt = read_key(h, c, "memory.events", "max");
		s->memory_oom_kills = read_key(h, c, "memory.events", "oom_kill");
		s->swap_usage = read_num(h, c, "memory.swap.current");
		s->swap_limit = read_num(h, c, "memory.swap.max");
		return;
	}
	s->memory_usage = read_num(h, c, "memory.usage_in_bytes");
	s->memory_peak = read_num(h, c, "memory.max_usage_in_bytes");
	s->memory_limit = read_num(h, c, "memory.limit_in_bytes");
	s->memory_failcnt = read_num(h, c, "memory.failcnt");
	s->memory_oom_kills = read_key(h, c, "memory.oom_control", "oom_kill");
	/* memsw counts memory + swap; its limit likewise. */
	s->swap_usage = diff(read_num(h, c, "memory.memsw.usage_in_bytes"), s->memory_usage);
	s->swap_limit = s->memory_limit == CTR_STAT_UNLIMITED
				? read_num(h, c, "memory.memsw.limit_in_bytes")
				: diff(read_num(h, c, "memory.memsw.limit_in_bytes"), s->memory_limit);
}

static void cpu_stats(const struct ctr_cgroup *cg, struct ctr_stats *s)
{
	const char *c = NULL, *acct_c = NULL;
	const struct hier *h = find(cg, "cpu", "cpu", &c);
	const struct hier *acct = find(cg, "cpuacct", "cpu", &acct_c);
	long tick = sysconf(_SC_CLK_TCK);

	if (h && h->v2) {
		s->cpu_usage_ns = scaled(read_key(h, c, "cpu.stat", "usage_usec"), 1000);
		s->cpu_user_ns = scaled(read_key(h, c, "cpu.stat", "user_usec"), 1000);
		s->cpu_system_ns = scaled(read_key(h, c, "cpu.stat", "system_usec"), 1000);
		s->cpu_throttled_ns = scaled(read_key(h, c, "cpu.stat", "throttled_usec"), 1000);
		s->cpu_periods = read_key(h, c, "cpu.stat", "nr_periods");
		s->cpu_throttled_periods = read_key(h, c, "cpu.stat", "nr_throttled");
		s->cpu_weight = read_num(h, c, "cpu.weight");
		{
			char buf[128];
			long long q, p;

			if (ctr_cg_read(h, c, "cpu.max", buf, sizeof(buf)) > 0) {
				if (sscanf(buf, "%lld %lld", &q, &p) == 2) {
					s->cpu_quota_us = q;
					s->cpu_period_us = p;
				} else if (sscanf(buf, "max %lld", &p) == 1) {
					s->cpu_quota_us = CTR_STAT_UNLIMITED;
					s->cpu_period_us = p;
				}
			}
		}
		return;
	}
	if (acct && !acct->v2) {
		s->cpu_usage_ns = read_num(acct, acct_c, "cpuacct.usage");
		if (tick > 0) {
			s->cpu_user_ns = scaled(read_key(acct, acct_c, "cpuacct.stat", "user"), 1000000000 / tick);
			s->cpu_system_ns = scaled(read_key(acct, acct_c, "cpuacct.stat", "system"), 1000000000 / tick);
		}
	}
	if (h) {
		int64_t shares = read_num(h, c, "cpu.shares");

		s->cpu_periods = read_key(h, c, "cpu.stat", "nr_periods");
		s->cpu_throttled_periods = read_key(h, c, "cpu.stat", "nr_throttled");
		s->cpu_throttled_ns = read_key(h, c, "cpu.stat", "throttled_time");
		s->cpu_quota_us = read_num(h, c, "cpu.cfs_quota_us");
		s->cpu_period_us = read_num(h, c, "cpu.cfs_period_us");
		s->cpu_weight = shares > 0 ? (int64_t)((shares * 100 + 1023) / 1024) : CTR_STAT_NONE;
	}
}

int ctr_cgroup_stats(struct ctr_cgroup *cg, struct ctr_stats *ret, struct ctr_error **err)
{
	struct ctr_stats s;
	const struct hier *h;
	const char *c = NULL;
	int r;

	r = ctr_cg_resolve(cg);
	if (r < 0)
		return ctr_error_sys(err, -r, "find the container's cgroups");
	/* Every number starts as "not provided by this host" (all bits set: -1). */
	memset(&s, 0xff, sizeof(s));
	s.cpuset_cpus[0] = '\0';
	s.frozen = false;

	if ((h = find(cg, "memory", "memory", &c)))
		memory_stats(h, c, h->v2, &s);
	cpu_stats(cg, &s);
	if ((h = find(cg, "pids", "pids", &c))) {
		s.pids_current = read_num(h, c, "pids.current");
		s.pids_peak = read_num(h, c, "pids.peak");
		s.pids_limit = read_num(h, c, "pids.max");
		s.pids_failcnt = read_key(h, c, "pids.events", "max");
	}
	if ((h = find(cg, "blkio", "io", &c))) {
		if (h->v2) {
			v2_io(h, &s);
		} else {
			v1_io(h, "blkio.throttle.io_service_bytes_recursive", &s.io_read_bytes, &s.io_write_bytes);
			v1_io(h, "blkio.throttle.io_serviced_recursive", &s.io_read_ops, &s.io_write_ops);
		}
	}
	if ((h = find(cg, "cpuset", "cpuset", &c)) &&
	    ctr_cg_read(h, c, h->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus", s.cpuset_cpus,
			sizeof(s.cpuset_cpus)) > 0)
		s.cpuset_cpus[strcspn(s.cpuset_cpus, "\n")] = '\0';
	r = ctr_cgroup_frozen(cg);
	s.frozen = r > 0;
	*ret = s;
	return 0;
}
