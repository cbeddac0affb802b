#include "config.h"

#include <sys/syscall.h>

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "util.h"

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **strv_copy(char *const *v)
{
	size_t n = strv_length(v);
	char **r = calloc(n + 1, sizeof(char *));

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		r[i] = strdup(v[i]);
		if (!r[i]) {
			strv_free(r);
			return NULL;
		}
	}
	return r;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_length(*v);
	char *copy = strdup(s);
	char **r;

	if (!copy)
		return -ENOMEM;
	r = realloc(*v, (n + 2) * sizeof(char *));
	if (!r) {
		free(copy);
		return -ENOMEM;
	}
	r[n] = copy;
	r[n + 1] = NULL;
	*v = r;
	return 0;
}

int strv_split_command(const char *s, char ***ret)
{
	_cleanup_strv_ char **words = NULL;
	_cleanup_free_ char *cur = malloc(strlen(s) + 1);
	size_t len = 0;
	bool in_word = false;
	char quote = 0;
	int r;

	if (!cur)
		return -ENOMEM;
	for (const char *p = s;; p++) {
		char c = *p;

		if (c == '\0') {
			if (quote)
				return -EINVAL; /* unterminated quote */
			break;
		}
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (c == '\\' && quote == '"' && (p[1] == '"' || p[1] == '\\'))
				cur[len++] = *++p;
			else
				cur[len++] = c;
			continue;
		}
		if (isspace((unsigned char)c)) {
			if (in_word) {
				cur[len] = '\0';
				r = strv_push(&words, cur);
				if (r < 0)
					return r;
				len = 0;
				in_word = false;
			}
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '\\' && p[1])
			cur[len++] = *++p;
		else
			cur[len++] = c;
	}
	if (in_word) {
		cur[len] = '\0';
		r = strv_push(&words, cur);
		if (r < 0)
			return r;
	}
	if (!words)
		return -EINVAL; /* empty command */
	*ret = TAKE_PTR(words);
	return 0;
}

char *strv_join_command(char *const *v)
{
	size_t cap = 1;
	char *out, *o;

	for (size_t i = 0; v && v[i]; i++)
		cap += 2 * strlen(v[i]) + 3;
	out = o = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; v && v[i]; i++) {
		bool plain = v[i][0] != '\0' && strpbrk(v[i], " \t\n'\"\\$`") == NULL;

		if (i)
			*o++ = ' ';
		if (plain) {
			o = stpcpy(o, v[i]);
			continue;
		}
		*o++ = '"';
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o = '\0';
	return out;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode, bool durable)
{
	char tmp[NAME_MAX + 1];
	_cleanup_close_ int fd = -1;
	int r;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return negative_errno();
	r = write_all(fd, buf, len);
	if (r == 0 && durable && fsync(fd) < 0)
		r = negative_errno();
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = negative_errno();
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename itself must survive a power cut too. */
	if (durable)
		(void)fsync(dirfd);
	return 0;
}

int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > max + 2)
				cap = max + 2;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf) {
		buf = strdup("");
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return negative_errno();
	return read_fd_all(fd, max, ret, ret_len);
}

int openat2_fd(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC), .resolve = resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? negative_errno() : (int)fd;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return negative_errno();
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static int rm_rf_children(int dfd, dev_t dev)
{
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dfd);
		return negative_errno();
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		int cfd, r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT && ret == 0)
				ret = negative_errno();
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && ret == 0)
				ret = negative_errno();
			continue;
		}
		if (st.st_dev != dev) {
			/* A mount point: never descend into (and empty) another filesystem. */
			if (ret == 0)
				ret = -EBUSY;
			continue;
		}
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0) {
			if (ret == 0)
				ret = negative_errno();
			continue;
		}
		r = rm_rf_children(cfd, dev);
		if (r < 0 && ret == 0)
			ret = r;
		if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && ret == 0)
			ret = negative_errno();
	}
	return ret;
}

int rm_rf_at(int dirfd, const char *name)
{
	struct stat st;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	r = rm_rf_children(fd, st.st_dev);
	if (r < 0)
		return r;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return negative_errno();
	return 0;
}

static const struct {
	int sig;
	const char *name;
} signal_names[] = {
	{ SIGHUP, "HUP" },	 { SIGINT, "INT" },   { SIGQUIT, "QUIT" },   { SIGILL, "ILL" },	  { SIGTRAP, "TRAP" },
	{ SIGABRT, "ABRT" },	 { SIGBUS, "BUS" },   { SIGFPE, "FPE" },     { SIGKILL, "KILL" }, { SIGUSR1, "USR1" },
	{ SIGSEGV, "SEGV" },	 { SIGUSR2, "USR2" }, { SIGPIPE, "PIPE" },   { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGSTKFLT, "STKFLT" }, { SIGCHLD, "CHLD" }, { SIGCONT, "CONT" },   { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" },
	{ SIGTTIN, "TTIN" },	 { SIGTTOU, "TTOU" }, { SIGURG, "URG" },     { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" }, { SIGIO, "IO" },	  { SIGPWR, "PWR" },
	{ SIGSYS, "SYS" },
};

static int parse_small_int(const char *s, int *ret)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > 1000)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int signal_from_string(const char *s)
{
	int n;

	if (parse_small_int(s, &n) == 0)
		return n >= 1 && n <= SIGRTMAX ? n : -EINVAL;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (!strcasecmp(s, signal_names[i].name))
			return signal_names[i].sig;
	if (!strncasecmp(s, "RTMIN", 5)) {
		if (s[5] == '\0')
			return SIGRTMIN;
		if (s[5] == '+' && parse_small_int(s + 6, &n) == 0 && SIGRTMIN + n <= SIGRTMAX)
			return SIGRTMIN + n;
	}
	if (!strncasecmp(s, "RTMAX", 5)) {
		if (s[5] == '\0')
			return SIGRTMAX;
		if (s[5] == '-' && parse_small_int(s + 6, &n) == 0 && SIGRTMAX - n >= SIGRTMIN)
			return SIGRTMAX - n;
	}
	return -EINVAL;
}

const char *signal_to_string(int sig, char buf[static 16])
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].sig == sig) {
			snprintf(buf, 16, "SIG%s", signal_names[i].name);
			return buf;
		}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, 16, "%d", sig);
	return buf;
}

int proc_starttime(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: parse after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* p: the space before field 3 (state). A process that has exited and
	 * waits to be reaped (its parent may never do it) runs no more. */
	p++;
	if (p[1] == 'Z' || p[1] == 'X')
		return -ESRCH;
	/* On to the space before field 22, starttime. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	*ret = strtoull(p + 1, NULL, 10);
	return 0;
}

void format_rfc3339(long long t, char buf[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int fd_set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return negative_errno();
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags) < 0 ? negative_errno() : 0;
}
