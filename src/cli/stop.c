#include "config.h"

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

static int run_stop(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	int c, r, timeout = -1;

	while ((c = cli_getopt(cli, argc, argv, "t:", opts)) != -1) {
		if (c != 't')
			return 2;
		timeout = cli_parse_uint(cli, "--timeout", optarg, 86400);
		if (timeout < 0)
			return 2;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_stop(cli->ctx, argv[optind], timeout, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "stop %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

static int run_kill(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct ctr_error *err = NULL;
	int c, r, sig = 15;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1)
		return 2;
	if (cli_positional(cli, argc, argv, 1, 2, "container NAME") < 0)
		return 2;
	if (argc - optind == 2) {
		sig = signal_from_string(argv[optind + 1]);
		if (sig < 0)
			return cli_usage_error(cli, "unknown signal '%s'", argv[optind + 1]);
	}
	r = ctr_kill(cli->ctx, argv[optind], sig, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "kill %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_stop = {
	.name = "stop",
	.run = run_stop,
	.usage = "NAME [--timeout S]",
	.summary = "shut a container down: stop signal to init, SIGKILL to all after S seconds",
	.help = "  -t, --timeout S       grace period (default: the config's stopTimeout, 10);\n"
		"                        0 kills at once\n",
};

const struct cli_command cli_kill = {
	.name = "kill",
	.run = run_kill,
	.usage = "NAME [SIGNAL]",
	.summary = "send a signal (default SIGTERM) to the container's init",
	.help = "",
};
