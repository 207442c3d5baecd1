/* gems - a small game for the CX's touchpad: walk a board with the touchpad's
 * arrows and pick up the gems that appear one after another, before 30
 * seconds run out.  The project's graphical Ndless program (roms/README.md).
 *
 *   the arrows      the touchpad pressed at an edge (a corner moves
 *                   diagonally), read with touchpad_read (75) as libndls's
 *                   isKeyPressed reads them on a touchpad CX: page 0x10 for
 *                   the pad's size, then the report, pressed and in the outer
 *                   third of a side.  One step a press; held, it repeats
 *   Enter, Esc      the keypad matrix (0x900E0010 rows): quit
 *
 * The screen is a 320x240 RGB565 buffer shown with nl_lcd_init and the
 * function nl_lcd_blit gives.  Time is the 100 Hz tick of timer 2, counted by
 * an IRQ handler installed at 0xA4000038 with IRQs enabled by
 * TCT_Local_Control_Interrupts(0); the game waits for it with the ARM926's
 * wait-for-interrupt.  The clock starts at the first step.
 *
 * Every event is a line on stdout (puts):
 *
 *   gems: start, player 7,5, gem 15,3
 *   step up: 7,4             (or "blocked left: 10,3" against a wall)
 *   gem 1 at 15,3, next 10,2
 *   time up: 2 gems          (then Enter or Esc quits)
 *   quit: 2 gems             (1 gem, 0 gems)
 *
 * main returns the number of gems picked up.  Everything is deterministic: the
 * gems' places come from a fixed seed, and the time from the tick.
 */
#include "ndless.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))

/* ------------------------------------------------------------ the machine */
#define SRAM_IRQ_VECTOR 0xA4000038  /* the word the IRQ vector jumps through */
#define VIC_IRQ_STATUS 0xDC000000
#define TIMER2_INTCLR 0x900D000C
#define TICK_LINE 19
#define KEYPAD_DATA 0x900E0010      /* one 16-bit row each, bit c column c */
#define KEY_ENTER_ROW 0             /* the touchpad keypad's matrix */
#define KEY_ENTER_BIT 0x002
#define KEY_ESC_ROW 6
#define KEY_ESC_BIT 0x080

static volatile uint32_t ticks;

static void __attribute__((interrupt("IRQ"))) tick_handler(void)
{
	if (REG(VIC_IRQ_STATUS) & (1u << TICK_LINE)) {
		REG(TIMER2_INTCLR) = 1;
		ticks++;
	}
}

static void wait_for_interrupt(void)
{
	__asm__ volatile("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
}

static int key_down(int row, unsigned bit)
{
	return (REG16(KEYPAD_DATA + 2 * row) & bit) != 0;
}

/* The touchpad: its size (page 0x10, registers 4-7, big-endian) and its report
 * (page 4, registers 0-0x0A: contact, proximity, x, y, velocities, pressed). */
static unsigned pad_width, pad_height;

static void pad_size(void)
{
	unsigned char size[4];
	touchpad_write(0xFF, 0xFF, "\x10");
	touchpad_read(0x04, 0x07, size);
	touchpad_write(0xFF, 0xFF, "\x04");
	pad_width = size[0] << 8 | size[1];
	pad_height = size[2] << 8 | size[3];
}

/* The arrow pressed: dx, dy in -1..1 (0, 0: none, or the middle, a click). */
static void pad_arrow(int *dx, int *dy)
{
	unsigned char r[11];
	*dx = *dy = 0;
	if (!touchpad_read(0x00, 0x0A, r) || !r[10])
		return;
	unsigned x = r[2] << 8 | r[3], y = r[4] << 8 | r[5];
	if (x >= pad_width * 2 / 3)
		*dx = 1;
	else if (x <= pad_width / 3)
		*dx = -1;
	if (y >= pad_height * 2 / 3)         /* y counts from the bottom */
		*dy = -1;
	else if (y <= pad_height / 3)
		*dy = 1;
}

/* ------------------------------------------------------------- the board */
#define COLS 16
#define ROWS 11
#define CELL 20
#define TOP 20                      /* the status bar above the board */
#define W 320
#define H 240
#define SECONDS 30

static const char board[ROWS][COLS + 1] = {
	"................",
	".##..........##.",
	".#............#.",
	"......####......",
	"................",
	"..#..........#..",
	"..#..........#..",
	"................",
	"......####......",
	".#............#.",
	".##..........##.",
};

static int wall(int c, int r)
{
	return c < 0 || r < 0 || c >= COLS || r >= ROWS || board[r][c] == '#';
}

static uint32_t seed = 20260101;

static uint32_t next_random(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* ------------------------------------------------------------- the state */
static int px = 7, py = 5;          /* the player */
static int gx, gy;                  /* the gem */
static int gems;
static int started, over;
static uint32_t time_left = SECONDS * 100;      /* in ticks */

static void place_gem(void)
{
	do {
		uint32_t cell = next_random() % (COLS * ROWS);
		gx = cell % COLS;
		gy = cell / COLS;
	} while (wall(gx, gy) || (gx == px && gy == py));
}

/* ---------------------------------------------------------------- output */
static char line[64];
static unsigned len;

static void put_str(const char *s)
{
	while (*s && len < sizeof line - 1)
		line[len++] = *s++;
}

static void put_num(unsigned v)
{
	char digits[10];
	int n = 0;
	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n && len < sizeof line - 1)
		line[len++] = digits[--n];
}

static void put_cell(int c, int r)
{
	put_num(c);
	put_str(",");
	put_num(r);
}

static void put_gems(void)
{
	put_num(gems);
	put_str(gems == 1 ? " gem" : " gems");
}

static void flush(void)
{
	line[len] = 0;
	puts(line);
	len = 0;
}

/* --------------------------------------------------------------- drawing */
static uint16_t screen[H][W];

#define RGB(r, g, b) (uint16_t)(((r) >> 3) << 11 | ((g) >> 2) << 5 | (b) >> 3)
#define C_BAR      RGB(16, 16, 32)
#define C_TEXT     RGB(240, 240, 240)
#define C_FLOOR_A  RGB(28, 40, 72)
#define C_FLOOR_B  RGB(36, 50, 86)
#define C_WALL     RGB(150, 80, 40)
#define C_WALL_LIT RGB(200, 120, 64)
#define C_PLAYER   RGB(255, 216, 0)
#define C_EYE      RGB(20, 20, 20)
#define C_GEM      RGB(0, 220, 255)
#define C_GEM_LIT  RGB(200, 250, 255)
#define C_TIME     RGB(64, 208, 64)
#define C_TIME_LOW RGB(232, 48, 48)
#define C_BANNER   RGB(0, 0, 0)
#define C_FRAME    RGB(255, 216, 0)

static void rect(int x, int y, int w, int h, uint16_t colour)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			screen[j][i] = colour;
}

/* A 3x5 font, its rows top to bottom as octal digits (4: left, 1: right). */
static const uint16_t digit_glyphs[10] = {
	075557, 026227, 071747, 071717, 055711, 074717, 074757, 071122, 075757, 075717,
};
static const uint16_t letter_glyphs[26] = {
	025755, 065656, 034443, 065556, 074647, 074644, 034553, 055755, 072227, 011152,
	055655, 044447, 057755, 065555, 025552, 065644, 025563, 065655, 034216, 072222,
	055557, 055552, 055775, 055255, 055222, 071247,
};

static uint16_t glyph(char c)
{
	if (c >= '0' && c <= '9')
		return digit_glyphs[c - '0'];
	if (c >= 'A' && c <= 'Z')
		return letter_glyphs[c - 'A'];
	return 0;
}

/* Text at x, y, each dot `scale` pixels square; a character is 4 dots wide. */
static void text(int x, int y, int scale, const char *s, uint16_t colour)
{
	for (; *s; s++, x += 4 * scale) {
		uint16_t g = glyph(*s);
		for (int r = 0; r < 5; r++)
			for (int c = 0; c < 3; c++)
				if (g >> (3 * (4 - r) + 2 - c) & 1)
					rect(x + c * scale, y + r * scale, scale, scale, colour);
	}
}

static int text_width(int scale, const char *s)
{
	int n = 0;
	while (s[n])
		n++;
	return n * 4 * scale - scale;
}

static void number(int x, int y, int scale, unsigned v, uint16_t colour)
{
	char s[11], *p = s + sizeof s - 1;
	*p = 0;
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	text(x, y, scale, p, colour);
}

static int absolute(int v)
{
	return v < 0 ? -v : v;
}

static void draw_player(int x, int y)
{
	for (int j = -8; j <= 8; j++)
		for (int i = -8; i <= 8; i++)
			if (i * i + j * j <= 64)
				screen[y + 10 + j][x + 10 + i] = C_PLAYER;
	rect(x + 6, y + 6, 3, 3, C_EYE);
	rect(x + 12, y + 6, 3, 3, C_EYE);
	rect(x + 6, y + 13, 9, 2, C_EYE);
}

static void draw_gem(int x, int y)
{
	for (int j = -8; j <= 8; j++)
		for (int i = -8; i <= 8; i++)
			if (absolute(i) + absolute(j) <= 8)
				screen[y + 10 + j][x + 10 + i] =
					i < 0 && j < 0 && absolute(i) + absolute(j) >= 4 ? C_GEM_LIT : C_GEM;
}

static void banner(const char *big, const char *small)
{
	int w = text_width(3, big), w2 = text_width(2, small);
	int bw = (w > w2 ? w : w2) + 24;
	int x = (W - bw) / 2, y = TOP + 6 * CELL + 6;
	rect(x - 2, y - 2, bw + 4, 56, C_FRAME);
	rect(x, y, bw, 52, C_BANNER);
	text((W - w) / 2, y + 8, 3, big, C_PLAYER);
	text((W - w2) / 2, y + 32, 2, small, C_TEXT);
}

static void draw(void)
{
	/* The status bar: the score, then the time left. */
	rect(0, 0, W, TOP, C_BAR);
	text(4, 3, 3, "GEMS", C_TEXT);
	number(4 + 16 * 3 + 6, 3, 3, gems, C_PLAYER);
	text(W - 4 - 120 - 4 - text_width(2, "TIME"), 5, 2, "TIME", C_TEXT);
	uint32_t bar = (time_left * 120 + SECONDS * 100 - 1) / (SECONDS * 100);
	rect(W - 4 - 120, 5, 120, 10, C_BANNER);
	rect(W - 4 - 120, 5, bar, 10, time_left < 500 ? C_TIME_LOW : C_TIME);

	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++) {
			int x = c * CELL, y = TOP + r * CELL;
			if (wall(c, r)) {
				rect(x, y, CELL, CELL, C_WALL);
				rect(x + 2, y + 2, CELL - 4, 2, C_WALL_LIT);
				rect(x + 2, y + 2, 2, CELL - 4, C_WALL_LIT);
			} else {
				rect(x, y, CELL, CELL, (r + c) & 1 ? C_FLOOR_B : C_FLOOR_A);
			}
		}
	if (!over)
		draw_gem(gx * CELL, TOP + gy * CELL);
	draw_player(px * CELL, TOP + py * CELL);

	if (!started)
		banner("GEMS", "PRESS AN ARROW");
	else if (over)
		banner("TIME UP", "ENTER TO QUIT");
}

/* ------------------------------------------------------------------ play */
static const char *direction(int dx, int dy)
{
	static const char *const names[3][3] = {
		{ "up left", "up", "up right" },
		{ "left", "", "right" },
		{ "down left", "down", "down right" },
	};
	return names[dy + 1][dx + 1];
}

/* One step; whether anything changed. */
static int step(int dx, int dy)
{
	int nx = px + dx, ny = py + dy;
	int blocked = wall(nx, ny) || (dx && dy && wall(px + dx, py) && wall(px, py + dy));
	started = 1;
	put_str(blocked ? "blocked " : "step ");
	put_str(direction(dx, dy));
	put_str(": ");
	if (!blocked) {
		px = nx;
		py = ny;
	}
	put_cell(px, py);
	flush();
	if (px == gx && py == gy) {
		gems++;
		put_str("gem ");
		put_num(gems);
		put_str(" at ");
		put_cell(gx, gy);
		place_gem();
		put_str(", next ");
		put_cell(gx, gy);
		flush();
	}
	return !blocked;
}

/* Ticks before a held arrow repeats, then between repeats. */
#define REPEAT_FIRST 30
#define REPEAT_NEXT 10

static int play(void)
{
	nl_blit_fn blit = nl_lcd_blit(NL_SCR_320x240_565);
	int dx0 = 0, dy0 = 0;       /* the arrow held */
	uint32_t seen = ticks, held = 0;
	uint32_t shown_bar = ~0u;
	int dirty = 1;

	place_gem();
	put_str("gems: start, player ");
	put_cell(px, py);
	put_str(", gem ");
	put_cell(gx, gy);
	flush();

	for (;;) {
		if (dirty) {
			draw();
			blit(screen);
			dirty = 0;
		}
		while (ticks == seen)
			wait_for_interrupt();
		uint32_t now = ticks, elapsed = now - seen;
		seen = now;

		if (key_down(KEY_ESC_ROW, KEY_ESC_BIT) || key_down(KEY_ENTER_ROW, KEY_ENTER_BIT)) {
			put_str("quit: ");
			put_gems();
			flush();
			return gems;
		}
		if (over)
			continue;
		if (started) {
			time_left = time_left > elapsed ? time_left - elapsed : 0;
			uint32_t bar = (time_left * 120 + SECONDS * 100 - 1) / (SECONDS * 100);
			if (bar != shown_bar) {
				shown_bar = bar;
				dirty = 1;
			}
			if (!time_left) {
				over = dirty = 1;
				put_str("time up: ");
				put_gems();
				flush();
				continue;
			}
		}

		int dx, dy;
		pad_arrow(&dx, &dy);
		if (dx != dx0 || dy != dy0) {
			dx0 = dx;
			dy0 = dy;
			held = 0;
			if (dx || dy) {
				step(dx, dy);
				dirty = 1;      /* the banner goes at the first step */
			}
		} else if (dx || dy) {
			held += elapsed;
			if (held >= REPEAT_FIRST) {
				held -= REPEAT_NEXT;
				dirty |= step(dx, dy);
			}
		}
	}
}

int main(void)
{
	uint32_t saved_vector = REG(SRAM_IRQ_VECTOR);
	int mask = TCT_Local_Control_Interrupts(0xC0);

	pad_size();
	REG(SRAM_IRQ_VECTOR) = (uint32_t)tick_handler;
	REG(TIMER2_INTCLR) = 1;
	nl_lcd_init(NL_SCR_320x240_565);
	TCT_Local_Control_Interrupts(0);

	int score = play();

	TCT_Local_Control_Interrupts(0xC0);
	REG(SRAM_IRQ_VECTOR) = saved_vector;
	nl_lcd_init(NL_SCR_TYPE_INVALID);
	TCT_Local_Control_Interrupts(mask);
	return score;
}
