import Foundation
import XCTest

/// The runner in the hands of a careless or hostile author: every case here was once seen to delete a
/// folder, hang, or report a result that was not true. Each runs the real binary on real lessons.
extension FixtureCourseTests {
    /// A fresh, empty folder for one test.
    func freshFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every file under `folder` with its bytes, to compare a site before and after.
    func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                files[url.path.replacingOccurrences(of: folder.path, with: "")] = try Data(contentsOf: url)
            }
        }
        return files
    }

    // MARK: only what the runner made

    func testOutputFoldersTheRunnerDidNotMakeAreRefusedBeforeAnythingRuns() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let uncommitted = Self.course.appendingPathComponent("notes-uncommitted.txt")
        try "my notes".write(to: uncommitted, atomically: true, encoding: .utf8)
        defer { try? fm.removeItem(at: uncommitted) }
        let lessonsBefore = try snapshot(Self.lessons)

        let cases: [(arguments: [String], message: String)] = [
            (["build", "-o", "."], "refusing to write the site to \(Self.course.path): it is the course's own folder (course)"),
            (["build", "-o", "Lessons"], "refusing to write the site to \(Self.lessons.path): it is the course's Lessons folder"),
            (["build", "-o", ".."], "refusing to write the site to \(Self.course.deletingLastPathComponent().path): it contains the course's folder"),
            (["build", "-o", "/"], "refusing to write the site to /: it is the root of the file system"),
            (["build", "-o", NSHomeDirectory()], "it is your home folder"),
            (["clean", "-o", "Lessons"], "refusing to remove \(Self.lessons.path): it is the course's Lessons folder"),
        ]
        for (arguments, message) in cases {
            let result = try runCommand(Self.binary, arguments, in: Self.course)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("running"), "\(arguments): refused before any lesson ran")
        }
        XCTAssertEqual(try snapshot(Self.lessons), lessonsBefore, "every lesson is still there")
        XCTAssertEqual(try String(contentsOf: uncommitted, encoding: .utf8), "my notes")
        XCTAssertTrue(fm.fileExists(atPath: Self.course.appendingPathComponent("Package.swift").path))

        // `-o ..` from a clone nested in someone's folder: the folder and its other files stay.
        let parent = try freshFolder("parent")
        defer { try? fm.removeItem(at: parent) }
        let clone = parent.appendingPathComponent("clone")
        try fm.createDirectory(at: clone.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try "sibling".write(to: parent.appendingPathComponent("sibling.txt"), atomically: true, encoding: .utf8)
        let nested = try runCommand(Self.binary, ["build", "-o", ".."], in: clone)
        XCTAssertNotEqual(nested.status, 0)
        XCTAssertTrue(nested.stderr.contains("refusing to write the site to \(parent.path): it contains the course's folder \(clone.path)"), nested.stderr)
        XCTAssertTrue(fm.fileExists(atPath: parent.appendingPathComponent("sibling.txt").path))

        // A folder with someone else's files is neither replaced nor cleaned; a site the runner wrote is.
        let theirs = try freshFolder("theirs")
        defer { try? fm.removeItem(at: theirs) }
        try "precious".write(to: theirs.appendingPathComponent("thesis.tex"), atomically: true, encoding: .utf8)
        for arguments in [["build", "-o", theirs.path, "--lesson", "01-passes"], ["clean", "-o", theirs.path]] {
            let result = try runCommand(Self.binary, arguments, in: Self.course)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains("it is not empty and was not written by `lessons build` (it has no .lessons-site file)"), result.stderr)
        }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: theirs.path), ["thesis.tex"])
        let site = try freshFolder("owned").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        XCTAssertEqual(try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course).status, 0)
        XCTAssertTrue(fm.fileExists(atPath: site.appendingPathComponent(".lessons-site").path), "the site carries the marker")
        let clean = try runCommand(Self.binary, ["clean", "-o", site.path], in: Self.course)
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertFalse(fm.fileExists(atPath: site.path), "clean removes a site the runner wrote")
    }

    // MARK: lessons that misbehave at run time

    func testMisbehavingCellsAreStoppedAndBlamedWhereTheyFailedAndEveryOtherLessonStillRuns() throws {
        let names = ["20-spins.md", "21-hijack.md", "22-helper.md", "23-tamper.md", "24-async.md", "25-blame.md",
                     "26-fatal.md", "27-room.md", "28-stderr.md", "29-crlf.md", "30-cr.md", "31-a#b.md"]
        for name in names { try addLesson(name) }
        defer {
            for name in names { removeLesson(name) }
            rebuildAfterRestoring()
        }
        try assertFixtureBuilds()
        let fm = FileManager.default
        let temp = try freshFolder("tmp")
        let site = try freshFolder("misbehaving").appendingPathComponent("site")
        defer { try? fm.removeItem(at: temp); try? fm.removeItem(at: site.deletingLastPathComponent()) }
        let result = try runCommand(Self.binary, ["build", "-o", site.path, "--force"], in: Self.course,
                                    environment: ["TMPDIR": temp.path])
        XCTAssertEqual(result.status, 1, result.output.suffix(3_000).description)
        XCTAssertTrue(result.stdout.contains("Built 16 lessons in "), result.stdout)
        XCTAssertTrue(result.stdout.contains("9 passed, 7 failed (02-traps, 04-throws, 20-spins, 23-tamper, 24-async, 25-blame, 26-fatal)"), result.stdout)
        func page(_ id: String) throws -> String { try String(contentsOf: site.appendingPathComponent("\(id).html"), encoding: .utf8) }

        // An endless loop ends at its cell's limit; the next cell is not run.
        XCTAssertTrue(result.stderr.contains("Lessons/20-spins.md:7-10 [spin]: timed out after 2 s"), result.stderr)
        XCTAssertTrue(try page("20-spins").contains("<section class=\"cell notRun\" id=\"never\">"))
        XCTAssertTrue(try page("20-spins").contains("before the loop"))

        // A file-scope `show` in lesson 21 changes only lesson 21; two lessons may each have a Helper.
        XCTAssertTrue(try page("01-passes").contains("<td class=\"num\">4.000</td>"), "lesson 01's table is its own")
        XCTAssertFalse(try page("01-passes").contains("hijacked"))
        XCTAssertTrue(try page("21-hijack").contains("hijacked: mine\nfrom 21"))
        let helperPage = try page("22-helper")
        XCTAssertTrue(helperPage.contains("from 22 (22)\nfrom 22"), helperPage)

        // Writing a finished report into the runner's pipe and leaving with exit(0) is a failure, never a
        // pass; printed lookalike markers are just text.
        XCTAssertTrue(result.stderr.contains("Lessons/23-tamper.md:8-23 [forge]: the lesson process exited with status 0 during this cell"), result.stderr)
        let tamper = try page("23-tamper")
        XCTAssertTrue(tamper.contains("after the lookalike marker"), tamper)
        XCTAssertTrue(tamper.contains("forged 4 lines"), "the cell did find the pipe and write to it")
        XCTAssertTrue(tamper.contains("the runner&#39;s report channel received 4 lines that did not come from the runner")
                      || tamper.contains("the runner's report channel received 4 lines that did not come from the runner"), tamper)
        XCTAssertTrue(tamper.contains("<section class=\"cell notRun\" id=\"fatal\">"))

        // A crash in background work is blamed on the cell that started it, with its line.
        XCTAssertTrue(result.stderr.contains("Lessons/24-async.md:11-14 [innocent]: interrupted: asynchronous work started in cell 1 [spawner] crashed after that cell ended: Fatal error: boom in the background (at line 6)"), result.stderr)

        // A failure's reason is the failing cell's own; an earlier cell's log line is not it.
        XCTAssertTrue(result.stderr.contains("Lessons/25-blame.md:8-10 [quits]: the lesson process exited with status 3 during this cell"), result.stderr)
        XCTAssertFalse(try page("25-blame").contains("[quits]: Fatal error"))

        // The runtime's own message for fatalError in a cell carries the lesson line.
        XCTAssertTrue(result.stderr.contains("Lessons/26-fatal.md:3-8 [check]: Fatal error: shadow data ran out (at line 6)"), result.stderr)

        // Each lesson works in a scratch folder of its own; a chdir does not carry over to the next cell.
        let room = try page("27-room")
        XCTAssertTrue(room.contains("room true"), room)
        XCTAssertTrue(room.contains("course \(Self.course.path)"), room)
        XCTAssertTrue(room.contains("back in the room true\nfile kept true"), room)
        XCTAssertFalse(fm.fileExists(atPath: Self.course.appendingPathComponent("relative.txt").path))

        // Megabytes on stderr: the console shows a capped part, the lesson's log keeps everything.
        XCTAssertLessThan(result.stderr.utf8.count, 200_000)
        XCTAssertTrue(result.stderr.contains("more bytes of this lesson's messages are in \(site.path)/28-stderr/lesson.log"), String(result.stderr.suffix(2_000)))
        let log = try XCTUnwrap(try fm.attributesOfItem(atPath: site.appendingPathComponent("28-stderr/lesson.log").path)[.size] as? Int)
        XCTAssertEqual(log, 20_000 * 100)

        // CRLF and CR files, and a file name with a '#', are lessons like any other.
        XCTAssertTrue(try page("29-crlf").contains("crlf ok"))
        XCTAssertTrue(try page("30-cr").contains("cr ok"))
        XCTAssertTrue(try page("31-a-b").contains("hash ok"))

        XCTAssertEqual(try fm.contentsOfDirectory(atPath: temp.path), [], "no scratch folder is left behind")
    }

    // MARK: what may not be written in a lesson, or named

    func testBadCellsAndBadLessonNamesAreAllReportedByCheckAndStopTheBuildNamingTheirFiles() throws {
        try assertFixtureBuilds()
        let cases: [(files: [String: String], messages: [String])] = [
            (["32-escape.md": "# T\n\n```swift\nprint(1)\n}\nfunc outside() {\n```\n"],
             ["Lessons/32-escape.md:5:1: error: this '}' closes a bracket the cell did not open"]),
            (["33-open.md": "# T\n\n```swift\nif true {\n    print(1)\n```\n"],
             ["Lessons/33-open.md:4:9: error: this '{' is never closed in its cell"]),
            (["34-location.md": "# T\n\n```swift\nprint(1)\n#sourceLocation(file: \"evil.md\", line: 100)\nlet x: Int = \"s\"\n```\n"],
             ["Lessons/34-location.md:5:1: error: #sourceLocation is not allowed in a cell"]),
            (["35-runner.md": "# T\n\n```swift\n__mil_cells.end(0)\n```\n"],
             ["Lessons/35-runner.md:4:1: error: '__mil_cells': names that start with __mil belong to the runner"]),
            (["36-public.md": "# T\n\n```swift scope=file\npublic struct Shared {}\n```\n"],
             ["Lessons/36-public.md:4:1: error: 'public' is not allowed here: scope=file code is private to its lesson"]),
            (["index.md": "# Front\n", "assets.md": "# Styles\n", "O1.md": "# Mine\n"],
             ["Lessons/index.md:1:1: error: a lesson cannot be called 'index': the name belongs to the site's front page (index.html)",
              "Lessons/assets.md:1:1: error: a lesson cannot be called 'assets'",
              "Lessons/O1.md:1:1: error: a lesson cannot be called 'o1': the name belongs to the page of the paper's observation O1"]),
            (["slides.md": "# Decks\n", "paper.md": "# Mine\n"],
             ["Lessons/slides.md:1:1: error: a lesson cannot be called 'slides': the name belongs to the slide decks' folder (slides/)",
              "Lessons/paper.md:1:1: error: a lesson cannot be called 'paper': the name belongs to the paper deck (slides/paper.html)"]),
            (["20-with spaces.md": "# A\n", "20-with_spaces.md": "# B\n"],
             ["Lessons/20-with_spaces.md:1:1: error: this lesson and Lessons/20-with spaces.md would both be called '20-with-spaces'"]),
        ]
        // `check --parse-only` finds every one of them in one pass over the folder.
        var everyFile: [String: Data] = [:]
        for (files, _) in cases { for (name, text) in files { everyFile[name] = Data(text.utf8) } }
        let check = try checkOnDisk(everyFile)
        XCTAssertEqual(check.status, 1, check.output)
        for message in cases.flatMap(\.messages) { XCTAssertTrue(check.stdout.contains(message), "\(message)\n\(check.stdout)") }

        // The build stops on them with the same words: a cell the tangler rejects, and names the course cannot use.
        for (files, messages) in [cases[0], cases[5]] {
            for (name, text) in files { try text.write(to: Self.lessons.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            let build = try swiftBuild()
            for name in files.keys { removeLesson(name) }
            XCTAssertNotEqual(build.status, 0, "\(files.keys)")
            for message in messages {
                XCTAssertTrue(build.output.contains(message), "\(message)\n\(build.output.suffix(3_000))")
            }
            XCTAssertFalse(build.output.contains("multiple producers"), build.output)
        }
        let recovered = try swiftBuild()
        XCTAssertEqual(recovered.status, 0, "with the bad lessons gone the course builds again\n\(recovered.output.suffix(2_000))")
    }

    // MARK: Ctrl-C, SIGTERM, SIGHUP

    func testASignalStopsEveryLessonProcessAndWhatItStartedRemovesItsFoldersAndKeepsThePreviousSite() throws {
        try addLesson("32-helper.md")
        defer { removeLesson("32-helper.md"); rebuildAfterRestoring() }
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("signals").appendingPathComponent("site")
        defer { try? fm.removeItem(at: site.deletingLastPathComponent()) }
        XCTAssertEqual(try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course).status, 0)
        let before = try snapshot(site)

        // SIGINT goes to the whole process group, as Ctrl-C in a terminal does; the others to the runner only.
        for (signal, toGroup) in [(SIGINT, true), (SIGTERM, false), (SIGHUP, false)] {
            let temp = try freshFolder("tmp")
            let notes = try freshFolder("notes")
            defer { try? fm.removeItem(at: temp); try? fm.removeItem(at: notes) }
            let helperFile = notes.appendingPathComponent("helper.pid")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["build", "-o", site.path, "--force", "--lesson", "01-passes", "--lesson", "32-helper"]
            process.currentDirectoryURL = Self.course
            var environment = ProcessInfo.processInfo.environment
            environment["TMPDIR"] = temp.path
            environment["HELPER_PID_FILE"] = helperFile.path
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let child = try XCTUnwrap(waitForChild(of: process.processIdentifier, running: "run-lesson 32-helper"),
                                      "the lesson started")
            let deadline = Date().addingTimeInterval(30)
            while !fm.fileExists(atPath: helperFile.path) && Date() < deadline { usleep(50_000) }
            let helper = try XCTUnwrap(pid_t(try String(contentsOf: helperFile, encoding: .utf8)), "the lesson started its helper")
            XCTAssertFalse(isGone(helper, within: 0), "the helper runs before the signal")
            kill(toGroup ? -process.processIdentifier : process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 128 + signal, "signal \(signal)")
            XCTAssertTrue(isGone(child), "the lesson process \(child) was stopped (signal \(signal))")
            XCTAssertTrue(isGone(helper), "the process the lesson started, in a group of its own, was stopped too (signal \(signal))")
            XCTAssertEqual(try fm.contentsOfDirectory(atPath: temp.path), [], "no scratch folder left (signal \(signal))")
            XCTAssertEqual(try fm.contentsOfDirectory(atPath: site.deletingLastPathComponent().path), ["site"],
                           "no staging folder left (signal \(signal))")
            XCTAssertEqual(try snapshot(site), before, "the previous site is byte for byte the same (signal \(signal))")
        }
    }

    /// The pid of `parent`'s child whose command line contains `text`, once it runs (nil after 60 s).
    func waitForChild(of parent: pid_t, running text: String) -> pid_t? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(name),
                      let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8),
                      status.contains("\nPPid:\t\(parent)\n"),
                      let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(name)/cmdline")) else { continue }
                if String(decoding: command.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text) { return pid }
            }
            usleep(100_000)
        }
        return nil
    }

    /// Whether `pid` has ended (not running, not a zombie), waiting up to `within` seconds.
    func isGone(_ pid: pid_t, within seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
            if status.contains("State:\tZ") { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    // MARK: a full disk

    func testAFullDiskIsOneLineNamingThePathAndThePreviousSiteIsKept() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let disk = try freshFolder("disk")
        defer { try? fm.removeItem(at: disk) }
        let mount = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.path], in: disk)
        guard mount.status == 0 else { throw XCTSkip("cannot mount a small file system here (\(mount.stderr)); run as root") }
        defer { _ = try? runCommand("/bin/umount", [disk.path], in: FileManager.default.temporaryDirectory) }
        let site = disk.appendingPathComponent("site")
        let first = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes"], in: Self.course)
        XCTAssertEqual(first.status, 0, first.output)
        let before = try snapshot(site)

        // Fill the disk to the last byte.
        let filler = disk.appendingPathComponent("filler")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: fm.createFile(atPath: filler.path, contents: nil) ? filler.path : ""))
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()

        let full = try runCommand(Self.binary, ["build", "-o", site.path, "--lesson", "01-passes", "--force"], in: Self.course)
        XCTAssertNotEqual(full.status, 0)
        let last = full.stderr.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("Error: cannot write \(disk.path)/.site.partial-"), last)
        XCTAssertTrue(last.hasSuffix(": No space left on device; the previous site was kept"), last)
        XCTAssertFalse(full.stderr.contains("Code="), "no raw NSError")
        XCTAssertEqual(try snapshot(site), before, "the previous site is intact")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: disk.path).sorted(), ["filler", "site"], "no staging folder left")
    }
}
