import Foundation
import LessonCore
import LessonRuntime

/// Runs one lesson in a child process of this executable (`lessons run-lesson ID`), so that a trap
/// kills only that lesson, and assembles its manifest from what the child left behind.
enum LessonProcess {
    /// Runs `lesson` with `settings`; `tagOutput` prefixes its live log lines with its id (for when
    /// several lessons run at once) and turns off in-place progress bars.
    static func run(lesson: Lesson, siteFolder: URL, settings: RunSettings, tagOutput: Bool = false) throws -> OutputManifest {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("lessons-\(getpid())-\(lesson.id)")
        try? fm.removeItem(at: scratch)
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        let figures = siteFolder.appendingPathComponent(lesson.id)
        try fm.createDirectory(at: figures, withIntermediateDirectories: true)

        let events = scratch.appendingPathComponent("events.jsonl")
        let stdoutFile = scratch.appendingPathComponent("stdout.txt")
        let stderrFile = scratch.appendingPathComponent("stderr.txt")
        _ = fm.createFile(atPath: stdoutFile.path, contents: nil)
        _ = fm.createFile(atPath: stderrFile.path, contents: nil)
        let token = String(UInt64.random(in: 1...UInt64.max), radix: 36)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["run-lesson", lesson.id, "--folder", figures.path, "--prefix", lesson.id,
                             "--events", events.path, "--token", token]
        var environment = ProcessInfo.processInfo.environment
        environment.merge(settings.environment) { $1 }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let terminal = isatty(2) == 1 && !tagOutput
        let linePrefix = Data((tagOutput ? "    │ \(lesson.id): " : "    │ ").utf8)
        environment["MIL_TTY"] = terminal ? "1" : "0"
        process.environment = environment
        // Stdout goes to a file: nothing to drain, and nothing lost when the child dies. Stderr (the
        // lesson's progress notes) is shown live, indented under the lesson's line, and kept in a file.
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        let stderrPipe = Pipe()
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        let stderrLog = try FileHandle(forWritingTo: stderrFile)
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            defer { done.signal() }
            let handle = stderrPipe.fileHandleForReading
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                stderrLog.write(chunk)
                if terminal {
                    // Progress bars redraw in place: pass the bytes through as they come.
                    FileHandle.standardError.write(chunk)
                    continue
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    if !line.isEmpty { FileHandle.standardError.write(linePrefix + line + Data("\n".utf8)) }
                }
            }
        }
        let started = Date()
        try process.run()
        try? stderrPipe.fileHandleForWriting.close()
        reader.start()
        process.waitUntilExit()
        // The reader ends at EOF, when the child (and anything it spawned) has closed stderr.
        _ = done.wait(timeout: .now() + 5)
        let seconds = Date().timeIntervalSince(started)

        let exit: ChildExit = process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        let decoder = JSONDecoder()
        let eventList = ((try? String(contentsOf: events, encoding: .utf8)) ?? "")
            .split(separator: "\n")
            .compactMap { try? decoder.decode(RunEvent.self, from: Data($0.utf8)) }
        let stdout = String(decoding: (try? Data(contentsOf: stdoutFile)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: stderrFile)) ?? Data(), as: UTF8.self)
        var manifest = ManifestAssembler.assemble(lesson: lesson, events: eventList, stdout: stdout,
                                                  stderr: stderr, token: token, exit: exit, seconds: seconds)
        manifest.profile = settings.profile.rawValue
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: figures.appendingPathComponent("manifest.json"))
        return manifest
    }
}
