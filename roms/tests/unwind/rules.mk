# Rules for the ROM in roms/tests/unwind (see roms/Makefile): a raw ROM of optimised code
# (-O2) with debug information (-g: line tables, .debug_frame) for the monitor's symbols,
# conditions and backtrace tests (emu/tests/symbols.rs).  One file is Thumb.  The paths in its
# DWARF are relative (-fdebug-prefix-map), so the image stays reproducible.
UNWIND_ROM   := tests/unwind
UNWIND_COMMA := ,
UNWIND_FLAGS := $(filter-out -g0,$(ROM_CFLAGS)) -g -fdebug-prefix-map=$(CURDIR)=.
UNWIND_OBJS  := $(B)/$(UNWIND_ROM)/unwind.o $(B)/$(UNWIND_ROM)/unwind_thumb.o
IMAGES       += $(UNWIND_ROM)/unwind.elf

$(B)/$(UNWIND_ROM)/unwind.o: $(UNWIND_ROM)/unwind.c common/sh.h Makefile $(UNWIND_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNWIND_FLAGS) -marm -c $< -o $@

$(B)/$(UNWIND_ROM)/unwind_thumb.o: $(UNWIND_ROM)/unwind_thumb.c Makefile $(UNWIND_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNWIND_FLAGS) -mthumb -c $< -o $@

$(UNWIND_ROM)/unwind.elf: $(ROM_COMMON) $(UNWIND_OBJS) $(ROM_LD)
	$(CC) $(filter-out -Wl$(UNWIND_COMMA)--strip-debug,$(ROM_LDFLAGS)) -T rom.ld \
		$(ROM_COMMON) $(UNWIND_OBJS) $(ROM_LIBS) -o $@
