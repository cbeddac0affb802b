#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const kind_names[_CTR_ERR_KIND_MAX] = {
	[CTR_ERR_SYSTEM] = "system",
	[CTR_ERR_USAGE] = "usage",
	[CTR_ERR_NOT_FOUND] = "not-found",
	[CTR_ERR_WRONG_STATE] = "wrong-state",
	[CTR_ERR_BUSY] = "busy",
	[CTR_ERR_EXISTS] = "exists",
	[CTR_ERR_INVALID_CONFIG] = "invalid-config",
	[CTR_ERR_UNSUPPORTED] = "unsupported",
};

const char *ctr_err_kind_to_string(enum ctr_err_kind kind)
{
	if (kind <= 0 || kind >= _CTR_ERR_KIND_MAX)
		return "system";
	return kind_names[kind];
}

static int record(struct ctr_error **err, enum ctr_err_kind kind, int errnum, char *msg)
{
	int ret = errnum > 0 ? -errnum : -EIO;

	if (!err) {
		free(msg);
		return ret;
	}
	/* Keep the first (innermost) error: later ones are consequences. */
	if (*err) {
		free(msg);
		return ret;
	}
	*err = calloc(1, sizeof(**err));
	if (!*err) {
		free(msg);
		return ret;
	}
	(*err)->kind = kind;
	(*err)->errnum = errnum;
	(*err)->msg = msg ? msg : strdup("out of memory");
	return ret;
}

int ctr_error_sys(struct ctr_error **err, int errnum, const char *fmt, ...)
{
	char *head = NULL, *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head && asprintf(&msg, "%s: %s", head, strerror(errnum)) < 0)
		msg = NULL;
	free(head);
	return record(err, CTR_ERR_SYSTEM, errnum, msg);
}

int ctr_error_user(struct ctr_error **err, enum ctr_err_kind kind, int errnum, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	return record(err, kind, errnum, msg);
}

int ctr_error_from_errno(struct ctr_error **err, int negerrno, const char *fmt, ...)
{
	char *head = NULL, *msg = NULL;
	va_list ap;

	if (err && *err)
		return (*err)->errnum > 0 ? -(*err)->errnum : -EIO;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head && asprintf(&msg, "%s: %s", head, strerror(-negerrno)) < 0)
		msg = NULL;
	free(head);
	return record(err, CTR_ERR_SYSTEM, -negerrno, msg);
}

int ctr_error_wrap(struct ctr_error **err, const char *fmt, ...)
{
	char *ctx = NULL, *msg = NULL;
	va_list ap;

	if (!err || !*err)
		return -EIO;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return (*err)->errnum > 0 ? -(*err)->errnum : -EIO;
}

void ctr_error_free(struct ctr_error **err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int ctr_error_exit_code(const struct ctr_error *err)
{
	if (!err || err->kind <= 0 || err->kind >= _CTR_ERR_KIND_MAX)
		return 1;
	return (int)err->kind;
}
