import MachineLearning
import XCTest

final class SoftmaxRegressionTests: XCTestCase {
    func testTheSameSeedGivesBitwiseIdenticalWeights() throws {
        let data = GaussianClusters.make(count: 300, featureCount: 20, classCount: 4, seed: 7)
        let a = try SoftmaxRegression(epochs: 5, seed: 3).fit(data)
        let b = try SoftmaxRegression(epochs: 5, seed: 3).fit(data)
        let c = try SoftmaxRegression(epochs: 5, seed: 4).fit(data)
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertNotEqual(a.weights, c.weights, "a different seed shuffles the batches differently")
    }

    func testScoringEveryEpochChangesTheHistoryButNotOneBitOfTheWeights() throws {
        let data = GaussianClusters.make(count: 400, featureCount: 12, classCount: 3, seed: 4)
        let scored = SoftmaxRegression(learningRate: 0.05, epochs: 7, batchSize: 32, l2: 1e-4, seed: 2)
        var unscored = scored
        unscored.evaluateEachEpoch = false
        let a = try scored.fit(data), b = try unscored.fit(data)
        XCTAssertEqual(a.weights.values.map(\.bitPattern), b.weights.values.map(\.bitPattern))
        XCTAssertEqual(a.biases.map(\.bitPattern), b.biases.map(\.bitPattern))
        XCTAssertEqual(a.history.count, 7)
        XCTAssertEqual(b.history.count, 7)
        XCTAssertNotEqual(a.history.map(\.loss), b.history.map(\.loss),
                          "the scored history is the loss of the epoch's final weights, the other the running loss of its batches")
    }

    /// Lesson 4's Amazon-like targets: sparse 0/1 records (the sparse path), SGD with L2, no history scoring.
    func testSparseRecordsTrainToTheSameWeightsWithoutScoring() throws {
        let data = PurchaseLike(classCount: 10, seed: 3).records(count: 300)
        let a = try SoftmaxRegression(learningRate: 0.1, epochs: 5, batchSize: 100, l2: 1e-4, seed: 6).fit(data)
        let b = try SoftmaxRegression(learningRate: 0.1, epochs: 5, batchSize: 100, l2: 1e-4, seed: 6, evaluateEachEpoch: false).fit(data)
        XCTAssertEqual(a.weights.values.map(\.bitPattern), b.weights.values.map(\.bitPattern))
        XCTAssertEqual(a.biases.map(\.bitPattern), b.biases.map(\.bitPattern))
        XCTAssertNotEqual(a.weights.values.filter { $0 != 0 }.count, 0)
    }

    func testItLearnsWellSeparatedClassesAndGeneralises() throws {
        let data = GaussianClusters.make(count: 1_000, featureCount: 10, classCount: 3, separation: 3, seed: 1)
        let parts = data.split(sizes: [500, 500], seed: 2)
        let model = try SoftmaxRegression(learningRate: 0.1, epochs: 20, seed: 0).fit(parts[0], validation: parts[1])
        XCTAssertGreaterThan(model.accuracy(on: parts[1]), 0.9)
        XCTAssertEqual(model.history.count, 20)
        XCTAssertLessThan(model.history.last!.loss, model.history.first!.loss)
        XCTAssertEqual(model.history.last!.validationAccuracy, model.accuracy(on: parts[1]))
    }

    func testProbabilitiesAreDistributions() throws {
        let data = GaussianClusters.make(count: 50, featureCount: 5, classCount: 3, seed: 9)
        let p = try SoftmaxRegression(epochs: 3).fit(data).probabilities(data.features)
        for r in 0..<p.rows {
            let row = p.row(r)
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    func testBadSettingsAreRejectedWithTheParameterAndValue() {
        let data = GaussianClusters.make(count: 10, featureCount: 2, classCount: 2, seed: 0)
        XCTAssertThrowsError(try SoftmaxRegression(learningRate: -1).fit(data)) {
            XCTAssertEqual(($0 as? TrainingError)?.message, "SoftmaxRegression: learningRate must be > 0, got -1.0")
            XCTAssertEqual(($0 as? TrainingError)?.model, "SoftmaxRegression", "the error names the model the author built")
            XCTAssertEqual(($0 as? TrainingError)?.parameter, "learningRate")
        }
        XCTAssertThrowsError(try SoftmaxRegression(epochs: 0).fit(data)) {
            XCTAssertEqual(($0 as? TrainingError)?.message, "SoftmaxRegression: epochs must be >= 1, got 0")
        }
    }

    func testADivergingLossNamesTheEpoch() {
        var data = GaussianClusters.make(count: 20, featureCount: 2, classCount: 2, seed: 0)
        data.features.values[0] = .infinity
        XCTAssertThrowsError(try SoftmaxRegression(epochs: 3).fit(data)) {
            XCTAssertTrue(($0 as? TrainingError)?.message.contains("in epoch 1") ?? false, "\($0)")
        }
    }

    func testSplitsAreDisjointAndSeeded() {
        let data = GaussianClusters.make(count: 100, featureCount: 3, classCount: 2, seed: 5)
        let a = data.split(sizes: [40, 60], seed: 1), b = data.split(sizes: [40, 60], seed: 1)
        XCTAssertEqual(a[0].features, b[0].features)
        let first = Set(a[0].features.values.map(\.bitPattern)), second = Set(a[1].features.values.map(\.bitPattern))
        XCTAssertTrue(first.isDisjoint(with: second))
    }

    func testSplitMixMatchesItsPublishedFirstOutput() {
        // First output of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
    }
}
