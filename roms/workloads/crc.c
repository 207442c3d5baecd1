/*
 * crc.c - CRC-16 two ways, as CoreMark's crcu8/crcu16 and a table.
 *
 *   CRC-16/ARC         poly 0x8005 reflected (0xA001), init 0, no final xor:
 *                      bit by bit, fed bytes, and fed halfwords (low byte first)
 *   CRC-16/IBM-3740    poly 0x1021, init 0xFFFF, not reflected, no final xor
 *   (CCITT-FALSE)      (a table of 256 halfwords)
 *
 * The checks, each iteration: both CRCs of "123456789" are the catalogue's
 * check values (0xBB3D and 0x29B1: the standard test vector of every CRC
 * catalogue); the byte-fed and halfword-fed ARC agree over the buffer; and a
 * buffer followed by its own CRC (low byte first for the reflected CRC, high
 * byte first for the other) has the CRC 0, the property of a CRC with no final
 * xor that receivers check frames with.
 */
#include <stddef.h>
#include <stdint.h>

#include "workloads.h"

#define CRC_BUF 8192
/* Halfwords, seen as bytes (a character type may alias anything; the reverse
 * would break C's aliasing rule). */
static uint16_t halves[CRC_BUF / 2 + 1];
static uint8_t *const buf = (uint8_t *)halves;
static uint16_t table_1021[256];
static int table_made;

static uint16_t arc_byte(uint16_t crc, uint8_t byte)
{
    crc ^= byte;
    for (int k = 0; k < 8; k++)
        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
    return crc;
}

static uint16_t arc_bytes(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    while (n--)
        crc = arc_byte(crc, *p++);
    return crc;
}

static uint16_t arc_halves(const uint16_t *p, size_t halves)
{
    uint16_t crc = 0;
    while (halves--) {
        uint16_t h = *p++;
        crc = arc_byte(crc, (uint8_t)h);
        crc = arc_byte(crc, (uint8_t)(h >> 8));
    }
    return crc;
}

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint16_t c = (uint16_t)(i << 8);
        for (int k = 0; k < 8; k++)
            c = (c & 0x8000) ? (uint16_t)((c << 1) ^ 0x1021u) : (uint16_t)(c << 1);
        table_1021[i] = c;
    }
    table_made = 1;
}

static uint16_t ibm3740(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;
    while (n--)
        crc = (uint16_t)((crc << 8) ^ table_1021[((crc >> 8) ^ *p++) & 0xFF]);
    return crc;
}

uint32_t kernel_crc(uint32_t iter)
{
    static const uint8_t vector[] = "123456789";
    if (!table_made)
        make_table();
    check(arc_bytes(vector, 9) == 0xBB3D, "crc", "CRC-16/ARC of 123456789 is not 0xBB3D", iter);
    check(ibm3740(vector, 9) == 0x29B1, "crc", "CRC-16/IBM-3740 of 123456789 is not 0x29B1",
          iter);

    uint32_t rng = 0x2545F491u ^ (iter * 0x9E3779B9u);
    for (size_t i = 0; i < CRC_BUF; i += 4) {
        uint32_t r = rng_next(&rng);
        buf[i] = (uint8_t)r;
        buf[i + 1] = (uint8_t)(r >> 8);
        buf[i + 2] = (uint8_t)(r >> 16);
        buf[i + 3] = (uint8_t)(r >> 24);
    }
    uint16_t arc = arc_bytes(buf, CRC_BUF);
    uint16_t arc16 = arc_halves(halves, CRC_BUF / 2);
    check(arc == arc16, "crc", "ARC fed bytes and fed halfwords differ", iter);
    uint16_t ibm = ibm3740(buf, CRC_BUF);

    buf[CRC_BUF] = (uint8_t)arc;
    buf[CRC_BUF + 1] = (uint8_t)(arc >> 8);
    check(arc_bytes(buf, CRC_BUF + 2) == 0, "crc", "ARC residue is not 0", iter);
    buf[CRC_BUF] = (uint8_t)(ibm >> 8);
    buf[CRC_BUF + 1] = (uint8_t)ibm;
    check(ibm3740(buf, CRC_BUF + 2) == 0, "crc", "IBM-3740 residue is not 0", iter);
    return (uint32_t)arc << 16 | ibm;
}
