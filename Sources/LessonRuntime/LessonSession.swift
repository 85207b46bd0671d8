import CStdio
import Foundation
import LessonCore

/// What a lesson's child process records while it runs: cell boundaries, outputs, errors.
///
/// One JSON object per line in the session's event log; the parent reads it after the child ends,
/// even if the child crashed, because each line is written with one `write` call as it happens.
public enum RunEvent: Codable, Equatable, Sendable {
    case begin(cell: Int)
    case end(cell: Int, seconds: Double)
    case output(cell: Int, CellOutput)
    case error(cell: Int, message: String)
    case observation(cell: Int, Observation)
}

/// The marker lines a child prints on stdout around each cell: `\n␞MIL:<token>:begin:<index>\n`.
public enum CellMarker {
    public static func line(token: String, kind: String, index: Int) -> String {
        "\n\u{1E}MIL:\(token):\(kind):\(index)\n"
    }
}

/// The run profile: `smoke` (tiny sizes, seconds per lesson; what the test suite runs), `quick` (the
/// default: sized so every observation has enough data to show its effect on a 2-core laptop) or
/// `paper` (the paper's sizes). The same cells run in every profile; only sizes change.
public enum RunProfile: String, CaseIterable, Sendable {
    case smoke, quick, paper

    /// Read from `MIL_PROFILE`, which `lessons build --profile` sets for each lesson process.
    public static var current: RunProfile {
        ProcessInfo.processInfo.environment["MIL_PROFILE"].flatMap(RunProfile.init(rawValue:)) ?? .quick
    }

    /// The value for this profile: `profile.pick(smoke: 500, quick: 2_500, paper: 10_000)`.
    public func pick<T>(smoke: T, quick: T, paper: T) -> T {
        switch self {
        case .smoke: smoke
        case .quick: quick
        case .paper: paper
        }
    }

    /// The course's seed: `MIL_SEED`, or 2017.
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["MIL_SEED"].flatMap(UInt64.init) ?? 2017
    }
}

/// The state of the one lesson running in this process.
public final class LessonSession: @unchecked Sendable {
    /// The session of this process; set by `lessons run-lesson`. Cells reach it through `show(...)`.
    nonisolated(unsafe) public static var current: LessonSession?

    public let lesson: Lesson
    /// Where figures go: `<site>/<lesson-id>/`.
    public let figureFolder: URL
    /// The folder name figures are referenced by from the site's root.
    public let figurePrefix: String
    private let events: FileHandle
    private let token: String
    private(set) public var currentCell: Int?
    private var cellStart = Date()
    private var figureCounts: [Int: Int] = [:]

    public init(lesson: Lesson, figureFolder: URL, figurePrefix: String, eventLog: URL, token: String) throws {
        self.lesson = lesson
        self.figureFolder = figureFolder
        self.figurePrefix = figurePrefix
        self.token = token
        try FileManager.default.createDirectory(at: figureFolder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: eventLog.path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: eventLog.path) else {
            throw LessonError(path: lesson.path, message: "cannot write the event log \(eventLog.path)")
        }
        events = handle
        // Line-buffered stdout: every complete line a cell prints reaches the parent even if it traps.
        cstdio_line_buffer_stdout()
    }

    func record(_ event: RunEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        events.write(data)
    }

    private func marker(_ kind: String, _ index: Int) {
        cstdio_write_stdout(CellMarker.line(token: token, kind: kind, index: index))
    }

    func beginCell(_ index: Int) {
        currentCell = index
        cellStart = Date()
        record(.begin(cell: index))
        marker("begin", index)
    }

    func endCell(_ index: Int) {
        marker("end", index)
        record(.end(cell: index, seconds: Date().timeIntervalSince(cellStart)))
        currentCell = nil
    }

    /// Records a thrown error against the cell that was running.
    public func fail(_ error: Error) {
        cstdio_write_stdout("")
        record(.error(cell: currentCell ?? -1, message: String(describing: error)))
    }

    /// A file name for the next figure of the running cell: `<label>.png`, `<label>-2.png`, ...
    func nextFigureName(extension ext: String) -> String {
        let index = currentCell ?? -1
        let label = index >= 0 && index < lesson.cells.count ? lesson.cells[index].label : "figure"
        let count = (figureCounts[index] ?? 0) + 1
        figureCounts[index] = count
        return count == 1 ? "\(label).\(ext)" : "\(label)-\(count).\(ext)"
    }

    func addObservation(_ observation: Observation) {
        record(.observation(cell: currentCell ?? -1, observation))
    }

    /// The label of the running cell.
    public var currentLabel: String {
        guard let index = currentCell, index < lesson.cells.count else { return "" }
        return lesson.cells[index].label
    }

    func addOutput(_ output: CellOutput) {
        record(.output(cell: currentCell ?? -1, output))
    }
}
