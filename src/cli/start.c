#include "config.h"

#include "../container.h"
#include "args.h"
#include "cli.h"

static int finish(struct cli *cli, const char *what, const char *name, int r, struct ctr_error *err, int fail_code)
{
	if (r < 0) {
		ctr_error_wrap(&err, "%s %s", what, name);
		r = cli_fail(cli, err, fail_code);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

static int run_start(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	bool foreground = false;
	int c, r, status = 0;

	while ((c = cli_getopt(cli, argc, argv, "F", opts)) != -1) {
		if (c != 'F')
			return 2;
		foreground = true;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_start(cli->ctx, argv[optind], foreground, &status, &err);
	if (r < 0)
		/* In the foreground our exit status is init's, so ctr's own failure
		 * uses the shell's 125 (the JSON error still says which kind). */
		return finish(cli, "start", argv[optind], r, err, foreground ? cli_exec_failure_code(err) : 0);
	return foreground ? status : 0;
}

static int run_restart(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	int c, r, timeout = -1;

	while ((c = cli_getopt(cli, argc, argv, "t:", opts)) != -1) {
		if (c != 'T' && c != 't')
			return 2;
		timeout = cli_parse_uint(cli, "--timeout", optarg, 86400);
		if (timeout < 0)
			return 2;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_stop(cli->ctx, argv[optind], timeout, &err);
	if (r < 0 && err && err->kind == CTR_ERR_WRONG_STATE) {
		/* restart of a stopped container just starts it */
		ctr_error_free(&err);
		r = 0;
	}
	if (r == 0)
		r = ctr_start(cli->ctx, argv[optind], false, NULL, &err);
	return finish(cli, "restart", argv[optind], r, err, 0);
}

const struct cli_command cli_start = {
	.name = "start",
	.run = run_start,
	.usage = "NAME [--foreground]",
	.summary = "boot a container; returns once its init runs",
	.help = "  -F, --foreground      stay as the container's supervisor; exit with init's status\n",
};

const struct cli_command cli_restart = {
	.name = "restart",
	.run = run_restart,
	.usage = "NAME [--timeout S]",
	.summary = "stop (if running) and start a container",
	.help = "  -t, --timeout S       grace period before SIGKILL (default: the config's stopTimeout)\n",
};
