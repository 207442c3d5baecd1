/*
 * snake_thumb.c - Snake: steer with the arrows (the keys 8 2 4 6), eat the
 * apples, keep off the walls and your own tail.  Enter pauses.
 *
 * All of it is Thumb code (the file name ends in _thumb.c); the kit it calls
 * is ARM code, and the calls interwork.  The game runs in an interrupt
 * handler: SP804 timer 0 at 0x900D0000 interrupts 60 times a second, and
 * each tick reads the keypad and moves the game on.  main() only draws: it
 * waits until a tick has changed something, takes a copy of the game with
 * IRQs masked, draws it into the back buffer and shows it (double
 * buffering: lcd_present swaps the buffers at a frame interrupt).
 */
#include "kit.h"

#define CELL    10
#define COLS    32
#define ROWS    21
#define BOARD_Y 30
#define MAX_LEN (COLS * ROWS)

enum { TITLE, PLAYING, PAUSED, OVER };
enum { RIGHT, DOWN, LEFT, UP };
static const int dx[4] = {1, 0, -1, 0};
static const int dy[4] = {0, 1, 0, -1};

struct game {
    uint8_t x[MAX_LEN], y[MAX_LEN]; /* the body, a ring: head at [head] */
    int head, len, grow;
    int dir;
    int queue[2], queued;           /* turns asked for, not made yet */
    int apple_x, apple_y;
    int score, best, apples;
    int delay, countdown;           /* ticks a step */
    int state;
    uint32_t version;               /* counts the changes worth drawing */
};

static struct game g;                 /* the game, changed by the tick */
static uint8_t occupied[ROWS][COLS];  /* the tick's own: which cells the snake fills */
static keys_t before;

/* -------------------------------------------------------------- the game */
static void place_apple(void)
{
    int free_cells = MAX_LEN - g.len;
    int n = (int)rand_below((uint32_t)free_cells);
    for (int y = 0; y < ROWS; y++)
        for (int x = 0; x < COLS; x++)
            if (!occupied[y][x] && n-- == 0) {
                g.apple_x = x;
                g.apple_y = y;
                return;
            }
}

static void new_game(int dir)
{
    rand_seed(rtc_seconds() ^ ticks() * 2654435761u);
    memset(occupied, 0, sizeof occupied);
    g.len = 4;
    g.head = g.len - 1;
    for (int i = 0; i < g.len; i++) {
        g.x[i] = (uint8_t)(COLS / 2 - 4 + i);
        g.y[i] = ROWS / 2;
        occupied[ROWS / 2][COLS / 2 - 4 + i] = 1;
    }
    g.dir = dir == LEFT ? RIGHT : dir; /* never straight back into the body */
    g.queued = 0;
    g.grow = 0;
    g.score = 0;
    g.apples = 0;
    g.delay = 8;
    g.countdown = g.delay;
    place_apple();
    g.state = PLAYING;
}

static void turn(int dir)
{
    int last = g.queued ? g.queue[g.queued - 1] : g.dir;
    if (g.queued < 2 && dir != last && dir != (last + 2) % 4)
        g.queue[g.queued++] = dir;
}

static void step(void)
{
    if (g.queued) {
        g.dir = g.queue[0];
        g.queue[0] = g.queue[1];
        g.queued--;
    }
    int nx = g.x[g.head] + dx[g.dir], ny = g.y[g.head] + dy[g.dir];
    int tail = (g.head - g.len + 1 + MAX_LEN) % MAX_LEN;
    /* The tail moves away this step unless the snake is growing. */
    if (!g.grow)
        occupied[g.y[tail]][g.x[tail]] = 0;
    if (nx < 0 || nx >= COLS || ny < 0 || ny >= ROWS || occupied[ny][nx]) {
        if (!g.grow)
            occupied[g.y[tail]][g.x[tail]] = 1;
        g.state = OVER;
        if (g.score > g.best)
            g.best = g.score;
        uart_printf("snake: game over, score %d, length %d\n", g.score, g.len);
        return;
    }
    if (g.grow)
        g.grow--, g.len++;
    g.head = (g.head + 1) % MAX_LEN;
    g.x[g.head] = (uint8_t)nx;
    g.y[g.head] = (uint8_t)ny;
    occupied[ny][nx] = 1;
    if (nx == g.apple_x && ny == g.apple_y) {
        g.apples++;
        g.score += 10 * (9 - g.delay);
        g.grow += 3;
        if (g.apples % 4 == 0 && g.delay > 3)
            g.delay--; /* faster every fourth apple */
        if (g.len + g.grow < MAX_LEN)
            place_apple();
    }
}

/* The timer interrupt, 60 times a second. */
static void tick(void)
{
    keys_t now;
    keys_read(&now);
    static const int arrow_keys[4] = {KEY_RIGHT, KEY_DOWN, KEY_LEFT, KEY_UP};
    int arrow = -1;
    for (int d = 0; d < 4; d++)
        if (keys_is_down(&now, arrow_keys[d]) && !keys_is_down(&before, arrow_keys[d]))
            arrow = d;
    bool enter = keys_is_down(&now, KEY_ENTER) && !keys_is_down(&before, KEY_ENTER);
    before = now;
    /* Every key the game takes, on the UART (emu/tests/taps.rs counts them). */
    if (arrow >= 0)
        uart_printf("snake: key %s\n", key_name(arrow_keys[arrow]));
    if (enter)
        uart_puts("snake: key enter\n");

    switch (g.state) {
    case TITLE:
    case OVER:
        if (arrow >= 0 || enter) {
            new_game(arrow >= 0 ? arrow : RIGHT);
            g.version++;
        }
        break;
    case PAUSED:
        if (enter || arrow >= 0) {
            g.state = PLAYING;
            g.version++;
        }
        break;
    case PLAYING:
        if (enter) {
            g.state = PAUSED;
            g.version++;
            break;
        }
        if (arrow >= 0)
            turn(arrow);
        if (--g.countdown <= 0) {
            g.countdown = g.delay;
            step();
            g.version++;
        }
        break;
    }
}

/* --------------------------------------------------------------- drawing */
static struct game shown; /* the copy main() draws from */

#define GRASS_A RGB(22, 58, 30)
#define GRASS_B RGB(26, 66, 34)

static void draw_board(void)
{
    for (int y = 0; y < ROWS; y++)
        for (int x = 0; x < COLS; x++)
            lcd_rect(x * CELL, BOARD_Y + y * CELL, CELL, CELL, (x + y) & 1 ? GRASS_A : GRASS_B);
}

static void draw_apple(int x, int y)
{
    int px = x * CELL + CELL / 2, py = BOARD_Y + y * CELL + CELL / 2;
    lcd_disc(px, py + 1, 4, RGB(220, 30, 30));
    lcd_pixel(px - 2, py - 1, RGB(255, 150, 150));
    lcd_rect(px, py - 5, 1, 3, RGB(90, 60, 20));
    lcd_rect(px + 1, py - 5, 2, 2, RGB(60, 200, 60));
}

static void draw_snake(const struct game *s)
{
    for (int i = s->len - 1; i >= 0; i--) {
        int at = (s->head - i + MAX_LEN) % MAX_LEN;
        int px = s->x[at] * CELL, py = BOARD_Y + s->y[at] * CELL;
        /* Bright at the head, darker towards the tail. */
        int shade = s->len > 1 ? 120 * i / (s->len - 1) : 0;
        color_t c = s->state == OVER ? RGB(200 - shade / 2, 200 - shade / 2, 60)
                                     : RGB(60, 250 - shade, 90 - shade / 2);
        lcd_rect(px + 1, py + 1, CELL - 2, CELL - 2, c);
        if (i < s->len - 1) {
            /* Close the gap to the segment behind, towards the tail. */
            int behind = (at - 1 + MAX_LEN) % MAX_LEN;
            int bx = s->x[behind] - s->x[at], by = s->y[behind] - s->y[at];
            if (bx)
                lcd_rect(bx > 0 ? px + CELL - 1 : px - 1, py + 1, 2, CELL - 2, c);
            if (by)
                lcd_rect(px + 1, by > 0 ? py + CELL - 1 : py - 1, CELL - 2, 2, c);
        }
        if (i == 0) {
            /* Eyes, looking where the snake goes. */
            int d = s->dir;
            int ex = px + 5 + dx[d] * 2, ey = py + 5 + dy[d] * 2;
            int ox = dy[d] * 2, oy = dx[d] * 2;
            lcd_rect(ex + ox - 1, ey + oy - 1, 2, 2, BLACK);
            lcd_rect(ex - ox - 1, ey - oy - 1, 2, 2, BLACK);
        }
    }
}

static void centred(int y, const char *s, color_t c, int scale)
{
    lcd_text_scaled((LCD_WIDTH - text_width(s, scale)) / 2, y, s, c, NO_BG, scale);
}

static void banner(int y, int h)
{
    lcd_rect(40, y, LCD_WIDTH - 80, h, RGB(10, 20, 14));
    lcd_frame(40, y, LCD_WIDTH - 80, h, RGB(120, 220, 120));
}

static void draw(const struct game *s)
{
    lcd_gradient(0, 0, LCD_WIDTH, BOARD_Y, 0x2a7a3a, 0x0c2412);
    lcd_text_scaled(6, 7, "SNAKE", RGB(200, 255, 180), NO_BG, 2);
    lcd_printf(80, 5, WHITE, NO_BG, "score %d", s->score);
    lcd_printf(80, 16, RGB(180, 220, 180), NO_BG, "best  %d", s->best);
    lcd_printf(170, 5, WHITE, NO_BG, "length %d", s->len + s->grow);
    lcd_printf(170, 16, RGB(180, 220, 180), NO_BG, "speed  %d", 9 - s->delay);
    lcd_text(260, 5, FONT_HEART_S " Thumb", RGB(255, 120, 140), NO_BG);
    lcd_text(260, 16, "  IRQs", RGB(180, 220, 180), NO_BG);

    draw_board();
    draw_apple(s->apple_x, s->apple_y);
    draw_snake(s);

    switch (s->state) {
    case TITLE:
        banner(60, 122);
        centred(72, "SNAKE", RGB(200, 255, 180), 4);
        centred(112, "steer with the arrows: 8 2 4 6", WHITE, 1);
        centred(124, "eat apples, miss walls and tail", WHITE, 1);
        centred(136, "Enter pauses", WHITE, 1);
        centred(158, "press an arrow to start", YELLOW, 1);
        break;
    case PAUSED:
        banner(100, 40);
        centred(108, "paused", WHITE, 2);
        centred(126, "Enter or an arrow: go on", YELLOW, 1);
        break;
    case OVER:
        banner(80, 80);
        centred(90, "GAME OVER", RGB(255, 120, 100), 3);
        {
            char buf[40];
            kit_snprintf(buf, sizeof buf, "score %d   best %d", s->score, s->best);
            centred(122, buf, WHITE, 1);
        }
        centred(140, "an arrow or Enter: play again", YELLOW, 1);
        break;
    }
}

int main(void)
{
    lcd_init();
    keys_init();
    rand_seed(rtc_seconds());
    /* The title screen shows a snake and an apple already. */
    new_game(RIGHT);
    g.state = TITLE;
    g.version = 1;
    uart_puts("snake: arrows (8 2 4 6) steer, Enter pauses\n");
    timer_periodic(0, 60, tick);

    uint32_t drawn = 0;
    for (;;) {
        WAIT_UNTIL(g.version != drawn);
        uint32_t s = irq_save();
        shown = g;
        irq_restore(s);
        drawn = shown.version;
        draw(&shown);
        lcd_present();
    }
}
