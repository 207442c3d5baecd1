/* entry - the state an Ndless program starts in and the OS services it finds
 * running, as Ndless starts programs on TI-OS: SVC mode with IRQ and FIQ
 * masked, argc/argv, the MMU on, the LCD in RGB565, timer 2 ticking at 100 Hz
 * on VIC line 19 (polled, then through an IRQ handler installed at 0xA4000038
 * with IRQs enabled by TCT_Local_Control_Interrupts), the keypad scanning, the
 * Ndless extensions and OS variables a CX on OS 4.5 answers.
 *
 * Times are measured with the second timer of the SP804 at 0x900C0000
 * (0x900C0020), run free at 32768 Hz for the purpose and restored after.
 */
#include "ndless.h"
#include "check.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define LCD_UPBASE 0xC0000010
#define LCD_CONTROL 0xC0000018
#define TIMER2 0x900D0000       /* the OS tick: Load, Value, Control, IntClr, RIS */
#define REF 0x900C0020          /* the reference clock */
#define VIC 0xDC000000
#define KEYPAD 0x900E0000
#define SRAM_IRQ_VECTOR 0xA4000038
#define HZ 32768

#pragma GCC visibility push(hidden)
/* entry_asm.S */
extern void entry_irq_handler(void);
extern volatile uint32_t entry_irq_ticks;
uint32_t read_cpsr(void);
uint32_t read_cp15_control(void);
uint32_t peek(uint32_t address);
#pragma GCC visibility pop

static uint32_t ref_now(void) { return REG(REF + 4); }

/* Counts of the reference clock since `start` (it counts down). */
static uint32_t ref_since(uint32_t start) { return start - ref_now(); }

/* Waits until *p differs from `old` or `timeout` reference counts pass (also
 * bounded by a loop count, in case the reference clock does not run). */
static int wait_change(volatile uint32_t *p, uint32_t mask, uint32_t old, uint32_t timeout)
{
	uint32_t start = ref_now();
	for (uint32_t i = 0; i < 50000000; i++) {
		if ((*p & mask) != old)
			return 1;
		if (ref_since(start) > timeout)
			return 0;
	}
	return 0;
}

/* 10 ticks measured in reference counts: 3277 at 100 Hz; 0 on a timeout. */
#define TICKS 10
#define RATE_OK(c) ((c) >= HZ * TICKS / 110 && (c) <= HZ * TICKS / 90)

static uint32_t ticks_polled(void)
{
	uint32_t t0 = 0;
	for (int i = 0; i <= TICKS; i++) {
		REG(TIMER2 + 0x0C) = 1;                         /* clear the raw interrupt */
		if (!wait_change((volatile uint32_t *)(TIMER2 + 0x10), 1, 0, HZ / 10))
			return 0;
		if (i == 0)
			t0 = ref_now();
	}
	return t0 - ref_now();
}

static uint32_t ticks_irq(void)
{
	uint32_t t0;
	entry_irq_ticks = 0;
	if (!wait_change(&entry_irq_ticks, ~0u, 0, HZ / 10))
		return 0;
	t0 = ref_now();
	while (entry_irq_ticks < 1 + TICKS)
		if (ref_since(t0) > HZ / 2)
			return 0;
	return t0 - ref_now();
}

static void argv_checks(int argc, char **argv)
{
	static char label[] = "argv[N]";
	int ok = argc >= 1 && argv && argv[argc] == NULL;
	t_ok(ok, "argc >= 1, argv[argc] == NULL");
	if (!ok)
		return;
	t_info_str("argv[0]", argv[0]);
	t_ok(t_ends_with(argv[0], ".tns"), "argv[0] ends with .tns");
	t_value_dec("argc", argc);          /* the test decides these */
	for (int i = 1; i < argc && i < 10; i++) {
		label[5] = '0' + i;
		t_value_str(label, argv[i]);
	}
}

int main(int argc, char **argv)
{
	uint32_t cpsr = __crt0_state.cpsr, v, saved[4];

	t_begin("entry");

	/* The CPU */
	t_info_hex("cpsr at entry", cpsr);
	t_eq(cpsr & 0x1F, 0x13, "entered in SVC mode");
	t_eq(cpsr & 0xC0, 0xC0, "IRQ and FIQ masked at entry");
	t_eq(cpsr & 0x20, 0, "entered in ARM state");
	t_eq(__crt0_state.sp & 7, 0, "sp 8-byte aligned at entry");
	t_info_hex("lr at entry", __crt0_state.lr);
	t_eq(__crt0_state.bss_dirty, 0, ".bss was zero at entry");
	argv_checks(argc, argv);
	v = read_cp15_control();
	t_info_hex("cp15 control", v);
	t_eq(v & 1, 1, "MMU on");

	/* Hardware type */
	t_eq(nl_hwtype(), 1, "nl_hwtype() == 1 (CX)");
	t_eq(nl_hwsubtype(), 0, "nl_hwsubtype() == 0 (not CM, not CX II)");
	t_info_dec("nl_osid()", nl_osid());
	t_info_dec("nl_ndless_rev()", nl_ndless_rev());
	unsigned char *kt = nl_keypad_type();
	t_ok(kt != NULL && *kt == 4, "*keypad_type == 4 (touchpad)");
	void *in = nl_stdin(), *out = nl_stdout(), *err = nl_stderr();
	t_ok(in && out && err && in != out && out != err && in != err,
	     "stdin, stdout, stderr: three variables");

	/* The LCD */
	v = REG(LCD_CONTROL);
	t_info_hex("LCD control", v);
	t_eq(v & 1, 1, "LCD enabled");
	t_eq((v >> 1) & 7, 6, "LCD in RGB565 (LcdBpp 6)");
	t_info_hex("LCD framebuffer", REG(LCD_UPBASE));
	t_ok(REG(LCD_UPBASE) != 0, "LCD framebuffer set");

	/* The keypad */
	v = REG(KEYPAD);
	t_info_hex("keypad scan mode", v);
	t_eq(v & 3, 3, "keypad scanning continuously");
	uint32_t keys = 0;
	for (int i = 0; i < 16; i += 4)
		keys |= REG(KEYPAD + 0x10 + i);
	t_eq(keys, 0, "no key pressed");

	/* The reference clock: 0x900C0020, free-running, 32-bit, divide by 1 */
	saved[0] = REG(REF);
	saved[1] = REG(REF + 8);
	REG(REF + 8) = 0;
	REG(REF) = 0xFFFFFFFF;
	REG(REF + 8) = 0x82;
	REG(KEYPAD + 8) = 1;                                    /* clear "scan done" */
	t_ok(wait_change((volatile uint32_t *)(KEYPAD + 8), 1, 0, HZ / 10),
	     "keypad scan completes within 0.1 s");

	/* Timer 2 */
	v = REG(TIMER2 + 8);
	t_info_hex("timer 2 load", REG(TIMER2));
	t_info_hex("timer 2 control", v);
	t_eq(v & 0xA0, 0xA0, "timer 2 enabled, its interrupt enabled");
	t_eq((REG(VIC + 0x10) >> 19) & 1, 1, "VIC line 19 (timer 2) enabled");
	v = ticks_polled();
	t_info_dec("10 ticks polled, in 1/32768 s", v);
	t_ok(RATE_OK(v), "timer 2 ticks at 100 Hz (polled, IRQs masked)");

	/* Timer 2 through an IRQ handler, with IRQs enabled */
	t_ok(peek(0x38) == REG(SRAM_IRQ_VECTOR), "IRQ vector word: *0x38 == *0xA4000038");
	saved[2] = REG(SRAM_IRQ_VECTOR);
	saved[3] = REG(VIC + 0x10);
	REG(VIC + 0x14) = ~(1u << 19);                          /* only line 19 */
	REG(VIC + 0x10) = 1u << 19;
	REG(SRAM_IRQ_VECTOR) = (uint32_t)entry_irq_handler;
	REG(TIMER2 + 0x0C) = 1;
	int old = TCT_Local_Control_Interrupts(0);
	uint32_t during = read_cpsr();
	v = ticks_irq();
	int back = TCT_Local_Control_Interrupts(old);
	uint32_t after = read_cpsr();
	REG(SRAM_IRQ_VECTOR) = saved[2];
	REG(VIC + 0x14) = ~0u;
	REG(VIC + 0x10) = saved[3];
	REG(REF + 8) = 0;
	REG(REF) = saved[0];
	REG(REF + 8) = saved[1];
	t_info_hex("TCT_Local_Control_Interrupts(0)", old);
	t_eq(old & 0xC0, 0xC0, "TCT_Local_Control_Interrupts(0) returns the old mask 0xC0");
	t_eq(during & 0xC0, 0, "IRQ and FIQ enabled after TCT_Local_Control_Interrupts(0)");
	t_eq(back & 0xC0, 0, "TCT_Local_Control_Interrupts(old) returns 0");
	t_eq(after & 0xC0, 0xC0, "IRQ and FIQ masked again after TCT_Local_Control_Interrupts(old)");
	t_eq(after & 0x1F, 0x13, "still in SVC mode");
	t_info_dec("10 ticks by IRQ, in 1/32768 s", v);
	t_ok(RATE_OK(v), "timer 2 IRQs at 100 Hz through the handler at 0xA4000038");
	return t_end();
}
