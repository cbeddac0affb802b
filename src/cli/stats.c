#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "../cgroups/cgroup.h"
#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/* A number, or null: not provided by this host's kernel, or no limit. */
static void num(yajl_gen g, const char *key, int64_t v)
{
	S(g, key);
	if (v < 0)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, v);
}

/* The stable JSON of one container's statistics (ctr-resources(7)). */
static void gen_stats(yajl_gen g, const char *name, enum ctr_status status, const struct ctr_stats *s)
{
	yajl_gen_map_open(g);
	S(g, "name");
	S(g, name);
	S(g, "state");
	S(g, ctr_status_to_string(status));
	if (!s) {
		static const char *const groups[] = { "memory", "swap", "cpu", "pids", "io", "cpuset" };

		for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
			S(g, groups[i]);
			yajl_gen_null(g);
		}
		yajl_gen_map_close(g);
		return;
	}
	S(g, "memory");
	yajl_gen_map_open(g);
	num(g, "usage", s->memory_usage);
	num(g, "peak", s->memory_peak);
	num(g, "limit", s->memory_limit);
	num(g, "failcnt", s->memory_failcnt);
	num(g, "oomKills", s->memory_oom_kills);
	yajl_gen_map_close(g);
	S(g, "swap");
	yajl_gen_map_open(g);
	num(g, "usage", s->swap_usage);
	num(g, "limit", s->swap_limit);
	yajl_gen_map_close(g);
	S(g, "cpu");
	yajl_gen_map_open(g);
	num(g, "usageNs", s->cpu_usage_ns);
	num(g, "userNs", s->cpu_user_ns);
	num(g, "systemNs", s->cpu_system_ns);
	num(g, "weight", s->cpu_weight);
	num(g, "quotaUs", s->cpu_quota_us);
	num(g, "periodUs", s->cpu_period_us);
	num(g, "periods", s->cpu_periods);
	num(g, "throttledPeriods", s->cpu_throttled_periods);
	num(g, "throttledNs", s->cpu_throttled_ns);
	yajl_gen_map_close(g);
	S(g, "pids");
	yajl_gen_map_open(g);
	num(g, "current", s->pids_current);
	num(g, "peak", s->pids_peak);
	num(g, "limit", s->pids_limit);
	num(g, "failcnt", s->pids_failcnt);
	yajl_gen_map_close(g);
	S(g, "io");
	yajl_gen_map_open(g);
	num(g, "readBytes", s->io_read_bytes);
	num(g, "writeBytes", s->io_write_bytes);
	num(g, "readOps", s->io_read_ops);
	num(g, "writeOps", s->io_write_ops);
	yajl_gen_map_close(g);
	S(g, "cpuset");
	if (s->cpuset_cpus[0])
		S(g, s->cpuset_cpus);
	else
		yajl_gen_null(g);
	yajl_gen_map_close(g);
}

/* 1536 -> "1.5K"; the limit columns say "max" for no limit, "-" for unknown. */
static const char *human(int64_t v, char buf[static 24])
{
	static const char units[] = "BKMGTP";
	double d = (double)v;
	size_t u = 0;

	if (v == CTR_STAT_UNLIMITED)
		return "max";
	if (v < 0)
		return "-";
	while (d >= 1024 && u + 1 < sizeof(units) - 1) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, 24, "%" PRId64 "B", v);
	else
		snprintf(buf, 24, "%.1f%c", d, units[u]);
	return buf;
}

static const char *count(int64_t v, char buf[static 24])
{
	if (v == CTR_STAT_UNLIMITED)
		return "max";
	if (v < 0)
		return "-";
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

static double secs(int64_t ns)
{
	return ns < 0 ? 0 : (double)ns / 1e9;
}

static void print_text(const char *name, enum ctr_status status, const struct ctr_stats *s)
{
	char a[24], b[24], c[24], d[24];

	printf("%s (%s)\n", name, ctr_status_to_string(status));
	printf("  %-10s %10s %10s %10s %10s\n", "RESOURCE", "HELD", "MAXHELD", "LIMIT", "FAILCNT");
	printf("  %-10s %10s %10s %10s %10s\n", "memory", human(s->memory_usage, a), human(s->memory_peak, b),
	       human(s->memory_limit, c), count(s->memory_failcnt, d));
	printf("  %-10s %10s %10s %10s %10s\n", "swap", human(s->swap_usage, a), "-", human(s->swap_limit, c), "-");
	printf("  %-10s %10s %10s %10s %10s\n", "pids", count(s->pids_current, a), count(s->pids_peak, b),
	       count(s->pids_limit, c), count(s->pids_failcnt, d));
	printf("  oom kills: %s\n", count(s->memory_oom_kills, a));
	printf("  cpu: %.2fs (user %.2fs, system %.2fs), weight %s", secs(s->cpu_usage_ns), secs(s->cpu_user_ns),
	       secs(s->cpu_system_ns), count(s->cpu_weight, a));
	if (s->cpu_quota_us > 0 && s->cpu_period_us > 0)
		printf(", limit %.2f CPUs", (double)s->cpu_quota_us / (double)s->cpu_period_us);
	else
		printf(", no limit");
	printf(", cpuset %s\n", s->cpuset_cpus[0] ? s->cpuset_cpus : "-");
	printf("  cpu throttled: %s of %s periods, %.2fs\n", count(s->cpu_throttled_periods, a),
	       count(s->cpu_periods, b), secs(s->cpu_throttled_ns));
	printf("  io: read %s in %s ops, write %s in %s ops\n", human(s->io_read_bytes, a), count(s->io_read_ops, b),
	       human(s->io_write_bytes, c), count(s->io_write_ops, d));
	fflush(stdout);
}

static int fail(struct cli *cli, struct ctr_error *err, const char *name)
{
	int r;

	ctr_error_wrap(&err, "stats %s", name);
	r = cli_fail(cli, err, 0);
	ctr_error_free(&err);
	return r;
}

/* Every container, stopped ones with null statistics: what a panel polls. */
static int stats_all(struct cli *cli)
{
	struct ctr_error *err = NULL;
	struct ctr_info *v = NULL;
	yajl_gen g;
	size_t n = 0;

	if (ctr_list(cli->ctx, &v, &n, &err) < 0)
		return fail(cli, err, "--all");
	g = yajl_gen_alloc(NULL);
	if (cli->json) {
		yajl_gen_map_open(g);
		S(g, "containers");
		yajl_gen_array_open(g);
	}
	for (size_t i = 0; i < n; i++) {
		struct ctr_stats s;
		bool have = false;

		if (v[i].status == CTR_RUNNING || v[i].status == CTR_PAUSED) {
			/* It may stop meanwhile: then it shows as stopped. */
			have = ctr_stats_get(cli->ctx, v[i].name, &s, &err) == 0;
			ctr_error_free(&err);
		}
		/* starting/stopping: no statistics, but the state as it is. */
		if (!have && (v[i].status == CTR_RUNNING || v[i].status == CTR_PAUSED))
			v[i].status = CTR_STOPPED;
		if (cli->json)
			gen_stats(g, v[i].name, v[i].status, have ? &s : NULL);
		else if (have)
			print_text(v[i].name, v[i].status, &s);
		else
			printf("%s (%s)\n", v[i].name, ctr_status_to_string(v[i].status));
		ctr_info_done(&v[i]);
	}
	free(v);
	if (cli->json) {
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
		cli_print_json(g);
	}
	yajl_gen_free(g);
	return 0;
}

static int run_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },	   { "all", no_argument, NULL, 'a' },
		{ "watch", no_argument, NULL, 'w' },	   { "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	bool all = false, watch = false;
	int c, interval = 1, samples = 0; /* 0: until it stops */

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'j': cli->json = true; break;
		case 'a': all = true; break;
		case 'w': watch = true; break;
		case 'i':
			interval = cli_parse_uint(cli, "--interval", optarg, 3600);
			if (interval < 1)
				return interval < 0 ? 2 : cli_usage_error(cli, "--interval must be at least 1 second");
			break;
		case 'n':
			samples = cli_parse_uint(cli, "--count", optarg, 1000000);
			if (samples < 1)
				return samples < 0 ? 2 : cli_usage_error(cli, "--count must be at least 1");
			watch = true;
			break;
		default: return 2;
		}
	}
	if (all) {
		if (cli_positional(cli, argc, argv, 0, 0, "") < 0)
			return 2;
		if (watch)
			return cli_usage_error(cli, "--all takes one sample; poll it for more");
		return stats_all(cli);
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME (or --all)") < 0)
		return 2;
	/* --watch: one sample per interval until the container stops (or
	 * --count samples); JSON prints one document per line. */
	for (int i = 0;; i++) {
		struct ctr_stats s;
		enum ctr_status status;

		if (ctr_stats_get(cli->ctx, argv[optind], &s, &err) < 0) {
			if (i > 0 && err && err->kind == CTR_ERR_WRONG_STATE) {
				ctr_error_free(&err);
				return 0; /* it stopped while watched */
			}
			return fail(cli, err, argv[optind]);
		}
		/* Stats exist only for a running container: paused or not. */
		status = s.frozen ? CTR_PAUSED : CTR_RUNNING;
		if (cli->json) {
			yajl_gen g = yajl_gen_alloc(NULL);

			gen_stats(g, argv[optind], status, &s);
			cli_print_json(g);
			yajl_gen_free(g);
		} else {
			print_text(argv[optind], status, &s);
		}
		if (!watch || (samples && i + 1 >= samples))
			break;
		nanosleep(&(struct timespec){ .tv_sec = interval }, NULL);
	}
	return 0;
}

const struct cli_command cli_stats = {
	.name = "stats",
	.run = run_stats,
	.usage = "NAME [--json] [--watch [--interval S] [--count N]] | --all [--json]",
	.summary = "resource usage, peaks, limits and failure counters",
	.help = "      --json            JSON output (fields: ctr-resources(7))\n"
		"      --all             every container (stopped ones with null values)\n"
		"  -w, --watch           repeat every --interval seconds until it stops\n"
		"      --interval S      seconds between samples (default 1)\n"
		"      --count N         stop after N samples (implies --watch)\n",
};
