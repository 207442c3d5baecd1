# Rules for the built-in demo in roms/demo (see roms/README.md).
#
# demo.bin is the ROM the emulator runs when given none (emu/src/main.rs
# includes it): a raw boot ROM of at most 512 KiB, built with the kit
# (kit/rules.mk) from demo.c (ARM) and thumb.c (Thumb); demo.elf is the same
# program as an ELF, with its symbols.  It drives the CX's LCD, keypad and
# RTC, so unlike the ROMs of Makefile it has no QEMU flavour.
IMAGES += demo/demo.elf demo/demo.bin

$(B)/demo/thumb.o: demo/thumb.c $(KIT_DEPS) demo/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -mthumb -c $< -o $@

$(B)/demo/demo.o: demo/demo.c $(KIT_DEPS) demo/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -marm -c $< -o $@

$(eval $(call kit_rom,demo/demo,$(B)/demo/demo.o $(B)/demo/thumb.o))
