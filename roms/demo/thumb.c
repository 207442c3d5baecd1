/*
 * thumb.c - the demo's Thumb half.  This file is compiled with -mthumb,
 * so these functions run in Thumb state; demo.c (ARM state) calls them
 * with BLX, and they return with BX / POP {pc}, which interwork on ARMv5.
 */
#include "kit.h"

/*
 * CRC-32 (IEEE 802.3, the zlib/PNG one: reflected polynomial 0xEDB88320,
 * initial value and final XOR 0xFFFFFFFF), one bit at a time.
 */
uint32_t crc32_thumb(const char *s, uint32_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (len--) {
        crc ^= (uint8_t)*s++;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/*
 * Sum fn(1) + fn(2) + ... + fn(n).  fn is an ARM function: the call goes
 * through a register (BLX Rm) with bit 0 of the address clear, so the CPU
 * switches from Thumb to ARM state for it and back on return.
 */
uint32_t thumb_sum_map(uint32_t (*fn)(uint32_t), uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 1; i <= n; i++)
        sum += fn(i);
    return sum;
}

/*
 * The colour of a hue (degrees round the colour wheel: 0 red, 120 green,
 * 240 blue) at full saturation and brightness, as a 5:6:5 pixel.
 */
color_t hue_colour(int degrees)
{
    int h = degrees % 360;
    if (h < 0)
        h += 360;
    int rise = (h % 60) * 255 / 60, fall = 255 - rise;
    switch (h / 60) {
    case 0: return RGB(255, rise, 0);
    case 1: return RGB(fall, 255, 0);
    case 2: return RGB(0, 255, rise);
    case 3: return RGB(0, fall, 255);
    case 4: return RGB(rise, 0, 255);
    default: return RGB(255, 0, fall);
    }
}
