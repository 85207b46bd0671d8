#include "ckernels.h"
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#include <string.h>

#define FN(name) name##_avx2
#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)
#include "kernels_impl.h"
#pragma clang attribute pop
#undef FN

#define FN(name) name##_base
#include "kernels_impl.h"
#undef FN

static int use_avx2 = -1;

static int avx2(void) {
    if (use_avx2 < 0) {
        __builtin_cpu_init();
        use_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
        const char *force = getenv("MIL_KERNELS");
        if (force && strcmp(force, "baseline") == 0) use_avx2 = 0;
    }
    return use_avx2;
}

__attribute__((constructor)) static void choose_kernels(void) { (void)avx2(); }

const char *mk_kernel_name(void) { return avx2() ? "avx2+fma" : "baseline"; }

void mk_gemm(int transA, int transB, int M, int N, int K,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    const float *b = B;
    float *packed = NULL;
    int ldp = ldb;
    if (transB) {
        /* B is stored N x K: lay it out K x N so the micro-kernel reads rows of 16. */
        packed = malloc(sizeof(float) * (size_t)K * (size_t)N);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++) packed[(long)k * N + n] = B[(long)n * ldb + k];
        b = packed;
        ldp = N;
    }
    float *panel = (N % 16) ? malloc(sizeof(float) * 16 * (size_t)(K > 0 ? K : 1)) : NULL;
    if (avx2()) gemm_avx2(transA, M, N, K, A, lda, b, ldp, beta, C, ldc, panel);
    else gemm_base(transA, M, N, K, A, lda, b, ldp, beta, C, ldc, panel);
    free(panel);
    free(packed);
}

void mk_sparse_forward(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                       const float *W, int N, const float *bias, float *Z) {
    if (avx2()) sparse_forward_avx2(rows, offsets, indices, values, W, N, bias, Z);
    else sparse_forward_base(rows, offsets, indices, values, W, N, bias, Z);
}

void mk_sparse_weight_grad(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                           const float *dZ, int N, float *dW) {
    if (avx2()) sparse_weight_grad_avx2(rows, offsets, indices, values, dZ, N, dW);
    else sparse_weight_grad_base(rows, offsets, indices, values, dZ, N, dW);
}

void mk_tanh(float *x, long n) { if (avx2()) tanh_avx2(x, n); else tanh_base(x, n); }

void mk_softmax_rows(float *Z, int rows, int cols) {
    if (avx2()) softmax_rows_avx2(Z, rows, cols); else softmax_rows_base(Z, rows, cols);
}

void mk_adam(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float step, float epsHat) {
    if (avx2()) adam_avx2(w, g, m, v, n, b1, b2, step, epsHat); else adam_base(w, g, m, v, n, b1, b2, step, epsHat);
}

void mk_relu(float *x, long n) { for (long i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0; }

void mk_tanh_backward(float *dH, const float *H, long n) {
    for (long i = 0; i < n; i++) dH[i] *= 1 - H[i] * H[i];
}

/* Both values are loaded before the choice so that the loop is a vector blend, not a branch taken at
   random (half the units are active): the branchy form was a tenth of the attack's training time. */
void mk_relu_backward(float *restrict dH, const float *restrict H, long n) {
    for (long i = 0; i < n; i++) { float d = dH[i]; dH[i] = H[i] > 0 ? d : 0.0f; }
}

void mk_column_sums(const float *M, int rows, int cols, float *out) {
    for (int j = 0; j < cols; j++) out[j] = 0;
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) out[j] += M[(long)r * cols + j];
}

void mk_momentum(float *w, const float *g, float *u, long n, float lr, float mu) {
    for (long i = 0; i < n; i++) { u[i] = mu * u[i] - lr * g[i]; w[i] += u[i]; }
}

void mk_add_scaled(float *g, const float *w, long n, float lambda) {
    for (long i = 0; i < n; i++) g[i] += lambda * w[i];
}

void mk_flush_subnormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ | DAZ */
#endif
}
