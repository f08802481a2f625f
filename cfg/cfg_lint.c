/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The raw line pass (DESIGN section 4): rte_cfgfile silently ignores some
 * lines and refuses whole files for others without saying why; this pass
 * reproduces its line classification only to explain those cases.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"

/*
 * Raw line pass over the file's bytes (changed in place): explain what
 * rte_cfgfile would ignore or refuse.  Returns 1 when rte_cfgfile would
 * refuse the file, 0 otherwise.
 */
int
cfg_lint(struct cfg_ctx *c, char *data, size_t size)
{
	char sec_name[CFG_NAME_LEN] = "";
	size_t off = 0;
	unsigned int lineno = 0;
	int sec = -1;
	int ents = 0;
	int result = 0;

	while (off < size) {
		char *line = data + off;
		char *nl = memchr(line, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - line) : size - off;
		char where[CFG_NAME_LEN + 32];
		char *text;
		char *pos;

		/* data[size] is '\0': the last line ends either way. */
		off += len + (nl != NULL ? 1 : 0);
		line[len] = '\0';
		lineno++;
		if (sec >= 0)
			snprintf(where, sizeof(where), "[%s] line %u", sec_name,
				 lineno);
		else
			snprintf(where, sizeof(where), "line %u", lineno);
		if (len > CFG_LINE_MAX) {
			cfg_msg(c, sec, 2 * ents,
				"%s: line too long (%zu characters); at most "
				"%d",
				where, len, CFG_LINE_MAX);
			result = 1;
			continue;
		}
		/* The first ';' not preceded by a backslash starts a comment.
		 */
		pos = memchr(line, ';', len);
		if (pos != NULL && (pos == line || pos[-1] != '\\'))
			*pos = '\0';
		text = cfg_strip(line);
		if (*text == '\0')
			continue;
		if (text[0] == '[') {
			char *end = strchr(text, ']');

			sec++;
			ents = 0;
			if (end == NULL) {
				cfg_msg(c, sec, -1,
					"line %u: %s: no closing ']'; write "
					"[kind name]",
					lineno, text);
				result = 1;
				continue;
			}
			*end = '\0';
			snprintf(sec_name, sizeof(sec_name), "%s",
				 cfg_strip(text + 1));
			if (*cfg_strip(end + 1) != '\0')
				cfg_msg(c, sec, -1,
					"[%s] line %u: text after ']': %s; put "
					"keys on their own lines as key = "
					"value",
					sec_name, lineno, cfg_strip(end + 1));
			continue;
		}
		pos = strchr(text, '=');
		if (pos == NULL) {
			cfg_msg(c, sec, 2 * ents,
				"%s: %s: not a [section] header nor a key = "
				"value line; comments start with ';'",
				where, text);
			continue;
		}
		if (sec < 0) {
			cfg_msg(c, sec, 2 * ents,
				"%s: %s: key = value before any section; start "
				"with a section such as [dpmirror] or [port "
				"NAME]",
				where, text);
			result = 1;
			continue;
		}
		*pos = '\0';
		if (*cfg_strip(text) == '\0')
			cfg_msg(c, sec, 2 * ents,
				"%s: = %s: missing key before '='; write key = "
				"value",
				where, cfg_strip(pos + 1));
		else if (strlen(cfg_strip(text)) >= CFG_NAME_LEN)
			cfg_msg(c, sec, 2 * ents,
				"%s: key %s is too long; keys have at most %d "
				"characters",
				where, cfg_strip(text), CFG_NAME_LEN - 1);
		else if (strlen(cfg_strip(pos + 1)) >= CFG_VALUE_LEN)
			cfg_msg(c, sec, 2 * ents,
				"%s: the value of %s is too long (%zu "
				"characters); at most %d",
				where, cfg_strip(text),
				strlen(cfg_strip(pos + 1)), CFG_VALUE_LEN - 1);
		ents++;
	}
	return result;
}
