# Rules for the CoreMark-style workloads in roms/workloads (see roms/Makefile and
# workloads/main.c): a newlib program built as ARM (workloads.elf) and as Thumb
# (workloads-thumb.elf; the C library stays ARM, as newlib's is), each for emu and
# for QEMU (.qemu.elf), turning the MMU on with common/flatmmu.c.
WORKLOADS     := workloads
WORKLOADS_SRC := main list matrix state crc calls
WORKLOADS_ARM := $(WORKLOADS_SRC:%=$(B)/$(WORKLOADS)/%.o)
WORKLOADS_THB := $(WORKLOADS_SRC:%=$(B)/$(WORKLOADS)/thumb/%.o)
IMAGES        += $(foreach n,workloads workloads-thumb,$(WORKLOADS)/$(n).elf $(WORKLOADS)/$(n).qemu.elf)

$(WORKLOADS_ARM): $(WORKLOADS)/workloads.h common/flatmmu.h $(WORKLOADS)/rules.mk

$(B)/$(WORKLOADS)/thumb/%.o: $(WORKLOADS)/%.c $(WORKLOADS)/workloads.h common/flatmmu.h \
		common/sh.h Makefile $(WORKLOADS)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -mthumb -c $< -o $@

$(WORKLOADS)/workloads.elf: $(WORKLOADS_ARM) $(FLATMMU) $(NL_LD)
	$(CC) $(NL_LDFLAGS) -T emu.ld $(filter %.o,$^) -o $@

$(WORKLOADS)/workloads.qemu.elf: $(WORKLOADS_ARM) $(FLATMMU) $(NL_LD)
	$(CC) $(NL_LDFLAGS) -T versatilepb.ld $(filter %.o,$^) -o $@

$(WORKLOADS)/workloads-thumb.elf: $(WORKLOADS_THB) $(FLATMMU) $(NL_LD)
	$(CC) $(NL_LDFLAGS) -T emu.ld $(filter %.o,$^) -o $@

$(WORKLOADS)/workloads-thumb.qemu.elf: $(WORKLOADS_THB) $(FLATMMU) $(NL_LD)
	$(CC) $(NL_LDFLAGS) -T versatilepb.ld $(filter %.o,$^) -o $@
