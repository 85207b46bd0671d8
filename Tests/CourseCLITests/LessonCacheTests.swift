@testable import CourseCLI
import LessonCore
import LessonRuntime
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

    /// The build fingerprints the training code once, from the files, and hands that to every lesson; a
    /// value inherited from the shell is not trusted.
    func testTheBuildHandsEveryLessonTheTrainingCodeItFoundWhenItStarted() throws {
        let name = "MIL_TRAINING_CODE_FINGERPRINT"
        XCTAssertNil(RunSettings().environment[name], "none taken: none handed down")
        let inherited = getenv(name).map { String(cString: $0) }
        setenv(name, "forged", 1)
        defer { if let inherited { setenv(name, inherited, 1) } else { unsetenv(name) } }
        let settings = try RunOptions.parse(["--profile", "smoke"]).settings(code: CourseEnvironment.current.codeSnapshot())
        let files = CourseEnvironment(variables: [:]).codeFingerprint(code: CourseEnvironment.trainingCodeFolders)
        XCTAssertEqual(settings.trainingCodeFingerprint, files)
        XCTAssertEqual(settings.environment[name], files)
        XCTAssertEqual(settings.courseCodeFingerprint, LessonCache.courseCode())
    }

    /// Both keys come from the reading handed in (the one the freshness check judged), not from the files
    /// read again: with a reading that holds no code they are the installed binary's keys.
    func testTheBuildsKeysComeFromTheReadingTheFreshnessCheckMade() throws {
        let options = try RunOptions.parse(["--profile", "smoke"])
        let environment = CourseEnvironment.current
        let read = options.settings(code: environment.codeSnapshot())
        let empty = options.settings(code: CodeSnapshot())
        XCTAssertNotEqual(empty.trainingCodeFingerprint, read.trainingCodeFingerprint)
        XCTAssertNotEqual(empty.courseCodeFingerprint, read.courseCodeFingerprint)
        XCTAssertEqual(empty.trainingCodeFingerprint, environment.codeFingerprint(code: CourseEnvironment.trainingCodeFolders,
                                                                                   package: URL(fileURLWithPath: "/no-such-package")))
    }

    /// The course's code in result reuse's keys includes the package's manifest (its flags decide what the
    /// code computes): a reading without it gives no key from the files, only the executable's (with the assets').
    func testResultReuseKeysByThePackagesManifestToo() throws {
        let environment = CourseEnvironment.current
        let withManifest = try XCTUnwrap(LessonCache.courseCode(from: environment.codeSnapshot()))
        let folders = [CourseEnvironment.packageFolder, environment.courseFolder].flatMap {
            [$0.appendingPathComponent("Sources"), $0.appendingPathComponent("Assets")]
        }
        let withoutManifest = LessonCache.courseCode(from: CodeSnapshot(reading: folders))
        XCTAssertNotEqual(withoutManifest, withManifest, "without the manifest the files give no key: the executable's instead")
        XCTAssertEqual(LessonCache.courseCode(from: CodeSnapshot(reading: folders)), withoutManifest, "and that key is stable")
    }

    func testKeptResultsShowTheLessonTheyWereMadeFromAsItWasParsedThen() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("keep-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let previous = root.appendingPathComponent("site"), staging = root.appendingPathComponent("staging")
        let earlier = try lesson(prose: "The words the results were made with.")
        try fm.createDirectory(at: previous.appendingPathComponent(earlier.id), withIntermediateDirectories: true)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        let manifest = OutputManifest(lessonID: earlier.id, path: earlier.path, title: earlier.title, status: .passed, seconds: 1, cells: [])
        try JSONEncoder().encode(manifest).write(to: previous.appendingPathComponent("\(earlier.id)/manifest.json"))
        let cache = LessonCache(settings: "profile=quick", codeFingerprint: "v1")
        cache.store(earlier, manifest: manifest, in: previous)
        XCTAssertEqual(try Lesson.decoded(from: Data(contentsOf: previous.appendingPathComponent("\(earlier.id)/\(LessonCache.parsedFile)"))), earlier)

        let now = try lesson(prose: "New words.", code: "print(2)")
        let kept = try XCTUnwrap(cache.keep(now, previousSite: previous, staging: staging))
        XCTAssertEqual(kept.lesson, earlier, "the page pairs the old results with the old lesson, prose and slides included")
        XCTAssertNotNil(kept.manifest.keptNote)

        // A site from before lesson.json was kept: the stored Markdown is parsed instead.
        try fm.removeItem(at: previous.appendingPathComponent("\(earlier.id)/\(LessonCache.parsedFile)"))
        try fm.removeItem(at: staging.appendingPathComponent(earlier.id))
        XCTAssertEqual(try XCTUnwrap(cache.keep(now, previousSite: previous, staging: staging)).lesson, earlier)
    }
}

