import Foundation
import MachineLearning
import MembershipInference
import XCTest

/// The target can train in its shadows' pool, and several fleets in one pool; the shadows must not notice.
final class ShadowTrainingTests: XCTestCase {
    let attacker = PurchaseLike(classCount: 5, seed: 4).records(count: 300)
    let recipe = ShadowTraining.mlpRecipe(MLPClassifier(hiddenLayers: [8], epochs: 2, batchSize: 20, seed: 1))
    let training = ShadowTraining(shadowCount: 3, trainingSize: 60, seed: 7)

    func testShadowsTrainedBesideTheTargetAreTheShadowsTrainedAlone() throws {
        let alone = try training.train(attackerData: attacker, recipe: recipe)
        let target = attacker.subset(Array(0..<50))
        let beside = try training.train(attackerData: attacker, recipe: recipe) { try MLPClassifier(hiddenLayers: [8], epochs: 2, seed: 9).fit(target) }
        XCTAssertEqual(beside.shadows.count, 3)
        for (a, b) in zip(alone, beside.shadows) {
            XCTAssertEqual(a.inIndices, b.inIndices)
            XCTAssertEqual(a.outIndices, b.outIndices)
            XCTAssertEqual(a.model.probabilities(attacker.features), b.model.probabilities(attacker.features))
        }
        XCTAssertEqual(beside.first.layers, try MLPClassifier(hiddenLayers: [8], epochs: 2, seed: 9).fit(target).layers)
    }

    func testFleetsTrainedInOnePoolAreTheFleetsTrainedOneByOne() throws {
        // Two fleets with their own attacker's data, recipe, size and seed.
        let otherAttacker = PurchaseLike(classCount: 4, seed: 5).records(count: 200)
        let otherRecipe = ShadowTraining.mlpRecipe(MLPClassifier(hiddenLayers: [6], epochs: 3, batchSize: 10, seed: 2))
        let small = ShadowTraining(shadowCount: 2, trainingSize: 40, seed: 3)
        let targets = [attacker.subset(Array(0..<50)), otherAttacker.subset(Array(0..<40))]
        @Sendable func target(_ i: Int) throws -> FittedMLP { try MLPClassifier(hiddenLayers: [8], epochs: 2, seed: UInt64(9 + i)).fit(targets[i]) }
        // The smaller fleet is given first: the pool starts with the bigger one, and the results still come in the order given.
        let pooled = try ShadowTraining.train([ShadowTraining.Fleet(small, attackerData: otherAttacker, recipe: otherRecipe) { try target(1) },
                                               ShadowTraining.Fleet(training, attackerData: attacker, recipe: recipe) { try target(0) }],
                                              pool: TrainingPool(workers: 2))
        // Each fleet's shadows as the shadows-only pool trains them, and its target fitted directly.
        let alone = [(try target(1), try small.train(attackerData: otherAttacker, recipe: otherRecipe), otherAttacker),
                     (try target(0), try training.train(attackerData: attacker, recipe: recipe), attacker)]
        XCTAssertEqual(pooled.map(\.shadows.count), [2, 3])
        for (p, a) in zip(pooled, alone) {
            XCTAssertEqual(p.first.layers, a.0.layers)
            for (x, y) in zip(p.shadows, a.1) {
                XCTAssertEqual(x.inIndices, y.inIndices)
                XCTAssertEqual(x.outIndices, y.outIndices)
                XCTAssertEqual(x.model.probabilities(a.2.features), y.model.probabilities(a.2.features))
            }
        }
    }

    func testInOnePoolEachFleetFailsAsItWouldAloneAndTheFirstFailureInOrderIsReported() {
        struct Broken: Error, CustomStringConvertible { var description: String }
        let fleets = [ShadowTraining.Fleet(training, attackerData: attacker, recipe: recipe) { () throws -> Int in 1 },
                      ShadowTraining.Fleet(ShadowTraining(shadowCount: 2, trainingSize: 100, seed: 3), attackerData: attacker,
                                           recipe: recipe) { () throws -> Int in throw Broken(description: "the second fleet's target") },
                      ShadowTraining.Fleet(ShadowTraining(shadowCount: 1, trainingSize: 200, seed: 3), attackerData: attacker,
                                           recipe: recipe) { () throws -> Int in XCTFail("a fleet with too few records trained"); return 0 }]
        let each = ShadowTraining.trainEach(fleets)
        XCTAssertEqual((try? each[0].get())?.shadows.count, 3, "a fleet beside failing ones trains")
        XCTAssertThrowsError(try each[1].get()) { XCTAssertEqual("\($0)", "the second fleet's target") }
        XCTAssertThrowsError(try each[2].get()) {
            XCTAssertEqual("\($0)", "ShadowTraining: each shadow needs 200 in + 200 out records, but the attacker has 300")
        }
        XCTAssertThrowsError(try ShadowTraining.train(fleets)) { XCTAssertEqual("\($0)", "the second fleet's target") }
    }

    func testTheTargetsErrorIsTheOneReported() {
        struct Broken: Error, CustomStringConvertible { var description: String { "the target's recipe failed" } }
        XCTAssertThrowsError(try training.train(attackerData: attacker, recipe: recipe) { () throws -> Int in throw Broken() }) {
            XCTAssertEqual("\($0)", "the target's recipe failed")
        }
    }

    func testTooFewAttackerRecordsStopBeforeAnythingTrains() {
        let tooFew = ShadowTraining(shadowCount: 3, trainingSize: 200, seed: 7)
        XCTAssertThrowsError(try tooFew.train(attackerData: attacker, recipe: recipe) { () -> Int in XCTFail("the target trained"); return 0 }) {
            XCTAssertEqual("\($0)", "ShadowTraining: each shadow needs 200 in + 200 out records, but the attacker has 300")
        }
    }
}
