import LessonCore
import TestSupport
import XCTest

final class LessonParserTests: XCTestCase {
    func testParsesCellsInNestedTildeAndListFencesWithTheirLines() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        try assertGolden(lesson.outline, named: "structures.outline")
    }

    func testTheTitleIsTheFirstLevelOneHeadingAndTheSummaryTheFirstParagraph() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        XCTAssertEqual(lesson.title, "Ünïcödé title — with “quotes”")
        XCTAssertEqual(lesson.id, "07-structures")
        XCTAssertTrue(lesson.summaryHTML.hasPrefix("<p>The first paragraph, with <em>emphasis</em>"), lesson.summaryHTML)
    }

    /// The index shows each lesson's first paragraph as its summary, so it must be whole sentences.
    func testEveryCourseLessonsSummaryIsWholeSentences() throws {
        let lessons = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Lessons")
        let names = try FileManager.default.contentsOfDirectory(atPath: lessons.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let source = try String(contentsOf: lessons.appendingPathComponent(name), encoding: .utf8)
            let summary = try Lesson.parse(source: source, path: "Lessons/\(name)").summaryHTML
            let text = summary.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue([".", "?", "!"].contains(text.last.map(String.init) ?? ""), "\(name): the summary ends \"…\(text.suffix(30))\"")
        }
    }

    func testAFenceInsideAFourBacktickBlockIsNotACell() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        XCTAssertFalse(lesson.cells.contains { $0.code.contains("this is not a cell") })
    }

    func testCellsGetAutomaticLabelsAndOptions() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        XCTAssertEqual(lesson.cells.map(\.label), ["tilde", "in-list", "cell-3", "cell-4", "cell-5"])
        XCTAssertEqual(lesson.cells[1].column, 4, "a cell in a list item starts at the item's indentation")
        XCTAssertFalse(lesson.cells[1].options.output)
        XCTAssertFalse(lesson.cells[2].options.echo)
        XCTAssertTrue(lesson.cells[2].options.norun)
        XCTAssertEqual(lesson.cells[3].options.scope, .file)
        XCTAssertEqual(lesson.cells.map(\.runs), [true, true, false, false, true])
    }

    func testProseBecomesHTMLWithSlotsForCellsAndNoRawHTML() throws {
        let source = """
            # Title

            Some <script>alert(1)</script> text & more.

            | a | b |
            |---|---|
            | 1 | 2 |

            ```swift
            print(1)
            ```

            After.
            """
        let segments = try Lesson.parse(source: source, path: "Lessons/01-x.md").prose
        XCTAssertEqual(segments.count, 3)
        guard case .html(let before) = segments[0], case .cell(0) = segments[1], case .html(let after) = segments[2] else {
            return XCTFail("expected prose, cell 0, prose; got \(segments)")
        }
        XCTAssertFalse(before.contains("<script>"), before)
        XCTAssertTrue(before.contains("&amp; more"), before)
        XCTAssertTrue(before.contains("<table>"), before)
        XCTAssertEqual(after, "<p>After.</p>\n")
    }

    // MARK: errors in the author's coordinates

    func testAnUnknownOptionIsAnErrorAtItsColumn() {
        let source = "# T\n\n```swift label=a colour=red\nprint(1)\n```\n"
        XCTAssertThrowsError(try Lesson.parse(source: source, path: "Lessons/02-x.md")) { error in
            XCTAssertEqual(error as? LessonError, LessonError(
                path: "Lessons/02-x.md", line: 3, column: 18,
                message: "unknown cell option 'colour'; known options: label, echo, output, norun, scope, timeout, slide"))
            XCTAssertEqual("\(error)".prefix(24), "Lessons/02-x.md:3:18: er")
        }
    }

    func testADuplicateLabelNamesBothPlaces() {
        let source = "# T\n\n```swift label=train\n```\n\ntext\n\n```swift label=train\n```\n"
        XCTAssertThrowsError(try Lesson.parse(source: source, path: "Lessons/03-x.md")) { error in
            XCTAssertEqual(error as? LessonError, LessonError(
                path: "Lessons/03-x.md", line: 8, column: 1, message: "duplicate cell label 'train'",
                notes: ["Lessons/03-x.md:3: note: 'train' was first used here"]))
        }
    }

    func testAnUnterminatedFenceIsAnErrorAtItsOpeningLine() {
        let source = "# T\n\nText.\n\n```swift\nprint(1)\n\nMore text that the fence swallowed.\n"
        XCTAssertThrowsError(try Lesson.parse(source: source, path: "Lessons/04-x.md")) { error in
            XCTAssertEqual(error as? LessonError, LessonError(
                path: "Lessons/04-x.md", line: 5, column: 1,
                message: "code fence opened here is never closed; add a closing ```"))
        }
    }

    func testALessonWithoutATitleIsAnError() {
        XCTAssertThrowsError(try Lesson.parse(source: "## Not a title\n\nText.\n", path: "Lessons/05-x.md")) { error in
            XCTAssertEqual((error as? LessonError)?.line, 1)
            XCTAssertEqual((error as? LessonError)?.message,
                           "the lesson has no title; its first level-1 heading ('# Title') names it")
        }
    }

    func testAnEmptyLessonIsAnError() {
        XCTAssertThrowsError(try Lesson.parse(source: " \n\n", path: "Lessons/06-x.md")) { error in
            XCTAssertEqual((error as? LessonError)?.message, "the lesson is empty; start it with a '# Title' heading")
        }
    }

    func testTextThatIsNotUTF8IsAnErrorAtTheBadByte() {
        var bytes = Array("# T\n\nab".utf8)
        bytes.append(0xFF)
        XCTAssertThrowsError(try Lesson.parse(data: Data(bytes), path: "Lessons/07-x.md")) { error in
            XCTAssertEqual(error as? LessonError, LessonError(path: "Lessons/07-x.md", line: 3, column: 3,
                                                              message: "the file is not UTF-8 text; save it as UTF-8"))
        }
    }

    func testABadBooleanAndAnEmptyLabelAreErrors() {
        XCTAssertThrowsError(try Lesson.parse(source: "# T\n```swift echo=no\n```\n", path: "L.md")) {
            XCTAssertEqual(($0 as? LessonError)?.message, "cell option 'echo' takes true or false, not 'no'")
        }
        XCTAssertThrowsError(try Lesson.parse(source: "# T\n```swift label=\n```\n", path: "L.md")) {
            XCTAssertEqual(($0 as? LessonError)?.message, "cell option 'label' needs a value: label=NAME")
        }
    }

    // MARK: line endings, time limits and what a cell may not do

    func testCRLFAndCRLessonsParseLikeLFWithTheSameLinesAndColumns() throws {
        let lf = "# Title\n\nText.\n\n- item\n\n   ```swift label=a\n   let x = 1\n   print(x)\n   ```\n"
        let reference = try Lesson.parse(source: lf, path: "Lessons/01-x.md")
        for ending in ["\r\n", "\r"] {
            let other = try Lesson.parse(source: lf.replacingOccurrences(of: "\n", with: ending), path: "Lessons/01-x.md")
            XCTAssertEqual(other.cells, reference.cells, "line ending \(ending.debugDescription)")
            XCTAssertEqual(other.title, "Title")
            XCTAssertEqual(other.source, lf)
        }
        XCTAssertThrowsError(try Lesson.parse(source: "# T\r\n\r\n```swift\r\nprint(1)\r\n", path: "L.md")) {
            XCTAssertEqual(($0 as? LessonError)?.line, 3, "an unclosed fence is still found, on the right line")
        }
    }

    func testATimeoutOptionTakesPositiveSeconds() throws {
        let lesson = try Lesson.parse(source: "# T\n```swift timeout=2.5\n```\n", path: "L.md")
        XCTAssertEqual(lesson.cells[0].options.timeout, 2.5)
        XCTAssertThrowsError(try Lesson.parse(source: "# T\n```swift timeout=0\n```\n", path: "L.md")) {
            XCTAssertEqual(($0 as? LessonError)?.description,
                           "L.md:2:10: error: cell option 'timeout' takes a number of seconds greater than 0, not '0'")
        }
    }

    func testACellThatClosesABraceItDidNotOpenIsAnErrorAtTheBrace() {
        let source = "# T\n\n```swift label=escape\nprint(1)\n}\nfunc outside() {\n```\n"
        XCTAssertThrowsError(try Lesson.parse(source: source, path: "Lessons/32-x.md")) {
            XCTAssertEqual(($0 as? LessonError)?.description,
                           "Lessons/32-x.md:5:1: error: this '}' closes a bracket the cell did not open; a cell must close only what it opens")
        }
    }

    func testAPublicDeclarationInAFileScopeCellIsAnError() {
        let source = "# T\n\n- list\n\n  ```swift scope=file\n  public func shared() {}\n  ```\n"
        XCTAssertThrowsError(try Lesson.parse(source: source, path: "Lessons/33-x.md")) {
            XCTAssertEqual(($0 as? LessonError)?.description,
                           "Lessons/33-x.md:6:3: error: 'public' is not allowed here: scope=file code is private to its lesson (code that several lessons share belongs in Sources/)")
        }
    }
}
