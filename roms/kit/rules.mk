# Rules for the homebrew kit in roms/kit (see kit/kit.h and roms/README.md).
#
# The kit is a library of start-up code (crt0.S), a linker script (kit.ld)
# and C helpers, compiled in ARM state; ROMs link every object and
# --gc-sections drops what they do not use.  Included before the families
# that use it (demos/, demo/): they need KIT_OBJS, KIT_CFLAGS, KIT_DEPS and
# KIT_LD, and kit_rom, which links a ROM and its flat image:
#
#   $(eval $(call kit_rom,DIR/NAME,OBJECTS))  makes DIR/NAME.elf, DIR/NAME.bin

KIT_SRCS   := system print lcd text font keys rtc mmu string
KIT_OBJS   := $(B)/kit/crt0.o $(foreach n,$(KIT_SRCS),$(B)/kit/$(n).o)
KIT_CFLAGS := $(ROM_CFLAGS) -Ikit
KIT_DEPS   := kit/kit.h Makefile kit/rules.mk
KIT_LD     := kit/kit.ld

$(B)/kit/%.o: kit/%.c $(KIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -marm -c $< -o $@

$(B)/kit/%.o: kit/%.S $(KIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

define kit_rom
$(1).elf: $(KIT_OBJS) $(2) $(KIT_LD)
	$$(CC) $$(ROM_LDFLAGS) -T $(KIT_LD) $(KIT_OBJS) $(2) $$(ROM_LIBS) -o $$@

$(1).bin: $(1).elf
	$$(OBJCOPY) -O binary $$< $$@
endef

.SECONDARY: $(KIT_OBJS)
