#!/usr/bin/env python3
"""Generate single-instruction difftest cases for an ARMv5TE core, with Unicorn as the oracle.

Usage:
    gen.py --isa arm   --seed 1 --count 32000 --out tests/data/arm.jsonl.gz
    gen.py --isa thumb --seed 2 --count 16000 --out tests/data/thumb.jsonl.gz
    gen.py --regressions --seed 1 --out tests/data/regressions.jsonl

The output is JSON lines in the format of docs/difftest-format.md (gzip-compressed when the
name ends in .gz, with a zero timestamp so the same seed gives a byte-identical file).

How a case is made:
  * A class generator (one per instruction class below) draws an instruction, the registers,
    the mode and the flags from a random stream seeded by (isa, seed, case index, attempt).
  * Unicorn 2.1.4 (QEMU's ARM translator, CPU model ARM926) executes exactly that instruction.
    Memory is mapped on demand, a page at a time, filled from the same seed; every data access
    is recorded. The case's `memory` is the instruction plus a small window around each access.
  * A case is rejected (and redrawn with the next attempt) when it strays into behaviour the
    ARM ARM leaves UNPREDICTABLE or IMPLEMENTATION DEFINED, or where QEMU is known to model
    ARMv5 loosely; every such filter names its ARM ARM section (ARM DDI 0100I, "ARM ARM" below).
    README.md lists them all.

Three places where the expected state is not Unicorn's own output, all stated in README.md:
  * Unaligned LDR (ARM LDR/LDRT, Thumb LDR imm/reg/SP): QEMU performs an unaligned load (the
    ARMv6 U=1 behaviour); ARMv5 loads the aligned word rotated right by 8 * address[1:0]
    (ARM ARM A4 "LDR", Operation; A2.8 "Unaligned access"). The generator takes the address
    from Unicorn's access record and writes the rotated word to Rd. Such cases carry the note
    "ldr-rotate".
  * Exceptions (SWI, BKPT, undefined instructions): Unicorn stops without entering the
    exception (it reports UC_HOOK_INTR 2 for SWI, 7 for BKPT, UC_ERR_INSN_INVALID for an
    undefined instruction, and leaves the registers as they were). Unicorn decides *whether*
    the instruction takes the exception; the generator then applies the architected entry
    sequence of ARM ARM A2.6 (R14_<mode> = return address, SPSR_<mode> = CPSR, mode bits,
    T=0, I=1, PC = vector) to the initial state.
  * A lone Thumb BL suffix with an odd LR (regression cases only): QEMU interworks on it and
    enters ARM state, ARMv5 does not. Unicorn runs from LR with bit 0 clear, which gives the
    architected PC and LR (`reg_bl_suffix`); the case starts from the odd LR.
"""

import argparse
import gzip
import io
import json
import os
import random
import struct
import sys
from collections import Counter

from unicorn import (UC_ARCH_ARM, UC_ERR_FETCH_UNMAPPED, UC_ERR_INSN_INVALID, UC_HOOK_CODE,
                     UC_HOOK_INTR, UC_HOOK_MEM_READ, UC_HOOK_MEM_UNMAPPED, UC_HOOK_MEM_WRITE,
                     UC_MEM_FETCH_UNMAPPED, UC_MEM_WRITE, UC_MODE_ARM, Uc, UcError)
from unicorn.arm_const import (UC_ARM_REG_CPSR, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_R0,
                               UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
                               UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,
                               UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12,
                               UC_ARM_REG_SP, UC_ARM_REG_SPSR, UC_CPU_ARM_926)

M32 = 0xFFFFFFFF
PAGE = 0x1000

UC_REGS = [UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
           UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9,
           UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,
           UC_ARM_REG_PC]

MODES = {'usr': 0x10, 'fiq': 0x11, 'irq': 0x12, 'svc': 0x13, 'abt': 0x17, 'und': 0x1B,
         'sys': 0x1F}
MODE_NAME = {v: k for k, v in MODES.items()}
BANKS = ['usr', 'fiq', 'irq', 'svc', 'abt', 'und']

# PSR bits (ARM ARM A2.5 "Program status registers").
N, Z, C, V, Q = 1 << 31, 1 << 30, 1 << 29, 1 << 28, 1 << 27
J, I_BIT, F_BIT, T_BIT = 1 << 24, 1 << 7, 1 << 6, 1 << 5
PSR_IMPLEMENTED = N | Z | C | V | Q | J | I_BIT | F_BIT | T_BIT | 0x1F

CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '',
         'nv']
SHIFTS = ['lsl', 'lsr', 'asr', 'ror']

EDGE = [0, 1, 2, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x80000001, 0xFFFFFFFE, 0x7FFFFFFE,
        0x7FFF, 0x8000, 0xFFFF, 0x10000, 0xFF, 0x80, 0x100, 0x55555555, 0xAAAAAAAA, 0xFFFF8000,
        0x00008000, 0x40000000, 0xC0000000, 31, 32, 33]


def has_spsr(mode):
    return mode not in ('usr', 'sys')


def bank_of(mode):
    return 'usr' if mode in ('usr', 'sys') else mode


def rname(n):
    return {13: 'sp', 14: 'lr', 15: 'pc'}.get(n, 'r%d' % n)


def rlist_text(mask):
    return '{' + ', '.join(rname(i) for i in range(16) if mask >> i & 1) + '}'


def ror(v, n):
    n &= 31
    return ((v >> n) | (v << (32 - n))) & M32 if n else v


def sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def condition_passed(cond, cpsr):
    n, z, c, v = cpsr >> 31 & 1, cpsr >> 30 & 1, cpsr >> 29 & 1, cpsr >> 28 & 1
    return [z, not z, c, not c, n, not n, v, not v, c and not z, not c or z, n == v, n != v,
            not z and n == v, z or n != v, True, True][cond]


# ----- a small model of the shifter and the ALU, used only to filter UNPREDICTABLE cases -----
# (results written to the PC must be aligned; see `dp_result`). It is never the oracle.

def shift_imm(typ, v, amt, c):
    """ARM ARM A5.1, the immediate-shift operands: (value, carry)."""
    if typ == 0:
        return (v, c) if amt == 0 else ((v << amt) & M32, v >> (32 - amt) & 1)
    if typ == 1:
        return (0, v >> 31) if amt == 0 else (v >> amt, v >> (amt - 1) & 1)
    if typ == 2:
        if amt == 0:
            return (M32 if v >> 31 else 0, v >> 31)
        return ((sx(v, 32) >> amt) & M32, v >> (amt - 1) & 1)
    if amt == 0:  # RRX
        return ((c << 31) | (v >> 1), v & 1)
    return (ror(v, amt), v >> (amt - 1) & 1)


def dp_result(op, a, b, c):
    """The data-processing result (A4.1), or None for the comparisons."""
    return {0: a & b, 1: a ^ b, 2: a - b, 3: b - a, 4: a + b, 5: a + b + c, 6: a - b - (1 - c),
            7: b - a - (1 - c), 12: a | b, 13: b, 14: a & ~b, 15: ~b}.get(op, None)


# ----- the random state -----

class Gen:
    """The random choices of one attempt at one case."""

    def __init__(self, rng, isa):
        self.rng = rng
        self.isa = isa
        r = rng.random()
        # Code sits anywhere in the address space, word aligned (ARM) or halfword aligned.
        if r < 0.5:
            base = 0x10000000 + rng.randrange(0, 0x4000000)
        elif r < 0.8:
            base = rng.randrange(0x1000, 0x100000)
        else:
            base = rng.randrange(0x1000, 0xFFFF0000)
        self.code = base & ~3 if isa == 'arm' else base & ~1
        self.mode = rng.choices(['usr', 'svc', 'sys', 'irq', 'fiq', 'abt', 'und'],
                                [30, 25, 10, 10, 10, 8, 7])[0]
        self.cpsr = (rng.getrandbits(5) << 27) | MODES[self.mode]
        if rng.random() < 0.5:
            self.cpsr |= I_BIT
        if rng.random() < 0.5:
            self.cpsr |= F_BIT
        if isa == 'thumb':
            self.cpsr |= T_BIT
        self.r = [self.val() for _ in range(15)]
        self.banked_kind = 'spsr'  # or 'full'
        self.overrides = {}  # address -> bytes, written over the filled pages
        self.checks = []  # callables(result) -> None | reason to reject
        self.expect = None  # expected exception
        self.ldr_rotate = None  # Rd of a word load whose unaligned form ARMv5 rotates
        self.note = None
        self.spsr = {}  # SPSR values a class wants (mode -> value)
        self.steps = None  # the case's `steps`, when it names one
        # Registers Unicorn starts from where they differ from the case's initial state (see
        # `reg_bl_suffix`); each must be one the instruction writes.
        self.oracle_regs = {}

    def val(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return rng.choice(EDGE)
        if r < 0.55:
            return rng.getrandbits(rng.choice([4, 8, 12, 16]))
        if r < 0.65:
            k = rng.randrange(32)
            return (1 << k) if rng.random() < 0.5 else M32 ^ (1 << k)
        return rng.getrandbits(32)

    def cond(self, al_bias=0.5):
        """A condition for a conditional instruction: AL half the time, else any of EQ..LE."""
        if self.rng.random() < al_bias:
            return 14
        return self.rng.randrange(14)

    def regs(self, k, exclude=(), pool=range(15)):
        pool = [x for x in pool if x not in exclude]
        return self.rng.sample(pool, k)

    def reg(self, exclude=(), allow_pc=False):
        pool = [x for x in range(16 if allow_pc else 15) if x not in exclude]
        return self.rng.choice(pool)

    def addr(self, align=1):
        """A data address: near the code, low, or anywhere."""
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            a = (self.code + rng.randrange(-2048, 2048)) & M32
        elif r < 0.5:
            a = rng.randrange(0x100, 0x100000)
        else:
            a = rng.randrange(0x1000, 0xFFFFF000)
        return a & ~(align - 1)

    def psr_value(self, thumb_ok=True):
        """A valid PSR value for an SPSR: any flags, a valid mode, maybe T; reserved bits 0."""
        rng = self.rng
        v = (rng.getrandbits(5) << 27) | MODES[rng.choice(list(MODES))]
        if rng.random() < 0.5:
            v |= I_BIT
        if rng.random() < 0.5:
            v |= F_BIT
        if thumb_ok and rng.random() < 0.3:
            v |= T_BIT
        return v

    def set_pc_rel(self):
        return self.code + (8 if self.isa == 'arm' else 4)

    def reject_if(self, fn):
        self.checks.append(fn)


# ----- running a case under Unicorn -----

def page_fill(key, page):
    """The initial contents of a page: words drawn from edge values and random numbers."""
    rng = random.Random('%s/page/%08x' % (key, page))
    out = bytearray()
    for _ in range(PAGE // 4):
        if rng.random() < 0.3:
            w = rng.choice(EDGE)
        else:
            w = rng.getrandbits(32)
        out += struct.pack('<I', w)
    return out


class Reject(Exception):
    pass


class Result:
    """What one run under Unicorn produced."""

    def __init__(self, key):
        self.key = key
        self.accesses = []  # (is_write, addr, size)
        self.pages = {}  # page -> initial bytearray
        self.final_pages = {}

    def initial_bytes(self, addr, size):
        key = self.key
        out = bytearray()
        for i in range(size):
            a = (addr + i) & M32
            p = a & ~(PAGE - 1)
            if p not in self.pages:
                self.pages[p] = page_fill(key, p)
            out.append(self.pages[p][a - p])
        return bytes(out)

    def loads(self):
        return [(a, s) for (w, a, s) in self.accesses if not w]


def full_banked(g, mode):
    """Every banked register of every other mode (and every SPSR), relative to `mode`."""
    keys = {}
    for b in BANKS:
        k = []
        if b != bank_of(mode):
            k += ['r13', 'r14']
        if b == 'usr' and mode == 'fiq':
            k = ['r8', 'r9', 'r10', 'r11', 'r12'] + k
        if b == 'fiq' and mode != 'fiq':
            k = ['r8', 'r9', 'r10', 'r11', 'r12'] + k
        if has_spsr(b):
            k.append('spsr')
        if k:
            keys[b] = k
    return keys


def banked_keys(g, mode):
    if g.banked_kind == 'full':
        return full_banked(g, mode)
    return {mode: ['spsr']} if has_spsr(mode) else {}


def uc_read_banked(uc, keys):
    cpsr = uc.reg_read(UC_ARM_REG_CPSR)
    out = {}
    for b, names in keys.items():
        uc.reg_write(UC_ARM_REG_CPSR, (cpsr & ~0x1F) | MODES[b])
        out[b] = {}
        for name in names:
            if name == 'spsr':
                out[b][name] = uc.reg_read(UC_ARM_REG_SPSR)
            else:
                out[b][name] = uc.reg_read(UC_REGS[int(name[1:])])
    uc.reg_write(UC_ARM_REG_CPSR, cpsr)
    return out


def uc_write_banked(uc, banked, cpsr):
    for b, vals in banked.items():
        uc.reg_write(UC_ARM_REG_CPSR, (cpsr & ~0x1F) | MODES[b])
        for name, v in vals.items():
            if name == 'spsr':
                uc.reg_write(UC_ARM_REG_SPSR, v)
            else:
                uc.reg_write(UC_REGS[int(name[1:])], v)
    uc.reg_write(UC_ARM_REG_CPSR, cpsr)


VECTORS = {'und': (0x04, 'und'), 'swi': (0x08, 'svc'), 'pabt': (0x0C, 'abt'),
           'dabt': (0x10, 'abt')}

SLACK = 8


def run_case(g, insn_units, asm, key):
    """Executes the case under Unicorn and returns the JSON object, or raises Reject."""
    isa = g.isa
    code = b''.join(struct.pack('<I' if isa == 'arm' else '<H', u) for u in insn_units)
    res = Result(key)
    # Initial page contents: fill, then the overrides and the instruction on top.
    writes = dict(g.overrides)
    writes[g.code] = code
    for addr, data in writes.items():
        for i, b in enumerate(data):
            a = (addr + i) & M32
            p = a & ~(PAGE - 1)
            if p not in res.pages:
                res.pages[p] = page_fill(key, p)
            res.pages[p][a - p] = b
    # Overlapping overrides with the instruction would make the case meaningless.
    for addr, data in g.overrides.items():
        if addr < g.code + len(code) and g.code < addr + len(data):
            raise Reject('override-overlaps-code')

    uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
    uc.ctl_set_cpu_model(UC_CPU_ARM_926)
    mapped = set()

    def map_page(p):
        if p in mapped:
            return
        if p not in res.pages:
            res.pages[p] = page_fill(key, p)
        uc.mem_map(p, PAGE)
        uc.mem_write(p, bytes(res.pages[p]))
        mapped.add(p)

    for p in list(res.pages):
        map_page(p)

    def on_unmapped(uc_, access, addr, size, value, _):
        if access == UC_MEM_FETCH_UNMAPPED:
            # The fetch of the *next* instruction (the instruction itself is mapped): stop
            # there. The state after the instruction is complete (see below).
            return False
        if addr + size > 1 << 32:
            return False
        p = addr & ~(PAGE - 1)
        while p < addr + size:
            map_page(p)
            p += PAGE
        return True

    def on_mem(uc_, access, addr, size, value, _):
        res.accesses.append((access == UC_MEM_WRITE, addr, size))

    code_hits = []
    intrs = []

    def on_code(uc_, addr, size, _):
        code_hits.append((addr, size))

    def on_intr(uc_, intno, _):
        intrs.append(intno)
        uc_.emu_stop()

    uc.hook_add(UC_HOOK_MEM_UNMAPPED, on_unmapped)
    uc.hook_add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_mem)
    uc.hook_add(UC_HOOK_CODE, on_code)
    uc.hook_add(UC_HOOK_INTR, on_intr)

    # Initial state: banked registers first (switching modes), then the current mode's.
    init_keys = banked_keys(g, g.mode)
    init_banked = {}
    for b, names in init_keys.items():
        init_banked[b] = {}
        for name in names:
            if name == 'spsr':
                v = g.spsr[b] if b in g.spsr else g.psr_value()
            else:
                v = g.val()
            init_banked[b][name] = v
    uc.reg_write(UC_ARM_REG_CPSR, g.cpsr)
    uc_write_banked(uc, init_banked, g.cpsr)
    regs = list(g.r[:15]) + [g.code]
    uc_regs = list(regs)
    for i, v in g.oracle_regs.items():
        uc_regs[i] = v
    for i in range(15):
        uc.reg_write(UC_REGS[i], uc_regs[i])
    # Unicorn takes the Thumb state from bit 0 of a PC write.
    uc.reg_write(UC_ARM_REG_PC, g.code | (1 if isa == 'thumb' else 0))
    if uc.reg_read(UC_ARM_REG_CPSR) != g.cpsr:
        raise Reject('cpsr-readback')

    err = None
    try:
        uc.emu_start(g.code | (1 if isa == 'thumb' else 0), 0xFFFFFFFF, count=1)
    except UcError as e:
        err = e

    exception = None
    if err is not None:
        if err.errno == UC_ERR_INSN_INVALID:
            exception = 'und'
        elif err.errno == UC_ERR_FETCH_UNMAPPED and code_hits == [(g.code, len(code))] and \
                not intrs:
            pass  # the instruction ran; the fetch after it found nothing mapped
        else:
            raise Reject('uc-error-%s' % err)
    if intrs:
        if intrs != [2] and intrs != [7]:
            raise Reject('intr-%s' % intrs)
        exception = 'swi' if intrs == [2] else 'pabt'
    if exception != g.expect:
        raise Reject('exception-mismatch-%s-%s' % (g.expect, exception))
    if exception is None and (len(code_hits) != 1 or code_hits[0] != (g.code, len(code))):
        raise Reject('code-hits-%s' % code_hits)

    # Every data access must be one a correct ARMv5 implementation makes.
    for is_write, addr, size in res.accesses:
        if addr + size > 1 << 32:
            raise Reject('wrap')
        if addr % size != 0:
            if not (size == 4 and not is_write and g.ldr_rotate is not None):
                # Unaligned halfword/word accesses other than LDR: UNPREDICTABLE or, for STR,
                # STM and LDM, QEMU does not ignore address[1:0] as ARMv5 does (README).
                raise Reject('unaligned-%s' % ('write' if is_write else 'read'))

    if exception is not None and g.oracle_regs:
        raise Reject('oracle-regs-exception')
    if exception is not None:
        # Unicorn must have left the state untouched (it stops before entering the exception).
        for i in range(15):
            if uc.reg_read(UC_REGS[i]) != uc_regs[i]:
                raise Reject('exception-changed-r%d' % i)
        if uc.reg_read(UC_ARM_REG_CPSR) != g.cpsr or res.accesses:
            raise Reject('exception-changed-state')
        size = 4 if isa == 'arm' else 2
        ret = {'und': g.code + size, 'swi': g.code + size, 'pabt': g.code + 4}[exception]
        vector, new_mode = VECTORS[exception]
        # ARM ARM A2.6 (Undefined, SWI, Prefetch Abort): R14_<mode> = return address,
        # SPSR_<mode> = CPSR, CPSR[4:0] = mode, T = 0, I = 1 (F unchanged for these
        # exceptions), PC = vector.
        new_cpsr = (g.cpsr & ~(0x1F | T_BIT | J)) | MODES[new_mode] | I_BIT
        # Build the final register file by hand from the initial banks.
        allregs = {}
        for b in BANKS:
            allregs[b] = {}
        cur = bank_of(g.mode)
        for i in range(8, 13):
            allregs['fiq' if g.mode == 'fiq' else 'usr']['r%d' % i] = regs[i]
        allregs[cur]['r13'] = regs[13]
        allregs[cur]['r14'] = regs[14]
        for b, vals in init_banked.items():
            for k, v in vals.items():
                allregs[b][k] = v
        allregs[new_mode]['r14'] = ret & M32
        allregs[new_mode]['spsr'] = g.cpsr
        fr = list(regs[:8])
        for i in range(8, 13):
            fr.append(allregs['usr']['r%d' % i])  # the new mode is never FIQ
        fr += [allregs[new_mode]['r13'], allregs[new_mode]['r14'], vector]
        final_keys = full_banked(g, new_mode)
        final_banked = {b: {k: allregs[b][k] for k in ks} for b, ks in final_keys.items()}
        final_cpsr = new_cpsr
        if g.banked_kind != 'full':
            raise Reject('exception-needs-full-banks')
    else:
        fr = [uc.reg_read(UC_REGS[i]) for i in range(16)]
        final_cpsr = uc.reg_read(UC_ARM_REG_CPSR)
        final_mode = MODE_NAME.get(final_cpsr & 0x1F)
        if final_mode is None:
            raise Reject('final-mode')
        if final_cpsr & ~PSR_IMPLEMENTED:
            raise Reject('final-cpsr-reserved')
        if final_mode != g.mode and g.banked_kind != 'full':
            raise Reject('mode-change-needs-full-banks')
        final_banked = uc_read_banked(uc, banked_keys(g, final_mode))
        for i, v in g.oracle_regs.items():
            if fr[i] == v:
                raise Reject('oracle-reg-unwritten')  # the substitute would leak into `final`
        if g.ldr_rotate is not None:
            loads = [(a, s) for (a, s) in res.loads() if s == 4]
            if len(loads) > 1:
                raise Reject('ldr-rotate-loads')
            a = loads[0][0] if loads else 0
            word = struct.unpack('<I', res.initial_bytes(a & ~3, 4))[0]
            if a & 3:
                if g.ldr_rotate == 15:
                    raise Reject('unaligned-ldr-pc')  # UNPREDICTABLE (A4 "LDR", Notes)
                fr[g.ldr_rotate] = ror(word, 8 * (a & 3))
                g.note = (g.note + ' ' if g.note else '') + 'ldr-rotate'
        for p in sorted(mapped):
            res.final_pages[p] = bytes(uc.mem_read(p, PAGE))

    for check in g.checks:
        why = check(res, fr, final_cpsr)
        if why:
            raise Reject(why)

    # Memory regions: the instruction, and each access with some slack, merged.
    ranges = [(g.code, g.code + len(code))]
    for _, addr, size in res.accesses:
        lo = max(0, (addr - SLACK) & ~3)
        hi = min(1 << 32, (addr + size + SLACK + 3) & ~3)
        ranges.append((lo, hi))
    ranges.sort()
    merged = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    memory = []
    memory_after = []
    for lo, hi in merged:
        before = res.initial_bytes(lo, hi - lo)
        memory.append({'addr': lo, 'bytes': before.hex()})
        if exception is None:
            after = bytearray()
            for a in range(lo, hi):
                p = a & ~(PAGE - 1)
                src = res.final_pages.get(p)
                after.append(src[a - p] if src is not None else res.pages[p][a - p])
            if bytes(after) != before:
                memory_after.append({'addr': lo, 'bytes': bytes(after).hex()})

    case = {
        'isa': isa,
        'asm': asm,
        'initial': {'r': regs, 'cpsr': g.cpsr},
        'memory': memory,
        'final': {'r': [x & M32 for x in fr], 'cpsr': final_cpsr},
        'memory_after': memory_after,
    }
    if init_banked:
        case['initial']['banked'] = init_banked
    if final_banked:
        case['final']['banked'] = final_banked
    if exception:
        case['exception'] = exception
    if g.steps is not None:
        case['steps'] = g.steps
    return case


# ===================================================================================
# ARM instruction classes
# ===================================================================================

DP_OPS = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'tst', 'teq', 'cmp', 'cmn',
          'orr', 'mov', 'bic', 'mvn']


def arm_shifter(g, allow_reg_shift=True, allow_pc=True):
    """A shifter operand (A5.1): a dict with its encoding (bits 25 and 11:0), its text, the
    registers it reads and, for the immediate forms, a function computing (value, carry)."""
    rng = g.rng
    kind = rng.choices(['imm', 'immshift', 'regshift'], [3, 4, 3 if allow_reg_shift else 0])[0]
    if kind == 'imm':
        rot = rng.randrange(16)
        imm8 = rng.choice([rng.getrandbits(8), 0, 0xFF, 1, 0x80, rng.getrandbits(8)])
        value = ror(imm8, 2 * rot)
        # The assembler's canonical form cannot express every (rot, imm8) pair; show both.
        text = '#0x%x' % value if rot == 0 else '#%d, %d' % (imm8, 2 * rot)

        def carry(cin):
            return cin if rot == 0 else value >> 31
        return dict(kind=kind, bits=(1 << 25) | (rot << 8) | imm8, text=text,
                    op=lambda regs, cin: (value, carry(cin)), rm=None, rs=None)
    if kind == 'immshift':
        rm = g.reg(allow_pc=allow_pc and rng.random() < 0.2)
        typ = rng.randrange(4)
        amt = rng.choice([0, 0, 1, 31, rng.randrange(32), rng.randrange(32)])
        if typ == 0:
            text = rname(rm) if amt == 0 else '%s, lsl #%d' % (rname(rm), amt)
        elif typ == 3 and amt == 0:
            text = '%s, rrx' % rname(rm)
        else:
            text = '%s, %s #%d' % (rname(rm), SHIFTS[typ], 32 if amt == 0 else amt)
        return dict(kind=kind, bits=(amt << 7) | (typ << 5) | rm, text=text, rm=rm, rs=None,
                    op=lambda regs, cin: shift_imm(typ, regs[rm], amt, cin))
    # Register shift: the PC as any operand is UNPREDICTABLE (A5.1, register shifts, Notes).
    # The amount is the bottom byte of Rs; the caller puts interesting amounts there.
    rm, rs = g.regs(2) if rng.random() < 0.8 else [g.reg()] * 2
    typ = rng.randrange(4)
    return dict(kind=kind, bits=(rs << 8) | (typ << 5) | (1 << 4) | rm,
                text='%s, %s %s' % (rname(rm), SHIFTS[typ], rname(rs)), rm=rm, rs=rs,
                op=None, typ=typ)


def shift_amount_value(g):
    rng = g.rng
    amt = rng.choice([0, 1, 2, 31, 32, 33, 255, 256, rng.randrange(1, 32), rng.randrange(256),
                      rng.randrange(34, 256)])
    high = rng.choice([0, 0, rng.getrandbits(24) << 8])
    return (high | amt) & M32


def arm_dp(g, to_pc=False):
    """The 16 data-processing operations, S and not, every shifter operand form (A5.1)."""
    rng = g.rng
    op = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]) if to_pc else rng.randrange(16)
    compare = 8 <= op <= 11
    s = 1 if compare else rng.randrange(2)
    if to_pc and op not in (2, 13):
        # <op>S pc, ... is an exception return for every operation (A4 "ADD", "AND" etc.,
        # Operation: if S == 1 and Rd == R15 then CPSR = SPSR), but QEMU implements it only for
        # SUBS and MOVS; for AND/EOR/RSB/ADD/ADC/SBC/RSC/ORR/BIC/MVN it sets the flags and keeps
        # the mode. Left out (README, "Left out: where QEMU ... is not ARMv5").
        s = 0
    cond = g.cond()
    sh = arm_shifter(g, allow_reg_shift=not to_pc)
    regshift = sh['kind'] == 'regshift'
    if regshift:
        g.r[sh['rs']] = shift_amount_value(g)
    # With a register-shifted operand, the PC as any register is UNPREDICTABLE (A5.1, register
    # shifts, Notes).
    rn = 0 if op in (13, 15) else g.reg(allow_pc=not regshift and rng.random() < 0.15)
    if compare:
        rd = 0  # SBZ
    elif to_pc:
        rd = 15
    else:
        rd = g.reg()
    insn = (cond << 28) | (op << 21) | (s << 20) | (rn << 16) | (rd << 12) | sh['bits']
    name = DP_OPS[op] + CONDS[cond] + ('s' if s and not compare else '')
    if op in (13, 15):
        asm = '%s %s, %s' % (name, rname(rd), sh['text'])
    elif compare:
        asm = '%s %s, %s' % (name, rname(rn), sh['text'])
    else:
        asm = '%s %s, %s, %s' % (name, rname(rd), rname(rn), sh['text'])
    if to_pc:
        g.note = 'dp-to-pc'
        if s:
            # <op>S pc, ... copies the SPSR to the CPSR; in User and System mode (no SPSR) this
            # is UNPREDICTABLE (A4 "ADD" etc., Operation: if CurrentModeHasSPSR()).
            if not has_spsr(g.mode):
                raise Reject('dp-s-pc-no-spsr')
            g.banked_kind = 'full'
            g.spsr = {g.mode: g.psr_value()}
            g.note = 'dp-to-pc exception-return'
        # A result written to the PC must be aligned to the new state: bits[1:0] of an ARM-state
        # PC write (bit 0 of a Thumb-state one) not zero is UNPREDICTABLE (A2.4 "Register 15 and
        # the program counter"; QEMU masks).
        regs = list(g.r) + [g.code + 8]
        cin = g.cpsr >> 29 & 1
        b, _ = sh['op'](regs, cin)
        res = dp_result(op, regs[rn], b, cin) & M32
        align = 1 if (s and g.spsr[g.mode] & T_BIT) else 3
        if res & align and condition_passed(cond, g.cpsr):
            raise Reject('dp-pc-unaligned')
    return [insn], asm


def arm_dp_pc_friendly(g):
    """MOV/ADD/SUB to the PC with aligned operands (a branch by data processing)."""
    rng = g.rng
    op = rng.choice([13, 4, 2, 12, 0, 14])
    # The S forms only for SUBS and MOVS: see arm_dp.
    s = 1 if (op in (2, 13) and has_spsr(g.mode) and rng.random() < 0.5) else 0
    cond = g.cond()
    spsr = g.psr_value()
    align = 1 if (s and spsr & T_BIT) else 3
    rm = g.reg()
    rn = g.reg()
    target = rng.getrandbits(32) & ~align
    if op == 13:
        g.r[rm] = target
        rn = 0
    elif op == 4:
        g.r[rn] = g.val() & ~align
        g.r[rm] = (target - g.r[rn]) & M32
    elif op == 2:
        g.r[rn] = g.val() & ~align
        g.r[rm] = (g.r[rn] - target) & M32
    else:
        g.r[rn] = g.val() & ~align
        g.r[rm] = g.val() & ~align
    if op != 13 and rm == rn:
        raise Reject('pc-friendly-same')
    insn = (cond << 28) | (op << 21) | (s << 20) | (rn << 16) | (15 << 12) | rm
    name = DP_OPS[op] + CONDS[cond] + ('s' if s else '')
    if op == 13:
        asm = '%s pc, %s' % (name, rname(rm))
    else:
        asm = '%s pc, %s, %s' % (name, rname(rn), rname(rm))
    if s:
        g.banked_kind = 'full'
        g.spsr = {g.mode: spsr}
        g.note = 'exception-return'
    else:
        g.note = 'dp-to-pc'
    return [insn], asm


def arm_mul(g):
    rng = g.rng
    cond = g.cond()
    kind = rng.choice(['mul', 'mla', 'umull', 'umlal', 'smull', 'smlal'])
    s = rng.randrange(2)
    if kind in ('mul', 'mla'):
        # Rd == Rm is UNPREDICTABLE before ARMv6 (A4 "MUL", "MLA", Notes); PC anywhere too.
        rd, rm = g.regs(2)
        rs = g.reg()
        rn = g.reg()
        a = 1 if kind == 'mla' else 0
        insn = (cond << 28) | (a << 21) | (s << 20) | (rd << 16) | ((rn if a else 0) << 12) | \
            (rs << 8) | 0x90 | rm
        name = kind + CONDS[cond] + ('s' if s else '')
        if a:
            asm = '%s %s, %s, %s, %s' % (name, rname(rd), rname(rm), rname(rs), rname(rn))
        else:
            asm = '%s %s, %s, %s' % (name, rname(rd), rname(rm), rname(rs))
    else:
        # RdHi, RdLo and Rm distinct, none the PC (A4 "UMULL" etc., Notes).
        rdhi, rdlo, rm = g.regs(3)
        rs = g.reg()
        op = {'umull': 0, 'umlal': 1, 'smull': 2, 'smlal': 3}[kind]
        insn = (cond << 28) | (1 << 23) | (op << 21) | (s << 20) | (rdhi << 16) | (rdlo << 12) | \
            (rs << 8) | 0x90 | rm
        asm = '%s%s%s %s, %s, %s, %s' % (kind, CONDS[cond], 's' if s else '', rname(rdlo),
                                         rname(rdhi), rname(rm), rname(rs))
    return [insn], asm


def arm_dsp_mul(g):
    rng = g.rng
    cond = g.cond()
    kind = rng.choice(['smla', 'smul', 'smlaw', 'smulw', 'smlal'])
    x, y = rng.randrange(2), rng.randrange(2)
    xy = ('t' if x else 'b') + ('t' if y else 'b')
    # No operand may be the PC (A4 "SMLA<x><y>" etc., Notes).
    rd = g.reg()
    rm, rs, rn = g.reg(), g.reg(), g.reg()
    for r in (rm, rs):
        if rng.random() < 0.5:
            g.r[r] = rng.choice([0x7FFF, 0x8000, 0xFFFF, 0x80008000, 0x7FFF7FFF, 0xFFFF8000,
                                 0x80007FFF, g.val()])
    if rng.random() < 0.4:
        g.r[rn] = rng.choice([0x7FFFFFFF, 0x80000000, 0x7FFF0000, 0xC0000000, g.val()])
    if kind == 'smla':
        insn = (cond << 28) | 0x01000080 | (rd << 16) | (rn << 12) | (rs << 8) | (y << 6) | \
            (x << 5) | rm
        asm = 'smla%s%s %s, %s, %s, %s' % (xy, CONDS[cond], rname(rd), rname(rm), rname(rs),
                                            rname(rn))
    elif kind == 'smul':
        insn = (cond << 28) | 0x01600080 | (rd << 16) | (rs << 8) | (y << 6) | (x << 5) | rm
        asm = 'smul%s%s %s, %s, %s' % (xy, CONDS[cond], rname(rd), rname(rm), rname(rs))
    elif kind == 'smlaw':
        insn = (cond << 28) | 0x01200080 | (rd << 16) | (rn << 12) | (rs << 8) | (y << 6) | rm
        asm = 'smlaw%s%s %s, %s, %s, %s' % ('t' if y else 'b', CONDS[cond], rname(rd), rname(rm),
                                             rname(rs), rname(rn))
    elif kind == 'smulw':
        insn = (cond << 28) | 0x012000A0 | (rd << 16) | (rs << 8) | (y << 6) | rm
        asm = 'smulw%s%s %s, %s, %s' % ('t' if y else 'b', CONDS[cond], rname(rd), rname(rm),
                                         rname(rs))
    else:
        # RdHi == RdLo is UNPREDICTABLE (A4 "SMLAL<x><y>", Notes).
        rdhi, rdlo = g.regs(2)
        insn = (cond << 28) | 0x01400080 | (rdhi << 16) | (rdlo << 12) | (rs << 8) | (y << 6) | \
            (x << 5) | rm
        asm = 'smlal%s%s %s, %s, %s, %s' % (xy, CONDS[cond], rname(rdlo), rname(rdhi), rname(rm),
                                             rname(rs))
    return [insn], asm


def arm_qarith(g):
    rng = g.rng
    cond = g.cond()
    op = rng.randrange(4)
    name = ['qadd', 'qsub', 'qdadd', 'qdsub'][op]
    # No operand may be the PC (A4 "QADD" etc., Notes).
    rd, rm, rn = g.reg(), g.reg(), g.reg()
    pool = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x40000000, 0xC0000000, 0x3FFFFFFF,
            0xBFFFFFFF, 0x7FFFFFFE, 0x80000001]
    for r in (rm, rn):
        if rng.random() < 0.6:
            g.r[r] = rng.choice(pool)
    insn = (cond << 28) | 0x01000050 | (op << 21) | (rn << 16) | (rd << 12) | rm
    asm = '%s%s %s, %s, %s' % (name, CONDS[cond], rname(rd), rname(rm), rname(rn))
    return [insn], asm


def arm_clz(g):
    rng = g.rng
    cond = g.cond()
    rd, rm = g.reg(), g.reg()  # PC is UNPREDICTABLE (A4 "CLZ", Notes)
    if rng.random() < 0.5:
        g.r[rm] = rng.choice([0, 1 << rng.randrange(32), M32 >> rng.randrange(32), M32])
    insn = (cond << 28) | 0x016F0F10 | (rd << 12) | rm
    return [insn], 'clz%s %s, %s' % (CONDS[cond], rname(rd), rname(rm))


def arm_ldr_str(g):
    """LDR, STR, LDRB, STRB, LDRT, STRT, LDRBT, STRBT in every addressing mode (A5.2)."""
    rng = g.rng
    cond = g.cond(0.7)
    load = rng.randrange(2)
    byte = rng.randrange(2)
    p = rng.choice([1, 1, 0])
    w = rng.randrange(2)
    u = rng.randrange(2)
    reg_off = rng.randrange(2)
    writeback = (p == 0) or w
    # Writeback with Rn == PC is UNPREDICTABLE (A5.2, Notes); without it the base is PC + 8.
    rn = g.reg(allow_pc=(not writeback) and rng.random() < 0.15)
    # Writeback with Rn == Rd is UNPREDICTABLE (A5.2, Notes).
    excl = {rn} if writeback else set()
    if load:
        if byte:
            rd = g.reg(exclude=excl)  # LDRB to the PC is UNPREDICTABLE (A4 "LDRB", Notes)
        else:
            rd = g.reg(exclude=excl, allow_pc=rng.random() < 0.15)
    else:
        # STR of the PC stores an IMPLEMENTATION DEFINED address + 8 or + 12 (A4 "STR", Notes;
        # QEMU stores + 8): left out.
        rd = g.reg(exclude=excl)
    # Words are aligned, except for a share of LDRs (not to the PC), which ARMv5 rotates.
    align = 1 if byte else 4
    if not byte and load and rd != 15 and rng.random() < 0.35:
        align = 1
    if reg_off:
        # Rm == PC is UNPREDICTABLE; so is Rm == Rn with writeback (A5.2, Notes).
        rm = g.reg(exclude={rn})
        typ = rng.randrange(4)
        amt = rng.choice([0, 0, 1, 2, rng.randrange(32)])
        g.r[rm] = rng.choice([rng.randrange(0, 64), rng.randrange(0, 4096), g.val()])
        off, _ = shift_imm(typ, g.r[rm], amt, g.cpsr >> 29 & 1)
        if typ == 0:
            shtext = '' if amt == 0 else ', lsl #%d' % amt
        elif typ == 3 and amt == 0:
            shtext = ', rrx'
        else:
            shtext = ', %s #%d' % (SHIFTS[typ], 32 if amt == 0 else amt)
        off_text = '%s%s%s' % ('' if u else '-', rname(rm), shtext)
        offbits = (1 << 25) | (amt << 7) | (typ << 5) | rm
    else:
        imm = rng.choice([0, 4, rng.randrange(4096), rng.randrange(64), 4095])
        if rn == 15:
            imm &= ~(align - 1)  # the PC (+8) is word aligned
        off = imm
        off_text = '#%s%d' % ('' if u else '-', imm)
        offbits = imm
    if rn != 15:
        # Choose the effective address, then the base that reaches it.
        ea = g.addr(align)
        g.r[rn] = (((ea - off) if u else (ea + off)) & M32) if p else ea
    t = (p == 0 and w == 1)
    name = ('ldr' if load else 'str') + CONDS[cond] + ('b' if byte else '') + ('t' if t else '')
    if p:
        addr_text = '[%s, %s]%s' % (rname(rn), off_text, '!' if w else '')
    else:
        addr_text = '[%s], %s' % (rname(rn), off_text)
    insn = (cond << 28) | (1 << 26) | offbits | (p << 24) | (u << 23) | (byte << 22) | \
        (w << 21) | (load << 20) | (rn << 16) | (rd << 12)
    if load and not byte:
        g.ldr_rotate = rd
        if rd == 15:
            g.note = 'ldr-pc'
            g.reject_if(pc_load_check(g))
    return [insn], '%s %s, %s' % (name, rname(rd), addr_text)


def arm_ldrh_etc(g):
    """LDRH, STRH, LDRSB, LDRSH (A5.3)."""
    rng = g.rng
    cond = g.cond(0.7)
    kind = rng.choice(['ldrh', 'strh', 'ldrsb', 'ldrsh'])
    load = kind != 'strh'
    sh = {'ldrh': 1, 'strh': 1, 'ldrsb': 2, 'ldrsh': 3}[kind]
    p = rng.choice([1, 1, 0])
    w = rng.randrange(2) if p else 0  # post-indexed with W=1 is UNPREDICTABLE (A5.3, Notes)
    u = rng.randrange(2)
    imm_form = rng.randrange(2)
    writeback = p == 0 or w
    rn = g.reg(allow_pc=(not writeback) and rng.random() < 0.1)
    # Rd == PC is UNPREDICTABLE for all four (A4 "LDRH" etc., Notes), so is writeback with Rn == Rd.
    rd = g.reg(exclude={rn} if writeback else set())
    if imm_form:
        imm = rng.choice([0, 2, rng.randrange(256), 255])
        off = imm
        offbits = (1 << 22) | ((imm >> 4) << 8) | (imm & 0xF)
        off_text = '#%s%d' % ('' if u else '-', imm)
    else:
        rm = g.reg(exclude={rn} if writeback else set())
        g.r[rm] = rng.choice([rng.randrange(0, 64), rng.randrange(0, 4096), g.val()])
        off = g.r[rm]
        offbits = rm
        off_text = '%s%s' % ('' if u else '-', rname(rm))
        if rm == rn:
            raise Reject('rm-is-rn')
    align = 1 if kind == 'ldrsb' else 2  # unaligned halfwords are UNPREDICTABLE (A2.8)
    ea = g.addr(align)
    if rn == 15:
        pcv = g.code + 8
        if imm_form:
            ea = (pcv + off) & M32 if u else (pcv - off) & M32
            if ea % align:
                raise Reject('pc-rel-unaligned-half')
        else:
            raise Reject('pc-base-reg-offset')
    else:
        base = ((ea - off) if u else (ea + off)) & M32 if p else ea
        g.r[rn] = base
    insn = (cond << 28) | (p << 24) | (u << 23) | (w << 21) | (load << 20) | (rn << 16) | \
        (rd << 12) | (1 << 7) | (sh << 5) | (1 << 4) | offbits
    name = kind[:3] + CONDS[cond] + kind[3:]
    if p:
        addr_text = '[%s, %s]%s' % (rname(rn), off_text, '!' if w else '')
    else:
        addr_text = '[%s], %s' % (rname(rn), off_text)
    return [insn], '%s %s, %s' % (name, rname(rd), addr_text)


def arm_ldrd_strd(g):
    """LDRD, STRD (A4 "LDRD", "STRD")."""
    rng = g.rng
    cond = g.cond(0.7)
    load = rng.randrange(2)
    p = rng.choice([1, 1, 0])
    w = rng.randrange(2) if p else 0
    u = rng.randrange(2)
    imm_form = rng.randrange(2)
    writeback = p == 0 or w
    # Rd even and not R14 (odd Rd UNPREDICTABLE); writeback with Rn == Rd or Rd+1 UNPREDICTABLE.
    rd = rng.choice([0, 2, 4, 6, 8, 10, 12])
    excl = {rd, rd + 1}
    rn = g.reg(exclude=excl if writeback else set(),
               allow_pc=(not writeback) and imm_form and rng.random() < 0.1)
    if imm_form:
        imm = rng.choice([0, 8, rng.randrange(256) & ~7, 248, rng.randrange(256)])
        off = imm
        offbits = (1 << 22) | ((imm >> 4) << 8) | (imm & 0xF)
        off_text = '#%s%d' % ('' if u else '-', imm)
    else:
        # LDRD with Rm == Rd or Rd+1 is UNPREDICTABLE; Rm == PC too.
        rm = g.reg(exclude=(excl | {rn}) if (load or writeback) else {rn})
        g.r[rm] = rng.choice([rng.randrange(0, 64) & ~7, rng.randrange(0, 4096), g.val()])
        off = g.r[rm]
        offbits = rm
        off_text = '%s%s' % ('' if u else '-', rname(rm))
    # Before ARMv6 a doubleword access must be 8-byte aligned (A4 "LDRD", Notes: Alignment).
    ea = g.addr(8)
    if rn == 15:
        pcv = g.code + 8
        ea = ((pcv + off) if u else (pcv - off)) & M32
        if ea % 8:
            raise Reject('pc-rel-unaligned-d')
    else:
        g.r[rn] = ((ea - off) if u else (ea + off)) & M32 if p else ea

    def check(res, fr, cpsr):
        for _, a, s in res.accesses:
            if a % 8 and (a - 4) % 8:
                return 'ldrd-unaligned'
        if res.accesses and min(a for _, a, _ in res.accesses) % 8:
            return 'ldrd-unaligned'
        return None
    g.reject_if(check)
    insn = (cond << 28) | (p << 24) | (u << 23) | (w << 21) | (rn << 16) | (rd << 12) | \
        (1 << 7) | ((2 if load else 3) << 5) | (1 << 4) | offbits
    name = ('ldr' if load else 'str') + CONDS[cond] + 'd'
    if p:
        addr_text = '[%s, %s]%s' % (rname(rn), off_text, '!' if w else '')
    else:
        addr_text = '[%s], %s' % (rname(rn), off_text)
    return [insn], '%s %s, %s' % (name, rname(rd), addr_text)


def arm_ldm_stm(g, user=False):
    """LDM/STM in the four modes, with and without writeback; the ^ forms (A5.4; A4 "LDM (1)"
    to "LDM (3)", "STM (1)", "STM (2)")."""
    rng = g.rng
    cond = g.cond(0.7)
    load = rng.randrange(2)
    pu = rng.randrange(4)  # 0 DA, 1 IA, 2 DB, 3 IB
    p, u = pu >> 1, pu & 1
    rn = g.reg()  # Rn == PC is UNPREDICTABLE
    n = rng.choice([1, 2, 3, rng.randrange(1, 16), rng.randrange(1, 16)])
    pool = list(range(15))
    mask = 0
    for r in rng.sample(pool, min(n, 15)):
        mask |= 1 << r
    w = rng.randrange(2)
    s = 0
    with_pc = False
    if load and rng.random() < (0.5 if user else 0.2):
        mask |= 1 << 15
        with_pc = True
    if not load and mask >> 15 & 1:
        mask &= ~(1 << 15)  # STM of the PC: IMPLEMENTATION DEFINED value (A4 "STM (1)", Notes)
    if user:
        # The ^ forms: in User/System mode UNPREDICTABLE (A4 "LDM (2)", "LDM (3)", "STM (2)").
        if not has_spsr(g.mode):
            raise Reject('user-bank-in-usr')
        s = 1
        g.banked_kind = 'full'
        if not (load and with_pc):
            w = 0  # LDM(2)/STM(2) with writeback are UNPREDICTABLE
            g.note = 'user-bank'
        else:
            g.note = 'exception-return'
            g.spsr = {g.mode: g.psr_value()}
    if mask == 0:
        raise Reject('empty-list')  # UNPREDICTABLE (A4 "LDM (1)", Notes)
    if mask >> rn & 1 and w:
        if load:
            raise Reject('ldm-wb-base-in-list')  # UNPREDICTABLE (A4 "LDM (1)", Notes)
        if mask & ((1 << rn) - 1):
            # UNPREDICTABLE unless the base is the lowest (A4 "STM (1)", Notes).
            raise Reject('stm-wb-base-not-lowest')
    count = bin(mask).count('1')
    start = g.addr(4)
    # Base so that the block is at `start` (aligned; QEMU does not ignore address[1:0]).
    base = {0: start + 4 * count - 4, 1: start, 2: start + 4 * count, 3: start - 4}[pu] & M32
    g.r[rn] = base
    insn = (cond << 28) | (1 << 27) | (p << 24) | (u << 23) | (s << 22) | (w << 21) | \
        (load << 20) | (rn << 16) | mask
    name = ('ldm' if load else 'stm') + CONDS[cond] + ['da', 'ia', 'db', 'ib'][pu]
    asm = '%s %s%s, %s%s' % (name, rname(rn), '!' if w else '', rlist_text(mask),
                             '^' if s else '')
    if with_pc:
        g.reject_if(pc_load_check(g, exc_return=bool(s)))
    return [insn], asm


def pc_load_check(g, exc_return=False):
    """For loads to the PC: reject the UNPREDICTABLE values.

    ARM state (v5): a loaded PC interworks on bit 0; bits[1:0] == 0b10 is UNPREDICTABLE
    (A4 "LDR", "LDM (1)", Notes). For LDM(3) (exception return) the new state is the SPSR's T
    bit and the value must be aligned to it (A4 "LDM (3)": UNPREDICTABLE otherwise)."""
    def check(res, fr, cpsr):
        loads = [a for (a, s) in res.loads() if s == 4]
        if not loads:
            return None
        a = max(loads)
        value = struct.unpack('<I', res.initial_bytes(a, 4))[0]
        if exc_return:
            if cpsr & T_BIT:
                return 'pc-unaligned-thumb' if value & 1 else None
            return 'pc-unaligned-arm' if value & 3 else None
        if value & 3 == 2:
            return 'pc-bits-10'
        return None
    return check


def arm_swp(g):
    rng = g.rng
    cond = g.cond(0.7)
    b = rng.randrange(2)
    # Rn == Rm or Rn == Rd, or any of them the PC, is UNPREDICTABLE (A4 "SWP", Notes).
    rn = g.reg()
    rd = g.reg(exclude={rn})
    rm = g.reg(exclude={rn})
    # Unaligned SWP: QEMU raises an alignment fault, ARMv5 rotates: left out (README).
    g.r[rn] = g.addr(1 if b else 4)
    insn = (cond << 28) | 0x01000090 | (b << 22) | (rn << 16) | (rd << 12) | rm
    return [insn], 'swp%s%s %s, %s, [%s]' % (CONDS[cond], 'b' if b else '', rname(rd), rname(rm),
                                             rname(rn))


def arm_branch(g):
    rng = g.rng
    kind = rng.choices(['b', 'bl', 'blx'], [4, 4, 2])[0]
    off = rng.choice([0, 1, -1, -2, 0x7FFFFF, -0x800000, rng.randrange(-0x800000, 0x800000),
                      rng.randrange(-1024, 1024)])
    off24 = off & 0xFFFFFF
    if kind == 'blx':
        h = rng.randrange(2)
        insn = 0xFA000000 | (h << 24) | off24
        target = (g.code + 8 + (off << 2) + (h << 1)) & M32
        return [insn], 'blx #0x%08x' % target
    cond = g.cond()
    insn = (cond << 28) | 0x0A000000 | ((kind == 'bl') << 24) | off24
    target = (g.code + 8 + (off << 2)) & M32
    return [insn], '%s%s #0x%08x' % (kind, CONDS[cond], target)


def arm_bx(g):
    rng = g.rng
    cond = g.cond()
    kind = rng.choices(['bx', 'blx', 'bxj'], [5, 4, 1])[0]
    # BLX Rm with Rm == PC is UNPREDICTABLE (A4 "BLX (2)", Notes); BX PC is fine (ARM state, +8).
    rm = g.reg(allow_pc=(kind != 'blx') and rng.random() < 0.1)
    t = rng.getrandbits(32)
    # A target with bits[1:0] == 0b10 is UNPREDICTABLE (A4 "BX", Notes).
    if rm != 15:
        g.r[rm] = t | 1 if rng.random() < 0.5 else t & ~3
    else:
        g.note = 'bx-pc'
    op = {'bx': 1, 'bxj': 2, 'blx': 3}[kind]
    insn = (cond << 28) | 0x012FFF00 | (op << 4) | rm
    return [insn], '%s%s %s' % (kind, CONDS[cond], rname(rm))


def arm_mrs(g):
    rng = g.rng
    cond = g.cond()
    # MRS of the SPSR in User/System mode is UNPREDICTABLE (A4 "MRS", Notes).
    r = 1 if (has_spsr(g.mode) and rng.random() < 0.5) else 0
    rd = g.reg()  # Rd == PC is UNPREDICTABLE
    insn = (cond << 28) | 0x010F0000 | (r << 22) | (rd << 12)
    return [insn], 'mrs%s %s, %s' % (CONDS[cond], rname(rd), 'spsr' if r else 'cpsr')


def arm_msr(g):
    """MSR to the CPSR and SPSR, register and immediate, every field mask (A4 "MSR").

    The fields the mask does not name get random bits (they must be ignored); the fields it
    names are kept to what the ARM ARM defines: reserved bits (8-23, 25, 26) zero, J zero, and
    for a privileged CPSR write of the control field a valid mode with T unchanged (A4 "MSR",
    Notes: writing T, or a reserved mode, is UNPREDICTABLE). In User mode only the flags
    field is written, so the others may hold anything."""
    rng = g.rng
    cond = g.cond()
    r = 1 if (has_spsr(g.mode) and rng.random() < 0.35) else 0
    mask = rng.randrange(1, 16)
    g.banked_kind = 'full'
    field_bits = [0x000000FF, 0x0000FF00, 0x00FF0000, 0xFF000000]
    written_bits = 0
    for i in range(4):
        if mask >> i & 1 and (r or i == 3 or g.mode != 'usr'):
            written_bits |= field_bits[i]
    if rng.random() < 0.4:
        rot = rng.choice([0, 4, 4, rng.randrange(16)])
        imm8 = rng.getrandbits(8)
        if rot == 4:
            imm8 &= 0xF8  # flags and Q only
        elif rot == 0 and not r:
            imm8 = (imm8 & 0xC0) | (g.cpsr & T_BIT) | MODES[rng.choice(list(MODES))]
        elif rot == 0:
            imm8 = (imm8 & 0xE0) | MODES[rng.choice(list(MODES))]
        operand = ror(imm8, 2 * rot)
        src_bits = (1 << 25) | (rot << 8) | imm8
        src_text = '#0x%x' % operand
    else:
        if r:
            value = g.psr_value()
        else:
            value = (rng.getrandbits(5) << 27) | MODES[rng.choice(list(MODES))]
            value |= rng.choice([0, I_BIT, F_BIT, I_BIT | F_BIT])
            value |= g.cpsr & T_BIT
        operand = (value & written_bits) | (rng.getrandbits(32) & ~written_bits)
        rm = g.reg()  # Rm == PC is UNPREDICTABLE
        g.r[rm] = operand
        src_bits = rm
        src_text = rname(rm)
    written = operand & written_bits
    if written & 0x07FFFF00:
        raise Reject('msr-reserved-bits')
    if written_bits & 0xFF:
        if MODE_NAME.get(written & 0x1F) is None:
            raise Reject('msr-bad-mode')
        if not r and (written ^ g.cpsr) & T_BIT:
            raise Reject('msr-t-bit')
    insn = (cond << 28) | 0x0120F000 | (r << 22) | (mask << 16) | src_bits
    fields = ''.join(ch for bit, ch in ((1, 'c'), (2, 'x'), (4, 's'), (8, 'f')) if mask & bit)
    return [insn], 'msr%s %s_%s, %s' % (CONDS[cond], 'spsr' if r else 'cpsr', fields, src_text)


def arm_swi(g):
    rng = g.rng
    cond = g.cond(0.7)
    imm = rng.choice([0, 1, 0xFFFFFF, rng.getrandbits(24), rng.getrandbits(8)])
    if imm == 0x123456:
        imm = 0x123457  # the ARM semihosting number
    g.banked_kind = 'full'
    if condition_passed(cond, g.cpsr):
        g.expect = 'swi'
    insn = (cond << 28) | 0x0F000000 | imm
    return [insn], 'swi%s #0x%x' % (CONDS[cond], imm)


def arm_bkpt(g):
    # BKPT with a condition other than AL is UNPREDICTABLE (A4 "BKPT", Notes).
    imm = g.rng.getrandbits(16)
    g.banked_kind = 'full'
    g.expect = 'pabt'
    insn = 0xE1200070 | ((imm >> 4) << 8) | (imm & 0xF)
    return [insn], 'bkpt #0x%x' % imm


def arm_undefined(g):
    """Architecturally undefined encodings (A3.16 "Extending the instruction set") and
    absent coprocessors (A2.6 "Exceptions", Undefined Instruction exception)."""
    rng = g.rng
    g.banked_kind = 'full'
    g.expect = 'und'
    kind = rng.choice(['udf', 'media', 'cp', 'cp'])
    # A condition-failing undefined instruction may or may not trap: keep AL.
    cond = 14
    if kind == 'udf':
        insn = (cond << 28) | 0x07F000F0 | (rng.getrandbits(12) << 8) | rng.getrandbits(4)
        return [insn], 'udf #0x%x' % (((insn >> 4) & 0xFFF0) | (insn & 0xF))
    if kind == 'media':
        # cond 011x xxxx ... xxx1 xxxx: undefined before ARMv6 (A3.16).
        insn = (cond << 28) | (3 << 25) | (rng.getrandbits(20) << 5) | (1 << 4) | \
            rng.getrandbits(4)
        return [insn], 'undefined 0x%08x (media space)' % insn
    # The ARM926EJ-S has CP14 and CP15 only; QEMU's model also has VFP (CP10/11): avoid those.
    cp = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13])
    form = rng.choice(['cdp', 'mcr', 'mrc', 'ldc', 'stc'])
    if form == 'cdp':
        insn = (cond << 28) | 0x0E000000 | (rng.getrandbits(4) << 20) | \
            (rng.getrandbits(8) << 12) | (cp << 8) | (rng.getrandbits(3) << 5) | rng.getrandbits(4)
    elif form in ('mcr', 'mrc'):
        rd = g.reg()
        insn = (cond << 28) | 0x0E000010 | (rng.getrandbits(3) << 21) | \
            ((form == 'mrc') << 20) | (rng.getrandbits(4) << 16) | (rd << 12) | (cp << 8) | \
            (rng.getrandbits(3) << 5) | rng.getrandbits(4)
    else:
        p, u, nb, w = 1, rng.randrange(2), rng.randrange(2), rng.randrange(2)
        insn = (cond << 28) | 0x0C000000 | (p << 24) | (u << 23) | (nb << 22) | (w << 21) | \
            ((form == 'ldc') << 20) | (g.reg() << 16) | (rng.getrandbits(4) << 12) | \
            (cp << 8) | rng.getrandbits(8)
    return [insn], '%s p%d, ... (0x%08x, absent coprocessor)' % (form, cp, insn)


def arm_pld(g):
    rng = g.rng
    rn = g.reg(allow_pc=rng.random() < 0.1)
    u = rng.randrange(2)
    imm = rng.randrange(4096)
    insn = 0xF550F000 | (u << 23) | (rn << 16) | imm
    return [insn], 'pld [%s, #%s%d]' % (rname(rn), '' if u else '-', imm)


def arm_cond_mix(g):
    """A plain instruction under every condition, with the flags that pass and fail it."""
    rng = g.rng
    cond = rng.randrange(15)
    op = rng.choice([4, 13, 2, 12])
    rd = g.reg()
    rn = 0 if op == 13 else g.reg()  # SBZ for MOV (QEMU decodes only Rn == 0 as MOV)
    insn = (cond << 28) | (1 << 25) | (op << 21) | (rn << 16) | (rd << 12) | rng.getrandbits(8)
    # Flip the flags to every combination over the corpus.
    g.cpsr = (g.cpsr & 0x0FFFFFFF) | (rng.getrandbits(4) << 28)
    name = DP_OPS[op] + CONDS[cond]
    imm = insn & 0xFF
    if op == 13:
        return [insn], '%s %s, #%d' % (name, rname(rd), imm)
    return [insn], '%s %s, %s, #%d' % (name, rname(rd), rname(rn), imm)


ARM_CLASSES = [
    ('dp', 30, lambda g: arm_dp(g)),
    ('dp-pc', 2, lambda g: arm_dp(g, to_pc=True)),
    ('dp-pc-branch', 2, arm_dp_pc_friendly),
    ('mul', 6, arm_mul),
    ('dsp-mul', 6, arm_dsp_mul),
    ('qarith', 4, arm_qarith),
    ('clz', 2, arm_clz),
    ('ldr-str', 14, arm_ldr_str),
    ('ldrh-ldrsb-ldrsh-strh', 8, arm_ldrh_etc),
    ('ldrd-strd', 4, arm_ldrd_strd),
    ('ldm-stm', 8, lambda g: arm_ldm_stm(g)),
    ('ldm-stm-user', 3, lambda g: arm_ldm_stm(g, user=True)),
    ('swp', 2, arm_swp),
    ('branch', 5, arm_branch),
    ('bx-blx', 3, arm_bx),
    ('mrs', 2, arm_mrs),
    ('msr', 5, arm_msr),
    ('cond', 4, arm_cond_mix),
    ('swi', 1, arm_swi),
    ('bkpt', 0.5, arm_bkpt),
    ('undefined', 1.5, arm_undefined),
    ('pld', 0.5, arm_pld),
]


# ===================================================================================
# Thumb instruction classes (ARM ARM chapter A6/A7)
# ===================================================================================

def lo(g, exclude=()):
    return g.rng.choice([r for r in range(8) if r not in exclude])


def th_shift_imm(g):
    rng = g.rng
    op = rng.randrange(3)
    imm = rng.choice([0, 1, 31, rng.randrange(32)])
    rd, rm = lo(g), lo(g)
    insn = (op << 11) | (imm << 6) | (rm << 3) | rd
    amt = 32 if (imm == 0 and op) else imm
    return [insn], '%ss %s, %s, #%d' % (SHIFTS[op], rname(rd), rname(rm), amt)


def th_add_sub(g):
    rng = g.rng
    i, sub = rng.randrange(2), rng.randrange(2)
    rd, rn = lo(g), lo(g)
    x = rng.randrange(8) if i else lo(g)
    insn = 0x1800 | (i << 10) | (sub << 9) | (x << 6) | (rn << 3) | rd
    operand = '#%d' % x if i else rname(x)
    return [insn], '%s %s, %s, %s' % ('subs' if sub else 'adds', rname(rd), rname(rn), operand)


def th_imm8(g):
    rng = g.rng
    op = rng.randrange(4)
    rd = lo(g)
    imm = rng.choice([0, 1, 0xFF, 0x80, rng.getrandbits(8)])
    insn = 0x2000 | (op << 11) | (rd << 8) | imm
    return [insn], '%s %s, #%d' % (['movs', 'cmp', 'adds', 'subs'][op], rname(rd), imm)


TH_ALU = ['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'tst', 'negs', 'cmp',
          'cmn', 'orrs', 'muls', 'bics', 'mvns']


def th_alu(g):
    rng = g.rng
    op = rng.randrange(16)
    rd, rm = lo(g), lo(g)
    if op == 13 and rd == rm:
        # MUL Rd, Rm with Rd == Rm is UNPREDICTABLE before ARMv6 (A7 "MUL", Notes).
        rm = lo(g, exclude={rd})
    if op in (2, 3, 4, 7):
        g.r[rm] = shift_amount_value(g)
    insn = 0x4000 | (op << 6) | (rm << 3) | rd
    return [insn], '%s %s, %s' % (TH_ALU[op], rname(rd), rname(rm))


def th_hireg(g):
    """ADD/CMP/MOV with high registers, BX/BLX (A7 "ADD (4)", "CMP (3)",
    "MOV (3)", "BX", "BLX (2)")."""
    rng = g.rng
    op = rng.choices([0, 1, 2, 3], [3, 2, 3, 4])[0]
    if op == 3:
        blx = rng.randrange(2)
        # BLX Rm with Rm == PC is UNPREDICTABLE; BX PC from a non-word-aligned address too.
        pc_ok = not blx and g.code % 4 == 0 and rng.random() < 0.15
        rm = g.reg(allow_pc=pc_ok)
        t = rng.getrandbits(32)
        if rm != 15:
            # A target with bits[1:0] == 0b10 is UNPREDICTABLE (A7 "BX", Notes).
            g.r[rm] = t | 1 if rng.random() < 0.6 else t & ~3
        insn = 0x4700 | (blx << 7) | (rm << 3)
        return [insn], '%s %s' % ('blx' if blx else 'bx', rname(rm))
    # Both registers low is UNPREDICTABLE for ADD(4)/CMP(3)/MOV(3) before ARMv6 (A7 "ADD (4)" etc.).
    while True:
        rd = rng.randrange(16)
        rm = rng.randrange(16)
        if rd >= 8 or rm >= 8:
            break
    if op == 1 and (rd == 15 or rm == 15):
        raise Reject('cmp-hi-pc')  # UNPREDICTABLE (A7 "CMP (3)", Notes)
    if rd == 15:
        # Writing the PC: the result must be halfword aligned; compute it.
        regs = list(g.r) + [g.code + 4]
        res = (regs[15] + regs[rm]) if op == 0 else regs[rm]
        if res & 1:
            if rm != 15 and rng.random() < 0.8:
                g.r[rm] ^= 1
            else:
                raise Reject('pc-odd')
        g.note = 'hi-to-pc'
    h1, h2 = rd >> 3, rm >> 3
    insn = 0x4400 | (op << 8) | (h1 << 7) | (h2 << 6) | ((rm & 7) << 3) | (rd & 7)
    return [insn], '%s %s, %s' % (['add', 'cmp', 'mov'][op], rname(rd), rname(rm))


def th_ldr_lit(g):
    rng = g.rng
    rd = lo(g)
    imm = rng.choice([0, 255, rng.randrange(256)])
    insn = 0x4800 | (rd << 8) | imm
    target = ((g.code + 4) & ~3) + imm * 4
    return [insn], 'ldr %s, [pc, #%d] ; 0x%08x' % (rname(rd), imm * 4, target)


TH_LS_REG = ['str', 'strh', 'strb', 'ldrsb', 'ldr', 'ldrh', 'ldrb', 'ldrsh']


def th_ls_reg(g):
    rng = g.rng
    op = rng.randrange(8)
    rd, rn, rm = lo(g), lo(g), lo(g)
    size = {0: 4, 1: 2, 2: 1, 3: 1, 4: 4, 5: 2, 6: 1, 7: 2}[op]
    align = size
    if op == 4 and rng.random() < 0.35:
        align = 1  # unaligned LDR rotates (A7 "LDR", A2.8)
    ea = g.addr(align)
    if rn == rm:
        # The address is twice the register: reach an even address.
        ea &= ~1
        g.r[rn] = (ea >> 1) | (rng.getrandbits(1) << 31)
    else:
        off = rng.choice([0, rng.randrange(64), rng.randrange(4096), g.val()])
        g.r[rm] = off
        g.r[rn] = (ea - off) & M32
    if op == 4:
        g.ldr_rotate = rd
    insn = 0x5000 | (op << 9) | (rm << 6) | (rn << 3) | rd
    return [insn], '%s %s, [%s, %s]' % (TH_LS_REG[op], rname(rd), rname(rn), rname(rm))


def th_ls_imm(g):
    rng = g.rng
    kind = rng.choice(['str', 'ldr', 'strb', 'ldrb', 'strh', 'ldrh'])
    rd, rn = lo(g), lo(g)
    imm = rng.choice([0, 31, rng.randrange(32)])
    scale = {'str': 4, 'ldr': 4, 'strb': 1, 'ldrb': 1, 'strh': 2, 'ldrh': 2}[kind]
    align = scale
    if kind == 'ldr' and rng.random() < 0.35:
        align = 1
    ea = g.addr(align)
    g.r[rn] = (ea - imm * scale) & M32
    if kind in ('str', 'ldr', 'strb', 'ldrb'):
        b = kind.endswith('b')
        load = kind.startswith('ldr')
        insn = 0x6000 | (b << 12) | (load << 11) | (imm << 6) | (rn << 3) | rd
    else:
        load = kind == 'ldrh'
        insn = 0x8000 | (load << 11) | (imm << 6) | (rn << 3) | rd
    if kind == 'ldr':
        g.ldr_rotate = rd
    return [insn], '%s %s, [%s, #%d]' % (kind, rname(rd), rname(rn), imm * scale)


def th_ls_sp(g):
    rng = g.rng
    load = rng.randrange(2)
    rd = lo(g)
    imm = rng.choice([0, 255, rng.randrange(256)])
    align = 4
    if load and rng.random() < 0.3:
        align = 1
    ea = g.addr(align)
    g.r[13] = (ea - imm * 4) & M32
    insn = 0x9000 | (load << 11) | (rd << 8) | imm
    if load:
        g.ldr_rotate = rd
    return [insn], '%s %s, [sp, #%d]' % ('ldr' if load else 'str', rname(rd), imm * 4)


def th_add_pc_sp(g):
    rng = g.rng
    sp = rng.randrange(2)
    rd = lo(g)
    imm = rng.choice([0, 255, rng.randrange(256)])
    insn = 0xA000 | (sp << 11) | (rd << 8) | imm
    return [insn], 'add %s, %s, #%d' % (rname(rd), 'sp' if sp else 'pc', imm * 4)


def th_sp_adjust(g):
    rng = g.rng
    s = rng.randrange(2)
    imm = rng.choice([0, 127, rng.randrange(128)])
    insn = 0xB000 | (s << 7) | imm
    return [insn], '%s sp, #%d' % ('sub' if s else 'add', imm * 4)


def th_push_pop(g):
    rng = g.rng
    pop = rng.randrange(2)
    r = rng.randrange(2)
    mask = rng.getrandbits(8)
    if rng.random() < 0.3:
        mask = rng.choice([1, 0x80, 0xFF])
    if mask == 0 and not r:
        raise Reject('empty-list')  # UNPREDICTABLE (A7 "POP", "PUSH")
    count = bin(mask).count('1') + r
    lowest = g.addr(4)
    g.r[13] = (lowest + 4 * count) & M32 if not pop else lowest
    insn = 0xB400 | (pop << 11) | (r << 8) | mask
    regs = [rname(i) for i in range(8) if mask >> i & 1]
    if r:
        regs.append('pc' if pop else 'lr')
        if pop:
            g.reject_if(thumb_pop_pc_check())
    return [insn], '%s {%s}' % ('pop' if pop else 'push', ', '.join(regs))


def thumb_pop_pc_check():
    """POP {.., pc} interworks on v5 (A7 "POP"); a value with bits[1:0] == 0b10 would enter ARM
    state at an unaligned address: UNPREDICTABLE."""
    def check(res, fr, cpsr):
        loads = [a for (a, s) in res.loads()]
        if not loads:
            return None
        a = max(loads)
        value = struct.unpack('<I', res.initial_bytes(a, 4))[0]
        return 'pc-bits-10' if value & 3 == 2 else None
    return check


def th_ldm_stm(g):
    rng = g.rng
    load = rng.randrange(2)
    rn = lo(g)
    mask = rng.getrandbits(8) or (1 << lo(g))
    if mask >> rn & 1:
        if load:
            # LDMIA with the base in the list: the final base is the loaded value, not the
            # written-back one (ARM ARM A7 "LDMIA", Notes; QEMU agrees, as ARMv7's T1 rule).
            g.note = 'base-in-list'
        elif mask & ((1 << rn) - 1):
            # STMIA with the base in the list but not lowest: UNPREDICTABLE (A7 "STMIA", Notes).
            mask &= ~(1 << rn)
    if mask == 0:
        raise Reject('empty-list')
    g.r[rn] = g.addr(4)
    insn = 0xC000 | (load << 11) | (rn << 8) | mask
    return [insn], '%s %s!, {%s}' % ('ldmia' if load else 'stmia', rname(rn),
                                     ', '.join(rname(i) for i in range(8) if mask >> i & 1))


def th_bcond(g):
    rng = g.rng
    cond = rng.randrange(14)
    off = rng.choice([0, 1, -1, -2, 127, -128, rng.randrange(-128, 128)])
    g.cpsr = (g.cpsr & 0x0FFFFFFF) | (rng.getrandbits(4) << 28)
    insn = 0xD000 | (cond << 8) | (off & 0xFF)
    target = (g.code + 4 + off * 2) & M32
    return [insn], 'b%s #0x%08x' % (CONDS[cond], target)


def th_b(g):
    rng = g.rng
    off = rng.choice([0, 1, -1, -2, 1023, -1024, rng.randrange(-1024, 1024)])
    insn = 0xE000 | (off & 0x7FF)
    return [insn], 'b #0x%08x' % ((g.code + 4 + off * 2) & M32)


def th_bl(g):
    """A BL or BLX(1) prefix/suffix pair, one case (A7 "BL, BLX (1)")."""
    rng = g.rng
    if (g.code & 0x3FF) > 0x3FC:
        # QEMU fuses the two halves only within one of its 1 KiB target pages (pre-v7 ARM).
        g.code -= 4
    blx = rng.randrange(2)
    off = rng.choice([0, 1, -1, 0x1FFFFF, -0x200000, rng.randrange(-0x200000, 0x200000),
                      rng.randrange(-2048, 2048)])
    hi = (off >> 11) & 0x7FF
    lo_ = off & 0x7FF
    if blx:
        lo_ &= ~1  # BLX suffix with bit 0 set is UNPREDICTABLE (A7 "BL, BLX (1)")
    target = (g.code + 4 + (sx(hi, 11) << 12) + (lo_ << 1)) & M32
    if blx:
        target &= ~3
    return [0xF000 | hi, (0xE800 if blx else 0xF800) | lo_], \
        '%s #0x%08x' % ('blx' if blx else 'bl', target)


def th_swi(g):
    rng = g.rng
    imm = rng.choice([0, 1, 0xFF, rng.getrandbits(8)])
    if imm == 0xAB:
        imm = 0xAC  # the Thumb semihosting number
    g.banked_kind = 'full'
    g.expect = 'swi'
    return [0xDF00 | imm], 'swi #0x%x' % imm


def th_bkpt(g):
    imm = g.rng.getrandbits(8)
    if imm == 0xAB:
        imm = 0xAC
    g.banked_kind = 'full'
    g.expect = 'pabt'
    return [0xBE00 | imm], 'bkpt #0x%x' % imm


def th_undefined(g):
    """B<cond> with cond 1110 (A7 "B (1)": UNDEFINED) and the miscellaneous-space encodings ARMv5
    does not define (only 0xB0, 0xB4/0xB5, 0xBC/0xBD and 0xBE are defined; QEMU executes CBZ
    0xB1/0xB3/0xB9/0xBB and the 0xBF hints even for ARM926, so those are left out)."""
    rng = g.rng
    g.banked_kind = 'full'
    g.expect = 'und'
    hi = rng.choice([0xDE, 0xDE, 0xDE, 0xB2, 0xB6, 0xB7, 0xB8, 0xBA])
    insn = (hi << 8) | rng.getrandbits(8)
    return [insn], 'undefined 0x%04x' % insn


THUMB_CLASSES = [
    ('shift-imm', 8, th_shift_imm),
    ('add-sub', 8, th_add_sub),
    ('imm8', 8, th_imm8),
    ('alu', 16, th_alu),
    ('hireg-bx', 10, th_hireg),
    ('ldr-literal', 4, th_ldr_lit),
    ('ls-reg', 8, th_ls_reg),
    ('ls-imm', 8, th_ls_imm),
    ('ls-sp', 4, th_ls_sp),
    ('add-pc-sp', 3, th_add_pc_sp),
    ('sp-adjust', 2, th_sp_adjust),
    ('push-pop', 6, th_push_pop),
    ('ldmia-stmia', 5, th_ldm_stm),
    ('bcond', 6, th_bcond),
    ('b', 2, th_b),
    ('bl-blx', 5, th_bl),
    ('swi', 1, th_swi),
    ('bkpt', 0.5, th_bkpt),
    ('undefined', 1, th_undefined),
]


# ===================================================================================
# Regression cases (--regressions): each class pins down a bug found in the emulator, with
# cases drawn and run like the others (README, "Regression cases").
# ===================================================================================

def reg_bl_suffix(g, odd_lr):
    """A lone BL suffix (H = 11; A7 "BL, BLX (1)"), as when code puts an address in LR and
    executes the suffix alone to call it: PC = LR + (offset_11 << 1), in Thumb state."""
    rng = g.rng
    off = rng.choice([0, 1, 0x7FF, rng.getrandbits(11)])
    lr = g.val()
    lr = lr | 1 if odd_lr else lr & ~1
    g.r[14] = lr
    if odd_lr:
        # QEMU adds (offset_11 << 1) | 1 to LR and branches with BX (trans_BL_suffix), so an
        # odd LR comes out even and QEMU enters ARM state. ARMv5 keeps Thumb state and a
        # halfword-aligned PC. Unicorn runs from LR with bit 0 clear, which gives the same PC
        # (bits 31:1 of LR + (offset_11 << 1)) and LR; the case starts from the odd LR.
        g.oracle_regs[14] = lr & ~1
    g.steps = 1
    target = (lr + (off << 1)) & ~1 & M32
    return [0xF800 | off], 'bl (suffix) #0x%08x' % target


def reg_blx_suffix(g):
    """A lone BLX suffix (H = 01) with an odd LR: PC = (LR + (offset_11 << 1)) AND
    0xFFFFFFFC, ARM state (A7 "BL, BLX (1)"). Offset bit 0 set is UNPREDICTABLE: left out."""
    rng = g.rng
    off = rng.choice([0, 2, 0x7FE, rng.getrandbits(11)]) & ~1
    lr = g.val() | 1
    g.r[14] = lr
    g.steps = 1
    target = (lr + (off << 1)) & ~3 & M32
    return [0xE800 | off], 'blx (suffix) #0x%08x' % target


def reg_bl_prefix(g):
    """A lone BL/BLX prefix (H = 10): LR = PC + (SignExtend(offset_11) << 12), one instruction
    in ARMv5 (A7 "BL, BLX (1)"). QEMU fuses a prefix with the halfword after it unless the
    prefix is the last halfword of one of its 1 KiB pages: it is put there."""
    rng = g.rng
    g.code = (g.code & ~0x3FF) | 0x3FE
    off = rng.choice([0, 1, -1, 0x3FF, -0x400, rng.randrange(-0x400, 0x400)])
    # A lone prefix is one step whether or not the case says so.
    g.steps = rng.choice([1, None])
    return [0xF000 | (off & 0x7FF)], 'bl (prefix) lr = pc + %d' % (off << 12)


def reg_bl_pair(g):
    units, asm = th_bl(g)
    g.steps = 2
    return units, asm


def reg_pld_issue(g):
    g.banked_kind = 'full'
    g.expect = 'und'
    return [0xF7D5FE9E], 'undefined 0xf7d5fe9e (pld [r5, lr, ror lr] with bit 4 set)'


def reg_uncond_bit4(g):
    """Condition 0b1111, bits 27:25 = 011, bit 4 = 1: PLD's register form has bit 4 clear
    (A4 "PLD", A5.2); with it set, as with any condition, the encoding is UNDEFINED (A3.16)."""
    rng = g.rng
    g.banked_kind = 'full'
    g.expect = 'und'
    if rng.random() < 0.7:
        # PLD's fields: 1111 0111 U101 Rn 1111 (bits 11:5 any) 1 Rm.
        insn = 0xF750F010 | (rng.randrange(2) << 23) | (rng.randrange(16) << 16) | \
            (rng.getrandbits(7) << 5) | rng.getrandbits(4)
    else:
        insn = 0xF6000010 | (rng.getrandbits(20) << 5) | rng.getrandbits(4)
    return [insn], 'undefined 0x%08x' % insn


def reg_pld_post_indexed(g):
    """PLD's fields with P (bit 24) clear: ARMv5TE has no post-indexed PLD (A4 "PLD"), the word
    is UNDEFINED. objdump prints it as PLD; the emulator's disassembler follows the CPU."""
    rng = g.rng
    g.banked_kind = 'full'
    g.expect = 'und'
    insn = 0xF450F000 | (rng.randrange(2) << 23) | (rng.randrange(16) << 16)
    if rng.randrange(2):
        insn |= rng.getrandbits(12)
    else:
        insn |= (1 << 25) | (rng.getrandbits(7) << 5) | rng.getrandbits(4)  # bit 4 clear
    return [insn], 'undefined 0x%08x (pld post-indexed)' % insn


def reg_pld_register(g):
    """PLD with a shifted register offset (bit 4 clear): a hint, no effect. Rm = PC is
    UNPREDICTABLE (A5.2): left out."""
    rng = g.rng
    rn = g.reg(allow_pc=rng.random() < 0.2)
    rm = g.reg()
    u = rng.randrange(2)
    amt, typ = rng.randrange(32), rng.randrange(4)
    insn = 0xF750F000 | (u << 23) | (rn << 16) | (amt << 7) | (typ << 5) | rm
    return [insn], 'pld [%s, %s%s, %s #%d]' % (rname(rn), '' if u else '-', rname(rm),
                                                SHIFTS[typ], amt)


def reg_compare_rd_pc(g):
    """TST, TEQ, CMP, CMN with Rd = 15, the 26-bit architecture's TSTP etc. Rd is SBZ (A4
    "TST" etc.); QEMU's decoder accepts only Rd = 0 and makes the rest UNDEFINED."""
    rng = g.rng
    g.banked_kind = 'full'
    g.expect = 'und'
    op = rng.choice([8, 9, 10, 11])
    sh = arm_shifter(g, allow_pc=False)
    if sh['kind'] == 'regshift':
        g.r[sh['rs']] = shift_amount_value(g)
    rn = g.reg()
    insn = 0xE0100000 | sh['bits'] | (op << 21) | (rn << 16) | (15 << 12)
    return [insn], '%sp %s, %s' % (DP_OPS[op], rname(rn), sh['text'])


# (name, ISA, count, class generator, note: why the cases exist)
REGRESSION_CLASSES = [
    ('bl-suffix-odd-lr', 'thumb', 6, lambda g: reg_bl_suffix(g, odd_lr=True),
     'a lone BL suffix (H = 11) with LR odd: PC = LR + (offset_11 << 1) with bit 0 clear, '
     'Thumb state kept (ARM ARM A7 "BL, BLX (1)"; Thumb code is halfword aligned). QEMU adds '
     '(offset_11 << 1) | 1 and branches with BX, so an odd LR takes it to ARM state: the '
     'expected state is Unicorn\'s run from LR with bit 0 clear, which has the same PC and LR'),
    ('bl-suffix', 'thumb', 2, lambda g: reg_bl_suffix(g, odd_lr=False),
     'a lone BL suffix (H = 11) with LR even'),
    ('blx-suffix-odd-lr', 'thumb', 4, reg_blx_suffix,
     'a lone BLX suffix (H = 01) with LR odd: PC = (LR + (offset_11 << 1)) AND 0xFFFFFFFC, '
     'ARM state (ARM ARM A7 "BL, BLX (1)")'),
    ('bl-prefix-alone', 'thumb', 4, reg_bl_prefix,
     'a lone BL/BLX prefix (H = 10) is one instruction (ARM ARM A7 "BL, BLX (1)"), one step '
     'whether `steps` says 1 or is absent; what follows it is not listed'),
    ('bl-pair-steps', 'thumb', 3, reg_bl_pair, 'a BL/BLX pair with `steps` 2'),
    ('pld-f7d5fe9e', 'arm', 1, reg_pld_issue,
     'condition 0b1111, bits 27:25 = 011, bit 4 = 1 is UNDEFINED, not PLD (PLD\'s register '
     'form has bit 4 clear: ARM ARM A4 "PLD", A5.2)'),
    ('uncond-011-bit4', 'arm', 8, reg_uncond_bit4,
     'condition 0b1111, bits 27:25 = 011, bit 4 = 1 (mostly PLD\'s other fields) is UNDEFINED '
     '(ARM ARM A4 "PLD", A5.2, A3.16)'),
    ('pld-post-indexed', 'arm', 3, reg_pld_post_indexed,
     'PLD\'s fields with P clear are UNDEFINED: ARMv5TE has no post-indexed PLD (ARM ARM A4 '
     '"PLD")'),
    ('pld-register', 'arm', 4, reg_pld_register,
     'PLD with a shifted register offset, bit 4 clear: no effect'),
    ('compare-rd-pc', 'arm', 8, reg_compare_rd_pc,
     'TST/TEQ/CMP/CMN with Rd = 15 (TSTP etc. of the 26-bit architecture; Rd is SBZ, ARM ARM A4 '
     '"TST" etc.) are UNDEFINED, as in QEMU'),
]


# ===================================================================================

DEBUG = bool(os.environ.get('GEN_DEBUG'))


def draw(name, fn, isa, key_prefix, stats):
    """One case of class `name`: the first attempt the class generator and Unicorn accept."""
    for attempt in range(200):
        key = '%s:%d' % (key_prefix, attempt)
        g = Gen(random.Random(key), isa)
        try:
            units, asm = fn(g)
            case = run_case(g, units, asm, key)
        except Reject as why:
            stats['reject', name, str(why)] += 1
            if DEBUG:
                print('reject %s %s: %s' % (name, why, key), file=sys.stderr)
            continue
        stats['ok', name] += 1
        return g, case
    raise SystemExit('class %s: no acceptable case in 200 attempts' % name)


def generate(isa, seed, count, stats):
    classes = ARM_CLASSES if isa == 'arm' else THUMB_CLASSES
    weights = [c[1] for c in classes]
    for index in range(count):
        pick = random.Random('%s:%d:%d:class' % (isa, seed, index))
        ci = pick.choices(range(len(classes)), weights)[0]
        name, _, fn = classes[ci]
        g, case = draw(name, fn, isa, '%s:%d:%d' % (isa, seed, index), stats)
        out = {'id': '%s-%07d' % (isa, index)}
        out.update(case)
        out['note'] = name + (' ' + g.note if g.note else '')
        yield out


def generate_regressions(seed, stats):
    for name, isa, count, fn, note in REGRESSION_CLASSES:
        for index in range(count):
            g, case = draw(name, fn, isa, 'regression:%s:%d:%d' % (name, seed, index), stats)
            out = {'id': 'regression-%s-%d' % (name, index)}
            out.update(case)
            out['note'] = '%s: %s' % (name, note)
            yield out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--isa', choices=['arm', 'thumb'])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--count', type=int)
    ap.add_argument('--regressions', action='store_true',
                    help='write the regression cases (REGRESSION_CLASSES) instead of --isa/--count')
    ap.add_argument('--out', required=True)
    ap.add_argument('--stats', action='store_true', help='print per-class counts and rejections')
    args = ap.parse_args()
    if args.regressions == (args.isa is not None or args.count is not None) or \
            (args.isa is None) != (args.count is None):
        ap.error('give either --isa and --count, or --regressions')
    stats = Counter()
    buf = io.StringIO()
    if args.regressions:
        cases = generate_regressions(args.seed, stats)
    else:
        cases = generate(args.isa, args.seed, args.count, stats)
    for case in cases:
        buf.write(json.dumps(case, separators=(',', ':')))
        buf.write('\n')
    data = buf.getvalue().encode()
    tmp = args.out + '.tmp'
    if args.out.endswith('.gz'):
        with open(tmp, 'wb') as f:
            with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0, compresslevel=9) as z:
                z.write(data)
    else:
        with open(tmp, 'wb') as f:
            f.write(data)
    os.replace(tmp, args.out)
    if args.stats:
        for k, v in sorted(stats.items()):
            print('%-8s %s' % (v, ' '.join(k)), file=sys.stderr)


if __name__ == '__main__':
    main()
