/* Small helpers shared by the library: cleanup attributes, file I/O, string
 * vectors, signals. Deliberately includes only what its declarations need. */
#ifndef CTR_UTIL_H
#define CTR_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
void strv_free(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}

#define _cleanup_free_	   _cleanup_(freep)
#define _cleanup_close_	   _cleanup_(closep)
#define _cleanup_fclose_   _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_	   _cleanup_(strv_freep)

#define TAKE_FD(fd)              \
	({                       \
		int _fd_ = (fd); \
		(fd) = -1;       \
		_fd_;            \
	})
#define TAKE_PTR(p)                  \
	({                           \
		typeof(p) _p_ = (p); \
		(p) = NULL;          \
		_p_;                 \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Errors from the C library as -errno. */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

int write_all(int fd, const void *buf, size_t len);
/* Write dirfd/name atomically: temp file, rename over the old one. With
 * durable, also fsync the file before and the directory after the rename, so
 * that a power cut leaves the old or the new content. Volatile run state
 * (gone at reboot anyway) is written without. */
int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode, bool durable);
/* Read a whole (small) file; fails with -EFBIG beyond max bytes. Result is NUL-terminated. */
int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);
/* The same from an open descriptor, to its end. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);
/* openat2(2) with O_CLOEXEC added: the descriptor, or -errno. resolve takes
 * RESOLVE_* (linux/openat2.h): RESOLVE_IN_ROOT and friends keep a path
 * inside a container's root. */
int openat2_fd(int dirfd, const char *path, int flags, unsigned long long resolve);
int mkdir_p(const char *path, mode_t mode);
/* Remove dirfd/name recursively, never crossing into another filesystem and never
 * following symlinks. */
int rm_rf_at(int dirfd, const char *name);

size_t strv_length(char *const *v);
char **strv_copy(char *const *v);
int strv_push(char ***v, const char *s);
/* Split a command line into words: whitespace separates, '...' and "..." quote,
 * backslash escapes. Used for --init 'CMD ARGS'. */
int strv_split_command(const char *s, char ***ret);
/* Join words for display, quoting those that need it. */
char *strv_join_command(char *const *v);

/* "SIGUSR2", "USR2", "12", "RTMIN+3" -> signal number; -EINVAL if unknown. */
int signal_from_string(const char *s);
/* Writes "SIGUSR2" or "SIGRTMIN+3" into buf. */
const char *signal_to_string(int sig, char buf[static 16]);

/* Start time of a process in clock ticks since boot (field 22 of
 * /proc/PID/stat): with its pid, what identifies it. -ESRCH for a zombie,
 * -ENOENT when there is no such process. */
int proc_starttime(pid_t pid, unsigned long long *ret);

/* RFC 3339 UTC timestamp for a time in seconds. */
void format_rfc3339(long long t, char buf[static 32]);

int fd_set_nonblock(int fd, bool on);

#endif
