# Rules for the demo ROMs in roms/demos (see roms/README.md).
#
# Every directory demos/NAME holding .c files is a ROM built with the kit
# (kit/rules.mk): demos/NAME/NAME.elf and its flat image demos/NAME/NAME.bin,
# from all of demos/NAME/*.c.  A file named *_thumb.c is compiled as Thumb
# code, the others as ARM.  So a new demo needs no change here: copy
# demos/hello to demos/NEW, rename hello.c if you like, run make.

DEMOS := $(sort $(patsubst demos/%/,%,$(dir $(wildcard demos/*/*.c))))
IMAGES += $(foreach d,$(DEMOS),demos/$(d)/$(d).elf demos/$(d)/$(d).bin)

$(B)/demos/%_thumb.o: demos/%_thumb.c $(KIT_DEPS) demos/rules.mk $(wildcard demos/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -mthumb -c $< -o $@

$(B)/demos/%.o: demos/%.c $(KIT_DEPS) demos/rules.mk $(wildcard demos/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -marm -c $< -o $@

demo_objs = $(patsubst demos/%.c,$(B)/demos/%.o,$(wildcard demos/$(1)/*.c))

$(foreach d,$(DEMOS),$(eval $(call kit_rom,demos/$(d)/$(d),$(call demo_objs,$(d)))))

.SECONDARY: $(foreach d,$(DEMOS),$(call demo_objs,$(d)))
