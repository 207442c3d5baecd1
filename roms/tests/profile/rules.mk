# Rules for the ROM in roms/tests/profile (see roms/Makefile): a raw ROM in
# assembly alone, every instruction written by hand, so its profile is known
# (emu/tests/profile.rs).  Its symbols stay: the profiler names functions by them.
PROFILE_ROM := tests/profile
IMAGES      += $(PROFILE_ROM)/profile.elf

$(B)/$(PROFILE_ROM)/profile.o: $(PROFILE_ROM)/profile.S Makefile $(PROFILE_ROM)/rules.mk
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

$(PROFILE_ROM)/profile.elf: $(B)/$(PROFILE_ROM)/profile.o
	$(CC) $(CPUFLAGS) -nostdlib -nostartfiles -Wl,-n -Wl,--build-id=none \
		-Wl,-Ttext=0 -Wl,-e,_reset $< -o $@
