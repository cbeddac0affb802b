/* A container's configuration: an OCI runtime-spec shaped JSON document plus a
 * "ctr" object for what OCI lacks. Read and written with yajl. */
#ifndef CTR_SPEC_H
#define CTR_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "resources.h"

struct ctr_error;
typedef struct yajl_gen_t *yajl_gen;

/* Namespaces a container can have; the bit values are the CLONE_NEW* flags. */
struct ctr_spec {
	char **args; /* process.args: init and its arguments */
	char **env;  /* process.env */
	char *cwd;   /* process.cwd */
	bool terminal;
	char *root_path; /* root.path: relative to the container's directory, or absolute */
	bool root_readonly;
	char *hostname;
	unsigned long namespaces; /* CLONE_NEW* bits */
	char *template_name;	  /* ctr.template */
	int stop_signal;	  /* ctr.stopSignal */
	unsigned stop_timeout;	  /* ctr.stopTimeout, seconds */
	struct ctr_resources res; /* linux.resources, linux.devices */
};

#define CTR_SPEC_MAX_SIZE	 (1024 * 1024)
#define CTR_DEFAULT_STOP_TIMEOUT 10

/* Defaults for a new container called name. */
int ctr_spec_new_default(const char *name, struct ctr_spec **ret);
void ctr_spec_free(struct ctr_spec *spec);
static inline void ctr_spec_freep(struct ctr_spec **spec)
{
	ctr_spec_free(*spec);
}

/* Parse and validate; errors name the JSON path (kind CTR_ERR_INVALID_CONFIG). */
int ctr_spec_parse(const char *json, size_t len, struct ctr_spec **ret, struct ctr_error **err);
int ctr_spec_validate(const struct ctr_spec *spec, struct ctr_error **err);
/* Write the document as one JSON object into an open generator (for embedding). */
int ctr_spec_gen(const struct ctr_spec *spec, yajl_gen g);
/* The whole document as pretty-printed text ending in a newline. */
int ctr_spec_to_json(const struct ctr_spec *spec, char **ret, size_t *ret_len);

int ctr_hostname_validate(const char *h);

#endif
