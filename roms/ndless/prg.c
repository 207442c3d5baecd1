/* prg - a PRG program: "PRG\0" then code entered at offset 4, loaded whole and
 * not relocated.  Position-independent (-fPIE, hidden symbols): data through
 * PC-relative addresses; its one pointer table (.nl_relocdatab) holds file offsets
 * until the program relocates it with nl_relocdatab. */
#include "ndless.h"
#include "check.h"

#pragma GCC visibility push(hidden)
extern char _start[];
static int value = 42;
static char zeros[64];                  /* .bss, stored in the file as zeros */

static __attribute__((noinline)) int add4(int x) { return x + 4; }

struct table {
	int *v;
	const char *s;
	int (*f)(int);
};
__attribute__((section(".nl_relocdatab"))) struct table table = {
	&value, "relocated by nl_relocdatab", add4
};
#pragma GCC visibility pop

int main(int argc, char **argv)
{
	uintptr_t base = image_base();

	t_begin("prg");
	t_info_hex("file loaded at", base);
	t_eq(base & 3, 0, "file loaded at a word-aligned address");
	t_eq(*(uint32_t *)base, 0x00475250, "file starts with \"PRG\\0\"");
	t_eq((uintptr_t)_start - base, 4, "entered at offset 4");
	t_ok(__crt0_state.bss_dirty == 0 && zeros[0] == 0 && zeros[63] == 0, ".bss (stored) is zero");
	t_eq(*(volatile int *)&value, 42, "PC-relative data read");
	value++;
	t_eq(*(volatile int *)&value, 43, "PC-relative data write");
	t_ok(argc >= 1 && argv[argc] == NULL && t_ends_with(argv[0], ".tns"), "argv[0] ends with .tns");

	t_eq((uintptr_t)table.v, (uintptr_t)&value - base, "pointer table holds file offsets");
	nl_relocdatab(&table, sizeof table / 4, (void *)base);
	t_ok(table.v == &value && *table.v == 43, "nl_relocdatab: data pointer");
	t_ok(t_in_image(table.s) && t_streq(table.s, "relocated by nl_relocdatab"),
	     "nl_relocdatab: string pointer");
	t_ok(t_in_image(table.f) && table.f(1) == 5, "nl_relocdatab: function pointer");
	return t_end();
}
