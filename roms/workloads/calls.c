/*
 * calls.c - calls, returns and indirect branches: a small bytecode
 * interpreter, dispatching on each instruction's opcode byte through a switch
 * (a jump table), calling its arithmetic through a table of function
 * pointers, reading operands as bytes and signed halfwords, and calling
 * itself for every call the bytecode makes.
 *
 * Two bytecode functions run each iteration: fib(k) by its doubly recursive
 * definition, and the sum of the squares of 1..n by a loop.  The checks: fib
 * agrees with an iterative computation in C (and fib(16) is 987), the sum
 * with the closed form n (n + 1) (2n + 1) / 6.
 */
#include <stdint.h>

#include "workloads.h"

/* An instruction is a halfword: the opcode in the low byte, a small operand
 * in the high byte; PUSH, JZ, JMP and CALL have a 16-bit operand after it. */
enum opcode { PUSH, ARG, SETARG, ALU, JZ, JMP, CALL, RET };
enum alu { ADD, SUB, MUL, LESS };

static uint32_t add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t sub(uint32_t a, uint32_t b) { return a - b; }
static uint32_t mul(uint32_t a, uint32_t b) { return a * b; }
static uint32_t less(uint32_t a, uint32_t b) { return (int32_t)a < (int32_t)b; }
static uint32_t (*const alu[])(uint32_t, uint32_t) = { add, sub, mul, less };

static uint16_t code[64];
static unsigned size, fib_at, squares_at;
static uint32_t calls_made;

static unsigned emit(enum opcode op, unsigned operand)
{
    code[size] = (uint16_t)(op | operand << 8);
    return size++;
}

static unsigned emit_wide(enum opcode op, unsigned operand, int16_t wide)
{
    unsigned at = emit(op, operand);
    code[size++] = (uint16_t)wide;
    return at;
}

/* Points the wide operand of the instruction at `at` to `target`. */
static void patch(unsigned at, unsigned target)
{
    code[at + 1] = (uint16_t)target;
}

static void assemble(void)
{
    /* fib(k): if (k < 2) return k; return fib(k - 1) + fib(k - 2); */
    fib_at = size;
    emit(ARG, 0);
    emit_wide(PUSH, 0, 2);
    emit(ALU, LESS);
    unsigned big = emit_wide(JZ, 0, 0);
    emit(ARG, 0);
    emit(RET, 0);
    patch(big, size);
    emit(ARG, 0);
    emit_wide(PUSH, 0, 1);
    emit(ALU, SUB);
    emit_wide(CALL, 1, (int16_t)fib_at);
    emit(ARG, 0);
    emit_wide(PUSH, 0, 2);
    emit(ALU, SUB);
    emit_wide(CALL, 1, (int16_t)fib_at);
    emit(ALU, ADD);
    emit(RET, 0);

    /* squares(n, sum): while (n != 0) { sum += n * n; n -= 1; } return sum; */
    squares_at = size;
    unsigned loop = size;
    emit(ARG, 0);
    unsigned done = emit_wide(JZ, 0, 0);
    emit(ARG, 1);
    emit(ARG, 0);
    emit(ARG, 0);
    emit(ALU, MUL);
    emit(ALU, ADD);
    emit(SETARG, 1);
    emit(ARG, 0);
    emit_wide(PUSH, 0, 1);
    emit(ALU, SUB);
    emit(SETARG, 0);
    emit_wide(JMP, 0, (int16_t)loop);
    patch(done, size);
    emit(ARG, 1);
    emit(RET, 0);
}

/* Runs the bytecode function at `pc` with its arguments; returns its result. */
static uint32_t run(unsigned pc, uint32_t *args)
{
    uint32_t stack[8];
    unsigned sp = 0;
    calls_made++;
    for (;;) {
        const uint8_t *insn = (const uint8_t *)&code[pc];
        uint8_t operand = insn[1];
        switch ((enum opcode)insn[0]) {
        case PUSH:
            stack[sp++] = (uint32_t)(int32_t)(int16_t)code[pc + 1];
            pc += 2;
            break;
        case ARG:
            stack[sp++] = args[operand];
            pc++;
            break;
        case SETARG:
            args[operand] = stack[--sp];
            pc++;
            break;
        case ALU:
            sp--;
            stack[sp - 1] = alu[operand](stack[sp - 1], stack[sp]);
            pc++;
            break;
        case JZ:
            pc = stack[--sp] == 0 ? code[pc + 1] : pc + 2;
            break;
        case JMP:
            pc = code[pc + 1];
            break;
        case CALL: {
            uint32_t callee[4];
            for (unsigned i = operand; i > 0; i--)
                callee[i - 1] = stack[--sp];
            stack[sp] = run(code[pc + 1], callee);
            sp++;
            pc += 2;
            break;
        }
        default: /* RET */
            return stack[sp - 1];
        }
    }
}

uint32_t kernel_calls(uint32_t iter)
{
    if (size == 0)
        assemble();
    calls_made = 0;

    uint32_t k = 14 + iter % 4;
    uint32_t args[4] = { k };
    uint32_t fib = run(fib_at, args);
    uint32_t a = 0, b = 1;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t next = a + b;
        a = b;
        b = next;
    }
    check(fib == a, "calls", "fib differs from its iterative value", iter);
    args[0] = 16;
    check(run(fib_at, args) == 987, "calls", "fib(16) is not 987", iter);

    uint32_t n = 300 + iter % 64;
    uint32_t squares_args[4] = { n, 0 };
    uint32_t squares = run(squares_at, squares_args);
    uint64_t closed = (uint64_t)n * (n + 1) * (2 * n + 1) / 6;
    check(squares == (uint32_t)closed, "calls", "the sum of squares is not n(n+1)(2n+1)/6", iter);
    return mix(mix(fib, squares), calls_made);
}
