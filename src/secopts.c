/* The security settings ctr create/set edit from the command line, and the
 * user-namespace bookkeeping of create: allocating a container's id range
 * and deciding how its rootfs becomes its own. */
#include "config.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"
#include "internal.h"
#include "security/security.h"
#include "util.h"

const struct ctr_option ctr_security_options[] = {
	{ "cap-add", "CAP", "add a capability (e.g. SYS_TIME; 'all' for every one)" },
	{ "cap-drop", "CAP", "drop a capability ('all' for every one)" },
	{ "seccomp", "PROFILE", "'default', 'unconfined' or an OCI seccomp JSON file" },
	{ "rlimit", "NAME=SOFT[:HARD]", "resource limit of the container's processes (nofile=1024:4096)" },
	{ "no-new-privileges", "yes|no", "no_new_privs for init too (setuid programs stop working)" },
};
const size_t ctr_n_security_options = ARRAY_SIZE(ctr_security_options);

static int set_seccomp(struct ctr_spec *spec, const char *v, struct ctr_error **err)
{
	struct ctr_seccomp_profile *p = NULL;
	int r;

	if (!strcmp(v, "default") || !strcmp(v, "unconfined")) {
		ctr_seccomp_free(spec->seccomp);
		spec->seccomp = NULL;
		spec->seccomp_mode = v[0] == 'd' ? CTR_SECCOMP_DEFAULT : CTR_SECCOMP_UNCONFINED;
		return 0;
	}
	/* A file: read now and stored in the config, so that the container
	 * does not depend on the file staying where it was. */
	r = ctr_seccomp_parse_file(v, &p, err);
	if (r < 0)
		return ctr_error_wrap(err, "--seccomp");
	ctr_seccomp_free(spec->seccomp);
	spec->seccomp = p;
	spec->seccomp_mode = CTR_SECCOMP_CUSTOM;
	return 0;
}

int ctr_security_set(struct ctr_spec *spec, char *const *pairs, struct ctr_error **err)
{
	for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2) {
		const char *k = pairs[i], *v = pairs[i + 1];
		int r;

		if (!strcmp(k, "cap-add")) {
			r = ctr_caps_add(&spec->caps, v, err);
		} else if (!strcmp(k, "cap-drop")) {
			r = ctr_caps_drop(&spec->caps, v, err);
		} else if (!strcmp(k, "seccomp")) {
			r = set_seccomp(spec, v, err);
		} else if (!strcmp(k, "rlimit")) {
			struct ctr_rlimit rl;

			r = ctr_rlimit_parse(v, &rl, err);
			if (r == 0)
				r = ctr_rlimits_set(&spec->rlimits, &spec->n_rlimits, &rl);
		} else if (!strcmp(k, "no-new-privileges")) {
			bool on = !strcmp(v, "yes") || !strcmp(v, "true");

			if (!on && strcmp(v, "no") && strcmp(v, "false"))
				return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
						      "--no-new-privileges '%s': expected yes or no", v);
			spec->no_new_privs = on;
			r = 0;
		} else {
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "unknown security option '%s'", k);
		}
		if (r < 0)
			return r == -ENOMEM ? ctr_error_sys(err, ENOMEM, "%s", k) : r;
	}
	return 0;
}

int ctr_each_other_container(struct ctr_context *ctx, const char *self,
			     int (*fn)(const char *name, const struct ctr_spec *spec, void *data), void *data)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->root);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		_cleanup_(ctr_spec_freep) struct ctr_spec *s = NULL;
		int r;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, self) || ctr_name_validate(de->d_name, NULL) < 0)
			continue;
		/* A config that does not parse cannot start either; what it
		 * would use is unknown, so it cannot be kept free. */
		if (ctr_load_spec(ctx, de->d_name, &s, NULL) < 0)
			continue;
		r = fn(de->d_name, s, data);
		if (r != 0)
			return r;
	}
	return 0;
}

struct maps {
	struct ctr_idmap *v;
	size_t n, cap;
};

static int collect_maps(const char *name, const struct ctr_spec *s, void *data)
{
	struct maps *m = data;

	if (!s->uid_map.size)
		return 0;
	if (m->n + 2 > m->cap) {
		struct ctr_idmap *grown = realloc(m->v, (m->cap = m->cap * 2 + 16) * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		m->v = grown;
	}
	m->v[m->n++] = s->uid_map;
	m->v[m->n++] = s->gid_map;
	return 0;
}

/* The id maps of every other container under the root. */
static int used_maps(struct ctr_context *ctx, const char *self, struct ctr_idmap **ret, size_t *ret_n)
{
	struct maps m = { 0 };
	int r = ctr_each_other_container(ctx, self, collect_maps, &m);

	if (r < 0) {
		free(m.v);
		return r;
	}
	*ret = m.v;
	*ret_n = m.n;
	return 0;
}

int ctr_userns_allocate(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, struct ctr_error **err)
{
	_cleanup_free_ struct ctr_idmap *used = NULL;
	size_t n = 0;
	int r;

	r = used_maps(ctx, name, &used, &n);
	if (r < 0)
		return ctr_error_sys(err, -r, "read the id ranges of the other containers");
	if (spec->uid_map.size) {
		/* Given by the config: it must not share ids with another
		 * container, or their roots would be the same user. */
		for (size_t i = 0; i < n; i++) {
			const struct ctr_idmap *m = &used[i], *mine[] = { &spec->uid_map, &spec->gid_map };

			for (size_t j = 0; j < 2; j++)
				if ((unsigned long long)mine[j]->host_id < (unsigned long long)m->host_id + m->size &&
				    (unsigned long long)m->host_id <
					    (unsigned long long)mine[j]->host_id + mine[j]->size)
					return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EEXIST,
							      "linux.%sMappings: host ids %u-%u are already another "
							      "container's; leave the mappings out and ctr allocates a "
							      "free range",
							      j ? "gid" : "uid", mine[j]->host_id,
							      mine[j]->host_id + mine[j]->size - 1);
		}
		return 0;
	}
	r = ctr_idmap_allocate(&ctx->idmap_pool, used, n, &spec->uid_map, &spec->gid_map);
	if (r == -ENOSPC)
		return ctr_error_user(err, CTR_ERR_SYSTEM, ENOSPC,
				      "no free range of %u ids left in the pool %u:%u; enlarge idmap-pool in ctr.conf",
				      CTR_IDMAP_SIZE, ctx->idmap_pool.uid_start, ctx->idmap_pool.uid_count);
	return r;
}

int ctr_userns_rootfs(struct ctr_spec *spec, const char *rootfs, bool owned, struct ctr_error **err)
{
	int r = ctr_idmap_supported(rootfs, &spec->uid_map, &spec->gid_map);

	if (r < 0)
		return ctr_error_sys(err, -r, "check idmapped mounts on %s", rootfs);
	if (r > 0) {
		spec->rootfs_idmap = CTR_ROOTFS_IDMAP_MOUNT;
		return 0;
	}
	/* The filesystem cannot idmap: shift the ownership once, on disk. Only
	 * a rootfs ctr made itself: a directory given in place belongs to
	 * someone else. */
	if (!owned)
		return ctr_error_user(err, CTR_ERR_USAGE, EOPNOTSUPP,
				      "the filesystem of %s does not support idmapped mounts and ctr does not change "
				      "a rootfs it did not create; copy it (--template DIR) or use --privileged",
				      rootfs);
	r = ctr_idmap_shift_tree(rootfs, &spec->uid_map, &spec->gid_map);
	if (r < 0)
		return ctr_error_sys(err, -r, "shift the ownership of %s to host ids %u-%u", rootfs,
				     spec->uid_map.host_id, spec->uid_map.host_id + spec->uid_map.size - 1);
	spec->rootfs_idmap = CTR_ROOTFS_IDMAP_SHIFT;
	return 0;
}

struct addr_check {
	char **mine;
	const char *owner, *addr;
};

static int find_shared_address(const char *name, const struct ctr_spec *s, void *data)
{
	struct addr_check *c = data;
	_cleanup_strv_ char **theirs = NULL;

	if (ctr_network_addresses(&s->net, &theirs) < 0)
		return -ENOMEM;
	for (size_t i = 0; theirs[i]; i++)
		for (size_t j = 0; c->mine[j]; j++)
			if (!strcmp(theirs[i], c->mine[j])) {
				c->owner = name;
				c->addr = c->mine[j];
				return 1;
			}
	return 0;
}

int ctr_network_settle(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, struct ctr_error **err)
{
	_cleanup_strv_ char **mine = NULL;
	struct addr_check c = { 0 };
	int r;

	if (ctr_network_finish(&spec->net, name) < 0 || ctr_network_addresses(&spec->net, &mine) < 0)
		return ctr_error_sys(err, ENOMEM, "network");
	r = ctr_network_check_host(&spec->net, err);
	if (r < 0)
		return r;
	/* Two interfaces of this one container with the same address. */
	for (size_t i = 0; mine[i]; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(mine[i], mine[j]))
				return ctr_error_user(err, CTR_ERR_USAGE, EEXIST, "--net: address %s is given twice",
						      mine[i]);
	if (!mine[0])
		return 0;
	c.mine = mine;
	r = ctr_each_other_container(ctx, name, find_shared_address, &c);
	if (r < 0)
		return ctr_error_sys(err, -r, "read the addresses of the other containers");
	if (r > 0)
		return ctr_error_user(
			err, CTR_ERR_EXISTS, EADDRINUSE,
			"--net: address %s already belongs to container '%s'; give each container its own", c.addr,
			c.owner);
	return 0;
}
