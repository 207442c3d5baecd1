# Rules for the ROMs in roms/tests/devices (see roms/Makefile).
