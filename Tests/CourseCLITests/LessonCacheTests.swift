@testable import CourseCLI
import LessonCore
import XCTest

final class LessonCacheTests: XCTestCase {
    func lesson(prose: String = "Some prose.", code: String = "print(1)", options: String = "label=one") throws -> Lesson {
        try Lesson.parse(source: "# Title\n\n\(prose)\n\n```swift \(options)\n\(code)\n```\n", path: "Lessons/01-a.md")
    }

    func testTheKeyIgnoresProseButNotCodeOptionsSettingsOrProgramVersion() throws {
        let cache = LessonCache(settings: "profile=quick seed=2017", codeFingerprint: "v1")
        let key = try XCTUnwrap(cache.key(for: try lesson()))
        XCTAssertEqual(cache.key(for: try lesson(prose: "Reworded prose.")), key, "prose does not run")
        XCTAssertNotEqual(cache.key(for: try lesson(code: "print(2)")), key, "cell code")
        XCTAssertNotEqual(cache.key(for: try lesson(options: "label=one echo=false")), key, "cell options")
        XCTAssertNotEqual(LessonCache(settings: "profile=quick seed=7", codeFingerprint: "v1").key(for: try lesson()), key, "settings")
        XCTAssertNotEqual(LessonCache(settings: "profile=quick seed=2017", codeFingerprint: "v2").key(for: try lesson()), key, "program version")
        XCTAssertNil(LessonCache(settings: "", codeFingerprint: nil).key(for: try lesson()), "no program version, no reuse")
    }

    func testTheSettingsPartCoversProfileSeedAndTheDataFilesContents() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "a".write(to: folder.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        var settings = RunSettings(profile: .quick, seed: 1, dataDirectory: folder)
        let before = settings.reuseKeyPart
        XCTAssertEqual(settings.reuseKeyPart, before, "stable when nothing changed")
        try "b".write(to: folder.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(settings.reuseKeyPart, before, "a data file's contents")
        let changed = settings.reuseKeyPart
        settings.seed = 2
        XCTAssertNotEqual(settings.reuseKeyPart, changed, "the seed")
        settings.seed = 1
        settings.profile = .paper
        XCTAssertNotEqual(settings.reuseKeyPart, changed, "the profile")
        XCTAssertEqual(settings.environment["MIL_PROFILE"], "paper")
        XCTAssertEqual(settings.environment["MIL_SEED"], "1")
        XCTAssertEqual(settings.environment["MIL_DATA_DIR"], folder.standardizedFileURL.path)
    }
}
