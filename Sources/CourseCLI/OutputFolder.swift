import Foundation
import LessonRuntime

/// Which folders `build` may replace and `clean` may remove: only what the runner made.
///
/// A site the runner publishes carries a marker file. Before anything runs, an output folder is
/// refused if it is, contains or lies inside what a course is made of (the package, `Lessons/`,
/// `Sources/`, `Assets/`, `Tests/`, `.git`), if it is `/` or the home folder, or if it exists, is
/// not empty and carries no marker. The refusal is one line saying why and what to do.
enum OutputFolder {
    /// The marker's file name, in the site's top folder.
    static let markerName = ".lessons-site"
    static let markerText = """
        This folder was written by `lessons build`. `lessons build` replaces it and `lessons clean`
        removes it; a folder without this file is never touched.

        """

    /// The folder `path` names, as the kernel would find it: made absolute, then its longest existing
    /// part resolved with `realpath` (symbolic links first, then `..`, so `link/..` is the link target's
    /// parent), then the parts that do not exist yet.
    static func resolve(_ path: String, from base: String = FileManager.default.currentDirectoryPath) -> URL {
        let absolute = path.hasPrefix("/") ? path : base + "/" + path
        var parts = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var missing: [String] = []
        while true {
            let prefix = "/" + parts.joined(separator: "/")
            if let real = realpath(prefix, nil) {
                defer { free(real) }
                var url = URL(fileURLWithPath: String(cString: real))
                for part in missing { url.appendPathComponent(part) }
                return url.standardizedFileURL
            }
            guard let last = parts.popLast() else { return URL(fileURLWithPath: "/") }
            missing.insert(last, at: 0)
        }
    }

    /// The packages whose folders are protected: the one this binary was built from, and the
    /// nearest folder at or above `base` that holds a `Package.swift` or `.git`.
    static func protectedRoots(base: String = FileManager.default.currentDirectoryPath) -> [URL] {
        var roots = [CourseEnvironment.packageFolder.resolvingSymlinksInPath().standardizedFileURL]
        if let folder = nearestFolder(from: resolve(base), holdingAnyOf: ["Package.swift", ".git"]), !roots.contains(folder) {
            roots.append(folder)
        }
        return roots
    }

    /// The nearest folder at or above `folder` that holds one of `names` (SwiftPM finds its package so,
    /// by `Package.swift`); nil when none does, up to `/`.
    static func nearestFolder(from folder: URL, holdingAnyOf names: [String]) -> URL? {
        var folder = folder
        while true {
            if names.contains(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) { return folder }
            if folder.path == "/" { return nil }
            folder.deleteLastPathComponent()
        }
    }

    static func isSame(_ a: URL, _ b: URL) -> Bool { a.path == b.path }
    /// Whether `inner` is strictly inside `outer`.
    static func isInside(_ inner: URL, _ outer: URL) -> Bool {
        let o = outer.path == "/" ? "/" : outer.path + "/"
        return inner.path.hasPrefix(o) && inner.path != outer.path
    }

    /// Checks that the runner may make `path` its site folder (`verb`: "write the site to",
    /// "remove"); returns the resolved folder or throws a one-line `CLIError`. With `replacing` false
    /// (a command that only adds files, such as `gallery`) an existing folder need not be the runner's,
    /// but the course's own places are still refused.
    @discardableResult
    static func check(_ path: String, verb: String, base: String = FileManager.default.currentDirectoryPath,
                      replacing: Bool = true, suggestion: String = "_site") throws -> URL {
        let output = resolve(path, from: base)
        func refuse(_ why: String) -> CLIError {
            CLIError("refusing to \(verb) \(output.path): \(why)")
        }
        let home = [NSHomeDirectory(), ProcessInfo.processInfo.environment["HOME"]].compactMap { $0 }
            .filter { !$0.isEmpty }.map { resolve($0) }
        if output.path == "/" { throw refuse("it is the root of the file system; choose a folder of its own such as \(suggestion)") }
        if home.contains(where: { isSame($0, output) }) {
            throw refuse("it is your home folder; choose a folder of its own such as ~/course-site")
        }
        for root in protectedRoots(base: base) {
            if isSame(output, root) {
                throw refuse("it is the course's own folder (\(root.lastPathComponent)); choose a folder of its own such as \(suggestion)")
            }
            if isInside(root, output) {
                throw refuse("it contains the course's folder \(root.path); choose a folder of its own such as \(root.appendingPathComponent(suggestion).path)")
            }
            for part in ["Lessons", "Sources", "Assets", "Tests", ".git", "Package.swift", "Plugins"] {
                let protected = root.appendingPathComponent(part)
                if isSame(output, protected) || isInside(output, protected) {
                    throw refuse("it is \(isSame(output, protected) ? "" : "inside ")the course's \(part)\(part.contains(".") ? "" : " folder") (\(protected.path)); choose a folder of its own such as \(suggestion)")
                }
            }
        }
        guard replacing else { return output }
        let fm = FileManager.default
        if let type = try? fm.attributesOfItem(atPath: output.path)[.type] as? FileAttributeType {
            if type == .typeSymbolicLink { throw refuse("it is a symbolic link; name the folder itself") }
            if type != .typeDirectory { throw refuse("it is a file, not a folder; choose another --output") }
            if !isOwnedSite(output) {
                throw refuse("it is not empty and was not written by `lessons build` (it has no \(markerName) file); choose another --output, or empty the folder yourself")
            }
        }
        return output
    }

    /// Whether `folder` may be replaced: empty, marked as the runner's, or a site written before
    /// sites carried the marker (nothing in it but what the site writer makes).
    static func isOwnedSite(_ folder: URL) -> Bool {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return false }
        if names.isEmpty || names.contains(markerName) { return true }
        // An unmarked site from an earlier version: its front page, data and stylesheet, and nothing else
        // than pages and lesson folders with their manifests.
        guard names.contains("index.html"), names.contains("observations.json"),
              fm.fileExists(atPath: folder.appendingPathComponent("assets/style.css").path) else { return false }
        return names.allSatisfy { name in
            if ["index.html", "observations.json", "assets"].contains(name) || name.hasSuffix(".html") { return true }
            return fm.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("manifest.json").path)
        }
    }
}
