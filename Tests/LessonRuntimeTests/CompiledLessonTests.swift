import Foundation
import LessonCore
import LessonRuntime
import XCTest

/// A compiled lesson hands back the build's parse; a binary whose payload is damaged says so in the
/// lesson's coordinates instead of running a lesson it cannot read.
final class CompiledLessonTests: XCTestCase {
    static let parsed = try! Lesson.parse(source: "# Title\n\nWords.\n\n```swift label=a\nprint(1)\n```\n\n## Part\n\nMore.\n",
                                          path: "Lessons/01-t.md")

    enum Intact: CompiledLesson {
        static let id = "01-t"
        static let sourcePath = "Lessons/01-t.md"
        static let encodedLesson = try! CompiledLessonTests.parsed.encoded().base64EncodedString()
        static func run(_ cells: CellRunner) throws {}
    }

    enum Damaged: CompiledLesson {
        static let id = "01-t"
        static let sourcePath = "Lessons/01-t.md"
        static let encodedLesson = "eyJub3QiOiJhIGxlc3NvbiJ9"  // {"not":"a lesson"}
        static func run(_ cells: CellRunner) throws {}
    }

    func testTheBinaryGivesBackTheLessonAsTheBuildParsedIt() throws {
        XCTAssertEqual(try Intact.parsed(), Self.parsed)
        XCTAssertEqual(Intact.source, Self.parsed.source)
        XCTAssertTrue(try Intact.parsed().slides.contains { $0.titleHTML == "Part" && $0.line == 9 }, "the slides travel too")
    }

    func testADamagedPayloadIsAnErrorAtTheLessonsFile() {
        XCTAssertThrowsError(try Damaged.parsed()) { error in
            XCTAssertTrue("\(error)".hasPrefix("Lessons/01-t.md:1:1: error: the lesson compiled into this binary cannot be read back"), "\(error)")
        }
    }
}
