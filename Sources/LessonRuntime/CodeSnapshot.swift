import Foundation
import MachineLearning

/// The course's code and assets as one reading saw them.
///
/// A build takes several keys from these files: whether the binary holds the code (`Freshness`), the
/// training code's fingerprint in the model cache's keys, and the course's code in result reuse's keys.
/// Read one after another, a file saved between two reads would leave the keys describing different
/// code: the binary judged current for the old code, and its models or results filed under the new
/// code's key. Taken from one snapshot, they all describe the files as they were at that moment.
///
/// A folder's fingerprint here is exactly `Fingerprint.ofFiles(in:)` of the files as they were read, so
/// keys made before and after (and by a lesson process reading the files on its own) agree.
public struct CodeSnapshot: Sendable {
    /// A folder read whole: its files (absolute path, bytes; nil when the file could not be read) in
    /// the order `Fingerprint.ofFiles` hashes them; nil when the folder itself could not be read.
    private var roots: [String: [(path: String, data: Data?)]?] = [:]

    /// An empty snapshot: every fingerprint is nil.
    public init() {}

    /// Reads every regular file under each of `roots` (not following symbolic links, skipping hidden
    /// files); a root that is a regular file or a link to one (a `Package.swift`) is read as its own one file; a root that
    /// does not exist is remembered as unreadable.
    public init(reading roots: [URL]) {
        for root in roots.map(\.standardizedFileURL) where self.roots[root.path] == nil {
            // A file root (through a symbolic link, if it is one: a manifest linked from elsewhere is still the
            // package's manifest) is its own one file, as `Fingerprint.files` lists it.
            guard FileManager.default.fileExists(atPath: root.path) else {
                self.roots[root.path] = .some(nil)
                continue
            }
            self.roots[root.path] = Fingerprint.files(in: root).map { files in
                files.map { (path: $0.standardizedFileURL.path, data: try? Data(contentsOf: $0)) }
            }
        }
    }

    /// The folders read.
    public var folders: [URL] { roots.keys.sorted().map { URL(fileURLWithPath: $0) } }

    /// The fingerprint of `folders` (or files read as roots) as read, the same as
    /// `Fingerprint.ofFiles(in: folders)` would have given then; nil when a folder was not under a root read, or it or one of its files could not be
    /// read (never a fresh read: that would be another moment's files).
    public func fingerprint(of folders: [URL]) -> String? {
        var f = Fingerprint()
        for folder in folders.map(\.standardizedFileURL) {
            guard let files = files(in: folder) else { return nil }
            for file in files {
                guard let data = file.data else { return nil }
                f.add(file: String(file.path.dropFirst(folder.path.count)), data)
            }
        }
        return f.hex
    }

    /// The files under `folder` as read, from the root that holds it (a file read as a root: itself).
    private func files(in folder: URL) -> [(path: String, data: Data?)]? {
        let path = folder.path
        // The innermost root first: a file read as a root of its own may lie in a folder read too.
        for (root, files) in roots.sorted(by: { $0.key.count > $1.key.count }) where path == root || path.hasPrefix(root == "/" ? "/" : root + "/") {
            guard let files else { return nil }
            if path == root, files.count == 1, files[0].path == root { return files }
            // A folder under a root that was skipped (hidden, or reached through a symbolic link) was not
            // read; only one the root's reading went into is known.
            guard path == root || Self.wasEntered(path, below: root) else { return nil }
            return files.filter { $0.path.hasPrefix(path + "/") }
        }
        return nil
    }

    /// Whether reading `root` went into `folder`: no component on the way is hidden or a symbolic link,
    /// and it is a folder (an empty one holds no files, which is its fingerprint).
    private static func wasEntered(_ folder: String, below root: String) -> Bool {
        var url = URL(fileURLWithPath: root)
        for component in folder.dropFirst(root.count).split(separator: "/") {
            if component.hasPrefix(".") { return false }
            url.appendPathComponent(String(component))
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey])
            if values?.isSymbolicLink != false || values?.isDirectory != true { return false }
        }
        return true
    }
}
