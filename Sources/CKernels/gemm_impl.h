/* The matrix product, included by kernels_impl.h (once per instruction set) and on its own by kernels.c
 * for AVX-512 (MK_WIDE), where only the product gains: its tiles are bound by multiply-adds, which a
 * 512-bit unit does sixteen at a time, while the other kernels wait on memory. FN(x) names each copy. */

typedef float FN(v8) __attribute__((vector_size(32), aligned(4)));

static inline FN(v8) FN(load)(const float *p) { FN(v8) v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void FN(store)(float *p, FN(v8) v) { __builtin_memcpy(p, &v, sizeof v); }
static inline FN(v8) FN(splat)(float a) { return (FN(v8)){a, a, a, a, a, a, a, a}; }

/* The h x 16 micro-kernel (h = 6 or 4, a constant where it is inlined): C[i..i+h, j..j+16] =
 * sum_k a(i+r, k) * B[k, j..j+16] (+ beta C), each element's products added in k order from zero, then
 * beta C. a(i, k) = A[i * sai + k * sak], so the same code serves A, its transpose and a packed copy.
 * B is K x N, ldb. Six rows keep twelve sums in flight, more than the multiply-add latency needs; four
 * rows (eight sums) left the units waiting. */
static inline __attribute__((always_inline)) void FN(tile)(int h, int K, const float *A, long sai, long sak,
                                                           const float *B, int ldb, float beta, float *C, int ldc) {
    FN(v8) c0[6], c1[6];
    for (int r = 0; r < h; r++) { c0[r] = FN(splat)(0); c1[r] = c0[r]; }
    for (int k = 0; k < K; k++) {
        const float *b = B + (long)k * ldb;
        FN(v8) b0 = FN(load)(b), b1 = FN(load)(b + 8);
        long o = (long)k * sak;
        for (int r = 0; r < h; r++) {
            FN(v8) x = FN(splat)(A[r * sai + o]);
            c0[r] += x * b0; c1[r] += x * b1;
        }
    }
    if (beta != 0) {
        FN(v8) bb = FN(splat)(beta);
        for (int r = 0; r < h; r++) {
            c0[r] += bb * FN(load)(C + (long)r * ldc);
            c1[r] += bb * FN(load)(C + (long)r * ldc + 8);
        }
    }
    for (int r = 0; r < h; r++) { FN(store)(C + (long)r * ldc, c0[r]); FN(store)(C + (long)r * ldc + 8, c1[r]); }
}

#if MK_WIDE
typedef float FN(v16) __attribute__((vector_size(64), aligned(4)));

static inline FN(v16) FN(load16)(const float *p) { FN(v16) v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void FN(store16)(float *p, FN(v16) v) { __builtin_memcpy(p, &v, sizeof v); }
static inline FN(v16) FN(splat16)(float a) { return (FN(v16)){a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a}; }

/* The h x 32 micro-kernel: two 16-wide tiles side by side, each element's products added in k order
 * from zero and then beta C, exactly as FN(tile) adds them, so a column's bits do not depend on which
 * tile computed it. Six rows keep twelve 512-bit sums in flight, as the 16-wide tile keeps twelve of 256. */
static inline __attribute__((always_inline)) void FN(tile32)(int h, int K, const float *A, long sai, long sak,
                                                             const float *B, int ldb, float beta, float *C, int ldc) {
    FN(v16) c0[6], c1[6];
    for (int r = 0; r < h; r++) { c0[r] = FN(splat16)(0); c1[r] = c0[r]; }
    for (int k = 0; k < K; k++) {
        const float *b = B + (long)k * ldb;
        FN(v16) b0 = FN(load16)(b), b1 = FN(load16)(b + 16);
        long o = (long)k * sak;
        for (int r = 0; r < h; r++) {
            FN(v16) x = FN(splat16)(A[r * sai + o]);
            c0[r] += x * b0; c1[r] += x * b1;
        }
    }
    if (beta != 0) {
        FN(v16) bb = FN(splat16)(beta);
        for (int r = 0; r < h; r++) {
            c0[r] += bb * FN(load16)(C + (long)r * ldc);
            c1[r] += bb * FN(load16)(C + (long)r * ldc + 16);
        }
    }
    for (int r = 0; r < h; r++) { FN(store16)(C + (long)r * ldc, c0[r]); FN(store16)(C + (long)r * ldc + 16, c1[r]); }
}
#endif

/* The finishing of a column the tiles did not reach: the sum over k, then + beta C, as one scalar
 * expression everywhere (edge, panel and narrow paths alike), so the bits do not depend on the path. */
static inline __attribute__((always_inline)) void FN(finish)(float *c, float s, float beta) {
    *c = s + (beta != 0 ? beta * *c : 0);
}

/* Columns j ..< j + 8 nv of row i of the rows the tiles leave (all of them when M < 4, as in the attack
 * models' first-layer gradient, whose M is the input width: one or two): the same multiply-adds in the
 * same order (over k, from zero) as the scalar loop below, nv vectors at a time, so the result is the
 * scalar loop's bit for bit; the finishing (+ beta C) is the scalar loop's own expression, element by element. */
static inline __attribute__((always_inline)) void FN(edge_row)(int nv, int i, int j, int K, const float *A,
                                                               long sai, long sak, const float *B, int ldb,
                                                               float beta, float *C, int ldc) {
    FN(v8) acc[4];
    for (int q = 0; q < nv; q++) acc[q] = FN(splat)(0);
    for (int k = 0; k < K; k++) {
        FN(v8) x = FN(splat)(A[i * sai + k * sak]);
        const float *b = B + (long)k * ldb + j;
        for (int q = 0; q < nv; q++) acc[q] += x * FN(load)(b + 8 * q);
    }
    float s[32];
    for (int q = 0; q < nv; q++) FN(store)(s + 8 * q, acc[q]);
    float *c = C + (long)i * ldc + j;
    for (int t = 0; t < 8 * nv; t++) FN(finish)(c + t, s[t], beta);
}

/* Any leftover block: 32 and 8 columns at a time in vector registers, the last few in plain loops; one
 * summation order (over k) throughout, the tile's. */
static void FN(edge)(int rows, int cols, int K, const float *A, long sai, long sak, const float *B, int ldb,
                     float beta, float *C, int ldc) {
    for (int i = 0; i < rows; i++) {
        int j0 = 0;
        for (; j0 + 32 <= cols; j0 += 32) FN(edge_row)(4, i, j0, K, A, sai, sak, B, ldb, beta, C, ldc);
        for (; j0 + 8 <= cols; j0 += 8) FN(edge_row)(1, i, j0, K, A, sai, sak, B, ldb, beta, C, ldc);
        for (int j = j0; j < cols; j++) {
            float s = 0;
            for (int k = 0; k < K; k++) s += A[i * sai + k * sak] * B[(long)k * ldb + j];
            FN(finish)(C + (long)i * ldc + j, s, beta);
        }
    }
}

/* Columns j0 and j0 + 1 (or j0 alone, w = 1) of rows i ..< i + 8 nv of Aᵀ B: a transposed A holds those
 * rows side by side, so one vector is eight rows of one column and the product needs no padding. */
static inline __attribute__((always_inline)) void FN(narrow_rows)(int nv, int w, int i, int j0, int K,
                                                                  const float *A, int lda, const float *B, int ldb,
                                                                  float beta, float *C, int ldc) {
    FN(v8) acc[4][2];
    for (int q = 0; q < nv; q++) { acc[q][0] = FN(splat)(0); acc[q][1] = acc[q][0]; }
    for (int k = 0; k < K; k++) {
        const float *a = A + (long)k * lda + i, *b = B + (long)k * ldb + j0;
        FN(v8) b0 = FN(splat)(b[0]), b1 = w > 1 ? FN(splat)(b[1]) : b0;
        for (int q = 0; q < nv; q++) {
            FN(v8) x = FN(load)(a + 8 * q);
            acc[q][0] += x * b0;
            if (w > 1) acc[q][1] += x * b1;
        }
    }
    float s[2][32];
    for (int q = 0; q < nv; q++) { FN(store)(s[0] + 8 * q, acc[q][0]); FN(store)(s[1] + 8 * q, acc[q][1]); }
    for (int t = 0; t < 8 * nv; t++)
        for (int j = 0; j < w; j++) FN(finish)(C + (long)(i + t) * ldc + j0 + j, s[j][t], beta);
}

/* At most eight last columns of Aᵀ B (a weight gradient whose layer has few outputs: an attack model's
 * last layer, N = 2): two columns at a time, 32 rows and then 8 in vectors, the last few rows as the
 * edge does them. */
static void FN(narrow_transposed)(int M, int cols, int K, const float *A, int lda, const float *B, int ldb,
                                  float beta, float *C, int ldc) {
    for (int j0 = 0; j0 < cols; j0 += 2) {
        int w = cols - j0 >= 2 ? 2 : 1, i = 0;
        for (; i + 32 <= M; i += 32) {
            if (w == 2) FN(narrow_rows)(4, 2, i, j0, K, A, lda, B, ldb, beta, C, ldc);
            else FN(narrow_rows)(4, 1, i, j0, K, A, lda, B, ldb, beta, C, ldc);
        }
        for (; i + 8 <= M; i += 8) {
            if (w == 2) FN(narrow_rows)(1, 2, i, j0, K, A, lda, B, ldb, beta, C, ldc);
            else FN(narrow_rows)(1, 1, i, j0, K, A, lda, B, ldb, beta, C, ldc);
        }
        if (i < M) FN(edge)(M - i, w, K, A + i, 1, lda, B + j0, ldb, beta, C + (long)i * ldc + j0, ldc);
    }
}

/* Rows i ..< i + 8, columns k ..< k + 8 of A (row-major, lda), written turned around into T (column k
 * of A becomes row k of T, ldt): three rounds of shuffles instead of 64 scalar moves. */
static inline __attribute__((always_inline)) void FN(transpose8)(const float *A, int lda, float *T, int ldt) {
    FN(v8) r[8], t[8], u[8];
    for (int q = 0; q < 8; q++) r[q] = FN(load)(A + (long)q * lda);
    for (int q = 0; q < 8; q += 2) {
        t[q] = __builtin_shufflevector(r[q], r[q + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[q + 1] = __builtin_shufflevector(r[q], r[q + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int q = 0; q < 8; q += 4) {
        u[q] = __builtin_shufflevector(t[q], t[q + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[q + 1] = __builtin_shufflevector(t[q], t[q + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[q + 2] = __builtin_shufflevector(t[q + 1], t[q + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[q + 3] = __builtin_shufflevector(t[q + 1], t[q + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int q = 0; q < 4; q++) {
        FN(store)(T + (long)q * ldt, __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8, 9, 10, 11));
        FN(store)(T + (long)(q + 4) * ldt, __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7, 12, 13, 14, 15));
    }
}

/* At most eight last columns of A B with A as it is (an attack model's output layer, N = 2; the last
 * four of Purchase's hundred): the first rows, in eights, are turned around into T (K x M8) so that the
 * product runs as Aᵀ B does, eight rows to a vector and no padding; the last few rows as the edge does them. */
static void FN(narrow)(int M, int cols, int K, const float *A, int lda, const float *B, int ldb,
                       float beta, float *C, int ldc, float *T) {
    int M8 = M - M % 8, K8 = K - K % 8;
    if (M8 > 0) {
        for (int i = 0; i < M8; i += 8) {
            for (int k = 0; k < K8; k += 8) FN(transpose8)(A + (long)i * lda + k, lda, T + (long)k * M8 + i, M8);
            for (int k = K8; k < K; k++)
                for (int r = 0; r < 8; r++) T[(long)k * M8 + i + r] = A[(long)(i + r) * lda + k];
        }
        FN(narrow_transposed)(M8, cols, K, T, M8, B, ldb, beta, C, ldc);
    }
    if (M8 < M) FN(edge)(M - M8, cols, K, A + (long)M8 * lda, lda, 1, B, ldb, beta, C + (long)M8 * ldc, ldc);
}

/* Rows go in tiles of six, then of four, then one at a time, as gemm_plan says. packedA, when given,
 * holds the tiled rows of a(i, k), each tile's rows k-major ([h k + r] of the block at i K, h its
 * height; mk_gemm fills it for a transposed A). */
static void FN(gemm)(int transA, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc, float *panel, const float *packedA, float *turned) {
    long sai = transA ? 1 : lda, sak = transA ? lda : 1;
    int M6, tiled, N16 = N - N % 16;
    gemm_plan(M, &M6, &tiled);
    /* The tile of rows i ..< i + h: where it reads a(i + r, k) and with which strides. */
#define TILE(i, h, Bp, ldbp, betap, Cp, ldcp) \
    (packedA ? FN(tile)(h, K, packedA + (long)(i) * K, 1, h, Bp, ldbp, betap, Cp, ldcp) \
             : FN(tile)(h, K, A + (i) * sai, sai, sak, Bp, ldbp, betap, Cp, ldcp))
    int j = 0;
#if MK_WIDE
    /* 32 columns at a time while they last (the tiles' rows as below), then a 16-wide block. */
#define TILE32(i, h) \
    (packedA ? FN(tile32)(h, K, packedA + (long)(i) * K, 1, h, B + j, ldb, beta, C + (long)(i) * ldc + j, ldc) \
             : FN(tile32)(h, K, A + (i) * sai, sai, sak, B + j, ldb, beta, C + (long)(i) * ldc + j, ldc))
    for (; j + 32 <= N16; j += 32) {
        for (int i = 0; i < M6; i += 6) TILE32(i, 6);
        for (int i = M6; i < tiled; i += 4) TILE32(i, 4);
        if (tiled < M) FN(edge)(M - tiled, 32, K, A + tiled * sai, sai, sak, B + j, ldb, beta, C + (long)tiled * ldc + j, ldc);
    }
#undef TILE32
#endif
    for (; j < N16; j += 16) {
        for (int i = 0; i < M6; i += 6) TILE(i, 6, B + j, ldb, beta, C + (long)i * ldc + j, ldc);
        for (int i = M6; i < tiled; i += 4) TILE(i, 4, B + j, ldb, beta, C + (long)i * ldc + j, ldc);
        if (tiled < M) FN(edge)(M - tiled, 16, K, A + tiled * sai, sai, sak, B + j, ldb, beta, C + (long)tiled * ldc + j, ldc);
    }
    if (N16 < N) {
        int rest = N - N16;
        if (rest <= 8 && transA) {
            FN(narrow_transposed)(M, rest, K, A, lda, B + N16, ldb, beta, C + N16, ldc);
        } else if (rest <= 8) {
            FN(narrow)(M, rest, K, A, lda, B + N16, ldb, beta, C + N16, ldc, turned);
        } else {
            /* The last columns: copy them into a zero-padded K x 16 panel and run the same tile into a
             * scratch block, keeping the vector code (and the same summation order). */
            for (int k = 0; k < K; k++)
                for (int j = 0; j < 16; j++) panel[k * 16 + j] = j < rest ? B[(long)k * ldb + N16 + j] : 0;
            float block[96];
            for (int i = 0; i < tiled; ) {
                int h = i < M6 ? 6 : 4;
                if (h == 6) TILE(i, 6, panel, 16, 0, block, 16); else TILE(i, 4, panel, 16, 0, block, 16);
                for (int r = 0; r < h; r++)
                    for (int j = 0; j < rest; j++) FN(finish)(C + (long)(i + r) * ldc + N16 + j, block[r * 16 + j], beta);
                i += h;
            }
            if (tiled < M) FN(edge)(M - tiled, rest, K, A + tiled * sai, sai, sak, B + N16, ldb, beta, C + (long)tiled * ldc + N16, ldc);
        }
    }
#undef TILE
}
