import CKernels
@testable import MachineLearning
import XCTest

/// The small steps around an attack model's products (copying a batch in, filling the bias, ReLU and its
/// gradient, the bias gradient's column sums) run as vector loops in blocks of eight with a scalar rest.
/// Each is held, bit for bit, to a one-entry-at-a-time Swift loop on widths around those blocks, with
/// zeros of both signs, NaNs and tiny values among the entries, so that no trained model can change.
final class StepKernelTests: XCTestCase {
    let widths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 64, 66, 100]

    /// Values that tell the kernels' answers apart from near misses: signed zeros, NaN, halves and
    /// numbers whose sums round.
    func entries(_ n: Int, _ generator: inout SplitMix64) -> [Float] {
        (0..<n).map { _ in
            switch generator.next() % 8 {
            case 0: return -0.0
            case 1: return 0
            case 2: return Float(generator.nextUnit() * 1e-3)
            case 3: return -Float(generator.nextUnit()) * 3
            default: return Float(generator.nextUnit() * 2 - 1) * 1e4 + 0.1
            }
        }
    }

    func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    func testColumnSumsAddEachColumnDownItsRowsInOrderFromZero() {
        var generator = SplitMix64(seed: 5)
        for cols in widths {
            for rows in [0, 1, 2, 5, 32] {
                var m = entries(rows * cols, &generator)
                if rows > 1, cols > 3 { m[cols + 3] = .nan }
                var expected = [Float](repeating: 0, count: cols)
                for j in 0..<cols {
                    var s: Float = 0
                    for r in 0..<rows { s += m[r * cols + j] }
                    expected[j] = s
                }
                var out = [Float](repeating: 7, count: cols)
                mk_column_sums(m, Int32(rows), Int32(cols), &out)
                XCTAssertEqual(bits(out), bits(expected), "\(rows) x \(cols)")
            }
        }
    }

    func testReLUKeepsPositivesAndItsGradientPassesOnlyWhereTheUnitWasActive() {
        var generator = SplitMix64(seed: 6)
        for n in widths + [2_048] {
            var x = entries(n, &generator)
            if n > 2 { x[1] = .nan; x[2] = -.infinity }
            var relu = x
            mk_relu(&relu, n)
            XCTAssertEqual(bits(relu), bits(x.map { $0 > 0 ? $0 : 0 }), "relu, \(n)")

            let gradient = entries(n, &generator)
            var passed = gradient
            mk_relu_backward(&passed, x, n)
            XCTAssertEqual(bits(passed), bits(zip(gradient, x).map { $1 > 0 ? $0 : 0 }), "relu backward, \(n)")
        }
    }

    func testABatchIsCopiedRowByRowInTheOrderOfItsRecordsAndTheBiasFillsEveryRow() {
        var generator = SplitMix64(seed: 7)
        for cols in widths {
            let rows = 40
            let x = entries(rows * cols, &generator)
            let records = (0..<33).map { _ in Int(generator.next() % UInt64(rows)) }
            var batch = [Float](repeating: 9, count: records.count * cols + 8)
            mk_copy_rows(Int32(records.count), records, x, Int32(cols), &batch)
            let expected = records.flatMap { x[($0 * cols)..<($0 * cols + cols)] } + Array(repeating: 9, count: 8)
            XCTAssertEqual(bits(batch), bits(expected), "copy, \(cols) columns")

            let bias = entries(cols, &generator)
            var z = [Float](repeating: 9, count: 5 * cols + 8)
            mk_fill_rows(&z, 5, Int32(cols), bias)
            XCTAssertEqual(bits(z), bits(Array([[Float]](repeating: bias, count: 5).joined()) + Array(repeating: 9, count: 8)),
                           "fill, \(cols) columns")
        }
    }

    /// The kernel set is chosen once per process, so the checks above ran with this machine's. The portable
    /// set is checked by running them again in a child process that asks for it.
    /// Rows go through the softmax eight, four or one at a time; whichever way, a row's bits must be what
    /// it gets alone (the one-row path adds its entries left to right from zero, then scales by the sum's
    /// reciprocal). Row counts around the blocks, widths around the vectors, entries far apart so that
    /// the sums round.
    func testEachRowOfABatchGetsTheSoftmaxItGetsAlone() {
        var generator = SplitMix64(seed: 8)
        for cols in widths {
            for rows in [1, 3, 4, 7, 8, 9, 12, 13, 16, 17, 32, 100] {
                let z = (0..<(rows * cols)).map { _ in Float(generator.nextUnit() * 40 - 20) }
                var batch = z
                mk_softmax_rows(&batch, Int32(rows), Int32(cols))
                for r in 0..<rows {
                    var alone = Array(z[(r * cols)..<((r + 1) * cols)])
                    mk_softmax_rows(&alone, 1, Int32(cols))
                    XCTAssertEqual(bits(Array(batch[(r * cols)..<((r + 1) * cols)])), bits(alone), "row \(r) of \(rows) x \(cols)")
                    XCTAssertEqual(Double(alone.reduce(0, +)), 1, accuracy: 1e-5, "row \(r) of \(rows) x \(cols) sums to one")
                }
            }
        }
    }

    func testTheBaselineKernelsPassTheSameChecks() throws {
        if let asked = ProcessInfo.processInfo.environment["MIL_KERNELS"] {
            if asked == "baseline" { XCTAssertEqual(String(cString: mk_kernel_name()), "baseline", "the child runs the portable set") }
            return   // the child (or a run that chose its set): nothing to start
        }
        let (status, text) = try KernelSetChild.run("MachineLearningTests.StepKernelTests", kernels: "baseline")
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Executed 5 tests, with 0 failures"), text)
        XCTAssertTrue(text.contains("testColumnSumsAddEachColumnDownItsRowsInOrderFromZero' passed"), text)
        XCTAssertTrue(text.contains("testEachRowOfABatchGetsTheSoftmaxItGetsAlone' passed"), text)
    }
}
