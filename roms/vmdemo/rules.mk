# Rules for the ROMs in roms/vmdemo (see roms/Makefile and roms/README.md).
#
# vmdemo: a tiny operating system (kernel.c, entry.S) running two User-mode
# processes (user.c).  A raw ROM for the CX only (it needs the VIC, an
# SP804 timer and the RTC): vmdemo.elf (ROM layout, entry _reset) and
# vmdemo.bin, its flat image.  It uses the CPU conformance ROMs' start-up
# code (tests/cpu/lib/start.S: redirectable vectors, stacks) and printing
# (tests/cpu/lib/test.c), in place, and links with its own script
# (vmdemo.ld) to give the user programs pages of their own.
#
# The picture on the LCD (screen.c) is drawn with the homebrew kit: the
# kit's own objects for the LCD, the font and text, formatting, dates and
# the keypad hook the LCD's frame interrupt calls (built by kit/rules.mk's
# pattern rules), linked in as they are.  Not the kit's crt0.S, kit.ld
# and system.c: vmdemo has its own vectors, stacks, memory layout and
# interrupt dispatch (screen.c stands in for irq_attach), and kit/string.c
# would clash with common/string.c (memcpy, memset).
VMDEMO      := vmdemo
IMAGES      += $(VMDEMO)/vmdemo.elf $(VMDEMO)/vmdemo.bin
VMDEMO_KIT  := $(foreach n,lcd text font print rtc keys,$(B)/kit/$(n).o)
VMDEMO_OBJS := $(B)/$(VMDEMO)/kernel.o $(B)/$(VMDEMO)/entry.o $(B)/$(VMDEMO)/user.o \
               $(B)/$(VMDEMO)/screen.o $(VMDEMO_KIT) \
               $(B)/tests/cpu/lib/start.o $(B)/tests/cpu/lib/test.o \
               $(B)/common/sh.o $(B)/common/string.o
VMDEMO_DEPS := $(VMDEMO)/vmdemo.h $(VMDEMO)/screen.h tests/cpu/lib/test.h common/sh.h Makefile \
               $(VMDEMO)/rules.mk

# screen.c includes kit/kit.h, and only it: the kernel's headers and the
# kit's declare some of the same names.
$(B)/$(VMDEMO)/screen.o: $(VMDEMO)/screen.c $(VMDEMO_DEPS) kit/kit.h
	@mkdir -p $(dir $@)
	$(CC) $(ROM_CFLAGS) -Ikit -marm -c $< -o $@

$(B)/$(VMDEMO)/%.o: $(VMDEMO)/%.c $(VMDEMO_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ROM_CFLAGS) -Itests/cpu/lib -marm -c $< -o $@

$(B)/$(VMDEMO)/%.o: $(VMDEMO)/%.S Makefile $(VMDEMO)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

$(VMDEMO)/vmdemo.elf: $(VMDEMO_OBJS) $(VMDEMO)/vmdemo.ld
	$(CC) $(ROM_LDFLAGS) -T $(VMDEMO)/vmdemo.ld $(VMDEMO_OBJS) $(ROM_LIBS) -o $@

$(VMDEMO)/vmdemo.bin: $(VMDEMO)/vmdemo.elf
	$(OBJCOPY) -O binary $< $@
