import Foundation
import MachineLearning
import MembershipInference
import XCTest

/// An attack trained once on some answers is loaded, not retrained, when the same configuration meets
/// the same answers again; the loaded attack scores every record as the trained one did, bit for bit.
final class AttackCacheTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("attack-cache-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func answers() throws -> AttackData {
        let attacker = PurchaseLike(classCount: 4, seed: 9).records(count: 480)
        let shadows = try ShadowTraining(shadowCount: 2, trainingSize: 120, seed: 3)
            .train(attackerData: attacker, recipe: ShadowTraining.mlpRecipe(MLPClassifier(hiddenLayers: [8], epochs: 4, batchSize: 20, seed: 1)))
        return AttackData(shadows: shadows)
    }

    func modelFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".milmodel") }.sorted()
    }

    func testACachedAttackScoresEveryRecordAsTheTrainedOneDid() throws {
        let data = try answers()
        let cache = ModelCache(directory: folder, salt: "test")
        for classifier in [AttackClassifier.mlp(hiddenLayers: [6], epochs: 5), .logisticRegression(epochs: 5)] {
            let attack = AttackModel(features: .logits, classifier: classifier, seed: 2)
            let trained = try attack.fit(data, cache: cache)
            let loaded = try attack.fit(data, cache: cache)
            let fresh = try attack.fit(data)
            let scores = trained.memberScores(predictions: data.predictions, classes: data.classes)
            XCTAssertEqual(loaded.memberScores(predictions: data.predictions, classes: data.classes), scores, "\(classifier)")
            XCTAssertEqual(fresh.memberScores(predictions: data.predictions, classes: data.classes), scores, "\(classifier)")
        }
        XCTAssertEqual(try modelFiles().count, 2, "one file per classifier: the second fit of each loaded it")
    }

    func testOtherAnswersOrAnotherSeedTrainAnAttackOfTheirOwn() throws {
        let data = try answers()
        let cache = ModelCache(directory: folder, salt: "test")
        let attack = AttackModel(features: .logits, classifier: .logisticRegression(epochs: 3), seed: 2)
        _ = try attack.fit(data, cache: cache)
        _ = try attack.fit(data.applying(.topK(1)), cache: cache)
        var reseeded = attack
        reseeded.seed = 3
        _ = try reseeded.fit(data, cache: cache)
        var relabelled = data
        relabelled.membership[0].toggle()
        _ = try attack.fit(relabelled, cache: cache)
        XCTAssertEqual(try modelFiles().count, 4)
    }

    func testADamagedCachedAttackIsRetrainedAndReplaced() throws {
        let data = try answers()
        let cache = ModelCache(directory: folder, salt: "test")
        let attack = AttackModel(features: .logits, classifier: .logisticRegression(epochs: 3), seed: 2)
        let scores = try attack.fit(data, cache: cache).memberScores(predictions: data.predictions, classes: data.classes)
        let file = folder.appendingPathComponent(try XCTUnwrap(modelFiles().first))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 10] ^= 0xFF
        try bytes.write(to: file)
        let again = try attack.fit(data, cache: cache)
        XCTAssertEqual(again.memberScores(predictions: data.predictions, classes: data.classes), scores)
        XCTAssertNoThrow(try ModelArchive.load(from: file), "the damaged file was replaced by a good one")
    }

    func testAFileHoldingAnotherKindOfModelAsAnAttackIsRefused() throws {
        let stray = PerClassModels(members: [.init(mean: [0], scale: [1], model: .clustering(Matrix(rows: 1, columns: 1, values: [0])))],
                                   fallbackMemberProbability: 0.5)
        let url = folder.appendingPathComponent("stray.milmodel")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ModelArchive.save(.perClass(stray), to: url)
        XCTAssertThrowsError(try ModelArchive.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("not an MLP or a softmax regression"), "\(error)")
        }
    }
}
