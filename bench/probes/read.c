/* Streaming read bandwidth of this machine in C, to check the in-process probe of `pagoda bench kernels`.
 * Build and run: gcc -O2 -mavx512f -pthread read.c -o /tmp/read && /tmp/read
 * Best of 6 reads of 1 GiB on one and two threads, in 4 KiB pages and in 2 MiB (transparent huge) pages. */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BYTES (1L << 30)

static char *buffer;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { long from, to; float sum; } range;

static void *sum(void *arg) {
    range *r = arg;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (long o = r->from; o < r->to; o += 256) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(buffer + o));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(buffer + o + 64));
        s2 = _mm512_add_ps(s2, _mm512_load_ps(buffer + o + 128));
        s3 = _mm512_add_ps(s3, _mm512_load_ps(buffer + o + 192));
    }
    r->sum = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    return NULL;
}

static void measure(const char *pages) {
    for (int threads = 1; threads <= 2; threads++) {
        double best = 0;
        for (int run = 0; run < 6; run++) {
            pthread_t ids[2];
            range ranges[2];
            double t = now();
            for (int i = 0; i < threads; i++) {
                ranges[i] = (range) {BYTES / threads * i, BYTES / threads * (i + 1), 0};
                pthread_create(&ids[i], NULL, sum, &ranges[i]);
            }
            for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
            double gbs = BYTES / (now() - t) / 1e9;
            if (gbs > best) best = gbs;
        }
        printf("%s pages, %d thread%s: %.1f GB/s\n", pages, threads, threads == 1 ? " " : "s", best);
    }
}

int main(void) {
    buffer = aligned_alloc(4096, BYTES);
    memset(buffer, 1, BYTES);
    measure("4 KiB");
    free(buffer);
    buffer = aligned_alloc(2L << 20, BYTES);
    madvise(buffer, BYTES, MADV_HUGEPAGE); /* before the first touch, so the pages fault in huge */
    memset(buffer, 1, BYTES);
    measure("2 MiB");
    return 0;
}
