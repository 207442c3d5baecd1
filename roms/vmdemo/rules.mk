# Rules for the ROMs in roms/vmdemo (see roms/Makefile).
