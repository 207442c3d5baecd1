# Rules for the ROMs in roms/tests/mmu (see roms/Makefile).
