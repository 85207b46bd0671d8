import Foundation
import LessonCore
@testable import SiteWriter
import XCTest

final class SlideWriterTests: XCTestCase {
    /// A one-lesson site whose cell drew one figure and checked O2 with it.
    func makeSite() throws -> URL {
        let lesson = try Lesson.parse(source: """
            # Classes

            More classes, more leakage.

            ## The sweep

            - train a target for each K
            - attack it

            ```notes
            Point at the steep part.
            ```

            ```swift label=sweep slide
            print(1)
            ```
            """, path: "Lessons/03-classes.md")
        let figure = CellOutput.Figure(file: "03-classes/sweep.png", title: "Precision by K", altText: "Precision rises with K.",
                                       caption: "Precision by number of classes.", width: 800, height: 500, kind: "LineChart",
                                       vectorFiles: ["03-classes/sweep.svg", "03-classes/sweep.pdf"], slideFile: "03-classes/sweep.slide.svg")
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title, status: .passed, seconds: 1, cells: [
            CellResult(index: 0, label: "sweep", fenceLine: 15, closingLine: 17, status: .passed, stdout: "", outputs: [.figure(figure)]),
        ])
        manifest.observations = [Observation(id: "O2", claim: "More classes, more leakage.", paper: "0.505 → 0.935", measured: "0.519 → 0.953",
                                             rule: "held if precision rises with K", verdict: .held, explanation: "Fewer records per class.",
                                             lessonID: lesson.id, cellLabel: "sweep", evidenceCells: ["sweep"])]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slides-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let assets = folder.appendingPathComponent("assets-in"), site = folder.appendingPathComponent("site")
        for made in [assets, site.appendingPathComponent("03-classes")] {
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true)
        }
        try copyCourseAssets(to: assets)
        for name in ["sweep.png", "sweep.svg", "sweep.pdf", "sweep.slide.svg"] {
            try Data().write(to: site.appendingPathComponent("03-classes/\(name)"))
        }
        try SiteWriter(courseTitle: "C", courseSummary: "S", profile: "quick", seed: "7", observationClaims: ["O1": "Bigger sets leak less."])
            .write([ExecutedLesson(lesson: lesson, manifest: manifest)], to: site, assets: assets)
        return site
    }

    func slides(in html: String) -> [String] {
        html.components(separatedBy: "<section class=\"slide ").dropFirst().map { $0.components(separatedBy: "</section>")[0] }
    }

    func testALessonDeckHasATitleItsSectionsItsPickedFiguresAndItsVerdicts() throws {
        let site = try makeSite()
        let deck = try String(contentsOf: site.appendingPathComponent("slides/03-classes.html"), encoding: .utf8)
        let slides = slides(in: deck)
        XCTAssertEqual(slides.count, 4, "title, the section, its figure, what the lesson checked")
        XCTAssertTrue(slides[0].contains("<h1>Classes</h1>"))
        XCTAssertTrue(slides[1].contains("<li>train a target for each K</li>"))
        XCTAssertTrue(slides[1].contains("<aside class=\"notes\"><p>Point at the steep part.</p>"), slides[1])
        XCTAssertTrue(slides[2].contains("<img src=\"../03-classes/sweep.slide.svg\""), "the figure drawn for slides")
        XCTAssertTrue(slides[3].contains("<span class=\"badge held\">held</span>"))
        XCTAssertTrue(slides[3].contains("id=\"4\" data-slide=\"4\" aria-label=\"Slide 4 of 4\""))
    }

    func testThePaperDeckHasASlidePerObservationWithTheFigureThatDecidedIt() throws {
        let site = try makeSite()
        let deck = try String(contentsOf: site.appendingPathComponent("slides/paper.html"), encoding: .utf8)
        let slides = slides(in: deck)
        XCTAssertEqual(slides.count, 2 + 17 + 1, "title, threat model, O1–O17, conclusion (no diagram in this run)")
        let o2 = slides[3]
        for expected in ["O2</span> More classes, more leakage.", "0.505 → 0.935", "0.519 → 0.953", "badge held",
                         "<img src=\"../03-classes/sweep.slide.svg\"", "Fewer records per class."] {
            XCTAssertTrue(o2.contains(expected), "missing \(expected)")
        }
        XCTAssertTrue(slides[2].contains("Not checked in this run"), "O1 was not checked")
        let page = try String(contentsOf: site.appendingPathComponent("O2.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("href=\"slides/paper.html#4\""), "the O2 page links to its slide, the fourth")
        XCTAssertTrue(slides[0].contains("This run: 1 of 17 observations held"))
    }

    func testDecksAreSelfContainedAndTheirLinksResolve() throws {
        let site = try makeSite()
        for name in ["paper.html", "03-classes.html"] {
            let deck = try String(contentsOf: site.appendingPathComponent("slides/\(name)"), encoding: .utf8)
            XCTAssertFalse(deck.contains("<script src"), "the script is inline")
            XCTAssertFalse(deck.contains("<link rel=\"stylesheet\""), "the stylesheet is inline")
            XCTAssertFalse(deck.contains("http://") || deck.contains("https://"), "nothing from the network")
            XCTAssertTrue(deck.contains("case \"PageDown\""), "the navigation script is there")
        }
        XCTAssertEqual(try LinkCheck.problems(in: site), [])
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("href=\"slides/paper.html\""))
    }

    func testALongListOfNumbersIsCutAtAWholeItemOnTheSlide() {
        let items = (1...40).map { "policy \($0): a drop of 0.0\($0 % 10)" }.joined(separator: "; ")
        let short = SlideWriter.shortened(items)
        XCTAssertLessThan(short.count, 300)
        XCTAssertTrue(short.hasSuffix("… (all numbers in the notes)"), short)
        XCTAssertTrue(short.hasPrefix("policy 1: a drop of 0.01; policy 2:"))
        XCTAssertFalse(short.contains("; …"), "cut after a whole item")
        XCTAssertEqual(SlideWriter.shortened("precision 0.9"), "precision 0.9")
    }

    func testLessonLinksStillWorkFromTheSlidesFolder() {
        XCTAssertEqual(SlideWriter.rebased(##"<a href="O3.html">O3</a> <a href="#train">the cell</a> <a href="https://x.org/a">x</a>"##, page: "01-a.html"),
                       ##"<a href="../O3.html">O3</a> <a href="../01-a.html#train">the cell</a> <a href="https://x.org/a">x</a>"##)
    }

    func testTheLinkCheckFollowsRelativeLinksFromTheSlidesFolder() throws {
        let site = try makeSite()
        try "<img src=\"../03-classes/missing.svg\" alt=\"\"><a href=\"../../outside.html\">x</a>"
            .write(to: site.appendingPathComponent("slides/extra.html"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try LinkCheck.problems(in: site), [
            "slides/extra.html: broken link '../../outside.html'",
            "slides/extra.html: broken image '../03-classes/missing.svg'",
        ], "links first, then images, as the page is read")
    }
}
