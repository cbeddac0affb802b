/* Seccomp profiles in the OCI linux.seccomp format: parsed and checked when a
 * config is read, written back unchanged in meaning, compiled with libseccomp
 * in the parent and loaded by the child as its last privileged step. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "security/security.h"
#include "util.h"

static const char default_profile[] =
#include "security/seccomp-default.inc"
	;

/* The longest profile file ctr reads. Docker's default profile, the largest
 * in common use, is about 20 KiB. */
#define PROFILE_MAX (1U << 20)

enum action {
	ACT_KILL, /* the kernel's oldest kill, of the thread only */
	ACT_KILL_PROCESS,
	ACT_KILL_THREAD,
	ACT_TRAP,
	ACT_ERRNO,
	ACT_TRACE,
	ACT_ALLOW,
	ACT_LOG,
	_ACT_MAX,
};

/* By enum action: the name, and the libseccomp action (ERRNO and TRACE get
 * errnoRet in their low 16 bits). */
static const struct {
	const char *name;
	uint32_t value;
} actions[_ACT_MAX] = {
	[ACT_KILL] = { "SCMP_ACT_KILL", SCMP_ACT_KILL },
	[ACT_KILL_PROCESS] = { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	[ACT_KILL_THREAD] = { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	[ACT_TRAP] = { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	[ACT_ERRNO] = { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	[ACT_TRACE] = { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	[ACT_ALLOW] = { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	[ACT_LOG] = { "SCMP_ACT_LOG", SCMP_ACT_LOG },
};

/* By enum scmp_compare, which starts at 1. */
static const char *const op_names[_SCMP_CMP_MAX] = {
	NULL,	       "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
	"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"
};

/* The filter flags ctr can honour, in the order they are written back. */
static const struct {
	const char *name;
	enum scmp_filter_attr attr;
} flag_table[] = {
	/* Synchronises the filter onto the caller's other threads: the child
	 * that loads it has none, so there is nothing to set (and no kernel
	 * feature to miss). */
	{ "SECCOMP_FILTER_FLAG_TSYNC", _SCMP_FLTATR_MIN },
	{ "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB },
};

#define NO_ERRNO UINT64_MAX /* errnoRet absent: EPERM, as runc and crun do */

struct seccomp_rule {
	char **names;
	enum action action;
	uint64_t errno_ret;
	struct scmp_arg_cmp *args; /* index, op, value, valueTwo */
	size_t n_args;
};

struct ctr_seccomp_profile {
	enum action default_action;
	uint64_t default_errno_ret;
	char **arch_names; /* as written, for ctr_seccomp_gen */
	uint32_t *arches;  /* SCMP_ARCH_* tokens, same order */
	size_t n_arches;
	unsigned flags; /* bit i: flag_table[i] */
	struct seccomp_rule *rules;
	size_t n_rules;
};

struct ctr_seccomp_filter {
	scmp_filter_ctx ctx;
};

void ctr_seccomp_free(struct ctr_seccomp_profile *p)
{
	if (!p)
		return;
	strv_free(p->arch_names);
	free(p->arches);
	for (size_t i = 0; i < p->n_rules; i++) {
		strv_free(p->rules[i].names);
		free(p->rules[i].args);
	}
	free(p->rules);
	free(p);
}

/* ---- parsing ---------------------------------------------------------------- */

/* The JSON path of the value being read ("linux.seccomp.syscalls[2].args[0]"),
 * one buffer that grows as the walk descends and shrinks back. */
struct jpath {
	char s[512];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static size_t push(struct jpath *p, const char *fmt, ...)
{
	size_t old = p->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p->s + old, sizeof(p->s) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len = old + (size_t)n < sizeof(p->s) ? old + (size_t)n : sizeof(p->s) - 1;
	return old;
}

static size_t push_key(struct jpath *p, const char *key)
{
	return push(p, "%s%s", p->len ? "." : "", key);
}

static void pop(struct jpath *p, size_t old)
{
	p->len = old;
	p->s[old] = '\0';
}

/* "path: what". An empty path is the root of a profile file, whose name the
 * caller puts in front. */
__attribute__((format(printf, 3, 4))) static int bad(struct ctr_error **err, const struct jpath *path, const char *fmt,
						     ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what)
		return -ENOMEM;
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s%s%s", path->s, path->len ? ": " : "", what);
}

/* A non-negative integer up to max. Read from yajl's text of the number, not
 * its long long, so that 64-bit argument values above INT64_MAX (masks) work. */
static int get_u64(yajl_val v, const struct jpath *path, uint64_t max, uint64_t *ret, struct ctr_error **err)
{
	const char *s = YAJL_IS_NUMBER(v) ? v->u.number.r : NULL;
	unsigned long long n;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return bad(err, path, "expected an integer 0..%" PRIu64, max);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > max)
		return bad(err, path, "expected an integer 0..%" PRIu64, max);
	*ret = n;
	return 0;
}

static int get_action(yajl_val v, const struct jpath *path, enum action *ret, struct ctr_error **err)
{
	int a;

	if (!YAJL_IS_STRING(v))
		return bad(err, path, "expected an action such as \"SCMP_ACT_ERRNO\"");
	if (!strcmp(v->u.string, "SCMP_ACT_NOTIFY"))
		return bad(err, path, "SCMP_ACT_NOTIFY needs a seccomp listener, which is not supported by ctr");
	for (a = 0; a < _ACT_MAX; a++)
		if (!strcmp(v->u.string, actions[a].name)) {
			*ret = (enum action)a;
			return 0;
		}
	return bad(err, path, "unknown action \"%s\"", v->u.string);
}

/* errnoRet: the errno for SCMP_ACT_ERRNO (the kernel caps it at 4095), the
 * 16-bit message for the tracer with SCMP_ACT_TRACE; meaningless otherwise.
 * Checked once the whole object is read: the action may come after it. */
static int check_errno_ret(enum action a, uint64_t errno_ret, struct jpath *path, const char *key,
			   struct ctr_error **err)
{
	size_t old;
	int r = 0;

	if (errno_ret == NO_ERRNO)
		return 0;
	old = push_key(path, key);
	if (a != ACT_ERRNO && a != ACT_TRACE)
		r = bad(err, path, "only meaningful with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	else if (a == ACT_ERRNO && errno_ret > 4095)
		r = bad(err, path, "expected an errno 0..4095");
	pop(path, old);
	return r;
}

static int parse_strings(yajl_val a, struct jpath *path, const char *what, char ***ret, struct ctr_error **err)
{
	_cleanup_strv_ char **v = NULL;

	if (!YAJL_IS_ARRAY(a))
		return bad(err, path, "expected an array of %s", what);
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val s = a->u.array.values[i];

		if (!YAJL_IS_STRING(s) || !*s->u.string) {
			push(path, "[%zu]", i);
			return bad(err, path, "expected %s", what);
		}
		if (strv_push(&v, s->u.string) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

static int parse_arg(yajl_val o, struct jpath *path, struct scmp_arg_cmp *ret, struct ctr_error **err)
{
	unsigned seen = 0;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, path, "expected an object {index, value, valueTwo, op}");
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];
		size_t old = push_key(path, k);
		uint64_t n;
		int r = 0;

		if (!strcmp(k, "index")) {
			/* Six syscall arguments, 0..5. */
			r = get_u64(v, path, 5, &n, err);
			ret->arg = (unsigned)n;
			seen |= 1;
		} else if (!strcmp(k, "value")) {
			r = get_u64(v, path, UINT64_MAX, &ret->datum_a, err);
			seen |= 2;
		} else if (!strcmp(k, "valueTwo")) {
			r = get_u64(v, path, UINT64_MAX, &ret->datum_b, err);
		} else if (!strcmp(k, "op")) {
			int op = _SCMP_CMP_MAX - 1;

			while (YAJL_IS_STRING(v) && op > 0 && strcmp(v->u.string, op_names[op]))
				op--;
			if (op <= 0)
				return bad(err, path,
					   "expected an operator SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ");
			ret->op = (enum scmp_compare)op;
			seen |= 4;
		} else {
			r = bad(err, path, "unknown field");
		}
		if (r < 0)
			return r;
		pop(path, old);
	}
	if (seen != 7)
		return bad(err, path, "needs index, value and op");
	return 0;
}

static int parse_args(yajl_val a, struct jpath *path, struct seccomp_rule *rule, struct ctr_error **err)
{
	if (!YAJL_IS_ARRAY(a))
		return bad(err, path, "expected an array of {index, value, valueTwo, op}");
	free(rule->args);
	rule->n_args = 0;
	rule->args = calloc(a->u.array.len + 1, sizeof(*rule->args));
	if (!rule->args)
		return -ENOMEM;
	for (size_t i = 0; i < a->u.array.len; i++) {
		size_t old = push(path, "[%zu]", i);
		int r = parse_arg(a->u.array.values[i], path, &rule->args[i], err);

		if (r < 0)
			return r;
		pop(path, old);
		rule->n_args++;
	}
	return 0;
}

static int parse_rule(yajl_val o, struct jpath *path, struct seccomp_rule *ret, struct ctr_error **err)
{
	bool have_action = false;

	if (!YAJL_IS_OBJECT(o))
		return bad(err, path, "expected an object {names, action, errnoRet, args}");
	ret->errno_ret = NO_ERRNO;
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];
		size_t old = push_key(path, k);
		int r = 0;

		if (!strcmp(k, "names")) {
			strv_free(ret->names);
			ret->names = NULL;
			r = parse_strings(v, path, "syscall names", &ret->names, err);
		} else if (!strcmp(k, "action")) {
			r = get_action(v, path, &ret->action, err);
			have_action = true;
		} else if (!strcmp(k, "errnoRet")) {
			r = get_u64(v, path, UINT16_MAX, &ret->errno_ret, err);
		} else if (!strcmp(k, "args")) {
			r = parse_args(v, path, ret, err);
		} else {
			r = bad(err, path, "unknown field");
		}
		if (r < 0)
			return r;
		pop(path, old);
	}
	if (!ret->names || !ret->names[0])
		return bad(err, path, "needs \"names\", a list of at least one syscall");
	if (!have_action)
		return bad(err, path, "needs \"action\"");
	return check_errno_ret(ret->action, ret->errno_ret, path, "errnoRet", err);
}

static int parse_rules(yajl_val a, struct jpath *path, struct ctr_seccomp_profile *p, struct ctr_error **err)
{
	if (p->rules)
		return bad(err, path, "given twice");
	if (!YAJL_IS_ARRAY(a))
		return bad(err, path, "expected an array of {names, action, errnoRet, args}");
	p->rules = calloc(a->u.array.len + 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (size_t i = 0; i < a->u.array.len; i++) {
		size_t old = push(path, "[%zu]", i);
		int r;

		/* Counted first: a half-parsed rule is freed too. */
		p->n_rules++;
		r = parse_rule(a->u.array.values[i], path, &p->rules[i], err);
		if (r < 0)
			return r;
		pop(path, old);
	}
	return 0;
}

static int parse_arches(yajl_val a, struct jpath *path, struct ctr_seccomp_profile *p, struct ctr_error **err)
{
	int r;

	if (p->arch_names)
		return bad(err, path, "given twice");
	r = parse_strings(a, path, "architecture names (\"SCMP_ARCH_X86_64\")", &p->arch_names, err);
	if (r < 0)
		return r;
	p->n_arches = strv_length(p->arch_names);
	p->arches = calloc(p->n_arches + 1, sizeof(*p->arches));
	if (!p->arches)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_arches; i++) {
		const char *name = p->arch_names[i];
		char lower[32];
		size_t j;

		/* libseccomp's own names are the OCI ones without the prefix,
		 * in lower case: SCMP_ARCH_X86_64 is "x86_64". */
		if (!strncmp(name, "SCMP_ARCH_", 10) && strlen(name + 10) < sizeof(lower)) {
			for (j = 0; name[10 + j]; j++)
				lower[j] = (char)tolower((unsigned char)name[10 + j]);
			lower[j] = '\0';
			p->arches[i] = seccomp_arch_resolve_name(lower);
		}
		if (p->arches[i] == 0) {
			push(path, "[%zu]", i);
			return bad(err, path, "unknown architecture \"%s\"", name);
		}
	}
	return 0;
}

static int parse_flags(yajl_val a, struct jpath *path, unsigned *ret, struct ctr_error **err)
{
	_cleanup_strv_ char **names = NULL;
	int r = parse_strings(a, path, "flag names", &names, err);

	if (r < 0)
		return r;
	for (size_t i = 0; names[i]; i++) {
		size_t f;

		for (f = 0; f < ARRAY_SIZE(flag_table); f++)
			if (!strcmp(names[i], flag_table[f].name))
				break;
		if (f == ARRAY_SIZE(flag_table)) {
			push(path, "[%zu]", i);
			return bad(err, path,
				   "flag \"%s\" is not supported by ctr (it knows SECCOMP_FILTER_FLAG_TSYNC, "
				   "SECCOMP_FILTER_FLAG_LOG and SECCOMP_FILTER_FLAG_SPEC_ALLOW)",
				   names[i]);
		}
		*ret |= 1U << f;
	}
	return 0;
}

int ctr_seccomp_parse(yajl_val o, const char *where, struct ctr_seccomp_profile **ret, struct ctr_error **err)
{
	_cleanup_(ctr_seccomp_freep) struct ctr_seccomp_profile *p = NULL;
	struct jpath path = { .len = 0 };
	bool have_default = false;
	int r;

	push(&path, "%s", where ? where : "");
	if (!YAJL_IS_OBJECT(o))
		return bad(err, &path, "expected an object {defaultAction, architectures, syscalls, ...}");
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->default_errno_ret = NO_ERRNO;
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *k = o->u.object.keys[i];
		yajl_val v = o->u.object.values[i];
		size_t old = push_key(&path, k);

		if (!strcmp(k, "defaultAction")) {
			r = get_action(v, &path, &p->default_action, err);
			have_default = true;
		} else if (!strcmp(k, "defaultErrnoRet")) {
			r = get_u64(v, &path, UINT16_MAX, &p->default_errno_ret, err);
		} else if (!strcmp(k, "architectures")) {
			r = parse_arches(v, &path, p, err);
		} else if (!strcmp(k, "flags")) {
			r = parse_flags(v, &path, &p->flags, err);
		} else if (!strcmp(k, "listenerPath") || !strcmp(k, "listenerMetadata")) {
			/* A listener hands the decisions of SCMP_ACT_NOTIFY to
			 * another process; ctr has no such agent. */
			r = bad(err, &path, "a seccomp listener is not supported by ctr");
		} else if (!strcmp(k, "syscalls")) {
			r = parse_rules(v, &path, p, err);
		} else {
			r = bad(err, &path, "unknown field");
		}
		if (r < 0)
			return r;
		pop(&path, old);
	}
	if (!have_default)
		return bad(err, &path, "needs \"defaultAction\"");
	r = check_errno_ret(p->default_action, p->default_errno_ret, &path, "defaultErrnoRet", err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

static int parse_text(const char *text, const char *what, struct ctr_seccomp_profile **ret, struct ctr_error **err)
{
	char msg[512];
	yajl_val v = yajl_tree_parse(text, msg, sizeof(msg));
	int r;

	if (!v) {
		/* yajl's message goes on with the text around the error. */
		msg[strcspn(msg, "\n")] = '\0';
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s: %s", what, msg);
	}
	r = ctr_seccomp_parse(v, "", ret, err);
	yajl_tree_free(v);
	if (r < 0)
		ctr_error_wrap(err, "%s", what);
	return r;
}

int ctr_seccomp_default(struct ctr_seccomp_profile **ret, struct ctr_error **err)
{
	return parse_text(default_profile, "built-in seccomp profile", ret, err);
}

int ctr_seccomp_parse_file(const char *file, struct ctr_seccomp_profile **ret, struct ctr_error **err)
{
	_cleanup_free_ char *text = NULL, *what = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, file, PROFILE_MAX, &text, &len);

	if (r == -ENOENT)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "seccomp profile '%s' not found", file);
	if (r == -EFBIG)
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EFBIG,
				      "seccomp profile '%s' is larger than 1 MiB: not a profile", file);
	if (r < 0)
		return ctr_error_sys(err, -r, "read seccomp profile '%s'", file);
	if (strlen(text) != len)
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
				      "seccomp profile '%s': a NUL byte in a JSON file", file);
	if (asprintf(&what, "seccomp profile '%s'", file) < 0)
		return -ENOMEM;
	return parse_text(text, what, ret, err);
}

/* ---- writing back ------------------------------------------------------------ */

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_u64(yajl_gen g, uint64_t n)
{
	char buf[24];

	/* As digits: yajl_gen_integer stops at INT64_MAX. */
	yajl_gen_number(g, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, n));
}

static void gen_strv(yajl_gen g, const char *key, char *const *v)
{
	GSTR(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++)
		GSTR(g, *v);
	yajl_gen_array_close(g);
}

void ctr_seccomp_gen(const struct ctr_seccomp_profile *p, yajl_gen g)
{
	yajl_gen_map_open(g);
	GSTR(g, "defaultAction");
	GSTR(g, actions[p->default_action].name);
	if (p->default_errno_ret != NO_ERRNO && GSTR(g, "defaultErrnoRet") == yajl_gen_status_ok)
		gen_u64(g, p->default_errno_ret);
	if (p->n_arches)
		gen_strv(g, "architectures", p->arch_names);
	if (p->flags) {
		GSTR(g, "flags");
		yajl_gen_array_open(g);
		for (size_t f = 0; f < ARRAY_SIZE(flag_table); f++)
			if (p->flags & (1U << f))
				GSTR(g, flag_table[f].name);
		yajl_gen_array_close(g);
	}
	if (p->n_rules) {
		GSTR(g, "syscalls");
		yajl_gen_array_open(g);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_rule *r = &p->rules[i];

		yajl_gen_map_open(g);
		gen_strv(g, "names", r->names);
		GSTR(g, "action");
		GSTR(g, actions[r->action].name);
		if (r->errno_ret != NO_ERRNO && GSTR(g, "errnoRet") == yajl_gen_status_ok)
			gen_u64(g, r->errno_ret);
		if (r->n_args) {
			GSTR(g, "args");
			yajl_gen_array_open(g);
		}
		for (const struct scmp_arg_cmp *a = r->args; a < r->args + r->n_args; a++) {
			yajl_gen_map_open(g);
			GSTR(g, "index");
			yajl_gen_integer(g, a->arg);
			GSTR(g, "value");
			gen_u64(g, a->datum_a);
			/* Absent and 0 mean the same (Go's omitempty writes it so). */
			if (a->datum_b && GSTR(g, "valueTwo") == yajl_gen_status_ok)
				gen_u64(g, a->datum_b);
			GSTR(g, "op");
			GSTR(g, op_names[a->op]);
			yajl_gen_map_close(g);
		}
		if (r->n_args)
			yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	if (p->n_rules)
		yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* ---- compiling and loading ------------------------------------------------------ */

static uint32_t action_value(enum action a, uint64_t errno_ret)
{
	uint16_t data = errno_ret == NO_ERRNO ? EPERM : (uint16_t)errno_ret;

	return actions[a].value | (a == ACT_ERRNO || a == ACT_TRACE ? data : 0);
}

/* Without an architecture list, every ABI through which a process of this
 * machine can enter the kernel: on x86_64 a 64-bit program can also make i386
 * system calls (int $0x80, with i386 numbers) and x32 ones (numbers with
 * __X32_SYSCALL_BIT). Rules that are not compiled for an ABI do not exist
 * there, so each gets the same rules. */
static const uint32_t default_arches[] = {
	SCMP_ARCH_NATIVE,
#if defined(__x86_64__)
	SCMP_ARCH_X86,
	SCMP_ARCH_X32,
#endif
};

static int add_arches(scmp_filter_ctx ctx, const struct ctr_seccomp_profile *p, struct ctr_error **err)
{
	const uint32_t *arches = p->n_arches ? p->arches : default_arches;
	size_t n = p->n_arches ? p->n_arches : ARRAY_SIZE(default_arches);

	for (size_t i = 0; i < n; i++) {
		/* seccomp_init() put the native one in already. */
		int r = seccomp_arch_add(ctx, arches[i]);

		if (r < 0 && r != -EEXIST)
			return ctr_error_sys(err, -r, "seccomp: add architecture %s",
					     p->n_arches ? p->arch_names[i] : "of this machine");
	}
	return 0;
}

static int set_attrs(scmp_filter_ctx ctx, const struct ctr_seccomp_profile *p, struct ctr_error **err)
{
	int r;

	/* ctr sets no_new_privs itself when the config asks for it; the
	 * filter is loaded while the child still holds CAP_SYS_ADMIN in its
	 * namespace, so the kernel does not require it. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* The kernel's reason when seccomp_load() fails, not -ECANCELED. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (r < 0)
		return ctr_error_sys(err, -r, "seccomp: set filter attributes");
	/* A system call through an ABI the filter was not built for cannot be
	 * judged by its rules: letting it through would bypass them, and an
	 * errno would leave a 32-bit program spinning on failing calls
	 * without saying why. Kill it, loudly (SIGSYS, audit log), and the
	 * whole process rather than libseccomp's default of one thread, so
	 * that a multi-threaded program does not go on with a thread gone.
	 * Kernels before 4.14 only know how to kill a thread. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_THREAD);
	if (r < 0)
		return ctr_error_sys(err, -r, "seccomp: set the action for other architectures");
	for (size_t f = 0; f < ARRAY_SIZE(flag_table); f++) {
		if (!(p->flags & (1U << f)) || flag_table[f].attr == _SCMP_FLTATR_MIN)
			continue;
		r = seccomp_attr_set(ctx, flag_table[f].attr, 1);
		if (r < 0)
			return ctr_error_sys(err, -r, "seccomp: flag %s", flag_table[f].name);
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, const struct seccomp_rule *rule,
		    struct ctr_error **err)
{
	int nr = seccomp_syscall_resolve_name(name), r = 0;
	unsigned used = 0, repeated = 0;

	/* Profiles list system calls newer than the libseccomp at hand (and
	 * ones of other architectures); one it knows on no architecture
	 * cannot be made by anything it would filter. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	for (size_t i = 0; i < rule->n_args; i++) {
		repeated |= used & (1U << rule->args[i].arg);
		used |= 1U << rule->args[i].arg;
	}
	/* libseccomp refuses two comparisons of one argument in a rule. runc
	 * and crun then make each comparison a rule of its own, so that they
	 * are alternatives, and profiles are written for that. */
	if (!repeated)
		r = seccomp_rule_add_array(ctx, action, nr, (unsigned)rule->n_args, rule->args);
	for (size_t i = 0; repeated && i < rule->n_args && r == 0; i++)
		r = seccomp_rule_add_array(ctx, action, nr, 1, &rule->args[i]);
	if (r < 0)
		return ctr_error_sys(err, -r, "seccomp rule for \"%s\"", name);
	return 0;
}

void ctr_seccomp_filter_free(struct ctr_seccomp_filter *f)
{
	if (!f)
		return;
	seccomp_release(f->ctx);
	free(f);
}

static void filter_freep(struct ctr_seccomp_filter **f)
{
	ctr_seccomp_filter_free(*f);
}

int ctr_seccomp_compile(const struct ctr_seccomp_profile *p, struct ctr_seccomp_filter **ret, struct ctr_error **err)
{
	_cleanup_(filter_freep) struct ctr_seccomp_filter *f = NULL;
	uint32_t def = action_value(p->default_action, p->default_errno_ret);
	int r;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->ctx = seccomp_init(def);
	if (!f->ctx)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EOPNOTSUPP,
				      "seccomp: default action %s is not supported by this kernel",
				      actions[p->default_action].name);
	r = add_arches(f->ctx, p, err);
	if (r == 0)
		r = set_attrs(f->ctx, p, err);
	for (size_t i = 0; i < p->n_rules && r == 0; i++) {
		const struct seccomp_rule *rule = &p->rules[i];
		uint32_t act = action_value(rule->action, rule->errno_ret);

		/* What the default does already; libseccomp refuses such a
		 * rule (EACCES) rather than ignore it. */
		if (act == def)
			continue;
		for (size_t j = 0; rule->names[j] && r == 0; j++)
			r = add_rule(f->ctx, act, rule->names[j], rule, err);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	return 0;
}

int ctr_seccomp_load(struct ctr_seccomp_filter *f, struct ctr_error **err)
{
	int r = seccomp_load(f->ctx);

	if (r < 0)
		return ctr_error_sys(err, -r, "load the seccomp filter");
	return 0;
}
