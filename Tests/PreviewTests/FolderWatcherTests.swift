import Foundation
import Preview
import XCTest

/// The preview rebuilds after the author's saves: added, changed and removed files under the course's
/// folders, and the package's manifest watched on its own; not an editor's swap files or hidden files.
final class FolderWatcherTests: XCTestCase {
    var course: URL!
    let fm = FileManager.default

    override func setUpWithError() throws {
        course = fm.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        try write("# One\n", to: "Lessons/01-one.md")
        try write("// swift-tools-version:6.0\n", to: "Package.swift")
    }

    override func tearDownWithError() throws { try? fm.removeItem(at: course) }

    func write(_ text: String, to path: String, age: TimeInterval = 0) throws {
        let url = course.appendingPathComponent(path)
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: url.path)
    }

    func path(_ relative: String) -> String { course.appendingPathComponent(relative).path }

    func testSavesUnderTheFoldersAndToTheManifestAreNoticedOnce() throws {
        var watcher = FolderWatcher(folders: [course.appendingPathComponent("Lessons"), course.appendingPathComponent("Package.swift")])
        XCTAssertEqual(watcher.changes(), [])
        try write("# One, edited\n", to: "Lessons/01-one.md")
        try write("# Two\n", to: "Lessons/02-two.md")
        XCTAssertEqual(watcher.changes(), [path("Lessons/01-one.md"), path("Lessons/02-two.md")])
        XCTAssertEqual(watcher.changes(), [], "each save once")
        try write("// swift-tools-version:6.0\n// -Ounchecked\n", to: "Package.swift")
        XCTAssertEqual(watcher.changes(), [path("Package.swift")], "the manifest, watched on its own")
        try fm.removeItem(atPath: path("Lessons/02-two.md"))
        XCTAssertEqual(watcher.changes(), [path("Lessons/02-two.md")], "a removed file")
    }

    func testSwapAndHiddenFilesAreNotTheAuthorsSaves() throws {
        var watcher = FolderWatcher(folders: [course.appendingPathComponent("Lessons")])
        for name in ["01-one.md~", ".01-one.md.swp", "01-one.md.swp", "#01-one.md#", ".hidden.md"] {
            try write("x\n", to: "Lessons/\(name)")
        }
        XCTAssertEqual(watcher.changes(), [])
    }

    func testAManifestThatLinksElsewhereIsWatchedThroughTheLink() throws {
        try write("// -O\n", to: "manifests/Package.swift", age: 60)
        try fm.removeItem(atPath: path("Package.swift"))
        try fm.createSymbolicLink(atPath: path("Package.swift"), withDestinationPath: "manifests/Package.swift")
        var watcher = FolderWatcher(folders: [course.appendingPathComponent("Package.swift")])
        try write("// -Ounchecked\n", to: "manifests/Package.swift")
        XCTAssertEqual(watcher.changes(), [path("Package.swift")])
    }
}
