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
        let small = ShadowTraining(shadowCount: 2, trainingSize: 40, seed: 3)
        let targets = [attacker.subset(Array(0..<50)), attacker.subset(Array(50..<90))]
        @Sendable func target(_ i: Int) throws -> FittedMLP { try MLPClassifier(hiddenLayers: [8], epochs: 2, seed: UInt64(9 + i)).fit(targets[i]) }
        // The smaller fleet is given first: the pool starts with the bigger one, and the results still come in the order given.
        let pooled = try ShadowTraining.train([ShadowTraining.Fleet(small, attackerData: attacker, recipe: recipe) { try target(0) },
                                               ShadowTraining.Fleet(training, attackerData: attacker, recipe: recipe) { try target(1) }],
                                              pool: TrainingPool(workers: 2))
        let alone = [try small.train(attackerData: attacker, recipe: recipe) { try target(0) },
                     try training.train(attackerData: attacker, recipe: recipe) { try target(1) }]
        XCTAssertEqual(pooled.map(\.shadows.count), [2, 3])
        for (p, a) in zip(pooled, alone) {
            XCTAssertEqual(p.first.layers, a.first.layers)
            for (x, y) in zip(p.shadows, a.shadows) {
                XCTAssertEqual(x.inIndices, y.inIndices)
                XCTAssertEqual(x.outIndices, y.outIndices)
                XCTAssertEqual(x.model.probabilities(attacker.features), y.model.probabilities(attacker.features))
            }
        }
    }

    func testInOnePoolTheFirstFleetsErrorIsReportedAndAFleetWithTooFewRecordsStopsEveryFleet() {
        struct Broken: Error, CustomStringConvertible { var description: String }
        let fleets = [ShadowTraining.Fleet(training, attackerData: attacker, recipe: recipe) { () throws -> Int in throw Broken(description: "first fleet") },
                      ShadowTraining.Fleet(ShadowTraining(shadowCount: 2, trainingSize: 100, seed: 3), attackerData: attacker,
                                           recipe: recipe) { () throws -> Int in throw Broken(description: "second fleet") }]
        XCTAssertThrowsError(try ShadowTraining.train(fleets)) { XCTAssertEqual("\($0)", "first fleet") }
        let tooFew = ShadowTraining.Fleet(ShadowTraining(shadowCount: 1, trainingSize: 200, seed: 3), attackerData: attacker,
                                          recipe: recipe) { () -> Int in XCTFail("a model trained"); return 0 }
        let fine = ShadowTraining.Fleet(training, attackerData: attacker, recipe: recipe) { () -> Int in XCTFail("a model trained"); return 0 }
        XCTAssertThrowsError(try ShadowTraining.train([fine, tooFew])) {
            XCTAssertEqual("\($0)", "ShadowTraining: each shadow needs 200 in + 200 out records, but the attacker has 300")
        }
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
