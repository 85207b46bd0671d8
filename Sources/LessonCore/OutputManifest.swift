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
    /// The paper's observations this lesson checked.
    public var observations: [Observation] = []
    /// The run profile (smoke, quick, paper) and the course seed.
    public var profile: String = ""
    /// The seed the lesson ran with (nil in manifests written before seeds were recorded).
    public var seed: String? = nil
    /// The training kernels of the machine it ran on ("avx2+fma", "baseline"): results agree to the
    /// last digit only between runs with the same kernels.
    public var kernels: String? = nil
    /// Set when a build of other lessons (`--lesson`) kept these results from an earlier build that
    /// differs from the current one (the lesson's text, the settings or the course's code): what the
    /// page says about them.
    public var keptNote: String? = nil

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
    /// Why the cell failed, as a value; `error` is how the page and the console say it.
    public var failure: CellFailure?
    /// `Lessons/03-x.md:41-67 [train-shadows]: Fatal error: Index out of range`
    public var error: String?
    /// Of `seconds`, how many went to training, attacking, synthesis and drawing (by those names).
    public var workSeconds: [String: Double]?

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

/// What drew a figure: the chart's type ("LineChart", "BarChart", …) or a Graphviz diagram. Stored
/// as that name in the manifest.
public struct FigureKind: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    /// The kind of a chart value: the name of its type.
    public init(of chart: Any) { rawValue = String(describing: type(of: chart)) }

    public static let diagram: FigureKind = "diagram"
    public static let lineChart: FigureKind = "LineChart"
}

/// Why a cell failed: the kind of failure, the runner's account of it, and the lesson line the
/// runtime named, if any.
public struct CellFailure: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// The cell threw a Swift error.
        case thrown
        /// The process trapped: `fatalError`, an index out of range, a nil unwrapped.
        case trap
        /// The cell ran past its time limit and was stopped.
        case timeout
        /// The process exited while the cell ran (a call to `exit`).
        case exit
        /// The process was killed by a signal, with no message from the runtime.
        case signal
        /// Another thread of the process crashed (asynchronous work outliving its cell, say).
        case backgroundCrash
    }

    public var kind: Kind
    /// What happened, without the lesson coordinates: "threw an error: …", "Fatal error: Index out of range (at line 9)".
    public var reason: String
    /// The lesson line the runtime named, when it named one.
    public var line: Int?

    public init(_ kind: Kind, _ reason: String, line: Int? = nil) {
        self.kind = kind
        self.reason = reason
        self.line = line
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
        public var kind: FigureKind
        /// The figure's data as a table, shown folded under it.
        public var data: Table?
        /// The same figure as vector files beside the PNG (`sizes.svg`, `sizes.pdf`), linked under it.
        public var vectorFiles: [String]?
        /// The figure drawn for a 16:9 slide (larger type), as SVG; nil: slides use `file`.
        public var slideFile: String?
        /// A line chart's axes, so that it can be drawn again from its data (over the seeds of a
        /// sweep); nil for other figures.
        public var axes: Axes?

        public struct Axes: Codable, Equatable, Sendable {
            public var x: String, y: String
            public var logX: Bool, logY: Bool
            /// The y range the chart fixed (0...1 for accuracies), if any.
            public var yRange: [Double]?
            public init(x: String, y: String, logX: Bool, logY: Bool, yRange: [Double]?) {
                self.x = x; self.y = y; self.logX = logX; self.logY = logY; self.yRange = yRange
            }
        }

        public init(file: String, title: String, altText: String, caption: String, width: Int, height: Int, kind: FigureKind,
                    data: Table? = nil, vectorFiles: [String]? = nil, slideFile: String? = nil, axes: Axes? = nil) {
            self.file = file
            self.title = title
            self.altText = altText
            self.caption = caption
            self.width = width
            self.height = height
            self.kind = kind
            self.data = data
            self.vectorFiles = vectorFiles
            self.slideFile = slideFile
            self.axes = axes
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

/// One of the paper's observations (O1–O17) as checked by a run: the claim, the paper's numbers, this
/// run's numbers, the rule that turned the numbers into a verdict, and why.
public struct Observation: Codable, Equatable, Sendable {
    public enum Verdict: String, Codable, Sendable, CaseIterable {
        case held = "held"
        case heldInPart = "held in part"
        case didNotHold = "did not hold"
    }

    /// "O1" … "O17".
    public var id: String
    /// The claim in the deck's words.
    public var claim: String
    /// What the paper reports, as readable text ("Purchase-100: precision 0.935 …").
    public var paper: String
    /// What this run measured, in the same shape.
    public var measured: String
    /// The rule applied to the measured numbers, stated so a reader can check it.
    public var rule: String
    public var verdict: Verdict
    /// Why it came out this way, for a learner.
    public var explanation: String
    /// Where the evidence is: the lesson, and the labels of the cells whose outputs back the claim.
    public var lessonID: String
    public var cellLabel: String
    public var evidenceCells: [String]

    public init(id: String, claim: String, paper: String, measured: String, rule: String, verdict: Verdict,
                explanation: String, lessonID: String, cellLabel: String, evidenceCells: [String]) {
        self.id = id
        self.claim = claim
        self.paper = paper
        self.measured = measured
        self.rule = rule
        self.verdict = verdict
        self.explanation = explanation
        self.lessonID = lessonID
        self.cellLabel = cellLabel
        self.evidenceCells = evidenceCells
    }

    /// The observation ids in order, O1 … O17.
    public static let ids = (1...17).map { "O\($0)" }
}
