import Foundation
import MachineLearning
import MembershipInference
import XCTest

/// The shadows' answers are computed once and each output policy applied to a copy: the attack's
/// training data is the same as if every shadow had been queried through that policy.
final class AttackDataTests: XCTestCase {
    func testApplyingAPolicyToTheFullAnswersEqualsQueryingTheShadowsThroughIt() throws {
        let population = PurchaseLike(classCount: 5, seed: 4)
        let attacker = population.records(count: 400)
        let shadows = try ShadowTraining(shadowCount: 2, trainingSize: 100, seed: 3)
            .train(attackerData: attacker, recipe: ShadowTraining.mlpRecipe(MLPClassifier(hiddenLayers: [8], epochs: 3, batchSize: 20, seed: 1)))
        let full = AttackData(shadows: shadows)
        for policy in [OutputPolicy.full, .topK(3), .topK(1), .labelOnly, .rounded(decimals: 1), .temperature(5)] {
            let queried = AttackData(shadows: shadows, policy: policy)
            let applied = full.applying(policy)
            XCTAssertEqual(applied.predictions.values, queried.predictions.values, "\(policy)")
            XCTAssertEqual(applied.classes, queried.classes)
            XCTAssertEqual(applied.membership, queried.membership)
        }
        XCTAssertNotEqual(full.applying(.labelOnly).predictions.values, full.predictions.values, "a policy changes the answers")
    }
}
