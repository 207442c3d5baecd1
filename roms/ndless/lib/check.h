/* check.h - checks and output of the Ndless test programs.
 *
 * Every line goes out through the puts syscall (22), one call per line, with no
 * '\n' in the string.  A program's output:
 *
 *   NAME: start
 *   ok 1 - WHAT                 a check that passed
 *   not ok 2 - WHAT: got 0x5, want 0x6     one that failed
 *   # WHAT: VALUE               information whose value depends on the runtime
 *   WHAT: VALUE                 a value the test decides (entry's arguments)
 *   NAME: 2 checks, all passed  or  NAME: 1 of 2 checks failed
 *
 * and main returns the number of failed checks (0: all passed; at most 255).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdint.h>

#pragma GCC visibility push(hidden)

void t_begin(const char *program);
int t_ok(int cond, const char *what);
int t_eq(uint32_t got, uint32_t want, const char *what);
int t_end(void);

/* "# WHAT: 0x..." / "# WHAT: decimal" / "# WHAT: string" */
void t_info_hex(const char *what, uint32_t value);
void t_info_dec(const char *what, int32_t value);
void t_info_str(const char *what, const char *s);
/* "WHAT: string" / "WHAT: decimal": values that do not depend on the runtime. */
void t_value_str(const char *what, const char *s);
void t_value_dec(const char *what, int32_t value);
/* A line of its own. */
void t_line(const char *s);

/* Helpers that use no syscall. */
int t_streq(const char *a, const char *b);
int t_ends_with(const char *s, const char *suffix);
/* p lies in the loaded image (its .bss included). */
int t_in_image(const void *p);

#pragma GCC visibility pop

#endif
