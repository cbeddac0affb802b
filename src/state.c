#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "state.h"
#include "util.h"

static const char *const status_names[_CTR_STATUS_MAX] = {
	[CTR_STOPPED] = "stopped",   [CTR_STARTING] = "starting", [CTR_RUNNING] = "running",
	[CTR_STOPPING] = "stopping", [CTR_PAUSED] = "paused",
};

const char *ctr_status_to_string(enum ctr_status s)
{
	return s < _CTR_STATUS_MAX ? status_names[s] : "unknown";
}

int ctr_status_from_string(const char *s)
{
	for (int i = 0; i < _CTR_STATUS_MAX; i++)
		if (!strcmp(s, status_names[i]))
			return i;
	return -EINVAL;
}

void ctr_state_done(struct ctr_state *st)
{
	strv_free(st->cgroups);
	memset(st, 0, sizeof(*st));
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static int gen_finish(yajl_gen g, char **ret, size_t *ret_len)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return -EINVAL;
	}
	out = malloc(len + 2);
	if (!out) {
		yajl_gen_free(g);
		return -ENOMEM;
	}
	memcpy(out, buf, len);
	out[len++] = '\n';
	out[len] = '\0';
	yajl_gen_free(g);
	*ret = out;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int ctr_state_to_json(const struct ctr_state *st, char **ret, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	GSTR(g, "status");
	GSTR(g, ctr_status_to_string(st->status));
	GSTR(g, "monitorPid");
	yajl_gen_integer(g, st->monitor_pid);
	GSTR(g, "monitorStart");
	yajl_gen_integer(g, (long long)st->monitor_start);
	GSTR(g, "initPid");
	yajl_gen_integer(g, st->init_pid);
	GSTR(g, "started");
	yajl_gen_integer(g, st->started);
	GSTR(g, "cgroups");
	yajl_gen_array_open(g);
	for (size_t i = 0; st->cgroups && st->cgroups[i]; i++)
		GSTR(g, st->cgroups[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return gen_finish(g, ret, ret_len);
}

static long long get_int(yajl_val root, const char *key, bool *ok)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);

	if (!v || !YAJL_IS_INTEGER(v)) {
		*ok = false;
		return 0;
	}
	return YAJL_GET_INTEGER(v);
}

int ctr_state_parse(const char *json, struct ctr_state *ret, struct ctr_error **err)
{
	const char *status_path[] = { "status", NULL }, *cg_path[] = { "cgroups", NULL };
	struct ctr_state st = { 0 };
	yajl_val root, v;
	bool ok = true;
	int s;

	root = yajl_tree_parse(json, NULL, 0);
	if (!root)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EBADMSG, "run state is not valid JSON");
	v = yajl_tree_get(root, status_path, yajl_t_string);
	s = v ? ctr_status_from_string((v)->u.string) : -EINVAL;
	st.monitor_pid = (pid_t)get_int(root, "monitorPid", &ok);
	st.monitor_start = (unsigned long long)get_int(root, "monitorStart", &ok);
	st.init_pid = (pid_t)get_int(root, "initPid", &ok);
	st.started = get_int(root, "started", &ok);
	v = yajl_tree_get(root, cg_path, yajl_t_array);
	if (s < 0 || !ok || !v) {
		yajl_tree_free(root);
		return ctr_error_user(err, CTR_ERR_SYSTEM, EBADMSG, "run state lacks a field");
	}
	st.status = (enum ctr_status)s;
	st.cgroups = calloc(1, sizeof(char *));
	for (size_t i = 0; st.cgroups && i < v->u.array.len; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]) &&
		    strv_push(&st.cgroups, (v->u.array.values[i])->u.string) < 0)
			break;
	yajl_tree_free(root);
	if (!st.cgroups)
		return -ENOMEM;
	*ret = st;
	return 0;
}

int ctr_exit_to_json(const struct ctr_exit *ex, char **ret, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	GSTR(g, "status");
	yajl_gen_integer(g, ex->status);
	GSTR(g, "signal");
	if (ex->signal)
		yajl_gen_integer(g, ex->signal);
	else
		yajl_gen_null(g);
	GSTR(g, "time");
	yajl_gen_integer(g, ex->time);
	GSTR(g, "checkpointed");
	yajl_gen_bool(g, ex->checkpointed);
	yajl_gen_map_close(g);
	return gen_finish(g, ret, ret_len);
}

int ctr_exit_parse(const char *json, struct ctr_exit *ret)
{
	const char *sig_path[] = { "signal", NULL }, *ckpt_path[] = { "checkpointed", NULL };
	struct ctr_exit ex = { 0 };
	yajl_val root = yajl_tree_parse(json, NULL, 0), v;
	bool ok = true;

	if (!root)
		return -EBADMSG;
	ex.status = (int)get_int(root, "status", &ok);
	ex.time = get_int(root, "time", &ok);
	v = yajl_tree_get(root, sig_path, yajl_t_any);
	if (v && YAJL_IS_INTEGER(v))
		ex.signal = (int)YAJL_GET_INTEGER(v);
	v = yajl_tree_get(root, ckpt_path, yajl_t_any);
	ex.checkpointed = v && YAJL_IS_TRUE(v);
	yajl_tree_free(root);
	if (!ok)
		return -EBADMSG;
	*ret = ex;
	return 0;
}

void ctr_exit_from_wait_status(int wstatus, long long now, struct ctr_exit *ret)
{
	ret->time = now;
	ret->checkpointed = false;
	if (WIFSIGNALED(wstatus)) {
		ret->signal = WTERMSIG(wstatus);
		ret->status = 128 + ret->signal;
	} else {
		ret->signal = 0;
		ret->status = WEXITSTATUS(wstatus);
	}
}
