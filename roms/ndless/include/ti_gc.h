/* ti_gc.h - TI-OS's drawing API (gui_gc_*) and String objects, as far as the
 * project's test programs use them.
 *
 * Our own header (no Ndless SDK code).  The numbers are those of the SDK's
 * public-domain include/syscall-list.h; the layouts are the ABI TI-OS gives.
 * The calls are functions in gc_calls.S: several take more than four
 * arguments, the rest on the caller's stack, where the OS reads them.
 */
#ifndef TI_GC_H
#define TI_GC_H

#include "ndless.h"

#define NL_SC_gui_gc_global_GC_ptr 298

/* A graphics context: gc[9][0][8] is a table of pointers to its rows of
 * 16-bit 5:6:5 pixels (what libndls's gui_gc_blit_to_screen copies). */
typedef void **Gc;

/* A TI String: text is UTF-16LE, len its length in units. */
typedef struct {
	char *str;
	int len;
	int chunk_size;
	int unknown_field;
} *String;

typedef struct {
	short width;
	short height;
	char *pixels;		/* a byte a pixel: 0 drawn in the colour, 255 not */
} gui_gc_Sprite;

/* A TI.Image: this header, then rows of 16-bit 1:5:5:5 pixels (bit 15: drawn). */
typedef struct {
	unsigned width;
	unsigned height;
	unsigned empty;
	unsigned buff_size;	/* bytes of a row */
	short depth;
	short enc;
} gui_gc_Image_header;

enum { GC_CRO_RESET, GC_CRO_SET, GC_CRO_INTERSECT, GC_CRO_NULL };
enum { GC_A_HALF = 128, GC_A_OFF = 255 };
enum { GC_PS_THIN, GC_PS_MEDIUM, GC_PS_THICK };
enum { GC_PM_SMOOTH, GC_PM_DOTTED, GC_PM_DASHED };
enum {
	GC_SM_NORMAL = 1,
	GC_SM_BASELINE = 1 << 4, GC_SM_BOTTOM = 2 << 4, GC_SM_MIDDLE = 3 << 4, GC_SM_TOP = 4 << 4,
	GC_SM_RIGHT = 1 << 8, GC_SM_DOWN = 2 << 8, GC_SM_LEFT = 3 << 8,
};
/* Font ids: the size in points, bold 1 << 8, italic 1 << 9, serif 1 << 10. */
enum { Regular10 = 10, Bold12 = 0x10C, Italic10 = 0x20A, SerifBold24 = 0x518 };

/* The address of the word that holds the screen's context. */
NL_ARM Gc *nl_gui_gc_global_GC_ptr(void)
{ return (Gc *)_NL_SC0(NL_ISVAR | NL_SC_gui_gc_global_GC_ptr); }

#pragma GCC visibility push(hidden)
void gui_gc_free(Gc gc);
Gc gui_gc_copy(Gc gc, int w, int h);
int gui_gc_begin(Gc gc);
void gui_gc_finish(Gc gc);
void gui_gc_clipRect(Gc gc, int x, int y, int w, int h, int op);
void gui_gc_setColorRGB(Gc gc, int r, int g, int b);
void gui_gc_setColor(Gc gc, int rgb);
void gui_gc_setAlpha(Gc gc, int alpha);
void gui_gc_setFont(Gc gc, int font);
int gui_gc_getFont(Gc gc);
void gui_gc_setPen(Gc gc, int size, int mode);
void gui_gc_setRegion(Gc gc, int xs, int ys, int ws, int hs, int x, int y, int w, int h);
void gui_gc_drawArc(Gc gc, int x, int y, int w, int h, int start, int end);
void gui_gc_drawIcon(Gc gc, int resource, int icon, int x, int y);
void gui_gc_drawSprite(Gc gc, gui_gc_Sprite *sprite, int x, int y);
void gui_gc_drawLine(Gc gc, int x1, int y1, int x2, int y2);
void gui_gc_drawRect(Gc gc, int x, int y, int w, int h);
void gui_gc_drawString(Gc gc, const char *utf16, int x, int y, int mode);
void gui_gc_drawPoly(Gc gc, const unsigned *points, unsigned count);
void gui_gc_fillArc(Gc gc, int x, int y, int w, int h, int start, int end);
void gui_gc_fillPoly(Gc gc, const unsigned *points, unsigned count);
void gui_gc_fillRect(Gc gc, int x, int y, int w, int h);
void gui_gc_fillGradient(Gc gc, int x, int y, int w, int h, int from, int to, int vertical);
void gui_gc_drawImage(Gc gc, const char *image, int x, int y);
int gui_gc_getStringWidth(Gc gc, int font, const char *utf16, int start, int length);
int gui_gc_getCharWidth(Gc gc, int font, short c);
int gui_gc_getStringSmallHeight(Gc gc, int font, const char *utf16, int start, int length);
int gui_gc_getCharHeight(Gc gc, int font, short c);
int gui_gc_getStringHeight(Gc gc, int font, const char *utf16, int start, int length);
int gui_gc_getFontHeight(Gc gc, int font);
int gui_gc_getIconSize(Gc gc, int resource, unsigned icon, unsigned *w, unsigned *h);
void gui_gc_blit_gc(Gc source, int xs, int ys, int ws, int hs, Gc dest, int xd, int yd, int wd, int hd);
void gui_gc_blit_buffer(Gc gc, const char *buffer, int x, int y, int w, int h);

String string_new(void);
void string_free(String s);
char *string_to_ascii(String s);
void string_lower(String s);
char string_charAt(String s, int i);
int string_concat_utf16(String s, const char *utf16);
int string_set_ascii(String s, const char *ascii);
int string_set_utf16(String s, const char *utf16);
int string_indexOf_utf16(String s, int from, const char *utf16);
int string_last_indexOf_utf16(String s, int from, const char *utf16);
int string_compareTo_utf16(String s, const char *utf16);
char *string_substring(String s, String dest, int start, int end);
void string_erase(String s, int i);
void string_truncate(String s, int n);
int string_insert_replace_utf16(String s, const char *utf16, int start, int end);
int string_insert_utf16(String s, const char *utf16, int at);
int string_sprintf_utf16(String s, const char *utf16_format, ...);
#pragma GCC visibility pop

#endif
