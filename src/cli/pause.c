#include "config.h"

#include "../container.h"
#include "args.h"
#include "cli.h"

static int run_pause_resume(struct cli *cli, int argc, char **argv, bool pause)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct ctr_error *err = NULL;
	int r;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return 2;
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = pause ? ctr_pause(cli->ctx, argv[optind], &err) : ctr_resume(cli->ctx, argv[optind], &err);
	if (r < 0) {
		ctr_error_wrap(&err, "%s %s", pause ? "pause" : "resume", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

static int run_pause(struct cli *cli, int argc, char **argv)
{
	return run_pause_resume(cli, argc, argv, true);
}

static int run_resume(struct cli *cli, int argc, char **argv)
{
	return run_pause_resume(cli, argc, argv, false);
}

const struct cli_command cli_pause = {
	.name = "pause",
	.run = run_pause,
	.usage = "NAME",
	.summary = "freeze all processes of a running container (state: paused)",
	.help = "",
};

const struct cli_command cli_resume = {
	.name = "resume",
	.run = run_resume,
	.usage = "NAME",
	.summary = "thaw a paused container",
	.help = "",
};
