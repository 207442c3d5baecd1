/* ndless.h - the Ndless program ABI, as far as the project's test programs use it.
 *
 * Our own minimal header (no Ndless SDK code).  The numbers are those of the
 * SDK's public-domain include/syscall-list.h; the convention:
 *
 *   swi #n                    OS syscall n (0-342); from Thumb state only 0-255
 *   swi #(0x200000 | i)       Ndless extension i (ARM state only)
 *   swi #(0x800000 | n)       OS variable n: r0 returns the variable's address
 *
 * Arguments in r0-r3, the result in r0 (AAPCS).  The caller runs in SVC mode,
 * where `swi` overwrites lr, so every stub lists lr as clobbered; like the SDK's
 * stubs they also list r1-r4 and r12 (the OS functions may change them).
 *
 * In Thumb files the extension and variable stubs are ARM-state functions (a
 * Thumb `swi` has an 8-bit comment field), called through interworking.
 */
#ifndef NDLESS_H
#define NDLESS_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------- numbers */
#define NL_SC_malloc 5
#define NL_SC_free 6
#define NL_SC_memset 7
#define NL_SC_memcpy 8
#define NL_SC_memcmp 9
#define NL_SC_TCT_Local_Control_Interrupts 14
#define NL_SC_puts 22
#define NL_SC_strcmp 26
#define NL_SC_strcpy 27
#define NL_SC_strncat 28
#define NL_SC_strlen 29
#define NL_SC_strrchr 31
#define NL_SC_strncpy 37
#define NL_SC_atoi 47
#define NL_SC_calloc 49
#define NL_SC_realloc 50
#define NL_SC_strpbrk 51
#define NL_SC_memmove 55
#define NL_SC_strchr 57
#define NL_SC_strncmp 58
#define NL_SC_keypad_type 59
#define NL_SC_strtol 64
#define NL_SC_strcat 67
#define NL_SC_strstr 68
#define NL_SC_stdin 71
#define NL_SC_stdout 72
#define NL_SC_stderr 73
#define NL_SC_touchpad_read 75
#define NL_SC_touchpad_write 76

#define NL_ISEXT 0x200000
#define NL_ISVAR 0x800000

/* Ndless extensions, index in the low bits */
#define NL_EXT_nl_osvalue 0
#define NL_EXT_nl_relocdatab 1
#define NL_EXT_nl_hwtype 2
#define NL_EXT_nl_isstartup 3
#define NL_EXT_nl_lua_getstate 4
#define NL_EXT_nl_set_resident 5
#define NL_EXT_nl_ndless_rev 6
#define NL_EXT_nl_no_scr_redraw 7
#define NL_EXT_nl_loaded_by_3rd_party_loader 8
#define NL_EXT_nl_hwsubtype 9
#define NL_EXT_nl_exec 10
#define NL_EXT_nl_osid 11
#define NL_EXT__nl_hassyscall 12
#define NL_EXT_nl_lcd_blit 13
#define NL_EXT_nl_lcd_type 14
#define NL_EXT_nl_lcd_init 15

/* ------------------------------------------------------------ stubs */
/* The arguments are evaluated before any register variable is bound. */
#define NL_CLOBBERS "memory", "r4", "r12", "lr"

#define _NL_SC0(nr) ({ \
	register uint32_t _r0 __asm__("r0"); \
	__asm__ volatile("swi %[n]" : "=r"(_r0) : [n] "i"(nr) \
			 : "r1", "r2", "r3", NL_CLOBBERS); \
	_r0; })

#define _NL_SC1(nr, a) ({ \
	uint32_t _a = (uint32_t)(a); \
	register uint32_t _r0 __asm__("r0") = _a; \
	__asm__ volatile("swi %[n]" : "+r"(_r0) : [n] "i"(nr) \
			 : "r1", "r2", "r3", NL_CLOBBERS); \
	_r0; })

#define _NL_SC2(nr, a, b) ({ \
	uint32_t _a = (uint32_t)(a), _b = (uint32_t)(b); \
	register uint32_t _r0 __asm__("r0") = _a; \
	register uint32_t _r1 __asm__("r1") = _b; \
	__asm__ volatile("swi %[n]" : "+r"(_r0), "+r"(_r1) : [n] "i"(nr) \
			 : "r2", "r3", NL_CLOBBERS); \
	_r0; })

#define _NL_SC3(nr, a, b, c) ({ \
	uint32_t _a = (uint32_t)(a), _b = (uint32_t)(b), _c = (uint32_t)(c); \
	register uint32_t _r0 __asm__("r0") = _a; \
	register uint32_t _r1 __asm__("r1") = _b; \
	register uint32_t _r2 __asm__("r2") = _c; \
	__asm__ volatile("swi %[n]" : "+r"(_r0), "+r"(_r1), "+r"(_r2) : [n] "i"(nr) \
			 : "r3", NL_CLOBBERS); \
	_r0; })

/* OS syscalls: inline, in ARM or Thumb state. */
#define NL_OS static inline __attribute__((always_inline))
/* Extensions and variables: ARM state. */
#ifdef __thumb__
#define NL_ARM static __attribute__((target("arm"), noinline, unused))
#else
#define NL_ARM static inline __attribute__((always_inline))
#endif

NL_OS void *malloc(size_t n) { return (void *)_NL_SC1(NL_SC_malloc, n); }
NL_OS void free(void *p) { (void)_NL_SC1(NL_SC_free, p); }
NL_OS void *calloc(size_t n, size_t size) { return (void *)_NL_SC2(NL_SC_calloc, n, size); }
NL_OS void *realloc(void *p, size_t n) { return (void *)_NL_SC2(NL_SC_realloc, p, n); }
NL_OS void *memset(void *d, int c, size_t n) { return (void *)_NL_SC3(NL_SC_memset, d, c, n); }
NL_OS void *memcpy(void *d, const void *s, size_t n) { return (void *)_NL_SC3(NL_SC_memcpy, d, s, n); }
NL_OS void *memmove(void *d, const void *s, size_t n) { return (void *)_NL_SC3(NL_SC_memmove, d, s, n); }
NL_OS int memcmp(const void *a, const void *b, size_t n) { return (int)_NL_SC3(NL_SC_memcmp, a, b, n); }
NL_OS int puts(const char *s) { return (int)_NL_SC1(NL_SC_puts, s); }
NL_OS size_t strlen(const char *s) { return _NL_SC1(NL_SC_strlen, s); }
NL_OS char *strcpy(char *d, const char *s) { return (char *)_NL_SC2(NL_SC_strcpy, d, s); }
NL_OS char *strncpy(char *d, const char *s, size_t n) { return (char *)_NL_SC3(NL_SC_strncpy, d, s, n); }
NL_OS char *strcat(char *d, const char *s) { return (char *)_NL_SC2(NL_SC_strcat, d, s); }
NL_OS char *strncat(char *d, const char *s, size_t n) { return (char *)_NL_SC3(NL_SC_strncat, d, s, n); }
NL_OS int strcmp(const char *a, const char *b) { return (int)_NL_SC2(NL_SC_strcmp, a, b); }
NL_OS int strncmp(const char *a, const char *b, size_t n) { return (int)_NL_SC3(NL_SC_strncmp, a, b, n); }
NL_OS char *strchr(const char *s, int c) { return (char *)_NL_SC2(NL_SC_strchr, s, c); }
NL_OS char *strrchr(const char *s, int c) { return (char *)_NL_SC2(NL_SC_strrchr, s, c); }
NL_OS char *strstr(const char *h, const char *n) { return (char *)_NL_SC2(NL_SC_strstr, h, n); }
NL_OS char *strpbrk(const char *s, const char *set) { return (char *)_NL_SC2(NL_SC_strpbrk, s, set); }
NL_OS int atoi(const char *s) { return (int)_NL_SC1(NL_SC_atoi, s); }
NL_OS long strtol(const char *s, char **end, int base) { return (long)_NL_SC3(NL_SC_strtol, s, end, base); }
/* Sets the caller's CPSR I and F bits from mask & 0xC0 (0xC0: both masked, 0: both
 * enabled) and returns the previous mask. */
NL_OS int TCT_Local_Control_Interrupts(int mask) { return (int)_NL_SC1(NL_SC_TCT_Local_Control_Interrupts, mask); }
/* The touchpad's registers first..last (in the page register 0xFF selects) read into / written
 * from buf, as over its I2C bus; 1 when done. */
NL_OS int touchpad_read(unsigned char first, unsigned char last, void *buf)
{ return (int)_NL_SC3(NL_SC_touchpad_read, first, last, buf); }
NL_OS int touchpad_write(unsigned char first, unsigned char last, const void *buf)
{ return (int)_NL_SC3(NL_SC_touchpad_write, first, last, buf); }

NL_ARM unsigned nl_hwtype(void) { return _NL_SC0(NL_ISEXT | NL_EXT_nl_hwtype); }
NL_ARM unsigned nl_hwsubtype(void) { return _NL_SC0(NL_ISEXT | NL_EXT_nl_hwsubtype); }
NL_ARM unsigned nl_osid(void) { return _NL_SC0(NL_ISEXT | NL_EXT_nl_osid); }
NL_ARM unsigned nl_ndless_rev(void) { return _NL_SC0(NL_ISEXT | NL_EXT_nl_ndless_rev); }
NL_ARM int nl_isstartup(void) { return (int)_NL_SC0(NL_ISEXT | NL_EXT_nl_isstartup); }
/* Runs the program at path with argv[0] = path and the argsn arguments after it; what its
 * main returned, or 0xDEAD when it cannot be run. */
NL_ARM int nl_exec(const char *path, int argsn, char **args)
{ return (int)_NL_SC3(NL_ISEXT | NL_EXT_nl_exec, path, argsn, args); }
/* The screen is not put back when this program returns to one that ran it. */
NL_ARM void nl_no_scr_redraw(void) { (void)_NL_SC0(NL_ISEXT | NL_EXT_nl_no_scr_redraw); }
/* Adds base to each of the `words` words at p: only for PRG programs (a no-op for Zehn). */
NL_ARM void nl_relocdatab(void *p, unsigned words, void *base)
{ (void)_NL_SC3(NL_ISEXT | NL_EXT_nl_relocdatab, p, words, base); }

/* The LCD: buffer types as libndls's scr_type_t (0: 320x240 RGB565; -1: the OS's mode).
 * nl_lcd_init sets the LCD to a type's format (1 done, 0 an unknown type); nl_lcd_blit gives
 * the function that copies a buffer of that type to the screen (NULL for an unknown type). */
#define NL_SCR_320x240_565 0
#define NL_SCR_TYPE_INVALID (-1)
typedef void (*nl_blit_fn)(const void *buffer);
NL_ARM unsigned nl_lcd_type(void) { return _NL_SC0(NL_ISEXT | NL_EXT_nl_lcd_type); }
NL_ARM int nl_lcd_init(int type) { return (int)_NL_SC1(NL_ISEXT | NL_EXT_nl_lcd_init, type); }
NL_ARM nl_blit_fn nl_lcd_blit(int type) { return (nl_blit_fn)_NL_SC1(NL_ISEXT | NL_EXT_nl_lcd_blit, type); }

/* OS variables: their addresses. */
NL_ARM unsigned char *nl_keypad_type(void) { return (unsigned char *)_NL_SC0(NL_ISVAR | NL_SC_keypad_type); }
NL_ARM void *nl_stdin(void) { return (void *)_NL_SC0(NL_ISVAR | NL_SC_stdin); }
NL_ARM void *nl_stdout(void) { return (void *)_NL_SC0(NL_ISVAR | NL_SC_stdout); }
NL_ARM void *nl_stderr(void) { return (void *)_NL_SC0(NL_ISVAR | NL_SC_stderr); }

/* ------------------------------------------------------------ crt0 */
#pragma GCC visibility push(hidden)     /* PC-relative in position-independent code */
/* What crt0.S saw when the loader called _start(argc, argv). */
struct crt0_state {
	uint32_t cpsr;       /* CPSR at entry */
	uint32_t sp;         /* sp at entry */
	uint32_t lr;         /* lr at entry: where main's value is returned */
	uint32_t saved_sp;   /* sp after crt0's push, for exit() */
	uint32_t bss_dirty;  /* OR of the .bss words before crt0 zeroed them */
};
extern struct crt0_state __crt0_state;

/* The address the image was loaded at (the Zehn image's first byte; a PRG file's
 * first byte, its "PRG\0"), and the end of its memory (.bss included), computed
 * PC-relatively: they need no relocation. */
uintptr_t image_base(void);
uintptr_t image_end(void);
/* Returns `status` from _start to the loader, from any depth. */
void exit(int status) __attribute__((noreturn));
#pragma GCC visibility pop

#endif
