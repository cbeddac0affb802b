#include "config.h"

#include <stdio.h>

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

static int fail(struct cli *cli, struct ctr_error *err, const char *what, const char *name)
{
	int r;

	ctr_error_wrap(&err, "%s %s", what, name);
	r = cli_fail(cli, err, 0);
	ctr_error_free(&err);
	return r;
}

static int run_config(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_free_ char *json = NULL;
	struct ctr_error *err = NULL;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return 2;
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	if (ctr_config_read(cli->ctx, argv[optind], &spec, &err) < 0)
		return fail(cli, err, "config", argv[optind]);
	if (ctr_spec_to_json(spec, &json, NULL) < 0)
		return 1;
	fputs(json, stdout);
	return 0;
}

static int run_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hostname", required_argument, NULL, 'H' },	 { "init", required_argument, NULL, 'i' },
		{ "stop-signal", required_argument, NULL, 's' }, { "stop-timeout", required_argument, NULL, 'T' },
		{ "net", required_argument, NULL, 'n' },	 { "dns", required_argument, NULL, 'D' },
		{ "search", required_argument, NULL, 'S' },	 { NULL, 0, NULL, 0 },
	};
	_cleanup_free_ struct option *all = cli_with_config_options(opts);
	_cleanup_(cli_config_options_done) struct cli_config_options co = { 0 };
	_cleanup_(cli_net_options_done) struct cli_net_options net = { 0 };
	bool net_pending = false;
	struct ctr_set_opts o = { .stop_timeout = -1 };
	struct ctr_error *err = NULL;
	bool any = false;
	int c, r;

	if (!all)
		return 1;
	while ((c = cli_getopt(cli, argc, argv, "", all)) != -1) {
		any = true;
		r = cli_collect_net(c, optarg, &net);
		if (r < 0)
			return 1;
		if (r > 0)
			continue;
		if (CLI_IS_CONFIG_OPT(c)) {
			if (cli_collect_option(c, optarg, &co) < 0)
				return 1;
			continue;
		}
		switch (c) {
		case 'H': o.hostname = optarg; break;
		case 'i': o.init = optarg; break;
		case 's': o.stop_signal = optarg; break;
		case 'T':
			o.stop_timeout = cli_parse_uint(cli, "--stop-timeout", optarg, 86400);
			if (o.stop_timeout < 0)
				return 2;
			break;
		default: return 2;
		}
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	if (!any)
		return cli_usage_error(cli, "nothing to set: give at least one option");
	o.resources = co.resources;
	o.security = co.security;
	o.nets = net.nets;
	o.dns = net.dns;
	o.search = net.search;
	o.ret_net_pending = &net_pending;
	if (ctr_set(cli->ctx, argv[optind], &o, &err) < 0)
		return fail(cli, err, "set", argv[optind]);
	if (net_pending)
		fprintf(stderr,
			"ctr: set %s: saved; the container is running and gets its new interfaces at its next "
			"start (only address changes apply at once)\n",
			argv[optind]);
	return 0;
}

const struct cli_command cli_config = {
	.name = "config",
	.run = run_config,
	.usage = "NAME",
	.summary = "print a container's config document (JSON)",
	.help = "",
};

const struct cli_command cli_set = {
	.name = "set",
	.run = run_set,
	.usage = "NAME [--hostname H] [--init 'CMD ARGS'] [--stop-signal SIG] [--stop-timeout S] [--net SPEC]... "
		 "[--dns ADDR]... [--search DOMAIN]... "
		 "[LIMITS] [SECURITY]",
	.summary = "change a container's config (limits apply at once when it runs)",
	.help = "      --hostname H      hostname inside the container\n"
		"      --init 'CMD ARGS' the container's init\n"
		"      --stop-signal SIG signal that asks init to shut down\n"
		"      --stop-timeout S  default grace period of 'ctr stop'\n"
		"      --net SPEC        the container's interfaces, replacing all (repeat for more;\n"
		"                        'none': loopback only); at the next start, but added or\n"
		"                        removed addresses at once (ctr-network(7))\n"
		"      --dns ADDR        nameservers, replacing all ('none': leave resolv.conf alone)\n"
		"      --search DOMAIN   search domains, replacing all ('none': no search line)\n",
	.config_help = true,
};
