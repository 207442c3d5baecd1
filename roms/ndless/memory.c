/* memory - the heap and memory syscalls: malloc (5), free (6), calloc (49),
 * realloc (50); memset (7), memcpy (8), memcmp (9), memmove (55).
 * Blocks must be 8-byte aligned (what the SDK's newlib glue guarantees its
 * programs), keep their contents, not overlap, and calloc's must be zero. */
#include "ndless.h"
#include "check.h"

#define BLOCKS 64

static int aligned(const void *p) { return p && ((uintptr_t)p & 7) == 0; }

static size_t block_size(int i) { return 1 + (i * 37) % 300 + (i % 8 == 0 ? 2000 : 0); }

static int filled(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static unsigned char *blocks[BLOCKS];
static size_t sizes[BLOCKS];

/* All blocks aligned, holding their fill byte, pairwise disjoint. */
static int blocks_ok(void)
{
	for (int i = 0; i < BLOCKS; i++) {
		if (!aligned(blocks[i]) || !filled(blocks[i], sizes[i], 0x40 + i))
			return 0;
		for (int j = 0; j < i; j++)
			if (blocks[i] < blocks[j] + sizes[j] && blocks[j] < blocks[i] + sizes[i])
				return 0;
	}
	return 1;
}

static void heap_checks(void)
{
	unsigned char *p, *q;
	int ok;

	p = malloc(1);
	t_ok(aligned(p), "malloc(1): 8-byte aligned");
	free(p);
	p = malloc(100);
	t_ok(aligned(p), "malloc(100): 8-byte aligned");
	t_ok(memset(p, 0xA5, 100) == p && filled(p, 100, 0xA5), "malloc(100): 100 bytes writable");
	free(p);

	for (int i = 0; i < BLOCKS; i++) {
		sizes[i] = block_size(i);
		blocks[i] = malloc(sizes[i]);
		if (blocks[i])
			memset(blocks[i], 0x40 + i, sizes[i]);
	}
	t_ok(blocks_ok(), "64 blocks: aligned, disjoint, contents kept");
	for (int i = 1; i < BLOCKS; i += 2)
		free(blocks[i]);
	for (int i = 1; i < BLOCKS; i += 2) {
		sizes[i] = block_size(i + 5);
		blocks[i] = malloc(sizes[i]);
		if (blocks[i])
			memset(blocks[i], 0x40 + i, sizes[i]);
	}
	t_ok(blocks_ok(), "half freed and allocated again: still disjoint, contents kept");
	for (int i = 0; i < BLOCKS; i++)
		free(blocks[i]);

	p = malloc(400);
	if (p)
		memset(p, 0xFF, 400);
	free(p);
	q = calloc(100, 4);
	t_ok(aligned(q) && filled(q, 400, 0), "calloc(100, 4): aligned and zeroed");
	free(q);

	p = malloc(16);
	for (int i = 0; p && i < 16; i++)
		p[i] = i;
	q = realloc(p, 4000);
	ok = aligned(q);
	for (int i = 0; ok && i < 16; i++)
		ok = q[i] == i;
	t_ok(ok, "realloc(p, 4000): aligned, first 16 bytes kept");
	if (q)
		memset(q + 16, 0x77, 4000 - 16);
	p = realloc(q, 8);
	ok = aligned(p);
	for (int i = 0; ok && i < 8; i++)
		ok = p[i] == i;
	t_ok(ok, "realloc(p, 8): aligned, first 8 bytes kept");
	free(p);
	p = realloc(NULL, 32);
	t_ok(aligned(p), "realloc(NULL, 32) allocates");
	free(p);
	free(NULL);
	t_ok(1, "free(NULL) returns");

	p = malloc(1 << 20);
	ok = aligned(p);
	if (ok) {
		p[0] = 1;
		p[(1 << 20) - 1] = 2;
		ok = p[0] == 1 && p[(1 << 20) - 1] == 2;
	}
	t_ok(ok, "malloc(1 MiB)");
	free(p);
}

static unsigned char a[64], b[64];

static void pattern(unsigned char *p, int seed)
{
	for (int i = 0; i < 64; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void mem_checks(void)
{
	int ok;

	pattern(a, 1);
	t_ok(memset(a + 3, 0x1AB, 37) == a + 3, "memset returns its destination");
	ok = filled(a + 3, 37, 0xAB) && a[2] == (unsigned char)(1 + 2 * 7) &&
	     a[40] == (unsigned char)(1 + 40 * 7);
	t_ok(ok, "memset: unaligned, value taken as a byte, neighbours untouched");
	pattern(a, 1);
	memset(a + 5, 0, 0);
	t_eq(a[5], (unsigned char)(1 + 5 * 7), "memset of 0 bytes writes nothing");

	pattern(a, 1);
	pattern(b, 100);
	t_ok(memcpy(b + 1, a + 2, 45) == b + 1, "memcpy returns its destination");
	ok = b[0] == 100 && b[46] == (unsigned char)(100 + 46 * 7);
	for (int i = 0; ok && i < 45; i++)
		ok = b[1 + i] == a[2 + i];
	t_ok(ok, "memcpy: unaligned, neighbours untouched");

	pattern(a, 1);
	pattern(b, 1);
	t_eq(memcmp(a, b, 64), 0, "memcmp of equal blocks is 0");
	b[63]++;
	t_ok(memcmp(a, b, 64) < 0, "memcmp: first block lower is negative");
	t_ok(memcmp(b, a, 64) > 0, "memcmp: first block higher is positive");
	t_eq(memcmp(a, b, 63), 0, "memcmp stops after n bytes");
	a[0] = 0x80;
	b[0] = 0x01;
	t_ok(memcmp(a, b, 1) > 0, "memcmp compares unsigned bytes");
	t_eq(memcmp(a, b, 0), 0, "memcmp of 0 bytes is 0");

	pattern(a, 1);
	t_ok(memmove(a + 4, a, 40) == a + 4, "memmove returns its destination");
	ok = 1;
	for (int i = 0; i < 40; i++)
		ok &= a[4 + i] == (unsigned char)(1 + i * 7);
	pattern(b, 1);
	memmove(b, b + 4, 40);
	for (int i = 0; i < 40; i++)
		ok &= b[i] == (unsigned char)(1 + (i + 4) * 7);
	t_ok(ok, "memmove: overlapping, both directions");
}

int main(void)
{
	t_begin("memory");
	heap_checks();
	mem_checks();
	return t_end();
}
