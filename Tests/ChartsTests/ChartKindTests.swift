import Charts
import Foundation
import PNGCodec
import TestSupport
import XCTest

/// Every chart kind, laid out with a fixed-width text measurer and compared as text with its golden
/// scene (re-record with RECORD_GOLDEN=1), then drawn for real and decoded.
final class ChartKindTests: XCTestCase {
    static let kinds: [(name: String, figure: any Figure)] = {
        var line = LineChart(title: "Precision by training-set size", xLabel: "training records", yLabel: "precision",
                             series: [LineSeries(name: "CIFAR-10", points: [(2500, 0.72), (5000, 0.7), (10000, 0.66), (15000, 0.62)],
                                                 band: [(0.7, 0.74), (0.68, 0.72), (0.64, 0.68), (0.6, 0.64)]),
                                      LineSeries(name: "CIFAR-100", points: [(4600, 0.99), (8600, 0.98), (12000, 0.97), (29540, 0.96)])],
                             yRange: 0.5...1)
        line.xScale = .log
        line.reference = (0.5, "chance")
        line.annotations = [Annotation("fewer records, more leakage", at: DataPoint(2500, 0.72), dx: 60, dy: -40)]
        let histogram = Histogram(title: "Confidence in the true class", xLabel: "probability",
                                  distributions: [("members", [0.99, 0.98, 0.97, 0.99, 0.6]), ("non-members", [0.5, 0.7, 0.99, 0.2, 0.4, 0.9])],
                                  bins: 5, density: true, range: 0...1)
        let cdf = CDFChart(title: "Normalized entropy", xLabel: "entropy",
                           distributions: [("members", [0.01, 0.02, 0.05, 0.1]), ("non-members", [0.1, 0.3, 0.5, 0.7])])
        let scatter = ScatterChart(title: "Gap against precision", xLabel: "gap", yLabel: "precision",
                                   series: [("datasets", [(0.006, 0.503), (0.015, 0.505), (0.34, 0.935)], ["Adult", "Purchase-2", "Purchase-100"])])
        let rocPoints: [(falsePositiveRate: Double, truePositiveRate: Double)] = [(0, 0), (0.001, 0.05), (0.01, 0.2), (0.1, 0.6), (0.5, 0.95), (1, 1)]
        let roc = ROCChart(title: "ROC", curves: [("shadow attack", rocPoints, 0.86)])
        let rocLog = ROCChart(title: "ROC, log–log", curves: [("shadow attack", rocPoints, 0.86)], logScale: true)
        let bars = BarChart(title: "Mitigations", yLabel: "precision", categories: ["none", "top-1", "label only"],
                            series: [("precision", [0.87, 0.83, 0.6]), ("recall", [1, 1, 0.99])], yRange: 0...1.1, reference: (0.5, "chance"))
        let heatmap = Heatmap(title: "Confusion", xLabel: "predicted", yLabel: "true", rowLabels: ["a", "b"], columnLabels: ["a", "b"],
                              values: [[0.9, 0.1], [0.25, 0.75]], valueLabel: "fraction", range: 0...1)
        return [("line-log-band", line), ("histogram", histogram), ("cdf", cdf), ("scatter", scatter), ("roc", roc),
                ("roc-log", rocLog), ("bars", bars), ("heatmap", heatmap)]
    }()

    func testEveryKindLaysOutAsItsGoldenScene() throws {
        for (name, figure) in Self.kinds {
            try assertGolden(figure.scene(measurer: FixedWidthMeasurer()).recording, named: "\(name).scene")
        }
    }

    func testEveryKindRendersADecodablePNGWithItsTextChunks() throws {
        for (name, figure) in Self.kinds {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).png")
            defer { try? FileManager.default.removeItem(at: url) }
            try figure.render().write(to: url)
            let image = try PNGImage(contentsOf: url)
            XCTAssertEqual(image.width, Int(figure.width * 2), name)
            XCTAssertEqual(image.height, Int(figure.height * 2), name)
            XCTAssertGreaterThan(image.distinctColorCount(), 20, "\(name) is not blank")
            XCTAssertEqual(image.textValue("Title"), figure.title, name)
            XCTAssertEqual(image.textValue("Description"), figure.altText, name)
            XCTAssertFalse(figure.dataTable.rows.isEmpty, "\(name) has a data table")
        }
    }

    func testTickLabelsNeverOverlap() {
        // 50 categories' worth of ticks on a narrow chart: labels must be thinned.
        var chart = LineChart(title: "", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "s", points: (0...50).map { (Double($0) * 1000.123, Double($0)) })])
        chart.width = 300
        let boxes: [(Double, Double)] = chart.scene(measurer: FixedWidthMeasurer()).marks.compactMap { mark in
            guard case let .text(text, at, size, _, _, .middle, .top, 0) = mark else { return nil }
            let w = Double(text.count) * size * 0.6
            return (at.x - w / 2, at.x + w / 2)
        }
        XCTAssertGreaterThan(boxes.count, 1)
        for (a, b) in zip(boxes, boxes.dropFirst()) { XCTAssertLessThanOrEqual(a.1, b.0, "x tick labels overlap") }
    }

    func testLogAxesTickAtPowersOfTen() {
        let scene = ROCChart(title: "", curves: [("c", [(0.001, 0.1), (1, 1)], 0.9)], logScale: true).scene(measurer: FixedWidthMeasurer())
        let labels = scene.marks.compactMap { mark -> String? in
            if case let .text(text, _, _, _, _, .middle, .top, 0) = mark { return text } else { return nil }
        }
        XCTAssertEqual(labels, ["0.0001", "0.001", "0.01", "0.1", "1"])
    }

    func testTheHeatmapColourMapRunsDarkToLight() {
        func luminance(_ c: Color) -> Double { 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue }
        let steps = (0...10).map { luminance(Heatmap.color(Double($0) / 10)) }
        XCTAssertEqual(steps, steps.sorted(), "lightness rises monotonically, so the map reads in greyscale")
    }
}
