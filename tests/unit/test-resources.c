/* Resource settings: value parsers, the create/set options, the config
 * document's linux.resources and the weight conversions of the cgroup table. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "error.h"
#include "resources.h"
#include "spec.h"
#include "util.h"
#include "tap.h"

static void test_sizes(void)
{
	static const struct {
		const char *in;
		int64_t want;
	} good[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "512M", 512LL << 20 },
		{ "512m", 512LL << 20 },
		{ "512MB", 512LL << 20 },
		{ "512MiB", 512LL << 20 },
		{ "512B", 512 },
		{ "1G", 1LL << 30 },
		{ "2T", 2LL << 40 },
		{ "64K", 64LL << 10 },
		{ "max", CTR_RES_MAX },
	};
	static const char *const bad[] = { "",	      "10X", "-5",   "1.5G", "M",
					   "12 M",    "1GG", "1Gb2", " 1G",  "99999999999999999999",
					   "9000000T" };
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0;
		is_int(ctr_parse_size(good[i].in, &v), 0, "size '%s' parses", good[i].in);
		is_int(v, good[i].want, "size '%s' value", good[i].in);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(ctr_parse_size(bad[i], &v), -EINVAL, "size '%s' is refused", bad[i]);
}

static void test_cpus(void)
{
	static const struct {
		const char *in;
		int64_t want;
	} good[] = { { "1", 100000 },  { "1.5", 150000 },     { "0.5", 50000 },	     { ".25", 25000 },
		     { "0.01", 1000 }, { "2.00001", 200001 }, { "max", CTR_RES_MAX } };
	static const char *const bad[] = { "-1", "0", "0.001", "abc", "1.5.2", "1,5", "", "1e3", "0.000001", "70000" };
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0;
		is_int(ctr_parse_cpus(good[i].in, &v), 0, "cpus '%s' parses", good[i].in);
		is_int(v, good[i].want, "cpus '%s' is %lld us per 100 ms", good[i].in, (long long)good[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(ctr_parse_cpus(bad[i], &v), -EINVAL, "cpus '%s' is refused", bad[i]);
}

static void test_cpu_lists(void)
{
	long outside = -1;

	is_int(ctr_parse_cpu_list("0-1", "0-1", &outside), 0, "0-1 within 0-1");
	is_int(ctr_parse_cpu_list("1", "0-3,8-11", &outside), 0, "1 within 0-3,8-11");
	is_int(ctr_parse_cpu_list("2,9-10", "0-3,8-11", &outside), 0, "2,9-10 within 0-3,8-11");
	is_int(ctr_parse_cpu_list("0-1", "0-1\n", &outside), 0, "the kernel's trailing newline is fine");
	is_int(ctr_parse_cpu_list("5", "0-1", &outside), -ERANGE, "5 is outside 0-1");
	is_int(outside, 5, "the CPU outside is named");
	is_int(ctr_parse_cpu_list("3-9", "0-3,8-11", &outside), -ERANGE, "3-9 leaves 0-3,8-11");
	is_int(outside, 4, "first CPU outside is 4");
	is_int(ctr_parse_cpu_list("", "0-1", &outside), -EINVAL, "empty list refused");
	is_int(ctr_parse_cpu_list("1-0", NULL, &outside), -EINVAL, "reversed range refused");
	is_int(ctr_parse_cpu_list("a", NULL, &outside), -EINVAL, "letters refused");
	is_int(ctr_parse_cpu_list("1,", NULL, &outside), -EINVAL, "trailing comma refused");
	is_int(ctr_parse_cpu_list("0-99999", NULL, &outside), -EINVAL, "absurd CPU number refused");
}

static void test_weights(void)
{
	bool round_trip = true;

	is_int(ctr_weight_to_shares(100), 1024, "weight 100 (v2 default) is 1024 shares (v1 default)");
	is_int(ctr_shares_to_weight(1024), 100, "and back");
	is_int(ctr_weight_to_shares(1), 10, "weight 1 -> 10 shares");
	is_int(ctr_weight_to_shares(10000), 102400, "weight 10000 -> 102400 shares");
	is_int(ctr_shares_to_weight(2), 1, "2 shares (v1 minimum) -> weight 1");
	is_int(ctr_shares_to_weight(262144), 10000, "262144 shares (v1 maximum) -> weight 10000");
	for (unsigned w = 1; w <= 10000; w++)
		if (ctr_shares_to_weight(ctr_weight_to_shares(w)) != w) {
			round_trip = false;
			printf("# weight %u -> %llu shares -> %u\n", w, (unsigned long long)ctr_weight_to_shares(w),
			       ctr_shares_to_weight(ctr_weight_to_shares(w)));
			break;
		}
	ok(round_trip, "every weight 1..10000 survives the trip through shares");
}

/* Apply options; returns the error message (static) or NULL. */
static const char *set(struct ctr_resources *r, char **pairs)
{
	static char msg[512];
	struct ctr_error *err = NULL;
	int ret = ctr_resources_set(r, pairs, &err);

	msg[0] = '\0';
	if (err)
		snprintf(msg, sizeof(msg), "%s", err->msg);
	ctr_error_free(&err);
	return ret < 0 ? msg : NULL;
}

static void test_options(void)
{
	struct ctr_resources r;
	const char *e;

	ctr_resources_init(&r);
	/* --swap before --memory on the command line: still relative to it. */
	e = set(&r,
		(char *[]){ "swap", "1G", "memory", "512M", "pids", "64", "cpu-weight", "200", "cpus", "1.5", NULL });
	is_str(e, NULL, "a set of options applies");
	is_int(r.memory_limit, 512LL << 20, "memory limit");
	is_int(r.memory_swap, (512LL << 20) + (1LL << 30), "swap stored as memory + swap (OCI)");
	is_int(r.pids_limit, 64, "pids");
	is_int(r.cpu_shares, 2048, "cpu weight 200 stored as 2048 shares");
	is_int(r.cpu_quota, 150000, "cpus 1.5 -> quota");
	is_int(r.cpu_period, 100000, "period");

	e = set(&r, (char *[]){ "memory", "1G", NULL });
	is_str(e, NULL, "raise memory");
	is_int(r.memory_swap, (1LL << 30) + (1LL << 30), "the swap allowance moves with memory");
	e = set(&r, (char *[]){ "memory", "max", NULL });
	is_str(e, NULL, "memory max");
	is_int(r.memory_limit, CTR_RES_MAX, "memory unlimited");
	is_int(r.memory_swap, CTR_RES_MAX, "swap unlimited with it");
	e = set(&r, (char *[]){ "swap", "1G", NULL });
	contains(e, "needs a memory limit", "swap without a memory limit is refused");

	contains(set(&r, (char *[]){ "memory", "10X", NULL }), "'10X' for --memory", "bad size names value and option");
	contains(set(&r, (char *[]){ "memory", "1M", NULL }), "at least 4M", "tiny memory limit refused");
	contains(set(&r, (char *[]){ "cpus", "-1", NULL }), "'-1' for --cpus", "negative cpus refused");
	contains(set(&r, (char *[]){ "cpus", "100000", NULL }), "for --cpus", "more CPUs than exist refused");
	contains(set(&r, (char *[]){ "cpu-weight", "0", NULL }), "1..10000", "weight 0 refused");
	contains(set(&r, (char *[]){ "pids", "0", NULL }), "1..4194304", "pids 0 refused");
	contains(set(&r, (char *[]){ "io-weight", "5", NULL }), "10..1000", "io weight 5 refused");
	contains(set(&r, (char *[]){ "cpuset-cpus", "4096", NULL }), "is not on this host", "cpuset outside the host");
	contains(set(&r, (char *[]){ "cpuset-cpus", "x", NULL }), "expected a list", "malformed cpuset");
	contains(set(&r, (char *[]){ "device", "/dev/nonexistent-ctr", NULL }), "no device", "missing device");
	contains(set(&r, (char *[]){ "device", "/etc/passwd", NULL }), "under /dev", "a path outside /dev");
	if (access("/dev/net", F_OK) == 0)
		contains(set(&r, (char *[]){ "device", "/dev/net", NULL }), "not a device", "a directory is no device");
	contains(set(&r, (char *[]){ "device", "/dev/null:rwx", NULL }), "access", "bad access letters");
	contains(set(&r, (char *[]){ "io-read-bps", "/dev/null:1M", NULL }), "not a block device",
		 "throttle on a char device");
	contains(set(&r, (char *[]){ "io-read-bps", "/dev/nonexistent-ctr:1M", NULL }), "no device",
		 "throttle on a missing device");
	contains(set(&r, (char *[]){ "io-read-bps", "1M", NULL }), "DEVICE:RATE", "throttle without device");
	contains(set(&r, (char *[]){ "bogus", "1", NULL }), "unknown resource option", "unknown option");
	is_int(r.pids_limit, 64, "failed options changed nothing already set");

	/* Devices: a node plus an allow rule, removed together. */
	contains(set(&r, (char *[]){ "device", "/dev/null", NULL }), "every container has it",
		 "a default device cannot be given (or later taken) again");
	contains(set(&r, (char *[]){ "device", "/dev/pts/ptmx", NULL }), "every container has it",
		 "nor a node below a default name");
	e = set(&r, (char *[]){ "device", "/dev/kmsg:rw", NULL });
	is_str(e, NULL, "--device /dev/kmsg:rw");
	is_int(r.n_nodes, 1, "one node");
	is_int(r.n_devices, 1, "one rule");
	if (r.n_nodes == 1 && r.n_devices == 1) {
		is_str(r.nodes[0].path, "/dev/kmsg", "node path");
		is_int(r.nodes[0].major, 1, "node major");
		is_int(r.nodes[0].minor, 11, "node minor");
		is_str(r.devices[0].access, "rw", "rule access");
		ok(r.devices[0].allow && r.devices[0].type == 'c', "an allow rule for a char device");
	}
	e = set(&r, (char *[]){ "device", "/dev/kmsg", NULL });
	is_int(r.n_nodes + r.n_devices, 2, "giving it again replaces, not duplicates");
	if (r.n_devices == 1)
		is_str(r.devices[0].access, "rwm", "default access rwm");
	contains(set(&r, (char *[]){ "device-rm", "/dev/zero", NULL }), "was not given", "removing an unknown device");
	e = set(&r, (char *[]){ "device-rm", "/dev/kmsg", NULL });
	is_str(e, NULL, "--device-rm");
	is_int(r.n_nodes + r.n_devices, 0, "node and rule gone");
	ctr_resources_done(&r);
}

static void test_document(void)
{
	static const char doc[] =
		"{\"process\":{\"args\":[\"/bin/sh\"]},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":"
		"\"mount\"}],\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"reservation\":1048576},"
		"\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\",\"mems\":\"0\"},\"pids\":{"
		"\"limit\":100},\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":7,\"minor\":0,"
		"\"rate\":1048576}]},\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":"
		"\"rw\"}]},\"devices\":[{\"path\":\"/dev/net/tun\",\"type\":\"c\",\"major\":10,\"minor\":200,"
		"\"fileMode\":438}]}}";
	static const struct {
		const char *json, *fragment;
	} bad[] = {
		{ "{\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}}", "linux.resources.memory.limit" },
		{ "{\"linux\":{\"resources\":{\"memory\":{\"limit\":-7}}}}", "or -1 for unlimited" },
		{ "{\"linux\":{\"resources\":{\"memory\":{\"limit\":100,\"swap\":50}}}}",
		  "memory.swap: must be at least" },
		{ "{\"linux\":{\"resources\":{\"memory\":{\"kernel\":1}}}}", "memory.kernel: unknown field" },
		{ "{\"linux\":{\"resources\":{\"cpu\":{\"shares\":1}}}}", "cpu.shares" },
		{ "{\"linux\":{\"resources\":{\"cpu\":{\"quota\":50000}}}}", "quota and period go together" },
		{ "{\"linux\":{\"resources\":{\"cpu\":{\"cpus\":\"0-\"}}}}", "linux.resources.cpu.cpus" },
		{ "{\"linux\":{\"resources\":{\"pids\":{\"limit\":0}}}}", "linux.resources.pids" },
		{ "{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":5}}}}", "blockIO.weight" },
		{ "{\"linux\":{\"resources\":{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":7}]}}}}",
		  "needs major, minor and rate" },
		{ "{\"linux\":{\"resources\":{\"devices\":[{\"type\":\"c\"}]}}}", "missing \"allow\"" },
		{ "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}}}", "devices[0].type" },
		{ "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}}", "r, w and m" },
		{ "{\"linux\":{\"devices\":[{\"path\":\"/etc/x\",\"type\":\"c\"}]}}", "under /dev/" },
		{ "{\"linux\":{\"devices\":[{\"path\":\"/dev/../etc/x\",\"type\":\"c\"}]}}", "under /dev/" },
		{ "{\"linux\":{\"devices\":[{\"path\":\"/dev/.\",\"type\":\"c\"}]}}", "under /dev/" },
		{ "{\"linux\":{\"devices\":[{\"path\":\"/dev/null\",\"type\":\"c\"}]}}", "in every container" },
		{ "{\"linux\":{\"resources\":{\"network\":{}}}}", "linux.resources.network: unknown field" },
	};
	struct ctr_spec *s = NULL, *back = NULL;
	struct ctr_error *err = NULL;
	char *json = NULL, *json2 = NULL;

	is_int(ctr_spec_parse(doc, strlen(doc), &s, &err), 0, "a document with every resource parses");
	if (err)
		printf("# %s\n", err->msg);
	ctr_error_free(&err);
	if (!s)
		return;
	is_int(s->res.memory_limit, 64 << 20, "memory.limit");
	is_int(s->res.memory_swap, 128 << 20, "memory.swap");
	is_int(s->res.memory_reservation, 1 << 20, "memory.reservation");
	is_int(s->res.cpu_shares, 512, "cpu.shares");
	is_str(s->res.cpuset_cpus, "0", "cpu.cpus");
	is_int(s->res.pids_limit, 100, "pids.limit");
	is_int(s->res.io_weight, 500, "blockIO.weight");
	is_int(s->res.n_throttle[CTR_THROTTLE_READ_BPS], 1, "one read throttle");
	is_int(s->res.throttle[CTR_THROTTLE_READ_BPS][0].rate, 1048576, "its rate");
	is_int(s->res.n_devices, 1, "one device rule");
	is_int(s->res.n_nodes, 1, "one device node");
	is_str(s->res.nodes[0].path, "/dev/net/tun", "node path");
	is_int(s->res.nodes[0].mode, 0666, "node mode");

	is_int(ctr_spec_to_json(s, &json, NULL), 0, "emit");
	is_int(ctr_spec_parse(json, strlen(json), &back, &err), 0, "emitted document parses again");
	ctr_error_free(&err);
	if (back && ctr_spec_to_json(back, &json2, NULL) == 0)
		is_str(json2, json, "round trip is stable");
	free(json);
	free(json2);
	ctr_spec_free(back);
	ctr_spec_free(s);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		s = NULL;
		ok(ctr_spec_parse(bad[i].json, strlen(bad[i].json), &s, &err) < 0 && !s, "refused: %s", bad[i].json);
		contains(err ? err->msg : NULL, bad[i].fragment, "message names '%s'", bad[i].fragment);
		if (err)
			is_int(err->kind, CTR_ERR_INVALID_CONFIG, "kind invalid-config");
		ctr_error_free(&err);
		ctr_spec_free(s);
	}
}

static bool has_all(const void *data, const char *file)
{
	return true;
}

static bool has_none(const void *data, const char *file)
{
	return false;
}

/* The writes of knob k as "file=value;file=value". */
static const char *writes(enum ctr_cg_knob k, bool v2, const struct ctr_resources *r, const struct ctr_resources *prev,
			  bool (*has)(const void *, const char *))
{
	static char out[4096];
	struct ctr_cg_writes ws = { 0 };
	size_t len = 0;

	out[0] = '\0';
	if (ctr_cg_knob_writes(k, v2, r, prev, has, NULL, &ws) < 0) {
		ctr_cg_writes_done(&ws);
		return "(error)";
	}
	for (size_t i = 0; i < ws.n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s=%s%s", i ? ";" : "", ws.w[i].file,
					ws.w[i].value, ws.w[i].from_parent ? "(parent)" : "");
	ctr_cg_writes_done(&ws);
	return out;
}

/* The setting -> cgroup file table, both versions. */
static void test_table(void)
{
	struct ctr_resources r, prev;

	ctr_resources_init(&r);
	ctr_resources_init(&prev);
	set(&r, (char *[]){ "memory", "512M", "swap", "1G", "memory-reservation", "256M", "cpu-weight", "200", "cpus",
			    "1.5", "cpuset-cpus", "0-1", "pids", "100", "io-weight", "300", NULL });
	is_str(writes(K_MEM_LIMIT, false, &r, NULL, has_all), "memory.limit_in_bytes=536870912", "v1 memory");
	is_str(writes(K_MEM_LIMIT, true, &r, NULL, has_all), "memory.max=536870912", "v2 memory");
	is_str(writes(K_MEM_SWAP, false, &r, NULL, has_all), "memory.memsw.limit_in_bytes=1610612736",
	       "v1 swap is memory + swap");
	is_str(writes(K_MEM_SWAP, true, &r, NULL, has_all), "memory.swap.max=1073741824", "v2 swap is swap alone");
	is_str(writes(K_MEM_LOW, false, &r, NULL, has_all), "memory.soft_limit_in_bytes=268435456", "v1 reservation");
	is_str(writes(K_MEM_LOW, true, &r, NULL, has_all), "memory.low=268435456", "v2 reservation");
	is_str(writes(K_CPU_WEIGHT, false, &r, NULL, has_all), "cpu.shares=2048", "v1 weight as shares");
	is_str(writes(K_CPU_WEIGHT, true, &r, NULL, has_all), "cpu.weight=200", "v2 weight");
	is_str(writes(K_CPU_MAX, false, &r, NULL, has_all),
	       "cpu.cfs_quota_us=-1;cpu.cfs_period_us=100000;cpu.cfs_quota_us=150000", "v1 quota after its period");
	is_str(writes(K_CPU_MAX, true, &r, NULL, has_all), "cpu.max=150000 100000", "v2 cpu.max");
	is_str(writes(K_CPUSET_CPUS, false, &r, NULL, has_all), "cpuset.cpus=0-1", "v1 cpuset");
	is_str(writes(K_CPUSET_CPUS, true, &r, NULL, has_all), "cpuset.cpus=0-1", "v2 cpuset");
	is_str(writes(K_PIDS, true, &r, NULL, has_all), "pids.max=100", "pids");
	is_str(writes(K_IO_WEIGHT, false, &r, NULL, has_all), "blkio.bfq.weight=300", "v1 BFQ weight");
	is_str(writes(K_IO_WEIGHT, false, &r, NULL, has_none), "blkio.weight=300", "v1 weight without BFQ");
	is_str(writes(K_IO_WEIGHT, true, &r, NULL, has_none), "io.weight=300", "v2 io.weight");

	/* Unlimited and unset values, as a live change writes them. */
	set(&r, (char *[]){ "memory", "max", "cpus", "max", "pids", "max", "cpuset-cpus", "all", NULL });
	is_str(writes(K_MEM_LIMIT, false, &r, NULL, has_all), "memory.limit_in_bytes=-1", "v1 memory max");
	is_str(writes(K_MEM_LIMIT, true, &r, NULL, has_all), "memory.max=max", "v2 memory max");
	is_str(writes(K_MEM_SWAP, true, &r, NULL, has_all), "memory.swap.max=max", "v2 swap max with it");
	is_str(writes(K_CPU_MAX, true, &r, NULL, has_all), "cpu.max=max 100000", "v2 no cpu limit");
	is_str(writes(K_PIDS, false, &r, NULL, has_all), "pids.max=max", "pids max");
	is_str(writes(K_CPUSET_CPUS, false, &r, NULL, has_all), "cpuset.cpus=(parent)", "v1 unpinned: the parent's");
	is_str(writes(K_CPUSET_CPUS, true, &r, NULL, has_all), "cpuset.cpus=", "v2 unpinned: empty");
	ctr_resources_done(&r);

	/* Throttles: a live change lifts the devices no longer limited. */
	ctr_resources_init(&r);
	prev.throttle[CTR_THROTTLE_READ_BPS] = calloc(1, sizeof(struct ctr_throttle_dev));
	prev.throttle[CTR_THROTTLE_READ_BPS][0] = (struct ctr_throttle_dev){ 8, 0, 1000 };
	prev.n_throttle[CTR_THROTTLE_READ_BPS] = 1;
	r.throttle[CTR_THROTTLE_WRITE_IOPS] = calloc(1, sizeof(struct ctr_throttle_dev));
	r.throttle[CTR_THROTTLE_WRITE_IOPS][0] = (struct ctr_throttle_dev){ 7, 1, 50 };
	r.n_throttle[CTR_THROTTLE_WRITE_IOPS] = 1;
	is_str(writes(K_IO_MAX, false, &r, &prev, has_all),
	       "blkio.throttle.read_bps_device=8:0 0;blkio.throttle.write_iops_device=7:1 50", "v1 throttles");
	is_str(writes(K_IO_MAX, true, &r, &prev, has_all),
	       "io.max=8:0 rbps=max wbps=max riops=max wiops=max;io.max=7:1 rbps=max wbps=max riops=max wiops=50",
	       "v2 io.max lines");

	/* Devices on v1: deny all, the default list, then the config's rules;
	 * a live change of allow rules only adds and removes exceptions. */
	r.devices = calloc(1, sizeof(*r.devices));
	r.devices[0] = (struct ctr_device_rule){ true, 'c', 10, 200, "rw" };
	r.n_devices = 1;
	contains(writes(K_DEVICES, false, &r, NULL, has_all), "devices.deny=a;devices.allow=c 1:3 rwm;",
		 "v1 devices start with deny all, then /dev/null");
	contains(writes(K_DEVICES, false, &r, NULL, has_all), "devices.allow=c 136:* rwm;devices.allow=c 10:200 rw",
		 "pts, then the config's rule");
	is_str(writes(K_DEVICES, false, &r, &prev, has_all), "devices.allow=c 10:200 rw", "live: only the new rule");
	is_str(writes(K_DEVICES, false, &prev, &r, has_all), "devices.deny=c 10:200 rw", "live: removing it");
	is_str(writes(K_DEVICES, true, &r, NULL, has_all), "", "v2 devices are no file writes (BPF)");
	ctr_resources_done(&r);
	ctr_resources_done(&prev);
}

int main(void)
{
	test_sizes();
	test_cpus();
	test_cpu_lists();
	test_weights();
	test_options();
	test_table();
	test_document();
	return tap_done();
}
