/*
 * keys.c - the keypad (kit.h).
 *
 * The CX's keypad controller at 0x900E0000 scans an 8 x 11 key matrix and
 * keeps the result in KEYPAD_DATA, one 16-bit row each from 0x10 (bit c =
 * column c, 1 = pressed).  The ON key is not in the matrix: the power block
 * at 0x900B0000 shows it, bit 4 of register 0x28 clear while it is down.
 */
#include "kit.h"

#define KP_SCAN_MODE (CX_KEYPAD + 0x00)
#define KP_CNTL      (CX_KEYPAD + 0x04)
#define KP_INT       (CX_KEYPAD + 0x08)
#define KP_INTMSK    (CX_KEYPAD + 0x0C)
#define KP_DATA      (CX_KEYPAD + 0x10)
#define PWR_STATUS   (CX_POWER + 0x28)
#define PWR_ON_RELEASED 0x10u

/* The names of devices/src/keypad.rs KEYS, by row and column. */
static const char *const names[KEY_ROWS][KEY_COLS] = {
    {"ret", "enter", 0, "neg", "space", "az", "ay", "n0", "punct", "on", 0},
    {"ax", "aw", "av", "n3", "au", "at", "as", "n1", "pi", "trig", "pow10"},
    {"ar", "aq", "ap", "n6", "ao", "an", "am", "n4", "ee", "squ", 0},
    {"al", "ak", "aj", "n9", "ai", "ah", "ag", "n7", "div", "exp", 0},
    {"af", "ae", "ad", 0, "ac", "ab", "aa", "equ", "mult", "pow", 0},
    {0, "var", "minus", "pright", "dot", "pleft", "n5", "cat", "metrix", "del", "pad"},
    {"flag", 0, "plus", "doc", "n2", "menu", "n8", "esc", 0, "tab", 0},
    {0, 0, 0, 0, 0, 0, 0, 0, "shift", "ctrl", "comma"},
};

static void keys_sample(void);
void (*kit_keys_sampler)(void); /* lcd.c's frame interrupt calls it */

void keys_init(void)
{
    /* Scan continuously: a row every 200 us, 1 ms between scans (the values
       Linux's driver uses), on the 33 MHz APB clock; 8 rows, 11 columns. */
    mmio_write(KP_INTMSK, 0);
    mmio_write(KP_INT, 0xFFFFFFFF);
    mmio_write(KP_CNTL, KEY_COLS << 8 | KEY_ROWS);
    mmio_write(KP_SCAN_MODE, 33000u << 16 | 6600u << 2 | 3u);
    kit_keys_sampler = keys_sample;
}

void keys_read(keys_t *k)
{
    for (int r = 0; r < KEY_ROWS; r += 2) {
        uint32_t two = mmio_read(KP_DATA + 2 * r);
        k->rows[r] = (uint16_t)two;
        k->rows[r + 1] = (uint16_t)(two >> 16);
    }
    k->rows[KEY_ROW(KEY_ON)] &= (uint16_t)~(1u << KEY_COL(KEY_ON));
    if (!(mmio_read(PWR_STATUS) & PWR_ON_RELEASED))
        k->rows[KEY_ROW(KEY_ON)] |= (uint16_t)(1u << KEY_COL(KEY_ON));
}

bool keys_is_down(const keys_t *k, int key)
{
    if (key < 0 || KEY_ROW(key) >= KEY_ROWS)
        return false;
    return (k->rows[KEY_ROW(key)] >> KEY_COL(key)) & 1;
}

bool keys_any(const keys_t *k)
{
    for (int r = 0; r < KEY_ROWS; r++)
        if (k->rows[r])
            return true;
    return false;
}

/* keys_poll()'s snapshot, the keys hit since the poll before, and the presses
   the frame interrupt has seen since the last poll. */
static keys_t now, hits, latched, sampled;

/* 60 times a second from the frame interrupt (once keys_init() and lcd_init()
   have run): remembers every press, so that a key tapped between two polls
   still counts as hit. */
static void keys_sample(void)
{
    keys_t k;
    keys_read(&k);
    for (int r = 0; r < KEY_ROWS; r++)
        latched.rows[r] |= k.rows[r] & (uint16_t)~sampled.rows[r];
    sampled = k;
}

void keys_poll(void)
{
    uint32_t s = irq_save();
    keys_t k;
    keys_read(&k);
    for (int r = 0; r < KEY_ROWS; r++) {
        hits.rows[r] = (k.rows[r] & (uint16_t)~now.rows[r]) | latched.rows[r];
        latched.rows[r] = 0;
    }
    now = k;
    irq_restore(s);
}

bool key_down(int key)
{
    return keys_is_down(&now, key);
}

bool key_hit(int key)
{
    return keys_is_down(&hits, key);
}

void keys_hits(keys_t *out)
{
    *out = hits;
}

int key_first_hit(void)
{
    for (int r = 0; r < KEY_ROWS; r++)
        if (hits.rows[r])
            return KEY_CODE(r, __builtin_ctz(hits.rows[r]));
    return -1;
}

const char *key_name(int key)
{
    if (key < 0 || KEY_ROW(key) >= KEY_ROWS || KEY_COL(key) >= KEY_COLS)
        return 0;
    return names[KEY_ROW(key)][KEY_COL(key)];
}

int key_by_name(const char *name)
{
    for (int r = 0; r < KEY_ROWS; r++)
        for (int c = 0; c < KEY_COLS; c++)
            if (names[r][c] && strcmp(names[r][c], name) == 0)
                return KEY_CODE(r, c);
    return -1;
}
