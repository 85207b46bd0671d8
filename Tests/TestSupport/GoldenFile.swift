import Foundation
import XCTest

/// Compares `actual` with the golden file `Golden/<name>`; with `RECORD_GOLDEN=1` in the environment
/// it writes the file instead (then review the diff and commit it).
public func assertGolden(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("No golden file \(url.path); run the tests with RECORD_GOLDEN=1 to record it.", file: file, line: line)
        return
    }
    if expected != actual {
        let actualURL = url.appendingPathExtension("actual")
        try? actual.write(to: actualURL, atomically: true, encoding: .utf8)
        XCTFail("""
            \(name) differs from its golden file. Compare with: diff \(url.path) \(actualURL.path)
            If the change is intended, re-record with RECORD_GOLDEN=1 and commit the new file.
            """, file: file, line: line)
    }
}

public func fixture(_ name: String, file: StaticString = #filePath) throws -> String {
    try String(contentsOf: URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name), encoding: .utf8)
}
