/*
 * dev.h - the TI-Nspire CX's devices for the device ROMs (roms/tests/devices).
 *
 * Register addresses (docs/hardware.md, the ARM TRMs), MMIO
 * access, CPSR interrupt masks, wait for interrupt, the VIC dispatch of
 * lib/irq.S, two free-running reference clocks and tolerance checks.  The
 * checks and output themselves are tests/cpu/lib (test.h).
 */
#ifndef DEV_H
#define DEV_H

#include <stdint.h>
#include "test.h"

/* ------------------------------------------------------------------ MMIO */
static inline uint32_t rd(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void wr(uint32_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

/* ------------------------------------------------------- interrupt lines */
#define IRQ_UART     1
#define IRQ_WATCHDOG 3
#define IRQ_RTC      4
#define IRQ_GPIO     7
#define IRQ_POWER    15
#define IRQ_KEYPAD   16
#define IRQ_TIMER0   17 /* fast timer, 0x90010000 */
#define IRQ_TIMER1   18 /* 0x900C0000 */
#define IRQ_TIMER2   19 /* 0x900D0000 */
#define IRQ_LCD      21

/* --------------------------------------------------- PL190 VIC (DDI 0181) */
#define VIC            0xDC000000u
#define VIC_IRQSTATUS  (VIC + 0x000)
#define VIC_FIQSTATUS  (VIC + 0x004)
#define VIC_RAWINTR    (VIC + 0x008)
#define VIC_INTSELECT  (VIC + 0x00C)
#define VIC_INTENABLE  (VIC + 0x010)
#define VIC_INTENCLEAR (VIC + 0x014)
#define VIC_SOFTINT    (VIC + 0x018)
#define VIC_SOFTINTCLR (VIC + 0x01C)
#define VIC_PROTECTION (VIC + 0x020)
#define VIC_VECTADDR   (VIC + 0x030)
#define VIC_DEFVECT    (VIC + 0x034)
#define VIC_VECTADDRN(n) (VIC + 0x100 + 4 * (n))
#define VIC_VECTCNTLN(n) (VIC + 0x200 + 4 * (n))
#define VECTCNTL_E     0x20u

/* ------------------------------------------ SP804 dual timers (DDI 0271) */
#define FAST_TIMER 0x90010000u /* APB clock (33 MHz) */
#define TIMER1     0x900C0000u /* 32768 Hz */
#define TIMER2     0x900D0000u /* 32768 Hz */
/* Registers of timer t (0 or 1) of block b. */
#define T_LOAD(b, t)    ((b) + 0x20 * (t) + 0x00)
#define T_VALUE(b, t)   ((b) + 0x20 * (t) + 0x04)
#define T_CONTROL(b, t) ((b) + 0x20 * (t) + 0x08)
#define T_INTCLR(b, t)  ((b) + 0x20 * (t) + 0x0C)
#define T_RIS(b, t)     ((b) + 0x20 * (t) + 0x10)
#define T_MIS(b, t)     ((b) + 0x20 * (t) + 0x14)
#define T_BGLOAD(b, t)  ((b) + 0x20 * (t) + 0x18)
#define TC_ONESHOT  0x01u
#define TC_32BIT    0x02u
#define TC_PRE16    0x04u
#define TC_PRE256   0x08u
#define TC_IE       0x20u
#define TC_PERIODIC 0x40u
#define TC_ENABLE   0x80u

/* The clocks of the built-in machine (emu/machines/nspire-cx.ron): the
   32 kHz timers' TIMCLK, the APB clock (the fast timer, the watchdog and the
   keypad), the LCD controller's CLCDCLK. */
#define SLOW_HZ  32768u
#define APB_HZ   33000000u
#define CLCD_HZ  12000000u

/* ------------------------------------------------ PL011 UART (DDI 0183) */
#define UART      0x90020000u
#define UART_DR   (UART + 0x000)
#define UART_RSR  (UART + 0x004)
#define UART_FR   (UART + 0x018)
#define UART_IBRD (UART + 0x024)
#define UART_FBRD (UART + 0x028)
#define UART_LCRH (UART + 0x02C)
#define UART_CR   (UART + 0x030)
#define UART_IFLS (UART + 0x034)
#define UART_IMSC (UART + 0x038)
#define UART_RIS  (UART + 0x03C)
#define UART_MIS  (UART + 0x040)
#define UART_ICR  (UART + 0x044)
#define UART_DMACR (UART + 0x048)

/* ----------------------------------------------------- PL031 RTC layout */
#define RTC       0x90090000u
#define RTC_DR    (RTC + 0x000)
#define RTC_MR    (RTC + 0x004)
#define RTC_LR    (RTC + 0x008)
#define RTC_CR    (RTC + 0x00C)
#define RTC_IMSC  (RTC + 0x010)
#define RTC_RIS   (RTC + 0x014)
#define RTC_MIS   (RTC + 0x018)
#define RTC_ICR   (RTC + 0x01C)

/* ----------------------------------------------- PL111 CLCD (DDI 0293) */
#define LCD         0xC0000000u
#define LCD_TIMING0 (LCD + 0x000)
#define LCD_TIMING1 (LCD + 0x004)
#define LCD_TIMING2 (LCD + 0x008)
#define LCD_TIMING3 (LCD + 0x00C)
#define LCD_UPBASE  (LCD + 0x010)
#define LCD_LPBASE  (LCD + 0x014)
#define LCD_CONTROL (LCD + 0x018)
#define LCD_IMSC    (LCD + 0x01C)
#define LCD_RIS     (LCD + 0x020)
#define LCD_MIS     (LCD + 0x024)
#define LCD_ICR     (LCD + 0x028)
#define LCD_UPCURR  (LCD + 0x02C)
#define LCD_LPCURR  (LCD + 0x030)
#define LCD_PALETTE (LCD + 0x200)

/* ------------------------------------- keypad, power, misc, GPIO, SP805 */
#define KEYPAD           0x900E0000u
#define KP_SCAN_MODE     (KEYPAD + 0x00)
#define KP_CNTL          (KEYPAD + 0x04)
#define KP_INT           (KEYPAD + 0x08)
#define KP_INTMSK        (KEYPAD + 0x0C)
#define KP_DATA          (KEYPAD + 0x10)
#define KP_GPIO          (KEYPAD + 0x30)
#define KP_UNKNOWN_INT   (KEYPAD + 0x40)
#define KP_UNKNOWN_STS   (KEYPAD + 0x44)

#define POWER            0x900B0000u
#define MISC             0x900A0000u
#define GPIO             0x90000000u
#define WATCHDOG         0x90060000u
#define WDOG_LOAD        (WATCHDOG + 0x000)
#define WDOG_VALUE       (WATCHDOG + 0x004)
#define WDOG_CONTROL     (WATCHDOG + 0x008)
#define WDOG_INTCLR      (WATCHDOG + 0x00C)
#define WDOG_RIS         (WATCHDOG + 0x010)
#define WDOG_MIS         (WATCHDOG + 0x014)
#define WDOG_LOCK        (WATCHDOG + 0xC00)
#define WDOG_UNLOCK_KEY  0x1ACCE551u

/* SRAM (0xA4000000, 128 KiB): keeps its contents across a machine reset. */
#define SRAM             0xA4000000u

/* --------------------------------------------------------- CPU state */
static inline void irq_enable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\tbic %0, %0, #0x80\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

static inline void irq_disable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\torr %0, %0, #0x80\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

static inline void fiq_enable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\tbic %0, %0, #0x40\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

static inline void fiq_disable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\torr %0, %0, #0x40\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

/* Both at once, in one MSR. */
static inline void irq_fiq_enable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\tbic %0, %0, #0xC0\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

static inline void irq_fiq_disable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\torr %0, %0, #0xC0\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

/* ARM926EJ-S wait for interrupt (CP15 c7, c0, 4): the core sleeps until nIRQ
   or nFIQ is asserted, whether or not the CPSR masks it, then runs on. */
static inline void wfi(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
}

/* -------------------------------------------- interrupt dispatch (irq.S) */
typedef void (*handler_fn)(void);

/* The IRQ entry: reads VICVECTADDR (which puts the interrupt in service),
   calls the address it gives, writes VICVECTADDR (ends the service), returns
   to the interrupted code.  The FIQ entry calls fiq_handler. */
void irq_entry(void);
void fiq_entry(void);
extern volatile handler_fn fiq_handler;

/* Every VIC register to its reset state (nothing enabled, no vectors),
   DEFVECTADDR = the unexpected-IRQ handler, the IRQ and FIQ hooks of
   start.S pointed at irq_entry and fiq_entry. */
void vic_setup(void);
/* Vectored slot `slot` (0 = highest priority) serves `line` with `fn`. */
void vic_vector(int slot, int line, handler_fn fn);
void vic_enable(int line);
void vic_disable(int line);

/* IRQs that reached the default vector (nothing claimed them): each masks
   its lines in the VIC and is counted; vic_check_unexpected() checks none. */
extern volatile uint32_t unexpected_irqs, unexpected_status;
void vic_check_unexpected(void);

/* ---------------------------------------------- reference clocks */
/* Starts the free-running references: timer 2 of 0x900C0000 counting the
   32768 Hz clock and timer 2 of the fast timer counting the APB clock, both
   32-bit, no interrupt.  slow_now()/fast_now() count up from the start. */
void ref_start(void);
static inline uint32_t slow_now(void)
{
    return ~rd(T_VALUE(TIMER1, 1));
}
static inline uint32_t fast_now(void)
{
    return ~rd(T_VALUE(FAST_TIMER, 1));
}
/* Busy-waits until the slow reference has advanced `ticks`. */
void wait_slow(uint32_t ticks);
/* Sleeps `ticks` of the 32768 Hz clock in WFI: timer 1 of 0x900D0000 in
   one-shot mode interrupts (line 19, vectored slot 15) and wakes the CPU.
   IRQs are enabled meanwhile (other handlers may run) and masked on return.
   Returns the number of WFIs it took. */
uint32_t sleep_slow(uint32_t ticks);

/* ---------------------------------------------------------- checks */
/* got within want +- tol: "ok <what> = <got> (want <want> +- <tol>)". */
int t_near(uint32_t got, uint32_t want, uint32_t tol, const char *fmt, ...);
/* got == want, in decimal: "ok <what> = <got>". */
int t_dec(uint32_t got, uint32_t want, const char *fmt, ...);
/* The eight PrimeCell ID registers at base + 0xFE0..0xFFC. */
void t_ids(uint32_t base, const char *name, const uint8_t want[8]);
/* Only the four peripheral ID registers at base + 0xFE0..0xFEC (cells
   without component ID registers). */
void t_periph_id(uint32_t base, const char *name, uint32_t want);

/* 64-bit a * b / c, rounded to nearest (for expected tick counts). */
uint32_t muldiv(uint32_t a, uint32_t b, uint32_t c);

#endif
