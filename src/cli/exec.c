#include "config.h"

#include <string.h>

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "allow-new-privileges", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_strv_ char **env = NULL;
	struct ctr_exec_opts o = { 0 };
	struct ctr_error *err = NULL;
	int c, r, status = 0;

	while ((c = cli_getopt(cli, argc, argv, "te:w:", opts)) != -1) {
		switch (c) {
		case 't': o.tty = true; break;
		case 'e':
			if (strv_push(&env, optarg) < 0)
				return 125;
			break;
		case 'w': o.cwd = optarg; break;
		case 'N': o.allow_new_privileges = true; break;
		default: return 2;
		}
	}
	if (argc - optind < 1)
		return cli_usage_error(cli, "missing container NAME");
	if (argc - optind < 2)
		return cli_usage_error(cli, "missing the command to run (ctr exec NAME -- CMD ARGS)");
	o.argv = argv + optind + 1;
	o.env = env;
	r = ctr_exec(cli->ctx, argv[optind], &o, &status, &err);
	if (r < 0) {
		/* Our exit status is the command's: ctr's own failures are 125,
		 * a command that cannot run 126, one that is not there 127. */
		ctr_error_wrap(&err, "exec %s", argv[optind]);
		r = cli_fail(cli, err, cli_exec_failure_code(err));
		ctr_error_free(&err);
		return r;
	}
	return status;
}

const struct cli_command cli_exec = {
	.name = "exec",
	.run = run,
	.usage = "NAME [-t] [--env K=V]... [--cwd DIR] [--allow-new-privileges] -- CMD [ARGS...]",
	.summary = "run a command inside a running container; exits with its status",
	.help = "  -t, --tty             allocate a pty in the container for the command\n"
		"  -e, --env K=V         set an environment variable (repeatable)\n"
		"  -w, --cwd DIR         working directory inside the container (default: process.cwd)\n"
		"      --allow-new-privileges\n"
		"                        no no_new_privs: setuid programs the command runs gain their\n"
		"                        privileges (by default they do not; see ctr-security(7))\n",
};
