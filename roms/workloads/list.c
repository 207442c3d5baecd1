/*
 * list.c - a linked list of records, as CoreMark's list kernel uses one:
 * build it, search it, reverse it, merge sort it by value and back by index.
 *
 * The checks, each iteration: every search finds the record an independent
 * scan of the generator's array of values finds (the first with the value
 * before the reversal, the last after it; a value not in the array is not
 * found); the sort by value leaves the values in order; the sort back by
 * index gives the indices 0..N-1 in order, each with its value from the
 * generator's array (so the sorts lost, duplicated and changed nothing).
 */
#include <stddef.h>
#include <stdint.h>

#include "workloads.h"

#define N 1024
#define SEARCHES 48

struct node {
    struct node *next;
    int16_t value;
    uint16_t index;
};

static struct node pool[N];
static int16_t values[N];

typedef int (*compare_fn)(const struct node *a, const struct node *b);

static int by_value(const struct node *a, const struct node *b)
{
    return a->value - b->value;
}

static int by_index(const struct node *a, const struct node *b)
{
    return (int)a->index - (int)b->index;
}

/* The first record holding `value`, or NULL. */
static struct node *find(struct node *list, int16_t value)
{
    while (list && list->value != value)
        list = list->next;
    return list;
}

static struct node *reverse(struct node *list)
{
    struct node *done = NULL;
    while (list) {
        struct node *next = list->next;
        list->next = done;
        done = list;
        list = next;
    }
    return done;
}

/* A stable merge sort of a list without recursion: runs of 1, 2, 4... are
 * merged pairwise until one run is left. */
static struct node *sort(struct node *list, compare_fn compare)
{
    for (size_t run = 1;; run *= 2) {
        struct node *p = list, *tail = NULL;
        size_t merges = 0;
        list = NULL;
        while (p) {
            merges++;
            struct node *q = p;
            size_t psize = 0, qsize = run;
            while (psize < run && q) {
                psize++;
                q = q->next;
            }
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q || compare(p, q) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return list;
    }
}

/* The generator's answer: the index of the first (or last) value equal to
 * `value`, or -1. */
static int scan(int16_t value, int from_end)
{
    for (int i = 0; i < N; i++) {
        int j = from_end ? N - 1 - i : i;
        if (values[j] == value)
            return j;
    }
    return -1;
}

static uint32_t search(struct node *list, uint32_t *rng, int reversed, uint32_t iter)
{
    uint32_t h = 0;
    for (int s = 0; s < SEARCHES; s++) {
        uint32_t r = rng_next(rng);
        /* One search in four for a value that may well be missing. */
        int16_t value = (r & 3) ? values[(r >> 8) % N] : (int16_t)(r >> 16);
        struct node *found = find(list, value);
        int want = scan(value, reversed);
        check(found ? found->index == want : want < 0, "list",
              "a search found another record than the scan", iter);
        h = mix(h, found ? found->index : 0xFFFFu);
    }
    return h;
}

uint32_t kernel_list(uint32_t iter)
{
    uint32_t rng = 0x6A09E667u ^ (iter * 0x9E3779B9u);
    /* Small values, so that many repeat. */
    for (int i = 0; i < N; i++)
        values[i] = (int16_t)((int32_t)(rng_next(&rng) % 4001) - 2000);
    struct node *list = NULL;
    for (int i = N - 1; i >= 0; i--) {
        pool[i] = (struct node){ list, values[i], (uint16_t)i };
        list = &pool[i];
    }

    uint32_t h = search(list, &rng, 0, iter);
    list = reverse(list);
    check(list->index == N - 1, "list", "the reversed list does not start at the last", iter);
    h = mix(h, search(list, &rng, 1, iter));

    list = sort(list, by_value);
    int ordered = 1;
    size_t count = 0;
    for (struct node *p = list; p; p = p->next, count++) {
        if (p->next && p->value > p->next->value)
            ordered = 0;
        if (count % 97 == 0)
            h = mix(h, (uint32_t)p->value << 16 | p->index);
    }
    check(ordered && count == N, "list", "the sort by value left values out of order", iter);

    list = sort(list, by_index);
    int intact = 1;
    count = 0;
    for (struct node *p = list; p; p = p->next, count++)
        if (p->index != count || p->value != values[count])
            intact = 0;
    check(intact && count == N, "list", "the sort by index did not give the records back",
          iter);
    return h;
}
