#include "config.h"

#include <ctype.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "spec.h"
#include "util.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct {
	unsigned long flag;
	const char *name;
} namespace_table[] = {
	{ CLONE_NEWPID, "pid" },     { CLONE_NEWNS, "mount" },	    { CLONE_NEWUTS, "uts" },   { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWNET, "network" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWUSER, "user" },
};

/* What every container gets unless its config says otherwise: a user
 * namespace too, so that its root is not the host's. */
#define DEFAULT_NAMESPACES \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWUSER)

/* Kernel files no container reads or writes: replaced by an empty read-only
 * file or directory. They leak host state (kcore, keys, timers, scheduler),
 * act on the host (sysrq-trigger) or reach firmware and hardware. */
static const char *const default_masked[] = {
	"/proc/kcore",
	"/proc/keys",
	"/proc/timer_list",
	"/proc/sched_debug",
	"/proc/sysrq-trigger",
	"/proc/latency_stats",
	"/proc/acpi",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
	NULL,
};
/* Global kernel settings and hardware: visible, not writable. */
static const char *const default_readonly[] = {
	"/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq", NULL,
};

static const char *const seccomp_mode_table[_CTR_SECCOMP_MODE_MAX] = {
	[CTR_SECCOMP_DEFAULT] = "default",
	[CTR_SECCOMP_UNCONFINED] = "unconfined",
	[CTR_SECCOMP_CUSTOM] = "custom",
};

static const char *const rootfs_idmap_table[_CTR_ROOTFS_IDMAP_MAX] = {
	[CTR_ROOTFS_IDMAP_NONE] = "none",
	[CTR_ROOTFS_IDMAP_MOUNT] = "mount",
	[CTR_ROOTFS_IDMAP_SHIFT] = "shift",
};

const char *ctr_seccomp_mode_to_string(enum ctr_seccomp_mode m)
{
	return m < _CTR_SECCOMP_MODE_MAX ? seccomp_mode_table[m] : NULL;
}

const char *ctr_rootfs_idmap_to_string(enum ctr_rootfs_idmap m)
{
	return m < _CTR_ROOTFS_IDMAP_MAX ? rootfs_idmap_table[m] : NULL;
}

static int from_table(const char *const *table, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] && !strcmp(table[i], s))
			return (int)i;
	return -EINVAL;
}

void ctr_spec_free(struct ctr_spec *s)
{
	if (!s)
		return;
	strv_free(s->args);
	strv_free(s->env);
	free(s->cwd);
	free(s->root_path);
	free(s->hostname);
	free(s->template_name);
	ctr_resources_done(&s->res);
	ctr_caps_done(&s->caps);
	free(s->rlimits);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	ctr_seccomp_free(s->seccomp);
	ctr_network_done(&s->net);
	strv_free(s->dns);
	strv_free(s->search);
	free(s);
}

int ctr_spec_new_default(const char *name, struct ctr_spec **ret)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	ctr_resources_init(&s->res);
	if (strv_push(&s->args, "/sbin/init") < 0 || strv_push(&s->env, DEFAULT_PATH) < 0 ||
	    strv_push(&s->env, "TERM=linux") < 0 || strv_push(&s->env, "container=ctr") < 0)
		return -ENOMEM;
	s->cwd = strdup("/");
	s->root_path = strdup("rootfs");
	s->hostname = strdup(name);
	s->template_name = strdup("busybox");
	if (!s->cwd || !s->root_path || !s->hostname || !s->template_name)
		return -ENOMEM;
	s->dns = calloc(1, sizeof(char *));
	s->search = calloc(1, sizeof(char *));
	if (!s->dns || !s->search)
		return -ENOMEM;
	s->masked_paths = strv_copy((char *const *)default_masked);
	s->readonly_paths = strv_copy((char *const *)default_readonly);
	if (!s->masked_paths || !s->readonly_paths || ctr_caps_default(true, &s->caps) < 0)
		return -ENOMEM;
	s->rootfs_idmap = CTR_ROOTFS_IDMAP_MOUNT;
	s->terminal = true;
	s->namespaces = DEFAULT_NAMESPACES;
	s->stop_signal = SIGUSR2; /* busybox init: SIGUSR2 means poweroff */
	s->stop_timeout = CTR_DEFAULT_STOP_TIMEOUT;
	*ret = TAKE_PTR(s);
	return 0;
}

int ctr_spec_set_privileged(struct ctr_spec *s, bool privileged)
{
	struct ctr_caps caps;
	int r = ctr_caps_default(!privileged, &caps);

	if (r < 0)
		return r;
	ctr_caps_done(&s->caps);
	s->caps = caps;
	if (privileged) {
		s->namespaces &= ~(unsigned long)CLONE_NEWUSER;
		s->uid_map = s->gid_map = (struct ctr_idmap){ 0 };
		s->rootfs_idmap = CTR_ROOTFS_IDMAP_NONE;
	} else {
		s->namespaces |= CLONE_NEWUSER;
		if (s->rootfs_idmap == CTR_ROOTFS_IDMAP_NONE)
			s->rootfs_idmap = CTR_ROOTFS_IDMAP_MOUNT;
	}
	return 0;
}

int ctr_spec_add_dns(struct ctr_spec *s, const char *addr, struct ctr_error **err)
{
	if (!strcmp(addr, "none")) {
		strv_free(s->dns);
		s->dns = calloc(1, sizeof(char *));
		return s->dns ? 0 : -ENOMEM;
	}
	if (ctr_net_addr_family(addr) < 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "--dns '%s': expected the IPv4 or IPv6 address of a nameserver", addr);
	if (strv_length(s->dns) >= 3)
		return ctr_error_user(err, CTR_ERR_USAGE, E2BIG,
				      "--dns '%s': at most 3 nameservers (the resolver reads no more)", addr);
	return strv_push(&s->dns, addr);
}

int ctr_spec_add_search(struct ctr_spec *s, const char *domain, struct ctr_error **err)
{
	size_t n = strlen(domain);

	if (!strcmp(domain, "none")) {
		strv_free(s->search);
		s->search = calloc(1, sizeof(char *));
		return s->search ? 0 : -ENOMEM;
	}
	if (n == 0 || n > 253 || domain[0] == '-' || domain[0] == '.' ||
	    strspn(domain, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "--search '%s': expected a domain name (letters, digits, '-' and '.')", domain);
	return strv_push(&s->search, domain);
}

int ctr_hostname_validate(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 64 || h[0] == '-' || h[0] == '.')
		return -EINVAL;
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return -EINVAL;
	return 0;
}

/* ---- parsing ----------------------------------------------------------- */

static int bad(struct ctr_error **err, const char *path, const char *what)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s: %s", path, what);
}

static int get_string(yajl_val v, const char *path, char **ret, struct ctr_error **err)
{
	char *s;

	if (!YAJL_IS_STRING(v))
		return bad(err, path, "expected a string");
	s = strdup((v)->u.string);
	if (!s)
		return -ENOMEM;
	free(*ret);
	*ret = s;
	return 0;
}

static int get_bool(yajl_val v, const char *path, bool *ret, struct ctr_error **err)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return bad(err, path, "expected true or false");
	*ret = YAJL_IS_TRUE(v);
	return 0;
}

static int get_strv(yajl_val v, const char *path, char ***ret, struct ctr_error **err)
{
	_cleanup_strv_ char **out = calloc(1, sizeof(char *));
	char p[256];

	if (!out)
		return -ENOMEM;
	if (!YAJL_IS_ARRAY(v))
		return bad(err, path, "expected an array of strings");
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e)) {
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			return bad(err, p, "expected a string");
		}
		if (strv_push(&out, (e)->u.string) < 0)
			return -ENOMEM;
	}
	strv_free(*ret);
	*ret = TAKE_PTR(out);
	return 0;
}

/* A string naming one entry of an enum's string table. */
static int get_enum(yajl_val v, const char *const *table, size_t n, const char *path, const char *expected, int *ret,
		    struct ctr_error **err)
{
	int m = YAJL_IS_STRING(v) ? from_table(table, n, v->u.string) : -EINVAL;

	if (m < 0)
		return bad(err, path, expected);
	*ret = m;
	return 0;
}

static int unknown_field(struct ctr_error **err, const char *parent, const char *key)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
			      "%s%s%s: unknown field (not supported by this version of ctr)", parent,
			      *parent ? "." : "", key);
}

/* Which security fields the document gave: the others get the defaults of
 * the mode (with or without a user namespace) it ends up in. */
struct seen {
	bool caps, seccomp_mode, rootfs_idmap;
};

static int parse_process(yajl_val o, struct ctr_spec *s, struct seen *seen, struct ctr_error **err)
{
	int r = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "process", "expected an object");
	for (size_t i = 0; i < o->u.object.len && r == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "args"))
			r = get_strv(v, "process.args", &s->args, err);
		else if (!strcmp(k, "env"))
			r = get_strv(v, "process.env", &s->env, err);
		else if (!strcmp(k, "cwd"))
			r = get_string(v, "process.cwd", &s->cwd, err);
		else if (!strcmp(k, "terminal"))
			r = get_bool(v, "process.terminal", &s->terminal, err);
		else if (!strcmp(k, "noNewPrivileges"))
			r = get_bool(v, "process.noNewPrivileges", &s->no_new_privs, err);
		else if (!strcmp(k, "capabilities"))
			r = ctr_caps_parse(v, &s->caps, err), seen->caps = r == 0;
		else if (!strcmp(k, "rlimits"))
			r = ctr_rlimits_parse(v, &s->rlimits, &s->n_rlimits, err);
		else
			r = unknown_field(err, "process", k);
	}
	return r;
}

static int parse_root(yajl_val o, struct ctr_spec *s, struct ctr_error **err)
{
	int r = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "root", "expected an object");
	for (size_t i = 0; i < o->u.object.len && r == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "path"))
			r = get_string(v, "root.path", &s->root_path, err);
		else if (!strcmp(k, "readonly"))
			r = get_bool(v, "root.readonly", &s->root_readonly, err);
		else
			r = unknown_field(err, "root", k);
	}
	return r;
}

static int parse_namespaces(yajl_val a, struct ctr_spec *s, struct ctr_error **err)
{
	unsigned long ns = 0;
	char p[128];

	if (!YAJL_IS_ARRAY(a))
		return bad(err, "linux.namespaces", "expected an array of objects");
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val o = a->u.array.values[i];
		const char *type = NULL;
		unsigned long flag = 0;

		snprintf(p, sizeof(p), "linux.namespaces[%zu]", i);
		if (!YAJL_IS_OBJECT(o))
			return bad(err, p, "expected an object");
		for (size_t j = 0; j < o->u.object.len; j++) {
			const char *k = o->u.object.keys[j];

			if (!strcmp(k, "type")) {
				if (!YAJL_IS_STRING(o->u.object.values[j]))
					return bad(err, p, "type: expected a string");
				type = (o->u.object.values[j])->u.string;
			} else if (!strcmp(k, "path")) {
				return bad(err, p, "path: joining an existing namespace is not supported");
			} else {
				return unknown_field(err, p, k);
			}
		}
		if (!type)
			return bad(err, p, "missing \"type\"");
		for (size_t t = 0; t < ARRAY_SIZE(namespace_table); t++)
			if (!strcmp(type, namespace_table[t].name))
				flag = namespace_table[t].flag;
		if (!flag) {
			snprintf(p + strlen(p), sizeof(p) - strlen(p), ".type");
			return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					      "%s: unsupported namespace type \"%s\" (expected pid, mount, uts, "
					      "ipc, network, cgroup or user)",
					      p, type);
		}
		if (ns & flag)
			return bad(err, p, "namespace listed twice");
		ns |= flag;
	}
	s->namespaces = ns;
	return 0;
}

/* linux.uidMappings: ctr gives a container one contiguous range starting
 * at its root. */
static int parse_idmap(yajl_val a, const char *path, struct ctr_idmap *ret, struct ctr_error **err)
{
	static const char *const keys[] = { "containerID", "hostID", "size" };
	long long v[3] = { -1, -1, -1 };
	yajl_val o;

	if (!YAJL_IS_ARRAY(a) || a->u.array.len != 1 || !YAJL_IS_OBJECT(a->u.array.values[0]))
		return bad(err, path, "expected one mapping: [{\"containerID\": 0, \"hostID\": N, \"size\": N}]");
	o = a->u.array.values[0];
	for (size_t i = 0; i < o->u.object.len; i++) {
		size_t k = 0;

		while (k < ARRAY_SIZE(keys) && strcmp(keys[k], o->u.object.keys[i]))
			k++;
		if (k == ARRAY_SIZE(keys)) {
			char p[96];

			snprintf(p, sizeof(p), "%s[0]", path);
			return unknown_field(err, p, o->u.object.keys[i]);
		}
		if (!YAJL_IS_INTEGER(o->u.object.values[i]) || YAJL_GET_INTEGER(o->u.object.values[i]) < 0 ||
		    YAJL_GET_INTEGER(o->u.object.values[i]) > 0xffffffffLL)
			return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					      "%s[0].%s: expected a number 0..2^32-1", path, keys[k]);
		v[k] = YAJL_GET_INTEGER(o->u.object.values[i]);
	}
	if (v[0] != 0 || v[1] < 0 || v[2] < 1)
		return bad(err, path, "the mapping needs containerID 0, a hostID and a size of at least 1");
	if (v[1] == 0)
		return bad(err, path,
			   "hostID 0 makes the container's root the host's root: drop the user namespace "
			   "(--privileged) if that is what you want");
	if (v[1] + v[2] > 0xffffffffLL)
		return bad(err, path, "hostID + size is beyond the last id (2^32-1)");
	*ret = (struct ctr_idmap){ 0, (unsigned)v[1], (unsigned)v[2] };
	return 0;
}

/* An absolute path below "/" with no ".." component. */
static bool path_below_root(const char *p)
{
	if (p[0] != '/' || !p[strspn(p, "/")])
		return false;
	for (const char *c = p; *c; c += strcspn(c, "/")) {
		c += strspn(c, "/");
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return false;
	}
	return true;
}

static int get_abs_paths(yajl_val v, const char *path, char ***ret, struct ctr_error **err)
{
	int r = get_strv(v, path, ret, err);

	for (size_t i = 0; r == 0 && (*ret)[i]; i++)
		if (!path_below_root((*ret)[i]))
			r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
					   "%s[%zu]: \"%s\" must be an absolute path below / without \"..\"", path, i,
					   (*ret)[i]);
	return r;
}

static int parse_linux(yajl_val o, struct ctr_spec *s, struct ctr_error **err)
{
	int r = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "linux", "expected an object");
	for (size_t i = 0; i < o->u.object.len && r == 0; i++) {
		const char *k = o->u.object.keys[i];

		if (!strcmp(k, "namespaces"))
			r = parse_namespaces(o->u.object.values[i], s, err);
		else if (!strcmp(k, "resources"))
			r = ctr_resources_parse(o->u.object.values[i], &s->res, err);
		else if (!strcmp(k, "devices"))
			r = ctr_devices_parse(o->u.object.values[i], &s->res, err);
		else if (!strcmp(k, "uidMappings"))
			r = parse_idmap(o->u.object.values[i], "linux.uidMappings", &s->uid_map, err);
		else if (!strcmp(k, "gidMappings"))
			r = parse_idmap(o->u.object.values[i], "linux.gidMappings", &s->gid_map, err);
		else if (!strcmp(k, "maskedPaths"))
			r = get_abs_paths(o->u.object.values[i], "linux.maskedPaths", &s->masked_paths, err);
		else if (!strcmp(k, "readonlyPaths"))
			r = get_abs_paths(o->u.object.values[i], "linux.readonlyPaths", &s->readonly_paths, err);
		else if (!strcmp(k, "seccomp")) {
			ctr_seccomp_free(s->seccomp);
			s->seccomp = NULL;
			r = ctr_seccomp_parse(o->u.object.values[i], "linux.seccomp", &s->seccomp, err);
		} else
			r = unknown_field(err, "linux", k);
	}
	return r;
}

static int parse_ctr(yajl_val o, struct ctr_spec *s, struct seen *seen, struct ctr_error **err)
{
	int r = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, "ctr", "expected an object");
	for (size_t i = 0; i < o->u.object.len && r == 0; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];

		if (!strcmp(k, "template")) {
			r = get_string(v, "ctr.template", &s->template_name, err);
		} else if (!strcmp(k, "stopSignal")) {
			int sig;

			if (!YAJL_IS_STRING(v))
				return bad(err, "ctr.stopSignal", "expected a signal name such as \"SIGTERM\"");
			sig = signal_from_string((v)->u.string);
			if (sig < 0 || sig == SIGKILL || sig == SIGSTOP)
				return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
						      "ctr.stopSignal: \"%s\" is not a usable stop signal",
						      (v)->u.string);
			s->stop_signal = sig;
		} else if (!strcmp(k, "stopTimeout")) {
			if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) > 86400)
				return bad(err, "ctr.stopTimeout", "expected a number of seconds 0..86400");
			s->stop_timeout = (unsigned)YAJL_GET_INTEGER(v);
		} else if (!strcmp(k, "seccomp")) {
			int m = 0;

			r = get_enum(v, seccomp_mode_table, ARRAY_SIZE(seccomp_mode_table), "ctr.seccomp",
				     "expected \"default\", \"unconfined\" or \"custom\"", &m, err);
			s->seccomp_mode = (enum ctr_seccomp_mode)m;
			seen->seccomp_mode = true;
		} else if (!strcmp(k, "network")) {
			r = ctr_network_parse(v, &s->net, err);
		} else if (!strcmp(k, "dns") || !strcmp(k, "search")) {
			bool dns = k[0] == 'd';
			_cleanup_strv_ char **list = NULL;

			r = get_strv(v, dns ? "ctr.dns" : "ctr.search", &list, err);
			strv_free(dns ? s->dns : s->search);
			if (dns)
				s->dns = calloc(1, sizeof(char *));
			else
				s->search = calloc(1, sizeof(char *));
			if (r == 0 && !(dns ? s->dns : s->search))
				r = -ENOMEM;
			for (size_t j = 0; r == 0 && list[j]; j++)
				r = dns ? ctr_spec_add_dns(s, list[j], err) : ctr_spec_add_search(s, list[j], err);
			if (r < 0 && r != -ENOMEM && err && *err) {
				(*err)->kind = CTR_ERR_INVALID_CONFIG;
				ctr_error_wrap(err, "ctr.%s", k);
			}
		} else if (!strcmp(k, "rootfsIdmap")) {
			int m = 0;

			r = get_enum(v, rootfs_idmap_table, ARRAY_SIZE(rootfs_idmap_table), "ctr.rootfsIdmap",
				     "expected \"mount\", \"shift\" or \"none\"", &m, err);
			s->rootfs_idmap = (enum ctr_rootfs_idmap)m;
			seen->rootfs_idmap = true;
		} else {
			r = unknown_field(err, "ctr", k);
		}
	}
	return r;
}

int ctr_spec_parse(const char *json, size_t len, struct ctr_spec **ret, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *s = NULL;
	_cleanup_free_ char *copy = NULL;
	char errbuf[1024] = "";
	struct seen seen = { 0 };
	yajl_val root;
	int r;

	/* yajl_tree_parse wants a NUL-terminated string; a NUL inside is malformed. */
	if (memchr(json, '\0', len))
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "malformed JSON: NUL byte in document");
	copy = strndup(json, len);
	if (!copy)
		return -ENOMEM;
	root = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	if (!root) {
		/* yajl's message spans lines; keep the first, which says what is wrong. */
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "malformed JSON: %s",
				      errbuf[0] ? errbuf : "parse error");
	}
	r = ctr_spec_new_default("container", &s);
	if (r < 0)
		goto out;
	/* Fields the document leaves out keep their defaults, except the ones that
	 * identify the container: those must be explicit. */
	if (!YAJL_IS_OBJECT(root)) {
		r = bad(err, "(document)", "expected a JSON object");
		goto out;
	}
	for (size_t i = 0; i < root->u.object.len && r == 0; i++) {
		const char *k = root->u.object.keys[i];
		yajl_val v = root->u.object.values[i];

		if (!strcmp(k, "ociVersion")) {
			if (!YAJL_IS_STRING(v) || strncmp((v)->u.string, "1.", 2))
				r = bad(err, "ociVersion", "expected a version string \"1.x.y\"");
		} else if (!strcmp(k, "process")) {
			r = parse_process(v, s, &seen, err);
		} else if (!strcmp(k, "root")) {
			r = parse_root(v, s, err);
		} else if (!strcmp(k, "hostname")) {
			r = get_string(v, "hostname", &s->hostname, err);
		} else if (!strcmp(k, "linux")) {
			r = parse_linux(v, s, err);
		} else if (!strcmp(k, "ctr")) {
			r = parse_ctr(v, s, &seen, err);
		} else {
			r = unknown_field(err, "", k);
		}
	}
	/* What the document left out follows from the mode it chose. */
	if (r == 0 && !seen.caps) {
		ctr_caps_done(&s->caps);
		r = ctr_caps_default(ctr_spec_userns(s), &s->caps);
	}
	if (r == 0 && !seen.rootfs_idmap)
		s->rootfs_idmap = ctr_spec_userns(s) ? CTR_ROOTFS_IDMAP_MOUNT : CTR_ROOTFS_IDMAP_NONE;
	if (r == 0 && !seen.seccomp_mode)
		s->seccomp_mode = s->seccomp ? CTR_SECCOMP_CUSTOM : CTR_SECCOMP_DEFAULT;
	if (r == 0)
		r = ctr_spec_validate(s, err);
	if (r == 0)
		*ret = TAKE_PTR(s);
out:
	yajl_tree_free(root);
	return r;
}

int ctr_spec_validate(const struct ctr_spec *s, struct ctr_error **err)
{
	if (strv_length(s->args) == 0)
		return bad(err, "process.args", "must name the program to run (at least one element)");
	if (s->args[0][0] == '\0')
		return bad(err, "process.args[0]", "must not be empty");
	for (size_t i = 0; s->env && s->env[i]; i++)
		if (!strchr(s->env[i], '=') || s->env[i][0] == '=') {
			char p[64];

			snprintf(p, sizeof(p), "process.env[%zu]", i);
			return bad(err, p, "expected \"NAME=VALUE\"");
		}
	/* A system container's init always has the console; running it without
	 * one is not built yet, so say so rather than ignore the setting. */
	if (!s->terminal)
		return bad(err, "process.terminal", "false is not supported yet: init always gets the console pty");
	if (!s->cwd || s->cwd[0] != '/')
		return bad(err, "process.cwd", "must be an absolute path");
	if (!s->root_path || !s->root_path[0])
		return bad(err, "root.path", "must not be empty");
	if (!s->hostname || ctr_hostname_validate(s->hostname) < 0)
		return bad(err, "hostname", "expected 1-64 characters of letters, digits, '-' and '.'");
	/* A system container without its own pid and mount namespace would share the
	 * host's: pivot_root would move the host's root. Refuse it outright. */
	if (!(s->namespaces & CLONE_NEWPID))
		return bad(err, "linux.namespaces", "the pid namespace is required");
	if (!(s->namespaces & CLONE_NEWNS))
		return bad(err, "linux.namespaces", "the mount namespace is required");
	if (!s->template_name || !s->template_name[0])
		return bad(err, "ctr.template", "must not be empty");
	if (ctr_spec_userns(s)) {
		if (!s->uid_map.size != !s->gid_map.size)
			return bad(err, s->uid_map.size ? "linux.gidMappings" : "linux.uidMappings",
				   "give both uid and gid mappings, or neither (ctr then allocates them)");
		if (s->rootfs_idmap == CTR_ROOTFS_IDMAP_NONE)
			return bad(err, "ctr.rootfsIdmap", "\"none\" needs a container without a user namespace");
	} else {
		if (s->uid_map.size || s->gid_map.size)
			return bad(err, s->uid_map.size ? "linux.uidMappings" : "linux.gidMappings",
				   "id mappings need a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
		if (s->rootfs_idmap != CTR_ROOTFS_IDMAP_NONE)
			return bad(err, "ctr.rootfsIdmap", "only a container with a user namespace maps its rootfs");
	}
	/* Without a network namespace of its own the interfaces would be
	 * built in the host's. */
	if (s->net.n && !(s->namespaces & CLONE_NEWNET))
		return bad(err, "ctr.network",
			   "interfaces need a network namespace of the container's (\"network\" in linux.namespaces)");
	if (s->seccomp_mode == CTR_SECCOMP_CUSTOM && !s->seccomp)
		return bad(err, "ctr.seccomp", "\"custom\" needs a profile in linux.seccomp");
	if (s->seccomp_mode != CTR_SECCOMP_CUSTOM && s->seccomp)
		return bad(err, "linux.seccomp", "a profile is given but ctr.seccomp is not \"custom\"");
	return ctr_resources_validate(&s->res, err);
}

/* ---- emitting ---------------------------------------------------------- */

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_strv(yajl_gen g, const char *key, char *const *v)
{
	GSTR(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; v && v[i]; i++)
		GSTR(g, v[i]);
	yajl_gen_array_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, const struct ctr_idmap *m)
{
	GSTR(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	GSTR(g, "containerID");
	yajl_gen_integer(g, m->container_id);
	GSTR(g, "hostID");
	yajl_gen_integer(g, m->host_id);
	GSTR(g, "size");
	yajl_gen_integer(g, m->size);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

int ctr_spec_gen(const struct ctr_spec *s, yajl_gen g)
{
	char sigbuf[16];

	yajl_gen_map_open(g);
	GSTR(g, "ociVersion");
	GSTR(g, "1.0.2");

	GSTR(g, "process");
	yajl_gen_map_open(g);
	GSTR(g, "terminal");
	yajl_gen_bool(g, s->terminal);
	gen_strv(g, "args", s->args);
	gen_strv(g, "env", s->env);
	GSTR(g, "cwd");
	GSTR(g, s->cwd);
	GSTR(g, "noNewPrivileges");
	yajl_gen_bool(g, s->no_new_privs);
	ctr_caps_gen(&s->caps, g);
	if (s->n_rlimits)
		ctr_rlimits_gen(s->rlimits, s->n_rlimits, g);
	yajl_gen_map_close(g);

	GSTR(g, "root");
	yajl_gen_map_open(g);
	GSTR(g, "path");
	GSTR(g, s->root_path);
	GSTR(g, "readonly");
	yajl_gen_bool(g, s->root_readonly);
	yajl_gen_map_close(g);

	GSTR(g, "hostname");
	GSTR(g, s->hostname);

	GSTR(g, "linux");
	yajl_gen_map_open(g);
	GSTR(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(namespace_table); i++) {
		if (!(s->namespaces & namespace_table[i].flag))
			continue;
		yajl_gen_map_open(g);
		GSTR(g, "type");
		GSTR(g, namespace_table[i].name);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	if (ctr_spec_userns(s) && s->uid_map.size) {
		gen_idmap(g, "uidMappings", &s->uid_map);
		gen_idmap(g, "gidMappings", &s->gid_map);
	}
	gen_strv(g, "maskedPaths", s->masked_paths);
	gen_strv(g, "readonlyPaths", s->readonly_paths);
	ctr_resources_gen(&s->res, g);
	if (s->seccomp) {
		GSTR(g, "seccomp");
		ctr_seccomp_gen(s->seccomp, g);
	}
	yajl_gen_map_close(g);

	GSTR(g, "ctr");
	yajl_gen_map_open(g);
	GSTR(g, "template");
	GSTR(g, s->template_name);
	GSTR(g, "stopSignal");
	GSTR(g, signal_to_string(s->stop_signal, sigbuf));
	GSTR(g, "stopTimeout");
	yajl_gen_integer(g, s->stop_timeout);
	GSTR(g, "seccomp");
	GSTR(g, ctr_seccomp_mode_to_string(s->seccomp_mode));
	ctr_network_gen(&s->net, g);
	gen_strv(g, "dns", s->dns);
	gen_strv(g, "search", s->search);
	if (ctr_spec_userns(s)) {
		GSTR(g, "rootfsIdmap");
		GSTR(g, ctr_rootfs_idmap_to_string(s->rootfs_idmap));
	}
	yajl_gen_map_close(g);

	return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -EINVAL;
}

int ctr_spec_to_json(const struct ctr_spec *s, char **ret, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;
	int r;

	if (!g)
		return -ENOMEM;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	r = ctr_spec_gen(s, g);
	if (r == 0 && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 2);
		if (!out) {
			r = -ENOMEM;
		} else {
			memcpy(out, buf, len);
			if (len == 0 || out[len - 1] != '\n')
				out[len++] = '\n';
			out[len] = '\0';
			*ret = out;
			if (ret_len)
				*ret_len = len;
		}
	} else if (r == 0) {
		r = -EINVAL;
	}
	yajl_gen_free(g);
	return r;
}
