/* What stands between a container's root and the host, besides namespaces and
 * cgroups: user-namespace id maps, capabilities (libcap), rlimits,
 * no_new_privs and seccomp (libseccomp). The settings live in the container's
 * config (OCI process.capabilities, process.rlimits, process.noNewPrivileges,
 * linux.uidMappings/gidMappings, linux.seccomp); the apply steps run in the
 * child just before exec, in the order the start checklist gives. */
#ifndef CTR_SECURITY_H
#define CTR_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctr_error;
typedef struct yajl_val_s *yajl_val;
typedef struct yajl_gen_t *yajl_gen;

/* ---- user namespace id maps (idmap.c) ----------------------------------- */

/* One line of a uid_map/gid_map: container ids [container_id, +size) are host
 * ids [host_id, +size). */
struct ctr_idmap {
	unsigned container_id, host_id, size;
};

#define CTR_IDMAP_SIZE 65536U

/* Host ids that containers' ranges are cut from. */
struct ctr_idmap_pool {
	unsigned uid_start, uid_count, gid_start, gid_count;
};

/* Root's ranges in /etc/subuid and /etc/subgid, else 1000000 + 10^9 ids. */
void ctr_idmap_pool_default(struct ctr_idmap_pool *ret);
/* "START:COUNT" (ctr.conf idmap-pool): the same range for uids and gids. */
int ctr_idmap_pool_parse(const char *s, struct ctr_idmap_pool *ret);
/* The lowest 65536-id slot of the pool that meets none of the used maps
 * (uid and gid maps of the other containers); -ENOSPC when full. */
int ctr_idmap_allocate(const struct ctr_idmap_pool *pool, const struct ctr_idmap *used, size_t n_used,
		       struct ctr_idmap *ret_uid, struct ctr_idmap *ret_gid);
/* Write /proc/PID/gid_map and uid_map (setgroups stays allowed). */
int ctr_idmap_write(pid_t pid, const struct ctr_idmap *uid, const struct ctr_idmap *gid);
int ctr_idmap_userns_fd(pid_t pid);
/* A user namespace of its own with these maps, held by *ret_fd alone. */
int ctr_idmap_userns_new(const struct ctr_idmap *uid, const struct ctr_idmap *gid, int *ret_fd);
/* A detached, idmapped clone of the tree at path (for the user namespace
 * userns_fd), for the container to attach as its root. */
int ctr_idmap_tree(const char *path, int userns_fd, int *ret_tree);
/* 1 if the filesystem at path takes idmapped mounts, 0 if not. */
int ctr_idmap_supported(const char *path, const struct ctr_idmap *uid, const struct ctr_idmap *gid);
/* The one-time fallback: shift the owner of every file under path (one
 * filesystem, symlinks not followed) into the container's range. */
int ctr_idmap_shift_tree(const char *path, const struct ctr_idmap *uid, const struct ctr_idmap *gid);
/* In the child, once the maps are written: become the namespace's root. */
int ctr_idmap_become_root(void);

/* ---- capabilities (caps.c) ---------------------------------------------- */

/* OCI process.capabilities: five lists of names ("CAP_SYS_ADMIN"). */
struct ctr_caps {
	char **bounding, **effective, **permitted, **inheritable, **ambient;
};

void ctr_caps_done(struct ctr_caps *c);
/* The documented default set: for a container with a user namespace (every
 * capability that is scoped to the container's namespaces) or without one
 * (the short list a privileged container can hold without owning the host). */
int ctr_caps_default(bool userns, struct ctr_caps *ret);
int ctr_caps_parse(yajl_val v, struct ctr_caps *c, struct ctr_error **err);
void ctr_caps_gen(const struct ctr_caps *c, yajl_gen g);
/* --cap-add NAME / --cap-drop NAME ("all" drops every capability). Names are
 * accepted with or without the CAP_ prefix, in any case. */
int ctr_caps_add(struct ctr_caps *c, const char *name, struct ctr_error **err);
int ctr_caps_drop(struct ctr_caps *c, const char *name, struct ctr_error **err);
/* In the child, in this order: the bounding set (needs CAP_SETPCAP), then
 * effective/permitted/inheritable and the ambient set. */
int ctr_caps_drop_bounding(const struct ctr_caps *c, struct ctr_error **err);
int ctr_caps_set(const struct ctr_caps *c, struct ctr_error **err);

/* ---- rlimits (caps.c) ---------------------------------------------------- */

struct ctr_rlimit {
	int resource; /* RLIMIT_* */
	unsigned long long soft, hard;
};
/* "nofile=1024:4096", "nproc=512" (soft = hard), "core=unlimited". */
int ctr_rlimit_parse(const char *s, struct ctr_rlimit *ret, struct ctr_error **err);
const char *ctr_rlimit_name(int resource);  /* "RLIMIT_NOFILE" */
int ctr_rlimit_from_name(const char *name); /* -EINVAL when unknown */
int ctr_rlimits_apply(const struct ctr_rlimit *r, size_t n, struct ctr_error **err);
/* process.rlimits as OCI JSON. */
int ctr_rlimits_parse(yajl_val v, struct ctr_rlimit **ret, size_t *ret_n, struct ctr_error **err);
void ctr_rlimits_gen(const struct ctr_rlimit *r, size_t n, yajl_gen g);
/* Add or replace the limit of add->resource. */
int ctr_rlimits_set(struct ctr_rlimit **r, size_t *n, const struct ctr_rlimit *add);

/* ---- seccomp (seccomp.c) ------------------------------------------------- */

/* A profile in the OCI linux.seccomp format, parsed and checked. */
struct ctr_seccomp_profile;

/* The built-in default profile (src/security/seccomp-default.json). */
int ctr_seccomp_default(struct ctr_seccomp_profile **ret, struct ctr_error **err);
/* Parse an OCI linux.seccomp object; errors name the JSON path below `path`
 * ("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\""). */
int ctr_seccomp_parse(yajl_val v, const char *path, struct ctr_seccomp_profile **ret, struct ctr_error **err);
/* A profile file (--seccomp FILE): the whole file is one linux.seccomp object. */
int ctr_seccomp_parse_file(const char *file, struct ctr_seccomp_profile **ret, struct ctr_error **err);
/* Write the profile back as an OCI linux.seccomp object. */
void ctr_seccomp_gen(const struct ctr_seccomp_profile *p, yajl_gen g);
void ctr_seccomp_free(struct ctr_seccomp_profile *p);
static inline void ctr_seccomp_freep(struct ctr_seccomp_profile **p)
{
	ctr_seccomp_free(*p);
}

/* Compile to a libseccomp filter (x86_64 with the i386 and x32 ABIs) in the
 * parent, load it in the child: the last privileged step before exec. */
struct ctr_seccomp_filter;
int ctr_seccomp_compile(const struct ctr_seccomp_profile *p, struct ctr_seccomp_filter **ret, struct ctr_error **err);
int ctr_seccomp_load(struct ctr_seccomp_filter *f, struct ctr_error **err);
void ctr_seccomp_filter_free(struct ctr_seccomp_filter *f);

#endif
