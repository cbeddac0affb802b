/* Seccomp profiles: parsing and its errors, the round trip, the default
 * profile, and what a loaded filter does to system calls, in a child. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "security/security.h"
#include "util.h"
#include "tap.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

static bool under_valgrind(void)
{
	return strstr(getenv("LD_PRELOAD") ?: "", "/vgpreload");
}

static int parse(const char *json, struct ctr_seccomp_profile **ret, char **msg, int *kind)
{
	struct ctr_error *err = NULL;
	char ebuf[256];
	yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	int r;

	*msg = NULL;
	*kind = 0;
	if (!v) {
		*msg = strdup(ebuf);
		return -EINVAL;
	}
	r = ctr_seccomp_parse(v, "linux.seccomp", ret, &err);
	yajl_tree_free(v);
	if (err) {
		*msg = strdup(err->msg);
		*kind = err->kind;
	}
	ctr_error_free(&err);
	return r;
}

static struct ctr_seccomp_profile *parse_ok(const char *json, const char *what)
{
	struct ctr_seccomp_profile *p = NULL;
	char *msg;
	int kind, r = parse(json, &p, &msg, &kind);

	ok(r == 0 && p, "%s parses", what);
	if (msg)
		printf("#   %s\n", msg);
	free(msg);
	return p;
}

static void expect_error(const char *json, const char *fragment, const char *what)
{
	struct ctr_seccomp_profile *p = NULL;
	char *msg;
	int kind, r = parse(json, &p, &msg, &kind);

	ok(r < 0 && !p && kind == CTR_ERR_INVALID_CONFIG, "%s is refused as invalid config", what);
	contains(msg, fragment, "%s: message", what);
	free(msg);
	ctr_seccomp_free(p);
}

static char *gen(const struct ctr_seccomp_profile *p)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *s;

	ctr_seccomp_gen(p, g);
	yajl_gen_get_buf(g, &buf, &len);
	s = strndup((const char *)buf, len);
	yajl_gen_free(g);
	return s;
}

#define ONE_RULE(rule) "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[" rule "]}"

static void test_parse_errors(void)
{
	expect_error("[]", "linux.seccomp: expected an object", "an array");
	expect_error("{}", "linux.seccomp: needs \"defaultAction\"", "no default action");
	expect_error("{\"defaultAction\":\"SCMP_ACT_FOO\"}",
		     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"", "unknown action");
	expect_error("{\"defaultAction\":1}", "linux.seccomp.defaultAction: expected an action", "numeric action");
	expect_error("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "not supported by ctr", "SCMP_ACT_NOTIFY");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\"}",
		     "linux.seccomp.listenerPath: a seccomp listener is not supported by ctr", "listenerPath");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"x\"}",
		     "linux.seccomp.listenerMetadata: a seccomp listener is not supported by ctr", "listenerMetadata");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"foo\":1}", "linux.seccomp.foo: unknown field",
		     "unknown top-level field");
	expect_error(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_PDP11\"]}",
		"linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"", "unknown arch");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]}",
		     "unknown architecture \"x86_64\"", "arch without SCMP_ARCH_");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":\"SCMP_ARCH_X86\"}",
		     "linux.seccomp.architectures: expected an array", "architectures as a string");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
		     "linux.seccomp.flags[0]: flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\" is not supported by ctr",
		     "unsupported flag");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
		     "linux.seccomp.defaultErrnoRet: only meaningful with SCMP_ACT_ERRNO",
		     "defaultErrnoRet with ALLOW");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
		     "linux.seccomp.syscalls: expected an array", "syscalls as an object");
	expect_error(ONE_RULE("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_LOG\"},[]"),
		     "linux.seccomp.syscalls[1]: expected an object", "a rule that is an array");
	expect_error(ONE_RULE("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"b\"],\"action\":"
			      "\"SCMP_ACT_LOG\"},{\"names\":[\"c\"],\"action\":\"SCMP_ACT_LOG\",\"foo\":true}"),
		     "linux.seccomp.syscalls[2].foo: unknown field", "unknown field in a rule");
	expect_error(ONE_RULE("{\"names\":\"getpid\",\"action\":\"SCMP_ACT_LOG\"}"),
		     "linux.seccomp.syscalls[0].names: expected an array of syscall names", "names as a string");
	expect_error(ONE_RULE("{\"names\":[\"getpid\",7],\"action\":\"SCMP_ACT_LOG\"}"),
		     "linux.seccomp.syscalls[0].names[1]: expected syscall names", "a number among names");
	expect_error(ONE_RULE("{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}"),
		     "linux.seccomp.syscalls[0]: needs \"names\"", "empty names");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"]}"), "linux.seccomp.syscalls[0]: needs \"action\"",
		     "rule without action");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":\"1\"}"),
		     "linux.seccomp.syscalls[0].errnoRet: expected an integer", "errnoRet as a string");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5000}"),
		     "linux.seccomp.syscalls[0].errnoRet: expected an errno 0..4095", "errnoRet beyond the kernel's");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}"),
		     "linux.seccomp.syscalls[0].errnoRet: only meaningful", "errnoRet with KILL");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,"
			      "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
		     "linux.seccomp.syscalls[0].args[0].index: expected an integer 0..5", "index 6");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
			      "\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}"),
		     "linux.seccomp.syscalls[0].args[0].value: expected an integer", "negative value");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
			      "\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}"),
		     "linux.seccomp.syscalls[0].args[0].value: expected an integer", "fractional value");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
			      "\"value\":1,\"op\":\"SCMP_CMP_APPROX\"}]}"),
		     "linux.seccomp.syscalls[0].args[0].op: expected an operator", "unknown op");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
			      "\"value\":1}]}"),
		     "linux.seccomp.syscalls[0].args[0]: needs index, value and op", "comparison without op");
	expect_error(ONE_RULE("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
			      "\"value\":1,\"op\":\"SCMP_CMP_EQ\",\"bar\":0}]}"),
		     "linux.seccomp.syscalls[0].args[0].bar: unknown field", "unknown field in a comparison");
}

static void test_round_trip(void)
{
	static const char doc[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_"
		"TSYNC\"],"
		"\"syscalls\":[{\"names\":[\"read\",\"write\",\"no_such_syscall_yet\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":"
		"18446744073709551615,\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"},{\"index\":1,\"value\":0,"
		"\"valueTwo\":0,\"op\":\"SCMP_CMP_GE\"}]},"
		"{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":65535},"
		"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL\"}]}";
	struct ctr_seccomp_profile *p = parse_ok(doc, "a profile using every field"), *back = NULL;
	struct ctr_seccomp_filter *f = NULL;
	struct ctr_error *err = NULL;
	char *one = NULL, *two = NULL, *msg = NULL;
	int kind, r;

	if (!p)
		return;
	one = gen(p);
	contains(one,
		 "\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_"
		 "ALLOW\"]",
		 "flags are written in a stable order");
	contains(one, "\"value\":18446744073709551615,\"valueTwo\":8", "64-bit values survive");
	contains(one, "\"no_such_syscall_yet\"", "a syscall unknown to libseccomp is kept");
	contains(one, "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_GE\"}", "valueTwo 0 is the same as absent");
	contains(one, "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\"}", "absent errnoRet stays absent");
	contains(one, "\"defaultErrnoRet\":38", "defaultErrnoRet is kept");
	contains(one, "\"action\":\"SCMP_ACT_KILL\"}", "SCMP_ACT_KILL keeps its name");
	is_int(parse(one, &back, &msg, &kind), 0, "the written profile parses");
	free(msg);
	two = back ? gen(back) : NULL;
	is_str(two, one, "parse, write, parse, write: the same bytes");
	/* libseccomp asks seccomp(2) whether the kernel has the flags; valgrind
	 * does not pass that call through. */
	r = ctr_seccomp_compile(p, &f, &err);
	ok(r == 0 || (under_valgrind() && r == -EOPNOTSUPP), "it compiles, skipping the unknown syscall");
	if (err)
		printf("#   %s\n", err->msg);
	ctr_error_free(&err);
	ctr_seccomp_filter_free(f);
	free(one);
	free(two);
	ctr_seccomp_free(p);
	ctr_seccomp_free(back);
}

static void test_default_profile(void)
{
	struct ctr_seccomp_profile *p = NULL, *back = NULL;
	struct ctr_seccomp_filter *f = NULL;
	struct ctr_error *err = NULL;
	char *one = NULL, *two = NULL, *msg = NULL;
	int kind;

	is_int(ctr_seccomp_default(&p, &err), 0, "the default profile parses");
	if (err)
		printf("#   %s\n", err->msg);
	ctr_error_free(&err);
	if (!p)
		return;
	one = gen(p);
	contains(one, "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]",
		 "it names the three x86 ABIs");
	is_int(parse(one, &back, &msg, &kind), 0, "the default profile written back parses");
	free(msg);
	two = back ? gen(back) : NULL;
	is_str(two, one, "default profile round trip");
	is_int(ctr_seccomp_compile(p, &f, &err), 0, "the default profile compiles");
	if (err)
		printf("#   %s\n", err->msg);
	ctr_error_free(&err);
	ctr_seccomp_filter_free(f);
	free(one);
	free(two);
	ctr_seccomp_free(p);
	ctr_seccomp_free(back);
}

static void test_compile_error(void)
{
	/* On i386, socket() goes through socketcall() and libseccomp cannot
	 * combine a conditional and an unconditional rule for it there. */
	struct ctr_seccomp_profile *p = parse_ok(
		ONE_RULE("{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2,\"args\":[{\"index\":0,"
			 "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
			 "\"errnoRet\":3}"),
		"two rules for socket");
	struct ctr_seccomp_filter *f = NULL;
	struct ctr_error *err = NULL;
	int r;

	if (!p)
		return;
	r = ctr_seccomp_compile(p, &f, &err);
	ok(r == 0 || (err && strstr(err->msg, "seccomp rule for \"socket\"")), "a refused rule names its syscall");
	if (err)
		printf("#   %s\n", err->msg);
	ok(r < 0 ? f == NULL : f != NULL, "the filter is returned only on success");
	ctr_error_free(&err);
	ctr_seccomp_filter_free(f);
	ctr_seccomp_free(p);
}

static char *write_temp(const char *content, size_t len)
{
	char *path = strdup("/tmp/ctr-test-seccomp-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write_all(fd, content, len) < 0) {
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void expect_file_error(const char *file, int want_kind, const char *fragment, const char *what)
{
	struct ctr_seccomp_profile *p = NULL;
	struct ctr_error *err = NULL;
	int r = ctr_seccomp_parse_file(file, &p, &err);

	ok(r < 0 && !p && err && err->kind == (enum ctr_err_kind)want_kind, "%s: refused, kind %s", what,
	   ctr_err_kind_to_string(want_kind));
	contains(err ? err->msg : NULL, fragment, "%s: message", what);
	ok(err && !strchr(err->msg, '\n'), "%s: one line", what);
	ctr_error_free(&err);
	ctr_seccomp_free(p);
}

static void test_files(void)
{
	static const char good[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],"
				   "\"action\":\"SCMP_ACT_ERRNO\"}]}\n";
	static const char wrong[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
				    "\"action\":\"SCMP_ACT_LOG\",\"foo\":1}]}";
	static const char cut[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [\n";
	char *ok_file = write_temp(good, strlen(good));
	char *broken = write_temp(cut, strlen(cut));
	char *invalid = write_temp(wrong, strlen(wrong));
	char *big_text = malloc((1 << 20) + 2), *big = NULL, want[128];
	struct ctr_seccomp_profile *p = NULL;
	struct ctr_error *err = NULL;

	if (big_text) {
		memset(big_text, ' ', (1 << 20) + 1);
		big = write_temp(big_text, (1 << 20) + 1);
		free(big_text);
	}
	ok(ok_file && broken && invalid && big, "temporary files");
	if (!ok_file || !broken || !invalid || !big)
		goto out;
	is_int(ctr_seccomp_parse_file(ok_file, &p, &err), 0, "a profile file parses");
	ctr_error_free(&err);
	ctr_seccomp_free(p);
	expect_file_error("/nonexistent/profile.json", CTR_ERR_NOT_FOUND,
			  "seccomp profile '/nonexistent/profile.json' not found", "missing file");
	snprintf(want, sizeof(want), "seccomp profile '%s': parse error", broken);
	expect_file_error(broken, CTR_ERR_INVALID_CONFIG, want, "malformed JSON");
	snprintf(want, sizeof(want), "seccomp profile '%s': syscalls[0].foo: unknown field", invalid);
	expect_file_error(invalid, CTR_ERR_INVALID_CONFIG, want, "invalid profile");
	expect_file_error(big, CTR_ERR_INVALID_CONFIG, "larger than 1 MiB", "a file over 1 MiB");
out:
	for (size_t i = 0; i < 4; i++)
		if ((char *[]){ ok_file, broken, invalid, big }[i])
			unlink((char *[]){ ok_file, broken, invalid, big }[i]);
	free(ok_file);
	free(broken);
	free(invalid);
	free(big);
}

/* ---- behaviour: a filter loaded in a child ---------------------------------- */

#define N_PROBES 24

struct outcome {
	long ret;
	int err;
};

#define PROBE(o, call)                  \
	do {                            \
		errno = 0;              \
		(o).ret = (long)(call); \
		(o).err = errno;        \
	} while (0)

typedef void (*probe_fn)(struct outcome *o);

static bool have_cap_sys_admin(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	unsigned long long caps = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	return caps & (1ULL << 21);
}

/* Compile in the parent and load in a child, as ctr does; the child runs the
 * probes and sends back what they returned. o[0] is the load itself. Returns
 * the child's wait status. */
static int in_child(const struct ctr_seccomp_profile *p, probe_fn fn, struct outcome o[N_PROBES])
{
	struct ctr_seccomp_filter *f = NULL;
	int fds[2], status = -1;
	pid_t pid;

	memset(o, 0, N_PROBES * sizeof(*o));
	if (ctr_seccomp_compile(p, &f, NULL) < 0 || pipe2(fds, O_CLOEXEC) < 0) {
		ctr_seccomp_filter_free(f);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct outcome c[N_PROBES] = { { 0, 0 } };

		close(fds[0]);
		c[0].ret = ctr_seccomp_load(f, NULL);
		/* Without CAP_SYS_ADMIN the kernel wants no_new_privs; this
		 * child is thrown away, so setting it costs nothing. */
		if (c[0].ret == -EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			c[1].ret = ctr_seccomp_load(f, NULL);
		if (c[0].ret == 0 || c[1].ret == 0)
			fn(c);
		_exit(write(fds[1], c, sizeof(c)) == sizeof(c) ? 0 : 3);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], o, N_PROBES * sizeof(*o)) != (ssize_t)(N_PROBES * sizeof(*o)))
		memset(o, 0, N_PROBES * sizeof(*o));
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	ctr_seccomp_filter_free(f);
	return status;
}

#if defined(__x86_64__)
/* A system call through the i386 ABI from 64-bit code: i386 numbers and
 * registers, the kernel's answer in eax (-errno on failure). */
static long int80(long nr, long a, long b, long c, long d)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "r8", "r9", "r10", "r11", "memory");
	return (int)ret;
}

/* Kernels built without IA32 emulation, or booted with ia32_emulation=0,
 * answer int $0x80 with SIGSEGV: try it in a child first. */
static bool have_i386_abi(void)
{
	int status = 0;
	pid_t pid;

	fflush(stdout); /* the child must not write buffered TAP lines again */
	pid = fork();
	if (pid == 0)
		_exit(int80(20, 0, 0, 0, 0) == getpid() ? 0 : 1); /* i386 getpid */
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

#define KEXEC_BAD_FLAGS 0xffff0000UL /* an unknown architecture: EINVAL if it got through */

/* Every reboot() here has a wrong magic number: a kernel that saw it would
 * refuse it (EINVAL) before looking at the command, and only blocked
 * commands are used, so what comes back is the filter's EPERM. */
static void probe_default(struct outcome *o)
{
	PROBE(o[2], syscall(SYS_kexec_load, 0, 0, NULL, KEXEC_BAD_FLAGS));
	PROBE(o[3], syscall(SYS_init_module, NULL, 0, ""));
	PROBE(o[4], syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
	PROBE(o[5], syscall(SYS_bpf, -1, NULL, 0));
	PROBE(o[6], syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	PROBE(o[7], syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL));
	PROBE(o[8], syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_ON, NULL));
	PROBE(o[9], syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_KEXEC, NULL));
	PROBE(o[10], syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_SW_SUSPEND, NULL));
	/* The kernel reads the command as a 32-bit int: bits above must not
	 * slip it past the filter. */
	PROBE(o[11], syscall(SYS_reboot, 0, 0, (1UL << 32) | LINUX_REBOOT_CMD_CAD_OFF, NULL));
	PROBE(o[12], syscall(SYS_getpid));
	PROBE(o[13], syscall(SYS_open_by_handle_at, -1, NULL, 0));
	/* Typing into a terminal (TIOCSTI) or a virtual console (TIOCLINUX):
	 * refused on any descriptor, a pipe here (the kernel would say ENOTTY). */
	{
		int fds[2];
		char c = 'x';

		if (pipe(fds) == 0) {
			PROBE(o[14], ioctl(fds[0], TIOCSTI, &c));
			PROBE(o[15], ioctl(fds[0], TIOCLINUX, &c));
			PROBE(o[16], ioctl(fds[0], FIONREAD, &c) < 0 ? -1 : 0);
			close(fds[0]);
			close(fds[1]);
		}
	}
}

static void test_default_behaviour(void)
{
	struct ctr_seccomp_profile *p = NULL;
	struct outcome o[N_PROBES];
	int status;

	if (ctr_seccomp_default(&p, NULL) < 0) {
		ok(0, "default profile");
		return;
	}
	/* What the kernel itself says, for comparison: the filter's EPERM
	 * must not be mistaken for it. */
	errno = 0;
	syscall(SYS_kexec_load, 0, 0, NULL, KEXEC_BAD_FLAGS);
	printf("# without a filter, kexec_load: %s\n", strerror(errno));
	errno = 0;
	syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL);
	printf("# without a filter, reboot with a wrong magic: %s\n", strerror(errno));

	status = in_child(p, probe_default, o);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child loaded the default profile and reported");
	if (have_cap_sys_admin())
		is_int(o[0].ret, 0, "with CAP_SYS_ADMIN, it loads without no_new_privs");
	else
		ok(o[0].ret == 0 || o[1].ret == 0, "it loads (with no_new_privs: no CAP_SYS_ADMIN)");
	ok(o[2].ret == -1 && o[2].err == EPERM, "kexec_load: EPERM (%s)", strerror(o[2].err));
	ok(o[3].ret == -1 && o[3].err == EPERM, "init_module: EPERM (%s)", strerror(o[3].err));
	ok(o[4].ret == -1 && o[4].err == ENOSYS, "keyctl: ENOSYS, so that programs do without a keyring (%s)",
	   strerror(o[4].err));
	ok(o[5].ret == -1 && o[5].err == EPERM, "bpf: EPERM (%s)", strerror(o[5].err));
	ok(o[6].ret == -1 && o[6].err == EPERM, "perf_event_open: EPERM (%s)", strerror(o[6].err));
	ok(o[7].ret == -1 && o[7].err == EPERM, "reboot CAD_OFF: EPERM (%s)", strerror(o[7].err));
	ok(o[8].ret == -1 && o[8].err == EPERM, "reboot CAD_ON: EPERM (%s)", strerror(o[8].err));
	ok(o[9].ret == -1 && o[9].err == EPERM, "reboot KEXEC: EPERM (%s)", strerror(o[9].err));
	ok(o[10].ret == -1 && o[10].err == EPERM, "reboot SW_SUSPEND: EPERM (%s)", strerror(o[10].err));
	ok(o[11].ret == -1 && o[11].err == EPERM, "reboot CAD_OFF with high bits set: EPERM (%s)", strerror(o[11].err));
	ok(o[12].ret > 1 && o[12].err == 0, "getpid works");
	ok(o[13].ret == -1 && o[13].err == EPERM, "open_by_handle_at: EPERM (%s)", strerror(o[13].err));
	ok(o[14].ret == -1 && o[14].err == EPERM, "ioctl TIOCSTI: EPERM (%s)", strerror(o[14].err));
	ok(o[15].ret == -1 && o[15].err == EPERM, "ioctl TIOCLINUX: EPERM (%s)", strerror(o[15].err));
	ok(o[16].ret == 0, "other ioctls work (FIONREAD: %s)", strerror(o[16].err));
	ctr_seccomp_free(p);
}

#if defined(__x86_64__)
/* The same rules through the other two x86 ABIs of a 64-bit process. */
static void probe_compat(struct outcome *o)
{
	o[2].ret = int80(20, 0, 0, 0, 0);					      /* i386 getpid */
	o[3].ret = int80(283, 0, 0, 0, (long)KEXEC_BAD_FLAGS);			      /* i386 kexec_load */
	o[4].ret = int80(288, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0); /* i386 keyctl */
	o[5].ret = int80(88, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, 0);		      /* i386 reboot */
	o[6].ret = syscall(SYS_getpid);
}

static void probe_x32(struct outcome *o)
{
	PROBE(o[2], syscall(__X32_SYSCALL_BIT + 528, 0, 0, NULL, KEXEC_BAD_FLAGS)); /* x32 kexec_load */
	PROBE(o[3], syscall(__X32_SYSCALL_BIT + 246, 0, 0, NULL, KEXEC_BAD_FLAGS));
}

static void test_compat_abis(void)
{
	struct ctr_seccomp_profile *p = NULL;
	struct outcome o[N_PROBES];
	int status;

	if (ctr_seccomp_default(&p, NULL) < 0) {
		ok(0, "default profile");
		return;
	}
	if (!have_i386_abi()) {
		printf("ok %d # SKIP this kernel has no i386 ABI (IA32 emulation)\n", ++tap_n);
	} else {
		status = in_child(p, probe_compat, o);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "i386 probes: the child reported");
		is_int(o[2].ret, o[6].ret, "i386 getpid works: the i386 ABI is filtered, not killed");
		is_int(o[3].ret, -EPERM, "i386 kexec_load (int $0x80): EPERM");
		is_int(o[4].ret, -ENOSYS, "i386 keyctl: ENOSYS");
		is_int(o[5].ret, -EPERM, "i386 reboot CAD_OFF: EPERM");
	}
	status = in_child(p, probe_x32, o);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "x32 probes: the child reported");
	ok(o[2].ret == -1 && o[2].err == EPERM, "x32 kexec_load (528): EPERM (%s)", strerror(o[2].err));
	/* x32 has its own kexec_load (528); 246 is a 64-bit-only entry that
	 * the kernel refuses to x32 callers (ENOSYS), like all x32 calls
	 * when CONFIG_X86_X32_ABI is off. It must not succeed. */
	ok(o[3].ret == -1 && (o[3].err == EPERM || o[3].err == ENOSYS), "x32 bit + 246 fails (%s)", strerror(o[3].err));
	ctr_seccomp_free(p);
}
#endif

static void probe_custom(struct outcome *o)
{
	char buf[256];

	PROBE(o[2], syscall(SYS_getcwd, buf, sizeof(buf)));
	PROBE(o[3], syscall(SYS_getppid));
	/* pid 0 means the caller: 1 << 32 is 0 to the kernel (pid_t). */
	PROBE(o[4], syscall(SYS_getpgid, 1UL << 32));
	PROBE(o[5], syscall(SYS_getsid, 1UL << 32));
	PROBE(o[6], syscall(SYS_getpgid, 0));
	PROBE(o[7], syscall(SYS_getpid));
}

static void test_custom_behaviour(void)
{
	/* errnoRet 38 (ENOSYS) and the default EPERM; a plain EQ sees all
	 * 64 bits of an int argument (getpgid's), a mask only the 32 the
	 * kernel reads; two comparisons of one argument are alternatives. */
	struct ctr_seccomp_profile *p = parse_ok(
		ONE_RULE(
			"{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
			"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\"},"
			"{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22,\"args\":[{\"index\":0,"
			"\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
			"{\"names\":[\"getsid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22,\"args\":[{\"index\":0,"
			"\"value\":4294967295,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"},{\"index\":0,\"value\":"
			"12345,\"op\":\"SCMP_CMP_EQ\"}]}"),
		"a custom profile");
	struct outcome o[N_PROBES];
	int status;

	if (!p)
		return;
	status = in_child(p, probe_custom, o);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child loaded the custom profile");
	ok(o[2].ret == -1 && o[2].err == ENOSYS, "getcwd: errnoRet 38 is ENOSYS (%s)", strerror(o[2].err));
	ok(o[3].ret == -1 && o[3].err == EPERM, "getppid: no errnoRet is EPERM (%s)", strerror(o[3].err));
	ok(o[4].ret > 0, "getpgid(1 << 32) slips past SCMP_CMP_EQ 0: hence the masks in the default profile");
	ok(o[5].ret == -1 && o[5].err == EINVAL, "getsid(1 << 32) is caught by the masked comparison (%s)",
	   strerror(o[5].err));
	ok(o[6].ret == -1 && o[6].err == EINVAL, "getpgid(0) is caught by SCMP_CMP_EQ (%s)", strerror(o[6].err));
	ctr_seccomp_free(p);
}

static void probe_deny(struct outcome *o)
{
	char buf[256];

	PROBE(o[2], syscall(SYS_getcwd, buf, sizeof(buf)));
	PROBE(o[3], syscall(SYS_getppid));
	PROBE(o[4], syscall(SYS_getpid));
}

static void test_deny_by_default(void)
{
	/* Everything the child needs to report and exit is allowed, and what
	 * valgrind and the sanitizers call on the way. */
	static const char allow[] = "\"names\":[\"write\",\"exit\",\"exit_group\",\"getpid\",\"gettid\",\"tgkill\","
				    "\"rt_sigprocmask\",\"rt_sigaction\",\"rt_sigreturn\",\"mmap\",\"munmap\","
				    "\"mprotect\",\"brk\",\"futex\",\"read\",\"close\",\"madvise\",\"sigaltstack\"],"
				    "\"action\":\"SCMP_ACT_ALLOW\"";
	char doc[1024];
	struct ctr_seccomp_profile *p;
	struct outcome o[N_PROBES];
	int status;

	snprintf(doc, sizeof(doc), "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{%s}]}", allow);
	p = parse_ok(doc, "an allow list with SCMP_ACT_ERRNO as default");
	if (p) {
		status = in_child(p, probe_deny, o);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "deny by default: the child reported");
		ok(o[2].ret == -1 && o[2].err == EPERM, "getcwd: the default errno is EPERM (%s)", strerror(o[2].err));
		ok(o[4].ret > 1, "getpid is on the list");
		ctr_seccomp_free(p);
	}
	snprintf(doc, sizeof(doc), "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":95,\"syscalls\":[{%s}]}",
		 allow);
	p = parse_ok(doc, "defaultErrnoRet 95");
	if (p) {
		status = in_child(p, probe_deny, o);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "defaultErrnoRet: the child reported");
		ok(o[3].ret == -1 && o[3].err == EOPNOTSUPP, "getppid: defaultErrnoRet (%s)", strerror(o[3].err));
		ctr_seccomp_free(p);
	}
}

#if defined(__x86_64__)
static void probe_i386(struct outcome *o)
{
	/* No core file for the test's directory. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	o[2].ret = int80(20, 0, 0, 0, 0);
}

static void test_bad_arch(void)
{
	struct ctr_seccomp_profile *p = parse_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
						 "[\"SCMP_ARCH_X86_64\"]}",
						 "a profile for x86_64 alone");
	struct outcome o[N_PROBES];
	int status;

	if (!p)
		return;
	if (!have_i386_abi()) {
		printf("ok %d # SKIP this kernel has no i386 ABI (IA32 emulation)\n", ++tap_n);
		ctr_seccomp_free(p);
		return;
	}
	status = in_child(p, probe_i386, o);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	   "an i386 system call under an x86_64-only profile kills the process (SIGSYS)");
	ctr_seccomp_free(p);
}
#endif

int main(void)
{
	test_parse_errors();
	test_round_trip();
	test_default_profile();
	test_compile_error();
	test_files();
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
		printf("ok %d # SKIP this kernel has no seccomp\n", ++tap_n);
		return tap_done();
	}
	test_custom_behaviour();
	test_deny_by_default();
	/* Valgrind answers some system calls itself (kexec_load, reboot:
	 * ENOSYS), dies on others (int $0x80, perf_event_open without an
	 * attribute) and so never shows what the kernel's filter decided. */
	if (under_valgrind()) {
		printf("ok %d # SKIP the default profile's effects cannot be seen under valgrind\n", ++tap_n);
		return tap_done();
	}
	test_default_behaviour();
#if defined(__x86_64__)
	test_compat_abis();
	test_bad_arch();
#endif
	return tap_done();
}
