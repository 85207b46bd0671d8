import CKernels
import XCTest

/// `mk_gemm` goes down different paths by shape (tiles of six and four rows, 16-wide columns, a padded
/// panel, rows turned into vectors for the last few columns, single leftover rows). Trained models keep
/// their bits only if every path gives every element the same value: its products added over k from
/// zero, one multiply-add at a time (a multiply, then an add, where the kernels have no FMA), then
/// + beta C. These tests hold each path to that element-by-element reference. On a processor with
/// AVX-512 the product runs 32 columns to a tile (`mk_product_kernel`); the tests run again in a child
/// process held to the 16-wide AVX2 tiles, so both are checked wherever both can run.
final class GemmTests: XCTestCase {
    /// The reference: one element at a time, in the order every path promises.
    func reference(transA: Bool, transB: Bool, M: Int, N: Int, K: Int, A: [Float], lda: Int, B: [Float], ldb: Int,
                   beta: Float, C: [Float], ldc: Int, fused: Bool) -> [Float] {
        var out = C
        for i in 0..<M {
            for j in 0..<N {
                var s: Float = 0
                for k in 0..<K {
                    let a = transA ? A[k * lda + i] : A[i * lda + k]
                    let b = transB ? B[j * ldb + k] : B[k * ldb + j]
                    s = fused ? s.addingProduct(a, b) : s + a * b
                }
                let c = C[i * ldc + j]
                // beta is 0 or 1 here, so beta * c is exact and the finishing has one rounding either way.
                out[i * ldc + j] = beta != 0 ? s + beta * c : s + 0
            }
        }
        return out
    }

    /// Values with zeros of both signs among them: `s + 0` and a skipped finishing differ on −0.
    func values(_ count: Int, _ state: inout UInt64) -> [Float] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            switch state >> 60 {
            case 0: return 0
            case 1: return -0.0
            default: return Float(Int64(bitPattern: state) >> 40) / 3_000_000
            }
        }
    }

    func testEveryShapeGivesEachElementItsProductsInOrderThenBetaC() {
        let fused = String(cString: mk_kernel_name()) == "avx2+fma"
        var state: UInt64 = 2017
        var checked = 0
        // Rows: fewer than a tile, the 6 x 4 + 4 x 2 plan, leftovers; columns: narrow (2, 4, 8), the padded
        // panel (12), whole 16s, 16s plus a few (100 = 96 + 4, the Purchase output layer); for the 32-wide
        // tiles: whole 32s (the attack models' 64, Purchase's 128), a 16 after them (48), a panel after them (44).
        for M in [1, 2, 3, 7, 8, 9, 17, 32, 33, 64, 100] {
            for N in [1, 2, 4, 8, 12, 16, 18, 32, 44, 48, 64, 100, 128] {
                for K in [0, 1, 2, 9, 32, 64] {
                    for transA in [false, true] {
                        for transB in [false, true] {
                            for beta: Float in [0, 1] {
                                let lda = (transA ? M : K) + 3, ldb = (transB ? K : N) + 1, ldc = N + 2
                                let A = values((transA ? K : M) * lda + 1, &state)
                                let B = values((transB ? N : K) * ldb + 1, &state)
                                var C = values(M * ldc, &state)
                                let expected = reference(transA: transA, transB: transB, M: M, N: N, K: K, A: A, lda: lda,
                                                         B: B, ldb: ldb, beta: beta, C: C, ldc: ldc, fused: fused)
                                mk_gemm(transA ? 1 : 0, transB ? 1 : 0, Int32(M), Int32(N), Int32(K), A, Int32(lda),
                                        B, Int32(ldb), beta, &C, Int32(ldc))
                                let differing = zip(C, expected).filter { $0.bitPattern != $1.bitPattern }.count
                                XCTAssertEqual(differing, 0, "M \(M), N \(N), K \(K), transA \(transA), transB \(transB), beta \(beta)")
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(checked, 11 * 13 * 6 * 8)
    }

    /// A transposed A too large for the first-level cache is packed first (a weight gradient: Purchase's
    /// dense first layer, 600 x 128 over a batch of 100); the packed tiles must add in the same order.
    func testAPackedTransposedAGivesTheSameBitsInEveryTileWidth() {
        let fused = String(cString: mk_kernel_name()) == "avx2+fma"
        var state: UInt64 = 31
        for (M, N, K) in [(600, 128, 100), (100, 100, 100), (130, 48, 90)] {
            let lda = M, ldb = N, ldc = N
            XCTAssertGreaterThan(K * lda, 8192, "this shape takes the packed path")
            let A = values(K * lda, &state), B = values(K * ldb, &state)
            var C = values(M * ldc, &state)
            for beta: Float in [0, 1] {
                let expected = reference(transA: true, transB: false, M: M, N: N, K: K, A: A, lda: lda, B: B, ldb: ldb,
                                         beta: beta, C: C, ldc: ldc, fused: fused)
                mk_gemm(1, 0, Int32(M), Int32(N), Int32(K), A, Int32(lda), B, Int32(ldb), beta, &C, Int32(ldc))
                XCTAssertEqual(zip(C, expected).filter { $0.bitPattern != $1.bitPattern }.count, 0, "M \(M), N \(N), K \(K), beta \(beta)")
                C = expected
            }
        }
    }

    /// The product chosen at start-up ran the checks above; where that was the AVX-512 one, the AVX2 one
    /// is checked by running them again in a child process that asks for it.
    func testTheAVX2ProductPassesTheSameChecksWhereAVX512Ran() throws {
        let product = String(cString: mk_product_kernel())
        if ProcessInfo.processInfo.environment["MIL_KERNELS"] != nil {
            if ProcessInfo.processInfo.environment["MIL_KERNELS"] == "avx2" { XCTAssertEqual(product, "avx2", "the child runs the 16-wide tiles") }
            return   // the child (or a run that chose its set)
        }
        guard product == "avx512" else {
            throw XCTSkip("this processor runs the \(product) product only; the AVX-512 tiles cannot be checked here")
        }
        let (status, text) = try KernelSetChild.run("MachineLearningTests.GemmTests", kernels: "avx2")
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Executed 4 tests, with 0 failures"), text)
    }

    func testTheColumnsBesideTheProductAreLeftAlone() {
        // ldc > N: the two columns past N in every row of C belong to someone else.
        var state: UInt64 = 7
        for N in [2, 4, 12, 18] {
            let M = 33, K = 9, ldc = N + 2
            let A = values(M * K, &state), B = values(K * N, &state)
            var C = [Float](repeating: 42, count: M * ldc)
            mk_gemm(0, 0, Int32(M), Int32(N), Int32(K), A, Int32(K), B, Int32(N), 0, &C, Int32(ldc))
            for i in 0..<M { XCTAssertEqual(C[(i * ldc + N)...].prefix(2), [42, 42], "N \(N), row \(i)") }
        }
    }
}
