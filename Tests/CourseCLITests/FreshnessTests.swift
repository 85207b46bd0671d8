@testable import CourseCLI
import Foundation
import LessonRuntime
import XCTest

/// A binary older than the library code it was built from must not run: its results would be stored
/// under the new code's key and served as fresh by the next build.
final class FreshnessTests: XCTestCase {
    /// An empty folder for one test's package, removed after the test.
    func temporaryPackage() throws -> URL {
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("fresh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: package) }
        return package
    }

    func testLibraryFilesNewerThanTheBinaryAreFoundAndOtherExecutablesAndTheLessonsLinkAreNot() throws {
        let (fm, package, built) = (FileManager.default, try temporaryPackage(), Date(timeIntervalSinceNow: -3_600))
        func file(_ path: String, modified: Date) throws {
            let url = package.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "// \(path)\n".write(to: url, atomically: true, encoding: .utf8)
            try fm.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
        }
        try file("Sources/MachineLearning/MLP.swift", modified: built.addingTimeInterval(-60))
        try file("Sources/CKernels/kernels.c", modified: built.addingTimeInterval(-60))
        try file("Sources/lessons/main.swift", modified: built.addingTimeInterval(-60))
        try file("Sources/benchmarks/main.swift", modified: built.addingTimeInterval(60))   // not part of `lessons`
        try file("Lessons/01-a.md", modified: built.addingTimeInterval(60))                // checked as lessons, not as code
        try fm.createSymbolicLink(atPath: package.appendingPathComponent("Sources/lessons/Lessons").path, withDestinationPath: "../../Lessons")
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), [], "nothing the binary holds is newer")

        try file("Sources/CKernels/kernels.c", modified: built.addingTimeInterval(60))
        try file("Sources/lessons/main.swift", modified: built.addingTimeInterval(60))
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), ["Sources/CKernels/kernels.c", "Sources/lessons/main.swift"])
    }

    /// The manifest's flags decide how the code compiles (which products fuse, so every model's bits): a
    /// `Package.swift` newer than the binary is code the binary may not hold, an older one is not.
    func testAPackageManifestNewerThanTheBinaryIsCodeItMayNotHold() throws {
        let (fm, package, built) = (FileManager.default, try temporaryPackage(), Date(timeIntervalSinceNow: -3_600))
        try fm.createDirectory(at: package.appendingPathComponent("Sources/lessons"), withIntermediateDirectories: true)
        let main = package.appendingPathComponent("Sources/lessons/main.swift"), manifest = package.appendingPathComponent("Package.swift")
        for (url, text) in [(main, "run()\n"), (manifest, "// -O\n")] {
            try text.write(to: url, atomically: true, encoding: .utf8)
            try fm.setAttributes([.modificationDate: built.addingTimeInterval(-60)], ofItemAtPath: url.path)
        }
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), [])
        try "// -Ounchecked\n".write(to: manifest, atomically: true, encoding: .utf8)
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), ["Package.swift"])
    }

    /// Under `swift test` (whose tests start the runner) SwiftPM's lock on the package's `.build` lasts as
    /// long as the tests do, and a `swift build` the runner started there would wait for it forever, without
    /// a word. The runner finds such an ancestor by walking `/proc` upwards: a SwiftPM command whose package
    /// is this one (it runs in the package or below it, or moved there as `--package-path` makes SwiftPM do)
    /// and whose scratch folder is the package's `.build`; not one on another package or building elsewhere.
    func testASwiftPMCommandHoldingThisPackagesBuildFolderIsFoundAmongAProcesssAncestors() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("ancestor-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let (package, other) = (root.appendingPathComponent("course"), root.appendingPathComponent("other"))
        for folder in [package, other] {
            try fm.createDirectory(at: folder.appendingPathComponent("Tests"), withIntermediateDirectories: true)
            try "// swift-tools-version:6.0\n".write(to: folder.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        }
        // A shell under SwiftPM's command name: the kernel names a process after the path it was started by.
        let swiftTest = root.appendingPathComponent("swift-test")
        try fm.createSymbolicLink(atPath: swiftTest.path, withDestinationPath: URL(fileURLWithPath: "/bin/sh").resolvingSymlinksInPath().path)

        /// A sleeper whose parent is the SwiftPM command, started in `folder` with `arguments` (which the
        /// command's script sees as $0, $1, ...) after running `prelude`. A plain shell starts the command,
        /// so that the command is not the leader of its process group (Foundation makes the plain shell that).
        func start(in folder: URL, _ arguments: String = "", prelude: String = "") throws -> (sleeper: pid_t, command: pid_t, shell: Process) {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "'\(swiftTest.path)' -c '\(prelude)sleep 30 & echo $!; echo $$; wait' \(arguments); true"]
            shell.currentDirectoryURL = folder
            let pipe = Pipe()
            shell.standardOutput = pipe
            try shell.run()
            var lines = Data()
            while lines.filter({ $0 == UInt8(ascii: "\n") }).count < 2 {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                lines.append(chunk)
            }
            let pids = String(decoding: lines, as: UTF8.self).split(separator: "\n").compactMap { pid_t($0) }
            XCTAssertEqual(pids.count, 2, "the sleeper's and the SwiftPM command's")
            return (try XCTUnwrap(pids.first), try XCTUnwrap(pids.last), shell)
        }
        func holder(on folder: URL, in started: (sleeper: pid_t, command: pid_t, shell: Process)) -> Freshness.SwiftPMProcess? {
            defer { kill(started.sleeper, SIGKILL); started.shell.waitUntilExit() }
            return Freshness.swiftPMAncestor(on: folder, of: started.sleeper)
        }
        func swiftTestProcess(_ started: (sleeper: pid_t, command: pid_t, shell: Process)) -> Freshness.SwiftPMProcess {
            .init(pid: started.command, command: "swift-test")
        }

        var started = try start(in: package)
        XCTAssertEqual(holder(on: package, in: started), swiftTestProcess(started))
        started = try start(in: package)
        XCTAssertNil(holder(on: other, in: started), "working on another package, it holds another lock")
        started = try start(in: package.appendingPathComponent("Tests"))
        XCTAssertEqual(holder(on: package, in: started), swiftTestProcess(started), "started below the package, as SwiftPM looks up for it")
        started = try start(in: other, "--package-path ../course", prelude: "cd \"$1\"; ")
        XCTAssertEqual(holder(on: package, in: started), swiftTestProcess(started), "moved into the package, as --package-path makes it")
        started = try start(in: package, "--scratch-path \(root.appendingPathComponent("elsewhere").path)")
        XCTAssertNil(holder(on: package, in: started), "building in another scratch folder, it holds no lock on .build")
        started = try start(in: package, "--scratch-path=.build")
        XCTAssertEqual(holder(on: package, in: started), swiftTestProcess(started), "its scratch folder is the package's .build")
        XCTAssertNil(Freshness.swiftPMAncestor(on: package, of: 1), "init has no ancestors")
    }

    /// A `Package.swift` that is a link to a file elsewhere is still the package's manifest: the date that
    /// counts is the file's, not the link's.
    func testALinkedManifestIsJudgedByTheFileItLinksTo() throws {
        let (fm, package, built) = (FileManager.default, try temporaryPackage(), Date(timeIntervalSinceNow: -3_600))
        try fm.createDirectory(at: package.appendingPathComponent("Sources/lessons"), withIntermediateDirectories: true)
        let real = package.appendingPathComponent("manifests/Package.swift")
        try fm.createDirectory(at: real.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "// -O\n".write(to: real, atomically: true, encoding: .utf8)
        try fm.setAttributes([.modificationDate: built.addingTimeInterval(-60)], ofItemAtPath: real.path)
        try fm.createSymbolicLink(atPath: package.appendingPathComponent("Package.swift").path, withDestinationPath: "manifests/Package.swift")
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), [])
        try "// -Ounchecked\n".write(to: real, atomically: true, encoding: .utf8)
        XCTAssertEqual(Freshness.changedSources(packages: [package], builtAt: built, executable: "lessons"), ["Package.swift"])
    }

    func testAnInstalledBinaryWhosePackageIsGoneHasNothingToCompare() throws {
        XCTAssertEqual(Freshness.changedSources(packages: [URL(fileURLWithPath: "/no/such/package")], builtAt: Date(), executable: "lessons"), [])
        let date = try XCTUnwrap(Freshness.executableDate, "the running binary's date is readable")
        let path = Freshness.runningExecutable.resolvingSymlinksInPath().path
        let fileDate = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        XCTAssertEqual(date.timeIntervalSince1970, fileDate.timeIntervalSince1970, accuracy: 0.001, "the file's date, not the process's")
    }
}

/// Dates cannot tell that a file was put back with an older date (`cp -p`, `rsync -t`, a backup): the binary
/// is then newer than every file and yet not built from them. So the runner records which code each binary
/// (known by its build ID) was built from, and once it knows a binary, the files' contents decide.
final class CodeStampTests: XCTestCase {
    var package: URL!
    var stamp: Freshness.CodeStamp!
    let built = Date(timeIntervalSinceNow: -3_600)

    override func setUpWithError() throws {
        package = FileManager.default.temporaryDirectory.appendingPathComponent("stamp-\(UUID().uuidString)")
        stamp = Freshness.CodeStamp(file: package.appendingPathComponent("lessons.code"))
        try write("Sources/MachineLearning/MLP.swift", "let a = 1\n", modified: built.addingTimeInterval(-60))
        try write("Sources/lessons/main.swift", "run()\n", modified: built.addingTimeInterval(-60))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: package) }

    func write(_ path: String, _ text: String, modified: Date) throws {
        let url = package.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
    }

    func check(_ buildID: String = "b1", afterRebuild: Bool = false, handedDown: String? = nil) -> Freshness.CodeCheck {
        Freshness.currentCode(of: [package], afterRebuild: afterRebuild, handedDown: handedDown, buildID: buildID,
                              stamp: stamp, builtAt: built, executable: "lessons")
    }

    func testABinaryNeverSeenBeforeIsTakenAsBuiltFromFilesOlderThanItAndRecordedSo() throws {
        let first = check()
        XCTAssertEqual(first.changed, [])
        let code = try XCTUnwrap(first.code)
        XCTAssertTrue(stamp.contains(buildID: "b1", code: code), "the pair is recorded: \(stamp.lines)")
    }

    func testAFilePutBackWithAnOlderDateIsFoundOnceTheBinaryIsKnown() throws {
        XCTAssertEqual(check().changed, [])
        try write("Sources/MachineLearning/MLP.swift", "let a = 2\n", modified: built.addingTimeInterval(-30))
        XCTAssertEqual(check().changed, [Freshness.olderDatedChange], "no file is newer, and still the code is not the binary's")
        try write("Sources/MachineLearning/MLP.swift", "let a = 1\n", modified: built.addingTimeInterval(-10))
        XCTAssertEqual(check().changed, [], "the code the binary was built from, whatever the dates")
    }

    func testAManifestPutBackWithAnOlderDateIsFoundOnceTheBinaryIsKnown() throws {
        try write("Package.swift", "// -O\n", modified: built.addingTimeInterval(-60))
        XCTAssertEqual(check().changed, [])
        try write("Package.swift", "// -Ounchecked\n", modified: built.addingTimeInterval(-30))
        XCTAssertEqual(check().changed, [Freshness.olderDatedChange], "a flag changed, though no file is newer")
        try write("Package.swift", "// -O\n", modified: built.addingTimeInterval(-10))
        XCTAssertEqual(check().changed, [], "the manifest the binary was built with")
    }

    func testANewerFileIsNamedAndNothingIsRecordedUntilSwiftBuildHasRun() throws {
        try write("Sources/MachineLearning/MLP.swift", "let a = 3\n", modified: built.addingTimeInterval(60))
        let found = check()
        XCTAssertEqual(found.changed, ["Sources/MachineLearning/MLP.swift"])
        XCTAssertEqual(stamp.lines, [], "a binary older than its code is not recorded as built from it")

        // The runner started again after `swift build` records the code its parent read before the build.
        XCTAssertEqual(check("b2", afterRebuild: true, handedDown: found.code).changed, [])
        XCTAssertTrue(stamp.contains(buildID: "b2", code: try XCTUnwrap(found.code)))
        XCTAssertEqual(check("b2").changed, [], "and the next run starts at once")
    }

    /// The check judges the files as the build read them for all its keys: an edit saved a moment after
    /// that reading is neither what the binary is taken to hold nor recorded as its code.
    func testTheCheckJudgesTheCodeAsTheBuildReadItForItsKeys() throws {
        let code = try XCTUnwrap(check().code)
        let snapshot = CodeSnapshot(reading: [package.appendingPathComponent("Sources")])
        try write("Sources/MachineLearning/MLP.swift", "let a = 2\n", modified: built.addingTimeInterval(-30))
        let judged = Freshness.currentCode(of: [package], afterRebuild: false, handedDown: nil, snapshot: snapshot, buildID: "b1",
                                           stamp: stamp, builtAt: built, executable: "lessons")
        XCTAssertEqual(judged, Freshness.CodeCheck(changed: [], code: code))
        XCTAssertEqual(stamp.lines, ["b1 \(code)"], "only the code as read is recorded")
        XCTAssertEqual(check().changed, [Freshness.olderDatedChange], "a fresh reading finds the edit")
    }

    func testCodeThatChangedWhileSwiftBuildRanIsNotRecordedAsTheRebuiltBinarys() throws {
        let before = check("b0").code
        try write("Sources/lessons/main.swift", "run(again)\n", modified: Date())
        let rebuilt = check("b3", afterRebuild: true, handedDown: before)
        XCTAssertEqual(rebuilt.changed.count, 1, "\(rebuilt.changed)")
        XCTAssertFalse(stamp.knows(buildID: "b3"), "\(stamp.lines)")
    }

    func testARebuiltRunnerWithoutItsParentsFingerprintRecordsNothing() throws {
        XCTAssertEqual(check("b4", afterRebuild: true, handedDown: nil).changed, [], "the rebuild is trusted")
        XCTAssertEqual(stamp.lines, [], "but not recorded as built from code nobody read before it")
    }

    func testABinaryWithoutABuildIDIsKnownByItsDate() throws {
        let first = Freshness.currentCode(of: [package], afterRebuild: false, handedDown: nil, buildID: nil,
                                          stamp: stamp, builtAt: built, executable: "lessons")
        XCTAssertEqual(first.changed, [])
        XCTAssertTrue(stamp.contains(buildID: "built-\(built.timeIntervalSince1970)", code: try XCTUnwrap(first.code)), "\(stamp.lines)")
    }

    func testOnlyTheProcessTheRebuildStartedCountsAsRebuilt() {
        XCTAssertFalse(CourseEnvironment(variables: ["MIL_REBUILT": "1"]).isRebuiltRunner, "a value left in a shell")
        XCTAssertFalse(CourseEnvironment(variables: ["MIL_REBUILT": String(getppid())]).isRebuiltRunner, "another process's")
        XCTAssertTrue(CourseEnvironment(variables: ["MIL_REBUILT": String(getpid())]).isRebuiltRunner)
    }

    func testOneBinaryCanGoWithSeveralCodesAndTheStampKeepsItsLastLines() throws {
        // `swift build` relinks nothing when an edit (a comment) changes no object code: the same build ID.
        for n in 0..<70 { stamp.record(buildID: "b1", code: String(format: "%016x", n)) }
        XCTAssertEqual(stamp.lines.count, 64)
        XCTAssertTrue(stamp.contains(buildID: "b1", code: String(format: "%016x", 69)))
        XCTAssertFalse(stamp.contains(buildID: "b1", code: String(format: "%016x", 5)))
        stamp.record(buildID: "b1", code: String(format: "%016x", 69))
        XCTAssertEqual(stamp.lines.count, 64, "a pair is kept once")
    }

    /// The build ID read from memory is the one the linker wrote into the file (read here from the file).
    func testTheBuildIDIsTheOneInTheRunningFilesNotes() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: "/proc/self/exe"))
        func integer(_ at: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(file[at + $1]) << (8 * $1) }
        }
        XCTAssertEqual(Array(file.prefix(4)), [0x7F, 0x45, 0x4C, 0x46], "an ELF file")
        let (headers, size, count) = (integer(32, 8), integer(54, 2), integer(56, 2))
        var found: String?
        for h in 0..<count where integer(headers + h * size, 4) == 4 {   // PT_NOTE
            var at = integer(headers + h * size + 8, 8)
            let end = at + integer(headers + h * size + 32, 8)
            let align = integer(headers + h * size + 48, 8) == 8 ? 8 : 4
            while at + 12 <= end {
                let (nameSize, descSize, type) = (integer(at, 4), integer(at + 4, 4), integer(at + 8, 4))
                let desc = at + 12 + (nameSize + align - 1) / align * align
                if type == 3, nameSize == 4, file[(at + 12)..<(at + 16)] == Data("GNU\0".utf8) {   // NT_GNU_BUILD_ID
                    found = file[desc..<(desc + descSize)].map { String(format: "%02x", $0) }.joined()
                }
                at = desc + (descSize + align - 1) / align * align
            }
        }
        let fromFile = try XCTUnwrap(found, "the test binary has a build ID note")
        XCTAssertEqual(Freshness.buildID, fromFile)
        XCTAssertEqual(fromFile.count, 40)
    }
}
