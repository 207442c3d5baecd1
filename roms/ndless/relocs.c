/* relocs - every Zehn relocation type: ADD_BASE (pointers in .data and literal
 * pools, pointer tables, an addend, ARM and Thumb functions), UNALIGNED_RELOC,
 * ADD_BASE_GOT and SET_ZERO.  See reloc_checks.c. */
#include "ndless.h"
#include "check.h"
#include "reloc.h"

int main(void)
{
	t_begin("relocs");
	reloc_checks();
	return t_end();
}
