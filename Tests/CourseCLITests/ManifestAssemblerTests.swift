@testable import CourseCLI
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter
import XCTest

/// From what a lesson process reported to a manifest: per-cell text, blame, and no pass without a
/// complete, in-order report.
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

    /// Events for cells that ran one after the other, printing `texts` (stdout offsets follow them).
    func ran(_ texts: [String]) -> (events: [RunEvent], stdout: Data) {
        var events: [RunEvent] = []
        var stdout = Data()
        for (i, text) in texts.enumerated() {
            events.append(.begin(cell: i, stdout: stdout.count, stderr: 0))
            stdout.append(Data(text.utf8))
            events.append(.end(cell: i, seconds: 0.5, stdout: stdout.count, stderr: 0))
        }
        return (events, stdout)
    }

    func assemble(_ events: [RunEvent], stdout: Data = Data(), stderr: String = "", exit: ChildExit,
                  stop: ParentStop? = nil) -> OutputManifest {
        ManifestAssembler.assemble(lesson: lesson, events: events, stdout: stdout, stderr: Data(stderr.utf8),
                                   exit: exit, stop: stop, seconds: 1)
    }

    func testEachCellKeepsTheWorkItReportedAndTheReportSplitsTheTime() {
        var (events, stdout) = ran(["one\n", "two\n", "three\n"])
        events.insert(.work(cell: 1, seconds: ["training": 0.3, "drawing": 0.1]), at: 3)
        let manifest = assemble(events + [.finished], stdout: stdout, exit: .exited(0))
        XCTAssertEqual(manifest.cells[1].workSeconds, ["training": 0.3, "drawing": 0.1])
        XCTAssertNil(manifest.cells[0].workSeconds)
        let report = TimingReport.text([ExecutedLesson(lesson: lesson, manifest: manifest)], reused: [])
        let lines = report.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0].split(separator: " "), ["seconds", "total", "data", "training", "attack", "synthesis", "drawing", "other"])
        XCTAssertEqual(lines[1].split(separator: " "), ["03-trap", "1.5", "0.0", "0.3", "0.0", "0.0", "0.1", "1.1"],
                       "three cells of 0.5 s, of which 0.3 s training and 0.1 s drawing")
        XCTAssertTrue(lines.contains { $0.hasSuffix("Lessons/03-trap.md:7-9 [boom]: training 0.3, drawing 0.1") }, report)
    }

    func testStdoutIsCutPerCellAtTheReportedOffsetsWhateverItContains() {
        let (events, stdout) = ran(["one\n\u{1E}MIL:abc:end:0\nstill one\n", "two\n", "three\n"])
        let manifest = assemble(events + [.finished], stdout: stdout, exit: .exited(0))
        XCTAssertEqual(manifest.status, .passed)
        XCTAssertEqual(manifest.cells.map(\.stdout), ["one\n\u{1E}MIL:abc:end:0\nstill one\n", "two\n", "three\n"])
    }

    func testATrapIsBlamedOnTheCellThatBeganAndDidNotEnd() {
        var (events, stdout) = ran(["one\n"])
        events.append(.begin(cell: 1, stdout: stdout.count, stderr: 0))
        stdout.append(Data("two\n".utf8))
        let manifest = assemble(events + [.crash(mainThread: true, signal: 4)], stdout: stdout,
                                stderr: "Swift/ContiguousArrayBuffer.swift:691: Fatal error: Index out of range\n", exit: .signalled(4))
        XCTAssertEqual(manifest.status, .failed)
        XCTAssertEqual(manifest.cells.map(\.status), [.passed, .failed, .notRun])
        XCTAssertEqual(manifest.cells[1].stdout, "two\n", "text printed before the trap is kept")
        XCTAssertEqual(manifest.cells[1].error, "Lessons/03-trap.md:7-9 [boom]: Fatal error: Index out of range")
        XCTAssertEqual(manifest.cells[1].failure, CellFailure(.trap, "Fatal error: Index out of range"))
    }

    func testAFatalErrorInTheLessonsOwnCodeNamesTheLineInTheRuntimesOwnForm() {
        // The runtime names the place by module and file name: `lessons/03-trap.md:4`.
        let manifest = assemble([.begin(cell: 0, stdout: 0, stderr: 0), .crash(mainThread: true, signal: 4)],
                                stderr: "lessons/03-trap.md:4: Fatal error: shadow data ran out\nCurrent stack trace:\n", exit: .signalled(4))
        XCTAssertEqual(manifest.cells[0].error, "Lessons/03-trap.md:3-5 [setup]: Fatal error: shadow data ran out (at line 4)")
        XCTAssertEqual(manifest.cells[0].failure?.kind, .trap)
        XCTAssertEqual(manifest.cells[0].failure?.line, 4)
    }

    func testAFailuresReasonComesOnlyFromTheFailingCellsOwnOutput() {
        let log = "Fatal error: this is only a log line\n"
        let events: [RunEvent] = [.begin(cell: 0, stdout: 0, stderr: 0), .end(cell: 0, seconds: 0, stdout: 0, stderr: log.utf8.count),
                                  .begin(cell: 1, stdout: 0, stderr: log.utf8.count)]
        let quit = assemble(events, stderr: log, exit: .exited(3))
        XCTAssertEqual(quit.cells[1].error,
                       "Lessons/03-trap.md:7-9 [boom]: the lesson process exited with status 3 during this cell (does it call exit?); the cells after it did not run")
        let killed = assemble(events, stderr: log, exit: .signalled(9))
        XCTAssertEqual(killed.cells[1].error, "Lessons/03-trap.md:7-9 [boom]: the lesson process was killed by signal 9 (SIGKILL)")
        XCTAssertEqual(quit.cells[1].failure?.kind, .exit)
        XCTAssertEqual(killed.cells[1].failure?.kind, .signal)
    }

    func testACrashInBackgroundWorkIsBlamedOnTheCellThatStartedIt() {
        let events: [RunEvent] = [.begin(cell: 0, stdout: 0, stderr: 0), .end(cell: 0, seconds: 0, stdout: 0, stderr: 0),
                                  .begin(cell: 1, stdout: 0, stderr: 0), .crash(mainThread: false, signal: 4)]
        let manifest = assemble(events, stderr: "lessons/03-trap.md:4: Fatal error: boom\n", exit: .signalled(4))
        XCTAssertEqual(manifest.cells[1].error,
                       "Lessons/03-trap.md:7-9 [boom]: interrupted: asynchronous work started in cell 1 [setup] crashed after that cell ended: Fatal error: boom (at line 4)")
        XCTAssertEqual(manifest.cells[1].failure?.kind, .backgroundCrash)
        XCTAssertEqual(manifest.cells[1].failure?.line, 4)
    }

    func testAThrownErrorIsReportedWithItsDescription() {
        let manifest = assemble([.begin(cell: 0, stdout: 0, stderr: 0), .error(cell: 0, message: "file not found")], exit: .exited(1))
        XCTAssertEqual(manifest.cells[0].error, "Lessons/03-trap.md:3-5 [setup]: threw an error: file not found")
        XCTAssertEqual(manifest.cells[0].failure, CellFailure(.thrown, "threw an error: file not found"))
    }

    func testATimedOutCellSaysSoAndTheRestAreNotRun() {
        let manifest = assemble([.begin(cell: 0, stdout: 0, stderr: 0)], exit: .signalled(9), stop: .timedOut(cell: 0, limit: 2))
        XCTAssertEqual(manifest.cells.map(\.status), [.failed, .notRun, .notRun])
        XCTAssertEqual(manifest.cells[0].error,
                       "Lessons/03-trap.md:3-5 [setup]: timed out after 2 s (raise the limit with the cell option timeout=SECONDS or lessons build --timeout SECONDS)")
        XCTAssertEqual(manifest.cells[0].failure?.kind, .timeout)
        XCTAssertNil(manifest.cells[1].failure, "a cell that did not run did not fail")
    }

    func testNoPassWithoutEveryCellAndTheFinish() {
        let (events, stdout) = ran(["one\n", "two\n", "three\n"])
        let unfinished = assemble(events, stdout: stdout, exit: .exited(0))
        XCTAssertEqual(unfinished.status, .failed, "exit(0) after the last cell but before the runner finished")
        let skipped = assemble(Array(events.prefix(2)) + [.finished], stdout: stdout, exit: .exited(0))
        XCTAssertEqual(skipped.status, .failed)
        XCTAssertEqual(skipped.lessonError,
                       "Lessons/03-trap.md: the lesson reported that it finished, but the runner expected cell 2 [boom] to begin; the lesson's results cannot be trusted (does a cell tamper with the runner?)")
    }

    func testReportsOutOfOrderAreAFailureNeverAPass() {
        let forged: [RunEvent] = [.begin(cell: 0, stdout: 0, stderr: 0), .end(cell: 0, seconds: 0, stdout: 0, stderr: 0),
                                  .begin(cell: 2, stdout: 0, stderr: 0), .end(cell: 2, seconds: 0, stdout: 0, stderr: 0),
                                  .end(cell: 1, seconds: 0, stdout: 0, stderr: 0), .finished]
        let manifest = assemble(forged, exit: .exited(0))
        XCTAssertEqual(manifest.status, .failed)
        XCTAssertEqual(manifest.cells.map(\.status), [.passed, .notRun, .notRun])
        XCTAssertTrue(manifest.lessonError?.contains("cell 3 [after] reported its beginning, but the runner expected cell 2 [boom] to begin") ?? false,
                      manifest.lessonError ?? "")
    }

    func testACrashBeforeAnyCellFailsTheLessonNotACell() {
        let manifest = assemble([], stderr: "boom\n", exit: .exited(1))
        XCTAssertEqual(manifest.status, .failed)
        XCTAssertEqual(manifest.cells.map(\.status), [.notRun, .notRun, .notRun])
        XCTAssertEqual(manifest.lessonError, "Lessons/03-trap.md: the lesson failed before its first cell: the lesson process exited with status 1\nboom")
    }

    func testHugeOutputIsTruncatedWithACount() {
        let big = String(repeating: "x", count: ManifestAssembler.stdoutLimit + 10)
        let (events, stdout) = ran([big, "", ""])
        let manifest = assemble(events + [.finished], stdout: stdout, exit: .exited(0))
        XCTAssertEqual(manifest.status, .passed)
        XCTAssertEqual(manifest.cells[0].stdout.utf8.count, ManifestAssembler.stdoutLimit)
        XCTAssertEqual(manifest.cells[0].stdoutTruncatedBytes, 10)
    }
}
