#!/usr/bin/env python3
"""Unit tests of tools/zehn.py: python3 tools/test_zehn.py (from anywhere).

- the deflate encoder: streams zlib reads back, all three block types, the
  same bytes every time;
- the committed Ndless test programs (roms/ndless/NAME.elf and NAME.tns): the
  .tns is what zehn.py makes of the .elf today; read back, its header, image and
  flags agree with the ELF; its ADD_BASE and SET_ZERO relocations are those that
  arm-none-eabi-readelf lists (when it is installed); loaded at two addresses by
  the loader model, the memories differ exactly at the relocated words.
`make -C roms ndless-check` also compares each program loaded at 0x10123450 with
its objects linked there by ld.
"""

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zehn  # noqa: E402

NDLESS = os.path.join(HERE, "..", "roms", "ndless")
ZEHN_PROGRAMS = ["relocs", "compressed", "entry", "memory", "strings"]
PRG_PROGRAMS = ["prg"]
READELF = shutil.which("arm-none-eabi-readelf")


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Deflate(unittest.TestCase):
    def roundtrip(self, data):
        out = zehn.zlib_compress(data)
        self.assertEqual(zlib.decompress(out), data)
        self.assertEqual(zehn.zlib_compress(data), out)
        return out

    def test_small_inputs(self):
        for data in (b"", b"a", b"ab", b"aaa", b"abcabcabc", bytes(300), b"\xff" * 70000):
            self.roundtrip(data)

    def test_text_and_random(self):
        rng = random.Random(7)
        text = b"".join(rng.choice([b"zehn ", b"ndless ", b"loader ", b"\n"]) for _ in range(20000))
        self.assertLess(len(self.roundtrip(text)), len(text) // 3)
        noise = bytes(rng.getrandbits(8) for _ in range(40000))
        self.assertLessEqual(len(self.roundtrip(noise)), len(noise) + 64)
        self.roundtrip(text[:30000] + noise[:5000] + text)

    def test_block_types(self):
        rng = random.Random(3)
        kinds = set()
        for data in (bytes(rng.getrandbits(8) for _ in range(3000)),      # stored
                     b"abcdefgh",                                          # fixed
                     b"".join(rng.choice([b"ab", b"cde", b"f"]) for _ in range(5000))):
            w = zehn.BitWriter()
            zehn.encode_block(w, zehn.lz77(data), data, True)
            stream = w.bytes()
            kinds.add((stream[0] >> 1) & 3)
            self.assertEqual(zlib.decompress(stream, -15), data)
        self.assertEqual(kinds, {0, 1, 2})

    def test_huffman_lengths(self):
        freqs = [1 << min(i, 30) for i in range(40)]     # a skewed distribution
        for limit in (7, 15):
            lengths = zehn.huffman_lengths(freqs, limit)
            self.assertLessEqual(max(lengths), limit)
            self.assertEqual(sum(2.0 ** -n for n in lengths if n), 1.0)  # complete
        self.assertEqual(sorted(zehn.huffman_lengths([0, 0, 5], 15)), [0, 1, 1])


class Formats(unittest.TestCase):
    def test_reader_rejects(self):
        header = zehn.ZEHN_HEADER.pack(zehn.ZEHN_SIGNATURE, 1, 48, 2, 0, 0, 56, 0)
        relocs = struct.pack("<2I", zehn.ADD_BASE | 4 << 8, zehn.UNALIGNED_RELOC)
        good = header + relocs + struct.pack("<2I", 5, 7)
        self.assertEqual(zehn.Zehn(good).load(0x1000), struct.pack("<2I", 5, 0x1007) + bytes(8))
        with self.assertRaises(zehn.PackError):     # version 2
            zehn.Zehn(good[:4] + b"\2" + good[5:])
        with self.assertRaises(zehn.PackError):     # file_size is not the file's size
            zehn.Zehn(good + bytes(4))
        with self.assertRaises(zehn.PackError):     # FILE_COMPRESSED not first
            zehn.Zehn(header + struct.pack("<2I", 0, zehn.FILE_COMPRESSED) + bytes(8))
        bad = zehn.ZEHN_HEADER.pack(zehn.ZEHN_SIGNATURE, 1, 40, 1, 0, 0, 44, 0) + \
            struct.pack("<I", 9) + bytes(4)
        with self.assertRaises(zehn.PackError):     # unknown relocation type
            zehn.Zehn(bad).load(0)

    def test_flags(self):
        flags, extra = zehn.zehn_flags({"name": "x", "author": "ab", "version": 3,
                                        "color": True, "clickpad": False})
        self.assertEqual(extra, b"x\0ab\0\0\0\0")
        self.assertEqual(flags, [zehn.EXECUTABLE_NAME, zehn.EXECUTABLE_AUTHOR | 2 << 8,
                                 zehn.EXECUTABLE_VERSION | 3 << 8, zehn.RUNS_ON_COLOR | 1 << 8,
                                 zehn.RUNS_ON_CLICKPAD])


def repack(name, elf, tns):
    """zehn.py's output for `elf` with the options the committed `tns` was made with."""
    if tns[:4] == zehn.PRG_SIGNATURE:
        return zehn.pack_prg(elf)
    z = zehn.Zehn(tns)
    f = z.flag_dict()
    return zehn.pack_zehn(
        elf, z.compressed, name=f.get(zehn.EXECUTABLE_NAME), author=f.get(zehn.EXECUTABLE_AUTHOR),
        version=f.get(zehn.EXECUTABLE_VERSION), notice=f.get(zehn.EXECUTABLE_NOTICE),
        ndless_min=f.get(zehn.NDLESS_VERSION_MIN), color=f.get(zehn.RUNS_ON_COLOR),
        clickpad=f.get(zehn.RUNS_ON_CLICKPAD), touchpad=f.get(zehn.RUNS_ON_TOUCHPAD),
        mb32=f.get(zehn.RUNS_ON_32MB))


def readelf_relocations(path):
    """From arm-none-eabi-readelf: the places of R_ARM_ABS32/R_ARM_TARGET1 against defined,
    non-absolute symbols in allocated sections, and the R_ARM_GOT_BREL places against
    undefined symbols."""
    out = subprocess.run([READELF, "-W", "-S", "-r", "-s", path], check=True,
                         capture_output=True, text=True).stdout
    alloc = set()
    for m in re.finditer(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+"
                         r"[0-9a-f]+\s+(\S*)\s", out, re.M):
        if "A" in m.group(2) and "I" not in m.group(2):
            alloc.add(m.group(1))
    undefined, absolute = set(), set()
    for m in re.finditer(r"^\s*\d+:\s+[0-9a-f]+\s+\d+\s+\S+\s+\S+\s+\S+\s+(\S+)\s+(\S+)$", out, re.M):
        (undefined if m.group(1) == "UND" else absolute if m.group(1) == "ABS" else set()).add(m.group(2))
    abs32, got_undef = set(), set()
    section = None
    for line in out.splitlines():
        m = re.match(r"Relocation section '\.rel(\S+)'", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"([0-9a-f]{8})\s+[0-9a-f]{8}\s+(R_ARM_\S+)\s+[0-9a-f]{8}\s+(\S+)", line)
        if not m or section not in alloc:
            continue
        place, rtype, sym = int(m.group(1), 16), m.group(2), m.group(3)
        if rtype in ("R_ARM_ABS32", "R_ARM_TARGET1") and sym not in undefined | absolute:
            abs32.add(place)
        if rtype == "R_ARM_GOT_BREL" and sym in undefined:
            got_undef.add(place)
    return abs32, got_undef


class Programs(unittest.TestCase):
    def programs(self):
        for name in ZEHN_PROGRAMS + PRG_PROGRAMS:
            elf_path = os.path.join(NDLESS, name + ".elf")
            tns_path = os.path.join(NDLESS, name + ".tns")
            if not (os.path.exists(elf_path) and os.path.exists(tns_path)):
                self.skipTest(f"{elf_path} or {tns_path} missing (make -C roms)")
            yield name, elf_path, zehn.Elf(read(elf_path), elf_path), read(tns_path)

    def test_committed_tns_is_reproduced(self):
        for name, _, elf, tns in self.programs():
            with self.subTest(name):
                self.assertEqual(repack(name, elf, tns), tns)

    def test_read_back(self):
        for name, _, elf, tns in self.programs():
            with self.subTest(name):
                image, end = elf.image(4 if name in PRG_PROGRAMS else 0)
                if name in PRG_PROGRAMS:
                    self.assertEqual(tns, zehn.PRG_SIGNATURE + image + bytes(end - len(image)))
                    self.assertEqual(elf.entry, 4)
                    continue
                z = zehn.Zehn(tns)
                self.assertEqual(z.image, image)
                self.assertEqual(z.mem_size, end)
                self.assertEqual(z.entry_offset, elf.entry)
                self.assertEqual(z.compressed, name == "compressed")
                flags = z.flag_dict()
                self.assertEqual(flags[zehn.EXECUTABLE_NAME], name)
                self.assertEqual(flags[zehn.RUNS_ON_TOUCHPAD], 1)

    @unittest.skipUnless(READELF, "arm-none-eabi-readelf not installed")
    def test_relocations_match_readelf(self):
        for name, path, elf, tns in self.programs():
            if name in PRG_PROGRAMS:
                continue
            with self.subTest(name):
                abs32, got_undef = readelf_relocations(path)
                z = zehn.Zehn(tns)
                kinds = [(r & 0xFF, r >> 8) for r in z.relocs]
                self.assertEqual({o for k, o in kinds if k == zehn.ADD_BASE}, abs32)
                self.assertEqual(zehn.UNALIGNED_RELOC in {k for k, _ in kinds},
                                 any(o % 4 for o in abs32))
                got = elf.section(".got")
                text = elf.section(".text")
                slots = {got.addr + struct.unpack_from("<i", text.data, p - text.addr)[0]
                         for p in got_undef}
                self.assertEqual({o for k, o in kinds if k == zehn.SET_ZERO}, slots)
                if name in ("relocs", "compressed"):
                    self.assertEqual(len(slots), 2)
                    self.assertIn((zehn.ADD_BASE_GOT, got.addr), kinds)
                    self.assertGreaterEqual(sum(1 for o in abs32 if o % 4), 3)
                    self.assertLess(kinds.index((zehn.ADD_BASE_GOT, got.addr)),
                                    min(kinds.index((zehn.SET_ZERO, s)) for s in slots))

    def test_loads_differ_by_the_base(self):
        b1, b2 = 0x10000000, 0x11234560
        for name, _, elf, tns in self.programs():
            if name in PRG_PROGRAMS:
                continue
            with self.subTest(name):
                z = zehn.Zehn(tns)
                m1, m2 = z.load(b1), z.load(b2)
                places = {r >> 8 for r in z.relocs if r & 0xFF == zehn.ADD_BASE}
                got = elf.section(".got")
                if got is not None and got.size > 4:
                    for off in range(got.addr, got.addr + got.size - 4, 4):
                        if struct.unpack_from("<I", got.data, off - got.addr)[0]:
                            places.add(off)
                covered = set()
                for p in places:
                    v1, v2 = (struct.unpack_from("<I", m, p)[0] for m in (m1, m2))
                    self.assertEqual((v2 - v1) & 0xFFFFFFFF, b2 - b1, f"{name} 0x{p:x}")
                    covered.update(range(p, p + 4))
                for i in range(len(m1)):
                    if i not in covered:
                        self.assertEqual(m1[i], m2[i], f"{name}: byte 0x{i:x}")
                self.assertEqual(m1[len(z.image):], bytes(len(m1) - len(z.image)))


if __name__ == "__main__":
    unittest.main()
