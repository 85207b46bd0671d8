import LessonCore
import TestSupport
import XCTest

final class TanglerTests: XCTestCase {
    func testTheGeneratedSwiftMatchesItsGoldenFile() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        try assertGolden(try Tangler.swiftSource(for: lesson), named: "structures.swift.txt")
    }

    func testTheGeneratedFileCarriesTheParsedLessonSoNoLaterStageParsesTheMarkdown() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        let swift = try Tangler.swiftSource(for: lesson)
        let literal = try XCTUnwrap(swift.components(separatedBy: "static let encodedLesson = \"").dropFirst().first?
            .components(separatedBy: "\"").first)
        let carried = try Lesson.decoded(from: XCTUnwrap(Data(base64Encoded: literal)))
        XCTAssertEqual(carried, lesson, "cells, prose and slides come back exactly as parsed")
        XCTAssertFalse(carried.prose.isEmpty)
        XCTAssertEqual(carried.prose.filter { if case .cell = $0 { true } else { false } }.count, lesson.cells.count)
    }

    func testImportsAreHoistedAndTheirLineLeftBlank() throws {
        let source = "# T\n\n```swift\nlet a = 1\nimport Foundation\n@testable import Charts\nprint(a)\n```\n"
        let swift = try Tangler.swiftSource(for: try Lesson.parse(source: source, path: "Lessons/01-t.md"))
        let functionBody = swift.components(separatedBy: "private func").last!
        XCTAssertFalse(functionBody.contains("import"), functionBody)
        XCTAssertTrue(swift.contains("#sourceLocation(file: \"Lessons/01-t.md\", line: 6)\n@testable import Charts"), swift)
        XCTAssertTrue(functionBody.contains("#sourceLocation(file: \"Lessons/01-t.md\", line: 4)\nlet a = 1\n\n\nprint(a)\n"), functionBody)
    }

    func testEveryRunningCellIsBracketedByBeginAndEnd() throws {
        let lesson = try Lesson.parse(source: fixture("structures.md"), path: "Lessons/07-structures.md")
        let swift = try Tangler.swiftSource(for: lesson)
        for cell in lesson.cells {
            XCTAssertEqual(swift.contains("__mil_cells.begin(\(cell.index))"), cell.runs, "cell \(cell.index)")
        }
        XCTAssertFalse(swift.contains("this is not compiled"), "norun cells are not compiled")
    }

    func testTheRegistryListsLessonsInOrder() {
        XCTAssertTrue(Tangler.registrySource(lessonIDs: ["01-a", "02-b-c"])
            .contains("    Lesson_01_a.self,\n    Lesson_02_b_c.self,\n"))
    }

    func testFileScopeDeclarationsBecomeFileprivateWithoutMovingAColumn() throws {
        let source = """
            # T

            ```swift scope=file
            struct Helper {}
            func show(_ x: Int) { print(x) } // shadows nothing outside this lesson
            @MainActor
            final class Model {}
            extension Helper: CustomStringConvertible { var description: String { "h" } }
            private let secret = 1
            ```
            """
        let swift = try Tangler.swiftSource(for: try Lesson.parse(source: source, path: "Lessons/01-t.md"))
        let expected = [
            "#sourceLocation(file: \"Lessons/01-t.md\", line: 3)",
            " fileprivate ",
            "struct Helper {}; fileprivate ",
            "func show(_ x: Int) { print(x) } // shadows nothing outside this lesson",
            "@MainActor fileprivate ",
            "final class Model {}",
            "extension Helper: CustomStringConvertible { var description: String { \"h\" } }",
            "private let secret = 1",
        ].joined(separator: "\n")
        XCTAssertTrue(swift.contains(expected), swift)
    }

    func testADeclarationAfterADirectiveOrAClosingMultiLineStringStillCompiles() throws {
        let source = "# T\n\n```swift scope=file\n#if DEBUG\nfunc debugOnly() {}\n#endif\nlet text = \"\"\"\n  a\n  \"\"\"\nfunc after() {}\n```\n"
        let swift = try Tangler.swiftSource(for: try Lesson.parse(source: source, path: "Lessons/01-t.md"))
        XCTAssertTrue(swift.contains("#if DEBUG\nfileprivate func debugOnly() {}\n#endif\nfileprivate let text"), swift)
        XCTAssertTrue(swift.contains("  \"\"\"; fileprivate \nfunc after() {}"), swift)
    }
}
