import Foundation

/// Other processes as Linux's `/proc` describes them: a process's command name and its parent. Where there is
/// no `/proc` (not Linux) nothing is known, and callers go on without it.
enum ProcessTable {
    struct Entry: Equatable {
        /// The command's name as the kernel keeps it (the file it was started from, at most 15 characters).
        var name: String
        var parent: pid_t
    }

    /// `pid`'s name and parent, from `/proc/<pid>/status`; nil when it is gone or cannot be read.
    static func entry(of pid: pid_t) -> Entry? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var name: String?, parent: pid_t?
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Name:\t") { name = String(line.dropFirst("Name:\t".count)) }
            if line.hasPrefix("PPid:\t") { parent = pid_t(line.dropFirst("PPid:\t".count)) }
            if let name, let parent { return Entry(name: name, parent: parent) }
        }
        return nil
    }

    /// The children of `pid` (this process).
    static func children(of pid: pid_t = getpid()) -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let child = pid_t(name), child != pid, entry(of: child)?.parent == pid else { return nil }
            return child
        }
    }
}
