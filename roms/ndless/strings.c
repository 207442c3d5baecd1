/* strings - the string syscalls, by number: strlen (29), strcpy (27),
 * strcmp (26), strncmp (58), strncpy (37), strcat (67), strncat (28),
 * strchr (57), strrchr (31), strstr (68), strpbrk (51), atoi (47),
 * strtol (64); and some of them from Thumb state (strings_thumb.c). */
#include "ndless.h"
#include "check.h"

void thumb_string_checks(void);

static char buf[64];

static void fill(char c)
{
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = c;
}

int main(void)
{
	static const char hello[] = "hello, world";
	char *end;
	int ok;

	t_begin("strings");

	t_eq(strlen(""), 0, "strlen(\"\") == 0");
	t_eq(strlen(hello), 12, "strlen(\"hello, world\") == 12");
	fill('x');
	buf[50] = 0;
	t_eq(strlen(buf + 1), 49, "strlen from an odd address");

	fill('#');
	t_ok(strcpy(buf + 1, hello) == buf + 1, "strcpy returns its destination");
	t_ok(t_streq(buf + 1, hello) && buf[14] == '#' && buf[0] == '#',
	     "strcpy copies the terminator and no more");

	t_eq(strcmp("abc", "abc"), 0, "strcmp of equal strings is 0");
	t_ok(strcmp("abc", "abd") < 0, "strcmp(\"abc\", \"abd\") < 0");
	t_ok(strcmp("abc", "ab") > 0, "strcmp(\"abc\", \"ab\") > 0");
	t_ok(strcmp("\x80", "\x01") > 0, "strcmp compares unsigned chars");
	t_eq(strncmp("abcdef", "abcxyz", 3), 0, "strncmp stops after n chars");
	t_ok(strncmp("abcdef", "abcxyz", 4) < 0, "strncmp(\"abcdef\", \"abcxyz\", 4) < 0");
	t_eq(strncmp("a", "b", 0), 0, "strncmp of 0 chars is 0");

	fill('#');
	t_ok(strncpy(buf, "abc", 8) == buf, "strncpy returns its destination");
	ok = t_streq(buf, "abc") && !buf[3] && !buf[7] && buf[8] == '#';
	t_ok(ok, "strncpy pads with zeros up to n");
	fill('#');
	strncpy(buf, "abcdef", 3);
	t_ok(buf[0] == 'a' && buf[2] == 'c' && buf[3] == '#', "strncpy of a longer string: n chars, no terminator");

	fill('#');
	strcpy(buf, "foo");
	t_ok(strcat(buf, "bar") == buf && t_streq(buf, "foobar") && buf[7] == '#',
	     "strcat appends and returns its destination");
	fill('#');
	strcpy(buf, "ab");
	t_ok(strncat(buf, "cdef", 2) == buf && t_streq(buf, "abcd") && buf[5] == '#',
	     "strncat appends at most n chars and a terminator");
	t_ok(t_streq(strncat(buf, "xy", 10), "abcdxy"), "strncat of a shorter string");

	t_ok(strchr(hello, 'o') == hello + 4, "strchr finds the first");
	t_ok(strchr(hello, 'z') == NULL, "strchr: NULL when absent");
	t_ok(strchr(hello, 0) == hello + 12, "strchr of 0 finds the terminator");
	t_ok(strrchr(hello, 'o') == hello + 8, "strrchr finds the last");
	t_ok(strrchr(hello, 'z') == NULL, "strrchr: NULL when absent");
	t_ok(strrchr(hello, 0) == hello + 12, "strrchr of 0 finds the terminator");
	t_ok(strstr(hello, "world") == hello + 7, "strstr finds a substring");
	t_ok(strstr(hello, "worlds") == NULL, "strstr: NULL when absent");
	t_ok(strstr(hello, "") == hello, "strstr of \"\" is the string");
	t_ok(strpbrk(hello, " ,") == hello + 5, "strpbrk finds the first of a set");
	t_ok(strpbrk(hello, "xyz") == NULL, "strpbrk: NULL when none");

	t_eq(atoi("  -1234x"), (uint32_t)-1234, "atoi(\"  -1234x\") == -1234");
	t_eq(strtol("0x1F;", &end, 16), 31, "strtol(\"0x1F;\", &end, 16) == 31");
	t_ok(end && *end == ';', "strtol sets end after the digits");
	t_eq(strtol("777", NULL, 8), 511, "strtol(\"777\", NULL, 8) == 511");
	t_eq(strtol("-42", &end, 10), (uint32_t)-42, "strtol(\"-42\", &end, 10) == -42");
	t_eq(strtol("z", &end, 10), 0, "strtol of no digits is 0");

	thumb_string_checks();
	return t_end();
}
