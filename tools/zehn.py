#!/usr/bin/env python3
"""zehn.py - pack an ARM ELF as an Ndless program (.tns): Zehn or PRG.

Our own writer of the formats Ndless loads, from their public description (the
Ndless SDK's public-domain include/zehn.h; tools/README.md says more).  Python 3
standard library only.

  zehn.py IN.elf -o OUT.tns [--compress] [--name S --author S --version N ...]
        Zehn: IN.elf linked at address 0 with `ld --emit-relocs`.
  zehn.py --prg IN.elf -o OUT.tns
        PRG: "PRG\\0" then the image; IN.elf linked at address 4 (so that its
        addresses are file offsets), entry 4, position-independent code.
  zehn.py --info FILE.tns
        print what a Zehn or PRG file holds.
  zehn.py --check-load FILE.tns --against BASE.elf --base ADDR
        load FILE.tns at ADDR as the Ndless loader would (inflate, relocate,
        zero the rest) and compare the memory with BASE.elf, the same objects
        linked at ADDR: they must be equal byte for byte.

The output is a function of the input bytes and options alone: the deflate
stream comes from the encoder below, not from the zlib library (whose output
may change with its version); zlib is used only to read streams back.
"""

import argparse
import heapq
import struct
import sys
import zlib

# ------------------------------------------------------------------ format
ZEHN_SIGNATURE = 0x6E68655A  # "Zehn"
ZEHN_VERSION = 1
ZEHN_HEADER = struct.Struct("<8I")
PRG_SIGNATURE = b"PRG\0"

# Relocation types (low byte of a relocation word; the offset is above it).
ADD_BASE, ADD_BASE_GOT, SET_ZERO, FILE_COMPRESSED, UNALIGNED_RELOC = range(5)
RELOC_NAMES = ["ADD_BASE", "ADD_BASE_GOT", "SET_ZERO", "FILE_COMPRESSED", "UNALIGNED_RELOC"]
COMPRESS_ZLIB = 0

# Flag types.  Strings (name, author, notice) are offsets into the extra data.
(NDLESS_VERSION_MIN, NDLESS_VERSION_MAX, NDLESS_REVISION_MIN, NDLESS_REVISION_MAX,
 RUNS_ON_COLOR, RUNS_ON_CLICKPAD, RUNS_ON_TOUCHPAD, RUNS_ON_32MB,
 EXECUTABLE_NAME, EXECUTABLE_AUTHOR, EXECUTABLE_VERSION, EXECUTABLE_NOTICE,
 RUNS_ON_HWW, USES_LCD_BLIT) = range(14)
FLAG_NAMES = ["NDLESS_VERSION_MIN", "NDLESS_VERSION_MAX", "NDLESS_REVISION_MIN",
              "NDLESS_REVISION_MAX", "RUNS_ON_COLOR", "RUNS_ON_CLICKPAD",
              "RUNS_ON_TOUCHPAD", "RUNS_ON_32MB", "EXECUTABLE_NAME",
              "EXECUTABLE_AUTHOR", "EXECUTABLE_VERSION", "EXECUTABLE_NOTICE",
              "RUNS_ON_HWW", "USES_LCD_BLIT"]
STRING_FLAGS = (EXECUTABLE_NAME, EXECUTABLE_AUTHOR, EXECUTABLE_NOTICE)


class PackError(Exception):
    pass


def word(kind, value):
    """A relocation or flag word: the type in bits 7-0, the value in bits 31-8."""
    if not 0 <= value < 1 << 24:
        raise PackError(f"value 0x{value:x} does not fit in 24 bits")
    return kind | value << 8


# --------------------------------------------------------------------- ELF
SHT_SYMTAB, SHT_NOBITS, SHT_REL, SHT_RELA = 2, 8, 9, 4
SHF_ALLOC = 2
SHN_UNDEF, SHN_ABS = 0, 0xFFF1
STB_WEAK = 2
EM_ARM = 40

R_ARM_ABS32, R_ARM_REL32, R_ARM_ABS16, R_ARM_ABS12, R_ARM_THM_ABS5, R_ARM_ABS8 = 2, 3, 5, 6, 7, 8
R_ARM_GOT_BREL, R_ARM_TARGET1 = 26, 38
R_ARM_MOVW_ABS_NC, R_ARM_MOVT_ABS, R_ARM_THM_MOVW_ABS_NC, R_ARM_THM_MOVT_ABS = 43, 44, 47, 48
R_ARM_ABS32_NOI, R_ARM_GOT_ABS, R_ARM_GOT_PREL = 55, 95, 96
# Absolute relocations a Zehn file cannot express (only whole words are relocated).
UNEXPRESSIBLE = {R_ARM_ABS16: "R_ARM_ABS16", R_ARM_ABS12: "R_ARM_ABS12",
                 R_ARM_THM_ABS5: "R_ARM_THM_ABS5", R_ARM_ABS8: "R_ARM_ABS8",
                 R_ARM_MOVW_ABS_NC: "R_ARM_MOVW_ABS_NC", R_ARM_MOVT_ABS: "R_ARM_MOVT_ABS",
                 R_ARM_THM_MOVW_ABS_NC: "R_ARM_THM_MOVW_ABS_NC",
                 R_ARM_THM_MOVT_ABS: "R_ARM_THM_MOVT_ABS", R_ARM_ABS32_NOI: "R_ARM_ABS32_NOI"}
GOT_RELOCS = {R_ARM_GOT_BREL: "R_ARM_GOT_BREL", R_ARM_GOT_ABS: "R_ARM_GOT_ABS",
              R_ARM_GOT_PREL: "R_ARM_GOT_PREL"}


class Section:
    def __init__(self, index, name, type_, flags, addr, offset, size, link, info, data):
        self.index, self.name, self.type, self.flags = index, name, type_, flags
        self.addr, self.offset, self.size, self.link, self.info = addr, offset, size, link, info
        self.data = data

    @property
    def alloc(self):
        return bool(self.flags & SHF_ALLOC)


class Symbol:
    def __init__(self, name, value, size, info, shndx):
        self.name, self.value, self.size, self.shndx = name, value, size, shndx
        self.bind = info >> 4


class Elf:
    """The parts of a 32-bit little-endian ARM ELF file this tool needs."""

    def __init__(self, blob, path="ELF"):
        self.path = path
        if blob[:4] != b"\x7fELF" or blob[4] != 1 or blob[5] != 1:
            raise PackError(f"{path}: not a 32-bit little-endian ELF file")
        (_type, machine, _version, self.entry, _phoff, shoff, _flags, _ehsize, _phentsize,
         _phnum, shentsize, shnum, shstrndx) = struct.unpack_from("<HHIIIIIHHHHHH", blob, 16)
        if machine != EM_ARM:
            raise PackError(f"{path}: not an ARM ELF file (machine {machine})")
        raw = [struct.unpack_from("<10I", blob, shoff + i * shentsize) for i in range(shnum)]
        names = raw[shstrndx]
        strtab = blob[names[4]:names[4] + names[5]]
        self.sections = []
        for i, (name, type_, flags, addr, offset, size, link, info, _align, _entsize) in enumerate(raw):
            data = b"" if type_ == SHT_NOBITS else blob[offset:offset + size]
            self.sections.append(Section(i, cstr(strtab, name), type_, flags, addr, offset, size,
                                         link, info, data))
        self.symbols = []
        for s in self.sections:
            if s.type == SHT_SYMTAB:
                names = self.sections[s.link].data
                for off in range(0, s.size, 16):
                    name, value, size, info, _other, shndx = struct.unpack_from("<IIIBBH", s.data, off)
                    self.symbols.append(Symbol(cstr(names, name), value, size, info, shndx))

    def section(self, name):
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def symbol(self, name):
        for sym in self.symbols:
            if sym.name == name and sym.shndx != SHN_UNDEF:
                return sym
        return None

    def relocations(self):
        """(place, type, symbol, section placed in) of every REL entry applying to an
        allocated section, in file order."""
        for s in self.sections:
            if s.type == SHT_RELA:
                raise PackError(f"{self.path}: RELA relocations ({s.name}) are not supported")
            if s.type != SHT_REL or not self.sections[s.info].alloc:
                continue
            target = self.sections[s.info]
            for off in range(0, s.size, 8):
                r_offset, r_info = struct.unpack_from("<II", s.data, off)
                yield r_offset, r_info & 0xFF, self.symbols[r_info >> 8], target

    def image(self, base=0):
        """The allocated sections placed at their addresses from `base`, gaps zero:
        (bytes, end), where `bytes` stops at the last byte stored in the file and `end`
        is the end of the last allocated section (a trailing .bss is not stored)."""
        alloc = sorted((s for s in self.sections if s.alloc and s.size), key=lambda s: s.addr)
        if not alloc:
            raise PackError(f"{self.path}: no allocated sections")
        if alloc[0].addr < base:
            raise PackError(f"{self.path}: section {alloc[0].name} at 0x{alloc[0].addr:x} "
                            f"lies below 0x{base:x}")
        out = bytearray()
        end = base
        for s in alloc:
            if s.addr < end:
                raise PackError(f"{self.path}: section {s.name} at 0x{s.addr:x} overlaps "
                                f"the previous one (which ends at 0x{end:x})")
            if s.type != SHT_NOBITS:
                out += bytes(s.addr - base - len(out))
                out += s.data
            end = s.addr + s.size
        return bytes(out), end - base


def cstr(blob, offset):
    return blob[offset:blob.index(b"\0", offset)].decode("ascii", "replace")


# ------------------------------------------------------------------- deflate
# A deterministic zlib (RFC 1950/1951) encoder: LZ77 with hash chains and
# one-step lazy matching, then per block of tokens the smallest of a dynamic
# Huffman, a fixed Huffman or a stored block.  Every Huffman code it writes is
# complete (at least two codes of non-zero length).

LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
            99, 115, 131, 163, 195, 227, 258]
LEN_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
             1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
DIST_EXTRA = [0, 0, 0, 0] + [n for n in range(1, 14) for _ in (0, 1)]
CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

LEN_CODE = [0] * 259          # length 3..258 -> code index 0..28
for _i in range(len(LEN_BASE) - 1, -1, -1):
    for _l in range(LEN_BASE[_i], LEN_BASE[_i] + (1 << LEN_EXTRA[_i])):
        if _l <= 258 and not LEN_CODE[_l]:
            LEN_CODE[_l] = _i
LEN_CODE[258] = 28
FIXED_LIT = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
FIXED_DIST = [5] * 30

WINDOW, MAX_MATCH, MIN_MATCH, MAX_CHAIN = 32768, 258, 3, 64
BLOCK_TOKENS = 16384


def dist_code(d):
    lo, hi = 0, len(DIST_BASE) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if DIST_BASE[mid] <= d:
            lo = mid
        else:
            hi = mid - 1
    return lo


def lz77(data):
    """Tokens: an int is a literal byte, a pair (length, distance) a match."""
    n = len(data)
    head, prev = {}, [-1] * n
    tokens = []

    def insert(pos):
        if pos + MIN_MATCH <= n:
            key = data[pos:pos + MIN_MATCH]
            prev[pos] = head.get(key, -1)
            head[key] = pos

    def longest(pos):
        if pos + MIN_MATCH > n:
            return 0, 0
        best, dist = 0, 0
        limit = min(MAX_MATCH, n - pos)
        cand, chain = head.get(data[pos:pos + MIN_MATCH], -1), 0
        while cand >= 0 and pos - cand <= WINDOW and chain < MAX_CHAIN:
            length = MIN_MATCH
            while length < limit and data[cand + length] == data[pos + length]:
                length += 1
            if length > best:
                best, dist = length, pos - cand
                if length == limit:
                    break
            cand, chain = prev[cand], chain + 1
        return (best, dist) if best >= MIN_MATCH else (0, 0)

    i = 0
    while i < n:
        length, dist = longest(i)
        insert(i)
        if length and length < MAX_MATCH and i + 1 < n and longest(i + 1)[0] > length:
            tokens.append(data[i])          # a longer match starts at the next byte
            i += 1
            continue
        if length:
            tokens.append((length, dist))
            for k in range(i + 1, i + length):
                insert(k)
            i += length
        else:
            tokens.append(data[i])
            i += 1
    return tokens


def huffman_lengths(freqs, limit):
    """Code lengths of a complete prefix code for the symbols of non-zero frequency,
    none longer than `limit` (frequencies are halved until it fits)."""
    freqs = list(freqs)
    used = [s for s, f in enumerate(freqs) if f]
    for s in (0, 1):                    # a complete code needs two symbols
        if len(used) < 2 and not freqs[s]:
            freqs[s] = 1
            used = sorted(used + [s])
    while True:
        heap = [(freqs[s], order, s) for order, s in enumerate(used)]
        heapq.heapify(heap)
        children, order = {}, len(freqs)
        while len(heap) > 1:
            fa, _, a = heapq.heappop(heap)
            fb, _, b = heapq.heappop(heap)
            children[order] = (a, b)
            heapq.heappush(heap, (fa + fb, order, order))
            order += 1
        lengths = [0] * len(freqs)
        stack = [(heap[0][2], 0)]
        while stack:
            node, depth = stack.pop()
            if node in children:
                stack.extend((c, depth + 1) for c in children[node])
            else:
                lengths[node] = depth
        if max(lengths) <= limit:
            return lengths
        freqs = [(f + 1) // 2 if f else 0 for f in freqs]


def canonical_codes(lengths):
    """RFC 1951 3.2.2: the codes of a canonical Huffman code, bit-reversed so that they
    can be written least significant bit first."""
    count = [0] * 16
    for length in lengths:
        if length:
            count[length] += 1
    code, next_code = 0, [0] * 16
    for bits in range(1, 16):
        code = (code + count[bits - 1]) << 1
        next_code[bits] = code
    codes = [0] * len(lengths)
    for s, length in enumerate(lengths):
        if length:
            c = next_code[length]
            next_code[length] += 1
            codes[s] = int(format(c, f"0{length}b")[::-1], 2)
    return codes


class BitWriter:
    def __init__(self):
        self.out, self.acc, self.nbits = bytearray(), 0, 0

    def bits(self, value, n):
        self.acc |= value << self.nbits
        self.nbits += n
        while self.nbits >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.nbits -= 8

    def align(self):
        if self.nbits:
            self.bits(0, 8 - self.nbits)

    def bytes(self):
        self.align()
        return bytes(self.out)


def run_length(lengths):
    """The code length sequence as (symbol, extra bits value) with the repeat codes."""
    out, i = [], 0
    while i < len(lengths):
        value, run = lengths[i], 1
        while i + run < len(lengths) and lengths[i + run] == value:
            run += 1
        i += run
        if value == 0:
            while run >= 11:
                k = min(run, 138)
                out.append((18, k - 11))
                run -= k
            if run >= 3:
                out.append((17, run - 3))
                run = 0
        else:
            out.append((value, 0))
            run -= 1
            while run >= 3:
                k = min(run, 6)
                out.append((16, k - 3))
                run -= k
        out.extend((value, 0) for _ in range(run))
    return out


CL_EXTRA = {16: 2, 17: 3, 18: 7}


def encode_block(w, tokens, raw, final):
    lit_freq, dist_freq = [0] * 286, [0] * 30
    for t in tokens:
        if isinstance(t, int):
            lit_freq[t] += 1
        else:
            lit_freq[257 + LEN_CODE[t[0]]] += 1
            dist_freq[dist_code(t[1])] += 1
    lit_freq[256] += 1

    def data_bits(lit_len, dist_len):
        total = sum(f * lit_len[s] for s, f in enumerate(lit_freq))
        total += sum(f * LEN_EXTRA[s - 257] for s, f in enumerate(lit_freq) if s > 256)
        total += sum(f * (dist_len[s] + DIST_EXTRA[s]) for s, f in enumerate(dist_freq))
        return total

    lit_len = huffman_lengths(lit_freq, 15)
    dist_len = huffman_lengths(dist_freq, 15)
    hlit = max(257, max(s for s, n in enumerate(lit_len) if n) + 1)
    hdist = max(1, max(s for s, n in enumerate(dist_len) if n) + 1)
    rle = run_length(lit_len[:hlit] + dist_len[:hdist])
    cl_freq = [0] * 19
    for sym, _ in rle:
        cl_freq[sym] += 1
    cl_len = huffman_lengths(cl_freq, 7)
    hclen = max(4, max(i for i, s in enumerate(CL_ORDER) if cl_len[s]) + 1)
    dynamic = (3 + 14 + 3 * hclen + sum(cl_len[s] + CL_EXTRA.get(s, 0) for s, _ in rle)
               + data_bits(lit_len, dist_len))
    fixed = 3 + data_bits(FIXED_LIT, FIXED_DIST)
    chunks = max(1, -(-len(raw) // 65535))
    stored = 3 + 7 + chunks * 32 + 8 * len(raw) + (chunks - 1) * 3   # an upper bound

    if stored < min(dynamic, fixed):
        for c in range(chunks):
            part = raw[c * 65535:(c + 1) * 65535]
            w.bits(1 if final and c == chunks - 1 else 0, 1)
            w.bits(0, 2)
            w.align()
            w.bits(len(part), 16)
            w.bits(len(part) ^ 0xFFFF, 16)
            for b in part:
                w.bits(b, 8)
        return
    w.bits(1 if final else 0, 1)
    if dynamic <= fixed:
        w.bits(2, 2)
        w.bits(hlit - 257, 5)
        w.bits(hdist - 1, 5)
        w.bits(hclen - 4, 4)
        for s in CL_ORDER[:hclen]:
            w.bits(cl_len[s], 3)
        cl_code = canonical_codes(cl_len)
        for sym, extra in rle:
            w.bits(cl_code[sym], cl_len[sym])
            if sym in CL_EXTRA:
                w.bits(extra, CL_EXTRA[sym])
    else:
        w.bits(1, 2)
        lit_len, dist_len = FIXED_LIT, FIXED_DIST
    lit_code, dist_code_ = canonical_codes(lit_len), canonical_codes(dist_len)
    for t in tokens:
        if isinstance(t, int):
            w.bits(lit_code[t], lit_len[t])
            continue
        length, dist = t
        lc, dc = LEN_CODE[length], dist_code(dist)
        w.bits(lit_code[257 + lc], lit_len[257 + lc])
        if LEN_EXTRA[lc]:
            w.bits(length - LEN_BASE[lc], LEN_EXTRA[lc])
        w.bits(dist_code_[dc], dist_len[dc])
        if DIST_EXTRA[dc]:
            w.bits(dist - DIST_BASE[dc], DIST_EXTRA[dc])
    w.bits(lit_code[256], lit_len[256])


def zlib_compress(data):
    """`data` as one zlib stream (header 0x78 0xDA, deflate blocks, Adler-32)."""
    tokens = lz77(data)
    w = BitWriter()
    w.bits(0x78, 8)
    w.bits(0xDA, 8)
    pos, blocks = 0, [tokens[i:i + BLOCK_TOKENS] for i in range(0, len(tokens), BLOCK_TOKENS)]
    blocks = blocks or [[]]
    for n, block in enumerate(blocks):
        size = sum(1 if isinstance(t, int) else t[0] for t in block)
        encode_block(w, block, data[pos:pos + size], n == len(blocks) - 1)
        pos += size
    return w.bytes() + struct.pack(">I", zlib.adler32(data))


# ------------------------------------------------------------------ packing
def zehn_relocations(elf, image_len, verbose=False):
    """The relocation words of a Zehn file for `elf` (without FILE_COMPRESSED)."""
    # GOT-relative offsets count from the start of the output section .got (ld's GOT
    # origin for R_ARM_GOT_BREL, R_ARM_BASE_PREL and R_ARM_GOTOFF32), which holds the
    # slots and ends with the word 0xFFFFFFFF.
    got = elf.section(".got")
    got_range = (got.addr, got.addr + got.size) if got else (0, 0)
    add_base, set_zero, unaligned = set(), set(), False
    for place, rtype, sym, target in elf.relocations():
        undefined = sym.shndx == SHN_UNDEF and sym.name != ""
        # No symbol (index 0) or an absolute one: the value is not an address in the image.
        absolute = sym.shndx == SHN_ABS or (sym.shndx == SHN_UNDEF and sym.name == "")
        if undefined and sym.bind != STB_WEAK:
            raise PackError(f"{elf.path}: undefined symbol {sym.name}")
        if rtype in (R_ARM_ABS32, R_ARM_TARGET1):
            if undefined or absolute:
                # An undefined weak symbol stays 0, an absolute one its value.
                continue
            if got_range[0] <= place < got_range[1]:
                raise PackError(f"{elf.path}: R_ARM_ABS32 at 0x{place:x} inside .got")
            if place + 4 > image_len:
                raise PackError(f"{elf.path}: relocation at 0x{place:x} outside the stored image")
            if place in add_base:
                raise PackError(f"{elf.path}: two relocations at 0x{place:x}")
            add_base.add(place)
            unaligned |= place % 4 != 0
        elif rtype in UNEXPRESSIBLE and not undefined and not absolute:
            raise PackError(f"{elf.path}: {UNEXPRESSIBLE[rtype]} at 0x{place:x} (against "
                            f"{sym.name or target.name}) cannot be relocated by a Zehn loader")
        elif rtype in GOT_RELOCS and undefined:
            if rtype != R_ARM_GOT_BREL:
                raise PackError(f"{elf.path}: {GOT_RELOCS[rtype]} at 0x{place:x} against the "
                                f"undefined weak {sym.name}: only R_ARM_GOT_BREL is supported")
            if got is None:
                raise PackError(f"{elf.path}: GOT relocation but no .got")
            offset = struct.unpack_from("<i", target.data, place - target.addr)[0]
            slot = (got.addr + offset) & 0xFFFFFFFF
            if not got_range[0] <= slot < got_range[1] - 4:
                raise PackError(f"{elf.path}: GOT slot 0x{slot:x} of {sym.name} outside .got")
            if struct.unpack_from("<I", got.data, slot - got.addr)[0] != 0:
                raise PackError(f"{elf.path}: GOT slot 0x{slot:x} of {sym.name} is not 0")
            set_zero.add(slot)
    relocs = []
    if unaligned:
        relocs.append(word(UNALIGNED_RELOC, 0))
    relocs += [word(ADD_BASE, p) for p in sorted(add_base)]
    if got and got.size > 4:
        if got.addr % 4:
            raise PackError(f"{elf.path}: .got at 0x{got.addr:x} is not word-aligned")
        if got.data[-4:] != b"\xff\xff\xff\xff":
            raise PackError(f"{elf.path}: .got does not end with the word 0xFFFFFFFF")
        if 0xFFFFFFFF in struct.unpack(f"<{got.size // 4 - 1}I", got.data[:-4]):
            raise PackError(f"{elf.path}: a .got slot holds 0xFFFFFFFF, the end marker")
        relocs.append(word(ADD_BASE_GOT, got.addr))
    relocs += [word(SET_ZERO, s) for s in sorted(set_zero)]
    if verbose:
        print(f"{len(add_base)} ADD_BASE, {len(set_zero)} SET_ZERO, "
              f"{'a' if got and got.size > 4 else 'no'} GOT, "
              f"{'some' if unaligned else 'no'} unaligned", file=sys.stderr)
    return relocs


def zehn_flags(opts):
    """Flag words and extra data (strings) from the command-line options."""
    flags, extra = [], bytearray()

    def string(kind, text):
        flags.append(word(kind, len(extra)))
        extra.extend(text.encode("utf-8") + b"\0")

    if opts.get("name") is not None:
        string(EXECUTABLE_NAME, opts["name"])
    if opts.get("author") is not None:
        string(EXECUTABLE_AUTHOR, opts["author"])
    if opts.get("version") is not None:
        flags.append(word(EXECUTABLE_VERSION, opts["version"]))
    if opts.get("notice") is not None:
        string(EXECUTABLE_NOTICE, opts["notice"])
    for key, kind in (("ndless_min", NDLESS_VERSION_MIN), ("ndless_rev_min", NDLESS_REVISION_MIN),
                      ("ndless_max", NDLESS_VERSION_MAX), ("ndless_rev_max", NDLESS_REVISION_MAX),
                      ("color", RUNS_ON_COLOR), ("clickpad", RUNS_ON_CLICKPAD),
                      ("touchpad", RUNS_ON_TOUCHPAD), ("mb32", RUNS_ON_32MB),
                      ("hww", RUNS_ON_HWW), ("lcd_blit", USES_LCD_BLIT)):
        if opts.get(key) is not None:
            flags.append(word(kind, int(opts[key])))
    extra += bytes(-len(extra) % 4)
    return flags, bytes(extra)


def pack_zehn(elf, compress=False, verbose=False, **opts):
    image, end = elf.image()
    if elf.entry >= end:
        raise PackError(f"{elf.path}: entry 0x{elf.entry:x} outside the image")
    relocs = zehn_relocations(elf, len(image), verbose)
    if compress:
        relocs.insert(0, word(FILE_COMPRESSED, COMPRESS_ZLIB))
    flags, extra = zehn_flags(opts)
    head_len = ZEHN_HEADER.size + 4 * (len(relocs) + len(flags)) + len(extra)
    body = zlib_compress(image) if compress else image
    header = ZEHN_HEADER.pack(ZEHN_SIGNATURE, ZEHN_VERSION, head_len + len(body), len(relocs),
                              len(flags), len(extra), head_len + end, elf.entry)
    return header + struct.pack(f"<{len(relocs)}I", *relocs) + \
        struct.pack(f"<{len(flags)}I", *flags) + extra + body


def pack_prg(elf, verbose=False):
    """PRG: the signature, then the image linked at 4 (its .bss stored as zeros: a
    PRG file is loaded whole and nothing else is allocated)."""
    if elf.entry != 4:
        raise PackError(f"{elf.path}: a PRG program is entered at offset 4, not 0x{elf.entry:x}")
    image, end = elf.image(base=4)
    alloc = sorted((s for s in elf.sections if s.alloc and s.size), key=lambda s: s.addr)
    if alloc[0].addr != 4:
        raise PackError(f"{elf.path}: link the PRG image at address 4")
    for place, rtype, sym, target in elf.relocations():
        absolute = sym.shndx == SHN_ABS or (sym.shndx == SHN_UNDEF and sym.name != "")
        if rtype in (R_ARM_ABS32, R_ARM_TARGET1) and not absolute:
            if not target.name.startswith(".nl_relocdatab"):
                raise PackError(
                    f"{elf.path}: R_ARM_ABS32 at 0x{place:x} in {target.name}: a PRG is not "
                    f"relocated (put pointer tables in .nl_relocdatab and relocate them with "
                    f"nl_relocdatab)")
        elif (rtype in UNEXPRESSIBLE or rtype in GOT_RELOCS) and not absolute:
            name = UNEXPRESSIBLE.get(rtype) or GOT_RELOCS[rtype]
            raise PackError(f"{elf.path}: {name} at 0x{place:x}: not position-independent")
    if verbose:
        print(f"PRG: {4 + end} bytes", file=sys.stderr)
    return PRG_SIGNATURE + image + bytes(end - len(image))


# ------------------------------------------------------------------ reading
class Zehn:
    """A Zehn file read back: the header fields, relocation and flag words, the extra
    data and the image (inflated when compressed)."""

    def __init__(self, blob):
        if len(blob) < ZEHN_HEADER.size:
            raise PackError("file too short for a Zehn header")
        (sig, version, self.file_size, self.reloc_count, self.flag_count, self.extra_size,
         self.alloc_size, self.entry_offset) = ZEHN_HEADER.unpack_from(blob)
        if sig != ZEHN_SIGNATURE or version != ZEHN_VERSION:
            raise PackError("not a Zehn version 1 file")
        if self.file_size != len(blob) or self.file_size > self.alloc_size:
            raise PackError(f"file_size {self.file_size} (file {len(blob)} bytes, "
                            f"alloc_size {self.alloc_size})")
        pos = ZEHN_HEADER.size
        self.relocs = list(struct.unpack_from(f"<{self.reloc_count}I", blob, pos))
        pos += 4 * self.reloc_count
        self.flags = list(struct.unpack_from(f"<{self.flag_count}I", blob, pos))
        pos += 4 * self.flag_count
        self.extra = blob[pos:pos + self.extra_size]
        pos += self.extra_size
        if pos % 4:
            raise PackError("the image does not start on a word boundary")
        self.head_len = pos
        self.stored = blob[pos:]
        self.compressed = bool(self.relocs) and self.relocs[0] & 0xFF == FILE_COMPRESSED
        if self.compressed:
            if self.relocs[0] >> 8 != COMPRESS_ZLIB:
                raise PackError(f"compression type {self.relocs[0] >> 8}")
            self.image = zlib.decompress(self.stored)
        else:
            self.image = self.stored
        self.mem_size = self.alloc_size - self.head_len
        if len(self.image) > self.mem_size:
            raise PackError("the image is larger than alloc_size allows")
        for r in self.relocs[1:] if self.compressed else self.relocs:
            if r & 0xFF == FILE_COMPRESSED:
                raise PackError("FILE_COMPRESSED is not the first relocation")

    def string(self, offset):
        end = self.extra.index(b"\0", offset)
        return self.extra[offset:end].decode("utf-8", "replace")

    def flag_dict(self):
        out = {}
        for f in self.flags:
            kind, value = f & 0xFF, f >> 8
            out[kind] = self.string(value) if kind in STRING_FLAGS else value
        return out

    def load(self, base):
        """Memory after loading at `base`, as the Ndless loader leaves it."""
        mem = bytearray(self.mem_size)
        mem[:len(self.image)] = self.image
        for r in self.relocs:
            kind, off = r & 0xFF, r >> 8
            if off >= self.mem_size:
                raise PackError(f"relocation 0x{r:08x} beyond the memory")
            if kind == ADD_BASE:
                v = struct.unpack_from("<I", mem, off)[0]
                struct.pack_into("<I", mem, off, (v + base) & 0xFFFFFFFF)
            elif kind == ADD_BASE_GOT:
                while True:
                    v = struct.unpack_from("<I", mem, off)[0]
                    if v == 0xFFFFFFFF:
                        break
                    struct.pack_into("<I", mem, off, (v + base) & 0xFFFFFFFF)
                    off += 4
            elif kind == SET_ZERO:
                struct.pack_into("<I", mem, off, 0)
            elif kind in (FILE_COMPRESSED, UNALIGNED_RELOC):
                if kind == UNALIGNED_RELOC and off:
                    raise PackError("UNALIGNED_RELOC with a non-zero value")
            else:
                raise PackError(f"unknown relocation type {kind}")
        return bytes(mem)


def describe(blob):
    """Lines saying what a .tns file holds."""
    if blob[:4] == PRG_SIGNATURE:
        return [f"PRG: {len(blob)} bytes, entered at offset 4"]
    z = Zehn(blob)
    lines = [f"Zehn: {z.file_size} bytes file, {z.alloc_size} bytes to load, entry 0x{z.entry_offset:x}",
             f"  headers {z.head_len} bytes, image {len(z.image)} bytes"
             + (f" (stored as {len(z.stored)} bytes of zlib)" if z.compressed else "")
             + f", then {z.mem_size - len(z.image)} bytes zeroed"]
    counts = {}
    for r in z.relocs:
        counts[r & 0xFF] = counts.get(r & 0xFF, 0) + 1
    lines.append("  relocations: " + (", ".join(
        f"{n} {RELOC_NAMES[k] if k < len(RELOC_NAMES) else k}" for k, n in sorted(counts.items()))
        or "none"))
    for r in z.relocs:
        kind = r & 0xFF
        if kind in (ADD_BASE_GOT, SET_ZERO):
            lines.append(f"    {RELOC_NAMES[kind]} 0x{r >> 8:x}")
    for f in z.flags:
        kind, value = f & 0xFF, f >> 8
        name = FLAG_NAMES[kind] if kind < len(FLAG_NAMES) else f"flag {kind}"
        shown = repr(z.string(value)) if kind in STRING_FLAGS else value
        lines.append(f"  {name} = {shown}")
    return lines


def check_load(blob, elf, base):
    """Compare `blob` loaded at `base` with `elf`, the same program linked at `base`.
    Returns a list of differences (empty when equal)."""
    if blob[:4] == PRG_SIGNATURE:
        mem = bytearray(blob)
        # The program relocates .nl_relocdatab itself (nl_relocdatab): model that.
        sec = elf.section(".nl_relocdatab")
        if sec is not None and sec.size:
            off = sec.addr - base
            for p in range(off, off + sec.size, 4):
                v = struct.unpack_from("<I", mem, p)[0]
                struct.pack_into("<I", mem, p, (v + base) & 0xFFFFFFFF)
        want, end = elf.image(base + 4)
        want = PRG_SIGNATURE + want + bytes(end - len(want))
        entry_ok = elf.entry == base + 4
    else:
        z = Zehn(blob)
        mem = z.load(base)
        want, end = elf.image(base)
        if end != z.mem_size:
            return [f"memory size {z.mem_size}, the ELF's image {end}"]
        want += bytes(end - len(want))
        entry_ok = elf.entry == base + z.entry_offset
    diffs = [] if entry_ok else [f"entry: ELF 0x{elf.entry:x}"]
    if len(mem) != len(want):
        diffs.append(f"size {len(mem)}, ELF {len(want)}")
    for off in range(0, min(len(mem), len(want)), 4):
        if mem[off:off + 4] != want[off:off + 4]:
            diffs.append(f"0x{base + off:08x}: loaded {mem[off:off + 4].hex()}, "
                         f"linked {want[off:off + 4].hex()}")
    return diffs


# ---------------------------------------------------------------- commands
def boolean(text):
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text}")


def number(text):
    return int(text, 0)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", nargs="?", help="ELF file to pack (or .tns with --info/--check-load)")
    p.add_argument("-o", "--output", help="the .tns file to write")
    p.add_argument("--compress", action="store_true", help="store the image as one zlib stream")
    p.add_argument("--prg", action="store_true", help="write a PRG file instead of Zehn")
    p.add_argument("--name", help="executable name (flag 8)")
    p.add_argument("--author", help="author (flag 9)")
    p.add_argument("--version", type=number, help="executable version, an integer (flag 10)")
    p.add_argument("--notice", help="notice (flag 11)")
    p.add_argument("--ndless-min", type=number, help="minimum Ndless version x 10 (flag 0)")
    p.add_argument("--ndless-max", type=number, help="maximum Ndless version x 10 (flag 1)")
    p.add_argument("--ndless-rev-min", type=number, help="minimum Ndless revision (flag 2)")
    p.add_argument("--ndless-rev-max", type=number, help="maximum Ndless revision (flag 3)")
    p.add_argument("--color-support", type=boolean, help="runs on CX/CM (flag 4)")
    p.add_argument("--clickpad-support", type=boolean, help="runs with a clickpad (flag 5)")
    p.add_argument("--touchpad-support", type=boolean, help="runs with a touchpad (flag 6)")
    p.add_argument("--32mb-support", dest="mb32", type=boolean, help="runs with 32 MB (flag 7)")
    p.add_argument("--240x320-support", dest="hww", type=boolean, help="HW-W LCD (flag 12)")
    p.add_argument("--uses-lcd-blit", type=boolean, help="uses lcd_blit (flag 13)")
    p.add_argument("--info", action="store_true", help="describe the .tns file INPUT")
    p.add_argument("--check-load", action="store_true",
                   help="load INPUT (.tns) at --base and compare with --against")
    p.add_argument("--against", help="ELF of the same objects linked at --base")
    p.add_argument("--base", type=number, default=0x10123450, help="load address for --check-load")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    if not a.input:
        p.error("no input file")
    try:
        with open(a.input, "rb") as f:
            blob = f.read()
        if a.info:
            print("\n".join(describe(blob)))
            return 0
        if a.check_load:
            if not a.against:
                p.error("--check-load needs --against ELF")
            with open(a.against, "rb") as f:
                elf = Elf(f.read(), a.against)
            diffs = check_load(blob, elf, a.base)
            for d in diffs[:20]:
                print(f"{a.input}: {d}", file=sys.stderr)
            if diffs:
                print(f"{a.input}: {len(diffs)} differences from {a.against}", file=sys.stderr)
                return 1
            if a.verbose:
                print(f"{a.input}: loaded at 0x{a.base:x} equals {a.against}")
            return 0
        if not a.output:
            p.error("no output file (-o)")
        elf = Elf(blob, a.input)
        if a.prg:
            if a.compress:
                p.error("--prg and --compress do not go together")
            out = pack_prg(elf, a.verbose)
        else:
            out = pack_zehn(elf, a.compress, a.verbose, name=a.name, author=a.author,
                            version=a.version, notice=a.notice, ndless_min=a.ndless_min,
                            ndless_max=a.ndless_max, ndless_rev_min=a.ndless_rev_min,
                            ndless_rev_max=a.ndless_rev_max, color=a.color_support,
                            clickpad=a.clickpad_support, touchpad=a.touchpad_support,
                            mb32=a.mb32, hww=a.hww, lcd_blit=a.uses_lcd_blit)
            Zehn(out)   # read back what was written: raises if it is inconsistent
    except (PackError, OSError, zlib.error, struct.error) as e:
        print(f"zehn.py: {e}", file=sys.stderr)
        return 1
    with open(a.output, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
