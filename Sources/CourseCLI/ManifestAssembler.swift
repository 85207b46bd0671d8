import Foundation
import LessonCore
import LessonRuntime

/// How a lesson's child process ended.
public enum ChildExit: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)
}

/// Why the parent stopped a lesson's process itself.
public enum ParentStop: Equatable, Sendable {
    /// Cell `cell` ran past its limit of `limit` seconds.
    case timedOut(cell: Int, limit: Double)
    /// The process ran past the limit outside any cell (starting up, or between two cells).
    case timedOutOutsideCells(limit: Double)
}

/// Turns what a lesson's child process left behind (its channel events, stdout and stderr) into the
/// lesson's `OutputManifest`, blaming a failure on the cell that began and did not end.
///
/// The events must tell a well-formed story: the running cells begin and end one after the other, in
/// order, and the lesson says it finished. Anything else (a cell that called `exit`, reports out of
/// order) is a failure, never a pass. Printed text is cut per cell at the byte offsets the events
/// carry, so nothing a cell prints can move a boundary, and a failure's reason is read only from the
/// failing cell's own output.
///
/// Pure: tests feed it values and compare manifests.
public enum ManifestAssembler {
    /// Printed text kept per cell; the rest is dropped with a note on the page.
    public static let stdoutLimit = 200_000

    /// `forgedLines` counts lines on the channel that did not carry the child's token: any makes the
    /// lesson fail, whatever the events say.
    public static func assemble(lesson: Lesson, events: [RunEvent], stdout: Data, stderr: Data,
                                exit: ChildExit, stop: ParentStop? = nil, forgedLines: Int = 0,
                                seconds: Double) -> OutputManifest {
        let runnable = lesson.cells.filter(\.runs).map(\.index)
        var cursor = 0
        var open: (cell: Int, stdout: Int, stderr: Int)?
        var ended: [Int: (seconds: Double, stdout: Range<Int>)] = [:]
        var lastEndStderr = 0
        var finished = false
        var violation: String?
        var outputs: [Int: [CellOutput]] = [:]
        var thrown: [Int: String] = [:]
        var observations: [Observation] = []
        var work: [Int: [String: Double]] = [:]
        var crash: (mainThread: Bool, signal: Int32)?

        func name(_ index: Int) -> String {
            index >= 0 && index < lesson.cells.count ? "cell \(index + 1) [\(lesson.cells[index].label)]" : "cell #\(index)"
        }
        func expectation() -> String {
            if let open { return "expected the end of \(name(open.cell))" }
            return cursor < runnable.count ? "expected \(name(runnable[cursor])) to begin" : "expected the lesson to finish"
        }
        for event in events {
            switch event {
            case .begin(let cell, let out, let err):
                guard violation == nil else { continue }
                if open == nil && !finished && cursor < runnable.count && runnable[cursor] == cell {
                    open = (cell, out, err)
                } else {
                    violation = "\(name(cell)) reported its beginning, but the runner \(expectation())"
                }
            case .end(let cell, let seconds, let out, let err):
                guard violation == nil else { continue }
                if let o = open, o.cell == cell {
                    ended[cell] = (seconds, o.stdout..<max(o.stdout, out))
                    lastEndStderr = err
                    open = nil
                    cursor += 1
                } else {
                    violation = "\(name(cell)) reported its end, but the runner \(expectation())"
                }
            case .output(let cell, let output): outputs[cell, default: []].append(output)
            case .observation(_, let observation): observations.append(observation)
            case .work(let cell, let seconds): work[cell] = seconds
            case .error(let cell, let message): thrown[cell] = message
            case .finished:
                guard violation == nil else { continue }
                if open == nil && cursor == runnable.count { finished = true } else {
                    violation = "the lesson reported that it finished, but the runner \(expectation())"
                }
            case .crash(let mainThread, let signal):
                if crash == nil { crash = (mainThread, signal) }
            }
        }

        func text(_ range: Range<Int>, of data: Data) -> String {
            let lower = min(max(0, range.lowerBound), data.count), upper = min(max(lower, range.upperBound), data.count)
            return String(decoding: data[data.startIndex + lower ..< data.startIndex + upper], as: UTF8.self)
        }
        /// Why the process died, from the stderr it wrote since `from`: the runtime's message when a
        /// signal killed it, else its exit.
        func death(stderrFrom from: Int, cell: Int?) -> CellFailure {
            let own = text(from..<stderr.count, of: stderr)
            if case .signalled = exit, let trap = crashMessage(stderr: own, lessonPath: lesson.path) {
                if let crash, !crash.mainThread {
                    if let line = trap.line, let origin = cellIndex(line, lesson), origin != cell {
                        return CellFailure(.backgroundCrash, "interrupted: asynchronous work started in \(name(origin)) crashed after that cell ended: \(trap.message) (at line \(line))", line: line)
                    }
                    return CellFailure(.backgroundCrash, "a background thread crashed: \(trap.message)\(trap.line.map { " (at line \($0))" } ?? "")", line: trap.line)
                }
                return CellFailure(.trap, trap.message + (trap.line.map { " (at line \($0))" } ?? ""), line: trap.line)
            }
            if let crash, !crash.mainThread { return CellFailure(.backgroundCrash, "a background thread crashed: \(describe(exit))") }
            if case .exited(let code) = exit, cell != nil {
                return CellFailure(.exit, "the lesson process exited with status \(code) during this cell (does it call exit?); the cells after it did not run")
            }
            if case .exited = exit { return CellFailure(.exit, describe(exit)) }
            return CellFailure(.signal, describe(exit))
        }

        var cells: [CellResult] = []
        var failed = false
        var lessonError: String?
        for cell in lesson.cells {
            var result = CellResult(index: cell.index, label: cell.label, fenceLine: cell.fenceLine,
                                    closingLine: cell.closingLine, status: .notRun)
            var printed = ""
            result.outputs = outputs[cell.index] ?? []
            result.workSeconds = work[cell.index]
            if !cell.runs {
                result.status = .shownOnly
            } else if let done = ended[cell.index] {
                result.status = .passed
                result.seconds = done.seconds
                printed = text(done.stdout, of: stdout)
            } else if let o = open, o.cell == cell.index, violation == nil {
                failed = true
                result.status = .failed
                printed = text(o.stdout..<stdout.count, of: stdout)
                let failure: CellFailure
                if case .timedOut(cell.index, let limit)? = stop {
                    failure = CellFailure(.timeout, "timed out after \(formatSeconds(limit)) s (raise the limit with the cell option timeout=SECONDS or lessons build --timeout SECONDS)")
                } else if let message = thrown[cell.index] {
                    failure = CellFailure(.thrown, "threw an error: \(message)")
                } else {
                    failure = death(stderrFrom: o.stderr, cell: cell.index)
                }
                result.failure = failure
                result.error = "\(lesson.path):\(cell.lineRange) [\(cell.label)]: \(failure.reason)"
            }
            if printed.utf8.count > stdoutLimit {
                let kept = String(decoding: Array(printed.utf8.prefix(stdoutLimit)), as: UTF8.self)
                result.stdoutTruncatedBytes = printed.utf8.count - kept.utf8.count
                printed = kept
            }
            result.stdout = printed
            cells.append(result)
        }
        if forgedLines > 0 && lessonError == nil {
            failed = true
            lessonError = "\(lesson.path): the runner's report channel received \(forgedLines) line\(forgedLines == 1 ? "" : "s") that did not come from the runner (a cell wrote to it?); the lesson's results cannot be trusted"
        } else if let violation {
            failed = true
            lessonError = "\(lesson.path): \(violation); the lesson's results cannot be trusted (does a cell tamper with the runner?)"
        } else if !failed && !(finished && exit == .exited(0)) {
            failed = true
            let after = ended.keys.max().map { " after \(name($0))" } ?? " before its first cell"
            let detail: String
            if case .timedOutOutsideCells(let limit)? = stop {
                detail = "timed out after \(formatSeconds(limit)) s outside any cell (raise the limit with lessons build --timeout SECONDS)"
            } else if let message = thrown[-1] {
                detail = "threw an error: \(message)"
            } else {
                detail = death(stderrFrom: lastEndStderr, cell: nil).reason
            }
            let tail = text(lastEndStderr..<stderr.count, of: stderr).split(separator: "\n").suffix(5).joined(separator: "\n")
            lessonError = "\(lesson.path): the lesson failed\(finished ? " after its last cell" : after): \(detail)"
                + (tail.isEmpty || detail.contains(tail) ? "" : "\n\(tail)")
        }
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title,
                                      status: failed ? .failed : .passed, seconds: seconds, cells: cells,
                                      lessonError: lessonError)
        manifest.observations = observations
        return manifest
    }

    /// Where a line of the lesson file falls: the cell whose fences enclose it.
    static func cellIndex(_ line: Int, _ lesson: Lesson) -> Int? {
        lesson.cells.first { $0.fenceLine < line && line < $0.closingLine }?.index
    }

    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }

    /// The Swift runtime's message for a trap (`Fatal error: Index out of range`), and the lesson line
    /// when the trap is in the lesson's own code: the runtime names the place as `<module>/<file>:LINE`
    /// (`lessons/02-traps.md:9: Fatal error: …`), `#sourceLocation` having given the file's name.
    /// The last such message wins: the runtime prints it just before the process dies.
    static func crashMessage(stderr: String, lessonPath: String) -> (message: String, line: Int?)? {
        let kinds = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil",
                     "Illegal instruction", "Segmentation fault"]
        let fileName = lessonPath.split(separator: "/").last.map(String.init) ?? lessonPath
        var found: (String, Int?)?
        for line in stderr.split(separator: "\n") {
            guard let kind = kinds.first(where: { line.contains($0) }),
                  let range = line.range(of: kind) else { continue }
            let message = String(line[range.lowerBound...])
            // `lessons/02-traps.md:9: ` before the message: a place in this lesson.
            var location = line[..<range.lowerBound]
            while location.hasSuffix(" ") || location.hasSuffix(":") { location = location.dropLast() }
            var number: Int?
            if let colon = location.lastIndex(of: ":"), let n = Int(location[location.index(after: colon)...]) {
                let file = location[..<colon]
                if file == lessonPath || file.hasSuffix("/" + fileName) || file == fileName { number = n }
            }
            found = (message, number)
        }
        return found
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
