/* strings_thumb.c - syscalls issued from Thumb state: `swi` with an 8-bit
 * comment (strlen, strcmp, strcpy, strchr, puts), and an Ndless extension
 * through an ARM-state stub (nl_hwtype). */
#include "ndless.h"
#include "check.h"

void thumb_string_checks(void)
{
	char buf[16];

	puts("thumb: puts from Thumb state");
	t_eq(strlen("thumb"), 5, "Thumb: strlen");
	t_ok(strcmp("thumb", "thumb") == 0 && strcmp("a", "b") < 0, "Thumb: strcmp");
	t_ok(strcpy(buf, "copy") == buf && t_streq(buf, "copy"), "Thumb: strcpy");
	t_ok(strchr(buf, 'p') == buf + 2, "Thumb: strchr");
	t_eq(nl_hwtype(), 1, "Thumb: nl_hwtype() through an ARM stub");
}
