/*
 * interwork_thumb.c - the Thumb half of the interworking ROM (built with
 * -mthumb).  GCC calls ARM functions from here with BLX (the linker's
 * --use-blx turns BL into BLX) and through pointers with BLX register.
 */
#include <stdint.h>

uint32_t iw_arm_leaf_pop(void);
uint32_t arm_mutual(uint32_t n, uint32_t acc);

/* Thumb -> ARM (BLX imm); the ARM function returns by LDMFD sp!, {r4, pc}
   to this Thumb code. */
uint32_t thumb_calls_arm_pop(void)
{
    return iw_arm_leaf_pop() + 1;
}

/* Call an ARM or Thumb function through a pointer (BLX register). */
uint32_t thumb_call_ptr(uint32_t (*fn)(uint32_t), uint32_t x)
{
    return fn(x) * 2;
}

uint32_t thumb_square(uint32_t x)
{
    return x * x;
}

/* Mutual recursion with arm_mutual (interwork.c): every call changes state. */
uint32_t thumb_mutual(uint32_t n, uint32_t acc)
{
    if (n == 0)
        return acc;
    return arm_mutual(n - 1, acc * 3 + 1);
}
