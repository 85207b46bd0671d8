import Foundation
import XCTest

/// The author's loop: edit a lesson, build one lesson or all, and never see a stale or partial course.
extension FixtureCourseTests {
    func testBuildingOneLessonKeepsTheRestOfTheCourseAndItsReuseRecords() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("merge").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        _ = try runCommand(Self.binary, ["build", "-o", site.path], in: Self.course)
        let one = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "03-escapes", "--force"], in: Self.course)
        XCTAssertEqual(one.status, 0, one.output)
        XCTAssertTrue(one.stdout.contains("Built 1 lesson in "), one.stdout)
        XCTAssertTrue(one.stdout.contains("(3 other lessons kept from the previous site): all passed"), one.stdout)
        for page in ["01-passes.html", "02-traps.html", "03-escapes.html", "04-throws.html"] {
            XCTAssertTrue(fm.fileExists(atPath: site.appendingPathComponent(page).path), page)
        }
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("2 of 4 lessons failed"), "the index is the whole course's")
        XCTAssertTrue(try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8).contains("<td class=\"num\">4.000</td>"))

        // The reuse records survived: a full build reruns only the failing lessons.
        let full = try runCommand(Self.binary, ["build", "-o", site.path], in: Self.course)
        XCTAssertTrue(full.stdout.contains("(2 ran, 2 reused unchanged)"), full.stdout)

        // A lesson that changed but was not named keeps its earlier page, which says so.
        let file = Self.lessons.appendingPathComponent("01-passes.md")
        let original = try String(contentsOf: file, encoding: .utf8)
        defer { try? original.write(to: file, atomically: true, encoding: .utf8); rebuildAfterRestoring() }
        try original.replacingOccurrences(of: "[1.0, 2.0, 4.0]", with: "[1.0, 2.0, 7.0]")
            .replacingOccurrences(of: "It computes something small", with: "It computes something new")
            .write(to: file, atomically: true, encoding: .utf8)
        try assertFixtureBuilds()
        let other = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "03-escapes"], in: Self.course)
        XCTAssertEqual(other.status, 0, other.output)
        let kept = try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
        XCTAssertTrue(kept.contains("This page shows the lesson as it was when these results were made; its text has changed since."), kept)
        XCTAssertTrue(kept.contains("It computes something small") && kept.contains("mean 2.3333333333333335"),
                      "the earlier text with its own results, never the new text with old numbers")
        let rerun = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertTrue(rerun.stderr.contains("01-passes: running"), rerun.stderr)
        let fresh = try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8)
        XCTAssertTrue(fresh.contains("mean 3.3333333333333335") && !fresh.contains("kept-banner"), fresh)
    }

    func testALessonEditedAfterTheLastSwiftBuildIsRebuiltNotServedStale() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("stale").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        _ = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        let file = Self.lessons.appendingPathComponent("01-passes.md")
        let original = try String(contentsOf: file, encoding: .utf8)
        defer { try? original.write(to: file, atomically: true, encoding: .utf8); removeLesson("09-bad.md"); rebuildAfterRestoring() }

        // A changed number, and no `swift build`: the binary rebuilds itself and the page has the new number.
        try original.replacingOccurrences(of: "[1.0, 2.0, 4.0]", with: "[1.0, 2.0, 7.0]").write(to: file, atomically: true, encoding: .utf8)
        let edited = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(edited.status, 0, edited.output)
        XCTAssertTrue(edited.stderr.contains("The lessons changed since this binary was built (changed: Lessons/01-passes.md); running swift build…"), edited.stderr)
        XCTAssertFalse(edited.stderr.contains("unchanged, reusing"), edited.stderr)
        XCTAssertTrue(try String(contentsOf: site.appendingPathComponent("01-passes.html"), encoding: .utf8).contains("mean 3.3333333333333335"))

        // A new lesson with a type error: the lesson's own lines, no generated code, and the site is kept.
        let before = try snapshot(site)
        try "# Bad\n\n```swift\nlet n: Int = \"seven\"\n```\n".write(to: Self.lessons.appendingPathComponent("09-bad.md"), atomically: true, encoding: .utf8)
        let bad = try runCommand(Self.binary, ["build", "-o", site.path], in: Self.course)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("""
            Lessons/09-bad.md:4:14: error: cannot convert value of type 'String' to specified type 'Int'
              3 | ```swift
              4 | let n: Int = "seven"
                |              ^
            """), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("`swift build` failed, so nothing ran and the site was left as it was"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("__mil") || bad.stderr.contains("#sourceLocation"), bad.stderr)
        XCTAssertEqual(try snapshot(site), before)
    }

    func testCodeEditedAfterTheLastSwiftBuildIsRebuiltBeforeAnythingRunsAndOnlyOnce() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("stale-code").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        let main = Self.course.appendingPathComponent("Sources/course/main.swift")
        let original = try String(contentsOf: main, encoding: .utf8)
        defer { try? original.write(to: main, atomically: true, encoding: .utf8); rebuildAfterRestoring() }

        // The course's own code changes and nobody runs `swift build`: the old binary must not run. The edit
        // changes the object code (a comment would not: SwiftPM would relink nothing, and the runner records
        // the binary it has as built from the commented file too, so a later run of this test would not rebuild).
        let edit = original.replacingOccurrences(of: "import CourseCLI\n", with: "import CourseCLI\nlet anEditTheBinaryHasNotSeen = 1\n")
        XCTAssertNotEqual(edit, original)
        try edit.write(to: main, atomically: true, encoding: .utf8)
        let edited = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(edited.status, 0, edited.output)
        XCTAssertTrue(edited.stderr.contains("The course's code changed since this binary was built (Sources/course/main.swift); running swift build…"), edited.stderr)
        XCTAssertTrue(edited.stdout.contains("Built 1 lesson"), edited.stdout)

        // Rebuilt, the next build runs at once; so does one after a save that changed nothing.
        let again = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertFalse(again.stderr.contains("running swift build"), again.stderr)
        try edit.write(to: main, atomically: true, encoding: .utf8)
        let touched = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(touched.status, 0, touched.output)
        let once = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertFalse(once.stderr.contains("running swift build"), "a touched file rebuilds at most once: \(once.stderr)")
    }

    func testCodePutBackWithAnOlderDateIsNotRunAsTheBinaryBuiltFromTheEdit() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("put-back").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        let main = Self.course.appendingPathComponent("Sources/course/main.swift")
        let original = try String(contentsOf: main, encoding: .utf8)
        defer { try? original.write(to: main, atomically: true, encoding: .utf8); rebuildAfterRestoring() }
        let summary = "Lessons that pass, trap, throw and escape.", edit = "A summary the binary was rebuilt for."
        XCTAssertTrue(original.contains(summary), "the fixture's summary is on its index page")
        func index() throws -> String { try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8) }

        // An edit the pages show, built as usual.
        try original.replacingOccurrences(of: summary, with: edit).write(to: main, atomically: true, encoding: .utf8)
        let edited = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(edited.status, 0, edited.output)
        XCTAssertTrue(try index().contains(edit))

        // The original put back as `cp -p` or a backup puts it: its bytes, and a date older than the binary's.
        // By dates the binary is up to date; it holds the edit, and must not run.
        try original.write(to: main, atomically: true, encoding: .utf8)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: main.path)
        let restored = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(restored.status, 0, restored.output)
        XCTAssertTrue(restored.stderr.contains("though none is newer than the binary"), restored.stderr)
        XCTAssertTrue(restored.stderr.contains("running swift build"), restored.stderr)
        XCTAssertTrue(try index().contains(summary), "the page is the restored code's")
        XCTAssertFalse(try index().contains(edit))

        let settled = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertFalse(settled.stderr.contains("running swift build"), settled.stderr)
    }

    /// Under `swift test` on the course (which holds the lock on its `.build` until the tests end) the runner
    /// cannot rebuild: after a manifest edit it stops at once, naming the command that holds the lock, rather
    /// than start a `swift build` that would wait forever. `check --freshness-only`, run outside, rebuilds
    /// and records the code, and the same command under `swift test` then runs.
    func testUnderSwiftTestAManifestEditStopsAtOnceAndFreshnessOnlyOutsideItLetsTheNextRunGoOn() throws {
        try assertFixtureBuilds()
        let folder = try freshFolder("swift-test")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A shell under SwiftPM's command name (the kernel names a process after the path it was started by),
        // in the course's folder, as `swift test` would be; it starts the runner and waits for it.
        let swiftTest = folder.appendingPathComponent("swift-test")
        try FileManager.default.createSymbolicLink(atPath: swiftTest.path, withDestinationPath: URL(fileURLWithPath: "/bin/sh").resolvingSymlinksInPath().path)
        let underSwiftTest = ["-c", "\"$0\" check --lesson 01-passes --profile smoke; exit $?", Self.binary]

        let manifest = Self.course.appendingPathComponent("Package.swift")
        let original = try String(contentsOf: manifest, encoding: .utf8)
        defer { try? original.write(to: manifest, atomically: true, encoding: .utf8); rebuildAfterRestoring() }
        // A note SwiftPM relinks nothing for, new on every run: the runner records the binary as built from each
        // manifest it was found to hold, so a note seen before would need no rebuild.
        try (original + "// An author's note, \(UUID().uuidString).\n").write(to: manifest, atomically: true, encoding: .utf8)

        let stopped = try runCommand(swiftTest.path, underSwiftTest, in: Self.course)
        XCTAssertNotEqual(stopped.status, 0, stopped.output)
        XCTAssertTrue(stopped.stderr.contains("the course's code changed since this binary was built (Package.swift), and `swift build` cannot rebuild it here: `swift test` (process "), stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("Run `lessons check --freshness-only` outside it first"), stopped.stderr)
        XCTAssertFalse(stopped.stderr.contains("running swift build"), stopped.stderr)
        XCTAssertFalse(stopped.stdout.contains("01-passes: passed"), "nothing ran: \(stopped.stdout)")

        let fresh = try runCommand(Self.binary, ["check", "--freshness-only"], in: Self.course)
        XCTAssertEqual(fresh.status, 0, fresh.output)
        XCTAssertTrue(fresh.stderr.contains("(Package.swift); running swift build…"), fresh.stderr)
        XCTAssertTrue(fresh.stdout.contains("This binary holds the course's code and lessons."), fresh.stdout)
        XCTAssertFalse(fresh.stdout.contains("01-passes"), "it runs no lesson: \(fresh.stdout)")

        let ran = try runCommand(swiftTest.path, underSwiftTest, in: Self.course)
        XCTAssertEqual(ran.status, 0, ran.output)
        XCTAssertTrue(ran.stdout.contains("01-passes: passed"), ran.stdout)
    }
}
