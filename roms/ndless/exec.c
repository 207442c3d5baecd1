/* exec - nl_exec, one program running another as Ndless's loader runs it.
 *
 * Run with its own folder as /documents (emu --documents roms/ndless), it runs
 * itself: argv[0] is its own path, and the copy started with "child" as its
 * first argument checks what it was given and returns 40 + argc.  The parent
 * checks:
 *   - a missing file and a file that is not a program give 0xDEAD;
 *   - the child's argv: argv[0] the path as given, the arguments after it,
 *     NULL after them; the child runs in SVC mode with IRQ and FIQ masked,
 *     from a separate copy of the program (its statics are its own);
 *   - nl_exec returns what the child's main returned, with the registers the
 *     call must give back as they were (exec_asm.S), and the parent's
 *     interrupt mask as before;
 *   - the screen the child painted over is put back, unless the child called
 *     nl_no_scr_redraw;
 *   - the child's memory is freed: a block the size of the program's, taken
 *     and freed before, is given again at the same address after;
 *   - a child that runs a grandchild gets the grandchild's status back.
 */
#include "ndless.h"
#include "check.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define LCD_UPBASE 0xC0000010
#define PIXELS (320 * 240)

#pragma GCC visibility push(hidden)
int exec_keeps_registers(const char *path, int argsn, char **args, int *status);
uint32_t read_cpsr(void);
#pragma GCC visibility pop

/* Which copy this is: set by main, and never by another copy. */
static uint32_t whoami = 0;

static uint16_t *screen(void) { return (uint16_t *)REG(LCD_UPBASE); }

static void paint(uint16_t colour)
{
	uint16_t *s = screen();
	for (int i = 0; i < PIXELS; i++)
		s[i] = colour;
}

/* Whether every pixel is `colour`. */
static int painted(uint16_t colour)
{
	uint16_t *s = screen();
	for (int i = 0; i < PIXELS; i++)
		if (s[i] != colour)
			return 0;
	return 1;
}

/* The copy run as "child [paint|keep|nest] [PARENT_STATIC]". */
static int child(int argc, char **argv)
{
	whoami = 2;
	t_begin("exec child");
	uint32_t cpsr = read_cpsr();
	t_eq(cpsr & 0x1F, 0x13, "the child runs in SVC mode");
	t_eq(cpsr & 0xC0, 0xC0, "with IRQ and FIQ masked");
	t_eq(cpsr & 0x20, 0, "in ARM state");
	t_ok(argv[argc] == 0, "argv[argc] is NULL");
	t_ok(t_ends_with(argv[0], "exec.tns"), "argv[0] is the path nl_exec was given");
	const char *what = argc > 2 ? argv[2] : "";
	if (t_streq(what, "paint")) {
		paint(0x07E0);
	} else if (t_streq(what, "keep")) {
		paint(0x001F);
		nl_no_scr_redraw();
	} else if (t_streq(what, "nest")) {
		char *args[] = {"child", "grandchild"};
		t_eq(nl_exec(argv[0], 2, args), 43, "a grandchild's status comes back to the child");
	}
	t_end();
	return 40 + argc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && t_streq(argv[1], "child"))
		return child(argc, argv);
	whoami = 1;
	t_begin("exec");
	t_eq(nl_exec("/documents/no such program.tns", 0, 0), 0xDEAD, "a missing file gives 0xDEAD");
	t_eq(nl_exec("exec.c", 0, 0), 0xDEAD, "a file that is not a program gives 0xDEAD");

	/* The heap's first fit gives a freed block back at the same address. */
	void *before = malloc(64 * 1024);
	free(before);

	paint(0xF800);
	char *args[] = {"child", "paint", "ignored"};
	int status = 0;
	uint32_t changed = exec_keeps_registers(argv[0], 2, args, &status);
	t_eq(status, 43, "nl_exec returns the child's status (40 + argc)");
	t_eq(changed, 0, "r1, r2 and r5-r11 are as they were");
	t_eq(whoami, 1, "the child's statics are its own");
	t_eq(read_cpsr() & 0xDF, 0xD3, "the parent goes on in SVC mode, interrupts masked as before");
	t_ok(painted(0xF800), "the screen the child painted is put back");

	TCT_Local_Control_Interrupts(0);
	char *keep[] = {"child", "keep"};
	t_eq(nl_exec(argv[0], 2, keep), 43, "a child that keeps its screen");
	t_eq(read_cpsr() & 0xC0, 0, "the parent's interrupts are enabled again after");
	TCT_Local_Control_Interrupts(0xC0);
	t_ok(painted(0x001F), "nl_no_scr_redraw leaves the child's screen");

	char *nest[] = {"child", "nest"};
	t_eq(nl_exec(argv[0], 2, nest), 43, "a child that runs a grandchild");

	void *after = malloc(64 * 1024);
	t_ok(after == before, "the children's memory was freed");
	free(after);
	return t_end();
}
