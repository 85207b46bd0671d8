import Foundation
@testable import LessonRuntime
import MachineLearning
import XCTest

/// A build takes every key from one reading of the files, and that reading's fingerprints are the ones
/// the files gave at that moment, whatever is saved afterwards.
final class CodeSnapshotTests: XCTestCase {
    var package: URL!
    let fm = FileManager.default

    override func setUpWithError() throws {
        package = fm.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString)")
        try write("let rate = 0.001\n", to: "Sources/MachineLearning/Trainer.swift")
        try write("float dot(void);\n", to: "Sources/CKernels/include/kernels.h")
        try write("int x;\n", to: "Sources/CKernels/kernels.c")
        try write("print(1)\n", to: "Sources/lessons/main.swift")
        try write("body {}\n", to: "Assets/style.css")
        try write("secret\n", to: "Sources/MachineLearning/.hidden-notes")
        try write("// swift-tools-version:6.0\n", to: "Package.swift")
    }

    override func tearDownWithError() throws { try? fm.removeItem(at: package) }

    func write(_ text: String, to path: String) throws {
        let file = package.appendingPathComponent(path)
        try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    func folder(_ path: String) -> URL { package.appendingPathComponent(path) }

    func testAFoldersFingerprintIsWhatTheFilesGaveWhenTheyWereRead() throws {
        let snapshot = CodeSnapshot(reading: [folder("Sources"), folder("Assets")])
        for folders in [["Sources"], ["Sources/MachineLearning"], ["Sources/CKernels", "Sources/MachineLearning"],
                        ["Sources/CKernels/include"], ["Assets"], ["Sources", "Assets"]] {
            let urls = folders.map(folder)
            XCTAssertNotNil(snapshot.fingerprint(of: urls))
            XCTAssertEqual(snapshot.fingerprint(of: urls), Fingerprint.ofFiles(in: urls), "\(folders)")
        }
        XCTAssertNotEqual(snapshot.fingerprint(of: [folder("Sources/MachineLearning")]),
                          snapshot.fingerprint(of: [folder("Sources/CKernels")]))
    }

    /// A package's manifest is read as a root of its own: one file, fingerprinted as `Fingerprint.ofFiles`
    /// fingerprints it, and kept as read.
    func testAFileReadAsARootIsItsOwnOneFileAndKeepsItsReading() throws {
        let manifest = folder("Package.swift")
        let before = try XCTUnwrap(Fingerprint.ofFiles(in: [manifest]))
        let snapshot = CodeSnapshot(reading: [manifest, folder("Sources")])
        XCTAssertEqual(snapshot.fingerprint(of: [manifest]), before)
        XCTAssertEqual(snapshot.fingerprint(of: [folder("Sources"), manifest]), Fingerprint.ofFiles(in: [folder("Sources"), manifest]))
        XCTAssertNotEqual(snapshot.fingerprint(of: [folder("Sources"), manifest]), snapshot.fingerprint(of: [folder("Sources")]),
                          "the manifest counts")
        try write("// swift-tools-version:6.0 with -Ounchecked\n", to: "Package.swift")
        XCTAssertNotEqual(Fingerprint.ofFiles(in: [manifest]), before, "the file did change")
        XCTAssertEqual(snapshot.fingerprint(of: [manifest]), before, "the reading keeps what it read")
        XCTAssertNil(CodeSnapshot(reading: [folder("Sources")]).fingerprint(of: [manifest]), "not read, no fingerprint")
        XCTAssertNil(CodeSnapshot(reading: [folder("NoSuch.swift")]).fingerprint(of: [folder("NoSuch.swift")]), "a file that was not there")
    }

    /// A manifest that links to a file elsewhere is read through the link, by the snapshot and by
    /// `Fingerprint.ofFiles` alike, and its contents count.
    func testALinkedFileReadAsARootIsTheFileItLinksTo() throws {
        try write("// -O\n", to: "manifests/Package.swift")
        let manifest = folder("Package.swift")
        try fm.removeItem(at: manifest)
        try fm.createSymbolicLink(atPath: manifest.path, withDestinationPath: "manifests/Package.swift")
        let snapshot = CodeSnapshot(reading: [manifest, folder("Sources")])
        let read = try XCTUnwrap(snapshot.fingerprint(of: [folder("Sources"), manifest]))
        XCTAssertEqual(read, Fingerprint.ofFiles(in: [folder("Sources"), manifest]))
        try write("// -Ounchecked\n", to: "manifests/Package.swift")
        XCTAssertNotEqual(Fingerprint.ofFiles(in: [folder("Sources"), manifest]), read, "the linked file's contents count")
        XCTAssertEqual(snapshot.fingerprint(of: [folder("Sources"), manifest]), read)
    }

    /// A file read as a root of its own inside a folder also read is found as the file it is, whichever
    /// root the reading holds first.
    func testAFileRootInsideAFolderRootIsItsOwnOneFile() throws {
        let file = folder("Sources/lessons/main.swift")
        for _ in 0..<5 {
            let snapshot = CodeSnapshot(reading: [folder("Sources"), file])
            XCTAssertEqual(snapshot.fingerprint(of: [file]), Fingerprint.ofFiles(in: [file]))
            XCTAssertNotNil(snapshot.fingerprint(of: [file]))
        }
    }

    func testAFileSavedAfterTheReadingDoesNotChangeItsFingerprints() throws {
        let training = [folder("Sources/MachineLearning"), folder("Sources/CKernels")]
        let before = Fingerprint.ofFiles(in: training)
        let snapshot = CodeSnapshot(reading: [folder("Sources")])
        try write("let rate = 0.01\n", to: "Sources/MachineLearning/Trainer.swift")
        try write("new file\n", to: "Sources/CKernels/extra.c")
        XCTAssertNotEqual(Fingerprint.ofFiles(in: training), before, "the files did change")
        XCTAssertEqual(snapshot.fingerprint(of: training), before)
        XCTAssertEqual(snapshot.fingerprint(of: [folder("Sources")]), snapshot.fingerprint(of: [folder("Sources")]))
        XCTAssertNotEqual(CodeSnapshot(reading: [folder("Sources")]).fingerprint(of: training), before, "a new reading sees the edit")
    }

    func testWhatTheReadingDidNotCoverHasNoFingerprintRatherThanAFreshRead() throws {
        let snapshot = CodeSnapshot(reading: [folder("Sources/MachineLearning"), folder("NoSuchFolder")])
        XCTAssertNil(snapshot.fingerprint(of: [folder("Sources/CKernels")]), "outside every folder read")
        XCTAssertNil(snapshot.fingerprint(of: [folder("Sources")]), "a folder above the one read")
        XCTAssertNil(snapshot.fingerprint(of: [folder("NoSuchFolder")]), "a folder that was not there")
        XCTAssertNil(snapshot.fingerprint(of: [folder("Sources/MachineLearning"), folder("Sources/CKernels")]), "one folder missing is no fingerprint")
        XCTAssertNil(CodeSnapshot().fingerprint(of: [folder("Sources")]))
        XCTAssertNotNil(snapshot.fingerprint(of: [folder("Sources/MachineLearning")]))
    }

    func testFoldersTheReadingSkippedHaveNoFingerprint() throws {
        try write("hidden\n", to: "Sources/.build/output.o")
        try fm.createSymbolicLink(at: folder("Sources/lessons/Lessons"), withDestinationURL: folder("Assets"))
        let snapshot = CodeSnapshot(reading: [folder("Sources")])
        XCTAssertNil(snapshot.fingerprint(of: [folder("Sources/.build")]), "hidden")
        XCTAssertNil(snapshot.fingerprint(of: [folder("Sources/lessons/Lessons")]), "behind a symbolic link")
        XCTAssertEqual(snapshot.fingerprint(of: [folder("Sources/lessons")]), Fingerprint.ofFiles(in: [folder("Sources/lessons")]),
                       "the link itself is skipped as ofFiles skips it")
    }

    /// The model cache's key and result reuse's key, taken from the build's reading, name the code that
    /// reading saw, even when a file is saved between the freshness check and the keys.
    func testTheBuildsKeysComeFromItsReadingNotFromTheFilesAsTheyAreNow() throws {
        let environment = CourseEnvironment(variables: ["MIL_COURSE_DIR": package.path])
        let training = environment.codeFingerprint(code: CourseEnvironment.trainingCodeFolders, package: package)
        let course = environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: package)
        let snapshot = environment.codeSnapshot(package: package)
        try write("let rate = 0.01\n", to: "Sources/MachineLearning/Trainer.swift")
        try write("body { color: red }\n", to: "Assets/style.css")
        XCTAssertEqual(environment.codeFingerprint(code: CourseEnvironment.trainingCodeFolders, package: package, from: snapshot), training)
        XCTAssertEqual(environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: package, from: snapshot), course)
        XCTAssertNotEqual(environment.codeFingerprint(code: CourseEnvironment.trainingCodeFolders, package: package), training,
                          "read now, the key follows the edit")
        XCTAssertNotEqual(environment.codeFingerprint(code: ["Sources"], data: ["Assets"], package: package), course)
    }
}
