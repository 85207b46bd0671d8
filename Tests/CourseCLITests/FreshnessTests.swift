@testable import CourseCLI
import Foundation
import XCTest

/// A binary older than the library code it was built from must not run: its results would be stored
/// under the new code's key and served as fresh by the next build.
final class FreshnessTests: XCTestCase {
    func testLibraryFilesNewerThanTheBinaryAreFoundAndOtherExecutablesAndTheLessonsLinkAreNot() throws {
        let fm = FileManager.default
        let package = fm.temporaryDirectory.appendingPathComponent("fresh-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: package) }
        let built = Date(timeIntervalSinceNow: -3_600)
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

    func testAnInstalledBinaryWhosePackageIsGoneHasNothingToCompare() throws {
        XCTAssertEqual(Freshness.changedSources(packages: [URL(fileURLWithPath: "/no/such/package")], builtAt: Date(), executable: "lessons"), [])
        let date = try XCTUnwrap(Freshness.executableDate, "the running binary's date is readable")
        let path = Freshness.runningExecutable.resolvingSymlinksInPath().path
        let fileDate = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        XCTAssertEqual(date.timeIntervalSince1970, fileDate.timeIntervalSince1970, accuracy: 0.001, "the file's date, not the process's")
    }
}
