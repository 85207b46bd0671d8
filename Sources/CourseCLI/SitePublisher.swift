import Foundation

/// Builds a site in a temporary folder beside its destination and moves it into place only when it
/// is complete, so an interrupted or failed build never leaves a half-written site where a good one was.
struct SitePublisher {
    let destination: URL
    let staging: URL

    init(destination: URL) throws {
        self.destination = destination.standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(self.destination.lastPathComponent).partial-\(getpid())")
        let fm = FileManager.default
        // Folders left by builds that were killed midway: remove them once their process is gone.
        let prefix = ".\(self.destination.lastPathComponent)."
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard rest.hasPrefix("partial-") || rest.hasPrefix("old-"),
                  let pid = Int32(rest.split(separator: "-").last ?? ""), pid != getpid(), kill(pid, 0) != 0 else { continue }
            try? fm.removeItem(at: parent.appendingPathComponent(name))
        }
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw CLIError("cannot write the site to \(self.destination.path): \(error.localizedDescription)")
        }
    }

    /// Replaces the destination with the staged site: two renames on the same file system. The staged
    /// site must hold its front page and every page in `pages`, else the previous site is kept; it is
    /// marked as the runner's before it moves into place. The destination must still be one the runner
    /// may replace (it is checked again: something may have moved there while the lessons ran).
    func publish(pages: [String]) throws {
        let fm = FileManager.default
        let missing = (["index.html"] + pages).filter { !fm.fileExists(atPath: staging.appendingPathComponent($0).path) }
        guard missing.isEmpty else {
            throw CLIError("the new site is missing \(missing.joined(separator: ", ")), so the previous site was kept")
        }
        let marker = staging.appendingPathComponent(OutputFolder.markerName)
        guard fm.createFile(atPath: marker.path, contents: Data(OutputFolder.markerText.utf8)) else {
            throw WriteFailure(path: marker.path, errno: errno)
        }
        if fm.fileExists(atPath: destination.path) && !OutputFolder.isOwnedSite(destination) {
            throw CLIError("refusing to replace \(destination.path): it changed while the lessons ran and is no longer a site written by `lessons build`")
        }
        let old = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
        if fm.fileExists(atPath: destination.path) {
            guard rename(destination.path, old.path) == 0 else {
                throw CLIError("cannot replace \(destination.path): \(String(cString: strerror(errno)))")
            }
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(old.path, destination.path)
            throw CLIError("cannot move the new site into \(destination.path): \(reason)")
        }
        try? fm.removeItem(at: old)
    }

    /// Removes the staging folder after a failure.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }
}

/// Removes scratch folders (`<tmp>/lessons-run.PID.ID`, `<tmp>/lessons-check.PID`) left by runs whose
/// process is gone (killed hard). Only names of exactly that form are touched.
func removeAbandonedScratchFolders() {
    let fm = FileManager.default
    let temp = fm.temporaryDirectory
    for name in (try? fm.contentsOfDirectory(atPath: temp.path)) ?? [] {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        let shaped = (parts.first == "lessons-run" && parts.count == 3 && !parts[2].isEmpty
                        && parts[2].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            || (parts.first == "lessons-check" && parts.count == 2)
        guard shaped, let pid = Int32(parts[1]), pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
        try? fm.removeItem(at: temp.appendingPathComponent(name))
    }
}

/// A command-line failure: one sentence for the user.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
