/* compressed - the relocation checks again, in a Zehn file whose image is one
 * zlib stream (`zehn.py --compress`), plus 13 KiB of text that the loader must
 * inflate exactly. */
#include "ndless.h"
#include "check.h"
#include "reloc.h"

#define LINE "Zehn: compressed with zlib, inflated by the loader.\n"
#define X4(s) s s s s
static const char text[] = X4(X4(X4(X4(LINE))));

int main(void)
{
	static const char line[] = LINE;
	const unsigned n = sizeof line - 1;
	unsigned bad = 0;

	t_begin("compressed");
	reloc_checks();
	for (unsigned i = 0, j = 0; i < sizeof text - 1; i++, j = j + 1 == n ? 0 : j + 1)
		bad += text[i] != line[j];
	t_eq(sizeof text - 1, 256 * n, "text length");
	t_eq(bad, 0, "13 KiB of text inflated intact");
	return t_end();
}
