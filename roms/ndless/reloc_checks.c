/* reloc_checks.c - the relocation checks of relocs and compressed.
 *
 * This file is position-independent: the addresses it computes itself (&counter)
 * are PC-relative and need no relocation, so they are the reference the
 * relocated words are compared with.  Every initialised pointer below is an
 * R_ARM_ABS32 word in .data (Zehn ADD_BASE); the packed struct puts three at
 * offsets 1, 2 and 3 modulo 4 (UNALIGNED_RELOC).  reloc_abs.c and reloc_thumb.c
 * add literal pools, reloc_pic.c the GOT (ADD_BASE_GOT) and its slots of
 * undefined weak symbols (SET_ZERO).  A pointer is called only once it is seen
 * to point into the image, so that a loader's mistake shows as "not ok".
 */
#include <stddef.h>
#include "ndless.h"
#include "check.h"
#include "reloc.h"

int counter = 0x11223344;
const char greeting[] = "hello, relocations";
static int arr[8] = { 0, 10, 20, 30, 40, 50, 60, 70 };
static int zeros[256];                          /* .bss */

struct node {
	int value;
	struct node *next;
};

int *p_counter = &counter;
const char *p_greeting = greeting;
int *p_arr5 = &arr[5];                          /* the word holds an addend: 20 */
int (*p_twice)(int) = twice;
int (*p_triple)(int) = thumb_triple;            /* bit 0 set */
const char *words[] = { "zero", "one", "two", "three" };
int (*ops[])(int) = { twice, thumb_triple, pic_square };
struct node n3 = { 3, NULL }, n2 = { 2, &n3 }, n1 = { 1, &n2 };
extern int nowhere __attribute__((weak));       /* never defined */
int *p_nowhere = &nowhere;

struct __attribute__((packed, aligned(4))) unaligned_ptrs {
	char a;
	int *p1;                                /* offset 1 */
	char b;
	const char *p2;                         /* offset 6 */
	char c;
	int (*p3)(int);                         /* offset 11 */
};
struct unaligned_ptrs up = { 'a', &counter, 'b', greeting, 'c', twice };

/* f(x) when f points into the image, else a value no check expects. */
static int call(int (*f)(int), int x)
{
	return t_in_image(f) ? f(x) : -1;
}

static int string_is(const char *s, const char *want)
{
	return t_in_image(s) && t_streq(s, want);
}

void reloc_checks(void)
{
	uintptr_t base = image_base();
	int ok;

	t_info_hex("image base", base);
	t_info_hex("image size", image_end() - base);
	t_eq(base & 3, 0, "image base is word-aligned");
	t_eq(__crt0_state.bss_dirty, 0, ".bss was zero at entry");
	t_ok(zeros[0] == 0 && zeros[255] == 0, ".bss reads zero");

	/* ADD_BASE in .data */
	t_eq((uintptr_t)p_counter, (uintptr_t)&counter, ".data: pointer to a variable");
	t_ok(string_is(p_greeting, "hello, relocations"), ".data: pointer to a string");
	t_eq((uintptr_t)p_arr5, (uintptr_t)&arr[5], ".data: pointer with an addend (&arr[5])");
	t_eq(call(p_twice, 21), 42, ".data: pointer to an ARM function");
	t_ok(((uintptr_t)p_triple & 1) && call(p_triple, 5) == 15,
	     ".data: pointer to a Thumb function (bit 0 set)");
	t_ok(string_is(words[0], "zero") && string_is(words[1], "one") &&
	     string_is(words[2], "two") && string_is(words[3], "three"),
	     "table of string pointers");
	t_ok(call(ops[0], 7) == 14 && call(ops[1], 7) == 21 && call(ops[2], 7) == 49,
	     "table of function pointers");
	ok = 1;
	int sum = 0, count = 0;
	for (struct node *n = &n1; n && count < 4; n = n->next, count++) {
		ok &= t_in_image(n);
		if (!ok)
			break;
		sum = sum * 10 + n->value;
	}
	t_ok(ok && count == 3 && sum == 123, ".data: linked list");
	t_eq((uintptr_t)p_nowhere, 0, ".data: pointer to an undefined weak variable stays 0");

	/* ADD_BASE in literal pools */
	t_eq((uintptr_t)abs_addr_counter(), (uintptr_t)&counter, "ARM literal pool: a variable");
	t_ok(string_is(abs_greeting(), "hello, relocations"), "ARM literal pool: a string");
	t_eq(call(abs_twice(), 4), 8, "ARM literal pool: a function");
	t_eq((uintptr_t)abs_nowhere(), 0, "ARM literal pool: an undefined weak variable stays 0");
	t_eq((uintptr_t)thumb_addr_counter(), (uintptr_t)&counter, "Thumb literal pool: a variable");

	/* UNALIGNED_RELOC */
	uintptr_t u = (uintptr_t)&up;
	ok = (u + offsetof(struct unaligned_ptrs, p1)) % 4 == 1;
	t_ok(ok && up.p1 == &counter, "unaligned pointer at 1 mod 4");
	ok = (u + offsetof(struct unaligned_ptrs, p2)) % 4 == 2;
	t_ok(ok && string_is(up.p2, "hello, relocations"), "unaligned pointer at 2 mod 4");
	ok = (u + offsetof(struct unaligned_ptrs, p3)) % 4 == 3;
	t_ok(ok && call(up.p3, 3) == 6, "unaligned pointer at 3 mod 4");

	/* ADD_BASE_GOT, SET_ZERO */
	t_eq((uintptr_t)pic_addr_counter(), (uintptr_t)&counter, "GOT: slot of a variable");
	t_eq(t_in_image(pic_addr_counter()) ? (uint32_t)pic_read_counter() : 0, 0x11223344,
	     "GOT: variable read through its slot");
	t_eq(call(pic_twice(), 8), 16, "GOT: slot of an ARM function");
	t_ok(pic_thumb_triple() == p_triple && call(pic_thumb_triple(), 2) == 6,
	     "GOT: slot of a Thumb function (bit 0 set)");
	t_eq((uintptr_t)pic_nowhere_addr(), 0, "GOT: slot of an undefined weak variable is 0");
	t_eq((uintptr_t)pic_missing_fn(), 0, "GOT: slot of an undefined weak function is 0");
	t_eq(pic_local(), 0x5eed, "GOT-relative static data");

	/* nl_relocdatab changes only PRG programs */
	static uint32_t table[2] = { 0x100, 0x200 };
	nl_relocdatab(table, 2, (void *)base);
	t_ok(table[0] == 0x100 && table[1] == 0x200, "nl_relocdatab leaves a Zehn program alone");
}
