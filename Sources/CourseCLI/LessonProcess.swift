import Foundation
import LessonCore
import LessonRuntime
import MachineLearning

/// Runs one lesson in a child process of this executable (`lessons run-lesson ID`), so that a trap
/// kills only that lesson, and assembles its manifest from what the child left behind.
///
/// The child gets:
/// - a scratch folder of its own as working directory (`<tmp>/lessons-run.PID.ID-sSEED/room`, so two seeds of a lesson can run at once), removed afterwards;
/// - stdout and stderr as files (nothing to drain, nothing lost when it dies), cut per cell at the
///   offsets it reports;
/// - a private pipe as standard input, which the child moves away at start-up and reports its cells on.
///
/// The parent enforces each cell's time limit, kills the child's whole process group when it stops it
/// (a limit, Ctrl-C) or when the child ends (whatever it left running), echoes the child's stderr
/// live up to `echoLimit` bytes, and keeps all of it in the lesson's log.
enum LessonProcess {
    /// Bytes of a lesson's stderr shown on the console; the rest is only in its log.
    static let echoLimit = 64 * 1024
    /// The log of a lesson's stderr, in its site folder.
    static let logName = "lesson.log"

    /// A lesson's `MIL_CORES`: its `share` of the machine, or the user's own setting where that is
    /// smaller (or where there is no share: the lesson runs alone); nothing when neither says.
    static func coresSetting(share: Int?, given: String?) -> String? {
        let user = given.flatMap(Int.init).flatMap { $0 >= 1 ? $0 : nil }
        guard let share else { return user.map(String.init) }
        return String(min(share, user ?? share))
    }

    /// Runs `lesson` with `settings`; a `tag` (`05-shadow-data, seed 1`) prefixes its live log lines
    /// (for when several lessons run at once) and turns off in-place progress bars. `logShownAs` is how the
    /// log's path is shown (where it will be once the site is published). `cores` is the lesson's share
    /// of the machine when others run beside it (`MIL_CORES`; never more than the user's own setting).
    static func run(lesson: Lesson, siteFolder: URL, settings: RunSettings, tag: String? = nil,
                    logShownAs: String? = nil, cores: Int? = nil) throws -> OutputManifest {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("lessons-run.\(getpid()).\(lesson.id)-s\(settings.seed)")
        try? fm.removeItem(at: scratch)
        let room = scratch.appendingPathComponent("room")
        try fm.createDirectory(at: room, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        let figures = siteFolder.appendingPathComponent(lesson.id)
        do {
            try fm.createDirectory(at: figures, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure(path: figures.path, error: error)
        }

        let stdoutFile = scratch.appendingPathComponent("stdout.txt")
        let stderrFile = figures.appendingPathComponent(logName)
        guard fm.createFile(atPath: stdoutFile.path, contents: nil) else {
            throw WriteFailure(path: stdoutFile.path, errno: errno)
        }
        guard fm.createFile(atPath: stderrFile.path, contents: nil) else {
            throw WriteFailure(path: stderrFile.path, errno: errno)
        }

        let process = Process()
        // The running binary itself, not the file at its path: a `swift build` during the run replaces
        // that file, and lessons must not run code from two versions of the course.
        #if os(Linux)
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        #else
        process.executableURL = Bundle.main.executableURL
        #endif
        process.arguments = ["run-lesson", lesson.id, "--folder", figures.path, "--prefix", lesson.id]
        process.currentDirectoryURL = room
        var environment = ProcessInfo.processInfo.environment
        environment.merge(settings.environment) { $1 }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment[CourseEnvironment.Variable.parentProcess.rawValue] = String(getpid())
        // The rebuild handshake is between a runner and its own exec, not its lessons.
        environment[CourseEnvironment.Variable.rebuilt.rawValue] = nil
        environment[CourseEnvironment.Variable.rebuiltCode.rawValue] = nil
        let terminal = isatty(2) == 1 && tag == nil
        environment[CourseEnvironment.Variable.terminal.rawValue] = terminal ? "1" : "0"
        let coresVariable = CourseEnvironment.Variable.cores.rawValue
        environment[coresVariable] = coresSetting(share: cores, given: environment[coresVariable])
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        let channel = Pipe()
        // The write end becomes the child's standard input; the child moves it to a private descriptor.
        process.standardInput = channel.fileHandleForWriting

        let reader = ChannelReader(channel.fileHandleForReading)
        let echo = StderrEcho(file: stderrFile, terminal: terminal,
                              prefix: tag.map { "    │ \($0): " } ?? "    │ ",
                              logShownAs: logShownAs ?? stderrFile.path)
        let started = Date()
        Interruption.shared.install()
        try Interruption.shared.check()
        Interruption.shared.willStart()
        do {
            try process.run()
        } catch {
            Interruption.shared.failedToStart()
            throw error
        }
        Interruption.shared.started(process.processIdentifier)
        try? channel.fileHandleForWriting.close()
        reader.start()

        var stop: ParentStop?
        let limits = Dictionary(uniqueKeysWithValues: lesson.cells.map { ($0.index, $0.options.timeout ?? settings.timeout) })
        while process.isRunning {
            echo.pump()
            let (cell, since) = reader.running
            let limit = cell.flatMap { limits[$0] } ?? settings.timeout
            if Date().timeIntervalSince(since ?? started) > limit {
                stop = cell.map { .timedOut(cell: $0, limit: limit) } ?? .timedOutOutsideCells(limit: limit)
                kill(-process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                break
            }
            if Interruption.shared.signalReceived != nil {
                kill(-process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                break
            }
            usleep(50_000)
        }
        process.waitUntilExit()
        Interruption.shared.ended(process.processIdentifier)
        let (events, forged) = reader.finish()
        echo.pump()
        echo.finish()
        try Interruption.shared.check()
        let seconds = Date().timeIntervalSince(started)

        let exit: ChildExit = process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        let stdout = (try? Data(contentsOf: stdoutFile)) ?? Data()
        let stderr = (try? Data(contentsOf: stderrFile)) ?? Data()
        var manifest = ManifestAssembler.assemble(lesson: lesson, events: events, stdout: stdout, stderr: stderr,
                                                  exit: exit, stop: stop, forgedLines: forged, seconds: seconds)
        manifest.profile = settings.profile.rawValue
        manifest.seed = String(settings.seed)
        // This machine's: the child chose the same kernels on the same CPU.
        manifest.kernels = MachineLearningInfo.kernels
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestFile = figures.appendingPathComponent("manifest.json")
        do {
            try encoder.encode(manifest).write(to: manifestFile)
        } catch {
            throw WriteFailure(path: manifestFile.path, error: error)
        }
        if let full = diskFull(in: manifest) { throw full }
        return manifest
    }

    /// A lesson that failed because the disk is full: the whole build stops there.
    static func diskFull(in manifest: OutputManifest) -> WriteFailure? {
        let errors = manifest.cells.compactMap(\.error) + [manifest.lessonError].compactMap { $0 }
        guard let error = errors.first(where: { $0.contains(String(cString: strerror(ENOSPC))) }) else { return nil }
        return WriteFailure(message: error)
    }
}

/// Reads the child's channel on a thread of its own: the events, and which cell runs since when.
///
/// The first line is the child's token; a later line that does not start with it did not come from
/// the runner (a cell wrote to the pipe) and is counted, not believed.
private final class ChannelReader: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var events: [RunEvent] = []
    private var token: String?
    private var forged = 0
    private var cell: Int?
    private var since: Date?
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) { self.handle = handle }

    /// The running cell and when it began (nil: between cells).
    var running: (cell: Int?, since: Date?) { lock.withLock { (cell, since) } }

    func start() {
        let thread = Thread { [self] in
            defer { done.signal() }
            let decoder = JSONDecoder()
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    let text = String(decoding: line, as: UTF8.self)
                    guard let token = lock.withLock({ token }) else {
                        lock.withLock { self.token = text }
                        continue
                    }
                    guard text.hasPrefix(token + " "),
                          let event = try? decoder.decode(RunEvent.self, from: Data(text.dropFirst(token.count + 1).utf8)) else {
                        lock.withLock { forged += 1 }
                        continue
                    }
                    lock.withLock {
                        events.append(event)
                        switch event {
                        case .begin(let c, _, _): cell = c; since = Date()
                        case .end: cell = nil; since = Date()
                        default: break
                        }
                    }
                }
            }
        }
        thread.start()
    }

    /// The events, and how many lines were not the runner's, once the child has ended (and so
    /// closed its end of the pipe).
    func finish() -> (events: [RunEvent], forged: Int) {
        // A grandchild that kept the pipe open is killed with the process group; wait a little only.
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { (events, forged) }
    }
}

/// Shows what the child writes to stderr (its progress notes) as it comes, indented under the
/// lesson's line, up to `LessonProcess.echoLimit` bytes; the file keeps everything. The runtime's
/// stack trace after a trap is left out (the message before it and the cell blamed after it are
/// what an author reads); the log has it.
private final class StderrEcho {
    private let reader: FileHandle?
    private let terminal: Bool
    private let prefix: Data
    private let logShownAs: String
    private var shown = 0
    private var omitted = 0
    private var pending = Data()
    private var inTrace = false
    private var traceLines = 0
    private static let traceStart = Data("Current stack trace:".utf8)

    init(file: URL, terminal: Bool, prefix: String, logShownAs: String) {
        reader = try? FileHandle(forReadingFrom: file)
        self.terminal = terminal
        self.prefix = Data(prefix.utf8)
        self.logShownAs = logShownAs
    }

    /// Echoes whatever arrived since the last call.
    func pump() {
        guard let reader else { return }
        while true {
            let chunk = (try? reader.read(upToCount: 1 << 16)) ?? nil
            guard let chunk, !chunk.isEmpty else { return }
            let room = max(0, LessonProcess.echoLimit - shown)
            let part = chunk.prefix(room)
            omitted += chunk.count - part.count
            shown += part.count
            if part.isEmpty { continue }
            if terminal {
                // Progress bars redraw in place: pass the bytes through as they come, up to a trace.
                if inTrace { traceLines += 1; continue }
                if let start = part.range(of: Self.traceStart) {
                    FileHandle.standardError.write(part[part.startIndex..<start.lowerBound])
                    inTrace = true
                    traceLines += 1
                } else {
                    FileHandle.standardError.write(part)
                }
                continue
            }
            pending.append(part)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[(newline + 1)...])
                if line.starts(with: Self.traceStart) { inTrace = true; traceLines += 1; continue }
                if inTrace {
                    // Frames: `12   course   0x000055… <unavailable> + 1865646`.
                    let text = String(decoding: line, as: UTF8.self)
                    if text.first?.isNumber == true && text.contains(" 0x") { traceLines += 1; continue }
                    inTrace = false
                }
                if !line.isEmpty { FileHandle.standardError.write(prefix + line + Data("\n".utf8)) }
            }
        }
    }

    func finish() {
        if !pending.isEmpty && !inTrace { FileHandle.standardError.write(prefix + pending + Data("\n".utf8)) }
        pending = Data()
        if traceLines > 0 {
            FileHandle.standardError.write(prefix + Data("(the runtime's stack trace is in \(logShownAs))\n".utf8))
        }
        if omitted > 0 {
            FileHandle.standardError.write(prefix + Data("… \(omitted) more bytes of this lesson's messages are in \(logShownAs)\n".utf8))
        }
        try? reader?.close()
    }
}

/// Why a file operation failed, in the system's words (`No space left on device`, `Is a directory`) rather
/// than Foundation's error dump.
func systemReason(_ error: Error) -> String {
    let ns = error as NSError
    let underlying = (ns.userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
    let code = underlying?.domain == NSPOSIXErrorDomain ? Int32(underlying!.code)
        : ns.domain == NSPOSIXErrorDomain ? Int32(ns.code)
        : ns.code == NSFileWriteOutOfSpaceError ? ENOSPC : 0
    return code != 0 ? String(cString: strerror(code)) : ns.localizedDescription
}

/// A write that failed, as one line naming the path: `cannot write /x/y: No space left on device`.
struct WriteFailure: Error, CustomStringConvertible {
    let description: String

    init(message: String) { description = message }

    init(path: String, errno code: Int32) {
        description = "cannot write \(path): \(String(cString: strerror(code)))"
    }

    init(path: String, error: Error) {
        description = "cannot write \(path): " + systemReason(error)
    }

    var isDiskFull: Bool { description.contains(String(cString: strerror(ENOSPC))) }
}
