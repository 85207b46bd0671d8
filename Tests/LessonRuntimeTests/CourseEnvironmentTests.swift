import Foundation
@testable import LessonRuntime
import MachineLearning
import XCTest

/// The settings a lesson process gets from `lessons build` are read in one place, with the defaults
/// a lesson run by hand needs.
final class CourseEnvironmentTests: XCTestCase {
    func testTheVariablesTheRunnerSetsAreReadWithTheirDefaults() {
        let given = CourseEnvironment(variables: ["MIL_PROFILE": "paper", "MIL_SEED": "7", "MIL_DATA_DIR": "/data",
                                                  "MIL_RETRAIN": "1", "MIL_COURSE_DIR": "/course", "MIL_TTY": "1",
                                                  "MIL_PARENT_PID": "42", "MIL_LOCATION": ""], workingDirectory: "/elsewhere")
        XCTAssertEqual(given.profile, .paper)
        XCTAssertEqual(given.seed, 7)
        XCTAssertEqual(given.dataDirectory?.path, "/data")
        XCTAssertTrue(given.retrainsModels)
        XCTAssertEqual(given.courseFolder.path, "/course")
        XCTAssertEqual(given.modelCache.path, "/course/.lessons-cache")
        XCTAssertTrue(given.drawsOnTerminal)
        XCTAssertEqual(given.parentProcess, 42)
        XCTAssertNil(given.location, "an empty variable is no file")

        let none = CourseEnvironment(variables: ["MIL_SEED": "not a number", "MIL_PROFILE": "huge"], workingDirectory: "/here")
        XCTAssertEqual(none.profile, .quick)
        XCTAssertEqual(none.seed, 2017)
        XCTAssertNil(none.dataDirectory)
        XCTAssertEqual(none.courseFolder.path, "/here")
        XCTAssertFalse(none.retrainsModels)
    }

    func testCourseFilesAreFoundInTheCourseFolderFirstThenInThePackageTheBinaryCameFrom() throws {
        let course = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: course) }
        try FileManager.default.createDirectory(at: course.appendingPathComponent("Assets"), withIntermediateDirectories: true)
        try "body {}".write(to: course.appendingPathComponent("Assets/style.css"), atomically: true, encoding: .utf8)
        let environment = CourseEnvironment(variables: ["MIL_COURSE_DIR": course.path])
        XCTAssertEqual(environment.courseFile("Assets/style.css")?.path, course.appendingPathComponent("Assets/style.css").path)
        XCTAssertEqual(environment.courseFile("Assets/slides.js")?.path,
                       CourseEnvironment.packageFolder.appendingPathComponent("Assets/slides.js").path)
        XCTAssertNil(environment.courseFile("Assets/no-such-file"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: CourseEnvironment.packageFolder.appendingPathComponent("Package.swift").path))
    }

    /// A course folder with `Assets/data.csv` holding `text`.
    func courseFolder(_ text: String) throws -> URL {
        let course = FileManager.default.temporaryDirectory.appendingPathComponent("course-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: course.appendingPathComponent("Assets"), withIntermediateDirectories: true)
        try text.write(to: course.appendingPathComponent("Assets/data.csv"), atomically: true, encoding: .utf8)
        return course
    }

    func testWhereTheBinaryWasBuiltTheKeyFollowsThePackagesSourcesAndTheAssetsOfTheFolderItRunsIn() throws {
        let course = try courseFolder("1,2\n")
        defer { try? FileManager.default.removeItem(at: course) }
        let environment = CourseEnvironment(variables: ["MIL_COURSE_DIR": course.path])
        let key = environment.codeFingerprint(code: ["Sources/MachineLearning"], data: ["Assets"])
        XCTAssertEqual(key, environment.codeFingerprint(code: ["Sources/MachineLearning"], data: ["Assets"]), "stable")
        XCTAssertNotEqual(key, environment.codeFingerprint(code: ["Sources/CKernels"], data: ["Assets"]), "other code, other key")
        try "1,3\n".write(to: course.appendingPathComponent("Assets/data.csv"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(key, environment.codeFingerprint(code: ["Sources/MachineLearning"], data: ["Assets"]),
                          "the course folder's own data counts, though the package's Assets are there too")
    }

    func testAnInstalledBinaryKeysItsCachesByItselfAndTheCoursesAssetsNeverByAnEmptyFolder() throws {
        let course = try courseFolder("1,2\n")
        defer { try? FileManager.default.removeItem(at: course) }
        let gone = course.appendingPathComponent("the-build-folder-is-not-here")
        let environment = CourseEnvironment(variables: ["MIL_COURSE_DIR": course.path])
        let installed = environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: gone)
        XCTAssertEqual(installed, environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: gone), "stable within a version")
        XCTAssertEqual(environment.codeFingerprint(code: ["Sources"], package: gone),
                       environment.codeFingerprint(code: ["Sources"], package: course.appendingPathComponent("another-missing-folder")),
                       "the executable's key, whichever missing folder it was built in")
        XCTAssertEqual(CourseEnvironment.executableFingerprint.count, 16, "the running binary's bytes were read, not a random key")
        XCTAssertNotEqual(installed, environment.codeFingerprint(code: ["Sources"], data: ["Assets"]), "not the built package's key")
        try "1,3\n".write(to: course.appendingPathComponent("Assets/data.csv"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(installed, environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: gone),
                          "changing the course's data changes the key")
    }

    /// A lesson keys the model cache by the training code as the build found it when it started: an edit
    /// to that code during the build must not make the running binary's models look like the edited code's.
    func testTheModelCacheKeysByTheTrainingCodeTheBuildStartedWithNotTheFilesAsTheyAreNow() throws {
        let fm = FileManager.default
        let package = fm.temporaryDirectory.appendingPathComponent("package-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: package) }
        for folder in CourseEnvironment.trainingCodeFolders where folder != "Package.swift" {
            try fm.createDirectory(at: package.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "// swift-tools-version:6.0".write(to: package.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        let trainer = package.appendingPathComponent("Sources/MachineLearning/Trainer.swift")
        try "let rate = 0.001".write(to: trainer, atomically: true, encoding: .utf8)
        let onItsOwn = CourseEnvironment(variables: [:])
        let atStart = onItsOwn.trainingCodeFingerprint(package: package)
        XCTAssertEqual(atStart, onItsOwn.codeFingerprint(code: CourseEnvironment.trainingCodeFolders, package: package))

        try "let rate = 0.01".write(to: trainer, atomically: true, encoding: .utf8)   // edited during the build
        XCTAssertNotEqual(onItsOwn.trainingCodeFingerprint(package: package), atStart, "a process on its own reads the files")
        let handedDown = CourseEnvironment(variables: ["MIL_TRAINING_CODE_FINGERPRINT": atStart, "MIL_PARENT_PID": "42"])
        XCTAssertEqual(handedDown.trainingCodeFingerprint(package: package), atStart, "a lesson of the build keeps the build's")
        XCTAssertEqual(CourseEnvironment(variables: ["MIL_TRAINING_CODE_FINGERPRINT": "", "MIL_PARENT_PID": "42"]).trainingCodeFingerprint(package: package),
                       onItsOwn.trainingCodeFingerprint(package: package), "an empty variable is no fingerprint")
        XCTAssertEqual(CourseEnvironment(variables: ["MIL_TRAINING_CODE_FINGERPRINT": atStart]).trainingCodeFingerprint(package: package),
                       onItsOwn.trainingCodeFingerprint(package: package), "outside a build (a value left in a shell) it is not trusted")
    }

    /// A compiler flag in `Package.swift` (`-ffp-contract`, `-Ounchecked`) changes every trained model's
    /// bits as surely as an edit to the trainer: the model cache's key covers the manifest too, and a
    /// package whose manifest is missing is not taken for one with an empty manifest.
    func testAFlagChangedInPackageSwiftChangesTheModelCachesKey() throws {
        let fm = FileManager.default
        let package = fm.temporaryDirectory.appendingPathComponent("package-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: package) }
        for folder in ["Sources/MachineLearning", "Sources/CKernels"] {
            try fm.createDirectory(at: package.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "let rate = 0.001".write(to: package.appendingPathComponent("Sources/MachineLearning/Trainer.swift"), atomically: true, encoding: .utf8)
        let manifest = package.appendingPathComponent("Package.swift")
        let flags = #"cSettings: [.unsafeFlags(["-ffp-contract=fast-honor-pragmas"])]"#
        try flags.write(to: manifest, atomically: true, encoding: .utf8)
        let environment = CourseEnvironment(variables: [:])
        let key = environment.trainingCodeFingerprint(package: package)
        XCTAssertEqual(environment.trainingCodeFingerprint(package: package), key, "stable")
        try flags.replacingOccurrences(of: "fast-honor-pragmas", with: "off").write(to: manifest, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(environment.trainingCodeFingerprint(package: package), key, "another flag, another key")
        try flags.write(to: manifest, atomically: true, encoding: .utf8)
        XCTAssertEqual(environment.trainingCodeFingerprint(package: package), key, "the same manifest, the same key")
        try fm.removeItem(at: manifest)
        XCTAssertEqual(environment.trainingCodeFingerprint(package: package),
                       environment.codeFingerprint(code: ["Sources"], package: package.appendingPathComponent("gone")),
                       "without a manifest the sources alone cannot say how they compiled: the executable's key, as for an installed binary")
    }

    /// The model cache a lesson process opens salts its keys with the build's fingerprint.
    func testALessonsModelCacheSaltsItsKeysWithTheBuildsFingerprint() {
        let lesson = CourseEnvironment(variables: ["MIL_TRAINING_CODE_FINGERPRINT": "0123abcd", "MIL_PARENT_PID": "42",
                                                   "MIL_MODEL_CACHE": "/tmp/models", "MIL_RETRAIN": "1"])
        let cache = CourseModelCache.cache(for: lesson)
        XCTAssertEqual(cache.salt, "0123abcd")
        XCTAssertEqual(cache.directory.path, "/tmp/models")
        XCTAssertFalse(cache.readsStoredModels)
    }
}
