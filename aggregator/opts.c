/*
 * opts: table-driven parsing of tlsrpt-report's options (see opts.h).
 */
#include <string.h>

#include "opts.h"

void opt_init(struct opt_state *st, int argc, char **argv)
{
	st->argc = argc;
	st->argv = argv;
	st->next = 0;
	st->operands_only = 0;
}

static const struct opt_def *find_long(const struct opt_def *defs, size_t ndefs,
                                       const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < ndefs; i++) {
		if (defs[i].long_name == NULL)
			continue;
		if (strlen(defs[i].long_name) == namelen &&
		    memcmp(defs[i].long_name, name, namelen) == 0)
			return &defs[i];
	}
	return NULL;
}

static const struct opt_def *find_short(const struct opt_def *defs, size_t ndefs, char c)
{
	size_t i;

	for (i = 0; i < ndefs; i++)
		if (defs[i].short_name != 0 && defs[i].short_name == c)
			return &defs[i];
	return NULL;
}

/* The value of an option that takes one: inline text, else the next word. */
static enum opt_status take_value(struct opt_state *st, const char *inline_value, const char *shown,
                                  const char **arg, struct tr_error *err)
{
	if (inline_value != NULL) {
		*arg = inline_value;
		return OPT_OPTION;
	}
	if (st->next >= st->argc) {
		tr_error_set(err, TR_ERR_USAGE, "option %s needs a value", shown);
		return OPT_ERROR;
	}
	*arg = st->argv[st->next++];
	return OPT_OPTION;
}

static enum opt_status parse_long(struct opt_state *st, const struct opt_def *defs, size_t ndefs,
                                  const char *word, int *id, const char **arg,
                                  struct tr_error *err)
{
	const char *name = word + 2;
	const char *eq = strchr(name, '=');
	size_t namelen = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct opt_def *d = find_long(defs, ndefs, name, namelen);

	if (d == NULL) {
		tr_error_set(err, TR_ERR_USAGE, "unknown option --%.*s", (int)namelen, name);
		return OPT_ERROR;
	}
	*id = d->id;
	*arg = NULL;
	if (d->has_value == 2) {
		*arg = eq != NULL ? eq + 1 : NULL;
		return OPT_OPTION;
	}
	if (!d->has_value) {
		if (eq != NULL) {
			tr_error_set(err, TR_ERR_USAGE, "option --%s takes no value", d->long_name);
			return OPT_ERROR;
		}
		return OPT_OPTION;
	}
	return take_value(st, eq != NULL ? eq + 1 : NULL, word, arg, err);
}

static enum opt_status parse_short(struct opt_state *st, const struct opt_def *defs, size_t ndefs,
                                   const char *word, int *id, const char **arg,
                                   struct tr_error *err)
{
	const struct opt_def *d = find_short(defs, ndefs, word[1]);

	if (d == NULL) {
		tr_error_set(err, TR_ERR_USAGE, "unknown option -%c", word[1]);
		return OPT_ERROR;
	}
	*id = d->id;
	*arg = NULL;
	if (!d->has_value) {
		if (word[2] != '\0') {
			tr_error_set(err, TR_ERR_USAGE, "unknown option %s", word);
			return OPT_ERROR;
		}
		return OPT_OPTION;
	}
	return take_value(st, word[2] != '\0' ? word + 2 : NULL, word, arg, err);
}

enum opt_status opt_next(struct opt_state *st, const struct opt_def *defs, size_t ndefs,
                         int *id, const char **arg, struct tr_error *err)
{
	const char *word;

	if (st->next >= st->argc)
		return OPT_END;
	word = st->argv[st->next++];
	if (st->operands_only || word[0] != '-' || word[1] == '\0') {
		*arg = word;
		return OPT_OPERAND;
	}
	if (strcmp(word, "--") == 0) {
		st->operands_only = 1;
		return opt_next(st, defs, ndefs, id, arg, err);
	}
	if (word[1] == '-')
		return parse_long(st, defs, ndefs, word, id, arg, err);
	return parse_short(st, defs, ndefs, word, id, arg, err);
}
