import LessonCore
import XCTest

final class SlideSectionTests: XCTestCase {
    static let source = """
        # The lesson

        What the lesson is about.

        ## First idea

        A long paragraph a lecturer would say rather than show.

        - a point for the slide
        - another point

        ```notes
        Say **this** out loud.
        ```

        ```swift label=chart slide=2
        print(1)
        ```

        ## Only prose

        The first paragraph is the slide.

        The second one is a note.

        ## Left off

        <!-- slide: skip -->

        Text that stays on the page.

        ```swift label=figures slide
        print(2)
        ```

        ## A formula

        ```math
        x^2
        ```
        """

    func testEachSecondLevelSectionIsASlideWithItsListsNotesAndCells() throws {
        let sections = try Lesson.parse(source: Self.source, path: "Lessons/01-a.md").slides
        XCTAssertEqual(sections.map(\.titleHTML), ["First idea", "Only prose", "Left off", "A formula"])
        let first = sections[0]
        XCTAssertEqual(first.body.count, 1, "only the list goes on the slide")
        XCTAssertTrue(first.body[0].contains("<li>a point for the slide</li>"), first.body[0])
        XCTAssertTrue(first.notesHTML.contains("Say <strong>this</strong> out loud."), "the notes block, rendered: \(first.notesHTML)")
        XCTAssertFalse(first.notesHTML.contains("long paragraph"), "a notes block replaces the prose as notes")
        XCTAssertEqual(first.cells, [0])
        XCTAssertEqual(first.line, 5)
    }

    func testASectionWithoutListsShowsItsFirstParagraphAndKeepsTheRestAsNotes() throws {
        let section = try Lesson.parse(source: Self.source, path: "Lessons/01-a.md").slides[1]
        XCTAssertEqual(section.body, ["<p>The first paragraph is the slide.</p>\n"])
        XCTAssertTrue(section.notesHTML.contains("The second one is a note."))
    }

    func testASkippedSectionKeepsItsCellsAndFormulasGoOnTheSlide() throws {
        let sections = try Lesson.parse(source: Self.source, path: "Lessons/01-a.md").slides
        XCTAssertTrue(sections[2].skip)
        XCTAssertEqual(sections[2].cells, [1])
        XCTAssertFalse(sections[1].skip)
        XCTAssertEqual(sections[3].body.count, 1)
        XCTAssertTrue(sections[3].body[0].hasPrefix("<math"), sections[3].body[0])
    }

    func testNotesStayOffTheLessonPage() throws {
        let page = try Lesson.parse(source: Self.source, path: "Lessons/01-a.md").prose
        let html = page.compactMap { if case .html(let h) = $0 { h } else { nil } }.joined()
        XCTAssertFalse(html.contains("out loud"))
        XCTAssertTrue(html.contains("A long paragraph"))
    }

    func testNestedNotesAFigureBeforeTheFirstSectionAndSubheadingsFindTheirPlace() throws {
        let source = """
            # Title

            The summary.

            ```swift label=early slide
            print(0)
            ```

            ## A section

            ### A signpost

            - a point
              ```notes
              Nested notes.
              ```
            """
        let sections = try Lesson.parse(source: source, path: "Lessons/01-a.md").slides
        XCTAssertEqual(sections.count, 2)
        XCTAssertTrue(sections[0].skip, "before the first ## only the picked figure counts")
        XCTAssertEqual(sections[0].titleHTML, "Title")
        XCTAssertEqual(sections[0].cells, [0])
        XCTAssertFalse(sections[1].body.joined().contains("Nested notes"), "notes never go on the slide")
        XCTAssertTrue(sections[1].notesHTML.contains("Nested notes."))
        XCTAssertFalse(sections[1].body.joined().contains("signpost"), "a ### heading is not the slide's text")
    }

    func testTheSlideOptionPicksFiguresByNumber() throws {
        let cells = try Lesson.parse(source: Self.source, path: "Lessons/01-a.md").cells
        XCTAssertEqual(cells[0].options.slideFigures, .numbers([2]))
        XCTAssertEqual(cells[1].options.slideFigures, .all)
        XCTAssertFalse(CellOptions.SlideFigures.numbers([2]).includes(0))
        XCTAssertTrue(CellOptions.SlideFigures.numbers([1, 3]).includes(2))
        let bad = "# T\n\n```swift slide=0+x\nprint(1)\n```\n"
        XCTAssertThrowsError(try Lesson.parse(source: bad, path: "Lessons/02-x.md")) { error in
            XCTAssertTrue("\(error)".hasPrefix("Lessons/02-x.md:3:10: error: cell option 'slide' takes figure numbers from 1"), "\(error)")
        }
    }
}
