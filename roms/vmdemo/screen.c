/*
 * screen.c - vmdemo's picture on the LCD: the two processes' page tables
 * and state, the TTBR, the shared page's messages, the counters and what
 * just happened (screen.h).
 *
 * It draws with the homebrew kit (roms/kit: lcd.c, text.c, font.c, print.c,
 * rtc.c, keys.c, linked as they are; see rules.mk) and stands in for the
 * one part of the kit that vmdemo cannot use, kit/system.c, whose start-up
 * and interrupt dispatch assume the kit's crt0: irq_attach() below records
 * the handler lcd_init() attaches (the frame interrupt, VIC line 21), and
 * the kernel's IRQ trap calls it through screen_irq().
 *
 * The kernel calls screen_show() in its trap handlers, with IRQs masked,
 * the user's time slice paused and the MMU on (the LCD controller at
 * 0xC0000000 and the framebuffers in SDRAM are mapped for the kernel in
 * every address space).  To wait for a frame it sleeps in WFI, which wakes
 * on the pending interrupt even though it is masked, and runs the frame
 * interrupt's handler itself.
 *
 * Layout (320x240, the kit's 8x8 font, 6 pixels a character):
 *
 *   title: vmdemo, the RTC's date and time
 *   TTBR and whose table it is
 *   two panels, alice | bob: state; the first-level table's entries (each
 *     MiB that has a section or a coarse table, as a tile); the
 *     second-level entries of the process's pages (address, what, access,
 *     frame)
 *   the shared page's two messages
 *   the counters
 *   the event, in a bar coloured by its kind
 */
#include "kit.h"
#include "screen.h"

/* -------------------------------------------------------- the kit's glue */
#define VIC_IRQSTATUS  (CX_VIC + 0x000)
#define VIC_INTENABLE  (CX_VIC + 0x010)
#define VIC_INTENCLEAR (CX_VIC + 0x014)

static irq_handler lcd_handler;

/* kit.h's irq_attach, for lcd_init(): the handler is called from the
   kernel's IRQ trap (screen_irq) or from the waits below. */
void irq_attach(int line, irq_handler fn)
{
    if (line != (int)SCREEN_IRQ)
        return;
    lcd_handler = fn;
    mmio_write(fn ? VIC_INTENABLE : VIC_INTENCLEAR, 1u << line);
}

void cpu_wfi(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
}

void screen_irq(void)
{
    if (lcd_handler)
        lcd_handler();
}

/* Sleeps until the next LCD frame interrupt and handles it. */
static void wait_frame(void)
{
    while (!(mmio_read(VIC_IRQSTATUS) & (1u << SCREEN_IRQ)))
        cpu_wfi();
    screen_irq();
}

void screen_init(void)
{
    lcd_init();
}

/* ------------------------------------------------------------- colours */
#define COLUMNS (LCD_WIDTH / FONT_ADVANCE) /* 53 characters a line */
#define C_BG       RGB(14, 20, 40)
#define C_TITLE    RGB(36, 56, 120)
#define C_PANEL    RGB(26, 34, 62)
#define C_TEXT     RGB(235, 235, 235)
#define C_DIM      RGB(140, 150, 175)
#define C_FAINT    RGB(95, 100, 120)
#define C_RO       RGB(110, 180, 255)
#define C_RW       RGB(110, 225, 130)
#define C_SHARED   RGB(240, 130, 230)
#define C_RTC      RGB(255, 180, 60)
#define C_HOT      RGB(120, 96, 0)
#define C_BAD      RGB(190, 20, 20)
#define C_COARSE   RGB(0, 140, 160)
#define C_COARSE_T RGB(90, 210, 230)
#define C_SECT     RGB(140, 84, 196)
#define C_SECT_T   RGB(200, 160, 250)

static const color_t state_colour[] = {
    [V_READY] = RGB(60, 72, 110),
    [V_RUNNING] = RGB(0, 130, 60),
    [V_KILLED] = RGB(190, 20, 20),
    [V_EXITED] = RGB(80, 80, 80),
};
static const char *const state_name[] = {
    [V_READY] = "ready",
    [V_RUNNING] = "RUNNING",
    [V_KILLED] = "KILLED",
    [V_EXITED] = "exited",
};
static const color_t event_colour[] = {
    [EV_KERNEL] = RGB(36, 56, 120),
    [EV_PRINT] = RGB(52, 58, 84),
    [EV_SWITCH] = RGB(0, 100, 112),
    [EV_FAULT] = RGB(150, 92, 0),
    [EV_KILL] = RGB(180, 20, 20),
    [EV_DONE] = RGB(0, 110, 50),
};

/* --------------------------------------------------------- the tables */
/* The second-level (small page) descriptor for va, or 0 if va has none. */
static uint32_t page_entry(const uint32_t *l1, uint32_t va)
{
    uint32_t d = l1[va >> 20];
    if ((d & 3u) != 1u) /* not a coarse table */
        return 0;
    const uint32_t *coarse = (const uint32_t *)(d & 0xFFFFFC00u);
    uint32_t e = coarse[(va >> 12) & 0xFFu];
    return (e & 3u) == 2u ? e : 0;
}

/* Which page of the process a row shows. */
struct row {
    uint32_t va;
    const char *what;
    uint32_t colour; /* of its name: NO_BG for the access colour */
};

/* A tile: a first-level entry, coarse table or section(s), filled if in
   the User domain, outlined if the kernel's. */
static int tile(int x, int y, const char *label, int coarse, int user)
{
    int w = text_width(label, 1) + 5;
    color_t c = coarse ? C_COARSE : C_SECT;
    if (user) {
        lcd_rect(x, y, w, 10, c);
        lcd_text(x + 3, y + 1, label, WHITE, NO_BG);
    } else {
        lcd_frame(x, y, w, 10, c);
        lcd_text(x + 3, y + 1, label, coarse ? C_COARSE_T : C_SECT_T, NO_BG);
    }
    return x + w;
}

/* One tile per first-level entry in use (a run of sections with
   consecutive frames and the same attributes is one tile). */
static int draw_l1(int x0, int y, int w, const uint32_t *l1)
{
    int x = x0;
    for (int i = 0; i < 4096;) {
        uint32_t d = l1[i];
        uint32_t type = d & 3u;
        if (type == 0) {
            i++;
            continue;
        }
        int j = i + 1;
        if (type == 2) {
            while (j < 4096 && (l1[j] & 3u) == 2u && (l1[j] & 0xFFFFFu) == (d & 0xFFFFFu) &&
                   (l1[j] >> 20) == (d >> 20) + (uint32_t)(j - i))
                j++;
        }
        char label[12];
        if (j - i > 1)
            kit_snprintf(label, sizeof label, "%03x-%03x", i, j - 1);
        else
            kit_snprintf(label, sizeof label, "%03x", i);
        /* Domain 1 is the User pages' (filled), domain 0 the kernel's
           (outlined). */
        int tw = text_width(label, 1) + 5;
        if (x + tw > x0 + w) {
            x = x0;
            y += 11;
        }
        tile(x, y, label, type == 1, ((d >> 5) & 15u) == 1u);
        x += tw + 2;
        i = j;
    }
    return y + 11;
}

static void draw_page(int x, int y, const struct view *v, int p, const struct row *r)
{
    const struct view_proc *proc = &v->procs[p];
    uint32_t e = page_entry(proc->l1, r->va);
    uint32_t pa = e & 0xFFFFF000u, ap = (e >> 4) & 3u;
    int wx = proc->wx_va && (proc->wx_va & ~0xFFFu) == r->va;
    int hot = v->hot_proc == p && (v->hot_va & ~0xFFFu) == r->va;
    if (wx)
        lcd_rect(x, y - 1, 156, 9, C_BAD);
    else if (hot)
        lcd_rect(x, y - 1, 156, 9, C_HOT);

    color_t access = wx ? WHITE : !e ? C_FAINT : ap == 3 ? C_RW : ap == 2 ? C_RO : C_DIM;
    color_t name = wx || r->colour == NO_BG ? access : (color_t)r->colour;
    lcd_printf(x + 2, y, e ? C_TEXT : C_FAINT, NO_BG, "%08x", r->va);
    lcd_text(x + 53, y, r->what, name, NO_BG);
    if (!e) {
        if (r->va >= U_BOOK && r->va < U_BOOK + U_BOOK_PAGES * 0x1000u)
            lcd_printf(x + 96, y, C_FAINT, NO_BG, "--  swap %u", (r->va - U_BOOK) >> 12);
        else
            lcd_text(x + 96, y, "--", C_FAINT, NO_BG);
        return;
    }
    static const char *const ap_name[] = {"??", "K", "RO", "RW"};
    lcd_text(x + 96, y, ap_name[ap], access, NO_BG);
    if (pa >= v->frames_pa && pa < v->frames_pa + v->nframes * 4096u)
        lcd_printf(x + 114, y, C_TEXT, NO_BG, "fr %u", (pa - v->frames_pa) >> 12);
    else if (pa == CX_RTC)
        lcd_text(x + 114, y, "RTC", C_RTC, NO_BG);
    else
        lcd_printf(x + 114, y, C_TEXT, NO_BG, "%x", pa >> 12);
    if (wx)
        lcd_text(x + 144, y, "W!", YELLOW, NO_BG);
}

static void draw_proc(int x, int y, const struct view *v, int p, int running)
{
    const struct view_proc *proc = &v->procs[p];
    const int w = 158, h = 140;
    lcd_rect(x, y, w, h, C_PANEL);
    if (running)
        lcd_frame(x - 1, y - 1, w + 2, h + 2, YELLOW);

    /* The name and the state. */
    lcd_rect(x, y, w, 11, state_colour[proc->state]);
    lcd_text_scaled(x + 3, y + 2, proc->name, WHITE, NO_BG, 1);
    lcd_text(x + 3 + 6 * 6, y + 2, p == 0 ? "pid 1" : "pid 2", C_DIM, NO_BG);
    const char *s = proc->state == V_KILLED && proc->wx_va ? "KILLED (W^X)" : state_name[proc->state];
    lcd_text(x + w - 3 - text_width(s, 1), y + 2, s, WHITE, NO_BG);

    /* The first-level table. */
    int n = 0;
    for (int i = 0; i < 4096; i++)
        n += (proc->l1[i] & 3u) != 0;
    lcd_printf(x + 2, y + 14, C_DIM, NO_BG, "L1 %08x: %u of 4096", (uint32_t)proc->l1, n);
    int ty = draw_l1(x + 2, y + 24, w - 4, proc->l1);

    /* The second-level entries of its pages. */
    ty += 2;
    lcd_text(x + 2, ty, "page     what   AP frame", C_DIM, NO_BG);
    lcd_hline(x + 2, ty + 9, w - 4, C_FAINT);
    ty += 12;
    struct row rows[16];
    int nrows = 0;
    for (uint32_t va = proc->text_start; va < proc->text_end && nrows < 4; va += 4096)
        rows[nrows++] = (struct row){va, "text", NO_BG};
    rows[nrows++] = (struct row){U_DATA, "data", NO_BG};
    rows[nrows++] = (struct row){U_DATA + 0x1000u, "stack", NO_BG};
    for (uint32_t i = 0; i < U_BOOK_PAGES; i++)
        rows[nrows++] = (struct row){U_BOOK + i * 0x1000u, "book", NO_BG};
    rows[nrows++] = (struct row){U_SHARED, "shared", C_SHARED};
    rows[nrows++] = (struct row){U_CLOCK, "clock", NO_BG};
    for (int i = 0; i < nrows; i++, ty += 9)
        draw_page(x + 1, ty, v, p, &rows[i]);
}

/* One message of the shared page, on one line (cut short with "~"). */
static void draw_message(int x, int y, const char *label, const char *text)
{
    char line[COLUMNS + 1];
    int n = 0;
    x = lcd_text(x, y, label, C_SHARED, NO_BG);
    int room = (LCD_WIDTH - 2 - x) / FONT_ADVANCE;
    if (room > COLUMNS)
        room = COLUMNS;
    while (text[n] && n < room)
        line[n] = text[n], n++;
    if (text[n] && n > 0)
        line[n - 1] = '~';
    line[n] = 0;
    lcd_text(x, y, n ? line : "(empty)", n ? C_TEXT : C_FAINT, NO_BG);
}

/* Text wrapped at spaces into lines of at most COLUMNS characters ('\n'
   also breaks), at most `lines` of them. */
static void draw_wrapped(int x, int y, const char *s, color_t fg, int lines)
{
    char line[COLUMNS + 1];
    while (*s && lines-- > 0) {
        int n = 0, cut = -1;
        while (s[n] && s[n] != '\n' && n < COLUMNS) {
            if (s[n] == ' ')
                cut = n;
            n++;
        }
        if (s[n] && s[n] != '\n' && s[n] != ' ' && cut > 0)
            n = cut; /* a word would be split: break at the space before it */
        for (int i = 0; i < n; i++)
            line[i] = s[i];
        line[n] = 0;
        lcd_text(x, y, line, fg, NO_BG);
        s += n;
        if (*s == ' ' || *s == '\n')
            s++;
        y += FONT_LINE;
    }
}

/* "label value" pairs; returns the x after them. */
static int counter(int x, int y, const char *label, uint32_t value)
{
    x = lcd_text(x, y, label, C_DIM, NO_BG);
    x = lcd_printf(x + 3, y, WHITE, NO_BG, "%u", value);
    return x + 8;
}

static void draw(const struct view *v)
{
    int x;
    lcd_clear(C_BG);

    /* The title and the clock. */
    lcd_rect(0, 0, LCD_WIDTH, 11, C_TITLE);
    lcd_text(3, 2, "vmdemo", YELLOW, NO_BG);
    /* The tiles' legend. */
    x = tile(46, 0, "coarse", 1, 1);
    x = tile(x + 2, 0, "section", 0, 1);
    tile(x + 2, 0, "kernel", 1, 0);
    struct datetime t;
    datetime_from_seconds(v->rtc, &t);
    char when[32];
    kit_snprintf(when, sizeof when, "RTC %04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                 t.minute, t.second);
    lcd_text(LCD_WIDTH - 2 - text_width(when, 1), 2, when, C_RTC, NO_BG);

    /* The TTBR: whose table the MMU walks. */
    int running = -1;
    const char *whose = "?";
    for (int p = 0; p < 2; p++)
        if ((v->ttbr & ~0x3FFFu) == (uint32_t)v->procs[p].l1) {
            whose = v->procs[p].name;
            if (v->procs[p].state == V_RUNNING)
                running = p;
        }
    if ((v->ttbr & ~0x3FFFu) == (uint32_t)v->kernel_l1)
        whose = "the kernel";
    x = lcd_printf(3, 14, WHITE, NO_BG, "TTBR %08x", v->ttbr);
    x = lcd_text(x + 6, 14, FONT_RIGHT_S, YELLOW, NO_BG);
    x = lcd_printf(x + 6, 14, YELLOW, NO_BG, "%s's table", whose);
    if (running >= 0)
        lcd_printf(x + 6, 14, C_DIM, NO_BG, "(%s runs)", whose);
    else
        lcd_text(x + 6, 14, "(no process runs)", C_DIM, NO_BG);

    /* The two processes. */
    draw_proc(1, 25, v, 0, running == 0);
    draw_proc(161, 25, v, 1, running == 1);

    /* The shared page's messages. */
    int y = 168;
    uint32_t shared = page_entry(v->procs[0].l1, U_SHARED) & 0xFFFFF000u;
    lcd_printf(3, y, C_SHARED, NO_BG, "shared page %08x = frame %u in both spaces:", U_SHARED,
               (shared - v->frames_pa) >> 12);
    draw_message(3, y + 9, "alice" FONT_RIGHT_S " ", v->shared->ping);
    draw_message(3, y + 18, "bob" FONT_RIGHT_S " ", v->shared->pong);

    /* The counters. */
    y = 197;
    x = counter(3, y, "switches", v->switches);
    x = counter(x, y, "ticks", v->ticks);
    x = counter(x, y, "faults", v->faults);
    x = counter(x, y, "paged in", v->page_ins);
    counter(x, y, "messages", v->messages);
    y += 9;
    x = counter(3, y, "syscalls", v->syscalls);
    x = counter(x, y, "kills", v->kills);
    x = counter(x, y, "exits", v->exits);
    x = lcd_text(x, y, "page frames", C_DIM, NO_BG);
    lcd_printf(x + 3, y, WHITE, NO_BG, "%u/%u", v->frames_used, v->nframes);

    /* What just happened. */
    y = 217;
    lcd_rect(0, y, LCD_WIDTH, LCD_HEIGHT - y, event_colour[v->kind]);
    draw_wrapped(3, y + 3, v->caption, WHITE, 2);
}

void screen_show(const struct view *v, int wait)
{
    while (lcd_flip_pending()) /* the picture before is not on screen yet */
        wait_frame();
    draw(v);
    lcd_flip();
    while (wait && lcd_flip_pending())
        wait_frame();
}
