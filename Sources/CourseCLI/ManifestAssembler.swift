import Foundation
import LessonCore
import LessonRuntime

/// How a lesson's child process ended.
public enum ChildExit: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)
}

/// Turns what a lesson's child process left behind (its event log, stdout and stderr) into the
/// lesson's `OutputManifest`, blaming a crash on the cell that began and did not end.
///
/// Pure: tests feed it text and compare manifests.
public enum ManifestAssembler {
    /// Printed text kept per cell; the rest is dropped with a note on the page.
    public static let stdoutLimit = 200_000

    public static func assemble(lesson: Lesson, events: [RunEvent], stdout: String, stderr: String,
                                token: String, exit: ChildExit, seconds: Double) -> OutputManifest {
        let printed = splitStdout(stdout, token: token)
        var began = Set<Int>(), ended: [Int: Double] = [:], outputs: [Int: [CellOutput]] = [:]
        var thrown: [Int: String] = [:]
        var observations: [Observation] = []
        for event in events {
            switch event {
            case .begin(let cell): began.insert(cell)
            case .end(let cell, let seconds): ended[cell] = seconds
            case .output(let cell, let output): outputs[cell, default: []].append(output)
            case .error(let cell, let message): thrown[cell] = message
            case .observation(_, let observation): observations.append(observation)
            }
        }
        var cells: [CellResult] = []
        var failed = false
        var lessonError: String?
        for cell in lesson.cells {
            var result = CellResult(index: cell.index, label: cell.label, fenceLine: cell.fenceLine,
                                    closingLine: cell.closingLine, status: .notRun)
            var text = printed[cell.index] ?? ""
            if text.utf8.count > stdoutLimit {
                let kept = String(decoding: Array(text.utf8.prefix(stdoutLimit)), as: UTF8.self)
                result.stdoutTruncatedBytes = text.utf8.count - kept.utf8.count
                text = kept
            }
            result.stdout = text
            result.outputs = outputs[cell.index] ?? []
            if !cell.runs {
                result.status = .shownOnly
            } else if let seconds = ended[cell.index], !failed {
                result.status = .passed
                result.seconds = seconds
            } else if began.contains(cell.index) && !failed {
                failed = true
                result.status = .failed
                let reason = thrown[cell.index].map { "threw an error: \($0)" }
                    ?? crashMessage(stderr: stderr, lessonPath: lesson.path) ?? describe(exit)
                result.error = "\(lesson.path):\(cell.lineRange) [\(cell.label)]: \(reason)"
            }
            cells.append(result)
        }
        let ranAll = lesson.cells.filter(\.runs).allSatisfy { ended[$0.index] != nil }
        if !failed && (exit != .exited(0) || !ranAll) {
            // The process died outside any cell (at start-up, say).
            failed = true
            let detail = crashMessage(stderr: stderr, lessonPath: lesson.path) ?? describe(exit)
            let tail = stderr.split(separator: "\n").suffix(5).joined(separator: "\n")
            lessonError = "\(lesson.path): the lesson process failed outside any cell: \(detail)"
                + (tail.isEmpty ? "" : "\n\(tail)")
        }
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title,
                                      status: failed ? .failed : .passed, seconds: seconds, cells: cells,
                                      lessonError: lessonError)
        manifest.observations = observations
        return manifest
    }

    /// Splits the child's stdout into each cell's printed text using the begin/end markers.
    public static func splitStdout(_ stdout: String, token: String) -> [Int: String] {
        let prefix = "\n\u{1E}MIL:\(token):"
        var result: [Int: String] = [:]
        var current: Int?
        var rest = Substring(stdout)
        while true {
            guard let found = rest.range(of: prefix) else {
                if let current { result[current, default: ""] += rest }
                break
            }
            if let current { result[current, default: ""] += rest[..<found.lowerBound] }
            let afterPrefix = rest[found.upperBound...]
            let lineEnd = afterPrefix.firstIndex(of: "\n") ?? afterPrefix.endIndex
            let parts = afterPrefix[..<lineEnd].split(separator: ":")
            if parts.count == 2, let index = Int(parts[1]) {
                current = parts[0] == "begin" ? index : nil
            }
            rest = lineEnd < afterPrefix.endIndex ? afterPrefix[afterPrefix.index(after: lineEnd)...] : ""
        }
        return result
    }

    /// The Swift runtime's message for a trap: `Fatal error: Index out of range`, with the lesson
    /// line when the trap is in the lesson's own code (`#sourceLocation` makes the runtime name it).
    static func crashMessage(stderr: String, lessonPath: String) -> String? {
        let kinds = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil",
                     "Illegal instruction", "Segmentation fault"]
        for line in stderr.split(separator: "\n") {
            guard let kind = kinds.first(where: { line.contains($0) }),
                  let range = line.range(of: kind) else { continue }
            var message = String(line[range.lowerBound...])
            let location = line[..<range.lowerBound]
            if location.hasPrefix(lessonPath + ":") {
                let lineNumber = location.dropFirst(lessonPath.count + 1).prefix(while: \.isNumber)
                if !lineNumber.isEmpty { message += " (at line \(lineNumber))" }
            }
            return message
        }
        return nil
    }

    static func describe(_ exit: ChildExit) -> String {
        switch exit {
        case .exited(let code): return "the lesson process exited with status \(code)"
        case .signalled(let signal):
            let names: [Int32: String] = [4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
                                          9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"]
            return "the lesson process was killed by signal \(signal)\(names[signal].map { " (\($0))" } ?? "")"
        }
    }
}
