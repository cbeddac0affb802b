/* The ctr command line: parse, call the core, print. No logic of its own. */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include <stdbool.h>

struct ctr_context;
struct ctr_error;

struct cli {
	struct ctr_context *ctx;
	bool json;
	const char *command;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage; /* after "ctr NAME " */
	const char *summary;
	const char *help; /* options, one per line */
	bool config_help; /* followed by the resource and security options */
};

/* Print the error (text on stderr; JSON on stdout too with --json) and return
 * the exit code for it. */
int cli_fail(struct cli *cli, struct ctr_error *err, int exit_code);
/* Exit code when ctr exec or start --foreground failed: the shell's 126/127
 * when execve of the program failed, else 125 (usage errors stay 2). */
int cli_exec_failure_code(const struct ctr_error *err);
/* Usage error: message + hint, exit 2. */
int cli_usage_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_command_help(const struct cli_command *c);
/* getopt_long over the command's own options with --help built in; returns the
 * option char, -1 at the end, '?' after printing a usage error. */
bool cli_wants_help(int argc, char **argv);
/* Print a finished yajl document as one line on stdout (flushed). */
typedef struct yajl_gen_t *yajl_gen;
void cli_print_json(yajl_gen g);

extern const struct cli_command cli_create, cli_start, cli_restart, cli_stop, cli_kill, cli_exec, cli_console, cli_list,
	cli_info, cli_destroy, cli_config, cli_set, cli_pause, cli_resume, cli_stats, cli_checkpoint, cli_restore,
	cli_migrate, cli_migrate_receive;

#endif
