import Foundation
@testable import MachineLearning
import XCTest

/// A model's predictions take their chunks of 256 records on every core a pool can have (Algorithm 1's
/// queries, a target's evaluation; inside a fleet's worker, whatever core is free). However the chunks are
/// shared out, each record's probabilities must be the bits one record alone gets, since every figure of
/// the course comes from them.
final class PredictionCoresTests: XCTestCase {
    /// Purchase-like records (about 9% of features set) or, with `density`, records whose features are set
    /// with that probability (0/1), with Purchase-like labels.
    func data(density: Double?, count: Int) -> Dataset {
        let labelled = PurchaseLike(classCount: 10, seed: 4).records(count: count)
        guard let density else { return labelled }
        var coins = SplitMix64(seed: 3)
        return Dataset(features: Matrix(rows: count, columns: labelled.featureCount,
                                        values: (0..<(count * labelled.featureCount)).map { _ in coins.nextUnit() < density ? 1 : 0 }),
                       labels: labelled.labels, classCount: labelled.classCount)
    }

    func differing(_ a: [Float], _ b: [Float]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
    }

    /// Sparse (Purchase's 9%) and dense (half set) inputs, record counts around the chunks of 256: the
    /// probabilities on two cores, from inside a pool's work, and of single records all agree bit for bit,
    /// and every row is a distribution (no chunk left unwritten).
    func testEveryRecordsProbabilitiesAreItsOwnOnTwoCoresInsideAPoolOrAlone() throws {
        for density in [nil, 0.5] {
            let train = data(density: density, count: 300)
            let model = try MLPClassifier(hiddenLayers: [70], epochs: 2, batchSize: 50, seed: 1, evaluateEachEpoch: false).fit(train)
            let none = model.probabilities(Matrix(rows: 0, columns: train.featureCount))
            XCTAssertEqual(none.rows, 0, "no records, no chunks: an empty answer")
            XCTAssertEqual(none.columns, 10)
            for count in [1, 255, 256, 257, 1_000] {
                let x = data(density: density, count: count).features
                let spread = model.probabilities(x)
                let insideAPool = try TrainingPool(workers: 2).map(2) { _ in model.probabilities(x) }
                let inputs = density.map { "features set with probability \($0)" } ?? "Purchase-like records"
                let label = "\(inputs), \(count) records"
                for inside in insideAPool { XCTAssertEqual(differing(spread.values, inside.values), 0, label) }
                for r in Set([0, count / 2, count - 1, min(count - 1, 256)]) {
                    let alone = model.probabilities(Matrix(rows: 1, columns: x.columns, values: Array(x.values[(r * x.columns)..<((r + 1) * x.columns)])))
                    XCTAssertEqual(differing(Array(spread.values[(r * 10)..<((r + 1) * 10)]), alone.values), 0, "\(label), record \(r)")
                }
                for r in 0..<count {
                    let sum = spread.values[(r * 10)..<((r + 1) * 10)].reduce(0, +)
                    XCTAssertEqual(sum, 1, accuracy: 1e-4, "\(label): record \(r)'s row is not a distribution")
                }
            }
        }
    }
}
