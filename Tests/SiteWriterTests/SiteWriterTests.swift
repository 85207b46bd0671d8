import Foundation
import LessonCore
import SiteWriter
import XCTest

final class SiteWriterTests: XCTestCase {
    func testTextAndAttributesHaveTheirOwnEscaping() {
        XCTAssertEqual(HTML.text("<b>\"a\" & 'b'</b>"), "&lt;b&gt;\"a\" &amp; 'b'&lt;/b&gt;")
        XCTAssertEqual(HTML.attribute("\"a\" & 'b' <c>\n"), "&quot;a&quot; &amp; &#39;b&#39; &lt;c&gt;&#10;")
    }

    func testSwiftIsHighlightedAndEscaped() {
        let html = SwiftHighlighter.html("let x = 42 // answer <3\nprint(\"a<b \\(x + 1)\")\n@MainActor struct Model {}")
        XCTAssertEqual(html, """
            <span class="k">let</span> x = <span class="n">42</span> <span class="c">// answer &lt;3</span>
            print(<span class="s">"a&lt;b \\(x + 1)"</span>)
            <span class="a">@MainActor</span> <span class="k">struct</span> <span class="t">Model</span> {}
            """)
    }

    func makeSite(outputs: (Lesson) -> OutputManifest) throws -> URL {
        let lesson = try Lesson.parse(source: """
            # Is 1 < 2 & more?

            Prose.

            ```swift label=first
            print("<script>alert('x')</script>")
            ```

            ```swift label=second
            let a = [1][2]
            ```

            ```swift label=third
            print("later")
            ```
            """, path: "Lessons/01-a.md")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let assets = folder.appendingPathComponent("in-assets")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        try copyCourseAssets(to: assets)
        let site = folder.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try SiteWriter(courseTitle: "Course", courseSummary: "About.")
            .write([ExecutedLesson(lesson: lesson, manifest: outputs(lesson))], to: site, assets: assets)
        return site
    }

    func testAFailedLessonPageShowsTheErrorAndMarksLaterCellsNotRun() throws {
        let site = try makeSite { lesson in
            OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title, status: .failed, seconds: 1, cells: [
                CellResult(index: 0, label: "first", fenceLine: 5, closingLine: 7, status: .passed,
                           stdout: "<script>alert('x')</script>\n", seconds: 0.01),
                CellResult(index: 1, label: "second", fenceLine: 9, closingLine: 11, status: .failed,
                           error: "Lessons/01-a.md:9-11 [second]: Fatal error: Index out of range"),
                CellResult(index: 2, label: "third", fenceLine: 13, closingLine: 15, status: .notRun),
            ])
        }
        let page = try String(contentsOf: site.appendingPathComponent("01-a.html"), encoding: .utf8)
        XCTAssertFalse(page.contains("<script>"), "cell output is escaped")
        XCTAssertTrue(page.contains("&lt;script&gt;alert('x')&lt;/script&gt;"))
        XCTAssertTrue(page.contains("<title>Is 1 &lt; 2 &amp; more? — Course</title>"), page)
        XCTAssertTrue(page.contains("Lessons/01-a.md:9-11 [second]: Fatal error: Index out of range"))
        XCTAssertTrue(page.contains("<section class=\"cell notRun\" id=\"third\">"))
        XCTAssertTrue(page.contains("lines 13–15 · not run"))
        XCTAssertTrue(page.contains("class=\"error-banner\""))
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("<a href=\"01-a.html\">Is 1 &lt; 2 &amp; more?</a>"), index)
        XCTAssertTrue(index.contains("<p>Prose.</p>"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("assets/style.css").path))
    }

    func testPagesLoadNothingFromTheNetwork() throws {
        let site = try makeSite { lesson in
            OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title, status: .passed, seconds: 1, cells: [])
        }
        for name in ["index.html", "01-a.html"] {
            let page = try String(contentsOf: site.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(page.contains("src=\"http"), name)
            XCTAssertFalse(page.contains("href=\"http"), name)
            XCTAssertFalse(page.contains("//cdn"), name)
        }
    }
}

final class ObservationPageTests: XCTestCase {
    func testAnObservationPageShowsClaimNumbersRuleVerdictAndEvidence() throws {
        let lesson = try Lesson.parse(source: "# Sweep\n\n```swift label=sweep\nprint(1)\n```\n", path: "Lessons/03-sweep.md")
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title, status: .passed, seconds: 1, cells: [
            CellResult(index: 0, label: "sweep", fenceLine: 3, closingLine: 5, status: .passed, stdout: "precision 0.9 < 1\n",
                       outputs: [.table(.init(caption: "Sweep", columns: ["K", "precision"], rows: [["2", "0.5"], ["100", "0.9"]]))]),
        ])
        manifest.observations = [Observation(id: "O2", claim: "More classes, more leakage.", paper: "0.505 → 0.935", measured: "0.519 → 0.953",
                                             rule: "held if precision rises with K", verdict: .held, explanation: "Fewer records per class.",
                                             lessonID: lesson.id, cellLabel: "sweep", evidenceCells: ["sweep"])]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obs-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let assets = folder.appendingPathComponent("assets-in")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        try copyCourseAssets(to: assets)
        let site = folder.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try SiteWriter(courseTitle: "C", courseSummary: "S", profile: "quick", seed: "7",
                       observationClaims: ["O1": "Bigger training sets leak less."])
            .write([ExecutedLesson(lesson: lesson, manifest: manifest)], to: site, assets: assets)
        let page = try String(contentsOf: site.appendingPathComponent("O2.html"), encoding: .utf8)
        for expected in ["<h1>O2: More classes, more leakage.</h1>", "<span class=\"badge held\">held</span>", "0.505 → 0.935",
                         "0.519 → 0.953", "held if precision rises with K", "Fewer records per class.",
                         "<a href=\"03-sweep.html#sweep\">", "precision 0.9 &lt; 1", "<caption>Sweep</caption>", "profile <strong>quick</strong>, seed 7"] {
            XCTAssertTrue(page.contains(expected), "missing \(expected)")
        }
        let unchecked = try String(contentsOf: site.appendingPathComponent("O1.html"), encoding: .utf8)
        XCTAssertTrue(unchecked.contains("was not checked in this run"))
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("1 of 17 held, 0 held in part, 0 did not hold, 16 not checked in this run."), index)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("observations.json"))) as! [[String: String]]
        XCTAssertEqual(json.count, 17)
        XCTAssertEqual(json[1]["verdict"], "held")
        XCTAssertEqual(json[0]["verdict"], "not checked")
    }
}

final class LinkCheckTests: XCTestCase {
    func testBrokenLinksMissingImagesAndUnknownFragmentsAreReported() throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("links-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: site) }
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try """
            <a href="b.html#there">ok</a> <a href="b.html#nowhere">bad fragment</a> <a href="missing.html">gone</a>
            <img src="fig/x.png" alt=""> <a href="https://example.org">external</a> <a href="#top">self</a><h1 id="top">T</h1>
            """.write(to: site.appendingPathComponent("a.html"), atomically: true, encoding: .utf8)
        try "<p id=\"there\">x</p>".write(to: site.appendingPathComponent("b.html"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try LinkCheck.problems(in: site), [
            "a.html: link 'b.html#nowhere' names no element with id 'nowhere'",
            "a.html: broken link 'missing.html'",
            "a.html: broken image 'fig/x.png'",
        ])
    }
}

/// Copies the course's stylesheets and deck script (the top of `Assets/`) into `folder`, as the
/// runner hands them to the site writer.
func copyCourseAssets(to folder: URL) throws {
    let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets")
    for name in ["style.css", "slides.css", "slides.js"] {
        try FileManager.default.copyItem(at: assets.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
}
