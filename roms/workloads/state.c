/*
 * state.c - a state machine over a byte string, as CoreMark's state kernel:
 * it splits a comma-separated string into tokens and says what number each
 * one is.
 *
 *   INT      [+-]? digit+
 *   FLOAT    [+-]? digit+ '.' digit+
 *   SCI      [+-]? digit+ ('.' digit+)? [eE] [+-]? digit+
 *   INVALID  anything else (the empty token too)
 *
 * The generator writes each token from a template of a known kind, so the
 * check is that the machine gives every token the kind it was made as.  Then
 * every 11th byte is corrupted and the string scanned again, for the checksum
 * only (there is no independent answer for that one).
 */
#include <stddef.h>
#include <stdint.h>

#include "workloads.h"

enum kind { INT, FLOAT, SCI, INVALID, KINDS };

#define TOKENS 1500
static char text[TOKENS * 16];
static uint8_t made[TOKENS], found[TOKENS];

enum state { START, SIGN, WHOLE, DOT, FRACTION, E, E_SIGN, EXPONENT, BAD };

/* Scans `n` bytes; writes each token's kind to `kinds` (up to `max`) and
 * returns the number of tokens. */
static size_t scan(const char *s, size_t n, uint8_t *kinds, size_t max)
{
    enum state state = START;
    size_t tokens = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = i < n ? s[i] : ',';
        if (ch == ',') {
            enum kind kind;
            switch (state) {
            case WHOLE: kind = INT; break;
            case FRACTION: kind = FLOAT; break;
            case EXPONENT: kind = SCI; break;
            default: kind = INVALID; break;
            }
            if (tokens < max)
                kinds[tokens] = (uint8_t)kind;
            tokens++;
            state = START;
            continue;
        }
        int digit = ch >= '0' && ch <= '9';
        int sign = ch == '+' || ch == '-';
        switch (state) {
        case START:
            state = digit ? WHOLE : sign ? SIGN : BAD;
            break;
        case SIGN:
            state = digit ? WHOLE : BAD;
            break;
        case WHOLE:
            state = digit ? WHOLE : ch == '.' ? DOT : (ch == 'e' || ch == 'E') ? E : BAD;
            break;
        case DOT:
            state = digit ? FRACTION : BAD;
            break;
        case FRACTION:
            state = digit ? FRACTION : (ch == 'e' || ch == 'E') ? E : BAD;
            break;
        case E:
            state = digit ? EXPONENT : sign ? E_SIGN : BAD;
            break;
        case E_SIGN:
        case EXPONENT:
            state = digit ? EXPONENT : BAD;
            break;
        case BAD:
            break;
        }
    }
    return tokens;
}

static char *digits(char *p, uint32_t *rng, int at_most)
{
    uint32_t r = rng_next(rng);
    int n = 1 + (int)(r % (uint32_t)at_most);
    for (int i = 0; i < n; i++) {
        *p++ = (char)('0' + (r >> 4) % 10);
        r = r * 1103515245u + 12345u;
    }
    return p;
}

static char *maybe_sign(char *p, uint32_t r)
{
    if ((r & 3) == 1)
        *p++ = '-';
    else if ((r & 3) == 2)
        *p++ = '+';
    return p;
}

/* Writes a token of kind `kind` at p; returns its end. */
static char *token(char *p, enum kind kind, uint32_t *rng)
{
    uint32_t r = rng_next(rng);
    switch (kind) {
    case INT:
        p = digits(maybe_sign(p, r), rng, 5);
        break;
    case FLOAT:
        p = digits(maybe_sign(p, r), rng, 3);
        *p++ = '.';
        p = digits(p, rng, 3);
        break;
    case SCI:
        p = digits(maybe_sign(p, r), rng, 2);
        if (r & 4) {
            *p++ = '.';
            p = digits(p, rng, 2);
        }
        *p++ = (r & 8) ? 'e' : 'E';
        p = digits(maybe_sign(p, r >> 4), rng, 2);
        break;
    default:
        switch ((r >> 8) % 8) {
        case 0: p = digits(digits(p, rng, 2), rng, 2); p[-1] = 'x'; p = digits(p, rng, 2); break;
        case 1: p = digits(p, rng, 3); *p++ = '.'; break;             /* 12.   */
        case 2: *p++ = '-'; break;                                     /* -     */
        case 3: *p++ = '.'; p = digits(p, rng, 2); break;             /* .5    */
        case 4: p = digits(p, rng, 2); *p++ = 'e'; break;             /* 3e    */
        case 5: p = digits(p, rng, 1); *p++ = '.'; p = digits(p, rng, 1);
                *p++ = '.'; p = digits(p, rng, 1); break;             /* 1.2.3 */
        case 6: *p++ = '+'; *p++ = '-'; p = digits(p, rng, 2); break; /* +-3   */
        default: break;                                                /* empty */
        }
        break;
    }
    return p;
}

uint32_t kernel_state(uint32_t iter)
{
    uint32_t rng = 0x3C6EF372u ^ (iter * 0x9E3779B9u);
    char *p = text;
    for (size_t t = 0; t < TOKENS; t++) {
        if (t > 0)
            *p++ = ',';
        made[t] = (uint8_t)(rng_next(&rng) % KINDS);
        p = token(p, (enum kind)made[t], &rng);
    }
    size_t n = (size_t)(p - text);

    size_t tokens = scan(text, n, found, TOKENS);
    size_t wrong = 0;
    uint32_t count[KINDS] = { 0 };
    for (size_t t = 0; t < TOKENS && t < tokens; t++) {
        wrong += found[t] != made[t];
        count[found[t]]++;
    }
    check(tokens == TOKENS && wrong == 0, "state", "a token was given another kind than it was made as", iter);

    static const char noise[] = ",.e-+0x9";
    for (size_t i = iter % 11; i < n; i += 11)
        text[i] = noise[(i >> 2) % 8];
    tokens = scan(text, n, found, TOKENS);
    uint32_t h = mix(mix(count[INT], count[FLOAT]), count[SCI] << 16 | count[INVALID]);
    h = mix(h, (uint32_t)tokens);
    for (size_t t = 0; t < TOKENS && t < tokens; t += 7)
        h = mix(h, found[t]);
    return h;
}
