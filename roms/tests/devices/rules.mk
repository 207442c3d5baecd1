# Rules for the ROMs in roms/tests/devices (see roms/Makefile and README.md).
#
# Device ROMs: self-checking raw ROMs for the emulated TI-Nspire CX, emu only
# (QEMU has no CX machine, so there is no *.qemu.elf flavour).  Each NAME.elf
# is built from tests/devices/NAME.c with the device library of
# tests/devices/lib (dev.c, irq.S) and the start-up code and checks of
# tests/cpu/lib (start.S, test.c), used in place.
#
# Only pattern rules here: an explicit rule in an included file would become
# the Makefile's default goal.

DEV        := tests/devices
DEV_ROMS   := timer_vic rtc uart lcd keypad watchdog system
IMAGES     += $(foreach n,$(DEV_ROMS),$(DEV)/$(n).elf)

DEV_LIB     := $(B)/$(DEV)/lib/dev.o $(B)/$(DEV)/lib/irq.o \
               $(B)/tests/cpu/lib/start.o $(B)/tests/cpu/lib/test.o \
               $(B)/common/sh.o $(B)/common/string.o
DEV_CFLAGS  := $(ROM_CFLAGS) -marm -I$(DEV)/lib -Itests/cpu/lib
DEV_HEADERS := $(DEV)/lib/dev.h tests/cpu/lib/test.h common/sh.h Makefile $(DEV)/rules.mk

$(B)/$(DEV)/%.o: $(DEV)/%.c $(DEV_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(DEV_CFLAGS) -c $< -o $@

$(B)/$(DEV)/%.o: $(DEV)/%.S Makefile $(DEV)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

$(DEV)/%.elf: $(B)/$(DEV)/%.o $(DEV_LIB) $(ROM_LD)
	$(CC) $(ROM_LDFLAGS) -T rom.ld $(DEV_LIB) $< $(ROM_LIBS) -o $@

# The objects are made by a chain of pattern rules: keep them.
.SECONDARY: $(foreach n,$(DEV_ROMS),$(B)/$(DEV)/$(n).o) $(DEV_LIB)
