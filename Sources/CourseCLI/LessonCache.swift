import Foundation
import LessonCore
import LessonRuntime
import MachineLearning

/// Reuses a lesson's results from the previous site when nothing it depends on changed.
///
/// The key hashes the lesson's cells (their code and options, in order — not the prose, so a
/// prose-only edit re-renders the page without rerunning anything), the course's library code and assets (every file under
/// `Sources/` of the package this binary was built from and its `Package.swift`, or the executable itself, and under every `Assets/` it may read), the profile, the seed and
/// the contents of the user's data the lessons read (`RunSettings.reuseKeyPart`). Editing one lesson reruns only that lesson; editing library code
/// reruns all. Only lessons that passed are reused.
struct LessonCache {
    let codeFingerprint: String?
    let settings: String

    /// `codeFingerprint` stands for the program version and the course's assets; nil turns reuse off.
    init(settings: String, codeFingerprint: String? = LessonCache.courseCode()) {
        self.codeFingerprint = codeFingerprint
        self.settings = settings
    }

    /// The course's code and assets: every file under `Sources/` of the package this binary was built
    /// from and its `Package.swift` (an installed binary: the executable), and every file under every
    /// `Assets/` lessons may read (see `CourseEnvironment.codeFingerprint`), as `snapshot` holds them
    /// (nil: as they are now).
    static func courseCode(from snapshot: CodeSnapshot? = nil) -> String? {
        CourseEnvironment.current.codeFingerprint(code: ["Sources", "Package.swift"], data: ["Assets"], from: snapshot)
    }

    func key(for lesson: Lesson) -> String? {
        guard let codeFingerprint else { return nil }
        var f = Fingerprint()
        for part in [codeFingerprint, settings, lesson.path] { f.add(part) }
        for cell in lesson.cells { f.add(cell.label); f.add(String(describing: cell.options)); f.add(cell.code) }
        return f.hex
    }

    static let keyFile = "cache-key"
    /// The lesson's Markdown as it was when its results were made, kept beside them.
    static let sourceFile = "lesson-source.md"
    /// The lesson as parsed then (`Lesson.encoded()`), so that showing kept results needs no parse.
    static let parsedFile = "lesson.json"

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
        let folder = staging.appendingPathComponent(lesson.id)
        try? lesson.source.write(to: folder.appendingPathComponent(Self.sourceFile), atomically: true, encoding: .utf8)
        try? lesson.encoded().write(to: folder.appendingPathComponent(Self.parsedFile), options: .atomic)
        guard let key = key(for: lesson) else { return }
        try? key.write(to: folder.appendingPathComponent(Self.keyFile), atomically: true, encoding: .utf8)
    }

    /// For a lesson this build does not run (`--lesson` named others): its results from the previous
    /// site as they are, passed or failed, copied into `staging`. When they were made from other
    /// lesson text, the lesson returned is the one they came from (its stored source), so a page never
    /// pairs new text with old results; when anything else differs, the manifest's `keptNote` says so.
    /// Nil when the previous site has no results for it that can be shown.
    func keep(_ lesson: Lesson, previousSite: URL, staging: URL) -> (lesson: Lesson, manifest: OutputManifest)? {
        let old = previousSite.appendingPathComponent(lesson.id)
        guard let data = try? Data(contentsOf: old.appendingPathComponent("manifest.json")),
              var manifest = try? JSONDecoder().decode(OutputManifest.self, from: data) else { return nil }
        var shown = lesson
        manifest.keptNote = nil
        let storedKey = try? String(contentsOf: old.appendingPathComponent(Self.keyFile), encoding: .utf8)
        if storedKey == nil || storedKey != key(for: lesson) {
            guard let source = try? String(contentsOf: old.appendingPathComponent(Self.sourceFile), encoding: .utf8) else { return nil }
            let again = "Run it again to refresh them: lessons build --lesson \(lesson.id)."
            if source != lesson.source {
                // The lesson as it was parsed then; sites written before it was kept are parsed again.
                let stored = (try? Data(contentsOf: old.appendingPathComponent(Self.parsedFile))).flatMap { try? Lesson.decoded(from: $0) }
                guard let earlier = stored.flatMap({ $0.source == source ? $0 : nil }) ?? (try? Lesson.parse(source: source, path: lesson.path))
                else { return nil }
                shown = earlier
                manifest.keptNote = "This page shows the lesson as it was when these results were made; its text has changed since. \(again)"
            } else {
                manifest.keptNote = "These results come from an earlier build with other settings or course code (profile \(manifest.profile.isEmpty ? "unknown" : manifest.profile)). \(again)"
            }
        }
        guard (try? FileManager.default.copyItem(at: old, to: staging.appendingPathComponent(lesson.id))) != nil else { return nil }
        return (shown, manifest)
    }
}
