/*
 * screen.h - what the kernel (kernel.c) shows on the LCD, and the few calls
 * that show it (screen.c, which draws with the homebrew kit's LCD helpers
 * and font: roms/kit).
 *
 * At every event (a context switch, a page fault, a system call, the W^X
 * kill, an exit) the kernel fills a struct view and calls screen_show():
 * the picture is drawn from the page tables themselves (the first-level
 * table of each process and the second-level entries of its pages), so
 * what it shows is what the MMU walks.
 */
#ifndef VMDEMO_SCREEN_H
#define VMDEMO_SCREEN_H

#include <stdint.h>

#include "vmdemo.h"

enum view_state { V_READY, V_RUNNING, V_KILLED, V_EXITED };
enum view_event { EV_KERNEL, EV_PRINT, EV_SWITCH, EV_FAULT, EV_KILL, EV_DONE };

struct view_proc {
    const char *name;
    const uint32_t *l1;  /* its first-level table (16 KiB, 4096 entries) */
    enum view_state state;
    uint32_t text_start; /* its text pages, [start, end) */
    uint32_t text_end;
    uint32_t wx_va;      /* where it broke W^X, 0 if it did not */
};

struct view {
    struct view_proc procs[2];   /* alice, bob */
    uint32_t ttbr;               /* TTBR as the CPU has it now */
    const uint32_t *kernel_l1;   /* the kernel's own table (boot, shutdown) */
    uint32_t frames_pa;          /* the first page frame: frame n is frames_pa + n * 4 KiB */
    uint32_t nframes;
    uint32_t frames_used;
    const struct shared *shared; /* the shared page, as the kernel sees it */
    uint32_t rtc;                /* the RTC's seconds since 1970 */
    uint32_t ticks, switches, faults, page_ins, messages, syscalls, kills, exits;
    enum view_event kind;        /* what happened: the caption's colour */
    const char *caption;         /* what happened, up to two lines ('\n') */
    int hot_proc;                /* the page the event is about: process 0 or 1, */
    uint32_t hot_va;             /* and the address (hot_proc -1: none) */
};

/* The LCD (lcd_init: 320x240, two framebuffers, the frame interrupt). */
void screen_init(void);
/* Draws the picture into the back buffer and asks for it to be shown;
   first waits, if need be, for the picture before to be on screen.  With
   `wait`, returns only once this one is (at most two frames).  Called by
   the kernel with IRQs masked: it waits in WFI and runs the LCD's frame
   interrupt itself. */
void screen_show(const struct view *v, int wait);
/* The LCD's frame interrupt (VIC line 21), for the kernel's IRQ trap. */
void screen_irq(void);

#define SCREEN_IRQ 21u

#endif
