@testable import CourseCLI
import Charts
import LessonCore
import SiteWriter
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

/// `SweepFigures.draw` pairs each evidence chart with the same chart of every seed and writes it.
final class SweepFiguresDrawTests: XCTestCase {
    func run(seed: String, precisions: [String]?, folder: String) throws -> SeedSweep.Run {
        let lesson = try Lesson.parse(source: "# K\n\n```swift label=classes\nprint(1)\n```\n", path: "Lessons/03-k.md")
        var outputs: [CellOutput] = []
        if let precisions {
            let rows = zip(["2", "100"], precisions).map { [$0, $1] }
            outputs = [.figure(.init(file: "03-k/classes.png", title: "Precision grows with K", altText: "", caption: "", width: 800, height: 500,
                                     kind: .lineChart, data: .init(caption: "Data of the figure", columns: ["K", "precision"], rows: rows),
                                     axes: .init(x: "K", y: "precision", logX: true, logY: false, yRange: nil)))]
        }
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: "K", status: precisions == nil ? .failed : .passed,
                                      seconds: 1, cells: [CellResult(index: 0, label: "classes", fenceLine: 3, closingLine: 5,
                                                                     status: precisions == nil ? .failed : .passed, outputs: outputs)])
        manifest.seed = seed
        if precisions != nil {
            manifest.observations = [Observation(id: "O2", claim: "c", paper: "p", measured: "m", rule: "r", verdict: .held,
                                                 explanation: "e", lessonID: lesson.id, cellLabel: "classes", evidenceCells: ["classes"])]
        }
        return SeedSweep.Run(seed: seed, folder: folder, lessons: [ExecutedLesson(lesson: lesson, manifest: manifest)])
    }

    func testEachEvidenceChartIsDrawnOverTheSeedsIntoTheSweepFolder() throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("draw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let sweep = SeedSweep(runs: [try run(seed: "1", precisions: ["0.5", "0.9"], folder: ""),
                                     try run(seed: "2", precisions: ["0.6", "0.8"], folder: "seeds/2/")])
        let drawn = try SweepFigures.draw(sweep, into: site)
        let figure = try XCTUnwrap(drawn["O2"]?.first)
        XCTAssertEqual(drawn["O2"]?.count, 1)
        XCTAssertEqual(figure.file, "sweep/O2-1.png")
        XCTAssertEqual(figure.vectorFiles, ["sweep/O2-1.svg", "sweep/O2-1.pdf"])
        for file in [figure.file] + (figure.vectorFiles ?? []) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(file).path), file)
        }
        XCTAssertEqual(figure.data?.rows, [["2", "0.55"], ["100", "0.85"]], "the mean of the two seeds")
    }

    func testASeedWhoseLessonFailedGivesNoChartRatherThanABandOverFewerSeeds() throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("draw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let sweep = SeedSweep(runs: [try run(seed: "1", precisions: ["0.5", "0.9"], folder: ""),
                                     try run(seed: "2", precisions: nil, folder: "seeds/2/")])
        XCTAssertEqual(try SweepFigures.draw(sweep, into: site).count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("sweep").path))
    }
}
