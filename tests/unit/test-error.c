/* The error convention: -errno returns, records that gain context. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "error.h"
#include "tap.h"

int main(void)
{
	struct ctr_error *err = NULL;

	is_int(ctr_error_sys(&err, ENOENT, "exec %s", "/sbin/init"), -ENOENT, "sys error returns -errno");
	is_str(err->msg, "exec /sbin/init: No such file or directory", "errno text appended");
	is_int(err->kind, CTR_ERR_SYSTEM, "kind system");
	is_int(ctr_error_wrap(&err, "start %s", "web1"), -ENOENT, "wrap returns -errno");
	is_str(err->msg, "start web1: exec /sbin/init: No such file or directory", "context prepended");
	is_int(ctr_error_sys(&err, EPERM, "later"), -EPERM, "second error still returns its errno");
	is_str(err->msg, "start web1: exec /sbin/init: No such file or directory", "the first error is kept");
	is_int(ctr_error_exit_code(err), 1, "system error exits 1");
	ctr_error_free(&err);
	ok(err == NULL, "free clears the pointer");
	ctr_error_free(&err);

	is_int(ctr_error_user(&err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist", "x"), -ENOENT,
	       "user error returns -errno");
	is_str(err->msg, "container 'x' does not exist", "user message stands alone");
	is_int(ctr_error_exit_code(err), 3, "not found exits 3");
	is_str(ctr_err_kind_to_string(err->kind), "not-found", "kind name");
	ctr_error_free(&err);

	is_int(ctr_error_user(NULL, CTR_ERR_BUSY, EBUSY, "ignored"), -EBUSY, "NULL record is allowed");
	is_int(ctr_error_wrap(&err, "nothing to wrap"), -EIO, "wrapping nothing");
	is_int(ctr_error_from_errno(&err, -EACCES, "open %s", "x"), -EACCES, "from errno");
	is_str(err->msg, "open x: Permission denied", "from errno message");
	ctr_error_free(&err);

	is_int(ctr_error_exit_code(NULL), 1, "no record exits 1");
	is_str(ctr_err_kind_to_string(CTR_ERR_WRONG_STATE), "wrong-state", "wrong-state name");
	is_str(ctr_err_kind_to_string(CTR_ERR_BUSY), "busy", "busy name");
	is_str(ctr_err_kind_to_string(CTR_ERR_EXISTS), "exists", "exists name");
	is_str(ctr_err_kind_to_string(CTR_ERR_INVALID_CONFIG), "invalid-config", "invalid-config name");
	is_str(ctr_err_kind_to_string(CTR_ERR_USAGE), "usage", "usage name");
	return tap_done();
}
