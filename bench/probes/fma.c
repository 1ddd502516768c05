/* F32 FMA peak of this machine in C, to check the in-process probe of `pagoda bench kernels`.
 * Build and run: gcc -O2 -mavx512f -pthread fma.c -o /tmp/fma && /tmp/fma
 * 12 independent 512-bit FMA chains per thread (more than latency x ports), one and two threads. */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define ITERATIONS 200000000L

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float chains(long iterations) {
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f), a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float) i);
    for (long k = 0; k < iterations; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
    }
    __m512 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, a[i]);
    return _mm512_reduce_add_ps(s);
}

static void *worker(void *sink) {
    *(float *) sink = chains(ITERATIONS);
    return NULL;
}

int main(void) {
    double flops = 2.0 * 12 * 16 * ITERATIONS;
    double t = now();
    float s1 = chains(ITERATIONS);
    printf("1 thread:  %.1f GFLOP/s\n", flops / (now() - t) / 1e9);
    pthread_t other;
    float s2, s3;
    t = now();
    pthread_create(&other, NULL, worker, &s2);
    s3 = chains(ITERATIONS);
    pthread_join(other, NULL);
    printf("2 threads: %.1f GFLOP/s   (checksum %g)\n", 2 * flops / (now() - t) / 1e9, s1 + s2 + s3);
    return 0;
}
