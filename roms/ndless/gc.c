/* gc - TI-OS's String objects (OS calls 209-226) and drawing API (gui_gc_*,
 * 299-331, and OS variable 298, the screen's context): every call of ti_gc.h.
 *
 * The String checks follow the calls' Java-like meaning (emu's README and
 * ti_string.rs say it).  The drawing checks read pixels back from the context's
 * rows (gc[9][0][8], as libndls reaches them); what they expect follows from
 * the rules emu documents (gc.rs, raster.rs): a box (x, y, w, h) covers w by h
 * pixels; an ellipse the pixels whose centres lie inside the ellipse inscribed
 * in its box; a line is Bresenham's with both ends; the font's glyphs are 5
 * pixels wide in a 6-pixel advance, on lines of 11 rows whose first row is
 * blank, capitals 7 rows tall, the baseline 8 rows below the top, twice that
 * for 24 points, bold a pixel wider.  Then the picture goes to the screen as
 * libndls's gui_gc_blit_to_screen sends it (a copy to the LCD's framebuffer);
 * emu/tests/golden.rs compares it with gc.png.
 */
#include "ndless.h"
#include "ti_gc.h"
#include "check.h"

#define U(s) ((const char *)u"" s)

#define WHITE 0xFFFF
#define BLACK 0x0000
#define RED 0xF800
#define BLUE 0x001F
#define ORANGE 0xFC00	/* 0xFF8000: red 31, green 0x80 >> 2 = 32, blue 0 */

/* The context's rows, through the pointers libndls follows. */
static uint16_t **rows_of(Gc gc)
{
	void **first = (void **)gc[9];
	void **second = (void **)first[0];
	return (uint16_t **)second[8];
}

static uint16_t px(Gc gc, int x, int y)
{
	return rows_of(gc)[y][x];
}

static int utf16_is(const char *text, const char *ascii)
{
	const uint16_t *t = (const uint16_t *)text;
	while (*ascii)
		if (*t++ != (uint8_t)*ascii++)
			return 0;
	return *t == 0;
}

static void strings(void)
{
	String s = string_new();
	String t = string_new();

	t_ok(s && t && s->len == 0 && s->str[0] == 0 && s->str[1] == 0, "string_new: empty");
	t_eq(string_set_ascii(s, "Hello"), 1, "string_set_ascii returns 1");
	t_ok(s->len == 5 && utf16_is(s->str, "Hello"), "string_set_ascii: UTF-16 \"Hello\", len 5");
	t_eq(string_concat_utf16(s, U(", World")), 1, "string_concat_utf16 returns 1");
	t_ok(s->len == 12 && utf16_is(s->str, "Hello, World"), "concatenated: \"Hello, World\"");
	t_eq(string_charAt(s, 4), 'o', "string_charAt(4) is 'o'");
	t_eq(string_charAt(s, 12), 0, "string_charAt past the end is 0");
	t_eq(string_indexOf_utf16(s, 0, U("o")), 4, "indexOf \"o\" from 0 is 4");
	t_eq(string_indexOf_utf16(s, 5, U("o")), 8, "indexOf \"o\" from 5 is 8 (\"World\")");
	t_eq(string_indexOf_utf16(s, 0, U("xyz")), -1, "indexOf a missing text is -1");
	t_eq(string_last_indexOf_utf16(s, 11, U("o")), 8, "last_indexOf \"o\" from 11 is 8");
	t_eq(string_last_indexOf_utf16(s, 7, U("o")), 4, "last_indexOf \"o\" from 7 is 4");
	t_eq(string_compareTo_utf16(s, U("Hello, World")), 0, "compareTo an equal text is 0");
	t_eq(string_compareTo_utf16(s, U("Hello")), 7, "compareTo a prefix: 12 - 5 = 7");
	t_eq(string_compareTo_utf16(s, U("Help")), (uint32_t)('l' - 'p'), "compareTo \"Help\": 'l' - 'p'");
	t_ok(t_streq(string_to_ascii(s), "Hello, World"), "string_to_ascii");
	string_lower(s);
	t_ok(utf16_is(s->str, "hello, world"), "string_lower");
	char *sub = string_substring(s, t, 7, 12);
	t_ok(sub == t->str && t->len == 5 && utf16_is(t->str, "world"), "string_substring 7..12: \"world\" in dest");
	string_erase(s, 5);
	t_ok(s->len == 11 && utf16_is(s->str, "hello world"), "string_erase(5) removes the comma");
	string_truncate(s, 5);
	t_ok(s->len == 5 && utf16_is(s->str, "hello"), "string_truncate(5)");
	t_eq(string_insert_utf16(s, U(" there"), 5), 1, "string_insert_utf16 returns 1");
	t_ok(utf16_is(s->str, "hello there"), "inserted at 5: \"hello there\"");
	t_eq(string_insert_replace_utf16(s, U("THERE"), 6, 11), 1, "string_insert_replace_utf16 returns 1");
	t_ok(utf16_is(s->str, "hello THERE"), "6..11 replaced: \"hello THERE\"");
	t_eq(string_sprintf_utf16(s, U("%d+%d=%s"), 2, 3, "five"), 8, "string_sprintf_utf16: 8 units");
	t_ok(s->len == 8 && utf16_is(s->str, "2+3=five"), "formatted: \"2+3=five\"");
	static uint16_t long_text[101];
	for (int i = 0; i < 100; i++)
		long_text[i] = 'a' + i % 26;
	t_eq(string_set_utf16(s, (const char *)long_text), 1, "string_set_utf16 of 100 units");
	t_ok(s->len == 100 && s->chunk_size >= 202 && ((uint16_t *)s->str)[99] == 'a' + 99 % 26
	     && ((uint16_t *)s->str)[100] == 0, "the text grew: 100 units and a terminator fit");
	string_free(t);
	string_free(s);
	string_free(0);
}

/* A 4 by 4 sprite: a diagonal drawn, the rest not. */
static char sprite_pixels[16] = {
	0, -1, -1, -1,
	-1, 0, -1, -1,
	-1, -1, 0, -1,
	-1, -1, -1, 0,
};

/* A TI.Image of 4 by 2: row 0 red, green, blue, not drawn; row 1 white, black. */
static struct {
	gui_gc_Image_header header;
	uint16_t pixels[2][4];
} image = {
	{ 4, 2, 0, 8, 16, 1 },
	{ { 0xFC00, 0x83E0, 0x801F, 0x7FFF }, { 0xFFFF, 0x8000, 0xFFFF, 0x8000 } },
};

static void metrics(Gc gc)
{
	t_eq(gui_gc_getStringWidth(gc, Regular10, U("Hello"), 0, 5), 30, "width of \"Hello\": 5 x 6");
	t_eq(gui_gc_getStringWidth(gc, Regular10, U("Hello"), 1, 3), 18, "width of \"ell\" (from 1, 3 units)");
	t_eq(gui_gc_getStringWidth(gc, Bold12, U("Hello"), 0, -1), 35, "bold: 5 x 7; length -1: to the end");
	t_eq(gui_gc_getCharWidth(gc, SerifBold24, 'W'), 14, "24 points, bold: (6 + 1) x 2");
	t_eq(gui_gc_getFontHeight(gc, SerifBold24), 22, "font height at 24 points: 11 x 2");
	t_eq(gui_gc_getStringHeight(gc, Regular10, U("ag"), 0, 2), 11, "a string's height: a line, 11");
	t_eq(gui_gc_getCharHeight(gc, Regular10, 'A'), 7, "'A' inks 7 rows");
	t_eq(gui_gc_getCharHeight(gc, Regular10, 'a'), 5, "'a' inks 5 rows");
	t_eq(gui_gc_getStringSmallHeight(gc, Regular10, U("ag"), 0, 2), 7, "\"ag\" inks 7 rows (x-height 5, descender 2)");
	unsigned w = 9, h = 9;
	gui_gc_getIconSize(gc, 0, 0, &w, &h);
	t_ok(w == 0 && h == 0, "no TI icons: 0 by 0");
}

static void draw(Gc gc)
{
	gui_gc_begin(gc);
	gui_gc_clipRect(gc, 0, 0, 0, 0, GC_CRO_RESET);
	gui_gc_setAlpha(gc, GC_A_OFF);
	gui_gc_setColor(gc, 0xFFFFFF);
	gui_gc_fillRect(gc, 0, 0, 320, 240);
	t_ok(px(gc, 0, 0) == WHITE && px(gc, 319, 239) == WHITE, "setColor, fillRect: white everywhere");

	/* A band from blue to green across the top. */
	gui_gc_fillGradient(gc, 0, 0, 320, 16, 0x0000FF, 0x00FF00, 0);
	t_ok(px(gc, 0, 8) == BLUE && px(gc, 319, 8) == 0x07E0, "gradient: blue at the left, green at the right");
	gui_gc_fillGradient(gc, 0, 16, 320, 4, 0x000000, 0xFFFFFF, 1);
	t_ok(px(gc, 5, 16) == BLACK && px(gc, 5, 19) == WHITE, "vertical gradient: black row to white row");

	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_setFont(gc, Bold12);
	t_eq(gui_gc_getFont(gc), Bold12, "getFont gives what setFont set");
	gui_gc_drawString(gc, U("gui_gc test"), 4, 22, GC_SM_TOP);

	/* "T" at (200, 24), top anchored: its bar is row 25 (the line's second), x 200-204. */
	gui_gc_setFont(gc, Regular10);
	gui_gc_drawString(gc, U("T"), 200, 24, 0);
	t_ok(px(gc, 200, 25) == BLACK && px(gc, 204, 25) == BLACK && px(gc, 205, 25) == WHITE
	     && px(gc, 200, 24) == WHITE && px(gc, 202, 31) == BLACK && px(gc, 202, 32) == WHITE,
	     "drawString: T's bar on the second row, its stem down to the seventh");
	/* On the baseline at y 40: the bar 7 rows above it, row 33. */
	gui_gc_drawString(gc, U("T"), 210, 40, GC_SM_BASELINE);
	t_ok(px(gc, 210, 33) == BLACK && px(gc, 212, 39) == BLACK && px(gc, 212, 40) == WHITE,
	     "baseline anchor: the stem ends just above y");
	/* Turned right at (230, 24): the bar is the column left of x, from y down. */
	gui_gc_drawString(gc, U("T"), 230, 24, GC_SM_RIGHT);
	t_ok(px(gc, 229, 24) == BLACK && px(gc, 229, 28) == BLACK && px(gc, 229, 29) == WHITE
	     && px(gc, 230, 24) == WHITE, "rotated right: the bar is the column x - 1");
	gui_gc_setFont(gc, SerifBold24);
	gui_gc_setColorRGB(gc, 0, 0, 160);
	gui_gc_drawString(gc, U("Ndless"), 236, 22, GC_SM_TOP);
	gui_gc_setFont(gc, Italic10);
	gui_gc_drawString(gc, U("italic"), 4, 48, GC_SM_BOTTOM);

	/* Lines: thin solid, medium dotted, thick dashed. */
	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_setPen(gc, GC_PS_THIN, GC_PM_SMOOTH);
	gui_gc_drawLine(gc, 10, 50, 110, 50);
	t_ok(px(gc, 10, 50) == BLACK && px(gc, 110, 50) == BLACK && px(gc, 111, 50) == WHITE
	     && px(gc, 9, 50) == WHITE && px(gc, 60, 51) == WHITE, "drawLine: both ends, one row");
	gui_gc_drawLine(gc, 10, 52, 15, 54);
	t_ok(px(gc, 11, 52) == BLACK && px(gc, 12, 53) == BLACK && px(gc, 13, 53) == BLACK
	     && px(gc, 14, 54) == BLACK && px(gc, 12, 52) == WHITE, "Bresenham (10,52)-(15,54)");
	gui_gc_setPen(gc, GC_PS_MEDIUM, GC_PM_DOTTED);
	gui_gc_drawLine(gc, 20, 58, 110, 58);
	gui_gc_setPen(gc, GC_PS_THICK, GC_PM_DASHED);
	gui_gc_drawLine(gc, 10, 66, 110, 76);
	gui_gc_setPen(gc, GC_PS_THIN, GC_PM_SMOOTH);

	/* Rectangles. */
	gui_gc_drawRect(gc, 120, 40, 60, 30);
	t_ok(px(gc, 120, 40) == BLACK && px(gc, 179, 69) == BLACK && px(gc, 180, 69) == WHITE
	     && px(gc, 150, 55) == WHITE, "drawRect: the edges of 60 by 30, hollow");
	gui_gc_setColorRGB(gc, 255, 0, 0);
	gui_gc_fillRect(gc, 130, 45, 40, 20);
	t_ok(px(gc, 130, 45) == RED && px(gc, 169, 64) == RED && px(gc, 170, 64) == WHITE
	     && px(gc, 169, 65) == WHITE, "fillRect: 40 by 20 pixels");

	/* Half black over white and over red: (0 * 128 + 255 * 127 + 127) / 255 = 127 per
	 * channel of white; red's 255 gives 127 and its 0s stay 0. */
	gui_gc_setAlpha(gc, GC_A_HALF);
	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_fillRect(gc, 160, 60, 30, 15);
	gui_gc_setAlpha(gc, GC_A_OFF);
	t_eq(px(gc, 185, 72), 0x7BEF, "half black on white: 127, 127, 127 = 0x7BEF");
	t_eq(px(gc, 165, 62), 0x7800, "half black on red: 127, 0, 0 = 0x7800");

	/* The ellipse in (80, 80, 61, 41) centres on pixel (110, 100); with twice a centre's
	 * offsets, a pixel is in when dx^2 41^2 + dy^2 61^2 <= 61^2 41^2 = 6255001: x 80 (dx
	 * -60) gives 6051600, in; x 79 (-62) 6461764, out; y 80 (dy -40) 5953600, in; y 79
	 * (-42) 6563844, out. */
	gui_gc_setColorRGB(gc, 0, 0, 255);
	gui_gc_fillArc(gc, 80, 80, 61, 41, 0, 3600);
	t_ok(px(gc, 80, 100) == BLUE && px(gc, 140, 100) == BLUE && px(gc, 79, 100) == WHITE
	     && px(gc, 141, 100) == WHITE, "fillArc: x from 80 to 140 on the centre's row");
	t_ok(px(gc, 110, 80) == BLUE && px(gc, 110, 120) == BLUE && px(gc, 110, 79) == WHITE
	     && px(gc, 110, 121) == WHITE, "fillArc: y from 80 to 120 on the centre's column");
	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_drawArc(gc, 10, 80, 61, 41, 0, 3600);
	t_ok(px(gc, 10, 100) == BLACK && px(gc, 40, 80) == BLACK && px(gc, 40, 100) == WHITE,
	     "drawArc: the outline, not the inside");
	/* A three-quarter pie: from 0 to 270 degrees leaves the lower right quarter out. */
	gui_gc_setColorRGB(gc, 0, 160, 0);
	gui_gc_fillArc(gc, 150, 80, 41, 41, 0, 2700);
	t_ok(px(gc, 160, 110) == 0x0500 && px(gc, 180, 110) == WHITE && px(gc, 180, 90) == 0x0500,
	     "fillArc 0 to 2700: the lower right quarter empty");
	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_drawArc(gc, 200, 80, 41, 41, 450, 1350);

	/* Polygons. The triangle (250,80) (290,80) (250,120): row y's centre line y + 0.5
	 * meets the slope at x = 289.5 - (y - 80), and a pixel is in when its centre x + 0.5
	 * lies before that: row 80 is 250 to 288, row 100 250 to 268. */
	static const unsigned triangle[] = { 250, 80, 290, 80, 250, 120 };
	gui_gc_setColorRGB(gc, 255, 128, 0);
	gui_gc_fillPoly(gc, triangle, 3);
	t_ok(px(gc, 250, 80) == ORANGE && px(gc, 288, 80) == ORANGE && px(gc, 289, 80) == WHITE
	     && px(gc, 268, 100) == ORANGE && px(gc, 269, 100) == WHITE, "fillPoly: the triangle's rows");
	static const unsigned zigzag[] = { 250, 125, 260, 135, 270, 125, 280, 135, 290, 125 };
	gui_gc_setColorRGB(gc, 0, 0, 0);
	gui_gc_drawPoly(gc, zigzag, 5);
	t_ok(px(gc, 255, 130) == BLACK && px(gc, 260, 135) == BLACK && px(gc, 290, 125) == BLACK
	     && px(gc, 250, 126) == WHITE, "drawPoly: the zigzag's lines, not closed");

	/* A sprite and an image. */
	gui_gc_Sprite sprite = { 4, 4, sprite_pixels };
	gui_gc_setColorRGB(gc, 255, 0, 255);
	gui_gc_drawSprite(gc, &sprite, 300, 80);
	t_ok(px(gc, 300, 80) == 0xF81F && px(gc, 303, 83) == 0xF81F && px(gc, 301, 80) == WHITE,
	     "drawSprite: the diagonal in the colour, the rest not drawn");
	gui_gc_drawImage(gc, (const char *)&image, 300, 90);
	t_ok(px(gc, 300, 90) == RED && px(gc, 301, 90) == 0x07E0 && px(gc, 302, 90) == BLUE
	     && px(gc, 303, 90) == WHITE && px(gc, 301, 91) == BLACK, "drawImage: 1:5:5:5, bit 15 drawn");
	gui_gc_drawIcon(gc, 0, 0, 300, 100);
	t_eq(px(gc, 300, 100), WHITE, "drawIcon: nothing (no TI icons)");

	/* The region: origin (200, 130), 50 by 30 within the screen. */
	gui_gc_setRegion(gc, 0, 0, 320, 240, 200, 130, 50, 30);
	gui_gc_setColorRGB(gc, 255, 128, 0);
	gui_gc_fillRect(gc, -10, -10, 100, 100);
	gui_gc_setRegion(gc, 0, 0, 320, 240, 0, 0, 320, 240);
	t_ok(px(gc, 200, 130) == ORANGE && px(gc, 249, 159) == ORANGE && px(gc, 199, 130) == WHITE
	     && px(gc, 250, 130) == WHITE && px(gc, 200, 160) == WHITE, "setRegion: moved and kept within");

	/* Clipping: set, intersect, empty, reset. */
	gui_gc_clipRect(gc, 10, 130, 60, 30, GC_CRO_SET);
	gui_gc_clipRect(gc, 20, 120, 100, 30, GC_CRO_INTERSECT);
	gui_gc_setColorRGB(gc, 0, 128, 255);
	gui_gc_fillRect(gc, 0, 0, 320, 240);
	t_ok(px(gc, 20, 130) == 0x041F && px(gc, 69, 149) == 0x041F && px(gc, 19, 130) == WHITE
	     && px(gc, 70, 130) == WHITE && px(gc, 20, 150) == WHITE, "clip set then intersected: 20..70 by 130..150");
	gui_gc_clipRect(gc, 0, 0, 0, 0, GC_CRO_NULL);
	gui_gc_fillRect(gc, 0, 0, 320, 240);
	t_eq(px(gc, 100, 200), WHITE, "an empty clip draws nothing");
	gui_gc_clipRect(gc, 0, 0, 0, 0, GC_CRO_RESET);
	gui_gc_setColorRGB(gc, 255, 255, 255);
	gui_gc_setFont(gc, Regular10);
	gui_gc_drawString(gc, U("clip"), 28, 134, GC_SM_TOP);

	/* Copies: a 16 by 16 context filled from a buffer, then scaled twice onto the screen's. */
	Gc copy = gui_gc_copy(gc, 16, 16);
	t_ok(copy != 0 && rows_of(copy)[0] != rows_of(gc)[0] && px(copy, 0, 0) == BLUE,
	     "gui_gc_copy: a context of its own, with the top left of the picture (the band's blue)");
	static uint16_t buffer[16 * 16];
	for (int i = 0; i < 16 * 16; i++)
		buffer[i] = (i / 16 + i % 16) % 2 ? RED : BLUE;
	gui_gc_blit_buffer(copy, (const char *)buffer, 0, 0, 10, 10);
	t_eq(px(copy, 1, 0), BLUE, "blit_buffer of another size: nothing (the band's blue stays)");
	gui_gc_blit_buffer(copy, (const char *)buffer, 0, 0, 16, 16);
	t_ok(px(copy, 0, 0) == BLUE && px(copy, 1, 0) == RED, "blit_buffer: the checkerboard");
	gui_gc_begin(copy);
	gui_gc_finish(copy);
	gui_gc_blit_gc(copy, 0, 0, 16, 16, gc, 270, 150, 32, 32);
	t_ok(px(gc, 270, 150) == BLUE && px(gc, 271, 151) == BLUE && px(gc, 272, 150) == RED
	     && px(gc, 301, 181) == BLUE && px(gc, 302, 150) == WHITE, "blit_gc: each pixel doubled");
	gui_gc_blit_gc(gc, 120, 40, 60, 30, gc, 120, 170, 120, 60);
	t_ok(px(gc, 120, 170) == BLACK && px(gc, 140, 180) == RED, "blit_gc of the screen's context to itself, scaled");
	gui_gc_free(copy);

	gui_gc_finish(gc);
}

int main(void)
{
	t_begin("gc");
	strings();
	Gc *global = nl_gui_gc_global_GC_ptr();
	Gc gc = *global;
	t_ok(gc != 0 && rows_of(gc)[1] == rows_of(gc)[0] + 320, "the screen's context: 320 pixels a row");
	metrics(gc);
	draw(gc);
	/* What libndls's gui_gc_blit_to_screen does. */
	memcpy(*(void **)0xC0000010, rows_of(gc)[0], 320 * 240 * 2);
	return t_end();
}
