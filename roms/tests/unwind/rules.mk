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

# The same program without DWARF and with the ARM exception-handling index instead
# (-funwind-tables: .ARM.exidx, what the Linux kernel unwinds by), for bt's other tables.
# The index names the personality routine __aeabi_unwind_cpp_pr0, which would pull libgcc's
# unwinder in; nothing here throws, so the name is defined as 0 instead.
UNWIND_EXIDX_FLAGS := $(ROM_CFLAGS) -funwind-tables
UNWIND_EXIDX_OBJS  := $(B)/$(UNWIND_ROM)/exidx/unwind.o $(B)/$(UNWIND_ROM)/exidx/unwind_thumb.o
IMAGES             += $(UNWIND_ROM)/unwind-exidx.elf

$(B)/$(UNWIND_ROM)/exidx/unwind.o: $(UNWIND_ROM)/unwind.c common/sh.h Makefile $(UNWIND_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNWIND_EXIDX_FLAGS) -marm -c $< -o $@

$(B)/$(UNWIND_ROM)/exidx/unwind_thumb.o: $(UNWIND_ROM)/unwind_thumb.c Makefile $(UNWIND_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNWIND_EXIDX_FLAGS) -mthumb -c $< -o $@

$(UNWIND_ROM)/unwind-exidx.elf: $(ROM_COMMON) $(UNWIND_EXIDX_OBJS) $(ROM_LD)
	$(CC) $(ROM_LDFLAGS) -Wl$(UNWIND_COMMA)--defsym=__aeabi_unwind_cpp_pr0=0 -T rom.ld \
		$(ROM_COMMON) $(UNWIND_EXIDX_OBJS) $(ROM_LIBS) -o $@
