/* check.c - checks and output of the Ndless test programs (check.h). */
#include "ndless.h"
#include "check.h"

static const char *name;
static unsigned checks, failed;
static char line[240];
static unsigned len;

static void put_char(char c)
{
	if (len < sizeof line - 1)
		line[len++] = c;
}

static void put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

static void put_hex(uint32_t v)
{
	int shift = 28;
	put_str("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char("0123456789abcdef"[(v >> shift) & 15]);
}

/* Decimal without division (no libgcc). */
static void put_dec(int32_t value)
{
	static const uint32_t powers[] = { 1000000000, 100000000, 10000000, 1000000, 100000,
					   10000, 1000, 100, 10, 1 };
	uint32_t v = value < 0 ? -(uint32_t)value : (uint32_t)value;
	int started = 0;
	if (value < 0)
		put_char('-');
	for (unsigned i = 0; i < sizeof powers / sizeof powers[0]; i++) {
		char d = '0';
		while (v >= powers[i]) {
			v -= powers[i];
			d++;
		}
		if (d != '0' || started || i == 9) {
			put_char(d);
			started = 1;
		}
	}
}

static void flush(void)
{
	line[len] = 0;
	puts(line);
	len = 0;
}

void t_line(const char *s)
{
	put_str(s);
	flush();
}

void t_begin(const char *program)
{
	name = program;
	checks = failed = 0;
	put_str(program);
	put_str(": start");
	flush();
}

static int report(int cond, const char *what, int values, uint32_t got, uint32_t want)
{
	checks++;
	if (!cond)
		failed++;
	put_str(cond ? "ok " : "not ok ");
	put_dec(checks);
	put_str(" - ");
	put_str(what);
	if (!cond && values) {
		put_str(": got ");
		put_hex(got);
		put_str(", want ");
		put_hex(want);
	}
	flush();
	return cond;
}

int t_ok(int cond, const char *what)
{
	return report(cond, what, 0, 0, 0);
}

int t_eq(uint32_t got, uint32_t want, const char *what)
{
	return report(got == want, what, 1, got, want);
}

int t_end(void)
{
	put_str(name);
	put_str(": ");
	if (failed) {
		put_dec(failed);
		put_str(" of ");
		put_dec(checks);
		put_str(" checks failed");
	} else {
		put_dec(checks);
		put_str(" checks, all passed");
	}
	flush();
	return failed > 255 ? 255 : (int)failed;
}

void t_value_str(const char *what, const char *s)
{
	put_str(what);
	put_str(": ");
	put_str(s ? s : "(null)");
	flush();
}

void t_value_dec(const char *what, int32_t value)
{
	put_str(what);
	put_str(": ");
	put_dec(value);
	flush();
}

void t_info_hex(const char *what, uint32_t value)
{
	put_str("# ");
	put_str(what);
	put_str(": ");
	put_hex(value);
	flush();
}

void t_info_dec(const char *what, int32_t value)
{
	put_str("# ");
	put_str(what);
	put_str(": ");
	put_dec(value);
	flush();
}

void t_info_str(const char *what, const char *s)
{
	put_str("# ");
	put_str(what);
	put_str(": ");
	put_str(s ? s : "(null)");
	flush();
}

int t_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int t_ends_with(const char *s, const char *suffix)
{
	const char *a = s, *b = suffix;
	while (*a)
		a++;
	while (*b)
		b++;
	while (b > suffix) {
		if (a == s || *--a != *--b)
			return 0;
	}
	return 1;
}

int t_in_image(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	return a >= image_base() && a < image_end();
}
