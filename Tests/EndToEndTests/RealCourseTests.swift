import Foundation
import PNGCodec
import XCTest

/// Runs the real course (the `lessons` binary that `swift build` made) into a temporary folder and
/// checks what `make lessons` promises: an index, the lesson pages, a chart and a diagram PNG.
final class RealCourseTests: XCTestCase {
    func testTheCourseBuildsItsSiteWithAChartAndADiagram() throws {
        let binary = ProcessInfo.processInfo.environment["LESSONS_BIN"]
            ?? packageRoot.appendingPathComponent(".build/debug/lessons").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return XCTFail("\(binary) does not exist: run `swift build` before `swift test` (make test does)")
        }
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("real-site-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let result = try runCommand(binary, ["build", "--output", site.path, "--profile", "smoke", "--timings"], in: packageRoot)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("all passed"), result.stdout)

        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("The membership-inference game"))
        let page = try String(contentsOf: site.appendingPathComponent("01-membership-game.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<table>"), "the confidence table is on the page")

        var kinds: [String: Int] = [:]
        let folder = site.appendingPathComponent("01-membership-game")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".png") {
            let image = try PNGImage(contentsOf: folder.appendingPathComponent(name))
            XCTAssertGreaterThanOrEqual(image.width, 1000, name)
            XCTAssertGreaterThan(image.distinctColorCount(), 10, "\(name) is not blank")
            XCTAssertFalse(image.textValue("Title")?.isEmpty ?? true, "\(name) has a Title text chunk")
            XCTAssertTrue(page.contains("src=\"01-membership-game/\(name)\""), "\(name) is on the page")
            let software = image.textValue("Software") ?? ""
            kinds[software.contains("Graphviz") ? "diagram" : "chart", default: 0] += 1
        }
        XCTAssertGreaterThanOrEqual(kinds["chart"] ?? 0, 1)
        XCTAssertGreaterThanOrEqual(kinds["diagram"] ?? 0, 1)

        // Every figure also as SVG and PDF with the same name, linked under it.
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".png") {
            let stem = String(name.dropLast(4))
            let svg = try String(contentsOf: folder.appendingPathComponent(stem + ".svg"), encoding: .utf8)
            XCTAssertTrue(svg.contains("<svg") && svg.contains("</svg>"), "\(stem).svg is an SVG document")
            let pdf = try Data(contentsOf: folder.appendingPathComponent(stem + ".pdf"))
            XCTAssertTrue(pdf.starts(with: Array("%PDF-".utf8)), "\(stem).pdf is a PDF")
            XCTAssertTrue(page.contains("href=\"01-membership-game/\(stem).pdf\" download>PDF</a>"), "\(stem) links its PDF")
        }

        // Slide decks: the paper deck has a slide per observation, and the lesson deck shows its picked
        // figures drawn for slides, from files that exist.
        let paperDeck = try String(contentsOf: site.appendingPathComponent("slides/paper.html"), encoding: .utf8)
        XCTAssertEqual(paperDeck.components(separatedBy: "<section class=\"slide observation\"").count - 1, 17)
        let lessonDeck = try String(contentsOf: site.appendingPathComponent("slides/01-membership-game.html"), encoding: .utf8)
        XCTAssertTrue(lessonDeck.contains("src=\"../01-membership-game/accuracy-chart.slide.svg\""), "the chart picked with `slide`")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("accuracy-chart.slide.svg").path))
        XCTAssertTrue(lessonDeck.contains("src=\"../01-membership-game/pipeline.svg\""), "the diagram picked with `slide`, as SVG")

        // --timings splits each lesson's time (trained models may come from the cache, so no phase is
        // sure to be non-zero) and names the slowest cells in the author's coordinates.
        XCTAssertTrue(result.stdout.contains("all lessons"), result.stdout)
        let lesson2 = result.stdout.split(separator: "\n").first { $0.hasPrefix("02-shadow-training ") }.map { $0.split(separator: " ") } ?? []
        XCTAssertEqual(lesson2.count, 8, "name, total and six columns: \(lesson2)")
        XCTAssertGreaterThan(lesson2.count == 8 ? Double(lesson2[1]) ?? 0 : 0, 0, "lesson 2 took some time")
        XCTAssertNotNil(result.stdout.range(of: #"s  Lessons/0\d-[a-z-]+\.md:\d+-\d+ \["#, options: .regularExpression), result.stdout)

        // Every observation has its page, the index lists them, and the JSON has all seventeen with a
        // verdict that one of the lessons computed.
        for id in (1...17).map({ "O\($0)" }) {
            let observation = try String(contentsOf: site.appendingPathComponent("\(id).html"), encoding: .utf8)
            XCTAssertTrue(observation.contains("<h1>\(id):"), id)
            XCTAssertTrue(index.contains("href=\"\(id).html\""), id)
            // The page shows what decided the verdict: a figure or a table from the lesson, linked to its cell.
            let evidence = observation.components(separatedBy: "<h2>Evidence</h2>").last ?? ""
            XCTAssertTrue(observation.contains("<h2>Evidence</h2>"), id)
            XCTAssertTrue(evidence.contains("<img ") || evidence.contains("<table"), "\(id): no figure or table in the evidence")
            XCTAssertNotNil(evidence.range(of: #"href="\d\d-[a-z0-9-]+\.html#[a-z0-9-]+""#, options: .regularExpression), "\(id): no link to a cell")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("observations.json"))) as! [[String: String]]
        XCTAssertEqual(json.map { $0["id"]! }, (1...17).map { "O\($0)" })
        let verdicts = json.map { $0["verdict"]! }
        XCTAssertTrue(verdicts.allSatisfy { ["held", "held in part", "did not hold"].contains($0) }, "every observation was checked: \(verdicts)")
        XCTAssertTrue(json.allSatisfy { $0["profile"] == "smoke" && !($0["measured"] ?? "").isEmpty })
    }
}
