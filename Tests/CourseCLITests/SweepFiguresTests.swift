@testable import CourseCLI
import Charts
import LessonCore
import XCTest

/// A sweep's line charts are drawn again from every seed's data: the mean as the line, min–max as a band.
final class SweepFiguresTests: XCTestCase {
    func figure(_ rows: [[String]], columns: [String] = ["classes (K)", "attack precision", "test accuracy"]) -> CellOutput.Figure {
        CellOutput.Figure(file: "03/classes.png", title: "Precision grows with K", altText: "", caption: "", width: 800, height: 500,
                          kind: "LineChart", data: CellOutput.Table(caption: "Data of the figure", columns: columns, rows: rows),
                          axes: .init(x: "classes (K)", y: "precision", logX: true, logY: false, yRange: [0, 1]))
    }

    func testTheMeanIsTheLineAndTheLowestAndHighestSeedBoundTheBand() throws {
        let a = figure([["2", "0.5", "0.9"], ["100", "0.9", ""]])
        let b = figure([["2", "0.7", "0.8"], ["100", "0.8", ""]])
        let chart = try XCTUnwrap(SweepFigures.banded(a, [a, b], seeds: 2))
        XCTAssertEqual(chart.series.map(\.name), ["attack precision (mean of 2 seeds)", "test accuracy (mean of 2 seeds)"])
        XCTAssertEqual(chart.series[0].points.map(\.x), [2, 100])
        for (y, expected) in zip(chart.series[0].points.map(\.y), [0.6, 0.85]) { XCTAssertEqual(y, expected, accuracy: 1e-12) }
        XCTAssertEqual(chart.series[0].band?.map(\.lower), [0.5, 0.8])
        XCTAssertEqual(chart.series[0].band?.map(\.upper), [0.7, 0.9])
        XCTAssertEqual(chart.series[1].points.count, 1, "an empty cell is no point")
        XCTAssertEqual(chart.xScale, .log)
        XCTAssertEqual(chart.yRange, 0...1)
        XCTAssertEqual(chart.yLabel, "precision")
    }

    func testASeriesAllSeedsDrewAlikeKeepsItsNameAndHasNoBand() throws {
        let a = figure([["2", "0.5", "0.9"]]), b = figure([["2", "0.7", "0.9"]])
        let chart = try XCTUnwrap(SweepFigures.banded(a, [a, b], seeds: 2))
        XCTAssertEqual(chart.series[1].name, "test accuracy")
        XCTAssertNil(chart.series[1].band)
    }

    func testSeedsThatDrewDifferentPointsOrAMissingSeedGiveNoChart() {
        let a = figure([["2", "0.5", "0.9"], ["100", "0.9", "0.7"]])
        XCTAssertNil(SweepFigures.banded(a, [a, figure([["2", "0.5", "0.9"], ["50", "0.9", "0.7"]])], seeds: 2))
        XCTAssertNil(SweepFigures.banded(a, [a, figure([["2", "0.5", "0.9"]])], seeds: 2))
        XCTAssertNil(SweepFigures.banded(a, [a], seeds: 2))
        XCTAssertNil(SweepFigures.banded(a, [a, figure([["2", "0.5"], ["100", "0.9"]], columns: ["K", "p"])], seeds: 2))
    }
}
