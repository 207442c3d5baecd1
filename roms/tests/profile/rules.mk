# Rules for the ROMs in roms/tests/profile (see roms/Makefile): raw ROMs in
# assembly alone, every instruction written by hand, so their profiles are known
# (emu/tests/profile.rs).  Their symbols stay: the profiler names functions by them.
PROFILE_ROM := tests/profile
IMAGES      += $(PROFILE_ROM)/profile.elf $(PROFILE_ROM)/irq.elf

$(B)/$(PROFILE_ROM)/%.o: $(PROFILE_ROM)/%.S Makefile $(PROFILE_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

$(PROFILE_ROM)/%.elf: $(B)/$(PROFILE_ROM)/%.o
	$(CC) $(CPUFLAGS) -nostdlib -nostartfiles -Wl,-n -Wl,--build-id=none \
		-Wl,-Ttext=0 -Wl,-e,_reset $< -o $@
