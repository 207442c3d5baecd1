/*
 * perms.c - every access permission value with the S and R bits, for
 * privileged and User accesses, reads and writes (ARM ARM B4.4.1, table
 * B4-1 "MMU access permissions"; ARM926EJ-S TRM 3.5.1):
 *
 *   AP  S R   privileged  User
 *   00  0 0   none        none
 *   00  1 0   read        none
 *   00  0 1   read        read
 *   01  x x   read/write  none
 *   10  x x   read/write  read
 *   11  x x   read/write  read/write
 *
 * (AP 00 with S = R = 1 is UNPREDICTABLE and not tested.)  Each case is
 * checked on a section and on a small page in a client domain: privileged
 * LDR/STR, the User-permission forms LDRT/STRT/LDRBT/STRBT from SVC mode,
 * and LDR/STR run in User mode; refused writes must leave memory alone.
 * Runs on emu and QEMU versatilepb.
 */
#include "mmu.h"

#include <stdarg.h>

#define DOM 3u
#define SEC_VA (TEST_VA + 0x000000u)
#define PAGE_VA (TEST_VA + 0x100000u)

struct rule {
    uint32_t ap, s, r;
    const char *allowed; /* privileged read, write; User read, write */
};

static const struct rule rules[] = {
    {0, 0, 0, "----"}, {0, 1, 0, "r---"}, {0, 0, 1, "r-r-"},
    {1, 0, 0, "rw--"}, {1, 1, 0, "rw--"}, {1, 0, 1, "rw--"},
    {2, 0, 0, "rwr-"}, {2, 1, 0, "rwr-"}, {2, 0, 1, "rwr-"},
    {3, 0, 0, "rwrw"}, {3, 1, 0, "rwrw"}, {3, 0, 1, "rwrw"},
};

static uint32_t coarse, page;
static uint32_t stamp = 0x51000000;

/* t_vsnprintf with a variable argument list. */
static void t_vsnprintf_wrap(char *buf, int size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void check_write(uint32_t fsr, uint32_t want_fsr, uint32_t va, uint32_t pa, uint32_t before,
                        uint32_t value, const char *at, const char *what)
{
    check_access(fsr, want_fsr, va, at, "%s", what);
    t_eq(rd32(pa), want_fsr ? before : value, "%s: memory", what);
}

static void one(const struct rule *ru, int is_page)
{
    uint32_t va = is_page ? PAGE_VA : SEC_VA;
    uint32_t pa = is_page ? page : frame_1m(0);
    uint32_t status = is_page ? FS_PERM_PAGE : FS_PERM_SEC;
    uint32_t fault = FSR(DOM, status);
    const char *kind = is_page ? "page" : "section";
    char what[96];

    if (is_page) {
        set_coarse(coarse, PAGE_VA, L2_SMALL(page, APX4(ru->ap)));
        set_l1(mmu_l1, PAGE_VA, L1_COARSE(coarse, DOM));
    } else {
        set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(0), ru->ap, DOM));
    }
    uint32_t cr = cp15_control() & ~(CR_S | CR_R);
    cp15_set_control(cr | (ru->s ? CR_S : 0) | (ru->r ? CR_R : 0));
    tlb_inv_all();

    const char *a = ru->allowed;
    uint32_t v, before;
#define NAME(acc) (t_vsnprintf_wrap(what, sizeof what, "%s AP %u S %u R %u: %s", kind, ru->ap, ru->s, ru->r, acc), what)
    wr32(pa + 0x40, 0xA5A50000 | ru->ap);

    check_access(try_read(p_ldr, va + 0x40, &v), a[0] == 'r' ? 0 : fault, va + 0x40, p_ldr_at,
                 "%s", NAME("privileged LDR"));
    if (a[0] == 'r')
        t_eq(v, 0xA5A50000 | ru->ap, "%s: value", what);

    before = rd32(pa + 0x44);
    stamp++;
    check_write(try_write(p_str, va + 0x44, stamp), a[1] == 'w' ? 0 : fault, va + 0x44, pa + 0x44,
                before, stamp, p_str_at, NAME("privileged STR"));

    check_access(try_read(p_ldrt, va + 0x40, &v), a[2] == 'r' ? 0 : fault, va + 0x40, p_ldrt_at,
                 "%s", NAME("LDRT"));
    check_access(try_read(p_ldrbt, va + 0x42, &v), a[2] == 'r' ? 0 : fault, va + 0x42, p_ldrbt_at,
                 "%s", NAME("LDRBT"));
    if (a[2] == 'r')
        t_eq(v, 0xA5, "%s: value", what);
    check_access(user_read(va + 0x40, &v), a[2] == 'r' ? 0 : fault, va + 0x40, p_ldr_at,
                 "%s", NAME("LDR in User mode"));

    before = rd32(pa + 0x48);
    stamp++;
    check_write(try_write(p_strt, va + 0x48, stamp), a[3] == 'w' ? 0 : fault, va + 0x48, pa + 0x48,
                before, stamp, p_strt_at, NAME("STRT"));
    before = rd32(pa + 0x4C);
    check_write(try_write(p_strbt, va + 0x4D, 0x77), a[3] == 'w' ? 0 : fault, va + 0x4D, pa + 0x4C,
                before, a[3] == 'w' ? (before & 0xFFFF00FFu) | 0x7700 : before, p_strbt_at,
                NAME("STRBT"));
    before = rd32(pa + 0x50);
    stamp++;
    check_write(user_write(va + 0x50, stamp), a[3] == 'w' ? 0 : fault, va + 0x50, pa + 0x50, before,
                stamp, p_str_at, NAME("STR in User mode"));
#undef NAME
}

int main(void)
{
    t_printf("perms: every AP value with S and R, privileged and User, read and write\n");
    mmu_init();
    coarse = frame_alloc(1024);
    page = frame_alloc(4096);
    for (int is_page = 0; is_page < 2; is_page++) {
        t_section("%s, client domain %u", is_page ? "small page" : "section", DOM);
        for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++)
            one(&rules[i], is_page);
    }
    cp15_set_control(cp15_control() & ~(CR_S | CR_R));
    t_eq(cp15_control() & (CR_S | CR_R), 0, "c1 S and R cleared again");
    return t_done("perms");
}
