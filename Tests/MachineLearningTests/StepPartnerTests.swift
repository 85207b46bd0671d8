import CKernels
import Foundation
@testable import MachineLearning
import XCTest

/// A lone model's training steps run on two threads (`mk_split_step_run`): its hidden units split in two,
/// each thread with its own block of the first layer. The models must come out with the bits one thread
/// gives, since the model cache, the seeds and every figure of the course rely on them.
final class StepPartnerTests: XCTestCase {
    /// `count` records of 600 features, about 9% set: 0/1 (Purchase-like), or real values when `valued`.
    func data(count: Int, classes: Int = 10, valued: Bool = false, seed: UInt64 = 4) -> Dataset {
        let labelled = PurchaseLike(classCount: classes, seed: seed).records(count: count)
        guard valued else { return labelled }
        var draws = SplitMix64(seed: seed)
        let values = labelled.features.values.map { $0 == 0 ? Float(0) : Float(0.25 + 2 * draws.nextUnit()) }
        return Dataset(features: Matrix(rows: count, columns: labelled.featureCount, values: values),
                       labels: labelled.labels, classCount: labelled.classCount)
    }

    func bits(_ buffers: [FloatBuffer]) -> [[UInt32]] { buffers.map { $0.array.map(\.bitPattern) } }

    /// Fails with the first place two lists of numbers differ (not the whole lists, which run to thousands).
    func assertSameBits(_ a: [[UInt32]], _ b: [[UInt32]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.map(\.count), b.map(\.count), "\(what): shapes", file: file, line: line)
        for (layer, (x, y)) in zip(a, b).enumerated() {
            if let i = (0..<min(x.count, y.count)).first(where: { x[$0] != y[$0] }) {
                XCTFail("\(what): layer \(layer) differs first at \(i): \(Float(bitPattern: x[i])) vs \(Float(bitPattern: y[i]))",
                        file: file, line: line)
            }
        }
    }

    /// Three epochs with the partner and three without, for several shapes of the step: weights, biases,
    /// both Adam moments and each epoch's loss and accuracy are the same bits.
    func testTwoThreadsTrainTheBitsOfOne() {
        let cases: [(name: String, config: MLPClassifier, data: Dataset)] = [
            ("Purchase's recipe and 100 classes, the last batch short", MLPClassifier(hiddenLayers: [128], epochs: 3, batchSize: 100, l2: 1e-7, seed: 2),
             data(count: 330, classes: 100)),
            ("26 classes: one 16-wide tile and 10 left over", MLPClassifier(hiddenLayers: [64], epochs: 3, batchSize: 30, l2: 1e-7, seed: 7), data(count: 100, classes: 26)),
            ("tanh, real-valued inputs, L2, odd widths", MLPClassifier(hiddenLayers: [37], epochs: 3, batchSize: 9, l2: 1e-3, seed: 11),
             data(count: 60, classes: 20, valued: true)),
            ("ReLU, real-valued inputs, no L2, odd widths", MLPClassifier(hiddenLayers: [37], activation: .relu, epochs: 3, batchSize: 7, seed: 3), data(count: 50, valued: true)),
            ("one record per batch (one thread has no output rows)", MLPClassifier(hiddenLayers: [32], epochs: 3, batchSize: 1, l2: 1e-3, seed: 5), data(count: 40)),
            ("a wide layer and a decaying rate", MLPClassifier(hiddenLayers: [200], optimizer: .adam(learningRate: 0.01), epochs: 3, batchSize: 64,
                                                               learningRateDecay: 0.01, seed: 6), data(count: 200, seed: 9)),
        ]
        for (name, config, data) in cases {
            let one = MLPTrainer(config: config, data: data), two = MLPTrainer(config: config, data: data)
            one.partnerUse = .never
            two.partnerUse = .always
            for epoch in 1...3 {
                let a = one.epoch(epoch), b = two.epoch(epoch)
                XCTAssertEqual(a.loss.bitPattern, b.loss.bitPattern, "\(name): epoch \(epoch)'s loss")
                XCTAssertEqual(a.trainAccuracy, b.trainAccuracy, "\(name): epoch \(epoch)'s accuracy")
            }
            XCTAssertEqual(one.stepsOnTwoThreads, 0, name)
            XCTAssertEqual(two.stepsOnTwoThreads, two.step, "\(name): every step ran on two threads")
            XCTAssertEqual(one.step, two.step, name)
            assertSameBits(bits(one.weights), bits(two.weights), "\(name): weights")
            assertSameBits(bits(one.biases), bits(two.biases), "\(name): biases")
            assertSameBits(bits(one.m), bits(two.m), "\(name): Adam's first moments")
            assertSameBits(bits(one.v), bits(two.v), "\(name): Adam's second moments")
        }
    }

    /// The last model of a fleet takes the partner once the other worker has found nothing left, and
    /// comes out with the bits of the same model trained alone on one thread.
    func testAFleetsLastModelTakesTheFreeCore() throws {
        try XCTSkipIf(StepPartner.cores != 2, "the fleet's tail frees a core only when there are two")
        let config = MLPClassifier(hiddenLayers: [128], epochs: 3, batchSize: 50, l2: 1e-7, seed: 12)
        let train = data(count: 300, classes: 100)
        let trainer = MLPTrainer(config: config, data: train)
        trainer.partnerUse = .never
        for epoch in 1...3 { _ = trainer.epoch(epoch) }
        let before = StepPartner.stepsShared
        let fleet = try TrainingPool(workers: 2).map(2) { i -> FittedMLP? in
            guard i == 1 else { return nil }
            // Wait until the other worker has found no model left (it would in a fleet of unequal models).
            let deadline = Date().addingTimeInterval(10)
            while TrainingPool.busy > 1, Date() < deadline { usleep(100) }
            return try config.fit(train)
        }
        XCTAssertEqual(StepPartner.stepsShared - before, 3 * 6, "every step of the last model ran on two threads")
        let last = try XCTUnwrap(fleet[1]), reference = trainer.snapshot(history: [])
        assertSameBits(last.layers.map { $0.weights.values.map(\.bitPattern) }, reference.layers.map { $0.weights.values.map(\.bitPattern) }, "weights")
        assertSameBits(last.layers.map { $0.biases.map(\.bitPattern) }, reference.layers.map { $0.biases.map(\.bitPattern) }, "biases")
        XCTAssertEqual(TrainingPool.busy, 0, "the fleet's threads are counted out")
    }

    /// Through `fit` itself, the path every lone model takes: it runs every step on two threads and
    /// gives the model one thread gives.
    func testAFitAloneTakesThePartnerAndGivesTheOneThreadModel() throws {
        try XCTSkipIf(StepPartner.cores < 2, "one core (MIL_CORES=1 or the machine's): no partner to compare with")
        let config = MLPClassifier(hiddenLayers: [128], epochs: 4, batchSize: 50, l2: 1e-7, seed: 8)
        let train = data(count: 400, classes: 100), validation = data(count: 100, classes: 100, seed: 5)
        let before = StepPartner.stepsShared
        let alone = try config.fit(train, validation: validation)
        XCTAssertEqual(StepPartner.stepsShared - before, 4 * 8, "every step of the fit ran on two threads")
        let oneThread = MLPTrainer(config: config, data: train)
        oneThread.partnerUse = .never
        for epoch in 1...4 { _ = oneThread.epoch(epoch) }
        let reference = oneThread.snapshot(history: [])
        assertSameBits(alone.layers.map { $0.weights.values.map(\.bitPattern) }, reference.layers.map { $0.weights.values.map(\.bitPattern) }, "weights")
        assertSameBits(alone.layers.map { $0.biases.map(\.bitPattern) }, reference.layers.map { $0.biases.map(\.bitPattern) }, "biases")
        XCTAssertEqual(alone.history.last?.validationAccuracy, reference.accuracy(on: validation))
    }

    /// The partner is lent only while a core is free of pool threads (a fleet keeps every core busy with
    /// models of its own), and only to a step it can split: one hidden layer of 32 units or more, sparse
    /// inputs, Adam.
    func testThePartnerIsLentOnlyWhenACoreIsFreeAndOnlyToASplittableModel() throws {
        XCTAssertEqual(StepPartner.mayLend, StepPartner.cores >= 2, "no pool thread is busy here")
        // Two models side by side, each asking while the other's thread is still busy.
        let arrived = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let asked = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let insideAPool = try TrainingPool(workers: 2).map(2) { i -> Bool in
            arrived[i].signal()
            _ = arrived[1 - i].wait(timeout: .now() + 10)
            defer { asked[i].signal(); _ = asked[1 - i].wait(timeout: .now() + 10) }
            return StepPartner.mayLend
        }
        XCTAssertEqual(insideAPool, [StepPartner.cores > 2, StepPartner.cores > 2], "no core left on two")
        // A pool on one thread (one worker, or one item) leaves the other core free.
        XCTAssertEqual(try TrainingPool(workers: 1).map(2) { _ in StepPartner.mayLend }, [StepPartner.cores >= 2, StepPartner.cores >= 2])
        XCTAssertEqual(try TrainingPool(workers: 2).map(1) { _ in StepPartner.mayLend }, [StepPartner.cores >= 2])
        XCTAssertEqual(StepPartner.mayLend, StepPartner.cores >= 2, "the count is back to none")
        // One holder at a time.
        XCTAssertEqual(mk_pair_acquire(), 1)
        XCTAssertEqual(mk_pair_acquire(), 0, "held")
        mk_pair_release()
        XCTAssertEqual(mk_pair_acquire(), 1, "free again")
        mk_pair_release()
        let train = data(count: 100)
        func splits(_ config: MLPClassifier, _ data: Dataset) -> Bool { MLPTrainer(config: config, data: data).splitLayout != nil }
        XCTAssertTrue(splits(MLPClassifier(hiddenLayers: [32]), train))
        XCTAssertFalse(splits(MLPClassifier(hiddenLayers: [31]), train), "too narrow to share")
        XCTAssertFalse(splits(MLPClassifier(hiddenLayers: [64, 64]), train), "two hidden layers")
        XCTAssertFalse(splits(MLPClassifier(hiddenLayers: [64], optimizer: .sgd(learningRate: 0.1)), train), "not Adam")
        let dense = Dataset(features: Matrix(rows: 10, columns: 4, values: (0..<40).map { Float($0 % 7) + 1 }),
                            labels: (0..<10).map { $0 % 2 }, classCount: 2)
        XCTAssertFalse(splits(MLPClassifier(hiddenLayers: [64]), dense), "dense inputs")
    }

    /// MIL_CORES counts when it is a whole number from 1; anything else leaves the machine's count.
    func testTheCoresSettingIsReadOnlyWhenItIsACount() {
        XCTAssertEqual(StepPartner.cores(given: "1", processors: 8), 1)
        XCTAssertEqual(StepPartner.cores(given: "3", processors: 2), 3)
        for bad in ["0", "-1", " 2", "2.5", "two", ""] {
            XCTAssertEqual(StepPartner.cores(given: bad, processors: 2), 2, "'\(bad)'")
        }
        XCTAssertEqual(StepPartner.cores(given: nil, processors: 4), 4)
    }

    /// The split is at a multiple of 16 near the middle, and both halves have units.
    func testTheHiddenUnitsSplitNearTheMiddle() {
        for (hidden, split) in [(32, 16), (37, 16), (128, 64), (200, 96), (129, 64), (48, 32)] {
            let layout = SplitLayout(features: 3, hidden: hidden, batch: 2)
            XCTAssertEqual(layout.split, split, "\(hidden) units")
            XCTAssertEqual(layout.widths, [split, hidden - split])
        }
    }
}
