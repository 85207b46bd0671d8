import CStdio
import Foundation
import LessonCore

/// What a lesson's child process tells its parent while it runs: cell boundaries (with how far its
/// standard output and error had got, so the parent can cut them per cell), outputs, errors, and
/// whether it finished.
///
/// One JSON object per line on a pipe that no name in a cell's scope reaches (the parent hands it over
/// as standard input; the child moves it away at start-up). The child's first line is a random token
/// it keeps in private memory, and every later line starts with it: a cell that finds the pipe's
/// descriptor and writes to it cannot forge a line the parent accepts. Printed text never reaches the
/// pipe, and the parent checks that the cells reported in order and that the lesson finished.
public enum RunEvent: Codable, Equatable, Sendable {
    case begin(cell: Int, stdout: Int, stderr: Int)
    case end(cell: Int, seconds: Double, stdout: Int, stderr: Int)
    case output(cell: Int, CellOutput)
    case error(cell: Int, message: String)
    case observation(cell: Int, Observation)
    /// Seconds of the cell spent training, attacking, synthesizing and drawing (`WorkPhase` names).
    case work(cell: Int, seconds: [String: Double])
    /// Every cell ran: the last event of a lesson that passed.
    case finished
    /// A crash signal, and whether the main thread (the cells' own) raised it; written by a signal handler.
    case crash(mainThread: Bool, signal: Int32)
}

/// The run profile: `smoke` (tiny sizes, seconds per lesson; what the test suite runs), `quick` (the
/// default: sized so every observation has enough data to show its effect on a 2-core laptop) or
/// `paper` (the paper's sizes). The same cells run in every profile; only sizes change.
public enum RunProfile: String, CaseIterable, Sendable, Codable {
    case smoke, quick, paper

    /// The profile `lessons build --profile` set for this lesson process.
    public static var current: RunProfile { CourseEnvironment.current.profile }

    /// The value for this profile: `profile.pick(smoke: 500, quick: 2_500, paper: 10_000)`.
    public func pick<T>(smoke: T, quick: T, paper: T) -> T {
        switch self {
        case .smoke: smoke
        case .quick: quick
        case .paper: paper
        }
    }

    /// The course's seed (`--seed`), or 2017.
    public static var seed: UInt64 { CourseEnvironment.current.seed }
}

/// The state of the one lesson running in this process. Internal: cells reach it only through
/// `show(...)` and `observe(...)`, never directly.
final class LessonSession: @unchecked Sendable {
    /// The session of this process; set by `LessonChild.run`.
    nonisolated(unsafe) static var current: LessonSession?

    let lesson: Lesson
    /// Where figures go: `<site>/<lesson-id>/`.
    let figureFolder: URL
    /// The folder name figures are referenced by from the site's root.
    let figurePrefix: String
    /// The lesson's own scratch folder: every cell starts in it.
    let room: String
    private let channel: Int32
    /// The token every line on the channel starts with; see `RunEvent`.
    private let token: String
    private let lock = NSLock()
    private(set) var currentCell: Int?
    private var cellStart = Date()
    private var figureCounts: [Int: Int] = [:]

    init(lesson: Lesson, figureFolder: URL, figurePrefix: String, room: String, channel: Int32, token: String) throws {
        self.lesson = lesson
        self.token = token
        self.figureFolder = figureFolder
        self.figurePrefix = figurePrefix
        self.room = room
        self.channel = channel
        try FileManager.default.createDirectory(at: figureFolder, withIntermediateDirectories: true)
        // Line-buffered stdout: every complete line a cell prints reaches the parent even if it traps.
        cstdio_line_buffer_stdout()
    }

    func send(_ event: RunEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(event) else { return }
        var data = Data((token + " ").utf8)
        data.append(json)
        data.append(0x0A)
        lock.withLock { writeAll(channel, data) }
    }

    /// How far stdout and stderr have got, after flushing C's buffers.
    private func offsets() -> (Int, Int) {
        cstdio_flush()
        return (Int(max(0, lseek(1, 0, SEEK_CUR))), Int(max(0, lseek(2, 0, SEEK_CUR))))
    }

    func beginCell(_ index: Int) {
        // Each cell starts in the lesson's folder, whatever the one before did with `chdir`.
        _ = FileManager.default.changeCurrentDirectoryPath(room)
        let (out, err) = offsets()
        lock.withLock { currentCell = index }
        cellStart = Date()
        _ = WorkClock.take()
        send(.begin(cell: index, stdout: out, stderr: err))
    }

    func endCell(_ index: Int) {
        let (out, err) = offsets()
        let work = WorkClock.take()
        if !work.isEmpty { send(.work(cell: index, seconds: Dictionary(uniqueKeysWithValues: work.map { ($0.key.rawValue, $0.value) }))) }
        send(.end(cell: index, seconds: Date().timeIntervalSince(cellStart), stdout: out, stderr: err))
        lock.withLock { currentCell = nil }
    }

    /// A file name for the next figure of the running cell: `<label>.png`, `<label>-2.png`, ...
    func nextFigureName(extension ext: String) -> String {
        lock.withLock {
            let index = currentCell ?? -1
            let label = index >= 0 && index < lesson.cells.count ? lesson.cells[index].label : "figure"
            let count = (figureCounts[index] ?? 0) + 1
            figureCounts[index] = count
            return count == 1 ? "\(label).\(ext)" : "\(label)-\(count).\(ext)"
        }
    }

    func addObservation(_ observation: Observation) {
        send(.observation(cell: lock.withLock { currentCell } ?? -1, observation))
    }

    /// The label of the running cell.
    var currentLabel: String {
        guard let index = lock.withLock({ currentCell }), index < lesson.cells.count else { return "" }
        return lesson.cells[index].label
    }

    func addOutput(_ output: CellOutput) {
        send(.output(cell: lock.withLock { currentCell } ?? -1, output))
    }
}

/// The child's half of `lessons build`: runs one compiled lesson in this process and reports to the
/// parent over the channel it was started with.
public enum LessonChild {
    nonisolated(unsafe) private static var started = false

    /// Runs `compiled`, writing figures into `figureFolder`; returns the exit status. Only the first
    /// call in a process can run anything: the channel is taken at that call.
    public static func run(_ compiled: any CompiledLesson.Type, figureFolder: URL, figurePrefix: String) -> Int32 {
        guard !started else {
            FileHandle.standardError.write(Data("run-lesson: a lesson is already running in this process\n".utf8))
            return 2
        }
        started = true
        // Lessons cluster the same shopper populations: the first process to need one stores its centroids.
        ShopperPopulation.centroidStore = CourseModelCache.shared
        if let parent = CourseEnvironment.current.parentProcess {
            cstdio_die_with_parent(parent)
        }
        let channel = cstdio_take_channel()
        guard channel >= 0 else {
            FileHandle.standardError.write(Data("run-lesson: no channel to report on; `lessons build` starts this command\n".utf8))
            return 2
        }
        // The runner ignores these signals while it waits; this process and what it starts should not.
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "-")
        writeAll(channel, Data("\(token)\n".utf8))
        cstdio_report_crashes(channel, token + " ")
        let session: LessonSession
        do {
            session = try LessonSession(lesson: try compiled.parsed(), figureFolder: figureFolder,
                                        figurePrefix: figurePrefix,
                                        room: FileManager.default.currentDirectoryPath, channel: channel, token: token)
        } catch {
            FileHandle.standardError.write(Data("run-lesson: \(error)\n".utf8))
            return 1
        }
        LessonSession.current = session
        do {
            try compiled.run(CellRunner(session: session))
        } catch {
            cstdio_flush()
            session.send(.error(cell: session.currentCell ?? -1, message: String(describing: error)))
            return 1
        }
        cstdio_flush()
        session.send(.finished)
        return 0
    }
}

private func writeAll(_ fd: Int32, _ data: Data) {
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n > 0 { offset += n } else if errno != EINTR { return }
        }
    }
}

/// The folder the running lesson works in: empty when the lesson starts, its own (no other lesson
/// shares it), removed when the build ends. Every cell starts here, so relative paths in a cell
/// (`"results.csv"`) land here and never in the course's folder or the site.
public var scratchFolder: URL {
    URL(fileURLWithPath: LessonSession.current?.room ?? FileManager.default.currentDirectoryPath)
}

/// The folder `lessons build` was started in (the course's folder), for the few things a lesson
/// reads from there; `assetPath(_:)` and `suppliedDataFile(_:)` are the usual way in.
public var courseFolder: URL {
    CourseEnvironment.current.courseFolder
}
