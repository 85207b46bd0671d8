import CourseCLI
import LessonCore
import LessonRuntime
import XCTest

final class ManifestAssemblerTests: XCTestCase {
    let lesson = try! Lesson.parse(source: """
        # Trap

        ```swift label=setup
        print("one")
        ```

        ```swift label=boom
        print("two")
        ```

        ```swift label=after
        print("three")
        ```
        """, path: "Lessons/03-trap.md")

    func marker(_ kind: String, _ index: Int) -> String { CellMarker.line(token: "t0k", kind: kind, index: index) }

    func testStdoutIsSplitPerCellByMarkers() {
        let stdout = "noise" + marker("begin", 0) + "one\nno newline" + marker("end", 0) + marker("begin", 1) + "two\n" + marker("end", 1)
        XCTAssertEqual(ManifestAssembler.splitStdout(stdout, token: "t0k"), [0: "one\nno newline", 1: "two\n"])
        XCTAssertEqual(ManifestAssembler.splitStdout(marker("begin", 0) + "x" + CellMarker.line(token: "other", kind: "end", index: 0), token: "t0k"),
                       [0: "x" + CellMarker.line(token: "other", kind: "end", index: 0)],
                       "markers with another token are ordinary text")
    }

    func testATrapIsBlamedOnTheCellThatBeganAndDidNotEnd() {
        let stdout = marker("begin", 0) + "one\n" + marker("end", 0) + marker("begin", 1) + "two\n"
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [.begin(cell: 0), .end(cell: 0, seconds: 0.5), .begin(cell: 1)],
            stdout: stdout, stderr: "Swift/ContiguousArrayBuffer.swift:691: Fatal error: Index out of range\n",
            token: "t0k", exit: .signalled(4), seconds: 1)
        XCTAssertEqual(manifest.status, .failed)
        XCTAssertEqual(manifest.cells.map(\.status), [.passed, .failed, .notRun])
        XCTAssertEqual(manifest.cells[1].stdout, "two\n", "text printed before the trap is kept")
        XCTAssertEqual(manifest.cells[1].error, "Lessons/03-trap.md:7-9 [boom]: Fatal error: Index out of range")
    }

    func testAFatalErrorInTheLessonsOwnCodeNamesTheLine() {
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [.begin(cell: 0)], stdout: "",
            stderr: "Lessons/03-trap.md:4: Fatal error: shadow data ran out\n",
            token: "t0k", exit: .signalled(4), seconds: 1)
        XCTAssertEqual(manifest.cells[0].error, "Lessons/03-trap.md:3-5 [setup]: Fatal error: shadow data ran out (at line 4)")
    }

    func testAThrownErrorIsReportedWithItsDescription() {
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [.begin(cell: 0), .error(cell: 0, message: "file not found")], stdout: "",
            stderr: "", token: "t0k", exit: .exited(1), seconds: 1)
        XCTAssertEqual(manifest.cells[0].error, "Lessons/03-trap.md:3-5 [setup]: threw an error: file not found")
    }

    func testAKillWithoutAMessageSaysWhichSignal() {
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [.begin(cell: 0), .end(cell: 0, seconds: 1), .begin(cell: 1)], stdout: "",
            stderr: "", token: "t0k", exit: .signalled(9), seconds: 1)
        XCTAssertEqual(manifest.cells[1].error, "Lessons/03-trap.md:7-9 [boom]: the lesson process was killed by signal 9 (SIGKILL)")
    }

    func testACrashBeforeAnyCellFailsTheLessonNotACell() {
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [], stdout: "", stderr: "boom\n", token: "t0k", exit: .exited(1), seconds: 1)
        XCTAssertEqual(manifest.status, .failed)
        XCTAssertEqual(manifest.cells.map(\.status), [.notRun, .notRun, .notRun])
        XCTAssertEqual(manifest.lessonError, "Lessons/03-trap.md: the lesson process failed outside any cell: the lesson process exited with status 1\nboom")
    }

    func testHugeOutputIsTruncatedWithACount() {
        let big = String(repeating: "x", count: ManifestAssembler.stdoutLimit + 10)
        let manifest = ManifestAssembler.assemble(
            lesson: lesson, events: [.begin(cell: 0), .end(cell: 0, seconds: 1), .begin(cell: 1), .end(cell: 1, seconds: 1), .begin(cell: 2), .end(cell: 2, seconds: 1)],
            stdout: marker("begin", 0) + big + marker("end", 0), stderr: "", token: "t0k", exit: .exited(0), seconds: 1)
        XCTAssertEqual(manifest.status, .passed)
        XCTAssertEqual(manifest.cells[0].stdout.utf8.count, ManifestAssembler.stdoutLimit)
        XCTAssertEqual(manifest.cells[0].stdoutTruncatedBytes, 10)
    }
}
