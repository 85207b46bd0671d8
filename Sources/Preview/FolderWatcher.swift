import Foundation

/// Notices changed, added and removed files under some folders (or single files given in their place) by comparing snapshots of their
/// modification times and sizes (polling: it works the same on every file system and platform, and
/// a poll of a course's few hundred files costs well under a millisecond).
public struct FolderWatcher {
    public let folders: [URL]
    private var last: [String: String]

    public init(folders: [URL]) {
        self.folders = folders
        last = [:]
        last = snapshot()
    }

    /// The paths that changed since the last call (or since `init`), sorted.
    public mutating func changes() -> [String] {
        let now = snapshot()
        var changed = Set<String>()
        for (path, stamp) in now where last[path] != stamp { changed.insert(path) }
        for path in last.keys where now[path] == nil { changed.insert(path) }
        last = now
        return changed.sorted()
    }

    func snapshot() -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        for folder in folders {
            // A file watched on its own (a package's Package.swift), through a link if it is one.
            if let values = try? folder.resolvingSymlinksInPath().resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]),
               values.isRegularFile == true {
                result[folder.path] = "\(values.contentModificationDate?.timeIntervalSince1970 ?? 0):\(values.fileSize ?? 0)"
                continue
            }
            guard let enumerator = fm.enumerator(at: folder, includingPropertiesForKeys: [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey],
                                                 options: [.skipsHiddenFiles]) else { continue }
            while let url = enumerator.nextObject() as? URL {
                let name = url.lastPathComponent
                // Editors' swap and backup files are not the author's saves.
                if name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasPrefix("#") { continue }
                guard let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]),
                      values.isRegularFile == true else { continue }
                result[url.path] = "\(values.contentModificationDate?.timeIntervalSince1970 ?? 0):\(values.fileSize ?? 0)"
            }
        }
        return result
    }
}
