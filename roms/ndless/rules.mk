# Rules for the Ndless test programs in roms/ndless (see roms/README.md).
#
# Each program NAME is linked from the objects listed in NDLESS_OBJS_NAME and
# the library (lib/: crt0.S, check.c) into ndless/NAME.elf (with
# --emit-relocs), which ../tools/zehn.py packs into ndless/NAME.tns.  *_thumb.c
# files are Thumb, the others ARM.  C is position-independent (-fPIE, hidden
# symbols), so that the checks print even when a loader relocates nothing,
# except the relocation test's reloc_abs.c and reloc_thumb.c (ordinary code:
# absolute addresses in literal pools) and reloc_pic.c (-fPIC: the GOT).  prg is
# linked at 4 (prg.ld), the others at 0 (zehn.ld).
#
#   make -C roms ndless-check   also load every .tns at 0x10123450 with the
#                               packer's model of the Ndless loader and compare
#                               it with the same objects linked there
#                               (build/ndless/NAME.at-base.elf), and run the
#                               packer's unit tests (tools/test_zehn.py)

PYTHON ?= python3
ZEHN   := ../tools/zehn.py

NDLESS_PROGS := relocs compressed entry memory strings prg gems exec gc
NDLESS_OBJS_relocs     := relocs reloc_checks reloc_abs reloc_thumb reloc_pic
NDLESS_OBJS_compressed := compressed reloc_checks reloc_abs reloc_thumb reloc_pic
NDLESS_OBJS_entry      := entry entry_asm
NDLESS_OBJS_memory     := memory
NDLESS_OBJS_strings    := strings strings_thumb
NDLESS_OBJS_prg        := prg
NDLESS_OBJS_gems       := gems
NDLESS_OBJS_exec       := exec exec_asm entry_asm
NDLESS_OBJS_gc         := gc gc_calls

IMAGES += $(foreach n,$(NDLESS_PROGS),ndless/$(n).elf ndless/$(n).tns)

NDLESS_CFLAGS  := $(CFLAGS) -ffreestanding -fno-tree-loop-distribute-patterns \
                  -Indless/include -Indless/lib
NDLESS_DEPS    := ndless/include/ndless.h ndless/include/ti_gc.h ndless/lib/check.h ndless/reloc.h Makefile ndless/rules.mk
NDLESS_LDFLAGS := $(CPUFLAGS) -nostdlib -nostartfiles -Wl,--gc-sections -Wl,--use-blx \
                  -Wl,--build-id=none -Wl,--strip-debug
NDLESS_LIB     := $(B)/ndless/lib/crt0.o $(B)/ndless/lib/check.o
# How C is compiled, per object.
NDLESS_CODE := -fPIE -fvisibility=hidden
$(B)/ndless/reloc_abs.o $(B)/ndless/reloc_thumb.o: NDLESS_CODE :=
$(B)/ndless/reloc_pic.o: NDLESS_CODE := -fPIC
# Zehn flags of every program: a CX (colour, touchpad) program for Ndless 3.1+.
ZEHN_FLAGS = --author "the emu project" --version 1 \
             --notice "Ndless ABI test program (roms/ndless)" --ndless-min 31 \
             --color-support 1 --clickpad-support 0 --touchpad-support 1 --32mb-support 1

$(B)/ndless/%_thumb.o: ndless/%_thumb.c $(NDLESS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(NDLESS_CFLAGS) $(NDLESS_CODE) -mthumb -c $< -o $@

$(B)/ndless/%.o: ndless/%.c $(NDLESS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(NDLESS_CFLAGS) $(NDLESS_CODE) -marm -c $< -o $@

$(B)/ndless/%.o: ndless/%.S $(NDLESS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

ndless_objs = $(foreach o,$(NDLESS_OBJS_$(1)),$(B)/ndless/$(o).o)

# $(1) program, $(2) linker script, $(3) library objects, $(4) link address
# for ndless-check, $(5) zehn.py options
define ndless_prog
ndless/$(1).elf: $(call ndless_objs,$(1)) $(3) ndless/$(2)
	$$(CC) $$(NDLESS_LDFLAGS) -Wl,--emit-relocs -T ndless/$(2) $(3) $(call ndless_objs,$(1)) -lgcc -o $$@

ndless/$(1).tns: ndless/$(1).elf $(ZEHN)
	$$(PYTHON) $(ZEHN) $(5) $$< -o $$@

$(B)/ndless/$(1).at-base.elf: $(call ndless_objs,$(1)) $(3) ndless/$(2)
	$$(CC) $$(NDLESS_LDFLAGS) -Wl,--section-start=.text=$(4) -T ndless/$(2) $(3) $(call ndless_objs,$(1)) -lgcc -o $$@

ndless-check-$(1): ndless/$(1).tns $(B)/ndless/$(1).at-base.elf
	$$(PYTHON) $(ZEHN) --check-load -v ndless/$(1).tns --against $(B)/ndless/$(1).at-base.elf --base 0x10123450
endef

NDLESS_BASE := 0x10123450
$(foreach n,relocs entry memory strings exec gc,\
  $(eval $(call ndless_prog,$(n),zehn.ld,$(NDLESS_LIB),$(NDLESS_BASE),--name $(n) $$(ZEHN_FLAGS))))
$(eval $(call ndless_prog,compressed,zehn.ld,$(NDLESS_LIB),$(NDLESS_BASE),--compress --name compressed $$(ZEHN_FLAGS)))
$(eval $(call ndless_prog,prg,prg.ld,$(NDLESS_LIB),0x10123454,--prg))
# The game: a graphical program (lcd_blit, so it runs on the HW-W's LCD too).
$(eval $(call ndless_prog,gems,zehn.ld,$(NDLESS_LIB),$(NDLESS_BASE),--name gems --author "the emu project" \
  --version 1 --notice "a touchpad game (roms/ndless)" --ndless-min 31 --color-support 1 \
  --clickpad-support 0 --touchpad-support 1 --32mb-support 1 --240x320-support 1 --uses-lcd-blit 1))

ndless-check: $(foreach n,$(NDLESS_PROGS),ndless-check-$(n))
	$(PYTHON) ../tools/test_zehn.py

check: ndless-check

.PHONY: ndless-check $(foreach n,$(NDLESS_PROGS),ndless-check-$(n))
.SECONDARY: $(foreach n,$(NDLESS_PROGS),$(call ndless_objs,$(n))) $(NDLESS_LIB)
