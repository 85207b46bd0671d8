import Foundation
import MachineLearning
import MembershipInference
import XCTest

/// The target can train in its shadows' pool; the shadows must not notice.
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
