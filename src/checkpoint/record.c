/* ctr's record of a checkpoint (ctr-checkpoint.json next to CRIU's images):
 * what it declared external at the dump, for the restore to give back. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "checkpoint/criu.h"
#include "error.h"
#include "util.h"

void ctr_cpt_record_done(struct ctr_cpt_record *m)
{
	free(m->name);
	free(m->tty);
	strv_free(m->masks);
	ctr_network_done(&m->net);
	memset(m, 0, sizeof(*m));
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

int ctr_cpt_record_to_json(const struct ctr_cpt_record *m, char **ret, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int r = -ENOMEM;

	if (!g)
		return -ENOMEM;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	GSTR(g, "format");
	yajl_gen_integer(g, CTR_CPT_RECORD_FORMAT);
	GSTR(g, "name");
	GSTR(g, m->name);
	GSTR(g, "created");
	yajl_gen_integer(g, m->created);
	GSTR(g, "criu");
	yajl_gen_integer(g, m->criu_version);
	GSTR(g, "leaveRunning");
	yajl_gen_bool(g, m->leave_running);
	if (m->tty) {
		GSTR(g, "tty");
		GSTR(g, m->tty);
	}
	GSTR(g, "console");
	yajl_gen_bool(g, m->console);
	GSTR(g, "dev");
	yajl_gen_bool(g, m->dev);
	GSTR(g, "netns");
	yajl_gen_bool(g, m->netns);
	GSTR(g, "masks");
	yajl_gen_array_open(g);
	for (size_t i = 0; m->masks && m->masks[i]; i++)
		GSTR(g, m->masks[i]);
	yajl_gen_array_close(g);
	ctr_network_gen(&m->net, g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (*ret = strndup((const char *)buf, len))) {
		*ret_len = len;
		r = 0;
	}
	yajl_gen_free(g);
	return r;
}

static yajl_val get(yajl_val root, const char *key, yajl_type t)
{
	const char *path[] = { key, NULL };

	return yajl_tree_get(root, path, t);
}

int ctr_cpt_record_parse(const char *json, const char *where, struct ctr_cpt_record *ret, struct ctr_error **err)
{
	_cleanup_(ctr_cpt_record_done) struct ctr_cpt_record m = { 0 };
	yajl_val root = yajl_tree_parse(json, NULL, 0), v, name, masks, net;
	int r = 0;

	if (!root)
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EBADMSG, "%s is not valid JSON", where);
	v = get(root, "format", yajl_t_number);
	name = get(root, "name", yajl_t_string);
	masks = get(root, "masks", yajl_t_array);
	net = get(root, "network", yajl_t_array);
	if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != CTR_CPT_RECORD_FORMAT || !name || !masks || !net) {
		yajl_tree_free(root);
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EBADMSG,
				      "%s is not a checkpoint record of this ctr (format %d)", where,
				      CTR_CPT_RECORD_FORMAT);
	}
	m.name = strdup(name->u.string);
	if ((v = get(root, "created", yajl_t_number)) && YAJL_IS_INTEGER(v))
		m.created = YAJL_GET_INTEGER(v);
	if ((v = get(root, "criu", yajl_t_number)) && YAJL_IS_INTEGER(v))
		m.criu_version = (int)YAJL_GET_INTEGER(v);
	m.leave_running = YAJL_IS_TRUE(get(root, "leaveRunning", yajl_t_true));
	m.console = YAJL_IS_TRUE(get(root, "console", yajl_t_true));
	m.dev = YAJL_IS_TRUE(get(root, "dev", yajl_t_true));
	m.netns = YAJL_IS_TRUE(get(root, "netns", yajl_t_true));
	if ((v = get(root, "tty", yajl_t_string))) {
		unsigned long long rdev, dev;
		int end = 0;

		if (sscanf(v->u.string, "tty[%llx:%llx]%n", &rdev, &dev, &end) != 2 || v->u.string[end]) {
			r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EBADMSG, "%s: bad tty key '%s'", where,
					   v->u.string);
			yajl_tree_free(root);
			return r;
		}
		m.tty = strdup(v->u.string);
	}
	m.masks = calloc(1, sizeof(char *));
	if (!m.name || !m.masks || (get(root, "tty", yajl_t_string) && !m.tty))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < masks->u.array.len; i++) {
		yajl_val k = masks->u.array.values[i];

		if (!YAJL_IS_STRING(k) || strncmp(k->u.string, "ctr-mask-", 9) ||
		    (k->u.string[9] != 'f' && k->u.string[9] != 'd'))
			r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EBADMSG, "%s: bad mask key", where);
		else if (strv_push(&m.masks, k->u.string) < 0)
			r = -ENOMEM;
	}
	if (r == 0 && (r = ctr_network_parse(net, &m.net, err)) < 0)
		ctr_error_wrap(err, "%s", where);
	yajl_tree_free(root);
	if (r < 0)
		return r == -ENOMEM ? ctr_error_sys(err, ENOMEM, "read %s", where) : r;
	*ret = m;
	memset(&m, 0, sizeof(m));
	return 0;
}
