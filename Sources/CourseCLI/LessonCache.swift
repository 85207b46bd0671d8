import Foundation
import LessonCore

/// Reuses a lesson's results from the previous site when nothing it depends on changed.
///
/// The key hashes the lesson's cells (their code and options, in order — not the prose, so a
/// prose-only edit re-renders the page without rerunning anything), the course's library code and assets (every file under
/// `Sources/` and `Assets/` of the package this binary was built from), the profile, the seed and
/// the environment the lessons read. Editing one lesson reruns only that lesson; editing library code
/// reruns all. Only lessons that passed are reused.
struct LessonCache {
    let codeFingerprint: String?
    let settings: String

    init(profile: String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        codeFingerprint = Self.fingerprint(folders: ["Sources", "Assets"].map { root.appendingPathComponent($0) })
        let environment = ProcessInfo.processInfo.environment
        settings = "profile=\(profile) seed=\(environment["MIL_SEED"] ?? "") location=\(environment["MIL_LOCATION"] ?? "")"
    }

    /// FNV-1a over every regular file's path and bytes, in sorted order; nil if a folder is missing.
    static func fingerprint(folders: [URL]) -> String? {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        let fm = FileManager.default
        for folder in folders {
            guard let enumerator = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                                 options: [.skipsHiddenFiles]) else { return nil }
            var files: [URL] = []
            for case let url as URL in enumerator {
                let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
                if values?.isSymbolicLink == true { enumerator.skipDescendants(); continue }
                if values?.isRegularFile == true { files.append(url) }
            }
            for file in files.sorted(by: { $0.path < $1.path }) {
                add(file.path.dropFirst(folder.path.count).utf8)
                guard let data = try? Data(contentsOf: file) else { return nil }
                add(data)
            }
        }
        return String(hash, radix: 16)
    }

    func key(for lesson: Lesson) -> String? {
        guard let codeFingerprint else { return nil }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let cells = lesson.cells.map { "\($0.label)\u{1}\($0.options)\u{1}\($0.code)" }.joined(separator: "\u{2}")
        for byte in "\(codeFingerprint)\n\(settings)\n\(lesson.path)\n\(cells)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
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
