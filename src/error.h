/* One error convention for the whole library: functions return >= 0 on success
 * and -errno on failure; public entry points also fill an optional error record
 * whose message gains context as it rises ("start web1: mount /proc: ..."). */
#ifndef CTR_ERROR_H
#define CTR_ERROR_H

#include <stdbool.h>

/* What kind of failure it is decides the exit code; errno says why. */
enum ctr_err_kind {
	CTR_ERR_SYSTEM = 1,	    /* the kernel or the machine refused something */
	CTR_ERR_USAGE = 2,	    /* bad option, name or value */
	CTR_ERR_NOT_FOUND = 3,	    /* container, template, rootfs */
	CTR_ERR_WRONG_STATE = 4,    /* running when it must be stopped, ... */
	CTR_ERR_BUSY = 5,	    /* locked by another command */
	CTR_ERR_EXISTS = 6,	    /* name taken */
	CTR_ERR_INVALID_CONFIG = 7, /* malformed or wrongly typed configuration */
	CTR_ERR_UNSUPPORTED = 8,    /* the host lacks what it takes (CRIU version, kernel feature) */
	_CTR_ERR_KIND_MAX,
};

struct ctr_error {
	enum ctr_err_kind kind;
	int errnum;	  /* positive errno, 0 if none applies */
	bool exec_failed; /* execve of the program itself failed (shell's 126/127) */
	char *msg;
};

const char *ctr_err_kind_to_string(enum ctr_err_kind kind);

/* Record an error with the kernel's reason appended ("mount /proc: EPERM text").
 * Returns -errnum so that callers can `return ctr_error_sys(...)`. */
int ctr_error_sys(struct ctr_error **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record an error whose message stands alone. Returns -errnum. */
int ctr_error_user(struct ctr_error **err, enum ctr_err_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix the message with context: "context: message". Returns -errnum of the
 * recorded error (or -EIO when there is none). */
int ctr_error_wrap(struct ctr_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Turn a bare -errno into a record when a helper returned one without a record. */
int ctr_error_from_errno(struct ctr_error **err, int negerrno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void ctr_error_free(struct ctr_error **err);

/* Exit code for a failed command, from the kind of error. */
int ctr_error_exit_code(const struct ctr_error *err);

#endif
