/*
 * flatmmu.h - turn the MMU on with the whole address space mapped flat.
 *
 * flat_mmu_on() maps every 1 MiB section to itself (the same addresses, so a
 * program and its semihosting calls carry on unchanged) and sets the M bit:
 * the work that follows runs through address translation.  It is ARM code (CP15
 * is reached only from ARM state on ARMv5); Thumb callers reach it by BLX.
 */
#ifndef FLATMMU_H
#define FLATMMU_H

void flat_mmu_on(void);

#endif
