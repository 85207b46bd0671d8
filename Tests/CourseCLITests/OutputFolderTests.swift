@testable import CourseCLI
import Foundation
import XCTest

/// The runner replaces or removes only folders it made; everything else is refused before anything runs.
final class OutputFolderTests: XCTestCase {
    var sandbox: URL!
    var project: URL!

    override func setUpWithError() throws {
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("output-\(UUID().uuidString)").resolvingSymlinksInPath()
        project = sandbox.appendingPathComponent("course")
        for folder in ["Lessons", "Sources/lessons", "Assets", "Tests", ".git"] {
            try FileManager.default.createDirectory(at: project.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "// package".write(to: project.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try "# Lesson".write(to: project.appendingPathComponent("Lessons/01-a.md"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: sandbox)
    }

    func refusal(_ path: String, verb: String = "write the site to", line: UInt = #line) -> String {
        do {
            try OutputFolder.check(path, verb: verb, base: project.path)
            XCTFail("\(path) was accepted", line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testTheCoursesOwnFoldersItsParentsRootAndHomeAreRefused() {
        XCTAssertTrue(refusal(".").hasSuffix("it is the course's own folder (course); choose a folder of its own such as _site"), refusal("."))
        XCTAssertTrue(refusal("Lessons").contains("it is the course's Lessons folder"), refusal("Lessons"))
        XCTAssertTrue(refusal("Sources/lessons").contains("it is inside the course's Sources folder"))
        XCTAssertTrue(refusal(".git").contains("it is the course's .git"))
        XCTAssertTrue(refusal("..").contains("it contains the course's folder \(project.path)"), refusal(".."))
        XCTAssertTrue(refusal("/").contains("it is the root of the file system"))
        XCTAssertTrue(refusal(NSHomeDirectory()).contains("it is your home folder"))
        XCTAssertTrue(refusal("Lessons", verb: "remove").hasPrefix("refusing to remove \(project.path)/Lessons: "))
        XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("Lessons/01-a.md").path))
    }

    func testAFolderWithSomeoneElsesFilesIsRefusedAndAMarkedOrEmptyOneAccepted() throws {
        let theirs = sandbox.appendingPathComponent("theirs")
        try FileManager.default.createDirectory(at: theirs, withIntermediateDirectories: true)
        try "keep me".write(to: theirs.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        XCTAssertTrue(refusal(theirs.path).contains("it is not empty and was not written by `lessons build` (it has no .lessons-site file)"))
        XCTAssertTrue(refusal(theirs.appendingPathComponent("notes.txt").path).contains("it is a file, not a folder"))

        let empty = sandbox.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertEqual(try OutputFolder.check(empty.path, verb: "remove", base: project.path).path, empty.path)
        XCTAssertEqual(try OutputFolder.check("_site", verb: "write the site to", base: project.path).path,
                       project.appendingPathComponent("_site").path, "a new folder in the course is fine")

        XCTAssertNoThrow(try OutputFolder.check(theirs.path, verb: "write the gallery to", base: project.path, replacing: false),
                         "a command that only adds files may use someone's folder")
        XCTAssertThrowsError(try OutputFolder.check("Lessons", verb: "write the gallery to", base: project.path, replacing: false),
                             "but never the course's own")

        try OutputFolder.markerText.write(to: theirs.appendingPathComponent(OutputFolder.markerName), atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try OutputFolder.check(theirs.path, verb: "remove", base: project.path))
    }

    func testSymbolicLinksAreSeenThroughAsTheKernelFollowsThem() throws {
        let fm = FileManager.default
        let link = sandbox.appendingPathComponent("alias")
        try fm.createSymbolicLink(at: link, withDestinationURL: project)
        XCTAssertTrue(refusal(link.path).contains("it is the course's own folder"), refusal(link.path))
        XCTAssertTrue(refusal(link.appendingPathComponent("Lessons").path).contains("Lessons folder"))

        // A link to someone's folder is that folder.
        let theirs = sandbox.appendingPathComponent("theirs")
        try fm.createDirectory(at: theirs, withIntermediateDirectories: true)
        try "keep".write(to: theirs.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(at: project.appendingPathComponent("site-link"), withDestinationURL: theirs)
        XCTAssertTrue(refusal("site-link").contains("refusing to write the site to \(theirs.path): it is not empty"), refusal("site-link"))

        // `link/..` is the parent of the link's target, not the folder the link sits in.
        try fm.createSymbolicLink(at: project.appendingPathComponent("deep"), withDestinationURL: project.appendingPathComponent("Sources/lessons"))
        XCTAssertTrue(refusal("deep/../x").contains("refusing to write the site to \(project.path)/Sources/x: it is inside the course's Sources folder"),
                      refusal("deep/../x"))
    }

    func testAStagedSiteWithoutItsFrontPageOrALessonPageIsNotPublished() throws {
        let destination = sandbox.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        try OutputFolder.markerText.write(to: destination.appendingPathComponent(OutputFolder.markerName), atomically: true, encoding: .utf8)
        try "old".write(to: destination.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let publisher = try SitePublisher(destination: destination)
        try "new".write(to: publisher.staging.appendingPathComponent("01-a.html"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try publisher.publish(pages: ["01-a.html"])) {
            XCTAssertEqual("\($0)", "the new site is missing index.html, so the previous site was kept")
        }
        try "new".write(to: publisher.staging.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try publisher.publish(pages: ["01-a.html", "02-b.html"]))
        XCTAssertEqual(try String(contentsOf: destination.appendingPathComponent("index.html"), encoding: .utf8), "old")
        try publisher.publish(pages: ["01-a.html"])
        XCTAssertEqual(try String(contentsOf: destination.appendingPathComponent("index.html"), encoding: .utf8), "new")
        XCTAssertTrue(FileManager.default.fileExists(atPath: destination.appendingPathComponent(OutputFolder.markerName).path),
                      "a published site carries the marker")
    }
}
