import Foundation
@testable import LessonCore
import XCTest

/// The manifest is the record a lesson process leaves: its typed values read back as they were
/// written, and as plain JSON a reader of the file can use.
final class OutputManifestTests: XCTestCase {
    func testTypedFieldsAreWrittenAsPlainJSONAndReadBack() throws {
        var cell = CellResult(index: 0, label: "train", fenceLine: 3, closingLine: 9, status: .failed,
                              outputs: [.figure(.init(file: "a/b.png", title: "T", altText: "A", caption: "", width: 800, height: 500,
                                                      kind: FigureKind(of: 1.5),
                                                      axes: .init(x: "K", y: "precision", logX: true, logY: false, yRange: [0, 1])))],
                              error: "Lessons/03-x.md:3-9 [train]: Fatal error: boom (at line 5)")
        cell.failure = CellFailure(.trap, "Fatal error: boom (at line 5)", line: 5)
        var manifest = OutputManifest(lessonID: "03-x", path: "Lessons/03-x.md", title: "X", status: .failed, seconds: 1, cells: [cell])
        manifest.seed = "7"
        manifest.kernels = "baseline"
        let data = try JSONEncoder().encode(manifest)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(json.contains(#""kind":"Double""#), json)
        XCTAssertTrue(json.contains(#""failure":{"#) && json.contains(#""kind":"trap""#), json)
        XCTAssertEqual(try JSONDecoder().decode(OutputManifest.self, from: data), manifest)
    }

    func testAManifestWrittenBeforeSeedsKernelsAndTypedFailuresStillReads() throws {
        let old = #"{"lessonID":"01-a","path":"Lessons/01-a.md","title":"A","status":"passed","seconds":1,"cells":[],"observations":[],"profile":"quick"}"#
        let manifest = try JSONDecoder().decode(OutputManifest.self, from: Data(old.utf8))
        XCTAssertNil(manifest.seed)
        XCTAssertNil(manifest.kernels)
    }
}
