import Charts
import LessonRuntime
import MembershipInference
import XCTest

/// The ROC chart of attack evaluations: its data table carries the low false-positive rates the ROC
/// curve itself measures (the chart has no copy of that rule).
final class AttackChartsTests: XCTestCase {
    func testTheDataTableListsEachAttacksTruePositiveRateAtOneAndATenthOfAPercentFalsePositives() {
        // 1,000 non-members scored 0 ..< 1000 and 10 members: at most 10 false positives (1%) leave the
        // members scored above the 10th-highest non-member; one false positive (0.1%) only those above the top one.
        let nonMembers = (0..<1000).map(Double.init)
        let members: [Double] = [2000, 1500, 995, 993, 991, 500, 400, 300, 200, 100]
        let evaluation = AttackEvaluation(scores: nonMembers + members, membership: nonMembers.map { _ in false } + members.map { _ in true },
                                          classes: Array(repeating: 0, count: 1010))
        let chart = ROCChart(title: "ROC", evaluations: [("shadow attack", evaluation)])
        XCTAssertEqual(chart.dataTable.columns, ["curve", "AUC", "TPR at 1% FPR", "TPR at 0.1% FPR"])
        let row = chart.dataTable.rows[0]
        XCTAssertEqual(row[2], "0.5", "members above the 10th-highest non-member: 2000, 1500, 995, 993, 991")
        XCTAssertEqual(row[3], "0.2", "members above the highest non-member: 2000, 1500")
        XCTAssertEqual(evaluation.roc.truePositiveRate(atFalsePositiveRate: 0.01), 0.5)
    }

    func testAChartGivenOnlyPointsHasNoLowFalsePositiveColumns() {
        let chart = ROCChart(title: "ROC", curves: [("c", [(0, 0), (0.5, 0.9), (1, 1)], 0.7)])
        XCTAssertEqual(chart.dataTable.columns, ["curve", "AUC"])
        XCTAssertEqual(chart.dataTable.rows, [["c", "0.700"]])
    }
}
