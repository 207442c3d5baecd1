/*
 * kernel.c - vmdemo, a tiny operating system for the TI-Nspire CX's
 * ARM926EJ-S: "the seed essay, running" (issue 4, item 6).
 *
 * It builds an address space for each of two User-mode processes, alice
 * and bob, and runs them in turn, switching on the SP804 timer's interrupt
 * (0x900D0000, 32768 Hz, VIC line 19): each switch writes TTBR and
 * invalidates the TLB.  Both map one shared page, through which they
 * exchange messages.  Code is mapped read-only and data read/write (W^X
 * by convention: ARMv5 has no execute-never bit), so when alice writes to
 * her code the permission fault lands in the kernel, which reports it and
 * kills her.  alice's "book" is paged in on demand: a translation fault in
 * it makes the kernel take a frame, copy the page from the swap area and
 * retry the instruction.  The real-time clock (physical 0x90090000) is
 * mapped for the kernel at 0xE0000000 and for bob at 0x00800000.
 *
 * Everything is narrated through semihosting; the log depends on no
 * timing (each process's work between two waits takes far less than a
 * 10 ms slice, and every switch starts a fresh slice), so it is the same
 * on every run with the same --rtc.  EMU ONLY: it needs the CX's VIC,
 * timer and RTC.
 *
 * The LCD shows the same story as a picture (screen.c, drawn with the
 * homebrew kit): at every event the kernel redraws both processes' page
 * tables and states, the TTBR, the counters and what happened.  The time
 * slice is paused while it draws, so the picture changes nothing in the
 * log; each picture stays on screen for at least a frame, and the whole run
 * still takes well under a second of the machine's time (the RTC reads
 * the same second at the start, in bob's clock and at shutdown).
 *
 * Run: emu run --headless --semihosting --rtc 1767225600 roms/vmdemo/vmdemo.elf
 */
#include "vmdemo.h"

#include <stdarg.h>

#include "screen.h"
#include "sh.h"
#include "test.h"

/* ------------------------------------------------------------ hardware */
#define VIC_BASE 0xDC000000u   /* PL190 */
#define VICIRQSTATUS 0x000u
#define VICINTSELECT 0x00Cu
#define VICINTENABLE 0x010u
#define VICINTENCLEAR 0x014u
#define LCD_PA 0xC0000000u     /* PL111: screen.c's picture */
#define TIMER_BASE 0x900D0000u /* SP804, timer 1 */
#define TIMER_IRQ 19u
#define TimerLoad 0x00u
#define TimerControl 0x08u
#define TimerIntClr 0x0Cu
#define TIMER_HZ 32768u
#define SLICE (TIMER_HZ / 100u) /* 327 counts: 10 ms */
#define RTC_PA 0x90090000u      /* PL031 layout: RTCDR at +0 */
#define RTC_VA 0xE0000000u      /* the kernel's mapping of it */
#define ROM_SIZE 0x80000u

static void t_snprintf(char *buf, int size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static inline uint32_t rd(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void wr(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* CP15 (ARM926EJ-S TRM chapter 2). */
static inline void set_ttbr(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"(v) : "memory"); }
static inline uint32_t get_ttbr(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c2, c0, 0" : "=r"(v)); return v; }
static inline void set_dacr(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(v) : "memory"); }
static inline void tlb_invalidate(void) { __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" ::"r"(0) : "memory"); }
static inline void tlb_invalidate_mva(uint32_t va) { __asm__ volatile("mcr p15, 0, %0, c8, c7, 1" ::"r"(va) : "memory"); }
static inline uint32_t get_control(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v)); return v; }
static inline void set_control(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tnop\n\tnop" ::"r"(v) : "memory"); }
static inline uint32_t get_dfsr(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(v)); return v; }
static inline uint32_t get_ifsr(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(v)); return v; }
static inline uint32_t get_far(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(v)); return v; }
static inline void code_written(void)
{
    /* Drain the write buffer, invalidate the I-cache (ARM926EJ-S TRM 2.3.8). */
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4\n\tmcr p15, 0, %0, c7, c5, 0" ::"r"(0) : "memory");
}

/* Descriptors (ARM ARM B4.7). AP 01: privileged only; 10: User read-only;
   11: read/write for all. Domain 0: the kernel; domain 1: User pages. */
#define SECTION(pa, ap, dom) (((pa) & 0xFFF00000u) | ((ap) << 10) | ((dom) << 5) | 0x12u)
#define COARSE(tbl, dom) (((uint32_t)(tbl) & 0xFFFFFC00u) | ((dom) << 5) | 0x11u)
#define SMALL(pa, ap) (((pa) & 0xFFFFF000u) | ((ap) * 0x55u << 4) | 0x2u)
#define AP_KERNEL 1u
#define AP_USER_RO 2u
#define AP_USER_RW 3u
#define DOM_KERNEL 0u
#define DOM_USER 1u

/* -------------------------------------------------------------- memory */
#define NFRAMES 48
static uint8_t frames[NFRAMES][4096] __attribute__((aligned(4096)));
static uint32_t l1_tables[3][4096] __attribute__((aligned(16384)));
static uint32_t coarse_tables[16][256] __attribute__((aligned(1024)));
static unsigned frames_used, coarse_used;

/* The swap area: alice's book, one page per 4 KiB slot. */
static const char swap[U_BOOK_PAGES][4096] __attribute__((aligned(4096))) = {
    "Virtual memory lets every process believe it has the machine to itself.\n",
    "A page fault is only the kernel's cue to fetch what is missing.\n",
    "Two processes may share a page and still keep their secrets.\n",
    "The TLB remembers; the kernel must tell it when to forget.\n",
};

extern char __user_start[], __user_end[];

static uint32_t frame_alloc(unsigned *index)
{
    if (frames_used == NFRAMES) {
        t_printf("kernel: out of frames\n");
        rom_exit(1);
    }
    if (index)
        *index = frames_used;
    uint32_t pa = (uint32_t)frames[frames_used++];
    for (uint32_t i = 0; i < 4096; i += 4)
        wr(pa + i, 0);
    return pa;
}

static uint32_t *coarse_alloc(void)
{
    uint32_t *t = coarse_tables[coarse_used++];
    for (int i = 0; i < 256; i++)
        t[i] = 0;
    return t;
}

static void map_page(uint32_t *l1, uint32_t va, uint32_t desc)
{
    uint32_t *t = (uint32_t *)(l1[va >> 20] & 0xFFFFFC00u);
    t[(va >> 12) & 0xFF] = desc;
}

/* The kernel half of an address space: the boot ROM (vectors, kernel
   code and constants) page by page in a coarse table of the space's own,
   SDRAM, the APB devices (timers), the VIC, the LCD controller (for the
   picture; the log, older than the picture, does not mention it) and the
   RTC at RTC_VA - all for privileged accesses only. */
static uint32_t *rtc_table;

static void map_kernel(uint32_t *l1)
{
    for (int i = 0; i < 4096; i++)
        l1[i] = 0;
    uint32_t *rom = coarse_alloc();
    for (uint32_t pa = 0; pa < ROM_SIZE; pa += 4096)
        rom[pa >> 12] = SMALL(pa, AP_KERNEL);
    l1[0] = COARSE(rom, DOM_KERNEL);
    for (uint32_t mb = 0x100; mb < 0x140; mb++)
        l1[mb] = SECTION(mb << 20, AP_KERNEL, DOM_KERNEL);
    l1[0x900] = SECTION(0x90000000u, AP_KERNEL, DOM_KERNEL);
    l1[0xDC0] = SECTION(0xDC000000u, AP_KERNEL, DOM_KERNEL);
    l1[LCD_PA >> 20] = SECTION(LCD_PA, AP_KERNEL, DOM_KERNEL);
    l1[RTC_VA >> 20] = COARSE(rtc_table, DOM_KERNEL);
}

/* ----------------------------------------------------------- processes */
enum { READY, KILLED, EXITED };
struct proc {
    const char *name;
    uint32_t id;
    uint32_t *l1;
    uint32_t *book;      /* the coarse table of U_BOOK's MiB */
    uint32_t text_start; /* the text pages, read-only */
    uint32_t text_end;
    int state;
    uint32_t wx_va;      /* where it wrote to its code (the picture shows it) */
    uint32_t ctx[17];    /* saved context, as entry.S lays out a frame */
};
static struct proc procs[2];
static struct proc *cur;
static struct shared *shared_k; /* the shared page, seen by the kernel */
static uint32_t shared_pa;
static uint32_t ticks, switches, page_ins, kills, exits;
static uint32_t faults, syscalls, messages, last_turn; /* for the picture only */

enum { F_USP, F_ULR, F_SPSR, F_R0 };
#define F_PC 16

static void create(struct proc *p, const char *name, uint32_t id, void (*entry)(void), uint32_t private_word)
{
    p->name = name;
    p->id = id;
    p->l1 = l1_tables[id];
    map_kernel(p->l1);

    /* Text: a private copy of the user programs' pages, at the addresses
       they are linked at, read-only for User mode. */
    p->text_start = (uint32_t)__user_start;
    p->text_end = (uint32_t)__user_end;
    unsigned first = 0, n = 0;
    for (uint32_t va = p->text_start; va < p->text_end; va += 4096, n++) {
        unsigned index;
        uint32_t pa = frame_alloc(&index);
        if (n == 0)
            first = index;
        for (uint32_t i = 0; i < 4096; i += 4)
            wr(pa + i, rd(va + i));
        map_page(p->l1, va, SMALL(pa, AP_USER_RO));
    }
    code_written();

    /* Data and stack: two read/write pages. */
    uint32_t *data = coarse_alloc();
    p->l1[U_DATA >> 20] = COARSE(data, DOM_USER);
    uint32_t d0 = frame_alloc(0);
    map_page(p->l1, U_DATA, SMALL(d0, AP_USER_RW));
    map_page(p->l1, U_DATA + 0x1000, SMALL(frame_alloc(0), AP_USER_RW));
    wr(d0, private_word);

    /* The book: an empty table, every page a translation fault. */
    p->book = coarse_alloc();
    p->l1[U_BOOK >> 20] = COARSE(p->book, DOM_USER);

    /* The shared page. */
    uint32_t *sh = coarse_alloc();
    p->l1[U_SHARED >> 20] = COARSE(sh, DOM_USER);
    map_page(p->l1, U_SHARED, SMALL(shared_pa, AP_USER_RW));

    t_printf("kernel: process %u \"%s\": a first-level table of its own; text 0x%x-0x%x copied to "
             "%u frame(s) from frame %u, mapped read-only (W^X)\n",
             id, name, p->text_start, p->text_end - 1, n, first);
    t_printf("kernel:   data+stack 0x%x-0x%x read/write; book 0x%x-0x%x paged in on demand; shared page 0x%x\n",
             U_DATA, U_STACK_TOP - 1, U_BOOK, U_BOOK + U_BOOK_PAGES * 0x1000 - 1, U_SHARED);

    for (int i = 0; i < 17; i++)
        p->ctx[i] = 0;
    p->ctx[F_USP] = U_STACK_TOP;
    p->ctx[F_SPSR] = MODE_USR; /* User mode, ARM, IRQ and FIQ enabled */
    p->ctx[F_PC] = (uint32_t)entry;
    p->state = READY;
}

/* Makes `p` the running process: its table in TTBR, the TLB emptied (the
   ARMv5 TLB is not tagged by address space), a fresh time slice. */
static void activate(struct proc *p)
{
    cur = p;
    set_ttbr((uint32_t)p->l1);
    tlb_invalidate();
    wr(TIMER_BASE + TimerLoad, SLICE);
    wr(TIMER_BASE + TimerIntClr, 1);
}

static struct proc *next_ready(void)
{
    for (int k = 1; k <= 2; k++) {
        struct proc *p = &procs[(cur - procs + k) % 2];
        if (p->state == READY)
            return p;
    }
    return 0;
}

static void finish(void) __attribute__((noreturn));

/* The picture (screen.h): the kernel's state now, what just happened
   (`fmt`) and the page it is about (`hot_va`, in the current process; 0:
   none).  The current process's time slice and its interrupt are paused
   while the picture is drawn and, with `wait`, until it is on screen. */
static void show(enum view_event kind, uint32_t hot_va, int wait, const char *fmt, ...)
{
    uint32_t control = rd(TIMER_BASE + TimerControl);
    uint32_t timer_line = rd(VIC_BASE + VICINTENABLE) & (1u << TIMER_IRQ);
    wr(TIMER_BASE + TimerControl, control & ~(1u << 7)); /* disabled: the count holds */
    wr(VIC_BASE + VICINTENCLEAR, timer_line);

    char caption[200];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(caption, sizeof caption, fmt, ap);
    va_end(ap);
    static struct view v;
    for (int i = 0; i < 2; i++) {
        struct proc *p = &procs[i];
        v.procs[i] = (struct view_proc){
            .name = p->name,
            .l1 = p->l1,
            .state = p->state == KILLED ? V_KILLED
                     : p->state == EXITED ? V_EXITED
                     : p == cur && get_ttbr() == (uint32_t)p->l1 ? V_RUNNING
                                                                 : V_READY,
            .text_start = p->text_start,
            .text_end = p->text_end,
            .wx_va = p->wx_va,
        };
    }
    v.ttbr = get_ttbr();
    v.kernel_l1 = l1_tables[0];
    v.frames_pa = (uint32_t)frames;
    v.nframes = NFRAMES;
    v.frames_used = frames_used;
    v.shared = shared_k;
    v.rtc = rd(RTC_VA);
    v.ticks = ticks;
    v.switches = switches;
    v.faults = faults;
    v.page_ins = page_ins;
    v.messages = messages;
    v.syscalls = syscalls;
    v.kills = kills;
    v.exits = exits;
    v.kind = kind;
    v.caption = caption;
    v.hot_proc = hot_va ? (int)(cur - procs) : -1;
    v.hot_va = hot_va;
    screen_show(&v, wait);

    wr(VIC_BASE + VICINTENABLE, timer_line);
    wr(TIMER_BASE + TimerControl, control);
}

/* Saves the interrupted process's frame and puts the next one's in. */
static void switch_to(uint32_t *frame, struct proc *next)
{
    for (int i = 0; i < 17; i++)
        cur->ctx[i] = frame[i];
    switches++;
    activate(next);
    for (int i = 0; i < 17; i++)
        frame[i] = next->ctx[i];
}

/* The current process stopped: run another, or finish. */
static void leave(uint32_t *frame)
{
    struct proc *next = next_ready();
    if (!next)
        finish();
    t_printf("kernel: switching to %s (TTBR := %s's table, TLB invalidated)\n", next->name, next->name);
    switch_to(frame, next);
    show(EV_SWITCH, 0, 0, "kernel: switching to %s\nTTBR := %s's table, TLB invalidated", next->name, next->name);
}

/* `shown`: the picture's shorter account of `why` (0: the same). */
static void kill(uint32_t *frame, const char *why, const char *shown, uint32_t va)
{
    t_printf("kernel: %s - killing %s\n", why, cur->name);
    cur->state = KILLED;
    kills++;
    if (cur->id == ALICE)
        shared_k->alice_gone = 1; /* a notice for bob */
    show(EV_KILL, va, 0, "kernel: %s - killing %s", shown ? shown : why, cur->name);
    leave(frame);
}

/* --------------------------------------------------------------- traps */
static void panic(const char *what, uint32_t *frame)
{
    t_printf("kernel: PANIC: %s in the kernel (pc 0x%x, spsr 0x%x, DFSR 0x%x, IFSR 0x%x, FAR 0x%x)\n", what,
             frame[F_PC], frame[F_SPSR], get_dfsr(), get_ifsr(), get_far());
    rom_exit(1);
}

static void on_tick(uint32_t *frame)
{
    wr(TIMER_BASE + TimerIntClr, 1);
    ticks++;
    struct proc *next = next_ready();
    if (!next || next == cur) {
        t_printf("kernel: tick %u: %s keeps the CPU (nobody else is ready)\n", ticks, cur->name);
        return;
    }
    t_printf("kernel: tick %u: timer IRQ %u, switch %s -> %s (TTBR := %s's table, TLB invalidated)\n", ticks,
             TIMER_IRQ, cur->name, next->name, next->name);
    const char *was = cur->name;
    switch_to(frame, next);
    show(EV_SWITCH, 0, 0, "kernel: tick %u: timer IRQ %u, switch %s \x84 %s\nTTBR := %s's table, TLB invalidated",
         ticks, TIMER_IRQ, was, next->name, next->name);
}

static void on_syscall(uint32_t *frame)
{
    uint32_t nr = frame[F_R0], arg = frame[F_R0 + 1];
    syscalls++;
    switch (nr) {
    case SYS_PRINT: {
        /* The string is in the caller's space, which is the current one. */
        char line[200];
        int n = 0;
        while (n < (int)sizeof line - 1 && *(const char *)(arg + n))
            line[n] = *(const char *)(arg + n), n++;
        line[n] = 0;
        t_printf("  %s\n", line);
        frame[F_R0] = 0;
        show(EV_PRINT, 0, 0, "%s", line);
        return;
    }
    case SYS_EXIT:
        t_printf("kernel: %s exited with status %u\n", cur->name, arg);
        cur->state = EXITED;
        exits++;
        show(EV_KERNEL, 0, 0, "kernel: %s exited with status %u", cur->name, arg);
        leave(frame);
        return;
    default:
        kill(frame, "unknown system call", 0, 0);
    }
}

static void on_data_abort(uint32_t *frame)
{
    uint32_t dfsr = get_dfsr(), far = get_far(), status = dfsr & 0xF;
    faults++;
    if (status == 0x7 && far >= U_BOOK && far < U_BOOK + U_BOOK_PAGES * 0x1000u) {
        uint32_t va = far & ~0xFFFu, slot = (va - U_BOOK) >> 12;
        unsigned index;
        uint32_t pa = frame_alloc(&index);
        t_printf("kernel: page fault: %s read 0x%x: translation fault (page), DFSR 0x%X; "
                 "paging in 0x%x from swap slot %u into frame %u, then retrying\n",
                 cur->name, far, dfsr & 0xFF, va, slot, index);
        for (uint32_t i = 0; i < 4096; i += 4)
            wr(pa + i, rd((uint32_t)swap[slot] + i));
        cur->book[(va >> 12) & 0xFF] = SMALL(pa, AP_USER_RW);
        tlb_invalidate_mva(va);
        page_ins++;
        show(EV_FAULT, va, 0,
             "kernel: page fault: %s read 0x%x, not mapped\n"
             "swap slot %u \x84 frame %u, mapped RW: the load reruns", cur->name, far, slot, index);
        return; /* frame's pc is the faulting instruction: it runs again */
    }
    char why[160], shown[100];
    if (status == 0xF && far >= cur->text_start && far < cur->text_end) {
        t_snprintf(why, sizeof why, "W^X: %s wrote to 0x%x in her read-only code: permission fault (page), DFSR 0x%X",
                   cur->name, far, dfsr & 0xFF);
        t_snprintf(shown, sizeof shown, "W^X! %s wrote to 0x%x,\nher read-only code (permission fault)", cur->name, far);
        cur->wx_va = far;
        kill(frame, why, shown, far);
    } else {
        t_snprintf(why, sizeof why, "segmentation fault: %s accessed 0x%x, DFSR 0x%X", cur->name, far, dfsr & 0xFF);
        kill(frame, why, 0, far);
    }
}

void kernel_trap(uint32_t *frame, uint32_t kind);
void kernel_trap(uint32_t *frame, uint32_t kind)
{
    static const char *const names[] = {"", "IRQ", "SWI", "prefetch abort", "data abort"};
    if ((frame[F_SPSR] & 0x1F) != MODE_USR)
        panic(names[kind], frame);
    if (shared_k->turn != last_turn) { /* a message was left in the shared page */
        last_turn = shared_k->turn;
        messages++;
    }
    switch (kind) {
    case 1: {
        /* The LCD's frame interrupt (screen.c's double buffering) and the
           timer's tick. */
        uint32_t status = rd(VIC_BASE + VICIRQSTATUS);
        if (!(status & (1u << TIMER_IRQ | 1u << SCREEN_IRQ)))
            panic("unexpected IRQ", frame);
        if (status & (1u << SCREEN_IRQ))
            screen_irq();
        if (status & (1u << TIMER_IRQ))
            on_tick(frame);
        break;
    }
    case 2:
        on_syscall(frame);
        break;
    case 3: {
        char why[96];
        faults++;
        t_snprintf(why, sizeof why, "prefetch abort: %s jumped to 0x%x, IFSR 0x%X", cur->name, frame[F_PC],
                   get_ifsr() & 0xFF);
        kill(frame, why, 0, 0);
        break;
    }
    default:
        on_data_abort(frame);
    }
}

/* --------------------------------------------------------------- clock */
static void print_time(const char *who, uint32_t t)
{
    /* Days since 1970-01-01 to a civil date (the proleptic Gregorian
       calendar; H. Hinnant's days_from_civil, inverted). */
    uint32_t days = t / 86400, s = t % 86400;
    uint32_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    uint32_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    uint32_t y = yoe + era * 400 + (m <= 2);
    t_printf("kernel: %s RTC reads %u s = %u-%c%c-%c%c %c%c:%c%c:%c%c UTC\n", who, t, y, '0' + m / 10, '0' + m % 10,
             '0' + d / 10, '0' + d % 10, '0' + s / 36000, '0' + s / 3600 % 10, '0' + s % 3600 / 600,
             '0' + s % 600 / 60, '0' + s % 60 / 10, '0' + s % 10);
}

static void finish(void)
{
    wr(TIMER_BASE + TimerControl, 0);
    wr(VIC_BASE + VICINTENCLEAR, 1u << TIMER_IRQ);
    set_ttbr((uint32_t)l1_tables[0]);
    tlb_invalidate();
    t_printf("kernel: no process left: %u timer ticks, %u context switches, %u pages paged in, "
             "%u process killed, %u exited\n",
             ticks, switches, page_ins, kills, exits);
    print_time("at shutdown the", rd(RTC_VA));
    t_printf("vmdemo: done\n");
    /* The last picture, on screen before the exit (emu --screenshot). */
    show(EV_DONE, 0, 1,
         "kernel: no process left, vmdemo is done: %u ticks,\n"
         "%u switches, %u pages paged in, %u killed, %u exited",
         ticks, switches, page_ins, kills, exits);
    rom_exit(0);
}

/* ---------------------------------------------------------------- boot */
void trap_irq(void), trap_swi(void), trap_pabt(void), trap_dabt(void);
void enter_user(const uint32_t *frame) __attribute__((noreturn));

int main(void)
{
    t_printf("vmdemo: a tiny operating system with virtual memory, on the TI-Nspire CX's ARM926EJ-S\n");
    set_hook(VEC_IRQ, trap_irq);
    set_hook(VEC_SWI, trap_swi);
    set_hook(VEC_PABT, trap_pabt);
    set_hook(VEC_DABT, trap_dabt);

    rtc_table = coarse_alloc();
    rtc_table[0] = SMALL(RTC_PA, AP_KERNEL);
    map_kernel(l1_tables[0]);
    set_dacr((1u << (2 * DOM_KERNEL)) | (1u << (2 * DOM_USER))); /* both client */
    set_ttbr((uint32_t)l1_tables[0]);
    tlb_invalidate();
    screen_init(); /* the LCD, before the MMU: nothing to show yet */
    set_control(get_control() | 1u); /* M */
    t_printf("kernel: MMU on: boot ROM 0x00000000 (4 KiB pages), SDRAM 0x10000000, devices 0x90000000 and "
             "0xdc000000 mapped for the kernel only (AP 01, domain 0)\n");
    t_printf("kernel: RTC (physical 0x%x) mapped at virtual 0x%x\n", RTC_PA, RTC_VA);
    print_time("the", rd(RTC_VA));

    shared_pa = frame_alloc(0);
    shared_k = (struct shared *)shared_pa;
    shared_k->turn = ALICE;
    last_turn = ALICE;
    create(&procs[0], "alice", ALICE, alice_main, 0xA11CE000u);
    create(&procs[1], "bob", BOB, bob_main, 0x0000B0B0u);
    /* bob may read the clock: the RTC page, read-only, in his space only. */
    uint32_t *clock = coarse_alloc();
    procs[1].l1[U_CLOCK >> 20] = COARSE(clock, DOM_USER);
    map_page(procs[1].l1, U_CLOCK, SMALL(RTC_PA, AP_USER_RO));
    t_printf("kernel: bob also gets the RTC (physical 0x%x) at 0x%x, read-only\n", RTC_PA, U_CLOCK);

    /* The timer: periodic, 32-bit, interrupt enabled (SP804 TimerXControl),
       reloaded at every switch; the VIC passes line 19 as an IRQ. */
    wr(VIC_BASE + VICINTSELECT, 0);
    wr(VIC_BASE + VICINTENABLE, 1u << TIMER_IRQ);
    wr(TIMER_BASE + TimerLoad, SLICE);
    wr(TIMER_BASE + TimerControl, (1u << 7) | (1u << 6) | (1u << 5) | (1u << 1));
    t_printf("kernel: timer: SP804 at 0x%x, %u Hz, a tick every %u counts (10 ms), VIC line %u\n", TIMER_BASE,
             TIMER_HZ, SLICE, TIMER_IRQ);

    t_printf("kernel: starting alice (TTBR := alice's table, TLB invalidated)\n");
    activate(&procs[0]);
    show(EV_SWITCH, 0, 0, "kernel: starting alice\nTTBR := alice's table, TLB invalidated");
    enter_user(procs[0].ctx);
}
