import Foundation
import MachineLearning
import MembershipInference
import XCTest

/// A fake target with a fixed rule: answers depend only on the record (and a query counter).
final class FakeTarget: ProbabilisticClassifier, @unchecked Sendable {
    let classCount: Int
    let rule: (ArraySlice<Float>, Int) -> [Float]
    private var queries = 0
    init(classes: Int, rule: @escaping (ArraySlice<Float>, Int) -> [Float]) {
        classCount = classes
        self.rule = rule
    }
    func probabilities(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, columns: classCount)
        for r in 0..<x.rows {
            queries += 1
            let p = rule(x.row(r), queries)
            for c in 0..<classCount { out[r, c] = p[c] }
        }
        return out
    }
}

final class SynthesisTests: XCTestCase {
    func testAConfidentTargetAcceptsTheFirstRecord() throws {
        let target = BlackBox(FakeTarget(classes: 2) { _, _ in [1, 0] })
        let result = try ModelBasedSynthesis(kMax: 8, kMin: 2, seed: 1).synthesize(counts: [5, 0], featureCount: 20, target: target)
        XCTAssertEqual(result.data.count, 5)
        XCTAssertEqual(result.trace.queries, 5, "rand() < 1 always: one query per record")
        XCTAssertEqual(result.trace.queriesPerRecord, 1)
        XCTAssertEqual(result.trace.acceptances, 5)
        XCTAssertEqual(result.data.labels, [0, 0, 0, 0, 0])
    }

    func testAHopelessClassFailsEveryAttemptAndIsAbandoned() throws {
        // Class 0 never exceeds conf_min: each attempt runs out of iterations.
        let target = BlackBox(FakeTarget(classes: 2) { _, _ in [0.1, 0.9] })
        let synthesis = ModelBasedSynthesis(kMax: 8, kMin: 2, iterationsMax: 30, retries: 2, seed: 1)
        let result = try synthesis.synthesize(counts: [1, 0], featureCount: 20, target: target)
        XCTAssertEqual(result.data.count, 0)
        XCTAssertEqual(result.trace.failedAttempts, 3, "the first attempt and two retries")
        XCTAssertEqual(result.trace.abandoned, 1)
        XCTAssertEqual(result.trace.queries, 90)
        XCTAssertEqual(result.trace.yield, 0)
    }

    func testAnAbandonedRecordHandsItsPlaceInTheBatchToTheNextOne() throws {
        // Ten hopeless records, two chains at a time: every one is still attempted, and the progress
        // reports end with all ten settled.
        let target = BlackBox(FakeTarget(classes: 2) { _, _ in [0.1, 0.9] })
        var synthesis = ModelBasedSynthesis(kMax: 8, kMin: 2, iterationsMax: 5, retries: 0, seed: 1)
        synthesis.parallelChains = 2
        var reports: [Int] = []
        let result = try synthesis.synthesize(counts: [10, 0], featureCount: 20, target: target,
                                              progress: { settled, requested in XCTAssertEqual(requested, 10); reports.append(settled) })
        XCTAssertEqual(result.trace.abandoned, 10)
        XCTAssertEqual(result.trace.queries, 50)
        XCTAssertEqual(reports.last, 10)
        XCTAssertEqual(reports, reports.sorted(), "settled records only ever grow")
    }

    func testRejectionsHalveTheStepDownToKMin() throws {
        // Confidence falls with every query, so every proposal after the first is rejected; with
        // rej_max = 2 the step halves every 3rd rejection: 16 → 8 → 4 → 2 (k_min) and stays.
        let target = BlackBox(FakeTarget(classes: 2) { _, n in [Float(1) / Float(n + 1), 1 - Float(1) / Float(n + 1)] })
        let synthesis = ModelBasedSynthesis(kMax: 16, kMin: 2, rejectionsMax: 2, iterationsMax: 1 + 3 * 5, retries: 0, seed: 3)
        let result = try synthesis.synthesize(counts: [1, 0], featureCount: 40, target: target)
        XCTAssertEqual(result.trace.halvings, 3)
        XCTAssertEqual(result.trace.acceptances, 1)
        XCTAssertEqual(result.trace.abandoned, 1)
    }

    func testHillClimbingFindsRecordsOfARealTarget() throws {
        // Class c is recognised by ones in features 10c..<10c+10: climbing must find them.
        let rule: (ArraySlice<Float>, Int) -> [Float] = { x, _ in
            let scores = (0..<3).map { c in Double((0..<10).filter { x[x.startIndex + 10 * c + $0] == 1 }.count) }
            let e = scores.map { exp($0) }
            return e.map { Float($0 / e.reduce(0, +)) }
        }
        let target = BlackBox(FakeTarget(classes: 3, rule: rule))
        let result = try ModelBasedSynthesis(kMax: 8, kMin: 1, confidenceMin: 0.5, seed: 7)
            .synthesize(counts: [4, 4, 4], featureCount: 30, target: target)
        XCTAssertEqual(result.trace.produced, [4, 4, 4])
        // Every record is one the target assigns to its class with confidence above conf_min.
        for r in 0..<result.data.count {
            let c = result.data.labels[r]
            let p = rule(result.data.features.row(r), 0)
            XCTAssertEqual(p.indices.max { p[$0] < p[$1] }, c, "record \(r)")
            XCTAssertGreaterThan(p[c], 0.5, "record \(r)")
        }
        XCTAssertEqual(target.queryCount, result.trace.queries)
    }

    /// Algorithm 1's records and trace, fair coins and a start density: a faster proposal (which features to
    /// re-randomise) must draw the same features in the same order. The target is a fixed rule (no network:
    /// its kernels round differently on another CPU), confident enough to accept and picky enough to halve.
    func testRecordsAreBitForBitTheOnesTheFirstProposalsMade() throws {
        let d = 60
        let rule: (ArraySlice<Float>, Int) -> [Float] = { x, _ in
            // Class c likes ones in features c, c + 4, c + 8, ... and zeros in the features after them.
            let scores = (0..<4).map { c -> Double in
                stride(from: c, to: d, by: 4).reduce(0.0) { s, j in
                    s + (x[x.startIndex + j] == 1 ? 0.6 : 0) - (x[x.startIndex + (j + 1) % d] == 1 ? 0.35 : 0)
                }
            }
            let e = scores.map { exp($0) }
            return e.map { Float($0 / e.reduce(0, +)) }
        }
        var f = Fingerprint()
        for density in [nil, 0.2] as [Double?] {
            let result = try ModelBasedSynthesis(kMax: 32, kMin: 2, confidenceMin: 0.3, rejectionsMax: 4, iterationsMax: 120,
                                                 retries: 2, startDensity: density, seed: 9)
                .synthesize(counts: [8, 8, 8, 8], featureCount: d, target: BlackBox(FakeTarget(classes: 4, rule: rule)))
            for v in result.data.features.values { f.add(UInt64(v.bitPattern)) }
            for l in result.data.labels { f.add(UInt64(l)) }
            let t = result.trace
            for n in [t.queries, t.queriesForProduced, t.acceptances, t.halvings, t.failedAttempts, t.abandoned] + t.produced { f.add(UInt64(n)) }
            XCTAssertGreaterThan(result.data.count, 8, "start density \(String(describing: density))")
            XCTAssertGreaterThan(t.halvings, 0)
        }
        // Recorded with the Set-based proposals of 6df1647.
        XCTAssertEqual(f.hex, "11949babfe3f1cd9")
    }

    func testTheSameSeedGivesTheSameRecordsWhateverTheBatchSize() throws {
        let rule: (ArraySlice<Float>, Int) -> [Float] = { x, _ in
            let ones = Float(x.reduce(0, +)) / Float(x.count)
            return [ones, 1 - ones]
        }
        var small = ModelBasedSynthesis(kMax: 4, kMin: 1, seed: 2)
        small.parallelChains = 1
        let one = try small.synthesize(counts: [3, 3], featureCount: 12, target: BlackBox(FakeTarget(classes: 2, rule: rule)))
        var wide = small
        wide.parallelChains = 64
        let many = try wide.synthesize(counts: [3, 3], featureCount: 12, target: BlackBox(FakeTarget(classes: 2, rule: rule)))
        XCTAssertEqual(one.data.features, many.data.features)
        XCTAssertEqual(one.trace, many.trace)
    }
}

final class ShadowAndAttackTests: XCTestCase {
    func testNoisyDataFlipsTheRequestedFractionOfFeatures() throws {
        let data = PurchaseLike(classCount: 4, seed: 1).records(count: 50)
        let noisy = try ShadowData.noisy(data, flipFraction: 0.1, seed: 3)
        for r in 0..<data.count {
            let changed = (0..<600).filter { data.features[r, $0] != noisy.features[r, $0] }.count
            XCTAssertEqual(changed, 60)
        }
        XCTAssertEqual(noisy.labels, data.labels)
    }

    func testMarginalSynthesisKeepsPerClassFeatureRates() throws {
        let data = PurchaseLike(classCount: 2, seed: 5).records(count: 2_000)
        let synthetic = try ShadowData.marginal(count: 4_000, statistics: data, seed: 1)
        for c in 0..<2 {
            let real = (0..<data.count).filter { data.labels[$0] == c }
            let fake = (0..<synthetic.count).filter { synthetic.labels[$0] == c }
            for j in [0, 17, 300] {
                let a = Double(real.filter { data.features[$0, j] == 1 }.count) / Double(real.count)
                let b = Double(fake.filter { synthetic.features[$0, j] == 1 }.count) / Double(fake.count)
                XCTAssertEqual(a, b, accuracy: 0.05, "class \(c) feature \(j)")
            }
        }
    }

    func testPopulationMarginalSynthesisKeepsEachFeaturesOverallRateAndAsksTheTargetForLabels() throws {
        let data = PurchaseLike(classCount: 3, seed: 5).records(count: 2_000)
        // A target that answers class 2 whenever feature 0 is set, else class 0: labels must follow it.
        let target = FakeTarget(classes: 3) { row, _ in row[row.startIndex] == 1 ? [0, 0, 1] : [1, 0, 0] }
        let (synthetic, queries) = try ShadowData.populationMarginal(count: 4_000, statistics: data, target: target, seed: 1)
        XCTAssertEqual(queries, 4_000, "one query per synthetic record")
        for r in 0..<synthetic.count { XCTAssertEqual(synthetic.labels[r], synthetic.features[r, 0] == 1 ? 2 : 0) }
        for j in [0, 17, 300] {
            let a = Double((0..<data.count).filter { data.features[$0, j] == 1 }.count) / Double(data.count)
            let b = Double((0..<synthetic.count).filter { synthetic.features[$0, j] == 1 }.count) / Double(synthetic.count)
            XCTAssertEqual(a, b, accuracy: 0.03, "feature \(j)")
        }
        let again = try ShadowData.populationMarginal(count: 4_000, statistics: data, target: target, seed: 1)
        XCTAssertEqual(again.data.features, synthetic.features, "same seed, same records")
    }

    func testLogitsOfATopOneAnswerStillTellItsConfidencesApart() {
        // Top-1 answers keep only the top probability; the hidden mass is still "not this class".
        var p = Matrix(rows: 2, columns: 3, values: [0.9, 0.06, 0.04, 0.6, 0.3, 0.1])
        OutputPolicy.topK(1).apply(to: &p)
        let z = AttackFeatures.logits.transform(p)
        XCTAssertEqual(Double(z[0, 0]), log(0.9 / 0.1), accuracy: 1e-4)
        XCTAssertEqual(Double(z[1, 0]), log(0.6 / 0.4), accuracy: 1e-4)
        XCTAssertLessThan(z[1, 1], -20, "a hidden class reads as impossible")
    }

    func testTheTrueClassLogitFeatureGivesEachClassModelOnlyItsOwnColumn() {
        let z = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        let own = AttackFeatures.trueClassLogit.columns(of: z, forClass: 1)
        XCTAssertEqual(own.columns, 1)
        XCTAssertEqual(own.values, [2, 5])
        XCTAssertEqual(AttackFeatures.logits.columns(of: z, forClass: 1).values, z.values, "other features keep every column")
        XCTAssertEqual(AttackFeatures.trueClassLogit.transform(Matrix(rows: 1, columns: 2, values: [0.9, 0.1])).values,
                       AttackFeatures.logits.transform(Matrix(rows: 1, columns: 2, values: [0.9, 0.1])).values)
    }

    func testTheRivalFeatureAddsTheStrongestOtherClassesLogit() {
        let z = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 6, 5, 4])
        let pair = AttackFeatures.trueClassAndRival.columns(of: z, forClass: 1)
        XCTAssertEqual(pair.columns, 2)
        XCTAssertEqual(pair.values, [2, 3, 5, 6], "each row: the true class's logit, then the largest of the others")
    }

    /// The per-class models read only their class's columns of the logits; computing just those must
    /// give every bit the whole transform gives, under every output policy (zeros, ties, rounding,
    /// one-hot answers, confidences a hair below 1).
    func testEachClassModelsInputsAreTheWholeTransformsColumnsBitForBit() {
        var generator = SplitMix64(seed: 21)
        let k = 7
        var raw: [Float] = []
        for r in 0..<400 {
            var row = (0..<k).map { _ in Float(generator.nextUnit()) }
            if r % 5 == 1 { row[r % k] = 1e6 }               // a confidence within rounding of 1
            if r % 7 == 2 { row[(r + 1) % k] = row[(r + 3) % k] } // tied rivals
            let sum = row.reduce(0, +)
            raw += row.map { $0 / sum }
        }
        let labels = (0..<400).map { ($0 * 3) % k }
        for policy in [OutputPolicy.full, .topK(1), .topK(3), .rounded(decimals: 1), .rounded(decimals: 3), .labelOnly] {
            var p = Matrix(rows: 400, columns: k, values: raw)
            policy.apply(to: &p)
            for features in AttackFeatures.allCases {
                let whole = features.transform(p)
                for c in 0..<k {
                    let rows = labels.indices.filter { labels[$0] == c }
                    let expected = features.columns(of: whole.rows(rows), forClass: c)
                    let got = features.inputs(p, rows: rows, forClass: c)
                    XCTAssertEqual(got.columns, expected.columns)
                    XCTAssertEqual(got.values.map(\.bitPattern), expected.values.map(\.bitPattern), "\(features), \(policy), class \(c)")
                }
            }
        }
    }

    /// Shadows whose members differ from non-members only in the rival class: the true class's
    /// confidence is 0.7 for both, the runner-up is 0.15 for members and 0.3 for non-members.
    private func rivalShadows(count: Int) -> [ShadowModel] {
        let recordsPerSide = 60
        let target = FakeTarget(classes: 3) { record, _ in record.first == 1 ? [0.7, 0.15, 0.15] : [0.7, 0.3, 0.0] }
        var values: [Float] = []
        for r in 0..<(2 * recordsPerSide) { values += [r < recordsPerSide ? 1 : 0, Float(r)] }
        let source = Dataset(features: Matrix(rows: 2 * recordsPerSide, columns: 2, values: values),
                             labels: Array(repeating: 0, count: 2 * recordsPerSide), classCount: 3)
        return (0..<count).map { _ in
            ShadowModel(model: target, source: source, inIndices: Array(0..<recordsPerSide),
                        outIndices: Array(recordsPerSide..<(2 * recordsPerSide)))
        }
    }

    func testTheHeldOutShadowPicksTheInputThatTellsMembersApart() throws {
        let candidates = [AttackModel(features: .trueClassLogit, classifier: .logisticRegression(epochs: 40, learningRate: 0.1)),
                          AttackModel(features: .trueClassAndRival, classifier: .logisticRegression(epochs: 40, learningRate: 0.1))]
        let selection = try AttackModel.selectedOnHeldOutShadow(from: candidates, shadows: rivalShadows(count: 3))
        XCTAssertEqual(selection.best.features, .trueClassAndRival)
        XCTAssertEqual(selection.heldOut.count, 2, "one held-out result per candidate, in order")
        XCTAssertEqual(selection.heldOut[0].accuracy, 0.5, accuracy: 0.01, "the true class's logit alone is the same for both sides")
        XCTAssertGreaterThan(selection.heldOut[1].accuracy, 0.95)
    }

    func testChoosingFromAnswersAlreadyGivenIsTheSameChoiceWithTheSameNumbers() throws {
        let generator = PurchaseLike(classCount: 5, seed: 3)
        let recipe = MLPClassifier(hiddenLayers: [16], epochs: 5, batchSize: 50, seed: 1)
        let shadows = try ShadowTraining(shadowCount: 3, trainingSize: 100, seed: 2)
            .train(attackerData: generator.records(count: 400), recipe: ShadowTraining.mlpRecipe(recipe))
        let candidates = [AttackModel(features: .logits, classifier: .logisticRegression(epochs: 5)),
                          AttackModel(features: .trueClassAndRival, classifier: .logisticRegression(epochs: 5))]
        let fresh = try AttackModel.selectedOnHeldOutShadow(from: candidates, shadows: shadows, policy: .topK(2))
        let reused = try AttackModel.selectedOnHeldOutShadow(from: candidates, shadows: shadows,
                                                             answers: AttackData(shadows: shadows, policy: .topK(2)), policy: .topK(2))
        XCTAssertEqual(reused.best.features, fresh.best.features)
        XCTAssertEqual(reused.heldOut.map(\.accuracy), fresh.heldOut.map(\.accuracy))
        XCTAssertEqual(reused.heldOut.map(\.roc.auc), fresh.heldOut.map(\.roc.auc))
        XCTAssertThrowsError(try AttackModel.selectedOnHeldOutShadow(from: candidates, shadows: shadows,
                                                                     answers: AttackData(shadows: Array(shadows.dropLast()))),
                             "answers of other shadows are refused")
    }

    func testChoosingOnAHeldOutShadowNeedsTwoShadows() {
        XCTAssertThrowsError(try AttackModel.selectedOnHeldOutShadow(from: [AttackModel()], shadows: rivalShadows(count: 1)))
    }

    func testShadowSetsAreDisjointInAndOutAndTheAttackBeatsChanceOnAnOverfitTarget() throws {
        let generator = PurchaseLike(classCount: 10, seed: 8)
        let train = generator.records(count: 500), nonMembers = generator.records(count: 500, first: 500)
        let attacker = generator.records(count: 2_000, first: 1_000)
        let recipe = MLPClassifier(hiddenLayers: [64], epochs: 60, batchSize: 50, seed: 1)
        let target = try recipe.fit(train)
        let shadows = try ShadowTraining(shadowCount: 4, trainingSize: 500, seed: 2)
            .train(attackerData: attacker, recipe: ShadowTraining.mlpRecipe(recipe))
        for s in shadows {
            let a = Set((0..<s.membersIn.count).map { s.membersIn.features.row($0).map(\.bitPattern) })
            let b = Set((0..<s.membersOut.count).map { s.membersOut.features.row($0).map(\.bitPattern) })
            XCTAssertTrue(a.isDisjoint(with: b))
        }
        let attack = try AttackModel(features: .logits, classifier: .logisticRegression(epochs: 30, learningRate: 0.05)).fit(AttackData(shadows: shadows))
        let evaluation = try AttackTest.evaluate(attack, target: BlackBox(target), members: train, nonMembers: nonMembers)
        XCTAssertGreaterThan(evaluation.roc.auc, 0.6, evaluation.summary)
    }

    func testLogitFeaturesKeepPrecisionNearOne() {
        let p = Matrix(rows: 2, columns: 2, values: [1 - 1e-7, 1e-7, 1 - 1e-5, 1e-5])
        let z = AttackFeatures.logits.transform(p)
        XCTAssertEqual(Double(z[0, 0]), log(Double(Float(1 - 1e-7))) - log(Double(Float(1e-7))), accuracy: 1e-3)
        XCTAssertGreaterThan(z[0, 0] - z[1, 0], 4, "two confidences that print as 1.000 are far apart as logits")
    }
}
