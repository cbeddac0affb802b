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
	{ CLONE_NEWPID, "pid" }, { CLONE_NEWNS, "mount" },    { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "network" }, { CLONE_NEWCGROUP, "cgroup" },
};

/* What every container gets unless its config says otherwise. */
#define DEFAULT_NAMESPACES (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

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
	s->terminal = true;
	s->namespaces = DEFAULT_NAMESPACES;
	s->stop_signal = SIGUSR2; /* busybox init: SIGUSR2 means poweroff */
	s->stop_timeout = CTR_DEFAULT_STOP_TIMEOUT;
	*ret = TAKE_PTR(s);
	return 0;
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

static int unknown_field(struct ctr_error **err, const char *parent, const char *key)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
			      "%s%s%s: unknown field (not supported by this version of ctr)", parent,
			      *parent ? "." : "", key);
}

static int parse_process(yajl_val o, struct ctr_spec *s, struct ctr_error **err)
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
					      "ipc, network or cgroup)",
					      p, type);
		}
		if (ns & flag)
			return bad(err, p, "namespace listed twice");
		ns |= flag;
	}
	s->namespaces = ns;
	return 0;
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
		else
			r = unknown_field(err, "linux", k);
	}
	return r;
}

static int parse_ctr(yajl_val o, struct ctr_spec *s, struct ctr_error **err)
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
			r = parse_process(v, s, err);
		} else if (!strcmp(k, "root")) {
			r = parse_root(v, s, err);
		} else if (!strcmp(k, "hostname")) {
			r = get_string(v, "hostname", &s->hostname, err);
		} else if (!strcmp(k, "linux")) {
			r = parse_linux(v, s, err);
		} else if (!strcmp(k, "ctr")) {
			r = parse_ctr(v, s, err);
		} else {
			r = unknown_field(err, "", k);
		}
	}
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
	ctr_resources_gen(&s->res, g);
	yajl_gen_map_close(g);

	GSTR(g, "ctr");
	yajl_gen_map_open(g);
	GSTR(g, "template");
	GSTR(g, s->template_name);
	GSTR(g, "stopSignal");
	GSTR(g, signal_to_string(s->stop_signal, sigbuf));
	GSTR(g, "stopTimeout");
	yajl_gen_integer(g, s->stop_timeout);
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
