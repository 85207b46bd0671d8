import MachineLearning
@testable import MembershipInference
import XCTest

final class MetricsTests: XCTestCase {
    func testPrecisionRecallAndAccuracyFollowFromTheConfusionMatrix() {
        // 4 members, 4 non-members; the attack says member for records 0, 1, 2 (members) and 5 (not).
        let m = ConfusionMatrix(predicted: [true, true, true, false, false, true, false, false],
                                actual: [true, true, true, true, false, false, false, false])
        XCTAssertEqual(m, ConfusionMatrix(truePositives: 3, falsePositives: 1, trueNegatives: 3, falseNegatives: 1))
        XCTAssertEqual(m.precision, 0.75)
        XCTAssertEqual(m.recall, 0.75)
        XCTAssertEqual(m.accuracy, 0.75)
        XCTAssertEqual(m.falsePositiveRate, 0.25)
        XCTAssertTrue(ConfusionMatrix(predicted: [false], actual: [true]).precision.isNaN, "no member answers: precision undefined")
    }

    func testTheROCCurveOfAWorkedExample() {
        // Scores 0.9 (member), 0.8 (non), 0.7 (member), 0.6 (member), 0.2 (non), 0.1 (non).
        let roc = ROCCurve(scores: [0.9, 0.8, 0.7, 0.6, 0.2, 0.1], actual: [true, false, true, true, false, false])
        let expected: [(Double, Double)] = [(0, 0), (0, 1.0 / 3), (1.0 / 3, 1.0 / 3), (1.0 / 3, 2.0 / 3), (1.0 / 3, 1), (2.0 / 3, 1), (1, 1)]
        XCTAssertEqual(roc.points.count, expected.count)
        for (p, e) in zip(roc.points, expected) {
            XCTAssertEqual(p.falsePositiveRate, e.0, accuracy: 1e-12)
            XCTAssertEqual(p.truePositiveRate, e.1, accuracy: 1e-12)
        }
        // Pairs (member, non-member) ranked correctly: 0.9 beats all three, 0.7 and 0.6 beat two each: 7 of 9.
        XCTAssertEqual(roc.auc, 7.0 / 9.0, accuracy: 1e-12)
        XCTAssertEqual(roc.truePositiveRate(atFalsePositiveRate: 0), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(roc.advantage, 2.0 / 3, accuracy: 1e-12)
    }

    func testTiedScoresFormOneStepAndCountHalf() {
        let roc = ROCCurve(scores: [0.5, 0.5], actual: [true, false])
        XCTAssertEqual(roc.auc, 0.5, accuracy: 1e-12)
        XCTAssertEqual(roc.points.count, 2)
    }

    func testNormalizedEntropyIsZeroForOneHotAndOneForUniform() {
        let p = Matrix(rows: 2, columns: 4, values: [1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25])
        let h = PredictionUncertainty.normalizedEntropy(p)
        XCTAssertEqual(h[0], 0, accuracy: 1e-12)
        XCTAssertEqual(h[1], 1, accuracy: 1e-6)
    }

    func testTheSummaryReadsAsSentences() {
        let e = AttackEvaluation(scores: [0.9, 0.8, 0.3, 0.1], membership: [true, true, false, true], classes: [0, 0, 0, 0])
        XCTAssertTrue(e.summary.hasPrefix("The attack identified 67% of members at 100% precision (chance: 75%)"), e.summary)
    }
}

final class OutputPolicyTests: XCTestCase {
    static let answers = Matrix(rows: 2, columns: 4, values: [0.1, 0.6, 0.2, 0.1,
                                                              0.05, 0.15, 0.3, 0.5])

    func apply(_ policy: OutputPolicy) -> Matrix {
        var p = Self.answers
        policy.apply(to: &p)
        return p
    }

    func testTopKKeepsTheKLargestAndTheArgmax() {
        XCTAssertEqual(apply(.topK(1)).values, [0, 0.6, 0, 0, 0, 0, 0, 0.5])
        XCTAssertEqual(apply(.topK(3)).values, [0.1, 0.6, 0.2, 0, 0, 0.15, 0.3, 0.5])
        XCTAssertEqual(argmaxRows(apply(.topK(2))), argmaxRows(Self.answers))
    }

    /// Top-k keeps what a stable sort of the row would put first: ties go to the lower column, and
    /// nothing else changes, whatever k (0 keeps one, k at or above the width keeps all).
    func testTopKKeepsWhatSortingTheRowWouldKeepTiesToTheLowerColumn() {
        var state: UInt64 = 9
        let rows = 200, k = 12
        // Values from a few levels only, so most rows have ties, some at the cut.
        let values = (0..<(rows * k)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return [0, 0.05, 0.1, 0.1, 0.2, 0.25, 0.5][Int(state >> 61) % 7]
        }
        let answers = Matrix(rows: rows, columns: k, values: values)
        for keep in [0, 1, 2, 3, 5, 11, 12, 40] {
            var p = answers
            OutputPolicy.topK(keep).apply(to: &p)
            for r in 0..<rows {
                let ranked = (0..<k).sorted { answers[r, $0] > answers[r, $1] || (answers[r, $0] == answers[r, $1] && $0 < $1) }
                let kept = Set(ranked.prefix(max(keep, 1)))
                let expected = (0..<k).map { kept.contains($0) ? answers[r, $0] : 0 }
                XCTAssertEqual(Array(p.values[(r * k)..<((r + 1) * k)]), expected, "keep \(keep), row \(r)")
            }
        }
    }

    func testRoundingRoundsToTheGivenDecimals() {
        var p = Matrix(rows: 1, columns: 3, values: [0.12345, 0.87655, 0])
        OutputPolicy.rounded(decimals: 1).apply(to: &p)
        XCTAssertEqual(p.values, [0.1, 0.9, 0])
    }

    func testTemperatureKeepsTheRankingAndFlattensTheVector() {
        let hot = apply(.temperature(20))
        for r in 0..<2 {
            let original = (0..<4).sorted { Self.answers[r, $0] > Self.answers[r, $1] }
            let tempered = (0..<4).sorted { hot[r, $0] > hot[r, $1] }
            XCTAssertEqual(original, tempered)
            XCTAssertLessThan(hot[r, original[0]], Self.answers[r, original[0]])
            XCTAssertEqual(hot.row(r).reduce(0, +), 1, accuracy: 1e-5)
        }
        XCTAssertEqual(apply(.temperature(1)).values.map { Double($0) }, Self.answers.values.map { Double($0) }, accuracy: 1e-6)
    }

    func testLabelOnlyIsOneHot() {
        XCTAssertEqual(apply(.labelOnly).values, [0, 1, 0, 0, 0, 0, 0, 1])
    }

    func testTheBlackBoxCountsQueries() throws {
        let data = PurchaseLike(classCount: 3, seed: 1).records(count: 30)
        let api = BlackBox(try SoftmaxRegression(epochs: 2).fit(data), policy: .labelOnly)
        _ = api.query(data.features)
        _ = api.query(data.features.rows([0, 1]))
        XCTAssertEqual(api.queryCount, 32)
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
