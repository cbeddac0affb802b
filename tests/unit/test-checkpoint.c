/* Unit tests of the checkpoint record (ctr-checkpoint.json: it also comes
 * from another host in a migration) and of the CRIU version check. No CRIU
 * runs here: the integration tests (checkpoint.bats) dump and restore. */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/criu.h"
#include "error.h"
#include "tap.h"

static void test_version(void)
{
	int v = 0;

	ok(ctr_criu_parse_version("Version: 4.2.1\n", &v) == 0, "4.2.1 parses");
	is_int(v, 40201, "4.2.1 is 40201");
	ok(ctr_criu_parse_version("Version: 3.17\nGitID: v3.17\n", &v) == 0, "3.17 parses");
	is_int(v, 31700, "3.17 is 31700");
	ok(ctr_criu_parse_version("Warn: x\nVersion: 4.10.2\n", &v) == 0, "a line before");
	is_int(v, 41002, "4.10.2 is 41002");
	ok(ctr_criu_parse_version("criu 4.2", &v) < 0, "no 'Version:'");
	ok(ctr_criu_parse_version("Version: x.y", &v) < 0, "not numbers");
	ok(ctr_criu_parse_version(NULL, &v) < 0, "nothing");
	ok(ctr_criu_parse_version("Version: 4.200.1", &v) < 0, "out of range");
}

static void test_find(void)
{
	char dir[] = "/tmp/ctr-test-criu.XXXXXX", path[64];
	struct ctr_error *err = NULL;
	char *found = NULL;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/criu", dir);
	f = fopen(path, "w");
	fputs("#!/bin/sh\necho 'Version: 3.17.1'\n", f);
	fclose(f);
	chmod(path, 0755);
	setenv("CTR_CRIU", path, 1);
	ok(ctr_criu_find(&found, NULL, &err) < 0, "an old criu is refused");
	is_int(err ? err->kind : 0, CTR_ERR_UNSUPPORTED, "as unsupported");
	contains(err ? err->msg : "", "is CRIU 3.17.1; checkpoint and restore need CRIU 4.2 or newer", "message");
	ctr_error_free(&err);
	f = fopen(path, "w");
	fputs("#!/bin/sh\necho 'Version: 4.2.1'\n", f);
	fclose(f);
	ok(ctr_criu_find(&found, NULL, &err) == 0, "4.2.1 is taken");
	is_str(found, path, "the one CTR_CRIU names");
	free(found);
	ctr_error_free(&err);
	setenv("CTR_CRIU", "/nonexistent/criu", 1);
	ok(ctr_criu_find(&found, NULL, &err) < 0, "a missing CTR_CRIU is refused");
	contains(err ? err->msg : "", "not an executable", "message");
	ctr_error_free(&err);
	unsetenv("CTR_CRIU");
	unlink(path);
	rmdir(dir);
}

static const char good[] = "{\"format\":1,\"name\":\"web1\",\"created\":1795264351,\"criu\":40201,"
			   "\"leaveRunning\":true,\"tty\":\"tty[8800:2c]\",\"console\":true,\"dev\":true,"
			   "\"netns\":true,\"masks\":[\"ctr-mask-f-0\",\"ctr-mask-d-1\"],"
			   "\"network\":[{\"type\":\"veth\",\"name\":\"eth0\",\"bridge\":\"ctr0\","
			   "\"ips\":[\"10.1.0.2/24\"],\"mac\":\"02:00:00:00:00:01\"}]}";

static void test_record(void)
{
	struct ctr_cpt_record m = { 0 }, again = { 0 };
	struct ctr_error *err = NULL;
	char *json = NULL;
	size_t len = 0;

	ok(ctr_cpt_record_parse(good, "t", &m, &err) == 0, "a record parses");
	if (err)
		printf("# %s\n", err->msg);
	ctr_error_free(&err);
	is_str(m.name, "web1", "name");
	is_int(m.criu_version, 40201, "criu version");
	ok(m.leave_running && m.console && m.dev && m.netns, "flags");
	is_str(m.tty, "tty[8800:2c]", "tty key");
	ok(m.masks && m.masks[0] && m.masks[1] && !m.masks[2], "two masks");
	is_int(m.net.n, 1, "one interface");
	ok(ctr_cpt_record_to_json(&m, &json, &len) == 0, "and is written back");
	ok(json && ctr_cpt_record_parse(json, "t", &again, &err) == 0, "which parses again");
	is_str(again.masks ? again.masks[1] : NULL, "ctr-mask-d-1", "the same masks");
	is_str(again.net.n ? again.net.ifs[0].ips[0] : NULL, "10.1.0.2/24", "the same address");
	free(json);
	ctr_cpt_record_done(&m);
	ctr_cpt_record_done(&again);
	ctr_error_free(&err);

	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "{", "malformed" },
		{ "{\"format\":2,\"name\":\"a\",\"masks\":[],\"network\":[]}", "another format" },
		{ "{\"format\":1,\"masks\":[],\"network\":[]}", "no name" },
		{ "{\"format\":1,\"name\":\"a\",\"masks\":[\"--root=/\"],\"network\":[]}",
		  "a mask key of another kind" },
		{ "{\"format\":1,\"name\":\"a\",\"masks\":[\"ctr-mask-x-0\"],\"network\":[]}",
		  "neither file nor directory" },
		{ "{\"format\":1,\"name\":\"a\",\"tty\":\"tty[1:2]x\",\"masks\":[],\"network\":[]}", "a bad tty key" },
		{ "{\"format\":1,\"name\":\"a\",\"masks\":[],\"network\":[{\"type\":\"nope\"}]}", "a bad interface" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctr_cpt_record r = { 0 };

		ok(ctr_cpt_record_parse(bad[i].json, "t", &r, &err) < 0 && err, "refused: %s", bad[i].why);
		is_int(err ? err->kind : 0, CTR_ERR_INVALID_CONFIG, "as an invalid record: %s", bad[i].why);
		ctr_error_free(&err);
		ctr_cpt_record_done(&r);
	}
}

int main(void)
{
	test_version();
	test_find();
	test_record();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
