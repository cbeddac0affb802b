/* Capabilities through libcap, and rlimits.
 *
 * The config holds the five OCI lists of names; libcap turns names into
 * values and sets the bounding set, the process sets and the ambient set. The
 * default lists are policy and are documented in ctr-security(7): with a user
 * namespace a capability acts only on what the container owns, so the
 * container keeps what a whole distribution needs (mounting its own
 * filesystems, configuring its own network); without one, container root is
 * host root and keeps only what cannot reach beyond its namespaces. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "../error.h"
#include "../util.h"
#include "security.h"

/* Scoped to the container's own user namespace (and the namespaces it owns). */
static const char *const default_userns[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_SETFCAP",
	"CAP_CHECKPOINT_RESTORE",
	NULL,
};

/* Host root with these cannot leave its namespaces: no mounting, no raw I/O,
 * no module or clock or ptrace, no raising resource limits. */
static const char *const default_privileged[] = {
	"CAP_CHOWN",	  "CAP_DAC_OVERRIDE", "CAP_FOWNER",	 "CAP_FSETID",		 "CAP_KILL",	"CAP_SETGID",
	"CAP_SETUID",	  "CAP_SETPCAP",      "CAP_SETFCAP",	 "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_NET_ADMIN",
	"CAP_SYS_CHROOT", "CAP_MKNOD",	      "CAP_AUDIT_WRITE", "CAP_SYS_BOOT",	 NULL,
};

void ctr_caps_done(struct ctr_caps *c)
{
	strv_free(c->bounding);
	strv_free(c->effective);
	strv_free(c->permitted);
	strv_free(c->inheritable);
	strv_free(c->ambient);
	memset(c, 0, sizeof(*c));
}

int ctr_caps_default(bool userns, struct ctr_caps *ret)
{
	char *const *set = (char *const *)(userns ? default_userns : default_privileged);
	struct ctr_caps c = {
		.bounding = strv_copy(set),
		.effective = strv_copy(set),
		.permitted = strv_copy(set),
		.inheritable = calloc(1, sizeof(char *)),
		.ambient = calloc(1, sizeof(char *)),
	};

	if (!c.bounding || !c.effective || !c.permitted || !c.inheritable || !c.ambient) {
		ctr_caps_done(&c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

/* "sys_admin", "CAP_SYS_ADMIN", "cap_sys_admin" -> the value and the OCI
 * spelling "CAP_SYS_ADMIN". libcap knows the names (and the lower case). */
static int cap_lookup(const char *name, cap_value_t *ret_value, char **ret_name)
{
	char lower[64] = "cap_";
	const char *base = strncasecmp(name, "cap_", 4) ? name : name + 4;
	size_t n = strlen(base);
	cap_value_t v;

	if (n == 0 || n + 5 > sizeof(lower))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		lower[4 + i] = (char)tolower((unsigned char)base[i]);
	if (cap_from_name(lower, &v) < 0)
		return -EINVAL;
	/* libcap also accepts a bare number; the config speaks in names. */
	if (isdigit((unsigned char)base[0]))
		return -EINVAL;
	if (ret_value)
		*ret_value = v;
	if (ret_name) {
		char *s = strdup(lower);

		if (!s)
			return -ENOMEM;
		for (char *p = s; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		*ret_name = s;
	}
	return 0;
}

static bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void strv_remove(char **v, const char *s)
{
	size_t j = 0;

	for (size_t i = 0; v && v[i]; i++) {
		if (!strcmp(v[i], s))
			free(v[i]);
		else
			v[j++] = v[i];
	}
	if (v)
		v[j] = NULL;
}

static const char *cap_list_name[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };

static char ***cap_list(struct ctr_caps *c, size_t i)
{
	char ***lists[] = { &c->bounding, &c->effective, &c->permitted, &c->inheritable, &c->ambient };

	return lists[i];
}

int ctr_caps_parse(yajl_val v, struct ctr_caps *c, struct ctr_error **err)
{
	struct ctr_caps parsed = { 0 };
	int r = 0;

	if (!YAJL_IS_OBJECT(v))
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
				      "process.capabilities: expected an object of lists");
	for (size_t i = 0; i < v->u.object.len && r == 0; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val a = v->u.object.values[i];
		size_t which = ARRAY_SIZE(cap_list_name);

		for (size_t l = 0; l < ARRAY_SIZE(cap_list_name); l++)
			if (!strcmp(k, cap_list_name[l]))
				which = l;
		if (which == ARRAY_SIZE(cap_list_name)) {
			r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					   "process.capabilities.%s: unknown field (expected bounding, effective, "
					   "permitted, inheritable or ambient)",
					   k);
			break;
		}
		if (!YAJL_IS_ARRAY(a)) {
			r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					   "process.capabilities.%s: expected an array of names", k);
			break;
		}
		strv_free(*cap_list(&parsed, which));
		*cap_list(&parsed, which) = calloc(1, sizeof(char *));
		if (!*cap_list(&parsed, which)) {
			r = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < a->u.array.len && r == 0; j++) {
			yajl_val s = a->u.array.values[j];
			_cleanup_free_ char *name = NULL;

			if (!YAJL_IS_STRING(s) || cap_lookup(s->u.string, NULL, &name) < 0)
				r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
						   "process.capabilities.%s[%zu]: %s%s%s is not a capability", k, j,
						   YAJL_IS_STRING(s) ? "\"" : "",
						   YAJL_IS_STRING(s) ? s->u.string : "value",
						   YAJL_IS_STRING(s) ? "\"" : "");
			else if (!strv_contains(*cap_list(&parsed, which), name))
				r = strv_push(cap_list(&parsed, which), name);
		}
	}
	/* A list the document leaves out is empty, as in OCI. */
	for (size_t l = 0; r == 0 && l < ARRAY_SIZE(cap_list_name); l++)
		if (!*cap_list(&parsed, l) && !(*cap_list(&parsed, l) = calloc(1, sizeof(char *))))
			r = -ENOMEM;
	if (r < 0) {
		ctr_caps_done(&parsed);
		return r;
	}
	ctr_caps_done(c);
	*c = parsed;
	return 0;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

void ctr_caps_gen(const struct ctr_caps *c, yajl_gen g)
{
	GSTR(g, "capabilities");
	yajl_gen_map_open(g);
	for (size_t l = 0; l < ARRAY_SIZE(cap_list_name); l++) {
		char **v = *cap_list((struct ctr_caps *)c, l);

		GSTR(g, cap_list_name[l]);
		yajl_gen_array_open(g);
		for (size_t i = 0; v && v[i]; i++)
			GSTR(g, v[i]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static int bad_cap(struct ctr_error **err, const char *opt, const char *name)
{
	return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
			      "%s '%s': not a capability (see capabilities(7); e.g. SYS_ADMIN or CAP_NET_ADMIN, or "
			      "'all')",
			      opt, name);
}

int ctr_caps_add(struct ctr_caps *c, const char *name, struct ctr_error **err)
{
	_cleanup_free_ char *canon = NULL;
	int r;

	if (!strcasecmp(name, "all")) {
		/* Every capability libcap knows by name. */
		for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++) {
			_cleanup_free_ char *n = NULL;
			char *s = cap_to_name(v);

			if (!s)
				return -ENOMEM;
			r = cap_lookup(s, NULL, &n);
			cap_free(s);
			if (r == 0)
				r = ctr_caps_add(c, n, err);
			if (r < 0 && r != -EINVAL)
				return r;
		}
		return 0;
	}
	if (cap_lookup(name, NULL, &canon) < 0)
		return bad_cap(err, "--cap-add", name);
	/* Added to the sets a root process draws from; never to inheritable or
	 * ambient, which would pass it on to non-root programs. */
	for (size_t l = 0; l < 3; l++)
		if (!strv_contains(*cap_list(c, l), canon) && (r = strv_push(cap_list(c, l), canon)) < 0)
			return r;
	return 0;
}

int ctr_caps_drop(struct ctr_caps *c, const char *name, struct ctr_error **err)
{
	_cleanup_free_ char *canon = NULL;

	if (!strcasecmp(name, "all")) {
		for (size_t l = 0; l < ARRAY_SIZE(cap_list_name); l++) {
			char **v = *cap_list(c, l);

			for (size_t i = 0; v && v[i]; i++) {
				free(v[i]);
				v[i] = NULL;
			}
		}
		return 0;
	}
	if (cap_lookup(name, NULL, &canon) < 0)
		return bad_cap(err, "--cap-drop", name);
	for (size_t l = 0; l < ARRAY_SIZE(cap_list_name); l++)
		strv_remove(*cap_list(c, l), canon);
	return 0;
}

/* The values of a list that this kernel knows; newer names are skipped (the
 * kernel could not grant them anyway). */
static int cap_values(char *const *names, cap_value_t **ret, size_t *ret_n)
{
	size_t n = 0, len = strv_length(names);
	cap_value_t *v = calloc(len + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		cap_value_t cv;

		if (cap_lookup(names[i], &cv, NULL) == 0 && cv < (cap_value_t)cap_max_bits())
			v[n++] = cv;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

struct cap_sets {
	cap_value_t *v[5];
	size_t n[5];
};

static void cap_sets_done(struct cap_sets *s)
{
	for (size_t i = 0; i < 5; i++)
		free(s->v[i]);
}

static int cap_sets_of(const struct ctr_caps *c, struct cap_sets *ret)
{
	for (size_t l = 0; l < ARRAY_SIZE(cap_list_name); l++)
		if (cap_values(*cap_list((struct ctr_caps *)c, l), &ret->v[l], &ret->n[l]) < 0)
			return -ENOMEM;
	return 0;
}

int ctr_caps_drop_bounding(const struct ctr_caps *c, struct ctr_error **err)
{
	_cleanup_free_ cap_value_t *bound = NULL;
	size_t nb;

	if (cap_values(c->bounding, &bound, &nb) < 0)
		return ctr_error_sys(err, ENOMEM, "capabilities");
	/* Dropping from the bounding set needs CAP_SETPCAP, which the process
	 * sets set afterwards may not keep: this goes first. */
	for (cap_value_t v = 0; v < (cap_value_t)cap_max_bits(); v++) {
		bool keep = false;

		for (size_t i = 0; i < nb; i++)
			keep |= bound[i] == v;
		if (!keep && cap_drop_bound(v) < 0)
			return ctr_error_sys(err, errno, "drop capability %d from the bounding set", (int)v);
	}
	return 0;
}

int ctr_caps_set(const struct ctr_caps *c, struct ctr_error **err)
{
	struct cap_sets s = { 0 };
	static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
	cap_t caps = NULL;
	int r = 0;

	if (cap_sets_of(c, &s) < 0) {
		r = ctr_error_sys(err, ENOMEM, "capabilities");
		goto out;
	}
	caps = cap_init();
	if (!caps) {
		r = ctr_error_sys(err, errno, "capabilities");
		goto out;
	}
	/* Lists 1..3 are effective, permitted, inheritable. Inheritable is what
	 * the config says, normally nothing: a full inheritable set would hand
	 * capabilities to non-root programs with file capabilities
	 * (CVE-2022-27650). */
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (s.n[i + 1] && cap_set_flag(caps, flags[i], (int)s.n[i + 1], s.v[i + 1], CAP_SET) < 0) {
			r = ctr_error_sys(err, errno, "capabilities");
			goto out;
		}
	if (cap_set_proc(caps) < 0) {
		r = ctr_error_sys(err, errno, "set capabilities");
		goto out;
	}
	/* Ambient: cleared, then exactly the listed ones (each must be permitted
	 * and inheritable, which the kernel checks). */
	if (cap_reset_ambient() < 0) {
		r = ctr_error_sys(err, errno, "clear the ambient capabilities");
		goto out;
	}
	for (size_t i = 0; i < s.n[4]; i++)
		if (cap_set_ambient(s.v[4][i], CAP_SET) < 0) {
			r = ctr_error_sys(err, errno,
					  "raise an ambient capability (it must be permitted and "
					  "inheritable too)");
			goto out;
		}
out:
	if (caps)
		cap_free(caps);
	cap_sets_done(&s);
	return r;
}

/* ---- rlimits --------------------------------------------------------------------- */

static const struct {
	int resource;
	const char *name; /* OCI spells them RLIMIT_<NAME> */
} rlimit_table[] = {
	{ RLIMIT_AS, "as" },	       { RLIMIT_CORE, "core" },		{ RLIMIT_CPU, "cpu" },
	{ RLIMIT_DATA, "data" },       { RLIMIT_FSIZE, "fsize" },	{ RLIMIT_LOCKS, "locks" },
	{ RLIMIT_MEMLOCK, "memlock" }, { RLIMIT_MSGQUEUE, "msgqueue" }, { RLIMIT_NICE, "nice" },
	{ RLIMIT_NOFILE, "nofile" },   { RLIMIT_NPROC, "nproc" },	{ RLIMIT_RSS, "rss" },
	{ RLIMIT_RTPRIO, "rtprio" },   { RLIMIT_RTTIME, "rttime" },	{ RLIMIT_SIGPENDING, "sigpending" },
	{ RLIMIT_STACK, "stack" },
};

const char *ctr_rlimit_name(int resource)
{
	static char names[ARRAY_SIZE(rlimit_table)][24];

	for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (rlimit_table[i].resource == resource) {
			if (!names[i][0]) {
				snprintf(names[i], sizeof(names[i]), "RLIMIT_%s", rlimit_table[i].name);
				for (char *p = names[i]; *p; p++)
					*p = (char)toupper((unsigned char)*p);
			}
			return names[i];
		}
	return NULL;
}

int ctr_rlimit_from_name(const char *name)
{
	const char *base = strncasecmp(name, "RLIMIT_", 7) ? name : name + 7;

	for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (!strcasecmp(base, rlimit_table[i].name))
			return rlimit_table[i].resource;
	return -EINVAL;
}

static int rlimit_value(const char *s, unsigned long long *ret)
{
	char *end;

	if (!strcmp(s, "unlimited")) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return errno || *end || *ret == RLIM_INFINITY ? -EINVAL : 0;
}

int ctr_rlimit_parse(const char *s, struct ctr_rlimit *ret, struct ctr_error **err)
{
	_cleanup_free_ char *copy = strdup(s);
	char *eq, *colon;
	struct ctr_rlimit rl;

	if (!copy)
		return -ENOMEM;
	eq = strchr(copy, '=');
	if (!eq)
		goto bad;
	*eq = '\0';
	rl.resource = ctr_rlimit_from_name(copy);
	if (rl.resource < 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "--rlimit '%s': unknown limit '%s' (as, core, cpu, data, fsize, locks, memlock, "
				      "msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)",
				      s, copy);
	colon = strchr(eq + 1, ':');
	if (colon)
		*colon = '\0';
	if (rlimit_value(eq + 1, &rl.soft) < 0 || rlimit_value(colon ? colon + 1 : eq + 1, &rl.hard) < 0)
		goto bad;
	if (rl.soft > rl.hard)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "--rlimit '%s': the soft limit is above the hard limit", s);
	*ret = rl;
	return 0;
bad:
	return ctr_error_user(
		err, CTR_ERR_USAGE, EINVAL,
		"--rlimit '%s': expected NAME=SOFT[:HARD], numbers or 'unlimited' (e.g. nofile=1024:4096)", s);
}

int ctr_rlimits_apply(const struct ctr_rlimit *rl, size_t n, struct ctr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit cur, want = { .rlim_cur = rl[i].soft, .rlim_max = rl[i].hard };

		if (setrlimit(rl[i].resource, &want) == 0)
			continue;
		/* Raising a hard limit needs CAP_SYS_RESOURCE on the host, which
		 * no container and not every host has: say what the ceiling is. */
		if (errno == EPERM && getrlimit(rl[i].resource, &cur) == 0 && want.rlim_max > cur.rlim_max)
			return ctr_error_user(err, CTR_ERR_SYSTEM, EPERM,
					      "set %s: the hard limit %llu is above ctr's own (%llu), which only "
					      "CAP_SYS_RESOURCE on the host may raise",
					      ctr_rlimit_name(rl[i].resource), (unsigned long long)want.rlim_max,
					      (unsigned long long)cur.rlim_max);
		return ctr_error_sys(err, errno, "set %s", ctr_rlimit_name(rl[i].resource));
	}
	return 0;
}

/* OCI process.rlimits: [{"type": "RLIMIT_NOFILE", "soft": N, "hard": N}]. The
 * values are unsigned 64-bit (unlimited is 2^64-1), beyond yajl's integers:
 * read and written as number text. */
static int json_u64(yajl_val v, unsigned long long *ret)
{
	char *end;

	if (!YAJL_IS_NUMBER(v) || !v->u.number.r || v->u.number.r[0] == '-')
		return -EINVAL;
	errno = 0;
	*ret = strtoull(v->u.number.r, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int ctr_rlimits_parse(yajl_val v, struct ctr_rlimit **ret, size_t *ret_n, struct ctr_error **err)
{
	_cleanup_free_ struct ctr_rlimit *rl = NULL;
	size_t n = 0;

	if (!YAJL_IS_ARRAY(v))
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "process.rlimits: expected an array");
	rl = calloc(v->u.array.len + 1, sizeof(*rl));
	if (!rl)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val o = v->u.array.values[i];
		bool has_soft = false, has_hard = false;

		rl[n].resource = -1;
		if (!YAJL_IS_OBJECT(o))
			return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					      "process.rlimits[%zu]: expected an object", i);
		for (size_t j = 0; j < o->u.object.len; j++) {
			const char *k = o->u.object.keys[j];
			yajl_val f = o->u.object.values[j];

			if (!strcmp(k, "type")) {
				if (!YAJL_IS_STRING(f) || strncmp(f->u.string, "RLIMIT_", 7) ||
				    (rl[n].resource = ctr_rlimit_from_name(f->u.string)) < 0)
					return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
							      "process.rlimits[%zu].type: expected a name such as "
							      "\"RLIMIT_NOFILE\"",
							      i);
			} else if (!strcmp(k, "soft") || !strcmp(k, "hard")) {
				bool soft = k[0] == 's';

				if (json_u64(f, soft ? &rl[n].soft : &rl[n].hard) < 0)
					return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
							      "process.rlimits[%zu].%s: expected a number 0..2^64-1 "
							      "(2^64-1 is unlimited)",
							      i, k);
				*(soft ? &has_soft : &has_hard) = true;
			} else {
				return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
						      "process.rlimits[%zu].%s: unknown field", i, k);
			}
		}
		if (rl[n].resource < 0 || !has_soft || !has_hard)
			return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					      "process.rlimits[%zu]: needs \"type\", \"soft\" and \"hard\"", i);
		if (rl[n].soft > rl[n].hard)
			return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					      "process.rlimits[%zu]: soft is above hard", i);
		for (size_t j = 0; j < n; j++)
			if (rl[j].resource == rl[n].resource)
				return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
						      "process.rlimits[%zu]: %s is listed twice", i,
						      ctr_rlimit_name(rl[n].resource));
		n++;
	}
	free(*ret);
	*ret = TAKE_PTR(rl);
	*ret_n = n;
	return 0;
}

void ctr_rlimits_gen(const struct ctr_rlimit *rl, size_t n, yajl_gen g)
{
	char num[32];

	GSTR(g, "rlimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		GSTR(g, "type");
		GSTR(g, ctr_rlimit_name(rl[i].resource));
		GSTR(g, "soft");
		snprintf(num, sizeof(num), "%llu", rl[i].soft);
		yajl_gen_number(g, num, strlen(num));
		GSTR(g, "hard");
		snprintf(num, sizeof(num), "%llu", rl[i].hard);
		yajl_gen_number(g, num, strlen(num));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

int ctr_rlimits_set(struct ctr_rlimit **rl, size_t *n, const struct ctr_rlimit *add)
{
	struct ctr_rlimit *grown;

	for (size_t i = 0; i < *n; i++)
		if ((*rl)[i].resource == add->resource) {
			(*rl)[i] = *add;
			return 0;
		}
	grown = realloc(*rl, (*n + 1) * sizeof(**rl));
	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = *add;
	*rl = grown;
	return 0;
}
