import Foundation
import PNGCodec
import XCTest

/// Builds a small course from fixture lessons with the real Tangle plugin and runner, then checks
/// what a lesson author sees: build diagnostics, the command's exit and summary, and the pages.
///
/// The fixture package lives in `.build-fixtures/course` (ignored by git) and is rebuilt incrementally. Its first
/// build compiles this package's targets once more (a minute or so); `make test` does that before the tests.
/// A test that edits the course puts its files back; the binary built from the laid-out files is then put back
/// too (`putBackTheLaidOutBinary`) rather than linked again.
final class FixtureCourseTests: XCTestCase {
    static let course = packageRoot.appendingPathComponent(".build-fixtures/course")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var lessons: URL { course.appendingPathComponent("Lessons") }
    static var binary: String { course.appendingPathComponent(".build/debug/course").path }

    /// Lays out the fixture package with lessons 01–04 (the script `make test` runs before the tests, which also
    /// builds it once, so the first test here does not pay for compiling this package again).
    override class func setUp() {
        super.setUp()
        do {
            let layOut = try runCommand(fixtures.appendingPathComponent("lay-out-course").path,
                                        [packageRoot.path, course.path], in: packageRoot)
            XCTAssertEqual(layOut.status, 0, "could not lay out the fixture course: \(layOut.output)")
        } catch {
            XCTFail("could not lay out the fixture course: \(error)")
        }
        laidOut = sourceInputs()
        laidOutBinary = nil
        try? FileManager.default.removeItem(at: laidOutCopy)
    }

    /// What the fixture binary was built from when `swift build` last succeeded: the lessons, the course's own
    /// sources and `Package.swift` with their bytes, and the binary's date and size (the runner rebuilds it when a
    /// lesson changes under it). Not this package's sources, which do not change while the tests run.
    nonisolated(unsafe) static var lastBuiltFrom: [String: Data]?

    /// The files the fixture binary is built from: lessons, the course's own sources and `Package.swift`.
    static func sourceInputs() -> [String: Data] {
        var inputs: [String: Data] = [:]
        let fm = FileManager.default
        inputs["Package.swift"] = (try? Data(contentsOf: course.appendingPathComponent("Package.swift"))) ?? Data()
        for folder in [lessons, course.appendingPathComponent("Sources/course")] {
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let file = folder.appendingPathComponent(name)
                var isFolder: ObjCBool = false
                guard fm.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
                inputs[file.path] = (try? Data(contentsOf: file)) ?? Data()
            }
        }
        return inputs
    }

    /// `sourceInputs` and the binary's date and size.
    static func buildInputs() -> [String: Data] {
        var inputs = sourceInputs()
        let attributes = try? FileManager.default.attributesOfItem(atPath: binary)
        let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = attributes?[.size] as? Int ?? -1
        inputs[binary] = Data("\(date) \(size)".utf8)
        return inputs
    }

    /// Runs `swift build` in the fixture course. A build that fails leaves the binary as it was (if it did not,
    /// its date or size changed and the next `assertFixtureBuilds` builds again), so what it was built from stays known.
    func swiftBuild() throws -> CommandResult {
        let result = try runCommand(swiftExecutable, ["build"], in: Self.course)
        if result.status == 0 {
            Self.lastBuiltFrom = Self.buildInputs()
            if Self.laidOutBinary == nil, Self.sourceInputs() == Self.laidOut,
               (try? FileManager.default.copyItem(atPath: Self.binary, toPath: Self.laidOutCopy.path)) != nil {
                Self.laidOutBinary = Self.laidOutCopy
                Self.laidOutPackageCode = Self.newestPackageCode()
            }
        }
        return result
    }

    /// The fixture's files as laid out, before any test edits them.
    nonisolated(unsafe) static var laidOut: [String: Data] = [:]
    /// A copy of the binary that `swift build` made from exactly `laidOut` in this process, once one has.
    nonisolated(unsafe) static var laidOutBinary: URL?
    static var laidOutCopy: URL { course.deletingLastPathComponent().appendingPathComponent("course-as-laid-out") }
    /// When this package's code (which the fixture binary links) last changed, as the copy was made.
    nonisolated(unsafe) static var laidOutPackageCode = Date.distantPast

    /// The newest modification date of a file under this package's `Sources/`.
    static func newestPackageCode() -> Date {
        let sources = packageRoot.appendingPathComponent("Sources")
        var newest = Date.distantPast
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey])
        while let file = files?.nextObject() as? URL {
            if let date = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, date > newest { newest = date }
        }
        return newest
    }

    /// Puts back the binary built from the laid-out files when those are the files again (a test that added or
    /// edited lessons has put them back): the same bytes `swift build` would link again, two seconds or more
    /// sooner. It gets the current time, so the runner finds no source newer than itself. Its lessons are
    /// compiled into it, so the runner still refuses it if they ever differed from the files. SwiftPM sees the
    /// binary it linked has changed and links again at its next build.
    func putBackTheLaidOutBinary() -> Bool {
        // Not when this package's code changed since the copy was made: the put-back binary's new date would hide it.
        guard let copy = Self.laidOutBinary, Self.sourceInputs() == Self.laidOut,
              Self.newestPackageCode() <= Self.laidOutPackageCode else { return false }
        let fm = FileManager.default
        let staged = Self.binary + ".restoring"
        try? fm.removeItem(atPath: staged)
        guard (try? fm.copyItem(atPath: copy.path, toPath: staged)) != nil,
              (try? fm.setAttributes([.modificationDate: Date()], ofItemAtPath: staged)) != nil,
              rename(staged, Self.binary) == 0 else { try? fm.removeItem(atPath: staged); return false }
        Self.lastBuiltFrom = Self.buildInputs()
        return true
    }

    /// Builds the fixture course, unless nothing it is built from has changed since the last successful build
    /// (SwiftPM would find nothing to do; asking it costs a second or more, at the start of most tests here)
    /// or the files are the laid-out ones again, whose binary is kept.
    func assertFixtureBuilds(line: UInt = #line) throws {
        if let built = Self.lastBuiltFrom, built == Self.buildInputs() { return }
        if putBackTheLaidOutBinary() { return }
        let build = try swiftBuild()
        XCTAssertEqual(build.status, 0, String(build.output.suffix(3_000)), line: line)
    }

    /// After a test put its files back: the laid-out binary again, or a build.
    func rebuildAfterRestoring() {
        if !putBackTheLaidOutBinary() { _ = try? swiftBuild() }
    }

    func addLesson(_ name: String) throws {
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("extra/\(name)"),
                                         to: Self.lessons.appendingPathComponent(name))
    }

    func removeLesson(_ name: String) {
        try? FileManager.default.removeItem(at: Self.lessons.appendingPathComponent(name))
    }

    func testBuildingRunsEveryLessonReportsFailuresAndStillWritesEveryPage() throws {
        let build = try swiftBuild()
        XCTAssertEqual(build.status, 0, build.output)
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-site-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }

        let result = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        XCTAssertEqual(result.status, 1, "a failing lesson makes the command fail\n\(result.output)")
        XCTAssertTrue(result.stdout.contains("Built 4 lessons in "), result.stdout)
        XCTAssertTrue(result.stdout.contains(": 2 passed, 2 failed (02-traps, 04-throws). Site: \(site.path)/index.html"), result.stdout)
        XCTAssertTrue(result.stderr.contains("Lessons/02-traps.md:8-11 [explode]: Fatal error: Index out of range"), result.stderr)

        // The trapping lesson's page: earlier output kept, the blamed cell named, later cells not run.
        let traps = try String(contentsOf: site.appendingPathComponent("02-traps.html"), encoding: .utf8)
        XCTAssertTrue(traps.contains("Lessons/02-traps.md:8-11 [explode]: Fatal error: Index out of range"), traps)
        XCTAssertTrue(traps.contains("<pre class=\"stdout\">about to read past the end\n</pre>"), traps)
        XCTAssertTrue(traps.contains("<section class=\"cell notRun\" id=\"never\">"), traps)
        XCTAssertFalse(traps.contains("this never prints\n</pre>"))

        // A thrown error is blamed on its cell too.
        let throwsPage = try String(contentsOf: site.appendingPathComponent("04-throws.html"), encoding: .utf8)
        XCTAssertTrue(throwsPage.contains("Lessons/04-throws.md:3-9 [load]: threw an error: missing data file purchase.csv"), throwsPage)

        // Lessons after a failure still ran.
        let escapes = try String(contentsOf: site.appendingPathComponent("03-escapes.html"), encoding: .utf8)
        XCTAssertTrue(escapes.contains("&lt;script&gt;alert('owned')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"), escapes)
        XCTAssertFalse(escapes.contains("<script>"))

        let passes = try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
        XCTAssertTrue(passes.contains("<pre class=\"stdout\">mean 2.3333333333333335\n</pre>"), passes)
        XCTAssertTrue(passes.contains("<td class=\"num\">4.000</td>"), passes)
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("2 of 4 lessons failed in this run"), index)

        // A second build with nothing changed reuses the lessons that passed and reruns the failing ones.
        let again = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stdout.contains("(2 ran, 2 reused unchanged): 2 passed, 2 failed (02-traps, 04-throws)"), again.stdout)
        XCTAssertTrue(again.stderr.contains("01-passes: unchanged, reusing the previous run's results"), again.stderr)
        let reusedPage = try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
        XCTAssertTrue(reusedPage.contains("<td class=\"num\">4.000</td>"), "a reused lesson's page is complete")
        let forced = try runCommand(Self.binary, ["build", "--output", site.path, "--force"], in: Self.course)
        XCTAssertFalse(forced.stdout.contains("reused"), forced.stdout)

        // A prose-only edit re-renders the page without running the lesson again.
        let lessonFile = Self.lessons.appendingPathComponent("01-passes.md")
        let original = try String(contentsOf: lessonFile, encoding: .utf8)
        defer { try? original.write(to: lessonFile, atomically: true, encoding: .utf8) }
        try original.replacingOccurrences(of: "It computes something small", with: "It computes, freshly reworded, something small")
            .write(to: lessonFile, atomically: true, encoding: .utf8)
        try assertFixtureBuilds()
        let prose = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        XCTAssertTrue(prose.stderr.contains("01-passes: unchanged, reusing the previous run's results"), prose.stderr)
        let edited = try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
        XCTAssertTrue(edited.contains("freshly reworded"), "the page shows the new prose")
        try original.write(to: lessonFile, atomically: true, encoding: .utf8)
        try assertFixtureBuilds()
    }

    func testABuildKilledMidwayLeavesThePreviousSiteIntact() throws {
        try assertFixtureBuilds()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("killed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        _ = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        let before = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)

        try addLesson("09-slow.md")
        defer { removeLesson("09-slow.md"); rebuildAfterRestoring() }
        try assertFixtureBuilds()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["build", "--output", site.path, "--force"]
        process.currentDirectoryURL = Self.course
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the slow lesson is running, then kill the build (and its lesson process) hard.
        let deadline = Date().addingTimeInterval(60)
        let parent = site.deletingLastPathComponent()
        func staging() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).filter { $0.hasPrefix(".\(site.lastPathComponent).partial-") }
        }
        while Date() < deadline {
            if let folder = staging().first,
               FileManager.default.fileExists(atPath: parent.appendingPathComponent(folder).appendingPathComponent("09-slow").path) { break }
            usleep(100_000)
        }
        let child = waitForChild(of: process.processIdentifier, running: "run-lesson 09-slow")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let child { XCTAssertTrue(isGone(child), "a lesson process dies with its runner, even one killed hard") }

        XCTAssertEqual(try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8), before,
                       "the previous site is untouched")
        XCTAssertFalse(staging().isEmpty, "the killed build left its staging folder")
        removeLesson("09-slow.md")
        try assertFixtureBuilds()
        _ = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        XCTAssertTrue(staging().isEmpty, "the next build removes the killed build's leftovers")
    }

    func testEveryBadLessonIsReportedInItsCoordinatesByCheckAndStopsTheBuildLeavingTheSiteAlone() throws {
        try assertFixtureBuilds()
        let cases: [(name: String, bytes: Data, message: String)] = [
            ("10-unterminated.md", Data("# T\n\n```swift\nprint(1)\n".utf8),
             "Lessons/10-unterminated.md:3:1: error: code fence opened here is never closed; add a closing ```"),
            ("11-unknown-option.md", Data("# T\n\n```swift fast=yes\n```\n".utf8),
             "Lessons/11-unknown-option.md:3:10: error: unknown cell option 'fast'"),
            ("12-empty.md", Data("\n".utf8), "Lessons/12-empty.md:1:1: error: the lesson is empty"),
            ("13-untitled.md", Data("Some text.\n".utf8), "Lessons/13-untitled.md:1:1: error: the lesson has no title"),
            ("14-latin1.md", Data([0x23, 0x20, 0x54, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A]),
             "Lessons/14-latin1.md:2:4: error: the file is not UTF-8 text"),
            ("15-duplicate.md", Data("# T\n\n```swift label=step\n```\n\n```swift label=step\n```\n".utf8),
             "Lessons/15-duplicate.md:6:1: error: duplicate cell label 'step'"),
            ("16-bad-math.md", Data("# T\n\nSee $`\\frak{x}`$.\n".utf8),
             "Lessons/16-bad-math.md:3:7: error: unknown TeX command '\\frak' in math"),
        ]
        // `check --parse-only` names every problem in every file at once.
        let check = try checkOnDisk(Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0.bytes) }))
        XCTAssertEqual(check.status, 1, check.output)
        for bad in cases { XCTAssertTrue(check.stdout.contains(bad.message), "\(bad.name):\n\(check.stdout)") }
        XCTAssertTrue(check.stdout.contains("Lessons/01-passes.md: ok (3 cells)"), check.stdout)

        // The build stops at a bad lesson with the same words and the site stays as it was: a lesson that
        // does not parse, and one whose math does not.
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        _ = try runCommand(Self.binary, ["build", "--output", site.path], in: Self.course)
        let before = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        for bad in cases where ["10-unterminated.md", "16-bad-math.md"].contains(bad.name) {
            let url = Self.lessons.appendingPathComponent(bad.name)
            try bad.bytes.write(to: url)
            let build = try swiftBuild()
            try FileManager.default.removeItem(at: url)
            XCTAssertNotEqual(build.status, 0, bad.name)
            XCTAssertTrue(build.output.contains(bad.message), "\(bad.name):\n\(build.output.suffix(2_000))")
            XCTAssertEqual(try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8), before, bad.name)
        }
        let recovered = try swiftBuild()
        XCTAssertEqual(recovered.status, 0, "with the bad lessons gone the course builds again\n\(recovered.output.suffix(2_000))")
    }

    func testCheckNamesWhatItCannotReadInTheSystemsWordsNotAFoundationDump() throws {
        try assertFixtureBuilds()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unreadable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Lessons/02-folder.md"), withIntermediateDirectories: true)
        let check = try runCommand(Self.binary, ["check", "--parse-only"], in: folder)
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.stdout.contains("Lessons/02-folder.md:1:1: error: cannot read the file: Is a directory"), check.output)
        let missing = try runCommand(Self.binary, ["check", "--parse-only", "--lessons-folder", "/no/such/lessons"], in: folder)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("cannot read the lessons folder /no/such/lessons: No such file or directory"), missing.output)
        XCTAssertFalse(missing.output.contains("NSCocoaErrorDomain"), missing.output)
    }

    /// Runs `check --parse-only` in a scratch folder whose `Lessons/` holds the fixture's first lesson and `files`.
    func checkOnDisk(_ files: [String: Data]) throws -> CommandResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parse-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lessons = folder.appendingPathComponent("Lessons")
        try FileManager.default.createDirectory(at: lessons, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("lessons/01-passes.md"),
                                         to: lessons.appendingPathComponent("01-passes.md"))
        for (name, bytes) in files { try bytes.write(to: lessons.appendingPathComponent(name)) }
        return try runCommand(Self.binary, ["check", "--parse-only"], in: folder)
    }

    func testAnOutputFolderThatCannotBeWrittenIsAClearError() throws {
        try assertFixtureBuilds()
        let result = try runCommand(Self.binary, ["build", "--output", "/proc/no-such-place/site"], in: Self.course)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("cannot write the site to /proc/no-such-place/site"), result.stderr)
    }

    func testANewLessonFileIsBuiltWithoutTouchingAnyOtherFile() throws {
        try assertFixtureBuilds()
        try addLesson("05-new.md")
        defer { removeLesson("05-new.md") }
        let build = try swiftBuild()
        XCTAssertEqual(build.status, 0, build.output)
        let list = try runCommand(Self.binary, ["list"], in: Self.course)
        XCTAssertTrue(list.stdout.contains("05-new\tA lesson added later\t1 cell\tLessons/05-new.md"), list.stdout)
    }

    func testATypeErrorInACellIsReportedAtTheLessonsLineAndColumn() throws {
        try addLesson("06-type-error.md")
        defer { removeLesson("06-type-error.md") }
        let build = try swiftBuild()
        XCTAssertNotEqual(build.status, 0)
        XCTAssertTrue(build.output.contains("Lessons/06-type-error.md:6:18: error: cannot convert value of type 'String' to specified type 'Int'"), build.output)
        XCTAssertFalse(build.output.contains("__mil_cells") || build.output.contains("#sourceLocation"),
                       "the compiler quotes the lesson's line, not the generated file\n\(build.output)")
    }

    func testADuplicateLabelStopsTheBuildNamingBothLines() throws {
        try addLesson("07-duplicate-label.md")
        defer { removeLesson("07-duplicate-label.md") }
        let build = try swiftBuild()
        XCTAssertNotEqual(build.status, 0)
        XCTAssertTrue(build.output.contains("Lessons/07-duplicate-label.md:7:1: error: duplicate cell label 'step'"), build.output)
        XCTAssertTrue(build.output.contains("Lessons/07-duplicate-label.md:3: note: 'step' was first used here"), build.output)
    }
}

/// What the runner does with lessons that misbehave at run time, and what makes it run a lesson again.
extension FixtureCourseTests {
    func testMegabytesOfOutputNaNTrainingAndAMissingDataFileAreEachReportedAndTheRestOfTheSiteIsWritten() throws {
        for name in ["10-loud.md", "11-nan.md", "12-missing-data.md"] { try addLesson(name) }
        defer {
            for name in ["10-loud.md", "11-nan.md", "12-missing-data.md"] { removeLesson(name) }
            rebuildAfterRestoring()
        }
        let build = try swiftBuild()
        XCTAssertEqual(build.status, 0, build.output)
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let result = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "01-passes", "--lesson", "10-loud",
                                                  "--lesson", "11-nan", "--lesson", "12-missing-data"], in: Self.course)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stdout.contains("2 passed, 2 failed (11-nan, 12-missing-data)"), result.stdout)

        // 3 MB of output: the page keeps the first part, says how much was cut, and the next cell ran.
        let loudPage = site.appendingPathComponent("10-loud.html")
        let loud = try String(contentsOf: loudPage, encoding: .utf8)
        XCTAssertTrue(loud.contains("Output truncated: "), "the page says the output was cut")
        XCTAssertTrue(loud.contains("still here"), "the cell after the loud one ran")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: loudPage.path)[.size] as? Int)
        XCTAssertLessThan(size, 1_000_000, "the page stays small")

        // Training that diverges names the model and the epoch, on the console and on the page.
        let nanMessage = "target model (10 records, K = 2): MLPClassifier: the loss became nan in epoch 1"
        XCTAssertTrue(result.stderr.contains(nanMessage), result.stderr)
        XCTAssertTrue(try String(contentsOf: site.appendingPathComponent("11-nan.html"), encoding: .utf8).contains(nanMessage))

        // A missing data file names its path and how to get it back.
        let missing = try String(contentsOf: site.appendingPathComponent("12-missing-data.html"), encoding: .utf8)
        XCTAssertTrue(missing.contains("Assets/data/purchase-100.csv"), missing)
        XCTAssertTrue(missing.contains("git checkout -- Assets/data/purchase-100.csv"), missing)

        // The lesson that passed is on the site as usual.
        XCTAssertTrue(try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
            .contains("<td class=\"num\">4.000</td>"))
    }

    func testCheckRunsEveryLessonAndReportsWithoutWritingASite() throws {
        try assertFixtureBuilds()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try runCommand(Self.binary, ["check"], in: folder)
        XCTAssertEqual(check.status, 1, "a failing lesson fails the check\n\(check.output)")
        XCTAssertTrue(check.stdout.contains("01-passes: passed, 3 cells in "), check.stdout)
        XCTAssertTrue(check.stdout.contains("02-traps: FAILED, 3 cells in "), check.stdout)
        XCTAssertTrue(check.stdout.contains("  Lessons/04-throws.md:3-9 [load]: threw an error: missing data file purchase.csv"), check.stdout)
        XCTAssertTrue(check.stdout.contains("2 of 4 lessons passed; 0 of 0 observations held (profile quick, seed 2017, "), check.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "nothing written where it ran")
        let parse = try runCommand(Self.binary, ["check", "--parse-only"], in: Self.course)
        XCTAssertEqual(parse.status, 0, parse.output)
        XCTAssertTrue(parse.stdout.contains("Lessons/01-passes.md: ok (3 cells)"), parse.stdout)
    }

    func testTwoLessonsAtATimeGiveTheSameSiteAsOne() throws {
        try assertFixtureBuilds()
        let one = FileManager.default.temporaryDirectory.appendingPathComponent("jobs1-\(UUID().uuidString)")
        let two = FileManager.default.temporaryDirectory.appendingPathComponent("jobs2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: one); try? FileManager.default.removeItem(at: two) }
        let sequential = try runCommand(Self.binary, ["build", "--output", one.path, "--jobs", "1"], in: Self.course)
        let parallel = try runCommand(Self.binary, ["build", "--output", two.path, "--jobs", "2"], in: Self.course)
        XCTAssertEqual(parallel.status, sequential.status)
        XCTAssertTrue(parallel.stdout.contains("2 passed, 2 failed (02-traps, 04-throws)"), parallel.stdout)
        // Each lesson's live log lines carry its id when several run at once.
        XCTAssertTrue(parallel.stderr.contains("02-traps: running"), parallel.stderr)
        for page in ["01-passes.html", "02-traps.html", "03-escapes.html", "04-throws.html"] {
            // Timings differ from run to run; everything else on the page is the same.
            func withoutTimes(_ url: URL) throws -> String {
                try String(contentsOf: url.appendingPathComponent(page), encoding: .utf8)
                    .replacingOccurrences(of: #"[0-9.]+ (ms|s)\b"#, with: "T", options: .regularExpression)
            }
            XCTAssertEqual(try withoutTimes(two), try withoutTimes(one), page)
        }
    }

    func testASweepOverTwoSeedsWritesEachSeedsSiteAndTheSpreadAndReusesBothNextTime() throws {
        try assertFixtureBuilds()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let arguments = ["build", "--output", site.path, "--lesson", "01-passes", "--seeds", "7,8", "--jobs", "2"]
        let first = try runCommand(Self.binary, arguments, in: Self.course)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.stdout.contains("Built 2 lessons") && first.stdout.contains("(2 seeds)"), first.stdout)
        XCTAssertTrue(first.stderr.contains("01-passes, seed 8: running"), first.stderr)
        for page in ["01-passes.html", "seeds/8/01-passes.html", "seeds/8/O1.html", "seeds/8/assets/style.css"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(page).path), page)
        }
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("This build ran the course for 2 seeds (7, 8)"), index)
        let o1 = try String(contentsOf: site.appendingPathComponent("O1.html"), encoding: .utf8)
        XCTAssertTrue(o1.contains("not checked in any of the 2 seeds"), o1)
        XCTAssertTrue(o1.contains("<a href=\"seeds/8/O1.html\">8</a>"), o1)
        let seedPage = try String(contentsOf: site.appendingPathComponent("seeds/8/01-passes.html"), encoding: .utf8)
        XCTAssertTrue(seedPage.contains("This site is seed 8 of a build over the seeds 7, 8."), seedPage)
        XCTAssertTrue(seedPage.contains("seed 8"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("observations.json"))) as? [[String: Any]])
        XCTAssertEqual((json[0]["seeds"] as? [[String: String]])?.map { $0["seed"]! }, ["7", "8"])

        let again = try runCommand(Self.binary, arguments, in: Self.course)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("0 ran, 2 reused unchanged"), again.stdout)
    }

    func testASweepOfSomeLessonsOverAOneSeedSiteKeepsEachSeedsOwnResultsAndFindsThemWhenTheSeedsAreReordered() throws {
        try assertFixtureBuilds()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("resweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        let one = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(one.status, 0, one.output)

        let sweep = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "03-escapes", "--seeds", "2017,5"], in: Self.course)
        XCTAssertEqual(sweep.status, 0, sweep.output)
        XCTAssertTrue(sweep.stderr.contains("[kept] 01-passes"), sweep.stderr)
        for page in ["01-passes.html", "03-escapes.html", "seeds/5/03-escapes.html", "seeds/5/index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(page).path), page)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("seeds/5/01-passes.html").path),
                       "seed 5 never ran 01-passes, so its site has no page for it")

        // The seeds in the other order: each seed's results are found where they are; only what seed 5 never ran runs.
        let reordered = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "01-passes", "--lesson", "03-escapes",
                                                     "--seeds", "5,2017"], in: Self.course)
        XCTAssertEqual(reordered.status, 0, reordered.output)
        XCTAssertTrue(reordered.stdout.contains("1 ran, 3 reused unchanged"), reordered.stdout)
        XCTAssertTrue(reordered.stderr.contains("01-passes, seed 5: running"), reordered.stderr)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("seeds/2017/01-passes/manifest.json"))) as? [String: Any]
        XCTAssertEqual(manifest?["seed"] as? String, "2017", "the manifest records its seed")
    }

    func testSweepAndExecutorOptionsThatCannotWorkAreRefusedBeforeAnythingRuns() throws {
        try assertFixtureBuilds()
        let cases: [(arguments: [String], message: String)] = [
            (["build", "--seed", "1", "--seeds", "2,3"], "give --seed or --seeds, not both"),
            (["build", "--seeds", "9-1"], "the range '9-1' runs backwards; write 1-9"),
            (["build", "--seeds", "1,x"], "'x' is not a seed"),
            (["build", "--executor", "slurm"], "--executor slurm needs --shared-dir"),
            (["build", "--executor", "slurm", "--shared-dir", "/no/such/folder"], "the shared folder '/no/such/folder' does not exist"),
            (["build", "--executor", "slurm", "--shared-dir", "Lessons"], "refusing to put Slurm job folders in \(Self.lessons.path): it is the course's Lessons folder"),
            (["build", "--executor", "slurm", "--shared-dir", ".", "-o", "_site"],
             "refusing to put Slurm job folders in \(Self.course.path): it is the course's own folder"),
            (["build", "--shared-dir", "/tmp"], "--shared-dir and --slurm-arg only go with --executor slurm"),
            (["build", "--executor", "slurm", "--shared-dir", "/tmp", "--jobs", "2"], "--jobs does not apply to --executor slurm"),
            (["build", "--jobs", "0"], "--jobs must be at least 1, not 0"),
            (["build", "--executor", "cloud"], "cloud"),
        ]
        for (arguments, message) in cases {
            let result = try runCommand(Self.binary, arguments, in: Self.course)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("running"), "\(arguments): refused before any lesson ran")
        }
        // Job folders inside the site this build replaces.
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("owned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        try FileManager.default.createDirectory(at: site.appendingPathComponent("jobs"), withIntermediateDirectories: true)
        try "".write(to: site.appendingPathComponent(".lessons-site"), atomically: true, encoding: .utf8)
        let inside = try runCommand(Self.binary, ["build", "-o", site.path, "--executor", "slurm", "--shared-dir", site.appendingPathComponent("jobs").path],
                                    in: Self.course)
        XCTAssertNotEqual(inside.status, 0)
        XCTAssertTrue(inside.stderr.contains("it is inside the site folder, which this build replaces"), inside.stderr)
    }

    func testEveryInputOfALessonsResultsDecidesWhetherItRunsAgain() throws {
        try assertFixtureBuilds()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("reuse-\(UUID().uuidString)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site); try? FileManager.default.removeItem(at: data) }
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "1,2\n".write(to: data.appendingPathComponent("records.csv"), atomically: true, encoding: .utf8)

        func runs(_ options: [String], _ why: String, line: UInt = #line) throws {
            let r = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "01-passes"] + options, in: Self.course)
            XCTAssertEqual(r.status, 0, r.output, line: line)
            XCTAssertTrue(r.stderr.contains("01-passes: running"), "\(why): expected the lesson to run\n\(r.stderr)", line: line)
        }
        func isReused(_ options: [String], line: UInt = #line) throws {
            let r = try runCommand(Self.binary, ["build", "--output", site.path, "--lesson", "01-passes"] + options, in: Self.course)
            XCTAssertEqual(r.status, 0, r.output, line: line)
            XCTAssertTrue(r.stderr.contains("01-passes: unchanged, reusing"), "expected reuse\n\(r.stderr)", line: line)
        }
        try runs([], "first build")
        try isReused([])
        try runs(["--seed", "9"], "another seed")
        try isReused(["--seed", "9"])
        let smoke = ["--seed", "9", "--profile", "smoke"]
        try runs(smoke, "another profile")
        let withData = smoke + ["--data-dir", data.path]
        try runs(withData, "a data folder")
        try isReused(withData)
        try "1,3\n".write(to: data.appendingPathComponent("records.csv"), atomically: true, encoding: .utf8)
        try runs(withData, "a changed data file")
        try runs(withData + ["--no-cache"], "--no-cache")

        // A changed cell option (not code, not prose) reruns it too.
        let lessonFile = Self.lessons.appendingPathComponent("01-passes.md")
        let original = try String(contentsOf: lessonFile, encoding: .utf8)
        defer { try? original.write(to: lessonFile, atomically: true, encoding: .utf8); rebuildAfterRestoring() }
        try original.replacingOccurrences(of: "```swift label=table", with: "```swift label=table echo=false")
            .write(to: lessonFile, atomically: true, encoding: .utf8)
        try assertFixtureBuilds()
        try runs(withData, "a changed cell option")
        try isReused(withData)
    }
}
