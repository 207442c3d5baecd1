# Rules for the ROMs in roms/tests/mmu (see roms/Makefile and roms/README.md).
#
# Each ROM NAME is built from tests/mmu/NAME.c plus, if it exists,
# tests/mmu/NAME_asm.S, with the MMU test library (tests/mmu/lib) and the
# CPU conformance ROMs' start-up code and checks (tests/cpu/lib, used in
# place, not copied).  Like the CPU ROMs they are raw ROMs (code at 0,
# RAM as common/rom.ld or rom-versatilepb.ld says).
#   MMU_ROMS       run under emu and QEMU: NAME.elf, NAME.qemu.elf
#   MMU_EMU_ROMS   emu only: NAME.elf (tools/crossrun.sh says why)
MMU          := tests/mmu
MMU_ROMS     := pages domains perms faults aborted tlb hivecs spaces fcse walkabort
MMU_EMU_ROMS := fcse_far extabort
IMAGES       += $(foreach n,$(MMU_ROMS),$(MMU)/$(n).elf $(MMU)/$(n).qemu.elf) \
                $(foreach n,$(MMU_EMU_ROMS),$(MMU)/$(n).elf)

MMU_LIB     := $(B)/$(MMU)/lib/mmu.o $(B)/$(MMU)/lib/probe.o \
               $(B)/$(CPU)/lib/start.o $(B)/$(CPU)/lib/test.o \
               $(B)/common/sh.o $(B)/common/string.o
MMU_CFLAGS  := $(ROM_CFLAGS) -I$(CPU)/lib -I$(MMU)/lib
MMU_HEADERS := $(MMU)/lib/mmu.h $(CPU)/lib/test.h common/sh.h Makefile $(MMU)/rules.mk

$(B)/$(MMU)/%.o: $(MMU)/%.c $(MMU_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(MMU_CFLAGS) -marm -c $< -o $@

$(B)/$(MMU)/%.o: $(MMU)/%.S Makefile $(MMU)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -I$(CPU)/lib -I$(MMU)/lib -c $< -o $@

mmu_objs = $(B)/$(MMU)/$(1).o \
           $(patsubst $(MMU)/%.S,$(B)/$(MMU)/%.o,$(wildcard $(MMU)/$(1)_asm.S))

define mmu_rom
$(MMU)/$(1).elf: $(MMU_LIB) $(call mmu_objs,$(1)) $(ROM_LD)
	$$(CC) $$(ROM_LDFLAGS) -T rom.ld $(MMU_LIB) $(call mmu_objs,$(1)) $$(ROM_LIBS) -o $$@
endef

define mmu_qemu_rom
$(MMU)/$(1).qemu.elf: $(MMU_LIB) $(call mmu_objs,$(1)) $(ROM_LD)
	$$(CC) $$(ROM_LDFLAGS) -T rom-versatilepb.ld $(MMU_LIB) $(call mmu_objs,$(1)) $$(ROM_LIBS) -o $$@
endef

$(foreach n,$(MMU_ROMS) $(MMU_EMU_ROMS),$(eval $(call mmu_rom,$(n))))
$(foreach n,$(MMU_ROMS),$(eval $(call mmu_qemu_rom,$(n))))
