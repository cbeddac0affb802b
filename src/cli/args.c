#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../container.h"
#include "../resources.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char spec[64];
	int c;

	/* ':' first: report a missing argument as ':' rather than '?'. */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == '?') {
		if (optopt)
			cli_usage_error(cli, "unknown option '-%c'", optopt);
		else
			cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		return -2;
	}
	if (c == ':') {
		cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
		return -2;
	}
	return c;
}

int cli_positional(struct cli *cli, int argc, char **argv, int min, int max, const char *what)
{
	int n = argc - optind;

	if (n < min) {
		cli_usage_error(cli, "missing %s", what);
		return -1;
	}
	if (n > max) {
		cli_usage_error(cli, "unexpected argument '%s'", argv[optind + max]);
		return -1;
	}
	return 0;
}

int cli_parse_uint(struct cli *cli, const char *opt, const char *s, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max) {
		cli_usage_error(cli, "invalid value '%s' for %s: expected a number 0..%d", s, opt, max);
		return -1;
	}
	return (int)v;
}

struct option *cli_with_config_options(const struct option *fixed)
{
	size_t n = 0;
	struct option *all;

	while (fixed[n].name)
		n++;
	all = calloc(n + ctr_n_resource_options + ctr_n_security_options + 1, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, fixed, n * sizeof(*all));
	for (size_t i = 0; i < ctr_n_resource_options; i++)
		all[n++] = (struct option){ ctr_resource_options[i].name, required_argument, NULL,
					    CLI_RESOURCE_OPT + (int)i };
	for (size_t i = 0; i < ctr_n_security_options; i++)
		all[n++] = (struct option){ ctr_security_options[i].name, required_argument, NULL,
					    CLI_SECURITY_OPT + (int)i };
	return all;
}

int cli_collect_option(int c, const char *value, struct cli_config_options *o)
{
	const struct ctr_option *opt;
	char ***pairs;

	if (c >= CLI_RESOURCE_OPT && c < CLI_RESOURCE_OPT + (int)ctr_n_resource_options) {
		opt = &ctr_resource_options[c - CLI_RESOURCE_OPT];
		pairs = &o->resources;
	} else if (c >= CLI_SECURITY_OPT && c < CLI_SECURITY_OPT + (int)ctr_n_security_options) {
		opt = &ctr_security_options[c - CLI_SECURITY_OPT];
		pairs = &o->security;
	} else {
		return -EINVAL;
	}
	if (strv_push(pairs, opt->name) < 0 || strv_push(pairs, value) < 0)
		return -ENOMEM;
	return 0;
}

void cli_config_options_done(struct cli_config_options *o)
{
	strv_free(o->resources);
	strv_free(o->security);
	o->resources = o->security = NULL;
}

int cli_collect_net(int c, const char *value, struct cli_net_options *o)
{
	char ***list = c == 'n' ? &o->nets : c == 'D' ? &o->dns : c == 'S' ? &o->search : NULL;

	if (!list)
		return 0;
	return strv_push(list, value) < 0 ? -ENOMEM : 1;
}

void cli_net_options_done(struct cli_net_options *o)
{
	strv_free(o->nets);
	strv_free(o->dns);
	strv_free(o->search);
	o->nets = o->dns = o->search = NULL;
}
