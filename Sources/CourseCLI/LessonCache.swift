import Foundation
import LessonCore
import MachineLearning

/// Reuses a lesson's results from the previous site when nothing it depends on changed.
///
/// The key hashes the lesson's cells (their code and options, in order — not the prose, so a
/// prose-only edit re-renders the page without rerunning anything), the course's library code and assets (every file under
/// `Sources/` and `Assets/` of the package this binary was built from), the profile, the seed and
/// the contents of the user's data the lessons read (`RunSettings.reuseKeyPart`). Editing one lesson reruns only that lesson; editing library code
/// reruns all. Only lessons that passed are reused.
struct LessonCache {
    let codeFingerprint: String?
    let settings: String

    /// `codeFingerprint` stands for the program version; nil (the sources are not where the binary
    /// was built) turns reuse off rather than risk stale results.
    init(settings: String, codeFingerprint: String? = LessonCache.courseCode()) {
        self.codeFingerprint = codeFingerprint
        self.settings = settings
    }

    /// A fingerprint of every file under `Sources/` and `Assets/` of the package this binary was built from.
    static func courseCode() -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return Fingerprint.ofFiles(in: ["Sources", "Assets"].map { root.appendingPathComponent($0) })
    }

    func key(for lesson: Lesson) -> String? {
        guard let codeFingerprint else { return nil }
        var f = Fingerprint()
        for part in [codeFingerprint, settings, lesson.path] { f.add(part) }
        for cell in lesson.cells { f.add(cell.label); f.add(String(describing: cell.options)); f.add(cell.code) }
        return f.hex
    }

    static let keyFile = "cache-key"

    /// The previous run's manifest if its key matches and it passed; its folder is copied into `staging`.
    func reuse(_ lesson: Lesson, previousSite: URL, staging: URL) -> OutputManifest? {
        guard let key = key(for: lesson) else { return nil }
        let old = previousSite.appendingPathComponent(lesson.id)
        guard let stored = try? String(contentsOf: old.appendingPathComponent(Self.keyFile), encoding: .utf8), stored == key,
              let data = try? Data(contentsOf: old.appendingPathComponent("manifest.json")),
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data), manifest.status == .passed,
              (try? FileManager.default.copyItem(at: old, to: staging.appendingPathComponent(lesson.id))) != nil else { return nil }
        return manifest
    }

    func store(_ lesson: Lesson, manifest: OutputManifest, in staging: URL) {
        guard manifest.status == .passed, let key = key(for: lesson) else { return }
        try? key.write(to: staging.appendingPathComponent(lesson.id).appendingPathComponent(Self.keyFile), atomically: true, encoding: .utf8)
    }
}
