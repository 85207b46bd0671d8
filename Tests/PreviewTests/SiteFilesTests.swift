import Foundation
import Preview
import XCTest

/// The preview serves the site's own files and nothing else.
final class SiteFilesTests: XCTestCase {
    var sandbox: URL!
    var files: SiteFiles!

    override func setUpWithError() throws {
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("sitefiles-\(UUID().uuidString)").resolvingSymlinksInPath()
        let site = sandbox.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try "<p>front</p>".write(to: site.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "body {}".write(to: site.appendingPathComponent("assets/style.css"), atomically: true, encoding: .utf8)
        try "secret".write(to: sandbox.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: site.appendingPathComponent("out.txt"), withDestinationURL: sandbox.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(at: site.appendingPathComponent("inside.css"), withDestinationURL: site.appendingPathComponent("assets/style.css"))
        files = SiteFiles(root: site)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: sandbox) }

    func testPagesAndAssetsAreFoundAndAFolderMeansItsIndex() {
        XCTAssertEqual(files.file(forRequestPath: "/")?.lastPathComponent, "index.html")
        XCTAssertEqual(files.file(forRequestPath: "/assets/style.css?v=2")?.lastPathComponent, "style.css")
        XCTAssertEqual(files.file(forRequestPath: "/inside.css")?.lastPathComponent, "style.css", "a link that stays inside is fine")
    }

    func testTraversalAbsolutePathsAndLinksOutAreNotFound() {
        for path in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                     "/out.txt", "/assets\\..\\..\\secret.txt", "/index.html%00.png", "/missing.html", "/assets"] {
            XCTAssertNil(files.file(forRequestPath: path), path)
        }
        XCTAssertNil(files.file(forRequestPath: sandbox.appendingPathComponent("secret.txt").path), "an absolute path is read inside the site")
    }

    func testContentTypesFollowTheExtension() {
        XCTAssertEqual(SiteFiles.contentType(for: "a.html"), "text/html; charset=utf-8")
        XCTAssertEqual(SiteFiles.contentType(for: "style.css"), "text/css; charset=utf-8")
        XCTAssertEqual(SiteFiles.contentType(for: "roc.png"), "image/png")
        XCTAssertEqual(SiteFiles.contentType(for: "observations.json"), "application/json")
        XCTAssertEqual(SiteFiles.contentType(for: "lesson.log"), "text/plain; charset=utf-8")
    }
}
