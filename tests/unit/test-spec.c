/* Config documents: parse, validate, emit, and the round trip between them. */
#include "config.h"

#include <sched.h>
#include <signal.h>
#include <errno.h>
#include <stdlib.h>

#include "error.h"
#include "spec.h"
#include "util.h"
#include "tap.h"

/* Parse; on failure return the error message (caller frees) in *msg. */
static int parse(const char *json, struct ctr_spec **ret, char **msg, int *kind)
{
	struct ctr_error *err = NULL;
	int r = ctr_spec_parse(json, strlen(json), ret, &err);

	*msg = NULL;
	*kind = 0;
	if (err) {
		*msg = strdup(err->msg);
		*kind = err->kind;
	}
	ctr_error_free(&err);
	return r;
}

static void expect_error(const char *json, const char *fragment, const char *what)
{
	struct ctr_spec *s = NULL;
	char *msg;
	int kind, r = parse(json, &s, &msg, &kind);

	ok(r < 0 && s == NULL, "%s is refused", what);
	is_int(kind, CTR_ERR_INVALID_CONFIG, "%s: kind is invalid-config", what);
	contains(msg, fragment, "%s: message names '%s'", what, fragment);
	free(msg);
	ctr_spec_free(s);
}

static void test_defaults_round_trip(void)
{
	struct ctr_spec *s = NULL, *back = NULL;
	char *json = NULL, *json2 = NULL, *msg;
	int kind;

	is_int(ctr_spec_new_default("web1", &s), 0, "default spec");
	is_str(s->hostname, "web1", "default hostname is the name");
	is_str(s->args[0], "/sbin/init", "default init");
	is_int(s->stop_signal, SIGUSR2, "default stop signal");
	ok((s->namespaces & (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET)) == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET),
	   "default namespaces include pid, mount, net");
	is_int(ctr_spec_to_json(s, &json, NULL), 0, "emit");
	contains(json, "\"ociVersion\"", "emitted document has ociVersion");
	contains(json, "\"stopSignal\": \"SIGUSR2\"", "stop signal emitted by name");
	is_int(parse(json, &back, &msg, &kind), 0, "emitted document parses back");
	free(msg);
	is_int(ctr_spec_to_json(back, &json2, NULL), 0, "emit again");
	is_str(json2, json, "round trip is stable");
	ctr_spec_free(s);
	ctr_spec_free(back);
	free(json);
	free(json2);
}

static void test_full_document(void)
{
	const char *doc =
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"args\":[\"/bin/sh\",\"-c\",\"x y\"],"
		"\"env\":[\"A=1\"],\"cwd\":\"/root\"},\"root\":{\"path\":\"/srv/r\",\"readonly\":true},"
		"\"hostname\":\"h-1.example\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]},"
		"\"ctr\":{\"template\":\"/srv/t\",\"stopSignal\":\"RTMIN+3\",\"stopTimeout\":30}}";
	struct ctr_spec *s = NULL;
	char *msg;
	int kind;

	is_int(parse(doc, &s, &msg, &kind), 0, "full document parses");
	free(msg);
	if (!s)
		return;
	is_int(strv_length(s->args), 3, "three args");
	is_str(s->args[2], "x y", "arg with a space");
	is_str(s->cwd, "/root", "cwd");
	ok(s->terminal, "terminal true");
	ok(s->root_readonly, "readonly root");
	is_str(s->root_path, "/srv/r", "absolute root path");
	is_int(s->namespaces, CLONE_NEWPID | CLONE_NEWNS, "only the listed namespaces");
	is_int(s->stop_signal, SIGRTMIN + 3, "RTMIN+3");
	is_int(s->stop_timeout, 30, "stop timeout");
	ctr_spec_free(s);
}

static void test_errors(void)
{
	expect_error("{", "malformed JSON", "truncated document");
	expect_error("[]", "expected a JSON object", "array document");
	expect_error("{\"process\":{\"args\":[\"/bin/sh\",3]}}", "process.args[1]", "number in args");
	expect_error("{\"process\":{\"args\":[]}}", "process.args", "empty args");
	expect_error("{\"process\":{\"args\":\"/sbin/init\"}}", "process.args", "string for args");
	expect_error("{\"process\":{\"env\":[\"NOEQUALS\"]}}", "process.env[0]", "env without '='");
	expect_error("{\"process\":{\"cwd\":\"relative\"}}", "process.cwd", "relative cwd");
	expect_error("{\"process\":{\"terminal\":\"yes\"}}", "process.terminal", "string for a bool");
	expect_error("{\"process\":{\"terminal\":false}}", "not supported yet", "terminal false (not built yet)");
	expect_error("{\"process\":{\"user\":{}}}", "process.user: unknown field", "unsupported process field");
	expect_error("{\"mounts\":[]}", "mounts: unknown field", "unsupported top-level field");
	expect_error("{\"hostname\":5}", "hostname", "number hostname");
	expect_error("{\"hostname\":\"bad host\"}", "hostname", "hostname with a space");
	expect_error("{\"root\":{\"path\":\"\"}}", "root.path", "empty root path");
	expect_error("{\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}", "mount namespace is required",
		     "no mount namespace");
	expect_error("{\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}", "pid namespace is required",
		     "no pid namespace");
	expect_error("{\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}", "linux.namespaces[0].type",
		     "unknown namespace type");
	expect_error("{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}", "listed twice",
		     "duplicate namespace");
	expect_error("{\"linux\":{\"namespaces\":[{\"type\":\"net\",\"path\":\"/x\"}]}}", "not supported",
		     "namespace path");
	expect_error("{\"ctr\":{\"stopSignal\":\"SIGKILL\"}}", "ctr.stopSignal", "SIGKILL as stop signal");
	expect_error("{\"ctr\":{\"stopTimeout\":-1}}", "ctr.stopTimeout", "negative timeout");
	expect_error("{\"ociVersion\":\"2.0\"}", "ociVersion", "unknown major version");
}

static void test_hostname(void)
{
	is_int(ctr_hostname_validate("a"), 0, "one-letter hostname");
	is_int(ctr_hostname_validate("web-1.example.com"), 0, "dotted hostname");
	ok(ctr_hostname_validate("") < 0, "empty hostname refused");
	ok(ctr_hostname_validate("-x") < 0, "leading dash refused");
	ok(ctr_hostname_validate("a_b") < 0, "underscore refused");
	ok(ctr_hostname_validate("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") < 0,
	   "65 chars refused");
}

int main(void)
{
	test_defaults_round_trip();
	test_full_document();
	test_errors();
	test_hostname();
	return tap_done();
}
