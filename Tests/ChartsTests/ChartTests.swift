import Charts
import Foundation
import PNGCodec
import TestSupport
import XCTest

final class ChartTests: XCTestCase {
    static let chart = LineChart(
        title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
        series: [LineSeries(name: "training", values: [0.5, 0.8, 0.95, 1.0]),
                 LineSeries(name: "test", values: [0.45, 0.6, 0.64, 0.66])],
        yRange: 0...1)

    func testTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(Ticks.nice(lower: 0, upper: 1, count: 5).ticks, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        XCTAssertEqual(Ticks.nice(lower: 1, upper: 60, count: 8).ticks, [0, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(Ticks.nice(lower: 3, upper: 97, count: 5).ticks, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(Ticks.labels([0, 0.2, 0.4]), ["0.0", "0.2", "0.4"])
        XCTAssertEqual(Ticks.labels([0, 50, 100]), ["0", "50", "100"])
    }

    func testTheLineChartLayoutMatchesItsGoldenScene() throws {
        try assertGolden(Self.chart.scene(measurer: FixedWidthMeasurer()).recording, named: "line-chart.scene")
    }

    func testTheChartIsAlsoWrittenAsAnSVGAndAOnePagePDF() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svg = folder.appendingPathComponent("accuracy.svg"), pdf = folder.appendingPathComponent("accuracy.pdf")
        try Self.chart.render(.svg, to: svg)
        try Self.chart.render(.pdf, to: pdf)
        let svgData = try Data(contentsOf: svg)
        XCTAssertTrue(VectorFiles.isSVG(svgData), "the SVG parses as XML with an <svg> root")
        XCTAssertTrue(String(decoding: svgData, as: UTF8.self).contains("width=\"\(Int(Self.chart.width))"), "one point per CSS pixel")
        XCTAssertEqual(VectorFiles.pdfPageCount(try Data(contentsOf: pdf)), 1)
    }

    func testAVectorFileInAMissingFolderIsAnError() {
        let file = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/chart.pdf")
        XCTAssertThrowsError(try Self.chart.render(.pdf, to: file))
    }

    func testTheLegendAvoidsTheData() {
        // Training climbs to the top right: the legend must not sit there.
        let scene = Self.chart.scene(measurer: FixedWidthMeasurer())
        let legend = scene.marks.compactMap { mark -> (Double, Double)? in
            if case let .rect(x, y, _, _, stroke, _, _) = mark, stroke == Color(hex: 0xBBBBBB) { return (x, y) }
            return nil
        }
        XCTAssertEqual(legend.count, 1)
        XCTAssertGreaterThan(legend[0].1, scene.height / 2, "the legend sits in a bottom corner")
    }

    func testTheAltTextDescribesEverySeries() {
        XCTAssertEqual(Self.chart.altText, "Line chart \"Accuracy per epoch\": accuracy against epoch. training: from 0.5 at 1 to 1 at 4. test: from 0.45 at 1 to 0.66 at 4.")
    }

    func testTheRenderedPNGDecodesIsTwiceTheSizeNotBlankAndCarriesText() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(getpid()).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.chart.render().write(to: url)
        let image = try PNGImage(contentsOf: url)
        XCTAssertEqual(image.width, 1600)
        XCTAssertEqual(image.height, 1000)
        XCTAssertGreaterThan(image.distinctColorCount(), 20, "a chart has text, lines and markers")
        XCTAssertEqual(image.textValue("Title"), "Accuracy per epoch")
        XCTAssertEqual(image.textValue("Description"), Self.chart.altText)
        XCTAssertNotNil(image.textValue("Software"))
    }

    func testWritingToAFolderThatDoesNotExistThrowsInsteadOfAborting() {
        let image = PNGImage(width: 1, height: 1, pixels: [0, 0, 0, 255])
        XCTAssertThrowsError(try image.write(to: URL(fileURLWithPath: "/nonexistent-folder/x.png"))) { error in
            XCTAssertTrue("\(error)".contains("cannot open /nonexistent-folder/x.png"), "\(error)")
        }
    }

    func testDecodingSomethingThatIsNotAPNGThrows() {
        XCTAssertThrowsError(try PNGImage(data: Data("not a png".utf8))) {
            XCTAssertEqual("\($0)", "data is not a PNG image")
        }
    }
}
