@testable import MachineLearning
import CKernels
import XCTest

final class MLPTests: XCTestCase {
    /// A tiny dense problem: 6 records, 3 features, 3 classes.
    static let tiny = Dataset(
        features: Matrix(rows: 6, columns: 3, values: [0.5, -1.2, 0.3, 1.1, 0.4, -0.7, -0.3, 0.8, 1.5,
                                                        0.9, -0.2, -1.1, -1.4, 0.6, 0.2, 0.1, 1.3, -0.5]),
        labels: [0, 1, 2, 1, 0, 2], classCount: 3)

    /// Mean cross-entropy of the trainer's current parameters on `records`.
    func loss(_ trainer: MLPTrainer, _ records: ArraySlice<Int>) -> Double {
        trainer.computeGradients(records).loss / Double(records.count)
    }

    func checkGradients(data: Dataset, activation: Activation, hidden: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let trainer = MLPTrainer(config: MLPClassifier(hiddenLayers: hidden, activation: activation, batchSize: data.count, seed: 5), data: data)
        let records = Array(0..<data.count)[...]
        _ = trainer.computeGradients(records)
        let analytic = (trainer.gradW + trainer.gradB).map(\.array)
        let h: Float = 1e-2
        for (k, parameter) in (trainer.weights + trainer.biases).enumerated() {
            for i in 0..<parameter.count {
                let saved = parameter.pointer[i]
                parameter.pointer[i] = saved + h
                let up = loss(trainer, records)
                parameter.pointer[i] = saved - h
                let down = loss(trainer, records)
                parameter.pointer[i] = saved
                let numeric = (up - down) / Double(2 * h)
                // Central differences in float32: agreement to ~1e-3 absolute is what the precision allows.
                XCTAssertEqual(Double(analytic[k][i]), numeric, accuracy: 2e-3 + 0.02 * abs(numeric),
                               "parameter block \(k), entry \(i)", file: file, line: line)
            }
        }
    }

    func testTanhGradientsMatchFiniteDifferences() {
        checkGradients(data: Self.tiny, activation: .tanh, hidden: [4, 5])
    }

    func testReLUGradientsMatchFiniteDifferences() {
        checkGradients(data: Self.tiny, activation: .relu, hidden: [5])
    }

    func testSparseFirstLayerGradientsMatchFiniteDifferences() {
        let binary = Dataset(features: Matrix(rows: 5, columns: 8, values: (0..<40).map { $0 % 7 == 0 || $0 % 11 == 1 ? 1 : 0 }),
                             labels: [0, 1, 1, 0, 1], classCount: 2)
        XCTAssertLessThan(SparseRows.density(binary.features), 0.3, "this input takes the sparse path")
        checkGradients(data: binary, activation: .tanh, hidden: [3])
    }

    /// 70 hidden units: the kernels' 64-column register blocks and the 6 columns after them; values other
    /// than 1 take the weighted path; a feature no record holds must get a zero gradient row.
    func testAWideSparseLayerWithWeightedValuesHasTheRightGradientsInEveryColumnBlock() {
        let values: [Float] = (0..<45).map { i in i % 9 == 8 ? 0 : (i % 7 == 0 ? 1.5 : (i % 11 == 1 ? -0.5 : (i % 13 == 3 ? 1 : 0))) }
        let weighted = Dataset(features: Matrix(rows: 5, columns: 9, values: values), labels: [0, 1, 1, 0, 1], classCount: 2)
        XCTAssertLessThan(SparseRows.density(weighted.features), 0.3, "this input takes the sparse path")
        XCTAssertNotNil(SparseRows(weighted.features).values, "and carries its values")
        checkGradients(data: weighted, activation: .tanh, hidden: [70])
        let trainer = MLPTrainer(config: MLPClassifier(hiddenLayers: [70], batchSize: 5, seed: 5), data: weighted)
        trainer.gradW[0].pointer.update(repeating: .nan, count: trainer.gradW[0].count)
        _ = trainer.computeGradients(Array(0..<5)[...])
        XCTAssertEqual(Array(trainer.gradW[0].array[(8 * 70)..<(9 * 70)]), Array(repeating: 0, count: 70),
                       "feature 8 is in no record: its row is written as zeros, not left as it was")
    }

    func testTheSparseFormKeepsEveryNonzeroInOrderAndDropsBothZeros() {
        let m = Matrix(rows: 3, columns: 4, values: [0, 1, -0.0, 1,
                                                     0, 0, 0, 0,
                                                     .nan, 0.5, 0, -2])
        let sparse = SparseRows(m)
        XCTAssertEqual(sparse.start, [0, 2, 2])
        XCTAssertEqual(sparse.count, [2, 0, 3])
        XCTAssertEqual(sparse.indices, [1, 3, 0, 1, 3])
        XCTAssertEqual(sparse.values?.map(\.bitPattern), [Float(1), 1, .nan, 0.5, -2].map(\.bitPattern), "NaN is a nonzero, and not a 1")
        XCTAssertNil(SparseRows(Matrix(rows: 2, columns: 2, values: [1, 0, -0.0, 1])).values, "all ones: binary, no values kept")
        XCTAssertEqual(SparseRows.density(m), 5.0 / 12.0)
        XCTAssertEqual(SparseRows.density(Matrix(rows: 0, columns: 3, values: [])), 0)
    }

    func testAHiddenLayerLearnsXOR() throws {
        let xor = Dataset(features: Matrix(rows: 4, columns: 2, values: [0, 0, 0, 1, 1, 0, 1, 1]), labels: [0, 1, 1, 0], classCount: 2)
        let model = try MLPClassifier(hiddenLayers: [8], activation: .tanh, optimizer: .adam(learningRate: 0.05),
                                      epochs: 300, batchSize: 4, seed: 1).fit(xor)
        XCTAssertEqual(model.predict(xor.features), [0, 1, 1, 0])
    }

    func testSGDWithMomentumSeparatesALinearlySeparableSet() throws {
        let data = GaussianClusters.make(count: 400, featureCount: 5, classCount: 2, separation: 4, seed: 3)
        let parts = data.split(sizes: [200, 200], seed: 1)
        let model = try MLPClassifier(hiddenLayers: [8], optimizer: .sgd(learningRate: 0.1, momentum: 0.9),
                                      epochs: 20, batchSize: 20, seed: 2).fit(parts[0], validation: parts[1])
        XCTAssertGreaterThan(model.accuracy(on: parts[1]), 0.95)
        XCTAssertEqual(model.history.count, 20)
        XCTAssertNotNil(model.history.last!.validationAccuracy)
    }

    func testTheSameSeedGivesIdenticalWeightsWithOneOrTwoWorkers() throws {
        let data = PurchaseLike(classCount: 10, seed: 4).records(count: 300)
        let configs = (0..<4).map { MLPClassifier(hiddenLayers: [16], epochs: 3, batchSize: 50, l2: 1e-4, seed: UInt64($0)) }
        let one = try TrainingPool(workers: 1).fit(configs, on: data)
        let two = try TrainingPool(workers: 2).fit(configs, on: data)
        for (a, b) in zip(one, two) {
            XCTAssertEqual(a.layers, b.layers)
            XCTAssertEqual(a.probabilities(data.features), b.probabilities(data.features))
        }
        XCTAssertNotEqual(one[0].layers, one[1].layers, "different seeds give different models")
    }

    /// Every result of the course comes from these kernels: a faster kernel must add in the same order
    /// and fuse the same multiply-adds, or every number on the site moves in its last digits.
    func testTrainingGivesBitForBitTheWeightsItAlwaysGave() throws {
        let binary = PurchaseLike(classCount: 10, seed: 4).records(count: 300)
        let weighted = Dataset(features: Matrix(rows: binary.count, columns: binary.featureCount,
                                                values: binary.features.values.enumerated().map { $1 * ($0 % 3 == 0 ? 0.5 : 1) }),
                               labels: binary.labels, classCount: binary.classCount)
        var f = Fingerprint()
        for data in [binary, weighted] {
            for (activation, hidden) in [(Activation.tanh, [70, 20]), (.relu, [110, 20])] {   // 64 + 6; 64 + 32 + 8 + 6 columns
                let model = try MLPClassifier(hiddenLayers: hidden, activation: activation, epochs: 3, batchSize: 50,
                                              l2: 1e-4, seed: 9, evaluateEachEpoch: false).fit(data)
                for layer in model.layers {
                    for w in layer.weights.values { f.add(UInt64(w.bitPattern)) }
                    for b in layer.biases { f.add(UInt64(b.bitPattern)) }
                }
                for e in model.history { f.add(e.loss.bitPattern) }
            }
            // No hidden layer: the sparse layer's outputs are the 10 classes, all of them columns after the
            // kernels' blocks of 8; scored after every epoch.
            let held = data.split(sizes: [250, 50], seed: 1)
            let regression = try SoftmaxRegression(epochs: 3, batchSize: 50, l2: 1e-4, seed: 3).fit(held[0], validation: held[1])
            for w in regression.weights.values { f.add(UInt64(w.bitPattern)) }
            for e in regression.history {
                f.add(e.loss.bitPattern); f.add(e.trainAccuracy.bitPattern); f.add(e.validationAccuracy?.bitPattern ?? 0)
            }
        }
        // Recorded with the kernels of 4d29daf, before the sparse layer and softmax were rewritten, with each
        // kernel set (MIL_KERNELS=baseline selects the one for CPUs without AVX2 and FMA).
        let recorded = ["avx2+fma": "1df53c074317c96c", "baseline": "99c6334b15f47a05"]
        XCTAssertEqual(f.hex, recorded[String(cString: mk_kernel_name())], "kernels: \(String(cString: mk_kernel_name()))")
    }

    /// A training step with a sparse first layer and Adam never writes that layer's weight gradient
    /// (`update` sums each row and steps at once); the step that writes it out first, as the gradient
    /// checks use it, must leave the same weights, moments and all, with and without L2, 0/1 and weighted inputs.
    func testTheFirstLayersStepFromTheBatchIsTheStepFromItsWrittenGradient() {
        let binary = PurchaseLike(classCount: 10, seed: 4).records(count: 120)
        let weighted = Dataset(features: Matrix(rows: binary.count, columns: binary.featureCount,
                                                values: binary.features.values.enumerated().map { $1 * ($0 % 3 == 0 ? 0.5 : 1) }),
                               labels: binary.labels, classCount: binary.classCount)
        for data in [binary, weighted] {
            for l2 in [0, 1e-3] {
                let config = MLPClassifier(hiddenLayers: [70], batchSize: 32, l2: l2, seed: 2)
                let fused = MLPTrainer(config: config, data: data), written = MLPTrainer(config: config, data: data)
                XCTAssertTrue(fused.fusesFirstLayer)
                for start in stride(from: 0, to: data.count, by: 32) {
                    let batch = Array(start..<min(start + 32, data.count))[...]
                    _ = fused.computeGradients(batch, forUpdate: true)
                    XCTAssertNotNil(fused.firstLayerPending)
                    fused.update()
                    _ = written.computeGradients(batch)
                    XCTAssertNil(written.firstLayerPending)
                    written.update()
                }
                for (a, b) in zip(fused.weights + fused.biases + fused.m + fused.v, written.weights + written.biases + written.m + written.v) {
                    XCTAssertEqual(zip(a.array, b.array).filter { $0.bitPattern != $1.bitPattern }.count, 0, "l2 \(l2)")
                }
                XCTAssertNotEqual(fused.weights[0].array, MLPTrainer(config: config, data: data).weights[0].array, "the steps moved the weights")
            }
        }
    }

    /// The per-class attack models' shapes: one or two dense inputs (the true class's logit and its rival),
    /// so the first layer's weight gradient has fewer than four rows and goes through the kernels' leftover
    /// path, and 2 outputs, narrower than one panel; a batch that leaves a partial last batch of 5 records.
    func testNarrowDenseNetworksTrainBitForBitAsTheyAlwaysDid() throws {
        var f = Fingerprint()
        for inputs in [1, 2, 3, 100] {
            let data = GaussianClusters.make(count: 197, featureCount: inputs, classCount: 2, separation: 0.7, seed: UInt64(inputs))
            let model = try MLPClassifier(hiddenLayers: [64], activation: .relu, optimizer: .adam(learningRate: 0.001),
                                          epochs: 4, batchSize: 32, seed: 5, evaluateEachEpoch: false).fit(data)
            for layer in model.layers {
                for w in layer.weights.values { f.add(UInt64(w.bitPattern)) }
                for b in layer.biases { f.add(UInt64(b.bitPattern)) }
            }
            for e in model.history { f.add(e.loss.bitPattern) }
        }
        // Recorded with the kernels of a87c4fd, whose leftover rows were summed one element at a time.
        let recorded = ["avx2+fma": "c6375ea12d7486f2", "baseline": "4c23a1f130633512"]
        XCTAssertEqual(f.hex, recorded[String(cString: mk_kernel_name())], "kernels: \(String(cString: mk_kernel_name()))")
    }

    func testBadSettingsNameTheParameter() {
        XCTAssertThrowsError(try MLPClassifier(hiddenLayers: [0]).fit(Self.tiny)) {
            XCTAssertEqual("\($0)", "MLPClassifier: hiddenLayers must all be >= 1, got [0]")
        }
        XCTAssertThrowsError(try MLPClassifier(optimizer: .sgd(learningRate: 0.1, momentum: 1.5)).fit(Self.tiny)) {
            XCTAssertEqual("\($0)", "MLPClassifier: momentum must be in 0..<1, got 1.5")
        }
    }

    func testNaNInputsStopTrainingWithTheEpoch() {
        var data = Self.tiny
        data.features.values[4] = .nan
        XCTAssertThrowsError(try MLPClassifier(hiddenLayers: [4], batchSize: 6).fit(data)) {
            XCTAssertTrue("\($0)".hasPrefix("MLPClassifier: the loss became nan in epoch 1"), "\($0)")
        }
    }
}

final class PurchaseLikeTests: XCTestCase {
    /// Known answers printed by the Python generator (`bench/gen_data.py`), which this one ports.
    func testItReproducesThePythonGeneratorBitForBit() {
        let data = PurchaseLike(seed: 0).records(count: 20_000)
        XCTAssertEqual(Array(data.labels.prefix(10)), [9, 18, 11, 37, 19, 60, 44, 53, 3, 1])
        XCTAssertEqual(Array((0..<600).filter { data.features[0, $0] == 1 }.prefix(12)), [1, 17, 27, 59, 70, 72, 87, 90, 102, 108, 159, 162])
        XCTAssertEqual(Int(data.features.values.reduce(0, +)), 1_113_322)
        XCTAssertEqual(data.labels.reduce(0, +), 981_902)
        XCTAssertEqual(data.labels[19_999], 76)
        let other = PurchaseLike(classCount: 10, seed: 7).records(count: 5, first: 1000)
        XCTAssertEqual(other.labels, [6, 9, 6, 4, 4])
        XCTAssertEqual(Int(other.features.values.reduce(0, +)), 293)
    }
}

extension MLPTests {
    func testSoftmaxRegressionGradientsMatchFiniteDifferences() {
        checkGradients(data: Self.tiny, activation: .tanh, hidden: [])
    }
}
