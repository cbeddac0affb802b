#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "resources.h"
#include "util.h"

const struct ctr_device_rule ctr_default_devices[] = {
	{ true, 'c', 1, 3, "rwm" },   /* null */
	{ true, 'c', 1, 5, "rwm" },   /* zero */
	{ true, 'c', 1, 7, "rwm" },   /* full */
	{ true, 'c', 1, 8, "rwm" },   /* random */
	{ true, 'c', 1, 9, "rwm" },   /* urandom */
	{ true, 'c', 5, 0, "rwm" },   /* tty */
	{ true, 'c', 5, 1, "rwm" },   /* console */
	{ true, 'c', 5, 2, "rwm" },   /* ptmx */
	{ true, 'c', 136, -1, "rwm" } /* pts/N */
};
const size_t ctr_n_default_devices = ARRAY_SIZE(ctr_default_devices);

static const char *const throttle_key[_CTR_THROTTLE_MAX] = {
	[CTR_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
	[CTR_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
	[CTR_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
	[CTR_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

void ctr_resources_init(struct ctr_resources *r)
{
	memset(r, 0, sizeof(*r));
	r->memory_limit = r->memory_swap = r->memory_reservation = CTR_RES_UNSET;
	r->cpu_quota = r->pids_limit = CTR_RES_UNSET;
}

void ctr_resources_done(struct ctr_resources *r)
{
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	for (size_t i = 0; i < _CTR_THROTTLE_MAX; i++)
		free(r->throttle[i]);
	free(r->devices);
	for (size_t i = 0; i < r->n_nodes; i++)
		free(r->nodes[i].path);
	free(r->nodes);
	ctr_resources_init(r);
}

/* ---- value parsers --------------------------------------------------------- */

int ctr_parse_size(const char *s, int64_t *ret)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!strcmp(s, "max") || !strcmp(s, "-1")) {
		*ret = CTR_RES_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': mult = 1ULL << 10; break;
	case 'M': mult = 1ULL << 20; break;
	case 'G': mult = 1ULL << 30; break;
	case 'T': mult = 1ULL << 40; break;
	case 'B': break; /* "512B": bytes */
	case '\0': break;
	default: return -EINVAL;
	}
	if (toupper((unsigned char)*end) == 'B' && mult == 1) {
		end++;
	} else if (mult > 1) {
		end++;
		/* "512M", "512MB" and "512MiB" all mean 512 * 2^20. */
		if (!strcasecmp(end, "iB"))
			end += 2;
		else if (!strcasecmp(end, "B"))
			end++;
	}
	if (*end || v > (unsigned long long)INT64_MAX / mult)
		return -EINVAL;
	*ret = (int64_t)(v * mult);
	return 0;
}

int ctr_parse_cpus(const char *s, int64_t *ret_quota)
{
	int64_t whole = 0, frac = 0, scale = CTR_CPU_PERIOD_US;
	const char *p = s;

	if (!strcmp(s, "max")) {
		*ret_quota = CTR_RES_MAX;
		return 0;
	}
	/* Decimal, without floating point: "1.5" is 150000 us per 100000 us.
	 * Digits beyond the period's resolution are refused, not rounded. */
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 65536)
			return -EINVAL;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			scale /= 10;
			if (scale == 0)
				return -EINVAL;
			frac += (*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	*ret_quota = whole * CTR_CPU_PERIOD_US + frac;
	/* The kernel's smallest quota is 1 ms per period. */
	return *ret_quota < 1000 ? -EINVAL : 0;
}

/* Next "A" or "A-B" of a list; *p advances past it and its comma. */
static int next_range(const char **p, long *ret_lo, long *ret_hi)
{
	char *end;
	long lo, hi;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	lo = strtol(*p, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		hi = strtol(end + 1, &end, 10);
	}
	if (lo < 0 || hi < lo || hi > 65535)
		return -EINVAL;
	if (*end == ',' && end[1])
		end++;
	else if (*end == '\n' && end[1] == '\0')
		end++;
	else if (*end)
		return -EINVAL;
	*p = end;
	*ret_lo = lo;
	*ret_hi = hi;
	return 0;
}

static bool list_contains(const char *list, long id)
{
	const char *p = list;
	long lo, hi;

	while (*p) {
		if (next_range(&p, &lo, &hi) < 0)
			return false;
		if (id >= lo && id <= hi)
			return true;
	}
	return false;
}

int ctr_parse_cpu_list(const char *s, const char *online, long *ret_outside)
{
	const char *p = s;
	long lo, hi;

	if (!*s)
		return -EINVAL;
	while (*p) {
		if (next_range(&p, &lo, &hi) < 0)
			return -EINVAL;
		for (long id = lo; online && id <= hi; id++)
			if (!list_contains(online, id)) {
				if (ret_outside)
					*ret_outside = id;
				return -ERANGE;
			}
	}
	return 0;
}

/* cgroup v2's cpu.weight (1..10000, default 100) and v1's cpu.shares (2..262144,
 * default 1024) are proportional: weight = shares * 100 / 1024, so that both
 * defaults mean the same. Every weight maps to a share count and back exactly. */
uint64_t ctr_weight_to_shares(unsigned weight)
{
	uint64_t s = (uint64_t)weight * 1024 / 100;

	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

unsigned ctr_shares_to_weight(uint64_t shares)
{
	uint64_t w = (shares * 100 + 1023) / 1024;

	return w < 1 ? 1 : w > 10000 ? 10000 : (unsigned)w;
}

/* ---- config document ------------------------------------------------------- */

static int bad(struct ctr_error **err, const char *path, const char *what)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s: %s", path, what);
}

static int unknown(struct ctr_error **err, const char *path, const char *key)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
			      "%s.%s: unknown field (not supported by this version of ctr)", path, key);
}

static int get_int(yajl_val v, const char *path, int64_t min, int64_t max, int64_t *ret, struct ctr_error **err)
{
	char what[96];

	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min || YAJL_GET_INTEGER(v) > max) {
		snprintf(what, sizeof(what), "expected an integer %lld..%lld", (long long)min, (long long)max);
		return bad(err, path, what);
	}
	*ret = YAJL_GET_INTEGER(v);
	return 0;
}

/* A byte count where -1 means unlimited. */
static int get_limit(yajl_val v, const char *path, int64_t *ret, struct ctr_error **err)
{
	if (!YAJL_IS_INTEGER(v) || (YAJL_GET_INTEGER(v) < 0 && YAJL_GET_INTEGER(v) != -1))
		return bad(err, path, "expected a number of bytes, or -1 for unlimited");
	*ret = YAJL_GET_INTEGER(v);
	return 0;
}

static int set_string(yajl_val v, const char *path, char **ret, struct ctr_error **err)
{
	char *s;

	if (!YAJL_IS_STRING(v))
		return bad(err, path, "expected a string");
	s = strdup(v->u.string);
	if (!s)
		return -ENOMEM;
	free(*ret);
	*ret = s;
	return 0;
}

static int parse_memory(yajl_val o, struct ctr_resources *r, struct ctr_error **err)
{
	int ret = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "linux.resources.memory", "expected an object");
	for (size_t i = 0; i < o->u.object.len && ret == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "limit"))
			ret = get_limit(v, "linux.resources.memory.limit", &r->memory_limit, err);
		else if (!strcmp(k, "swap"))
			ret = get_limit(v, "linux.resources.memory.swap", &r->memory_swap, err);
		else if (!strcmp(k, "reservation"))
			ret = get_int(v, "linux.resources.memory.reservation", 0, INT64_MAX, &r->memory_reservation,
				      err);
		else
			ret = unknown(err, "linux.resources.memory", k);
	}
	return ret;
}

static int parse_cpu(yajl_val o, struct ctr_resources *r, struct ctr_error **err)
{
	int64_t n;
	int ret = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "linux.resources.cpu", "expected an object");
	for (size_t i = 0; i < o->u.object.len && ret == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "shares")) {
			ret = get_int(v, "linux.resources.cpu.shares", 2, 262144, &n, err);
			r->cpu_shares = (uint64_t)n;
		} else if (!strcmp(k, "quota")) {
			if (!YAJL_IS_INTEGER(v) || (YAJL_GET_INTEGER(v) < 1000 && YAJL_GET_INTEGER(v) != -1))
				return bad(err, "linux.resources.cpu.quota",
					   "expected microseconds per period (at least 1000), or -1 for unlimited");
			r->cpu_quota = YAJL_GET_INTEGER(v);
		} else if (!strcmp(k, "period")) {
			ret = get_int(v, "linux.resources.cpu.period", 1000, 1000000, &n, err);
			r->cpu_period = (uint64_t)n;
		} else if (!strcmp(k, "cpus")) {
			ret = set_string(v, "linux.resources.cpu.cpus", &r->cpuset_cpus, err);
		} else if (!strcmp(k, "mems")) {
			ret = set_string(v, "linux.resources.cpu.mems", &r->cpuset_mems, err);
		} else {
			ret = unknown(err, "linux.resources.cpu", k);
		}
	}
	return ret;
}

static int parse_throttle(yajl_val a, const char *path, struct ctr_throttle_dev **ret, size_t *ret_n,
			  struct ctr_error **err)
{
	_cleanup_free_ struct ctr_throttle_dev *t = NULL;
	char p[128];

	if (!YAJL_IS_ARRAY(a))
		return bad(err, path, "expected an array of {major, minor, rate}");
	t = calloc(a->u.array.len + 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val o = a->u.array.values[i];
		int64_t n;
		int seen = 0, r = 0;

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!YAJL_IS_OBJECT(o))
			return bad(err, p, "expected an object {major, minor, rate}");
		for (size_t j = 0; j < o->u.object.len && r == 0; j++) {
			const char *k = o->u.object.keys[j];
			char fp[160];

			snprintf(fp, sizeof(fp), "%s.%s", p, k);
			if (!strcmp(k, "major") || !strcmp(k, "minor")) {
				r = get_int(o->u.object.values[j], fp, 0, 0xfffff, &n, err);
				*(k[1] == 'a' ? &t[i].major : &t[i].minor) = (unsigned)n;
				seen |= k[1] == 'a' ? 1 : 2;
			} else if (!strcmp(k, "rate")) {
				r = get_int(o->u.object.values[j], fp, 1, INT64_MAX, &n, err);
				t[i].rate = (uint64_t)n;
				seen |= 4;
			} else {
				r = unknown(err, p, k);
			}
		}
		if (r < 0)
			return r;
		if (seen != 7)
			return bad(err, p, "needs major, minor and rate");
	}
	*ret = TAKE_PTR(t);
	*ret_n = a->u.array.len;
	return 0;
}

static int parse_blockio(yajl_val o, struct ctr_resources *r, struct ctr_error **err)
{
	int ret = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "linux.resources.blockIO", "expected an object");
	for (size_t i = 0; i < o->u.object.len && ret == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];
		size_t t;

		if (!strcmp(k, "weight")) {
			int64_t n;

			ret = get_int(v, "linux.resources.blockIO.weight", 10, 1000, &n, err);
			r->io_weight = (unsigned)n;
			continue;
		}
		for (t = 0; t < _CTR_THROTTLE_MAX; t++)
			if (!strcmp(k, throttle_key[t]))
				break;
		if (t == _CTR_THROTTLE_MAX) {
			ret = unknown(err, "linux.resources.blockIO", k);
		} else {
			char p[96];

			snprintf(p, sizeof(p), "linux.resources.blockIO.%s", k);
			free(r->throttle[t]);
			r->throttle[t] = NULL;
			ret = parse_throttle(v, p, &r->throttle[t], &r->n_throttle[t], err);
		}
	}
	return ret;
}

static int parse_access(const char *s, char out[4])
{
	size_t n = 0;

	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (const char *c = "rwm"; *c; c++)
		if (strchr(s, *c))
			out[n++] = *c;
	out[n] = '\0';
	return n == strlen(s) ? 0 : -EINVAL;
}

static int parse_device_rules(yajl_val a, struct ctr_resources *r, struct ctr_error **err)
{
	_cleanup_free_ struct ctr_device_rule *d = NULL;
	char p[96];

	if (!YAJL_IS_ARRAY(a))
		return bad(err, "linux.resources.devices", "expected an array of {allow, type, major, minor, access}");
	d = calloc(a->u.array.len + 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val o = a->u.array.values[i];
		bool have_allow = false;
		int ret = 0;

		snprintf(p, sizeof(p), "linux.resources.devices[%zu]", i);
		if (!YAJL_IS_OBJECT(o))
			return bad(err, p, "expected an object");
		d[i] = (struct ctr_device_rule){ .type = 'a', .major = -1, .minor = -1, .access = "rwm" };
		for (size_t j = 0; j < o->u.object.len && ret == 0; j++) {
			const char *k = o->u.object.keys[j];
			yajl_val v = o->u.object.values[j];
			char fp[128];

			snprintf(fp, sizeof(fp), "%s.%s", p, k);
			if (!strcmp(k, "allow")) {
				if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
					return bad(err, fp, "expected true or false");
				d[i].allow = YAJL_IS_TRUE(v);
				have_allow = true;
			} else if (!strcmp(k, "type")) {
				if (!YAJL_IS_STRING(v) || strlen(v->u.string) != 1 || !strchr("acb", v->u.string[0]))
					return bad(err, fp, "expected \"a\", \"c\" or \"b\"");
				d[i].type = v->u.string[0];
			} else if (!strcmp(k, "major") || !strcmp(k, "minor")) {
				ret = get_int(v, fp, -1, 0xfffff, k[1] == 'a' ? &d[i].major : &d[i].minor, err);
			} else if (!strcmp(k, "access")) {
				if (!YAJL_IS_STRING(v) || parse_access(v->u.string, d[i].access) < 0)
					return bad(err, fp, "expected a combination of r, w and m");
			} else {
				ret = unknown(err, p, k);
			}
		}
		if (ret < 0)
			return ret;
		if (!have_allow)
			return bad(err, p, "missing \"allow\"");
	}
	free(r->devices);
	r->devices = TAKE_PTR(d);
	r->n_devices = a->u.array.len;
	return 0;
}

int ctr_resources_parse(yajl_val o, struct ctr_resources *r, struct ctr_error **err)
{
	int ret = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "linux.resources", "expected an object");
	for (size_t i = 0; i < o->u.object.len && ret == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "memory"))
			ret = parse_memory(v, r, err);
		else if (!strcmp(k, "cpu"))
			ret = parse_cpu(v, r, err);
		else if (!strcmp(k, "pids")) {
			yajl_val l = YAJL_IS_OBJECT(v) && v->u.object.len == 1 && !strcmp(v->u.object.keys[0], "limit")
					     ? v->u.object.values[0]
					     : NULL;

			if (!l || !YAJL_IS_INTEGER(l) || (YAJL_GET_INTEGER(l) < 1 && YAJL_GET_INTEGER(l) != -1))
				return bad(err, "linux.resources.pids",
					   "expected {\"limit\": N} with N >= 1, or -1 for unlimited");
			r->pids_limit = YAJL_GET_INTEGER(l);
		} else if (!strcmp(k, "blockIO"))
			ret = parse_blockio(v, r, err);
		else if (!strcmp(k, "devices"))
			ret = parse_device_rules(v, r, err);
		else
			ret = unknown(err, "linux.resources", k);
	}
	return ret;
}

int ctr_devices_parse(yajl_val a, struct ctr_resources *r, struct ctr_error **err)
{
	struct ctr_device_node *n;
	char p[64];

	if (!YAJL_IS_ARRAY(a))
		return bad(err, "linux.devices", "expected an array of {path, type, major, minor, fileMode}");
	n = calloc(a->u.array.len + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_nodes; i++)
		free(r->nodes[i].path);
	free(r->nodes);
	r->nodes = n;
	r->n_nodes = 0;
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val o = a->u.array.values[i];
		int64_t v;
		int ret = 0;

		snprintf(p, sizeof(p), "linux.devices[%zu]", i);
		if (!YAJL_IS_OBJECT(o))
			return bad(err, p, "expected an object");
		r->n_nodes++;
		n[i].mode = 0666;
		for (size_t j = 0; j < o->u.object.len && ret == 0; j++) {
			const char *k = o->u.object.keys[j];
			yajl_val val = o->u.object.values[j];
			char fp[96];

			snprintf(fp, sizeof(fp), "%s.%s", p, k);
			if (!strcmp(k, "path")) {
				ret = set_string(val, fp, &n[i].path, err);
			} else if (!strcmp(k, "type")) {
				if (!YAJL_IS_STRING(val) || strlen(val->u.string) != 1 ||
				    !strchr("cb", val->u.string[0]))
					return bad(err, fp, "expected \"c\" or \"b\"");
				n[i].type = val->u.string[0];
			} else if (!strcmp(k, "major") || !strcmp(k, "minor")) {
				ret = get_int(val, fp, 0, 0xfffff, &v, err);
				*(k[1] == 'a' ? &n[i].major : &n[i].minor) = (unsigned)v;
			} else if (!strcmp(k, "fileMode")) {
				ret = get_int(val, fp, 0, 07777, &v, err);
				n[i].mode = (unsigned)v;
			} else {
				ret = unknown(err, p, k);
			}
		}
		if (ret < 0)
			return ret;
		if (!n[i].path || !n[i].type)
			return bad(err, p, "needs path and type");
	}
	return 0;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

void ctr_resources_gen(const struct ctr_resources *r, yajl_gen g)
{
	bool any_throttle = false;
	char t[2] = "";

	for (size_t i = 0; i < _CTR_THROTTLE_MAX; i++)
		any_throttle |= r->n_throttle[i] > 0;

	GSTR(g, "resources");
	yajl_gen_map_open(g);
	if (r->memory_limit != CTR_RES_UNSET || r->memory_swap != CTR_RES_UNSET ||
	    r->memory_reservation != CTR_RES_UNSET) {
		GSTR(g, "memory");
		yajl_gen_map_open(g);
		if (r->memory_limit != CTR_RES_UNSET && GSTR(g, "limit") == yajl_gen_status_ok)
			yajl_gen_integer(g, r->memory_limit);
		if (r->memory_swap != CTR_RES_UNSET && GSTR(g, "swap") == yajl_gen_status_ok)
			yajl_gen_integer(g, r->memory_swap);
		if (r->memory_reservation != CTR_RES_UNSET && GSTR(g, "reservation") == yajl_gen_status_ok)
			yajl_gen_integer(g, r->memory_reservation);
		yajl_gen_map_close(g);
	}
	if (r->cpu_shares || r->cpu_quota != CTR_RES_UNSET || r->cpu_period || r->cpuset_cpus || r->cpuset_mems) {
		GSTR(g, "cpu");
		yajl_gen_map_open(g);
		if (r->cpu_shares && GSTR(g, "shares") == yajl_gen_status_ok)
			yajl_gen_integer(g, (long long)r->cpu_shares);
		if (r->cpu_quota != CTR_RES_UNSET && GSTR(g, "quota") == yajl_gen_status_ok)
			yajl_gen_integer(g, r->cpu_quota);
		if (r->cpu_period && GSTR(g, "period") == yajl_gen_status_ok)
			yajl_gen_integer(g, (long long)r->cpu_period);
		if (r->cpuset_cpus && GSTR(g, "cpus") == yajl_gen_status_ok)
			GSTR(g, r->cpuset_cpus);
		if (r->cpuset_mems && GSTR(g, "mems") == yajl_gen_status_ok)
			GSTR(g, r->cpuset_mems);
		yajl_gen_map_close(g);
	}
	if (r->pids_limit != CTR_RES_UNSET) {
		GSTR(g, "pids");
		yajl_gen_map_open(g);
		GSTR(g, "limit");
		yajl_gen_integer(g, r->pids_limit);
		yajl_gen_map_close(g);
	}
	if (r->io_weight || any_throttle) {
		GSTR(g, "blockIO");
		yajl_gen_map_open(g);
		if (r->io_weight && GSTR(g, "weight") == yajl_gen_status_ok)
			yajl_gen_integer(g, r->io_weight);
		for (size_t i = 0; i < _CTR_THROTTLE_MAX; i++) {
			if (!r->n_throttle[i])
				continue;
			GSTR(g, throttle_key[i]);
			yajl_gen_array_open(g);
			for (size_t j = 0; j < r->n_throttle[i]; j++) {
				yajl_gen_map_open(g);
				GSTR(g, "major");
				yajl_gen_integer(g, r->throttle[i][j].major);
				GSTR(g, "minor");
				yajl_gen_integer(g, r->throttle[i][j].minor);
				GSTR(g, "rate");
				yajl_gen_integer(g, (long long)r->throttle[i][j].rate);
				yajl_gen_map_close(g);
			}
			yajl_gen_array_close(g);
		}
		yajl_gen_map_close(g);
	}
	if (r->n_devices) {
		GSTR(g, "devices");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < r->n_devices; i++) {
			const struct ctr_device_rule *d = &r->devices[i];

			yajl_gen_map_open(g);
			GSTR(g, "allow");
			yajl_gen_bool(g, d->allow);
			GSTR(g, "type");
			t[0] = d->type;
			GSTR(g, t);
			if (d->major >= 0 && GSTR(g, "major") == yajl_gen_status_ok)
				yajl_gen_integer(g, d->major);
			if (d->minor >= 0 && GSTR(g, "minor") == yajl_gen_status_ok)
				yajl_gen_integer(g, d->minor);
			GSTR(g, "access");
			GSTR(g, d->access);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);

	if (r->n_nodes) {
		GSTR(g, "devices");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < r->n_nodes; i++) {
			yajl_gen_map_open(g);
			GSTR(g, "path");
			GSTR(g, r->nodes[i].path);
			GSTR(g, "type");
			t[0] = r->nodes[i].type;
			GSTR(g, t);
			GSTR(g, "major");
			yajl_gen_integer(g, r->nodes[i].major);
			GSTR(g, "minor");
			yajl_gen_integer(g, r->nodes[i].minor);
			GSTR(g, "fileMode");
			yajl_gen_integer(g, r->nodes[i].mode);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
}

int ctr_device_path_valid(const char *path)
{
	/* What ctr puts in every /dev itself; a node there would collide. */
	static const char *const taken[] = {
		"null", "zero", "full", "random", "urandom", "tty",    "console", "ptmx",
		"pts",	"shm",	"fd",	"stdin",  "stdout",  "stderr", "core",	  "mqueue"
	};
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *first;

	/* Nodes are made in the container's own /dev (a tmpfs), by name, one
	 * component at a time: no empty, '.' or '..' components. */
	if (strncmp(path, "/dev/", 5) || !path[5] || strstr(path, "//") || path[strlen(path) - 1] == '/')
		return -EINVAL;
	copy = strdup(path + 5);
	if (!copy)
		return -ENOMEM;
	first = strtok_r(copy, "/", &save);
	for (char *c = first; c; c = strtok_r(NULL, "/", &save))
		if (!strcmp(c, ".") || !strcmp(c, ".."))
			return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(taken); i++)
		if (!strcmp(first, taken[i]))
			return -EEXIST;
	return 0;
}

int ctr_resources_validate(const struct ctr_resources *r, struct ctr_error **err)
{
	long outside;

	/* OCI's swap is memory + swap: it cannot be below the memory limit, and
	 * it means nothing without one. */
	if (r->memory_swap >= 0 && (r->memory_limit < 0 || r->memory_swap < r->memory_limit))
		return bad(err, "linux.resources.memory.swap",
			   "must be at least memory.limit (it counts memory + swap) and needs a memory limit");
	if ((r->cpu_period != 0) != (r->cpu_quota != CTR_RES_UNSET))
		return bad(err, "linux.resources.cpu", "quota and period go together");
	if (r->cpu_quota > 0 && r->cpu_period && (uint64_t)r->cpu_quota < 1000)
		return bad(err, "linux.resources.cpu.quota", "must be at least 1000 microseconds");
	if (r->cpuset_cpus && ctr_parse_cpu_list(r->cpuset_cpus, NULL, &outside) < 0)
		return bad(err, "linux.resources.cpu.cpus", "expected a CPU list such as \"0-3,6\"");
	if (r->cpuset_mems && ctr_parse_cpu_list(r->cpuset_mems, NULL, &outside) < 0)
		return bad(err, "linux.resources.cpu.mems", "expected a memory node list such as \"0\" or \"0-1\"");
	for (size_t i = 0; i < r->n_nodes; i++) {
		char path[64];
		int v;

		snprintf(path, sizeof(path), "linux.devices[%zu].path", i);
		v = ctr_device_path_valid(r->nodes[i].path);
		if (v == -EEXIST)
			return bad(err, path, "names a node ctr makes in every container's /dev");
		if (v < 0)
			return bad(err, path, "expected a path under /dev/ without '.' or '..' components");
	}
	return 0;
}

/* ---- create/set options ---------------------------------------------------- */

static int opt_error(struct ctr_error **err, const char *opt, const char *value, const char *expected)
{
	return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "invalid value '%s' for --%s: %s", value, opt, expected);
}

static int read_list_file(const char *path, const char *fallback, char **ret)
{
	size_t len;
	int r = read_file_at(AT_FDCWD, path, 4096, ret, &len);

	if (r == -ENOENT && fallback) {
		*ret = strdup(fallback);
		return *ret ? 0 : -ENOMEM;
	}
	if (r < 0)
		return r;
	(*ret)[strcspn(*ret, "\n")] = '\0';
	return 0;
}

static int set_cpuset(char **field, const char *opt, const char *v, const char *online_file, const char *what,
		      struct ctr_error **err)
{
	_cleanup_free_ char *online = NULL;
	long outside = -1;
	char *copy;
	int r;

	/* "all": no pinning, the parent's set (what a new container has). */
	if (!strcmp(v, "all")) {
		free(*field);
		*field = NULL;
		return 0;
	}

	/* A host without NUMA has no node directory: node 0 is all there is. */
	r = read_list_file(online_file, strstr(online_file, "node") ? "0" : NULL, &online);
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s", online_file);
	r = ctr_parse_cpu_list(v, online, &outside);
	if (r == -ERANGE)
		return ctr_error_user(err, CTR_ERR_USAGE, ERANGE,
				      "invalid value '%s' for --%s: %s %ld is not on this host (it has %s)", v, opt,
				      what, outside, online);
	if (r < 0)
		return opt_error(err, opt, v, "expected a list such as 0-1,3, or all");
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* DEV is a path of a device node on the host, or MAJOR:MINOR. */
static int parse_device_id(const char *dev, char want_type, const char *opt, char *ret_type, unsigned *ret_major,
			   unsigned *ret_minor, unsigned *ret_mode, struct ctr_error **err)
{
	unsigned maj, min;
	struct stat st;
	char c;

	if (dev[0] != '/') {
		if (sscanf(dev, "%u:%u%c", &maj, &min, &c) != 2 || maj > 0xfffff || min > 0xfffff)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "invalid device '%s' for --%s: give a device path such as /dev/sdb or "
					      "MAJOR:MINOR",
					      dev, opt);
		if (want_type == 'b' && stat("/sys/dev/block", &st) == 0) {
			char sys[64];

			snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", maj, min);
			if (access(sys, F_OK) < 0)
				return ctr_error_user(
					err, CTR_ERR_USAGE, ENODEV,
					"invalid device '%s' for --%s: no block device %u:%u on this host", dev, opt,
					maj, min);
		}
		*ret_type = want_type ? want_type : 'c';
		*ret_major = maj;
		*ret_minor = min;
		*ret_mode = 0666;
		return 0;
	}
	if (stat(dev, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ctr_error_user(err, CTR_ERR_USAGE, ENOENT, "--%s: no device '%s' on this host", opt,
					      dev);
		return ctr_error_sys(err, errno, "--%s: device '%s'", opt, dev);
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return ctr_error_user(err, CTR_ERR_USAGE, ENODEV, "--%s: '%s' is not a device node", opt, dev);
	if (want_type == 'b' && !S_ISBLK(st.st_mode))
		return ctr_error_user(err, CTR_ERR_USAGE, ENOTBLK, "--%s: '%s' is not a block device", opt, dev);
	*ret_type = S_ISBLK(st.st_mode) ? 'b' : 'c';
	*ret_major = major(st.st_rdev);
	*ret_minor = minor(st.st_rdev);
	*ret_mode = st.st_mode & 0777;
	return 0;
}

static int set_throttle(struct ctr_resources *r, enum ctr_throttle t, const char *opt, const char *v,
			struct ctr_error **err)
{
	_cleanup_free_ char *dev = strdup(v);
	unsigned maj, min, mode;
	char *colon, type;
	int64_t rate;
	size_t i;
	int ret;

	if (!dev)
		return -ENOMEM;
	colon = strrchr(dev, ':');
	if (!colon || colon == dev)
		return opt_error(err, opt, v, "expected DEVICE:RATE, e.g. /dev/sdb:10M");
	*colon = '\0';
	/* A MAJOR:MINOR device leaves its own colon before the rate's. */
	if (t == CTR_THROTTLE_READ_IOPS || t == CTR_THROTTLE_WRITE_IOPS) {
		char *end;

		errno = 0;
		rate = strtoll(colon + 1, &end, 10);
		if (!strcmp(colon + 1, "max"))
			rate = 0;
		else if (errno || end == colon + 1 || *end || rate < 0)
			return opt_error(err, opt, v, "the rate is operations per second, or max to remove the limit");
	} else if (ctr_parse_size(colon + 1, &rate) < 0) {
		return opt_error(err, opt, v,
				 "the rate is bytes per second (K/M/G/T suffixes), or max to remove the limit");
	}
	if (rate == CTR_RES_MAX)
		rate = 0;
	ret = parse_device_id(dev, 'b', opt, &type, &maj, &min, &mode, err);
	if (ret < 0)
		return ret;
	{
		char part[80];

		/* blk-throttle limits whole disks; the kernel refuses partitions. */
		snprintf(part, sizeof(part), "/sys/dev/block/%u:%u/partition", maj, min);
		if (access(part, F_OK) == 0)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "--%s: '%s' is a partition; I/O limits apply to whole disks", opt, dev);
	}
	for (i = 0; i < r->n_throttle[t]; i++)
		if (r->throttle[t][i].major == maj && r->throttle[t][i].minor == min)
			break;
	if (rate == 0) {
		/* max or 0: remove the device's limit */
		if (i < r->n_throttle[t]) {
			memmove(&r->throttle[t][i], &r->throttle[t][i + 1],
				(r->n_throttle[t] - i - 1) * sizeof(r->throttle[t][0]));
			r->n_throttle[t]--;
		}
		return 0;
	}
	if (i == r->n_throttle[t]) {
		struct ctr_throttle_dev *n = realloc(r->throttle[t], (i + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->throttle[t] = n;
		r->n_throttle[t]++;
	}
	r->throttle[t][i] = (struct ctr_throttle_dev){ maj, min, (uint64_t)rate };
	return 0;
}

static size_t find_node(const struct ctr_resources *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->n_nodes; i++)
		if (!strcmp(r->nodes[i].path, path))
			break;
	return i;
}

static size_t find_rule(const struct ctr_resources *r, char type, int64_t maj, int64_t min)
{
	size_t i;

	for (i = 0; i < r->n_devices; i++)
		if (r->devices[i].type == type && r->devices[i].major == maj && r->devices[i].minor == min)
			break;
	return i;
}

static void remove_device(struct ctr_resources *r, const char *path)
{
	size_t n = find_node(r, path), d;

	if (n == r->n_nodes)
		return;
	d = find_rule(r, r->nodes[n].type, r->nodes[n].major, r->nodes[n].minor);
	if (d < r->n_devices) {
		memmove(&r->devices[d], &r->devices[d + 1], (r->n_devices - d - 1) * sizeof(r->devices[0]));
		r->n_devices--;
	}
	free(r->nodes[n].path);
	memmove(&r->nodes[n], &r->nodes[n + 1], (r->n_nodes - n - 1) * sizeof(r->nodes[0]));
	r->n_nodes--;
}

/* --device PATH[:ACCESS]: the node appears in the container's /dev at the same
 * path and the allow-list gets it. */
static int add_device(struct ctr_resources *r, const char *v, struct ctr_error **err)
{
	_cleanup_free_ char *path = strdup(v);
	char *colon, type, access[4] = "rwm";
	unsigned maj, min, mode;
	struct ctr_device_node *nn;
	struct ctr_device_rule *nr;
	int ret;

	if (!path)
		return -ENOMEM;
	colon = strchr(path, ':');
	if (colon) {
		*colon = '\0';
		if (parse_access(colon + 1, access) < 0)
			return opt_error(err, "device", v, "access is a combination of r, w and m, e.g. /dev/fuse:rw");
	}
	ret = ctr_device_path_valid(path);
	if (ret == -EEXIST)
		return ctr_error_user(err, CTR_ERR_USAGE, EEXIST,
				      "--device %s: every container has it already (the default device list)", path);
	if (ret < 0)
		return opt_error(err, "device", v, "expected a device node under /dev, e.g. /dev/net/tun");
	ret = parse_device_id(path, 0, "device", &type, &maj, &min, &mode, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ctr_n_default_devices; i++) {
		const struct ctr_device_rule *d = &ctr_default_devices[i];

		if (d->type == type && d->major == maj && (d->minor < 0 || d->minor == min))
			return ctr_error_user(err, CTR_ERR_USAGE, EEXIST,
					      "--device %s: every container has it already (the default device list)",
					      path);
	}
	remove_device(r, path);
	nn = realloc(r->nodes, (r->n_nodes + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	r->nodes = nn;
	nr = realloc(r->devices, (r->n_devices + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	r->devices = nr;
	nn[r->n_nodes] = (struct ctr_device_node){ TAKE_PTR(path), type, maj, min, mode };
	r->n_nodes++;
	nr[r->n_devices] = (struct ctr_device_rule){ true, type, maj, min, "" };
	memcpy(nr[r->n_devices].access, access, sizeof(access));
	r->n_devices++;
	return 0;
}

enum {
	OPT_MEMORY,
	OPT_SWAP,
	OPT_MEMORY_RESERVATION,
	OPT_CPU_WEIGHT,
	OPT_CPUS,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS,
	OPT_IO_WEIGHT,
	OPT_IO_READ_BPS,
	OPT_IO_WRITE_BPS,
	OPT_IO_READ_IOPS,
	OPT_IO_WRITE_IOPS,
	OPT_DEVICE_RM,
	OPT_DEVICE,
	_OPT_MAX,
};

const struct ctr_option ctr_resource_options[] = {
	[OPT_MEMORY] = { "memory", "SIZE", "memory limit (K/M/G/T suffixes, or max)" },
	[OPT_SWAP] = { "swap", "SIZE", "swap allowed on top of --memory (0 for none, max)" },
	[OPT_MEMORY_RESERVATION] = { "memory-reservation", "SIZE", "memory kept for it under pressure (0 for none)" },
	[OPT_CPU_WEIGHT] = { "cpu-weight", "N", "share of CPU time under contention, 1..10000 (default 100)" },
	[OPT_CPUS] = { "cpus", "N", "CPU time limit as a number of CPUs, e.g. 1.5 (or max)" },
	[OPT_CPUSET_CPUS] = { "cpuset-cpus", "LIST", "CPUs it may run on, e.g. 0-1,3 (all: no pinning)" },
	[OPT_CPUSET_MEMS] = { "cpuset-mems", "LIST", "memory nodes it may use (all: no pinning)" },
	[OPT_PIDS] = { "pids", "N", "maximum number of processes and threads (or max)" },
	[OPT_IO_WEIGHT] = { "io-weight", "N", "share of disk time under contention, 10..1000 (default 100)" },
	[OPT_IO_READ_BPS] = { "io-read-bps", "DEV:RATE", "read bytes/s limit on a disk (RATE max removes it)" },
	[OPT_IO_WRITE_BPS] = { "io-write-bps", "DEV:RATE", "write bytes/s limit on a disk" },
	[OPT_IO_READ_IOPS] = { "io-read-iops", "DEV:RATE", "read operations/s limit on a disk" },
	[OPT_IO_WRITE_IOPS] = { "io-write-iops", "DEV:RATE", "write operations/s limit on a disk" },
	[OPT_DEVICE_RM] = { "device-rm", "PATH", "take back a device given with --device" },
	[OPT_DEVICE] = { "device", "PATH[:rwm]", "give it a host device (node + access)" },
};
const size_t ctr_n_resource_options = _OPT_MAX;

static int set_one(struct ctr_resources *r, size_t opt, const char *v, struct ctr_error **err)
{
	const char *name = ctr_resource_options[opt].name;
	int64_t n;
	char *end;
	long l;

	switch (opt) {
	case OPT_MEMORY:
		if (ctr_parse_size(v, &n) < 0)
			return opt_error(err, name, v, "expected a size such as 512M or 2G, or max");
		if (n >= 0 && n < (4 << 20))
			return opt_error(err, name, v, "too small to run anything: at least 4M");
		/* --swap is what comes on top of memory: keep it when memory moves. */
		if (r->memory_swap >= 0 && r->memory_limit >= 0)
			r->memory_swap = n < 0 ? CTR_RES_MAX : n + (r->memory_swap - r->memory_limit);
		else if (n < 0 && r->memory_swap != CTR_RES_UNSET)
			r->memory_swap = CTR_RES_MAX;
		r->memory_limit = n;
		return 0;
	case OPT_SWAP:
		if (ctr_parse_size(v, &n) < 0)
			return opt_error(err, name, v, "expected a size such as 1G, 0 for none, or max");
		if (n >= 0 && r->memory_limit < 0)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "--swap %s needs a memory limit: give --memory too", v);
		r->memory_swap = n < 0 ? CTR_RES_MAX : r->memory_limit + n;
		return 0;
	case OPT_MEMORY_RESERVATION:
		if (ctr_parse_size(v, &n) < 0 || n < 0)
			return opt_error(err, name, v, "expected a size such as 256M, or 0 for none");
		r->memory_reservation = n;
		return 0;
	case OPT_CPU_WEIGHT:
		errno = 0;
		l = strtol(v, &end, 10);
		if (errno || end == v || *end || l < 1 || l > 10000)
			return opt_error(err, name, v, "expected a number 1..10000");
		r->cpu_shares = ctr_weight_to_shares((unsigned)l);
		return 0;
	case OPT_CPUS: {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		if (ctr_parse_cpus(v, &n) < 0)
			return opt_error(err, name, v, "expected a positive number of CPUs (at least 0.01), or max");
		if (n > 0 && ncpu > 0 && n > (int64_t)ncpu * CTR_CPU_PERIOD_US)
			return ctr_error_user(err, CTR_ERR_USAGE, ERANGE,
					      "invalid value '%s' for --cpus: this host has %ld CPUs", v, ncpu);
		r->cpu_quota = n;
		r->cpu_period = CTR_CPU_PERIOD_US;
		return 0;
	}
	case OPT_CPUSET_CPUS: return set_cpuset(&r->cpuset_cpus, name, v, "/sys/devices/system/cpu/online", "CPU", err);
	case OPT_CPUSET_MEMS:
		return set_cpuset(&r->cpuset_mems, name, v, "/sys/devices/system/node/online", "memory node", err);
	case OPT_PIDS:
		if (!strcmp(v, "max")) {
			r->pids_limit = CTR_RES_MAX;
			return 0;
		}
		errno = 0;
		l = strtol(v, &end, 10);
		if (errno || end == v || *end || l < 1 || l > 4194304)
			return opt_error(err, name, v, "expected a number 1..4194304, or max");
		r->pids_limit = l;
		return 0;
	case OPT_IO_WEIGHT:
		errno = 0;
		l = strtol(v, &end, 10);
		if (errno || end == v || *end || l < 10 || l > 1000)
			return opt_error(err, name, v, "expected a number 10..1000");
		r->io_weight = (unsigned)l;
		return 0;
	case OPT_IO_READ_BPS:
	case OPT_IO_WRITE_BPS:
	case OPT_IO_READ_IOPS:
	case OPT_IO_WRITE_IOPS: return set_throttle(r, (enum ctr_throttle)(opt - OPT_IO_READ_BPS), name, v, err);
	case OPT_DEVICE_RM:
		if (find_node(r, v) == r->n_nodes)
			return ctr_error_user(err, CTR_ERR_USAGE, ENOENT,
					      "--device-rm: '%s' was not given with --device", v);
		remove_device(r, v);
		return 0;
	case OPT_DEVICE: return add_device(r, v, err);
	}
	return -EINVAL;
}

int ctr_resources_set(struct ctr_resources *r, char *const *pairs, struct ctr_error **err)
{
	size_t n = strv_length(pairs);

	if (n % 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		size_t o;

		for (o = 0; o < _OPT_MAX; o++)
			if (!strcmp(pairs[i], ctr_resource_options[o].name))
				break;
		if (o == _OPT_MAX)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "unknown resource option '--%s'", pairs[i]);
	}
	/* Table order, not argument order; repeated options in argument order. */
	for (size_t o = 0; o < _OPT_MAX; o++)
		for (size_t i = 0; i < n; i += 2) {
			int ret;

			if (strcmp(pairs[i], ctr_resource_options[o].name))
				continue;
			ret = set_one(r, o, pairs[i + 1], err);
			if (ret < 0)
				return ret;
		}
	return ctr_resources_validate(r, err);
}
