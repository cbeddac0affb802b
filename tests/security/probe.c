/*
 * ctr-probe: the probes of the breakout suite (tests/security/README.md).
 *
 * Run inside a container as its root (breakout.sh starts it with 'ctr exec').
 * An attack probe tries what a known container escape did and must be stopped;
 * a legit probe does what a system container needs and must work; a state
 * probe checks how the process was set up. One line per probe:
 * "PASS name: detail", "FAIL name: detail" or "SKIP name: reason"; the exit
 * status is 0 when nothing failed.
 *
 * Every attack is harmless where the protection is missing, so that the probes
 * can be checked on a bare host, where they must FAIL: values are written back
 * unchanged, calls that would act carry an argument the kernel rejects after
 * its permission checks, devices are only read, mounts happen in a private
 * mount namespace and are undone. That is also why errnos are judged per
 * probe: EPERM, EACCES, EROFS, ENOSYS (and ESRCH or ENOENT where the target
 * must be invisible) mean a check stopped the call, "blocked"; EINVAL, EBADF,
 * EFAULT, ... mean it passed every check and reached the argument validation,
 * "reached the kernel", which is a FAIL.
 *
 * Each probe runs in a child process of its own, in its own process group and
 * with a time limit; afterwards the group is killed and every descendant
 * reaped (this process is a child subreaper). A probe that chroots, changes
 * uid or is killed by seccomp cannot affect the next one.
 */
#ifndef _GNU_SOURCE /* config.h defines it in the build; not in a by-hand gcc */
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/quota.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define X32_SYSCALL_BIT	  0x40000000L
#define I386_KEXEC_LOAD	  283
#define KEXEC_SEGMENT_MAX 16
#define MIB		  (1024 * 1024)

/* Capability numbers (linux/capability.h), for reading CapEff/CapBnd. */
enum {
	CAP_DAC_READ_SEARCH_ = 2,
	CAP_NET_RAW_ = 13,
	CAP_SYS_MODULE_ = 16,
	CAP_SYS_RAWIO_ = 17,
	CAP_SYS_PTRACE_ = 19,
	CAP_SYS_ADMIN_ = 21,
	CAP_SYS_RESOURCE_ = 24,
	CAP_SYS_TIME_ = 25,
	CAP_MAC_OVERRIDE_ = 32,
	CAP_MAC_ADMIN_ = 33,
	CAP_SYSLOG_ = 34,
	CAP_PERFMON_ = 38,
	CAP_BPF_ = 39,
};

/* The runner's facts about the host (see usage()). */
static struct {
	bool privileged;
	pid_t host_pid, other_pid;
	const char *host_marker, *other_root, *host_path, *hostname_probe;
	bool have_host_dev;
	unsigned host_major, host_minor;
	int pids_max, shm_max_mib, exe_race_seconds;
} cfg = { .shm_max_mib = 64 };

/* Descriptors open when the program started (stdio aside), for leaked-fds. */
static char start_fds[512];
static int n_start_fds;

/* ---- results ------------------------------------------------------------- */

enum verdict { PASS, FAIL, SKIP };
static const char *const verdict_names[] = { "PASS", "FAIL", "SKIP" };
static char detail[1024];

__attribute__((format(printf, 2, 3))) static enum verdict say(enum verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return v;
}
#define pass(...) say(PASS, __VA_ARGS__)
#define fail(...) say(FAIL, __VA_ARGS__)
#define skip(...) say(SKIP, __VA_ARGS__)

/* "EPERM" for EPERM: details name the errno the kernel gave. */
static const char *en(int e)
{
	static char buf[4][24];
	static int i;
	const char *s = e ? strerrorname_np(e) : "success";

	if (s)
		return s;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", e);
	return buf[i];
}

/* A permission check, a missing capability, a read-only mount or seccomp. */
static bool blocked(int e)
{
	return e == EPERM || e == EACCES || e == EROFS || e == ENOSYS;
}

/* A call that must be stopped: r is its result, e its errno; also is one more
 * errno that counts as stopped (ESRCH for an invisible pid), or 0. */
static enum verdict judge(long r, int e, int also, const char *what, const char *note)
{
	if (r >= 0)
		return fail("%s succeeded%s", what, note);
	if (blocked(e) || (also && e == also))
		return pass("%s: %s%s", what, en(e), note);
	return fail("%s reached the kernel: %s%s", what, en(e), note);
}

/* ENOSYS may be the kernel's own answer when it lacks the feature; say so
 * when the feature's file is missing (this host: no modules, no kexec). */
static const char *enosys_note(int e, const char *witness, const char *feature)
{
	static char buf[200];

	if (e != ENOSYS || access(witness, F_OK) == 0)
		return "";
	snprintf(buf, sizeof(buf), " (this kernel has no %s: %s is absent, ENOSYS may be its own answer)", feature,
		 witness);
	return buf;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- helpers ------------------------------------------------------------- */

/* Up to len-1 bytes of path, NUL-terminated: the count, or -errno. */
static ssize_t read_path(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			if (got)
				break;
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

/* Reads path and writes the same bytes back, so that a write that lands
 * changes nothing. 0 when the kernel accepted the write, else -errno; *stage
 * names the step that stopped. */
static int rewrite_same(const char *path, const char **stage)
{
	char buf[4096];
	ssize_t n = read_path(path, buf, sizeof(buf)), w;
	int fd, e;

	*stage = "read";
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENODATA;
	*stage = "open for writing";
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	*stage = "write";
	w = write(fd, buf, (size_t)n);
	e = errno;
	close(fd);
	return w < 0 ? -e : 0;
}

/* The value of "Key:" in a /proc/PID/status-like file. */
static bool status_field(const char *path, const char *key, char *out, size_t len)
{
	char buf[8192];
	size_t klen = strlen(key);

	if (read_path(path, buf, sizeof(buf)) <= 0)
		return false;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			char *v = line + klen + 1, *end;

			v += strspn(v, " \t");
			end = strchrnul(v, '\n');
			snprintf(out, len, "%.*s", (int)(end - v), v);
			return true;
		}
	}
	return false;
}

static uint64_t status_caps(const char *key)
{
	char v[64];

	return status_field("/proc/self/status", key, v, sizeof(v)) ? strtoull(v, NULL, 16) : 0;
}

static bool have_cap(int cap)
{
	return (status_caps("CapEff") >> cap) & 1;
}

/* Whether uid_map is the identity over all ids: the initial user namespace
 * (or a namespace that maps all of it), where capabilities act on the host. */
static bool identity_uid_map(void)
{
	char buf[256];
	unsigned long a, b, c;

	return read_path("/proc/self/uid_map", buf, sizeof(buf)) > 0 && sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 &&
	       a == 0 && b == 0 && c == 4294967295UL;
}

/* Mount attacks run in a private mount namespace of the probe's own process
 * when it may have one: whatever lands goes away with the process. It is the
 * same user namespace, so the kernel's checks are those the container's own
 * namespace gets (mounts are locked only across user namespaces). Without it
 * the attack runs as is and the probe undoes what landed. */
static const char *private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return errno == EPERM ? " (no private mount namespace: unshare EPERM)" : " (unshare failed)";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return " (mounts could not be made private)";
	return "";
}

/* A fresh directory for the probe to use and remove. */
static int make_tmpdir(char *path, size_t len)
{
	static const char *const bases[] = { "/tmp", "/run", "/var/tmp", "/dev/shm", "" };
	int e = ENOENT;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		snprintf(path, len, "%s/.ctr-probe.XXXXXX", bases[i]);
		if (mkdtemp(path))
			return 0;
		e = errno;
	}
	return -e;
}

/* mknod type maj:min in the first directory that takes it, preferring
 * filesystems without nodev: a nodev mount would refuse the open and hide
 * whether the device cgroup does. */
static int make_node(mode_t type, unsigned maj, unsigned min, char *path, size_t len)
{
	static const char *const dirs[] = { "/dev", "/tmp", "/run", "/var/tmp", "" };
	int last = -ENOENT;

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			struct statvfs sv;

			if (statvfs(dirs[i][0] ? dirs[i] : "/", &sv) < 0 || !!(sv.f_flag & ST_NODEV) != (round == 1))
				continue;
			snprintf(path, len, "%s/.ctr-probe-node.%d", dirs[i], (int)getpid());
			unlink(path);
			if (mknod(path, type | 0600, makedev(maj, min)) == 0)
				return 0;
			last = -errno;
			if (blocked(-last))
				return last; /* no CAP_MKNOD: the same everywhere */
		}
	}
	return last;
}

/* ---- attacks: mounts ----------------------------------------------------- */

/* A global (not namespaced) sysctl that is safe to write with its own value. */
static const char *global_sysctl(void)
{
	static const char *const names[] = { "kernel/printk_ratelimit", "kernel/panic",
					     "vm/dirty_writeback_centisecs" };
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "/proc/sys/%s", names[i]);
		if (access(p, F_OK) == 0)
			return names[i];
	}
	return NULL;
}

/* A global sysfs value that is safe to write with its own value. */
static const char *global_sysfs(void)
{
	static const char *const paths[] = { "/sys/kernel/mm/ksm/sleep_millisecs",
					     "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
					     "/sys/kernel/mm/ksm/pages_to_scan" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], F_OK) == 0)
			return paths[i];
	return NULL;
}

static enum verdict probe_mount_host_dev(void)
{
	static const char *const types[] = { "ext4", "xfs", "btrfs", "ext3", "ext2" };
	char node[PATH_MAX], dir[PATH_MAX];
	const char *ns, *type = NULL;
	int r, e = 0;

	if (!cfg.have_host_dev)
		return skip("no --host-dev given");
	ns = private_mounts();
	r = make_node(S_IFBLK, cfg.host_major, cfg.host_minor, node, sizeof(node));
	if (r < 0)
		return judge(-1, -r, 0, "mknod of the host's block device", ns);
	if (make_tmpdir(dir, sizeof(dir)) < 0) {
		unlink(node);
		return skip("no directory to mount on");
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (mount(node, dir, types[i], MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SILENT, NULL) == 0) {
			type = types[i];
			umount2(dir, MNT_DETACH);
			break;
		}
		e = errno;
		if (e != EINVAL && e != ENODEV)
			break; /* wrong type: EINVAL; anything else is the answer */
	}
	unlink(node);
	rmdir(dir);
	if (type)
		return fail("mounted the host's block device %u:%u (%s) read-only%s", cfg.host_major, cfg.host_minor,
			    type, ns);
	return judge(-1, e, 0, "mount of the host's block device (read-only)", ns);
}

static enum verdict probe_proc_mount_sysctl(void)
{
	const char *ns = private_mounts(), *name = global_sysctl(), *stage;
	char dir[PATH_MAX], path[PATH_MAX + 64];
	int r;

	if (!name)
		return skip("no global sysctl to write");
	if (make_tmpdir(dir, sizeof(dir)) < 0)
		return skip("no directory to mount on");
	if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		int e = errno;

		rmdir(dir);
		return judge(-1, e, 0, "mount of a fresh proc", ns);
	}
	snprintf(path, sizeof(path), "%s/sys/%s", dir, name);
	r = rewrite_same(path, &stage);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	if (r == 0)
		return fail("a fresh proc mount wrote the global sysctl %s (same value)%s", name, ns);
	if (blocked(-r))
		return pass("fresh proc mounted, but %s %s: %s%s", stage, name, en(-r), ns);
	return fail("fresh proc mounted, %s %s reached the kernel: %s%s", stage, name, en(-r), ns);
}

/* Is path a mount of its own (a mask) rather than part of /proc? */
static bool is_mounted_over(const char *path, const char *parent)
{
	struct stat a, b;

	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static enum verdict probe_umount_proc_masks(void)
{
	static const char *const paths[] = { "/proc/kcore", "/proc/timer_list", "/proc/keys", "/proc/sched_debug" };
	const char *ns = private_mounts();
	char out[600] = "", buf[256];
	bool leaked = false;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat st;
		bool masked;
		int u;
		ssize_t n;

		if (lstat(paths[i], &st) < 0) {
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s absent", len ? "; " : "", paths[i]);
			continue;
		}
		masked = is_mounted_over(paths[i], "/proc");
		u = umount2(paths[i], MNT_DETACH) == 0 ? 0 : errno;
		n = read_path(paths[i], buf, sizeof(buf));
		if (n > 0)
			leaked = true;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s%s umount %s, then read %s", len ? "; " : "",
					paths[i], masked ? " (masked)" : " (not masked)", en(u),
					n > 0	 ? "DATA"
					: n == 0 ? "empty"
						 : en((int)-n));
		if (len >= sizeof(out))
			len = sizeof(out) - 1;
	}
	return leaked ? fail("%s%s", out, ns) : pass("%s%s", out, ns);
}

static unsigned long statvfs_to_ms(unsigned long f)
{
	unsigned long ms = 0;

	if (f & ST_NOSUID)
		ms |= MS_NOSUID;
	if (f & ST_NODEV)
		ms |= MS_NODEV;
	if (f & ST_NOEXEC)
		ms |= MS_NOEXEC;
	if (f & ST_NOATIME)
		ms |= MS_NOATIME;
	if (f & ST_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (f & ST_RELATIME)
		ms |= MS_RELATIME;
	return ms;
}

/* Remount mnt read-write (keeping its other flags: they may be locked), then
 * write target's own value back. */
static enum verdict remount_then_write(const char *mnt, const char *target)
{
	const char *ns = private_mounts(), *stage;
	struct statvfs sv;
	unsigned long keep = 0;
	bool was_ro = false;
	int m, r;

	if (!target)
		return skip("no global value under %s to write", mnt);
	if (statvfs(mnt, &sv) == 0) {
		keep = statvfs_to_ms(sv.f_flag);
		was_ro = sv.f_flag & ST_RDONLY;
	}
	m = mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND | keep, NULL) == 0 ? 0 : errno;
	r = rewrite_same(target, &stage);
	if (m == 0 && was_ro && *ns) /* not private: put it back */
		mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL);
	if (r == 0)
		return fail("remount %s rw: %s; wrote %s (same value)%s", mnt, en(m), target, ns);
	if (blocked(-r) || r == -ENOENT)
		return pass("remount %s rw: %s; %s %s: %s%s", mnt, en(m), stage, target, en(-r), ns);
	return fail("remount %s rw: %s; %s %s reached the kernel: %s%s", mnt, en(m), stage, target, en(-r), ns);
}

static enum verdict probe_remount_proc_sys(void)
{
	const char *name = global_sysctl();
	char target[128];

	if (!name)
		return skip("no global sysctl to write");
	snprintf(target, sizeof(target), "/proc/sys/%s", name);
	return remount_then_write("/proc/sys", target);
}

static enum verdict probe_remount_sys(void)
{
	return remount_then_write("/sys", global_sysfs());
}

/* ---- attacks: kernel modules, kexec -------------------------------------- */

static enum verdict probe_init_module(void)
{
	static char image[64]; /* zeros: no ELF header, refused after the checks */
	long r = syscall(SYS_init_module, image, sizeof(image), "");
	int e = errno;

	return judge(r, e, 0, "init_module(64 zero bytes)", enosys_note(e, "/proc/modules", "module support"));
}

static enum verdict probe_finit_module(void)
{
	long r = syscall(SYS_finit_module, -1, "", 1 << 20); /* invalid flags */
	int e = errno;

	return judge(r, e, 0, "finit_module(invalid flags)", enosys_note(e, "/proc/modules", "module support"));
}

static enum verdict probe_delete_module(void)
{
	long r = syscall(SYS_delete_module, "ctr_probe_no_such_module", O_NONBLOCK);
	int e = errno;

	return judge(r, e, 0, "delete_module(no such module)", enosys_note(e, "/proc/modules", "module support"));
}

/* A file that must not be writable: its own value is written back. */
static enum verdict rewrite_probe(const char *path, const char *absent_note)
{
	const char *stage;
	int r = rewrite_same(path, &stage);

	if (r == 0)
		return fail("wrote %s (its own value back)", path);
	if (r == -ENOENT && !strcmp(stage, "read"))
		return pass("%s is absent%s", path, absent_note);
	if (blocked(-r))
		return pass("%s %s: %s", stage, path, en(-r));
	return fail("%s %s reached the kernel: %s", stage, path, en(-r));
}

static enum verdict probe_modprobe_path(void)
{
	return rewrite_probe("/proc/sys/kernel/modprobe", access("/proc/modules", F_OK) ? " (no module support)" : "");
}

/* Invalid flags and too many segments: stopped at the argument checks that
 * follow the permission check, never loading (or unloading) anything. */
static enum verdict probe_kexec_load(void)
{
	long r = syscall(SYS_kexec_load, 0UL, (unsigned long)KEXEC_SEGMENT_MAX + 1, NULL, 0x100UL);
	int e = errno;

	return judge(r, e, 0, "kexec_load(invalid flags)", enosys_note(e, "/sys/kernel/kexec_loaded", "kexec"));
}

static enum verdict probe_kexec_file_load(void)
{
	long r = syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, 0x40000000UL);
	int e = errno;

	return judge(r, e, 0, "kexec_file_load(invalid flags)", enosys_note(e, "/sys/kernel/kexec_loaded", "kexec"));
}

static sigjmp_buf int80_jmp;

static void int80_fault(int sig)
{
	siglongjmp(int80_jmp, sig);
}

/* The i386 entry point: a seccomp filter that only knows x86_64 misses it. */
static enum verdict probe_kexec_i386(void)
{
	long ret = 0;
	int sig;

	signal(SIGSEGV, int80_fault);
	signal(SIGILL, int80_fault);
	sig = sigsetjmp(int80_jmp, 1);
	if (sig)
		return pass("int $0x80 is not available (signal %d): no i386 entry point", sig);
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"((long)I386_KEXEC_LOAD), "b"(0L), "c"((long)KEXEC_SEGMENT_MAX + 1), "d"(0L), "S"(0x100L)
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret >= 0)
		return fail("kexec_load through int $0x80 succeeded");
	return judge(-1, (int)-ret, 0, "kexec_load through int $0x80 (i386 ABI)",
		     enosys_note((int)-ret, "/sys/kernel/kexec_loaded", "kexec"));
}

static enum verdict probe_kexec_x32(void)
{
	long r1 = syscall(X32_SYSCALL_BIT + 246, 0UL, (unsigned long)KEXEC_SEGMENT_MAX + 1, NULL, 0x100UL);
	int e1 = errno;
	long r2 = syscall(X32_SYSCALL_BIT + 528, 0UL, (unsigned long)KEXEC_SEGMENT_MAX + 1, NULL, 0x100UL);
	int e2 = errno;

	if (r1 >= 0 || r2 >= 0)
		return fail("kexec_load through the x32 ABI succeeded");
	if (blocked(e1) && blocked(e2))
		return pass("x32 kexec_load (nr 246 / 528 | 0x40000000): %s / %s%s", en(e1), en(e2),
			    e1 == ENOSYS && e2 == ENOSYS ? "; note: ENOSYS is also what a kernel without x32 answers"
							 : "");
	return fail("x32 kexec_load reached the kernel: %s / %s", en(e1), en(e2));
}

/* ---- attacks: syscalls that reach shared kernel state -------------------- */

/* "Shocker": a file handle for inode 2, the root of the filesystem the
 * container's rootfs lives on, opened relative to a mount in the container. */
static enum verdict probe_open_by_handle(void)
{
	static const char *const mounts[] = { "/", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf" };
	union {
		struct file_handle fh;
		char raw[sizeof(struct file_handle) + 8];
	} h;
	uint32_t ino_gen[2] = { 2, 0 };
	char out[512] = "";
	size_t len = 0;
	bool bad = false, tried = false;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = 8;
	h.fh.handle_type = 1; /* FILEID_INO32_GEN */
	memcpy(h.fh.f_handle, ino_gen, sizeof(ino_gen));
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]) && len < sizeof(out) - 1; i++) {
		int mfd = open(mounts[i], O_RDONLY | O_CLOEXEC), fd, e;

		if (mfd < 0)
			continue;
		tried = true;
		fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
		e = errno;
		close(mfd);
		if (fd >= 0) {
			close(fd);
			bad = true;
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s: OPENED inode 2", len ? "; " : "",
						mounts[i]);
			continue;
		}
		if (!blocked(e) && e != ESTALE)
			bad = true;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s: %s", len ? "; " : "", mounts[i], en(e));
	}
	if (len >= sizeof(out))
		len = sizeof(out) - 1;
	if (!tried)
		return skip("no mount to open a handle against");
	if (bad)
		return fail("open_by_handle_at(inode 2): %s", out);
	return pass("open_by_handle_at(inode 2): %s%s", out,
		    strstr(out, "ESTALE") ? " (ESTALE: the handle was refused, outside the mount's subtree)" : "");
}

static enum verdict probe_keyctl(void)
{
	long r = syscall(SYS_keyctl, 0x7fff, 0UL, 0UL, 0UL, 0UL); /* no such operation */

	return judge(r, errno, 0, "keyctl(invalid operation)", "");
}

static enum verdict probe_add_key(void)
{
	long r = syscall(SYS_add_key, "user", "ctr-probe", "x", 1UL, 0L); /* keyring 0: invalid */

	return judge(r, errno, 0, "add_key(keyring 0)", "");
}

static enum verdict probe_request_key(void)
{
	long r = syscall(SYS_request_key, "user", "ctr-probe:no-such-key", NULL, 0L); /* no upcall */

	return judge(r, errno, 0, "request_key(no such key, no callout)", "");
}

static enum verdict probe_bpf(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	long fd;
	int e;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uintptr_t) "GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	e = errno;
	if (fd >= 0)
		close((int)fd);
	return judge(fd, e, 0, "bpf(BPF_PROG_LOAD, 2-instruction socket filter)", "");
}

static enum verdict probe_perf_event_open(void)
{
	struct perf_event_attr pa;
	long fd;
	int e;

	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_SOFTWARE;
	pa.size = sizeof(pa);
	pa.config = PERF_COUNT_SW_CPU_CLOCK;
	pa.disabled = 1;
	pa.exclude_kernel = 1; /* the least privileged request: it alone shows whether the call is reachable */
	pa.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	e = errno;
	if (fd >= 0)
		close((int)fd);
	return judge(fd, e, 0, "perf_event_open(own cpu-clock, user only)", "");
}

static enum verdict probe_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	int e = errno;

	if (fd >= 0) {
		close((int)fd);
		return fail("userfaultfd() succeeded");
	}
	if (e == EPERM) {
		/* vm.unprivileged_userfaultfd=0 stops the plain call; user-mode-only
		 * faults are open to everyone unless a filter stops the syscall. */
		fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
		if (fd >= 0) {
			close((int)fd);
			return fail("userfaultfd(): EPERM, but userfaultfd(UFFD_USER_MODE_ONLY) succeeded");
		}
		return judge(-1, errno, 0, "userfaultfd(): EPERM; userfaultfd(UFFD_USER_MODE_ONLY)", "");
	}
	return judge(-1, e, 0, "userfaultfd()", "");
}

/* ---- attacks: /proc and /sys --------------------------------------------- */

static enum verdict probe_sysrq_trigger(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC | O_NOCTTY), e;
	struct stat st;
	struct statfs sf;
	bool devnull, real;
	ssize_t w;

	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			return pass("/proc/sysrq-trigger is absent");
		return judge(-1, e, 0, "open /proc/sysrq-trigger for writing", "");
	}
	devnull = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
	real = fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC && S_ISREG(st.st_mode);
	w = write(fd, "h", 1); /* 'h': print the help text to the kernel log */
	e = errno;
	close(fd);
	if (devnull)
		return pass("masked by /dev/null: the write %s%s",
			    w == 1 ? "vanished" : "failed: ", w == 1 ? "" : en(e));
	if (w == 1)
		return fail("%s accepted 'h'",
			    real ? "the real /proc/sysrq-trigger" : "/proc/sysrq-trigger (not /dev/null)");
	return judge(-1, e, 0, "write /proc/sysrq-trigger", "");
}

static enum verdict probe_core_pattern(void)
{
	return rewrite_probe("/proc/sys/kernel/core_pattern", "");
}

static enum verdict probe_uevent_helper(void)
{
	return rewrite_probe("/sys/kernel/uevent_helper", " (kernel without CONFIG_UEVENT_HELPER, or masked)");
}

static enum verdict probe_sys_write(void)
{
	const char *p = global_sysfs();

	if (!p)
		return skip("no global sysfs value found to write");
	return rewrite_probe(p, "");
}

/* A directory that must be empty (masked) or absent. */
static enum verdict empty_dir_probe(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char names[200] = "";
	size_t len = 0;
	int n = 0;

	if (!d) {
		int e = errno;

		if (e == ENOENT)
			return pass("%s is absent", path);
		return blocked(e) ? pass("opendir %s: %s", path, en(e)) : fail("opendir %s: %s", path, en(e));
	}
	while ((de = readdir(d)) && n < 10000) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (len < sizeof(names) - 1)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? " " : "", de->d_name);
	}
	closedir(d);
	if (n)
		return fail("%s has %d entries: %s", path, n, names);
	return pass("%s is empty", path);
}

static enum verdict probe_sys_firmware(void)
{
	return empty_dir_probe("/sys/firmware");
}

static enum verdict probe_proc_acpi(void)
{
	return empty_dir_probe("/proc/acpi");
}

static enum verdict probe_proc_scsi(void)
{
	return empty_dir_probe("/proc/scsi");
}

/* A file that must be empty (masked), absent or unreadable. */
static enum verdict unreadable_probe(const char *path)
{
	char buf[4096];
	ssize_t n = read_path(path, buf, sizeof(buf));

	if (n > 0)
		return fail("%s: %zd bytes readable", path, n);
	if (n == 0)
		return pass("%s reads empty", path);
	if (n == -ENOENT)
		return pass("%s is absent", path);
	if (blocked((int)-n))
		return pass("read %s: %s", path, en((int)-n));
	return fail("read %s reached the kernel: %s", path, en((int)-n));
}

static enum verdict probe_proc_kcore(void)
{
	return unreadable_probe("/proc/kcore");
}

static enum verdict probe_proc_keys(void)
{
	return unreadable_probe("/proc/keys");
}

static enum verdict probe_proc_timer_list(void)
{
	return unreadable_probe("/proc/timer_list");
}

static enum verdict probe_proc_sched_debug(void)
{
	return unreadable_probe("/proc/sched_debug");
}

/* ---- attacks: devices ---------------------------------------------------- */

static enum verdict probe_mknod_host_dev(void)
{
	char node[PATH_MAX], buf[512];
	int r, fd, e;
	ssize_t n;

	if (!cfg.have_host_dev)
		return skip("no --host-dev given");
	r = make_node(S_IFBLK, cfg.host_major, cfg.host_minor, node, sizeof(node));
	if (r < 0)
		return judge(-1, -r, 0, "mknod of the host's block device", "");
	fd = open(node, O_RDONLY | O_CLOEXEC);
	e = errno;
	unlink(node);
	if (fd < 0)
		return judge(-1, e, 0, "mknod worked; open of the host's block device", "");
	n = read(fd, buf, sizeof(buf));
	e = errno;
	close(fd);
	if (n == (ssize_t)sizeof(buf))
		return fail("read 512 bytes of the host's block device %u:%u", cfg.host_major, cfg.host_minor);
	return judge(-1, n < 0 ? e : EIO, 0, "open of the host's block device worked; read", "");
}

static enum verdict probe_dev_kmsg(void)
{
	char buf[4096], node[PATH_MAX];
	ssize_t n1 = read_path("/dev/kmsg", buf, sizeof(buf)), n2;
	int r;

	if (n1 > 0)
		return fail("/dev/kmsg: read %zd bytes of the kernel log", n1);
	r = make_node(S_IFCHR, 1, 11, node, sizeof(node));
	if (r < 0)
		return judge(-1, -r, ENOENT, n1 == -ENOENT ? "/dev/kmsg absent; mknod c 1 11" : "mknod c 1 11", "");
	n2 = read_path(node, buf, sizeof(buf));
	unlink(node);
	if (n2 > 0)
		return fail("/dev/kmsg: %s; a node made with mknod c 1 11 read %zd bytes", en(n1 < 0 ? (int)-n1 : 0),
			    n2);
	if ((n1 == -ENOENT || blocked((int)-n1)) && blocked((int)-n2))
		return pass("/dev/kmsg: %s; mknod c 1 11 worked, open/read: %s", en((int)-n1), en((int)-n2));
	return fail("/dev/kmsg: %s; mknod c 1 11 worked, open/read: %s (want both absent or refused)", en((int)-n1),
		    en((int)-n2));
}

static enum verdict probe_syslog(void)
{
	char buf[4096];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf));

	if (n > 0)
		return fail("syslog(READ_ALL) read %d bytes of the kernel log", n);
	return judge(n, errno, 0, "syslog(READ_ALL)", "");
}

/* Push a keystroke into the terminal ctr exec was started from: with the
 * caller's tty as stdin, a command that could TIOCSTI would type into the
 * administrator's host shell. Each of fds 0-2 that is a terminal is tried;
 * seccomp refuses the ioctl on any descriptor, so a non-terminal answering
 * ENOTTY also means the filter let it through. */
static enum verdict probe_tiocsti(void)
{
	char c = '\n', what[64];
	int tried = 0, ttys = 0;

	for (int fd = 0; fd < 3; fd++) {
		int r, e;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		ttys += isatty(fd);
		r = ioctl(fd, TIOCSTI, &c);
		e = errno;
		tried++;
		snprintf(what, sizeof(what), "ioctl(%d, TIOCSTI)%s", fd, isatty(fd) ? " on a terminal" : "");
		if (r == 0 || !blocked(e))
			return judge(r, e, 0, what, "");
	}
	if (!tried)
		return skip("no stdin, stdout or stderr to try");
	return pass("TIOCSTI refused on %d descriptor(s), %d of them a terminal", tried, ttys);
}

static enum verdict probe_dev_mem(void)
{
	char node[PATH_MAX];
	int r = make_node(S_IFCHR, 1, 1, node, sizeof(node)), fd, e;

	if (r < 0)
		return judge(-1, -r, 0, "mknod c 1 1 (/dev/mem)", "");
	fd = open(node, O_RDONLY | O_CLOEXEC);
	e = errno;
	unlink(node);
	if (fd >= 0) {
		close(fd);
		return fail("opened /dev/mem (mknod c 1 1)");
	}
	if (e == ENXIO)
		return fail("mknod c 1 1 worked and the open reached the driver (ENXIO: this kernel has no /dev/mem, "
			    "but nothing stopped the open)");
	return judge(-1, e, 0, "mknod c 1 1 worked; open", "");
}

/* /dev holds what a container needs and nothing that reaches host hardware. */
static bool dev_entry_ok(const char *name, const struct stat *st)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} chars[] = { { "null", 1, 3 },	  { "zero", 1, 5 },    { "full", 1, 7 },
		      { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 } };
	static const char *const links[] = { "fd", "stdin", "stdout", "stderr", "core" };
	static const char *const dirs[] = { "pts", "shm", "mqueue" };
	unsigned ma = major(st->st_rdev), mi = minor(st->st_rdev);

	for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		if (!strcmp(name, chars[i].name))
			return S_ISCHR(st->st_mode) && ma == chars[i].maj && mi == chars[i].min;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (!strcmp(name, links[i]))
			return S_ISLNK(st->st_mode);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strcmp(name, dirs[i]))
			return S_ISDIR(st->st_mode);
	if (!strcmp(name, "console")) /* 5:1, or a bind-mounted pty (136:N) */
		return S_ISCHR(st->st_mode) && ((ma == 5 && mi == 1) || ma == 136);
	if (!strcmp(name, "ptmx"))
		return S_ISLNK(st->st_mode) || (S_ISCHR(st->st_mode) && ma == 5 && mi == 2);
	return false;
}

static enum verdict probe_dev_nodes(void)
{
	DIR *d = opendir("/dev");
	struct dirent *de;
	char bad[600] = "";
	size_t len = 0;
	int n = 0, nbad = 0;

	if (!d)
		return fail("opendir /dev: %s", en(errno));
	while ((de = readdir(d)) && n++ < 10000) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || dev_entry_ok(de->d_name, &st))
			continue;
		nbad++;
		if (len < sizeof(bad) - 1) {
			if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
				len += (size_t)snprintf(bad + len, sizeof(bad) - len, "%s%s (%c %u:%u)",
							len ? ", " : "", de->d_name, S_ISCHR(st.st_mode) ? 'c' : 'b',
							major(st.st_rdev), minor(st.st_rdev));
			else
				len += (size_t)snprintf(bad + len, sizeof(bad) - len, "%s%s", len ? ", " : "",
							de->d_name);
		}
	}
	closedir(d);
	if (nbad)
		return fail("%d unexpected entries in /dev: %s", nbad, bad);
	return pass("/dev holds only the standard nodes, links and directories");
}

/* ---- attacks: host processes --------------------------------------------- */

static enum verdict probe_ptrace_host(void)
{
	long r;

	if (!cfg.host_pid)
		return skip("no --host-pid given");
	/* PTRACE_SEIZE: the same permission checks as PTRACE_ATTACH, without
	 * stopping the target; the tracer's exit detaches. */
	r = ptrace(PTRACE_SEIZE, cfg.host_pid, 0, 0);
	if (r == 0)
		return fail("attached to host pid %d (PTRACE_SEIZE)", (int)cfg.host_pid);
	return judge(r, errno, ESRCH, "ptrace(PTRACE_SEIZE) of the host pid", "");
}

static enum verdict probe_vm_readv_host(void)
{
	char buf[8];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)0x10000, sizeof(buf) };
	ssize_t r;

	if (!cfg.host_pid)
		return skip("no --host-pid given");
	r = process_vm_readv(cfg.host_pid, &local, 1, &remote, 1, 0);
	if (r >= 0)
		return fail("read host pid %d's memory", (int)cfg.host_pid);
	return judge(-1, errno, ESRCH, "process_vm_readv of the host pid", "");
}

/* Whether a cmdline (NUL-separated) holds the marker as an argument of its
 * own, not as the value of our own --host-marker option. */
static bool cmdline_has_marker(const char *buf, size_t n, const char *marker)
{
	const char *prev = "";

	for (size_t i = 0; i < n;) {
		const char *arg = buf + i;

		if (!strcmp(arg, marker) && strcmp(prev, "--host-marker"))
			return true;
		prev = arg;
		i += strlen(arg) + 1;
	}
	return false;
}

static enum verdict probe_host_processes(void)
{
	DIR *d;
	struct dirent *de;
	int entries = 0, seen = 0;
	pid_t found = 0;

	if (!cfg.host_marker && !cfg.host_pid)
		return skip("no --host-marker or --host-pid given");
	if (cfg.host_marker) {
		d = opendir("/proc");
		if (!d)
			return fail("opendir /proc: %s", en(errno));
		while ((de = readdir(d)) && entries++ < 100000 && !found) {
			char path[64], buf[4096];
			pid_t pid = (pid_t)atoi(de->d_name);
			ssize_t n;

			if (pid <= 0)
				continue;
			seen++;
			snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
			n = read_path(path, buf, sizeof(buf));
			if (n > 0 && cmdline_has_marker(buf, (size_t)n, cfg.host_marker))
				found = pid;
		}
		closedir(d);
		if (found)
			return fail("host process with '%s' visible as pid %d", cfg.host_marker, (int)found);
	}
	if (cfg.host_pid) {
		if (kill(cfg.host_pid, 0) == 0)
			return fail("kill(host pid %d, 0) succeeded: it is visible", (int)cfg.host_pid);
		if (errno != ESRCH)
			return fail("kill(host pid %d, 0): %s (the process is visible)", (int)cfg.host_pid, en(errno));
	}
	return pass("marker absent from %d processes' cmdlines; kill(host pid, 0): ESRCH", seen);
}

static enum verdict probe_host_mnt_ns(void)
{
	char path[64];
	int fd;

	if (!cfg.host_pid)
		return skip("no --host-pid given");
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)cfg.host_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return fail("opened the host process's mount namespace %s", path);
	}
	return judge(-1, errno, ENOENT, "open /proc/<host pid>/ns/mnt", "");
}

/* ---- attacks: time, hostname --------------------------------------------- */

/* The kernel checks a new time before CAP_SYS_TIME, and then sets it: there
 * is no harmless valid call. A negative time shows whether a filter stops
 * the syscall; past it, only CAP_SYS_TIME in the initial user namespace
 * (identity uid_map) would let a valid time through. */
static enum verdict probe_clock_settime(void)
{
	struct timespec bad = { .tv_sec = -1, .tv_nsec = 0 };
	long r = syscall(SYS_clock_settime, CLOCK_REALTIME, &bad);
	int e = errno;

	if (r == 0)
		return fail("clock_settime accepted a negative time");
	if (blocked(e))
		return pass("clock_settime: %s", en(e));
	if (e == EINVAL && !(have_cap(CAP_SYS_TIME_) && identity_uid_map()))
		return pass("clock_settime reached the kernel (EINVAL for a negative time), but without CAP_SYS_TIME "
			    "in the initial user namespace a valid time is refused");
	return fail("clock_settime reached the kernel (%s) with CAP_SYS_TIME in the initial user namespace", en(e));
}

static enum verdict probe_settimeofday(void)
{
	/* No time, only a timezone out of range: refused after CAP_SYS_TIME. */
	struct timezone tz = { .tz_minuteswest = 16 * 60, .tz_dsttime = 0 };
	long r = syscall(SYS_settimeofday, NULL, &tz);

	return judge(r, errno, 0, "settimeofday(timezone out of range)", "");
}

static enum verdict probe_adjtimex(void)
{
	/* A tick out of range: refused after CAP_SYS_TIME, changes nothing. */
	struct timex tx = { .modes = ADJ_TICK, .tick = 1 };
	long r = syscall(SYS_adjtimex, &tx);

	return judge(r, errno, 0, "adjtimex(ADJ_TICK out of range)", "");
}

static bool same_ns(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static enum verdict probe_sethostname(void)
{
	char cur[HOST_NAME_MAX + 1] = "";
	const char *name;

	if (gethostname(cur, sizeof(cur)) < 0)
		return fail("gethostname: %s", en(errno));
	if (cfg.host_pid) {
		char host_uts[64];

		snprintf(host_uts, sizeof(host_uts), "/proc/%d/ns/uts", (int)cfg.host_pid);
		if (same_ns("/proc/self/ns/uts", host_uts))
			return fail("shares the UTS namespace of host pid %d (hostname left alone)", (int)cfg.host_pid);
	}
	name = cfg.hostname_probe ? cfg.hostname_probe : cur;
	if (sethostname(name, strlen(name)) < 0)
		return judge(-1, errno, 0, "sethostname", "");
	return pass("set to '%s': the container's own hostname; the runner checks the host's", name);
}

/* ---- attacks: escaping the root ------------------------------------------ */

static enum verdict probe_chroot_escape(void)
{
	struct stat r0, r1;
	char dir[PATH_MAX];
	int rootfd, r, e;
	bool host_visible;

	if (stat("/", &r0) < 0 || make_tmpdir(dir, sizeof(dir)) < 0)
		return skip("no directory to chroot into");
	rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (chroot(dir) < 0) {
		e = errno;
		rmdir(dir);
		close(rootfd);
		return judge(-1, e, 0, "chroot", "");
	}
	/* The classic: a directory fd from outside the new root, then up. */
	if (fchdir(rootfd) < 0) {
		e = errno;
		close(rootfd);
		return fail("fchdir: %s (the temporary directory %s is left)", en(e), dir);
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	r = chroot(".");
	e = errno;
	stat("/", &r1);
	host_visible = cfg.host_path && access(cfg.host_path, F_OK) == 0;
	unlinkat(rootfd, dir + 1, AT_REMOVEDIR);
	close(rootfd);
	if (r < 0)
		return fail("chroot(\".\") after the climb: %s", en(e));
	if (r1.st_dev != r0.st_dev || r1.st_ino != r0.st_ino)
		return fail("escaped: / is now %u:%u inode %lu, the container's was %u:%u inode %lu", major(r1.st_dev),
			    minor(r1.st_dev), (unsigned long)r1.st_ino, major(r0.st_dev), minor(r0.st_dev),
			    (unsigned long)r0.st_ino);
	if (host_visible)
		return fail("the host path %s is visible after the climb", cfg.host_path);
	return pass("chroot + fchdir + 64 x '..' + chroot(\".\") stays at the container's / (%u:%u inode %lu)%s",
		    major(r0.st_dev), minor(r0.st_dev), (unsigned long)r0.st_ino,
		    cfg.host_path ? "; the host path stays invisible" : "");
}

static bool pid_listed(const pid_t *v, int n, pid_t p)
{
	for (int i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

/* CVE-2019-5736: a runtime process entering the container (ctr exec) runs
 * the host's binary; if /proc/PID/exe can be opened, the binary can be
 * reopened for writing once that process is gone. Nothing is ever written. */
static enum verdict probe_exe_race(void)
{
	struct {
		dev_t dev;
		ino_t ino;
		int fd;
		char name[96];
	} kept[32];
	pid_t unreadable[256];
	int nkept = 0, nunread = 0, passes = 0, host_exes = 0;
	char opened[300] = "";
	double end;

	if (cfg.exe_race_seconds <= 0)
		return skip("--exe-race-seconds 0: not run");
	end = now() + cfg.exe_race_seconds;
	while (now() < end && !opened[0]) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		int entries = 0;

		if (!d)
			return fail("opendir /proc: %s", en(errno));
		while ((de = readdir(d)) && entries++ < 65536 && !opened[0]) {
			char link[64], target[PATH_MAX], self[64];
			pid_t pid = (pid_t)atoi(de->d_name);
			struct stat st, here;
			ssize_t n;
			int fd, wfd, k;

			if (pid <= 0 || pid == getpid() || pid == getppid())
				continue;
			snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
			fd = open(link, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				if ((errno == EACCES || errno == EPERM) && nunread < 256 &&
				    !pid_listed(unreadable, nunread, pid))
					unreadable[nunread++] = pid;
				continue;
			}
			n = readlink(link, target, sizeof(target) - 1);
			if (n < 0 || fstat(fd, &st) < 0) {
				close(fd);
				continue;
			}
			target[n] = '\0';
			/* The container's own binary is at that path in the container. */
			if (stat(target, &here) == 0 && here.st_dev == st.st_dev && here.st_ino == st.st_ino) {
				close(fd);
				continue;
			}
			for (k = 0; k < nkept; k++)
				if (kept[k].dev == st.st_dev && kept[k].ino == st.st_ino)
					break;
			if (k == nkept)
				host_exes++;
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			wfd = open(self, O_WRONLY | O_CLOEXEC);
			if (wfd >= 0) {
				close(wfd);
				/* A deleted or anonymous copy (memfd) protects the host's file. */
				if (st.st_nlink > 0)
					snprintf(opened, sizeof(opened), "%.200s of pid %d", target, (int)pid);
			}
			if (k == nkept && nkept < (int)(sizeof(kept) / sizeof(kept[0])) && st.st_nlink > 0) {
				kept[nkept].dev = st.st_dev;
				kept[nkept].ino = st.st_ino;
				kept[nkept].fd = fd;
				snprintf(kept[nkept].name, sizeof(kept[nkept].name), "%.80s", target);
				nkept++;
			} else {
				close(fd);
			}
		}
		closedir(d);
		passes++;
		usleep(2000);
	}
	/* The processes have gone by now: no ETXTBSY to stop the reopen. */
	for (int k = 0; k < nkept; k++) {
		char self[64];
		int wfd;

		snprintf(self, sizeof(self), "/proc/self/fd/%d", kept[k].fd);
		wfd = open(self, O_WRONLY | O_CLOEXEC);
		if (wfd >= 0) {
			close(wfd);
			if (!opened[0])
				snprintf(opened, sizeof(opened), "%s (reopened after its process ended)", kept[k].name);
		}
		close(kept[k].fd);
	}
	if (opened[0])
		return fail("opened the host binary %s for writing", opened);
	return pass("%d scans in %d s: %d host executable(s) seen through /proc/PID/exe, none writable; %d "
		    "process(es) whose exe could not be read (non-dumpable)",
		    passes, cfg.exe_race_seconds, host_exes, nunread);
}

static enum verdict probe_leaked_fds(void)
{
	if (n_start_fds)
		return fail("%d descriptor(s) above 2 open at exec: %s", n_start_fds, start_fds);
	return pass("only stdin, stdout and stderr were open at exec");
}

static enum verdict probe_cwd(void)
{
	char cwd[PATH_MAX];
	const char *shown = getcwd(cwd, sizeof(cwd)) ? cwd : en(errno);
	struct stat root, here;
	int i;

	if (stat("/", &root) < 0)
		return fail("stat /: %s", en(errno));
	for (i = 0; i < 64; i++) {
		if (stat(".", &here) == 0 && here.st_dev == root.st_dev && here.st_ino == root.st_ino)
			return pass("cwd %s reaches the container's / in %d step(s)", shown, i);
		if (chdir("..") < 0)
			break;
	}
	return fail("cwd %s: 64 x '..' never reached the container's / (a cwd outside the root, CVE-2024-21626)",
		    shown);
}

/* ---- attacks: other containers ------------------------------------------- */

static enum verdict probe_other_init(void)
{
	long fd;
	int e;

	if (!cfg.other_pid)
		return skip("no --other-pid given");
	if (kill(cfg.other_pid, 0) == 0)
		return fail("kill(other container's init %d, 0) succeeded: it is visible", (int)cfg.other_pid);
	if (errno != ESRCH)
		return fail("kill(other container's init %d, 0): %s (it is visible)", (int)cfg.other_pid, en(errno));
	fd = syscall(SYS_pidfd_open, cfg.other_pid, 0);
	e = errno;
	if (fd >= 0) {
		close((int)fd);
		return fail("pidfd_open(other container's init %d) succeeded", (int)cfg.other_pid);
	}
	if (e != ESRCH)
		return fail("pidfd_open(other container's init): %s (want ESRCH)", en(e));
	return pass("kill(%d, 0) and pidfd_open(%d): ESRCH", (int)cfg.other_pid, (int)cfg.other_pid);
}

static enum verdict probe_other_root(void)
{
	struct stat st;
	char out[300] = "";
	size_t len = 0;

	if (!cfg.other_root && !cfg.other_pid)
		return skip("no --other-root or --other-pid given");
	if (cfg.other_root) {
		if (stat(cfg.other_root, &st) == 0)
			return fail("the other container's rootfs %s is visible", cfg.other_root);
		len += (size_t)snprintf(out, sizeof(out), "stat %s: %s", cfg.other_root, en(errno));
	}
	if (cfg.other_pid) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/root", (int)cfg.other_pid);
		fd = open(path, O_PATH | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			return fail("opened %s: the other container's root", path);
		}
		if (len < sizeof(out))
			snprintf(out + len, sizeof(out) - len, "%s%s: %s", len ? "; " : "", path, en(errno));
	}
	return pass("%s", out);
}

static enum verdict probe_host_path(void)
{
	if (!cfg.host_path)
		return skip("no --host-path given");
	if (access(cfg.host_path, F_OK) == 0)
		return fail("the host path %s is visible", cfg.host_path);
	return pass("host path %s: %s", cfg.host_path, en(errno));
}

/* ---- attacks: resources -------------------------------------------------- */

static enum verdict probe_rlimit_nofile(void)
{
	struct rlimit rl, up;
	char buf[32];
	unsigned long nr_open = 1048576;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail("getrlimit: %s", en(errno));
	if (read_path("/proc/sys/fs/nr_open", buf, sizeof(buf)) > 0)
		nr_open = strtoul(buf, NULL, 10);
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= nr_open)
		return skip("the hard limit is already at its maximum (%lu)", (unsigned long)rl.rlim_max);
	up = (struct rlimit){ .rlim_cur = rl.rlim_cur, .rlim_max = rl.rlim_max + 1 };
	if (setrlimit(RLIMIT_NOFILE, &up) == 0)
		return fail("raised the RLIMIT_NOFILE hard limit %lu -> %lu", (unsigned long)rl.rlim_max,
			    (unsigned long)up.rlim_max);
	return judge(-1, errno, 0, "raising the RLIMIT_NOFILE hard limit", "");
}

static enum verdict probe_fork_bomb(void)
{
	enum { MAX_FORKS = 5000, SECONDS = 15 };
	static pid_t kids[MAX_FORKS];
	pid_t me = getpid();
	double end = now() + SECONDS;
	int n = 0, e = 0;

	while (n < MAX_FORKS && now() < end) {
		pid_t p = fork();

		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != me)
				_exit(0);
			for (int i = 0; i < 600; i++) /* bounded, and killed long before */
				sleep(1);
			_exit(0);
		}
		kids[n++] = p;
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	if (e == EAGAIN && (!cfg.pids_max || n < cfg.pids_max))
		return pass("fork: EAGAIN after %d processes (pids limit %d); all killed and reaped", n, cfg.pids_max);
	if (e == EAGAIN)
		return fail("fork: EAGAIN only after %d processes, not below the pids limit %d", n, cfg.pids_max);
	if (e)
		return fail("fork failed with %s after %d processes: not the pids limit", en(e), n);
	return fail("%d processes in %.1f s without EAGAIN (stopped by the probe's own bound)", n,
		    SECONDS - (end - now()));
}

static enum verdict probe_shm_fill(void)
{
	static char chunk[MIB];
	char path[64];
	int fd, e = 0, limit = 4 * cfg.shm_max_mib;
	long long written = 0;
	double end = now() + 20;

	snprintf(path, sizeof(path), "/dev/shm/.ctr-probe-fill.%d", (int)getpid());
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return skip("cannot create %s: %s", path, en(errno));
	memset(chunk, 0x5a, sizeof(chunk));
	for (int i = 0; i < limit && now() < end; i++) {
		ssize_t w = write(fd, chunk, sizeof(chunk));

		if (w < 0) {
			e = errno;
			break;
		}
		written += w;
		if (w < (ssize_t)sizeof(chunk)) {
			/* partial: the next write says why */
			w = write(fd, chunk, sizeof(chunk));
			if (w < 0) {
				e = errno;
				break;
			}
			written += w;
		}
	}
	close(fd);
	unlink(path);
	if (e == ENOSPC && written <= (long long)(cfg.shm_max_mib + 1) * MIB)
		return pass("ENOSPC after %lld KiB (limit %d MiB); file removed", written / 1024, cfg.shm_max_mib);
	if (e == ENOSPC)
		return fail("ENOSPC only after %lld KiB, above the %d MiB limit", written / 1024, cfg.shm_max_mib);
	if (e)
		return fail("write failed with %s after %lld KiB", en(e), written / 1024);
	return fail("wrote %lld KiB into /dev/shm without ENOSPC (limit %d MiB); file removed", written / 1024,
		    cfg.shm_max_mib);
}

static enum verdict probe_iopl(void)
{
	long r = syscall(SYS_iopl, 3);
	int e = errno;

	if (r == 0) {
		syscall(SYS_iopl, 0);
		return fail("iopl(3) succeeded (I/O port access; dropped again)");
	}
	return judge(r, e, 0, "iopl(3)",
		     e == ENOSYS ? " (also the answer of a kernel without CONFIG_X86_IOPL_IOPERM)" : "");
}

/* The controllers of one mounted cgroup v1 hierarchy, comma-separated, from
 * /proc/cgroups (a subset of a hierarchy's controllers cannot be mounted). */
static bool cgroup_v1_hierarchy(char *out, size_t len)
{
	static const char *const prefer[] = { "freezer", "pids", "devices", "net_cls", "perf_event", "cpuset" };
	char buf[4096], name[64];
	int want = 0, h, en_, n;

	if (read_path("/proc/cgroups", buf, sizeof(buf)) <= 0)
		return false;
	for (size_t p = 0; p < sizeof(prefer) / sizeof(prefer[0]) && !want; p++)
		for (char *l = strchr(buf, '\n'); l && !want; l = strchr(l + 1, '\n'))
			if (sscanf(l + 1, "%63s %d %d %d", name, &h, &n, &en_) == 4 && h > 0 && en_ &&
			    !strcmp(name, prefer[p]))
				want = h;
	for (char *l = strchr(buf, '\n'); l && !want; l = strchr(l + 1, '\n'))
		if (sscanf(l + 1, "%63s %d %d %d", name, &h, &n, &en_) == 4 && h > 0 && en_)
			want = h;
	if (!want)
		return false;
	out[0] = '\0';
	for (char *l = strchr(buf, '\n'); l; l = strchr(l + 1, '\n'))
		if (sscanf(l + 1, "%63s %d %d %d", name, &h, &n, &en_) == 4 && h == want && en_) {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "%s%s", used ? "," : "", name);
		}
	return out[0];
}

/* CVE-2022-0492: mount a cgroup v1 hierarchy and set its release_agent. */
static enum verdict probe_release_agent(void)
{
	const char *ns = private_mounts(), *stage;
	char controllers[128], dir[PATH_MAX], path[PATH_MAX + 32];
	int r;

	if (!cgroup_v1_hierarchy(controllers, sizeof(controllers)))
		return pass("no cgroup v1 hierarchy on this kernel: nothing to mount");
	if (make_tmpdir(dir, sizeof(dir)) < 0)
		return skip("no directory to mount on");
	if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, controllers) < 0) {
		int e = errno;

		rmdir(dir);
		return pass("mount of the cgroup v1 hierarchy '%s': %s%s", controllers, en(e), ns);
	}
	snprintf(path, sizeof(path), "%s/release_agent", dir);
	r = rewrite_same(path, &stage);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	if (r == 0)
		return fail("mounted cgroup v1 '%s' and wrote its release_agent (same value)%s", controllers, ns);
	if (r == -ENOENT)
		return pass("mounted cgroup v1 '%s', but it has no release_agent (a cgroup namespace's root, not the "
			    "hierarchy's)%s",
			    controllers, ns);
	return judge(-1, -r, 0, "mounted cgroup v1; release_agent", ns);
}

static enum verdict probe_quotactl(void)
{
	struct dqblk dq;
	char node[PATH_MAX], out[300] = "";
	bool bad = false;
	long r;
	int fd, e;

	/* Another user's quota: read-only, and needs CAP_SYS_ADMIN over the
	 * filesystem's user namespace (the host's). */
	if (cfg.have_host_dev) {
		int m = make_node(S_IFBLK, cfg.host_major, cfg.host_minor, node, sizeof(node));

		if (m < 0) {
			snprintf(out, sizeof(out), "mknod of the host device: %s", en(-m));
			bad = !blocked(-m);
		} else {
			r = quotactl(QCMD(Q_GETQUOTA, USRQUOTA), node, 65533, (caddr_t)&dq);
			e = errno;
			unlink(node);
			snprintf(out, sizeof(out), "quotactl(Q_GETQUOTA, host device): %s", en(r < 0 ? e : 0));
			bad = r >= 0 || !blocked(e);
		}
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		size_t len = strlen(out);

		r = syscall(SYS_quotactl_fd, fd, QCMD(Q_GETQUOTA, USRQUOTA), 65533, &dq);
		e = errno;
		close(fd);
		snprintf(out + len, sizeof(out) - len, "%squotactl_fd(Q_GETQUOTA, /): %s", len ? "; " : "",
			 en(r < 0 ? e : 0));
		/* ENOSYS here is the filesystem without quota support: nothing to reach. */
		bad = bad || r >= 0 || !blocked(e);
	}
	return bad ? fail("reached the kernel: %s", out) : pass("%s", out);
}

/* ---- legit --------------------------------------------------------------- */

static enum verdict probe_legit_chown(void)
{
	char dir[PATH_MAX], file[PATH_MAX + 8];
	struct stat a, b;
	int fd, r1, r2;

	if (make_tmpdir(dir, sizeof(dir)) < 0)
		return fail("no directory to work in");
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	r1 = chown(file, 1000, 1000) == 0 && stat(file, &a) == 0 ? 0 : errno;
	r2 = chown(file, 0, 0) == 0 && stat(file, &b) == 0 ? 0 : errno;
	unlink(file);
	rmdir(dir);
	if (fd < 0 || r1 || r2)
		return fail("create/chown 1000:1000/chown 0:0: %s/%s/%s", fd < 0 ? "failed" : "ok", en(r1), en(r2));
	if (a.st_uid != 1000 || a.st_gid != 1000 || b.st_uid != 0 || b.st_gid != 0)
		return fail("owners seen: %u:%u then %u:%u", a.st_uid, a.st_gid, b.st_uid, b.st_gid);
	return pass("chown to 1000:1000 and back to 0:0");
}

/* What apt does: a directory owned by _apt (42:65534) that a child, having
 * dropped to that user, writes into. */
static enum verdict probe_legit_apt(void)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16], file[PATH_MAX + 32];
	struct stat st;
	int status = 0, ok;
	pid_t pid;

	if (make_tmpdir(dir, sizeof(dir)) < 0)
		return fail("no directory to work in");
	snprintf(sub, sizeof(sub), "%s/partial", dir);
	snprintf(file, sizeof(file), "%s/download", sub);
	if (chmod(dir, 0755) < 0 || mkdir(sub, 0700) < 0 || chown(sub, 42, 65534) < 0) {
		int e = errno;

		rmdir(sub);
		rmdir(dir);
		return fail("mkdir + chown 42:65534: %s", en(e));
	}
	pid = fork();
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(42) < 0)
			_exit(10);
		fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			_exit(11);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && stat(file, &st) == 0 && st.st_uid == 42;
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	if (!ok)
		return fail("child as 42:65534: %s", pid < 0			 ? "fork failed"
						     : !WIFEXITED(status)	 ? "killed"
						     : WEXITSTATUS(status) == 10 ? "setgid/setuid failed"
						     : WEXITSTATUS(status) == 11 ? "could not write its file"
										 : "file not owned by 42");
	return pass("uid 42 wrote into its 42:65534 directory; the file is owned by 42");
}

/* A copy of this program, setuid root, run by uid 1000 with the hidden
 * subcommand "__euid" (exit 42 when euid is 0). */
static enum verdict probe_legit_setuid(void)
{
	static const char *const bases[] = { "/tmp", "/var/tmp", "/run", "" };
	char dir[PATH_MAX] = "", copy[PATH_MAX + 8], buf[65536];
	int in, out = -1, status = 0, e = 0;
	pid_t pid;
	ssize_t n;

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return skip("no_new_privs is set (run through ctr exec --allow-new-privileges)");
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]) && !dir[0]; i++) {
		struct statvfs sv;

		if (statvfs(bases[i][0] ? bases[i] : "/", &sv) < 0 || (sv.f_flag & (ST_NOSUID | ST_RDONLY)))
			continue;
		snprintf(dir, sizeof(dir), "%s/.ctr-probe.XXXXXX", bases[i]);
		if (!mkdtemp(dir))
			dir[0] = '\0';
	}
	if (!dir[0])
		return fail("no writable filesystem without nosuid");
	chmod(dir, 0711);
	snprintf(copy, sizeof(copy), "%s/suid", dir);
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in >= 0)
		out = open(copy, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0700);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			e = errno;
			break;
		}
	if (in >= 0)
		close(in);
	if (out < 0 || e || fchown(out, 0, 0) < 0 || fchmod(out, 04755) < 0) {
		e = e ? e : errno;
		if (out >= 0)
			close(out);
		unlink(copy);
		rmdir(dir);
		return fail("copying this program to a setuid-root file: %s", en(e));
	}
	close(out);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(1000) < 0 || setuid(1000) < 0)
			_exit(10);
		execl(copy, copy, "__euid", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(copy);
	rmdir(dir);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42)
		return pass("uid 1000 ran a setuid-root program and got euid 0");
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 43)
		return fail("the setuid-root program ran with euid != 0 (setuid bit ignored?)");
	return fail("child: %s", pid < 0		      ? "fork failed"
				 : !WIFEXITED(status)	      ? "killed by a signal"
				 : WEXITSTATUS(status) == 10  ? "setuid(1000) failed"
				 : WEXITSTATUS(status) == 127 ? "exec failed"
							      : "unexpected exit status");
}

static enum verdict probe_legit_bind80(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80), .sin_addr.s_addr = htonl(INADDR_ANY) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, r, e;

	if (s < 0)
		return fail("socket: %s", en(errno));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(s);
	if (r == 0)
		return pass("bound TCP 0.0.0.0:80");
	if (e == EADDRINUSE)
		return pass("TCP port 80 is in use, but binding it was permitted");
	return fail("bind TCP 0.0.0.0:80: %s", en(e));
}

static uint16_t icmp_sum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static enum verdict probe_legit_ping(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct icmphdr req = { .type = ICMP_ECHO };
	uint16_t id = (uint16_t)(getpid() & 0xffff);
	double start = now();
	int s;

	if (!have_cap(CAP_NET_RAW_))
		return skip("no CAP_NET_RAW in the effective set");
	s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s < 0)
		return fail("raw ICMP socket: %s", en(errno));
	req.un.echo.id = htons(id);
	req.un.echo.sequence = htons(1);
	req.checksum = icmp_sum(&req, sizeof(req));
	if (sendto(s, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		int e = errno;

		close(s);
		return fail("sendto 127.0.0.1: %s", en(e));
	}
	while (now() - start < 2) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		unsigned char buf[1500];
		ssize_t n;
		size_t hl;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(s, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		hl = (size_t)(buf[0] & 0x0f) * 4; /* raw sockets deliver the IP header */
		if ((size_t)n >= hl + sizeof(struct icmphdr)) {
			struct icmphdr rep;

			memcpy(&rep, buf + hl, sizeof(rep));
			if (rep.type == ICMP_ECHOREPLY && rep.un.echo.id == htons(id)) {
				close(s);
				return pass("echo reply from 127.0.0.1 in %.1f ms", (now() - start) * 1000);
			}
		}
	}
	close(s);
	return fail("no echo reply from 127.0.0.1 within 2 s (loopback down?)");
}

static enum verdict probe_legit_tmpfs(void)
{
	char dir[PATH_MAX];
	struct statfs sf;
	int r, e;

	if (cfg.privileged)
		return skip("checked in unprivileged mode only (a privileged container has no CAP_SYS_ADMIN)");
	if (make_tmpdir(dir, sizeof(dir)) < 0)
		return fail("no directory to mount on");
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") < 0) {
		e = errno;
		rmdir(dir);
		return fail("mount tmpfs: %s", en(e));
	}
	r = statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
	if (umount2(dir, 0) < 0) {
		e = errno;
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		return fail("umount tmpfs: %s", en(e));
	}
	rmdir(dir);
	return r ? pass("mounted and unmounted a tmpfs") : fail("mounted, but statfs does not show a tmpfs");
}

static enum verdict probe_legit_sethostname(void)
{
	char cur[HOST_NAME_MAX + 1] = "";

	if (gethostname(cur, sizeof(cur)) < 0)
		return fail("gethostname: %s", en(errno));
	if (sethostname(cur, strlen(cur)) == 0)
		return pass("sethostname('%s') in the container's UTS namespace", cur);
	if (errno == EPERM && !have_cap(CAP_SYS_ADMIN_))
		return skip("no CAP_SYS_ADMIN in this mode: the hostname is ctr's to set (EPERM)");
	return fail("sethostname: %s", en(errno));
}

/* ---- state --------------------------------------------------------------- */

static enum verdict probe_no_inheritable_caps(void)
{
	char inh[32] = "?", amb[32] = "?";

	status_field("/proc/self/status", "CapInh", inh, sizeof(inh));
	status_field("/proc/self/status", "CapAmb", amb, sizeof(amb));
	if (strtoull(inh, NULL, 16) || strtoull(amb, NULL, 16) || !strcmp(inh, "?") || !strcmp(amb, "?"))
		return fail("CapInh %s, CapAmb %s (CVE-2022-27650: must both be 0)", inh, amb);
	return pass("CapInh and CapAmb are 0");
}

static enum verdict probe_seccomp_mode(void)
{
	char v[16] = "?";

	status_field("/proc/self/status", "Seccomp", v, sizeof(v));
	return strcmp(v, "2") ? fail("Seccomp: %s (want 2, a filter)", v) : pass("Seccomp: 2 (filter)");
}

static enum verdict probe_no_new_privs(void)
{
	char v[16] = "?";

	status_field("/proc/self/status", "NoNewPrivs", v, sizeof(v));
	return strcmp(v, "1") ? fail("NoNewPrivs: %s for an exec'd process (want 1)", v) : pass("NoNewPrivs: 1");
}

static enum verdict probe_init_new_privs(void)
{
	char v[16] = "?";

	if (!status_field("/proc/1/status", "NoNewPrivs", v, sizeof(v)))
		return fail("cannot read /proc/1/status");
	return strcmp(v, "0") ? fail("init has NoNewPrivs: %s (want 0: setuid programs must work at boot)", v)
			      : pass("init has NoNewPrivs: 0");
}

static enum verdict probe_uid_map(void)
{
	char buf[512];
	unsigned long in, out, count;
	int lines = 0;

	if (read_path("/proc/self/uid_map", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lu %lu %lu", &in, &out, &count) != 3)
		return fail("cannot read /proc/self/uid_map");
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	if (cfg.privileged)
		return in == 0 && out == 0 && count == 4294967295UL && lines == 1
			       ? pass("uid_map: identity (no user namespace)")
			       : fail("uid_map '%lu %lu %lu' (want the identity map '0 0 4294967295')", in, out, count);
	if (in == 0 && out != 0 && count == 65536 && lines == 1)
		return pass("uid_map: 0 %lu 65536", out);
	return fail("uid_map '%lu %lu %lu'%s (want '0 X 65536' with X != 0)", in, out, count,
		    lines > 1 ? " and more lines" : "");
}

static enum verdict probe_cap_bounding(void)
{
	static const struct {
		int cap;
		const char *name;
		bool privileged_only;
	} never[] = {
		{ CAP_SYS_MODULE_, "sys_module", false },
		{ CAP_SYS_RAWIO_, "sys_rawio", false },
		{ CAP_SYS_TIME_, "sys_time", false },
		{ CAP_MAC_OVERRIDE_, "mac_override", false },
		{ CAP_MAC_ADMIN_, "mac_admin", false },
		{ CAP_SYSLOG_, "syslog", false },
		{ CAP_PERFMON_, "perfmon", false },
		{ CAP_BPF_, "bpf", false },
		{ CAP_SYS_ADMIN_, "sys_admin", true },
		{ CAP_SYS_PTRACE_, "sys_ptrace", true },
		{ CAP_DAC_READ_SEARCH_, "dac_read_search", true },
		{ CAP_SYS_RESOURCE_, "sys_resource", true },
	};
	uint64_t bnd = status_caps("CapBnd");
	char out[300] = "";
	size_t len = 0;

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if ((!never[i].privileged_only || cfg.privileged) && ((bnd >> never[i].cap) & 1) && len < sizeof(out))
			len += (size_t)snprintf(out + len, sizeof(out) - len, " %s", never[i].name);
	if (len)
		return fail("the bounding set (%016llx) holds:%s", (unsigned long long)bnd, out);
	return pass("the bounding set (%016llx) holds none of the host-reaching capabilities", (unsigned long long)bnd);
}

/* ---- the table ----------------------------------------------------------- */

enum kind { ATTACK, LEGIT, STATE };
static const char *const kind_names[] = { "attack", "legit", "state" };

struct probe {
	const char *name;
	enum kind kind;
	enum verdict (*run)(void);
	int timeout; /* seconds; 0: the default */
	const char *what;
};

static const struct probe probes[] = {
	{ "mount-host-dev", ATTACK, probe_mount_host_dev, 0, "mknod the host's root block device, mount it read-only" },
	{ "proc-mount-sysctl", ATTACK, probe_proc_mount_sysctl, 0,
	  "mount a fresh proc, write a global sysctl through it" },
	{ "umount-proc-masks", ATTACK, probe_umount_proc_masks, 0,
	  "unmount the masks over /proc/kcore etc., then read" },
	{ "remount-proc-sys", ATTACK, probe_remount_proc_sys, 0,
	  "remount /proc/sys read-write, write a global sysctl" },
	{ "remount-sys", ATTACK, probe_remount_sys, 0, "remount /sys read-write, write a global sysfs value" },
	{ "init-module", ATTACK, probe_init_module, 0, "init_module" },
	{ "finit-module", ATTACK, probe_finit_module, 0, "finit_module" },
	{ "delete-module", ATTACK, probe_delete_module, 0, "delete_module" },
	{ "modprobe-path", ATTACK, probe_modprobe_path, 0, "write /proc/sys/kernel/modprobe" },
	{ "kexec-load", ATTACK, probe_kexec_load, 0, "kexec_load" },
	{ "kexec-file-load", ATTACK, probe_kexec_file_load, 0, "kexec_file_load" },
	{ "kexec-i386", ATTACK, probe_kexec_i386, 0, "kexec_load through the i386 ABI (int $0x80)" },
	{ "kexec-x32", ATTACK, probe_kexec_x32, 0, "kexec_load through the x32 ABI" },
	{ "open-by-handle", ATTACK, probe_open_by_handle, 0, "open_by_handle_at for inode 2 (shocker)" },
	{ "keyctl", ATTACK, probe_keyctl, 0, "keyctl (keys are not namespaced)" },
	{ "add-key", ATTACK, probe_add_key, 0, "add_key" },
	{ "request-key", ATTACK, probe_request_key, 0, "request_key" },
	{ "bpf", ATTACK, probe_bpf, 0, "bpf(BPF_PROG_LOAD) of a socket filter" },
	{ "perf-event-open", ATTACK, probe_perf_event_open, 0, "perf_event_open" },
	{ "userfaultfd", ATTACK, probe_userfaultfd, 0, "userfaultfd" },
	{ "sysrq-trigger", ATTACK, probe_sysrq_trigger, 0, "write 'h' to /proc/sysrq-trigger" },
	{ "core-pattern", ATTACK, probe_core_pattern, 0, "write /proc/sys/kernel/core_pattern" },
	{ "uevent-helper", ATTACK, probe_uevent_helper, 0, "write /sys/kernel/uevent_helper" },
	{ "sys-write", ATTACK, probe_sys_write, 0, "write a global /sys value" },
	{ "sys-firmware", ATTACK, probe_sys_firmware, 0, "/sys/firmware is empty or absent" },
	{ "proc-kcore", ATTACK, probe_proc_kcore, 0, "read /proc/kcore" },
	{ "proc-keys", ATTACK, probe_proc_keys, 0, "read /proc/keys" },
	{ "proc-timer-list", ATTACK, probe_proc_timer_list, 0, "read /proc/timer_list" },
	{ "proc-sched-debug", ATTACK, probe_proc_sched_debug, 0, "read /proc/sched_debug" },
	{ "proc-acpi", ATTACK, probe_proc_acpi, 0, "/proc/acpi is empty or absent" },
	{ "proc-scsi", ATTACK, probe_proc_scsi, 0, "/proc/scsi is empty or absent" },
	{ "mknod-host-dev", ATTACK, probe_mknod_host_dev, 0, "mknod the host's block device, read 512 bytes" },
	{ "dev-kmsg", ATTACK, probe_dev_kmsg, 0, "read /dev/kmsg, and a node made with mknod c 1 11" },
	{ "syslog", ATTACK, probe_syslog, 0, "syslog(SYSLOG_ACTION_READ_ALL)" },
	{ "tiocsti", ATTACK, probe_tiocsti, 0, "push input into the caller's terminal (TIOCSTI)" },
	{ "dev-mem", ATTACK, probe_dev_mem, 0, "open /dev/mem made with mknod c 1 1" },
	{ "dev-nodes", ATTACK, probe_dev_nodes, 0, "no unexpected entries in /dev" },
	{ "ptrace-host", ATTACK, probe_ptrace_host, 0, "ptrace a host process (--host-pid)" },
	{ "vm-readv-host", ATTACK, probe_vm_readv_host, 0, "process_vm_readv of a host process" },
	{ "host-processes", ATTACK, probe_host_processes, 0, "see host processes (--host-marker, --host-pid)" },
	{ "host-mnt-ns", ATTACK, probe_host_mnt_ns, 0, "open /proc/<host pid>/ns/mnt" },
	{ "clock-settime", ATTACK, probe_clock_settime, 0, "clock_settime(CLOCK_REALTIME)" },
	{ "settimeofday", ATTACK, probe_settimeofday, 0, "settimeofday" },
	{ "adjtimex", ATTACK, probe_adjtimex, 0, "adjtimex with a mode set" },
	{ "sethostname", ATTACK, probe_sethostname, 0, "sethostname (--hostname-probe): the runner checks the host's" },
	{ "chroot-escape", ATTACK, probe_chroot_escape, 0, "chroot + fchdir + '..' escape" },
	{ "proc-exe-race", ATTACK, probe_exe_race, 0,
	  "open a host binary via /proc/PID/exe for writing (CVE-2019-5736)" },
	{ "leaked-fds", ATTACK, probe_leaked_fds, 0, "no descriptor above 2 inherited at exec" },
	{ "cwd", ATTACK, probe_cwd, 0, "the cwd is inside the container's root (CVE-2024-21626)" },
	{ "other-init", ATTACK, probe_other_init, 0, "signal / pidfd_open another container's init" },
	{ "other-root", ATTACK, probe_other_root, 0, "reach another container's files" },
	{ "host-path", ATTACK, probe_host_path, 0, "a host-only path (--host-path) is invisible" },
	{ "rlimit-nofile", ATTACK, probe_rlimit_nofile, 0, "raise the RLIMIT_NOFILE hard limit" },
	{ "fork-bomb", ATTACK, probe_fork_bomb, 30, "fork until EAGAIN, below the pids limit" },
	{ "shm-fill", ATTACK, probe_shm_fill, 40, "fill /dev/shm: ENOSPC at its size" },
	{ "iopl", ATTACK, probe_iopl, 0, "iopl(3)" },
	{ "cgroup-release-agent", ATTACK, probe_release_agent, 0,
	  "mount cgroup v1, write release_agent (CVE-2022-0492)" },
	{ "quotactl", ATTACK, probe_quotactl, 0, "quotactl on the host's device and filesystem" },
	{ "legit-chown", LEGIT, probe_legit_chown, 0, "chown a file to 1000:1000 and back" },
	{ "legit-apt", LEGIT, probe_legit_apt, 0, "apt-style: a 42:65534 directory written by a child as uid 42" },
	{ "legit-setuid", LEGIT, probe_legit_setuid, 0, "a setuid-root program gives euid 0 (needs no_new_privs off)" },
	{ "legit-bind80", LEGIT, probe_legit_bind80, 0, "bind TCP port 80" },
	{ "legit-ping", LEGIT, probe_legit_ping, 0, "ping 127.0.0.1 with a raw socket (with CAP_NET_RAW)" },
	{ "legit-tmpfs", LEGIT, probe_legit_tmpfs, 0, "mount and unmount a tmpfs (unprivileged mode)" },
	{ "legit-sethostname", LEGIT, probe_legit_sethostname, 0, "sethostname works" },
	{ "no-inheritable-caps", STATE, probe_no_inheritable_caps, 0, "CapInh and CapAmb are 0 (CVE-2022-27650)" },
	{ "seccomp-mode", STATE, probe_seccomp_mode, 0, "Seccomp: 2" },
	{ "no-new-privs", STATE, probe_no_new_privs, 0, "NoNewPrivs: 1 for an exec'd process" },
	{ "init-new-privs", STATE, probe_init_new_privs, 0, "NoNewPrivs: 0 for the container's init" },
	{ "uid-map", STATE, probe_uid_map, 0, "uid_map: 0 X 65536 (unprivileged) or the identity (privileged)" },
	{ "cap-bounding", STATE, probe_cap_bounding, 0, "no host-reaching capability in the bounding set" },
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

/* ---- running ------------------------------------------------------------- */

static void reap_orphans(void)
{
	/* Descendants that outlived their probe were killed with its process
	 * group and come back to us (child subreaper). */
	for (int i = 0; i < 300; i++) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r < 0)
			return; /* ECHILD: all gone */
		if (r == 0)
			usleep(10000);
	}
}

/* Runs one probe in a child; prints its line; returns its verdict. */
static enum verdict run_probe(const struct probe *p)
{
	int timeout = p->timeout ? p->timeout : 20, fds[2], status = 0;
	char buf[sizeof(detail) + 16] = "";
	size_t got = 0;
	enum verdict v = FAIL;
	double end;
	pid_t pid;

	if (p->run == probe_exe_race)
		timeout = cfg.exe_race_seconds + 20;
	fflush(stdout);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		printf("FAIL %s: pipe: %s\n", p->name, en(errno));
		return FAIL;
	}
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", p->name, en(errno));
		close(fds[0]);
		close(fds[1]);
		return FAIL;
	}
	if (pid == 0) {
		char line[sizeof(detail) + 16];
		int n;

		close(fds[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		detail[0] = '\0';
		v = p->run();
		for (char *c = detail; *c; c++)
			if (*c == '\n')
				*c = ' ';
		n = snprintf(line, sizeof(line), "%d %s\n", (int)v, detail);
		if (write(fds[1], line, (size_t)n) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	setpgid(pid, pid);
	end = now() + timeout;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		siginfo_t si = { 0 };
		bool exited;

		if (poll(&pfd, 1, 100) > 0) {
			ssize_t n = read(fds[0], buf + got, sizeof(buf) - 1 - got);

			if (n > 0)
				got += (size_t)n;
			buf[got] = '\0';
			if (n <= 0 || strchr(buf, '\n') || got == sizeof(buf) - 1)
				break;
		}
		exited = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
		if (exited) {
			ssize_t n;

			fcntl(fds[0], F_SETFL, O_NONBLOCK);
			n = read(fds[0], buf + got, sizeof(buf) - 1 - got);
			if (n > 0)
				got += (size_t)n;
			buf[got] = '\0';
			break;
		}
		if (now() > end)
			break;
	}
	close(fds[0]);
	kill(-pid, SIGKILL); /* the probe if it hangs, and anything it left */
	waitpid(pid, &status, 0);
	reap_orphans();
	if (strchr(buf, '\n') && buf[0] >= '0' && buf[0] <= '2' && buf[1] == ' ') {
		v = (enum verdict)(buf[0] - '0');
		*strchr(buf, '\n') = '\0';
		printf("%s %s: %s\n", verdict_names[v], p->name, buf + 2);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && p->kind == ATTACK) {
		v = PASS;
		printf("PASS %s: killed by SIGSYS (a seccomp filter's kill action)\n", p->name);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
		printf("FAIL %s: the probe died of signal %d (%s)\n", p->name, WTERMSIG(status),
		       sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	} else if (now() > end) {
		printf("FAIL %s: no answer within %d s (killed)\n", p->name, timeout);
	} else {
		printf("FAIL %s: the probe ended without a result (%s %d)\n", p->name,
		       WIFSIGNALED(status) ? "signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	fflush(stdout);
	return v;
}

/* Before anything else is opened: every descriptor above 2 was inherited.
 * fcntl rather than /proc/self/fd, which a broken container may lack. */
static void snapshot_fds(void)
{
	struct rlimit rl = { .rlim_cur = 1024 };
	size_t len = 0;
	int max;

	getrlimit(RLIMIT_NOFILE, &rl);
	max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
	for (int fd = 3; fd < max; fd++) {
		char link[64], target[256] = "?";
		ssize_t n;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n >= 0)
			target[n] = '\0';
		n_start_fds++;
		if (len < sizeof(start_fds) - 1)
			len += (size_t)snprintf(start_fds + len, sizeof(start_fds) - len, "%s%d -> %s", len ? ", " : "",
						fd, target);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ctr-probe [options] list | all | NAME...\n"
		   "  --mode unprivileged|privileged   what the container is (default unprivileged)\n"
		   "  --host-pid PID          a host process's pid (the container's monitor)\n"
		   "  --host-marker STRING    an argument of a host process the runner started\n"
		   "  --host-dev MAJ:MIN      the host root filesystem's block device\n"
		   "  --host-path PATH        a path that exists on the host only\n"
		   "  --other-pid PID         another container's init (host pid)\n"
		   "  --other-root PATH       another container's rootfs (host path)\n"
		   "  --pids-max N            the container's pids limit\n"
		   "  --shm-max-mib N         the size of /dev/shm (default 64)\n"
		   "  --hostname-probe NAME   the hostname the sethostname probe sets\n"
		   "  --exe-race-seconds N    how long proc-exe-race watches (default 0: skipped)\n"
		   "Prints PASS/FAIL/SKIP per probe; exit status 0 when nothing failed.\n");
}

static int parse_int(const char *s, const char *opt)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX) {
		fprintf(stderr, "ctr-probe: invalid value '%s' for %s\n", s, opt);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "host-pid", required_argument, NULL, 'p' },
		{ "host-marker", required_argument, NULL, 'k' },
		{ "host-dev", required_argument, NULL, 'd' },
		{ "host-path", required_argument, NULL, 'P' },
		{ "other-pid", required_argument, NULL, 'o' },
		{ "other-root", required_argument, NULL, 'r' },
		{ "pids-max", required_argument, NULL, 'n' },
		{ "shm-max-mib", required_argument, NULL, 's' },
		{ "hostname-probe", required_argument, NULL, 'H' },
		{ "exe-race-seconds", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct probe *run[N_PROBES];
	size_t n_run = 0;
	int c, failed = 0;

	/* The legit-setuid probe's copy, run setuid root: report and do nothing else. */
	if (argc == 2 && !strcmp(argv[1], "__euid"))
		return geteuid() == 0 ? 42 : 43;
	if (getuid() != geteuid() || getgid() != getegid())
		return 2;
	snapshot_fds();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "unprivileged") && strcmp(optarg, "privileged")) {
				fprintf(stderr, "ctr-probe: --mode is unprivileged or privileged\n");
				return 2;
			}
			cfg.privileged = !strcmp(optarg, "privileged");
			break;
		case 'p': cfg.host_pid = parse_int(optarg, "--host-pid"); break;
		case 'k': cfg.host_marker = optarg; break;
		case 'd':
			if (sscanf(optarg, "%u:%u", &cfg.host_major, &cfg.host_minor) != 2) {
				fprintf(stderr, "ctr-probe: --host-dev wants MAJ:MIN\n");
				return 2;
			}
			cfg.have_host_dev = true;
			break;
		case 'P': cfg.host_path = optarg; break;
		case 'o': cfg.other_pid = parse_int(optarg, "--other-pid"); break;
		case 'r': cfg.other_root = optarg; break;
		case 'n': cfg.pids_max = parse_int(optarg, "--pids-max"); break;
		case 's': cfg.shm_max_mib = parse_int(optarg, "--shm-max-mib"); break;
		case 'H': cfg.hostname_probe = optarg; break;
		case 'x': cfg.exe_race_seconds = parse_int(optarg, "--exe-race-seconds"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "list")) {
		for (size_t i = 0; i < N_PROBES; i++)
			printf("%-22s %-7s %s\n", probes[i].name, kind_names[probes[i].kind], probes[i].what);
		return 0;
	}
	for (int a = optind; a < argc; a++) {
		bool found = false;

		for (size_t i = 0; i < N_PROBES; i++) {
			if (strcmp(argv[a], "all") && strcmp(argv[a], probes[i].name))
				continue;
			found = true;
			if (n_run < N_PROBES)
				run[n_run++] = &probes[i];
		}
		if (!found) {
			fprintf(stderr, "ctr-probe: no probe named '%s' (see 'ctr-probe list')\n", argv[a]);
			return 2;
		}
	}
	/* Orphans of a probe come back here to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < n_run; i++)
		failed += run_probe(run[i]) == FAIL;
	return failed ? 1 : 0;
}
