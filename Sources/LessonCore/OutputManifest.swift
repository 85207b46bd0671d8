import Foundation

/// What one run of a lesson produced: the data that crosses from the runner to the site writer.
///
/// Written as JSON beside the lesson's figures; the site writer reads it and never runs anything.
public struct OutputManifest: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        case passed, failed
    }

    public var lessonID: String
    public var path: String
    public var title: String
    public var status: Status
    /// Wall time of the whole lesson process, in seconds.
    public var seconds: Double
    public var cells: [CellResult]
    /// A failure that belongs to no cell (the process could not start, say).
    public var lessonError: String?

    public init(lessonID: String, path: String, title: String, status: Status, seconds: Double,
                cells: [CellResult], lessonError: String? = nil) {
        self.lessonID = lessonID
        self.path = path
        self.title = title
        self.status = status
        self.seconds = seconds
        self.cells = cells
        self.lessonError = lessonError
    }

    /// The first failing cell, if any.
    public var failure: CellResult? { cells.first { $0.status == .failed } }
}

/// What one cell did.
public struct CellResult: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Ran to its end.
        case passed
        /// Threw or trapped; `error` says how.
        case failed
        /// Came after a failing cell.
        case notRun
        /// `norun` or `scope=file`: shown, never run on its own.
        case shownOnly
    }

    public var index: Int
    public var label: String
    public var fenceLine: Int
    public var closingLine: Int
    public var status: Status
    public var stdout: String
    /// True when `stdout` was cut to keep the page readable.
    public var stdoutTruncatedBytes: Int
    public var outputs: [CellOutput]
    public var seconds: Double
    /// `Lessons/03-x.md:41-67 [train-shadows]: Fatal error: Index out of range`
    public var error: String?

    public init(index: Int, label: String, fenceLine: Int, closingLine: Int, status: Status,
                stdout: String = "", stdoutTruncatedBytes: Int = 0, outputs: [CellOutput] = [],
                seconds: Double = 0, error: String? = nil) {
        self.index = index
        self.label = label
        self.fenceLine = fenceLine
        self.closingLine = closingLine
        self.status = status
        self.stdout = stdout
        self.stdoutTruncatedBytes = stdoutTruncatedBytes
        self.outputs = outputs
        self.seconds = seconds
        self.error = error
    }
}

/// Something a cell showed with `show(...)`.
public enum CellOutput: Codable, Equatable, Sendable {
    /// A PNG (chart or diagram), by path relative to the site's root.
    case figure(Figure)
    case table(Table)

    public struct Figure: Codable, Equatable, Sendable {
        public var file: String
        public var title: String
        public var altText: String
        public var caption: String
        /// Width and height in CSS pixels (the PNG has twice as many).
        public var width: Int
        public var height: Int
        public var kind: String
        /// The figure's data as a table, shown folded under it.
        public var data: Table?

        public init(file: String, title: String, altText: String, caption: String, width: Int, height: Int, kind: String,
                    data: Table? = nil) {
            self.file = file
            self.title = title
            self.altText = altText
            self.caption = caption
            self.width = width
            self.height = height
            self.kind = kind
            self.data = data
        }
    }

    public struct Table: Codable, Equatable, Sendable {
        public var caption: String
        public var columns: [String]
        public var rows: [[String]]
        /// Columns whose cells are numbers, right-aligned on the page.
        public var numericColumns: [Int]

        public init(caption: String, columns: [String], rows: [[String]], numericColumns: [Int] = []) {
            self.caption = caption
            self.columns = columns
            self.rows = rows
            self.numericColumns = numericColumns
        }
    }
}
