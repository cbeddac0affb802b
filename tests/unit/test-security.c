/* Security settings: capability lists and their application (libcap, in a
 * child), rlimits, the id-range allocator, the shift of a tree's ownership,
 * and the security fields of the config document. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "security/security.h"
#include "spec.h"
#include "util.h"
#include "tap.h"

static bool has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void test_caps_lists(void)
{
	struct ctr_caps c = { 0 };
	struct ctr_error *err = NULL;

	ok(ctr_caps_default(true, &c) == 0, "default set with a user namespace");
	ok(has(c.bounding, "CAP_SYS_ADMIN"), "userns: SYS_ADMIN kept (it acts on the container's namespaces)");
	ok(!has(c.bounding, "CAP_SYS_MODULE") && !has(c.bounding, "CAP_SYS_TIME") && !has(c.bounding, "CAP_SYS_RAWIO"),
	   "userns: host-only capabilities left out");
	is_int(strv_length(c.inheritable), 0, "inheritable empty");
	is_int(strv_length(c.ambient), 0, "ambient empty");
	ctr_caps_done(&c);

	ok(ctr_caps_default(false, &c) == 0, "default set without a user namespace");
	ok(!has(c.bounding, "CAP_SYS_ADMIN") && !has(c.bounding, "CAP_SYS_PTRACE") &&
		   !has(c.bounding, "CAP_DAC_READ_SEARCH") && !has(c.bounding, "CAP_SYS_RESOURCE"),
	   "privileged: SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH, SYS_RESOURCE left out");
	ok(has(c.bounding, "CAP_NET_RAW") && has(c.bounding, "CAP_NET_BIND_SERVICE") && has(c.bounding, "CAP_CHOWN"),
	   "privileged: NET_RAW, NET_BIND_SERVICE, CHOWN kept");

	ok(ctr_caps_add(&c, "sys_time", &err) == 0, "--cap-add sys_time");
	ok(has(c.bounding, "CAP_SYS_TIME") && has(c.effective, "CAP_SYS_TIME") && has(c.permitted, "CAP_SYS_TIME"),
	   "added to bounding, effective, permitted");
	ok(!has(c.inheritable, "CAP_SYS_TIME") && !has(c.ambient, "CAP_SYS_TIME"), "never to inheritable or ambient");
	ok(ctr_caps_add(&c, "CAP_SYS_TIME", &err) == 0 && strv_length(c.bounding) == strv_length(c.effective),
	   "adding twice keeps one");
	ok(ctr_caps_drop(&c, "Cap_Net_Raw", &err) == 0 && !has(c.bounding, "CAP_NET_RAW") &&
		   !has(c.effective, "CAP_NET_RAW"),
	   "--cap-drop, any case, from every list");
	ok(ctr_caps_add(&c, "bogus", &err) < 0, "unknown capability refused");
	contains(err ? err->msg : NULL, "'bogus': not a capability", "message names it");
	ctr_error_free(&err);
	ok(ctr_caps_add(&c, "12", &err) < 0, "a number is not a name");
	ctr_error_free(&err);
	ok(ctr_caps_drop(&c, "all", &err) == 0 && strv_length(c.bounding) == 0 && strv_length(c.permitted) == 0,
	   "--cap-drop all empties every list");
	ok(ctr_caps_add(&c, "all", &err) == 0 && has(c.bounding, "CAP_SYS_MODULE") && has(c.bounding, "CAP_BPF"),
	   "--cap-add all: every capability libcap knows");
	ctr_caps_done(&c);
}

/* In a child: apply a set and read back what the kernel holds. */
static int child_caps(void)
{
	struct ctr_caps c = { 0 };
	struct ctr_error *err = NULL;
	cap_flag_value_t v;
	cap_t now;
	int bad = 0;

	if (ctr_caps_default(false, &c) < 0 || ctr_caps_drop(&c, "net_raw", &err) < 0) {
		ctr_caps_done(&c);
		return 10;
	}
	if (ctr_caps_drop_bounding(&c, &err) < 0 || ctr_caps_set(&c, &err) < 0) {
		fprintf(stderr, "# %s\n", err ? err->msg : "?");
		ctr_error_free(&err);
		ctr_caps_done(&c);
		return 11;
	}
	/* The bounding set: kept and dropped ones. */
	bad |= cap_get_bound(CAP_CHOWN) != 1;
	bad |= cap_get_bound(CAP_SYS_ADMIN) != 0;
	bad |= cap_get_bound(CAP_NET_RAW) != 0;
	now = cap_get_proc();
	if (!now)
		return 12;
	cap_get_flag(now, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
	bad |= v != CAP_CLEAR;
	cap_get_flag(now, CAP_KILL, CAP_EFFECTIVE, &v);
	bad |= v != CAP_SET;
	cap_get_flag(now, CAP_KILL, CAP_INHERITABLE, &v);
	bad |= v != CAP_CLEAR;
	bad |= cap_get_ambient(CAP_KILL) != 0;
	cap_free(now);
	/* What the kernel now refuses: raising a dropped capability again. */
	bad |= prctl(PR_CAPBSET_READ, CAP_SYS_MODULE) != 0;
	ctr_caps_done(&c);
	return bad ? 13 : 0;
}

static int child_rlimits(void)
{
	struct ctr_rlimit rl;
	struct ctr_error *err = NULL;
	struct rlimit got;
	int r = 0;

	if (ctr_rlimit_parse("nofile=100:200", &rl, &err) < 0 || ctr_rlimits_apply(&rl, 1, &err) < 0)
		r = 20;
	else if (getrlimit(RLIMIT_NOFILE, &got) < 0 || got.rlim_cur != 100 || got.rlim_max != 200)
		r = 21;
	/* Above our own hard limit: refused with a message that says why. */
	rl.soft = rl.hard = 100000;
	if (r == 0 && (ctr_rlimits_apply(&rl, 1, &err) != -EPERM || !err || !strstr(err->msg, "above ctr's own (200)")))
		r = 22;
	ctr_error_free(&err);
	return r;
}

static int run_child(int (*fn)(void))
{
	int status;
	pid_t pid;

	/* The child must not write the TAP lines buffered so far a second time. */
	fflush(stdout);
	pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_caps_apply(void)
{
	if (geteuid() != 0) {
		ok(1, "# SKIP capabilities are applied as root only");
		ok(1, "# SKIP");
		return;
	}
	is_int(run_child(child_caps), 0, "applied set: bounding, effective, inheritable, ambient as configured");
	/* valgrind keeps descriptors of its own and answers setrlimit(NOFILE)
	 * itself: the limits can only be tested on the real kernel. */
	if (strstr(getenv("LD_PRELOAD") ?: "", "/vgpreload"))
		ok(1, "# SKIP rlimits under valgrind");
	else
		is_int(run_child(child_rlimits), 0, "rlimits applied; raising past the hard limit explained");
}

static void test_rlimits(void)
{
	struct ctr_rlimit rl = { 0 }, *list = NULL;
	struct ctr_error *err = NULL;
	size_t n = 0;

	ok(ctr_rlimit_parse("nofile=1024:4096", &rl, &err) == 0 && rl.resource == RLIMIT_NOFILE && rl.soft == 1024 &&
		   rl.hard == 4096,
	   "nofile=1024:4096");
	ok(ctr_rlimit_parse("RLIMIT_NPROC=512", &rl, &err) == 0 && rl.soft == 512 && rl.hard == 512,
	   "one value sets both");
	ok(ctr_rlimit_parse("core=unlimited", &rl, &err) == 0 && rl.hard == RLIM_INFINITY, "unlimited");
	ok(ctr_rlimit_parse("nofile=10:5", &rl, &err) < 0, "soft above hard refused");
	contains(err ? err->msg : NULL, "soft limit is above the hard limit", "says so");
	ctr_error_free(&err);
	ok(ctr_rlimit_parse("files=10", &rl, &err) < 0, "unknown name refused");
	contains(err ? err->msg : NULL, "unknown limit 'files'", "names it");
	ctr_error_free(&err);
	ok(ctr_rlimit_parse("nofile=-1", &rl, &err) < 0, "negative refused");
	ctr_error_free(&err);
	ok(ctr_rlimit_parse("nofile", &rl, &err) < 0, "no value refused");
	ctr_error_free(&err);
	is_str(ctr_rlimit_name(RLIMIT_MSGQUEUE), "RLIMIT_MSGQUEUE", "OCI name");

	ctr_rlimit_parse("nofile=1:2", &rl, NULL);
	ok(ctr_rlimits_set(&list, &n, &rl) == 0 && n == 1, "set adds");
	ctr_rlimit_parse("nofile=3:4", &rl, NULL);
	ok(ctr_rlimits_set(&list, &n, &rl) == 0 && n == 1 && list[0].soft == 3, "set replaces the same limit");
	free(list);
}

static void test_allocate(void)
{
	struct ctr_idmap_pool pool = { 100000, 65536 * 3, 100000, 65536 * 3 };
	struct ctr_idmap used[4], u, g;

	ok(ctr_idmap_allocate(&pool, NULL, 0, &u, &g) == 0 && u.host_id == 100000 && g.host_id == 100000 &&
		   u.size == 65536 && u.container_id == 0,
	   "first container: the start of the pool");
	used[0] = used[1] = u;
	ok(ctr_idmap_allocate(&pool, used, 2, &u, &g) == 0 && u.host_id == 100000 + 65536, "second: the next slot");
	used[2] = used[3] = (struct ctr_idmap){ 0, 100000 + 2 * 65536 + 5, 10 };
	ok(ctr_idmap_allocate(&pool, used, 4, &u, &g) == 0 && u.host_id == 100000 + 65536,
	   "a range given by a config blocks the slot it touches only");
	used[2] = used[3] = u;
	used[0] = used[1] = (struct ctr_idmap){ 0, 100000 + 2 * 65536 + 5, 10 };
	ok(ctr_idmap_allocate(&pool, used, 4, &u, &g) == 0 && u.host_id == 100000, "a freed first slot is reused");
	used[0] = used[1] = (struct ctr_idmap){ 0, 100000, 65536 };
	pool.uid_count = pool.gid_count = 2 * 65536;
	ok(ctr_idmap_allocate(&pool, used, 4, &u, &g) == -ENOSPC, "full pool: ENOSPC");

	ok(ctr_idmap_pool_parse("1000000:1000000000", &pool) == 0 && pool.uid_start == 1000000 &&
		   pool.gid_count == 1000000000,
	   "pool START:COUNT");
	ok(ctr_idmap_pool_parse("0:100000", &pool) < 0, "pool from 0 refused (that is host root)");
	ok(ctr_idmap_pool_parse("100000:100", &pool) < 0, "pool smaller than one range refused");
	ok(ctr_idmap_pool_parse("4294967000:100000", &pool) < 0, "pool beyond 2^32 refused");
	ok(ctr_idmap_pool_parse("5:6:7", &pool) < 0, "garbage refused");
}

static void test_shift(void)
{
	char dir[] = "/tmp/ctr-shift.XXXXXX", path[256];
	struct ctr_idmap m = { 0, 200000, 65536 };
	struct stat st;
	int fd;

	if (geteuid() != 0 || !mkdtemp(dir)) {
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP chown needs root");
		return;
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sub/suid", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0755);
	close(fd);
	chown(path, 0, 5);
	chmod(path, 04755);
	snprintf(path, sizeof(path), "%s/sub/link", dir);
	symlink("/etc/passwd", path);
	snprintf(path, sizeof(path), "%s/sub/big", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	chown(path, 70000, 70000);

	ok(ctr_idmap_shift_tree(dir, &m, &m) == 0, "shift a tree");
	snprintf(path, sizeof(path), "%s/sub/suid", dir);
	ok(stat(path, &st) == 0 && st.st_uid == 200000 && st.st_gid == 200005, "owner and group moved by the offset");
	ok((st.st_mode & 07777) == 04755, "set-user-ID bit kept across the chown");
	snprintf(path, sizeof(path), "%s/sub/link", dir);
	ok(lstat(path, &st) == 0 && st.st_uid == 200000 && stat("/etc/passwd", &st) == 0 && st.st_uid == 0,
	   "a symlink is shifted itself, its target is not touched");
	snprintf(path, sizeof(path), "%s/sub/big", dir);
	ok(stat(path, &st) == 0 && st.st_uid == 70000, "an id beyond the map stays");
	rm_rf_at(AT_FDCWD, dir);
}

static char *spec_json(const struct ctr_spec *s)
{
	char *out = NULL;

	return ctr_spec_to_json(s, &out, NULL) < 0 ? NULL : out;
}

static void test_spec(void)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *s = NULL, *back = NULL, *priv = NULL;
	_cleanup_free_ char *json = NULL, *json2 = NULL;
	struct ctr_error *err = NULL;
	const char *doc;

	ok(ctr_spec_new_default("c1", &s) == 0, "default spec");
	ok(ctr_spec_userns(s) && s->rootfs_idmap == CTR_ROOTFS_IDMAP_MOUNT, "user namespace by default");
	ok(s->seccomp_mode == CTR_SECCOMP_DEFAULT && !s->no_new_privs, "default seccomp, no no_new_privs for init");
	ok(has(s->masked_paths, "/proc/kcore") && has(s->readonly_paths, "/proc/sys"), "default masked/readonly");
	s->uid_map = s->gid_map = (struct ctr_idmap){ 0, 1000000, 65536 };
	s->rlimits = calloc(1, sizeof(*s->rlimits));
	s->rlimits[0] = (struct ctr_rlimit){ RLIMIT_NOFILE, 1024, RLIM_INFINITY };
	s->n_rlimits = 1;
	json = spec_json(s);
	contains(json, "\"uidMappings\"", "uidMappings written");
	contains(json, "\"hard\": 18446744073709551615", "unlimited as 2^64-1");
	contains(json, "\"rootfsIdmap\": \"mount\"", "rootfsIdmap written");
	ok(json && ctr_spec_parse(json, strlen(json), &back, &err) == 0, "round trip parses");
	json2 = back ? spec_json(back) : NULL;
	is_str(json2, json, "round trip is identical");
	ctr_error_free(&err);

	ok(ctr_spec_set_privileged(s, true) == 0 && !ctr_spec_userns(s) && !s->uid_map.size &&
		   !has(s->caps.bounding, "CAP_SYS_ADMIN"),
	   "privileged: no user namespace, no maps, privileged capabilities");

	/* A document without capabilities gets its mode's defaults. */
	doc = "{\"process\":{\"args\":[\"/bin/"
	      "sh\"]},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}";
	ok(ctr_spec_parse(doc, strlen(doc), &priv, &err) == 0 && !ctr_spec_userns(priv) &&
		   has(priv->caps.bounding, "CAP_CHOWN") && !has(priv->caps.bounding, "CAP_SYS_ADMIN"),
	   "no user namespace, no capabilities given: the privileged defaults");
	ctr_error_free(&err);

	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{ "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}}",
		  "process.capabilities.bounding[0]: \"CAP_NOPE\" is not a capability" },
		{ "{\"process\":{\"capabilities\":{\"sideways\":[]}}}",
		  "process.capabilities.sideways: unknown field" },
		{ "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]}}",
		  "process.rlimits[0]: soft is above hard" },
		{ "{\"process\":{\"rlimits\":[{\"type\":\"NOFILE\",\"soft\":1,\"hard\":1}]}}",
		  "process.rlimits[0].type: expected a name" },
		{ "{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}],"
		  "\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}]}}",
		  "hostID 0 makes the container's root the host's root" },
		{ "{\"linux\":{\"uidMappings\":[{\"containerID\":1,\"hostID\":5,\"size\":1}]}}", "containerID 0" },
		{ "{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}",
		  "give both uid and gid mappings" },
		{ "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}],"
		  "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}],"
		  "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}]}}",
		  "id mappings need a user namespace" },
		{ "{\"linux\":{\"maskedPaths\":[\"/proc/../etc\"]}}", "must be an absolute path below /" },
		{ "{\"linux\":{\"readonlyPaths\":[\"proc/sys\"]}}", "must be an absolute path below /" },
		{ "{\"ctr\":{\"seccomp\":\"custom\"}}", "\"custom\" needs a profile in linux.seccomp" },
		{ "{\"ctr\":{\"seccomp\":\"off\"}}", "ctr.seccomp: expected" },
		{ "{\"ctr\":{\"rootfsIdmap\":\"none\"}}", "\"none\" needs a container without a user namespace" },
		{ "{\"process\":{\"noNewPrivileges\":1}}", "process.noNewPrivileges: expected true or false" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ctr_spec *x = NULL;

		ok(ctr_spec_parse(bad[i].doc, strlen(bad[i].doc), &x, &err) < 0, "refused: %s", bad[i].doc);
		contains(err ? err->msg : NULL, bad[i].msg, "message");
		ctr_error_free(&err);
		ctr_spec_free(x);
	}
}

int main(void)
{
	test_caps_lists();
	test_caps_apply();
	test_rlimits();
	test_allocate();
	test_shift();
	test_spec();
	return tap_done();
}
