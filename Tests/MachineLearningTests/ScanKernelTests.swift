import CKernels
@testable import MachineLearning
import XCTest

/// The kernels that scan rather than compute: the loss's "which class is largest" and the search for a
/// matrix's nonzeros. They run in blocks (eight lanes, sixteen columns) with a scalar rest, so each is held
/// to a one-entry-at-a-time Swift reference on widths around those blocks, with ties, zeros of both
/// signs and NaNs among the values.
final class ScanKernelTests: XCTestCase {
    /// What the training loop counts as a hit: the index a left-to-right scan ends on when it takes only
    /// values larger than the best so far: the first largest, skipping NaNs, or 0 when the first value is NaN.
    func firstLargest(_ p: [Float]) -> Int {
        var best = 0, top = p[0]
        for c in 1..<p.count where p[c] > top { top = p[c]; best = c }
        return best
    }

    /// The number of rows whose label is the index `mk_cross_entropy_delta` finds largest.
    func hits(_ rows: [[Float]], labels: [Int]) -> Int {
        let classes = rows[0].count
        let flat = rows.flatMap { $0 }
        let records = Array(0..<rows.count)
        var delta = [Float](repeating: 0, count: flat.count)
        var loss = 0.0, correct = 0
        mk_cross_entropy_delta(flat, Int32(rows.count), Int32(classes), labels, records, 1, &delta, &loss, &correct)
        return correct
    }

    func testTheLossCountsAHitWhereTheFirstLargestProbabilityIsTheLabels() {
        var generator = SplitMix64(seed: 11)
        for classes in [1, 2, 7, 8, 9, 15, 16, 17, 24, 100, 101] {
            for _ in 0..<40 {
                // Few distinct values, so that ties are common; now and then a NaN or a -0.
                var p = (0..<classes).map { _ in Float(generator.next() % 5) / 4 }
                if generator.next() % 4 == 0 { p[Int(generator.next() % UInt64(classes))] = .nan }
                if generator.next() % 4 == 0 { p[Int(generator.next() % UInt64(classes))] = -0.0 }
                let expected = firstLargest(p)
                // One row per candidate label: exactly the row labelled with the expected index is a hit.
                let rows = Array(repeating: p, count: classes)
                XCTAssertEqual(hits(rows, labels: Array(0..<classes)), 1, "\(p)")
                XCTAssertEqual(hits([p], labels: [expected]), 1, "\(p): the first largest is \(expected)")
            }
        }
    }

    func testAHitIsNeverALaterTieNorANaN() {
        XCTAssertEqual(hits([[0.2, 0.4, 0.4, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.4]], labels: [1]), 1, "the first of four ties")
        XCTAssertEqual(hits([[0.2, 0.4, 0.4, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.4]], labels: [9]), 0, "a tie in the last lanes' rest")
        XCTAssertEqual(hits([[.nan, 0.9, 0.1]], labels: [0]), 1, "a NaN first is the scan's answer: nothing is larger than it")
        XCTAssertEqual(hits([[0.1] + Array(repeating: .nan, count: 9) + [0.2]], labels: [10]), 1, "NaNs are skipped")
        XCTAssertEqual(hits([[-0.0, 0.0]], labels: [0]), 1, "0 is not larger than -0")
    }

    func testTheNonzerosAreFoundInEveryColumnAroundTheBlocksOfSixteen() {
        var generator = SplitMix64(seed: 5)
        for columns in [1, 15, 16, 17, 31, 32, 33, 47, 100] {
            for density in [0.0, 0.02, 0.3, 1.0] {
                let rows = 9
                let values: [Float] = (0..<(rows * columns)).map { _ in
                    guard Double(generator.next() % 1000) / 1000 < density else { return generator.next() % 3 == 0 ? -0.0 : 0 }
                    switch generator.next() % 4 {
                    case 0: return .nan
                    case 1: return 0.5
                    default: return 1
                    }
                }
                let m = Matrix(rows: rows, columns: columns, values: values)
                var count: [Int32] = [], indices: [Int32] = [], kept: [UInt32] = []
                for r in 0..<rows {
                    var n: Int32 = 0
                    for c in 0..<columns where values[r * columns + c] != 0 {
                        n += 1
                        indices.append(Int32(c))
                        kept.append(values[r * columns + c].bitPattern)
                    }
                    count.append(n)
                }
                let binary = kept.allSatisfy { $0 == Float(1).bitPattern }
                let sparse = SparseRows(m)
                XCTAssertEqual(sparse.count, count, "\(columns) columns, density \(density)")
                XCTAssertEqual(sparse.indices, indices, "\(columns) columns, density \(density)")
                XCTAssertEqual(sparse.values?.map(\.bitPattern), binary ? nil : kept, "\(columns) columns, density \(density)")
                let found = SparseRows.ifSparse(m)
                XCTAssertEqual(found == nil, Double(indices.count) / Double(rows * columns) >= 0.3, "the 30% rule")
                if let found {
                    XCTAssertEqual(found.indices, sparse.indices)
                    XCTAssertEqual(found.start, sparse.start)
                    XCTAssertEqual(found.values?.map(\.bitPattern), sparse.values?.map(\.bitPattern))
                }
            }
        }
    }

    /// `ifSparse` stops counting once the nonzeros already found make the matrix too dense; it must not
    /// stop on a dense first block of a matrix that is sparse overall.
    func testTheDensityRuleStopsCountingOnlyWhenTheAnswerIsSettled() {
        /// The first `denseRows` rows all ones, then every `period`-th entry.
        func matrix(rows: Int, columns: Int, denseRows: Int, period: Int) -> Matrix {
            Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { $0 < denseRows * columns ? 1 : ($0 % period == 0 ? 1 : 0) })
        }
        let dense = matrix(rows: 600, columns: 20, denseRows: 300, period: 7)   // 300 of 600 rows set: density above 0.5
        let early = SparseRows.Counts(dense, stoppingAt: 3_600)
        XCTAssertFalse(early.complete, "the first blocks hold 3,600 nonzeros: the rest is not read")
        XCTAssertGreaterThanOrEqual(early.total, 3_600)
        XCTAssertNil(SparseRows.ifSparse(dense))

        let sparse = matrix(rows: 1_000, columns: 10, denseRows: 256, period: 20)  // a dense first block: 2,560 + 372 of 10,000
        let counted = SparseRows.Counts(sparse)
        XCTAssertTrue(counted.complete)
        let density = Double(counted.total) / Double(sparse.values.count)
        XCTAssertLessThan(density, 0.3, "the matrix is sparse overall (\(density))")
        let found = SparseRows.ifSparse(sparse)
        XCTAssertNotNil(found, "the dense first block does not decide it")
        XCTAssertTrue(found?.indices == SparseRows(sparse).indices)
        XCTAssertTrue(found?.count == counted.count)

        let justDense = Matrix(rows: 10, columns: 10, values: (0..<100).map { $0 < 30 ? 1 : 0 })
        XCTAssertNil(SparseRows.ifSparse(justDense), "exactly 0.3 is not sparse")
        let justSparse = Matrix(rows: 10, columns: 10, values: (0..<100).map { $0 < 29 ? 1 : 0 })
        XCTAssertNotNil(SparseRows.ifSparse(justSparse))
    }

    /// The copy writes a block of sixteen at once only where sixteen places are left: with the room
    /// exactly the number of nonzeros, nothing past it is touched, even when the last block is full.
    func testTheNonzeroCopyNeverWritesPastItsRoom() {
        var generator = SplitMix64(seed: 8)
        for columns in [16, 17, 32, 48, 50] {
            for rows in [1, 3, 10] {
                // Every row's last sixteen columns set, and a few others.
                let values: [Float] = (0..<(rows * columns)).map { i in
                    i % columns >= columns - 16 || generator.next() % 5 == 0 ? (generator.next() % 2 == 0 ? 1 : 0.5) : 0
                }
                let total = values.filter { $0 != 0 }.count
                let marker: Int32 = -7
                var indices = [Int32](repeating: marker, count: total + 16)
                var kept = [Float](repeating: .infinity, count: total + 16)
                indices.withUnsafeMutableBufferPointer { i in
                    kept.withUnsafeMutableBufferPointer { v in
                        mk_nonzeros(values, rows, columns, i.baseAddress, v.baseAddress, total)
                    }
                }
                XCTAssertEqual(Array(indices[total...]), Array(repeating: marker, count: 16), "\(rows) x \(columns): indices past the room")
                XCTAssertEqual(Array(kept[total...]), Array(repeating: .infinity, count: 16), "\(rows) x \(columns): values past the room")
                let expected = (0..<(rows * columns)).filter { values[$0] != 0 }
                XCTAssertEqual(Array(indices[..<total]), expected.map { Int32($0 % columns) })
                XCTAssertEqual(Array(kept[..<total]), expected.map { values[$0] })
            }
        }
    }

    /// Random matrices of many blocks of rows, their density just under and just over 0.3, some with
    /// their nonzeros bunched in the first rows: the early stop gives the answer the full count gives.
    func testTheDensityRuleAgreesWithAFullCountOnLargeMatrices() {
        var generator = SplitMix64(seed: 21)
        for (rows, columns) in [(700, 12), (1_100, 7)] {
            for target in [0.28, 0.295, 0.305, 0.32] {
                for bunched in [false, true] {
                    let n = rows * columns, ones = Int(target * Double(n))
                    var values = [Float](repeating: 0, count: n)
                    if bunched {
                        for i in 0..<ones { values[i] = 1 }
                    } else {
                        var placed = 0
                        while placed < ones {
                            let i = Int(generator.next() % UInt64(n))
                            if values[i] == 0 { values[i] = 1; placed += 1 }
                        }
                    }
                    let m = Matrix(rows: rows, columns: columns, values: values)
                    let full = Double(SparseRows.Counts(m).total) / Double(n)
                    let found = SparseRows.ifSparse(m)
                    XCTAssertEqual(found != nil, full < 0.3, "\(rows) x \(columns), density \(full), bunched \(bunched)")
                    if let found { XCTAssertTrue(found.indices == SparseRows(m).indices) }
                }
            }
        }
    }
}
