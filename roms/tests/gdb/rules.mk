# Rules for the ROM in roms/tests/gdb (see roms/Makefile): a raw ROM with
# debug information (-O0 -g) for the gdb-multiarch test.  The paths in its
# DWARF are relative (-ffile-prefix-map), so the image stays reproducible.
GDB_ROM := tests/gdb
GDB_COMMA := ,
IMAGES  += $(GDB_ROM)/target.elf

$(B)/$(GDB_ROM)/target.o: $(GDB_ROM)/target.c common/sh.h Makefile $(GDB_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2 -g0,$(ROM_CFLAGS)) -O0 -g -fdebug-prefix-map=$(CURDIR)=. -marm -c $< -o $@

$(GDB_ROM)/target.elf: $(ROM_COMMON) $(B)/$(GDB_ROM)/target.o $(ROM_LD)
	$(CC) $(filter-out -Wl$(GDB_COMMA)--strip-debug,$(ROM_LDFLAGS)) -T rom.ld \
		$(ROM_COMMON) $(B)/$(GDB_ROM)/target.o $(ROM_LIBS) -o $@
