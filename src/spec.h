/* A container's configuration: an OCI runtime-spec shaped JSON document plus a
 * "ctr" object for what OCI lacks. Read and written with yajl. */
#ifndef CTR_SPEC_H
#define CTR_SPEC_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "netns/netns.h"
#include "resources.h"
#include "security/security.h"

struct ctr_error;
typedef struct yajl_gen_t *yajl_gen;

enum ctr_seccomp_mode {
	CTR_SECCOMP_DEFAULT,	/* ctr's built-in profile */
	CTR_SECCOMP_UNCONFINED, /* no filter */
	CTR_SECCOMP_CUSTOM,	/* the profile in linux.seccomp */
	_CTR_SECCOMP_MODE_MAX,
};
const char *ctr_seccomp_mode_to_string(enum ctr_seccomp_mode m);

/* How a container with a user namespace sees its rootfs as its own. */
enum ctr_rootfs_idmap {
	CTR_ROOTFS_IDMAP_NONE,	/* no user namespace (privileged) */
	CTR_ROOTFS_IDMAP_MOUNT, /* an idmapped mount at every start */
	CTR_ROOTFS_IDMAP_SHIFT, /* ownership shifted on disk at create */
	_CTR_ROOTFS_IDMAP_MAX,
};
const char *ctr_rootfs_idmap_to_string(enum ctr_rootfs_idmap m);

/* Namespaces a container can have; the bit values are the CLONE_NEW* flags. */
struct ctr_spec {
	char **args; /* process.args: init and its arguments */
	char **env;  /* process.env */
	char *cwd;   /* process.cwd */
	bool terminal;
	char *root_path; /* root.path: relative to the container's directory, or absolute */
	bool root_readonly;
	char *hostname;
	unsigned long namespaces; /* CLONE_NEW* bits */
	char *template_name;	  /* ctr.template */
	int stop_signal;	  /* ctr.stopSignal */
	unsigned stop_timeout;	  /* ctr.stopTimeout, seconds */
	struct ctr_resources res; /* linux.resources, linux.devices */
	/* Security (see ctr-security(7)). */
	struct ctr_caps caps;	    /* process.capabilities */
	bool no_new_privs;	    /* process.noNewPrivileges, for init */
	struct ctr_rlimit *rlimits; /* process.rlimits */
	size_t n_rlimits;
	struct ctr_idmap uid_map, gid_map;   /* linux.uidMappings/gidMappings; size 0: none yet */
	char **masked_paths;		     /* linux.maskedPaths */
	char **readonly_paths;		     /* linux.readonlyPaths */
	enum ctr_seccomp_mode seccomp_mode;  /* ctr.seccomp */
	struct ctr_seccomp_profile *seccomp; /* linux.seccomp, when custom */
	enum ctr_rootfs_idmap rootfs_idmap;  /* ctr.rootfsIdmap */
	struct ctr_network net;		     /* ctr.network (ctr-network(7)) */
	char **dns;			     /* ctr.dns: nameservers for /etc/resolv.conf */
	char **search;			     /* ctr.search: its search domains */
};

#define CTR_SPEC_MAX_SIZE	 (1024 * 1024)
#define CTR_DEFAULT_STOP_TIMEOUT 10

/* Defaults for a new container called name. */
int ctr_spec_new_default(const char *name, struct ctr_spec **ret);
void ctr_spec_free(struct ctr_spec *spec);
static inline void ctr_spec_freep(struct ctr_spec **spec)
{
	ctr_spec_free(*spec);
}

/* Parse and validate; errors name the JSON path (kind CTR_ERR_INVALID_CONFIG). */
int ctr_spec_parse(const char *json, size_t len, struct ctr_spec **ret, struct ctr_error **err);
int ctr_spec_validate(const struct ctr_spec *spec, struct ctr_error **err);
/* Write the document as one JSON object into an open generator (for embedding). */
int ctr_spec_gen(const struct ctr_spec *spec, yajl_gen g);
/* The whole document as pretty-printed text ending in a newline. */
int ctr_spec_to_json(const struct ctr_spec *spec, char **ret, size_t *ret_len);

int ctr_hostname_validate(const char *h);

/* Whether the container runs in a user namespace of its own (unprivileged). */
static inline bool ctr_spec_userns(const struct ctr_spec *s)
{
	return (s->namespaces & CLONE_NEWUSER) != 0;
}
/* Switch between unprivileged (user namespace, the default) and privileged,
 * with the default capabilities of the new mode. */
int ctr_spec_set_privileged(struct ctr_spec *s, bool privileged);
/* --dns ADDR / --search DOMAIN ("none" empties the list). */
int ctr_spec_add_dns(struct ctr_spec *s, const char *addr, struct ctr_error **err);
int ctr_spec_add_search(struct ctr_spec *s, const char *domain, struct ctr_error **err);

#endif
