/// The options of a Swift cell, written after `swift` in the fence's info string.
///
/// ```` ```swift label=train-target echo=false ````
///
/// | option          | default   | meaning |
/// |-----------------|-----------|---------|
/// | `label=NAME`    | `cell-N`  | names the cell in errors, figure files and anchors; letters, digits, `-`, `_` |
/// | `echo=false`    | `true`    | hide the code on the page (it still runs) |
/// | `output=false`  | `true`    | hide printed text on the page (figures and tables still show) |
/// | `norun`         | off       | show the code but neither compile nor run it |
/// | `scope=file`    | `cell`    | compile the code at file scope, visible to every cell of this lesson (and private to it): extensions, operators, protocols, top-level types and functions; shown but not run |
/// | `timeout=SECONDS` | the run's limit | stop the lesson if this cell runs longer; later cells are not run |
/// | `slide` or `slide=N+M` | off | put the cell's figures (or its Nth and Mth, from 1) on the lesson's slides, one slide each |
///
/// Options are separated by spaces or commas. Any other option is an error.
public struct CellOptions: Equatable, Sendable, Codable {
    /// Where a cell's code goes in the generated Swift.
    public enum Scope: String, Equatable, Sendable, Codable {
        /// Inside the lesson's function, in order, sharing local state with the other cells.
        case cell
        /// At file scope, visible to every cell of the lesson; not run on its own.
        case file
    }

    public var label: String?
    public var echo = true
    public var output = true
    public var norun = false
    public var scope = Scope.cell
    /// The most seconds this cell may run (`timeout=SECONDS`); nil: the run's limit (`--timeout`).
    public var timeout: Double?
    /// Which of the cell's figures go on the lesson's slides (`slide`, `slide=2+3`); nil: none.
    public var slideFigures: SlideFigures?

    /// The figures of a cell that become slides.
    public enum SlideFigures: Equatable, Sendable, Codable {
        /// Every figure the cell shows.
        case all
        /// The figures with these numbers, counted from 1 in the order the cell shows them.
        case numbers([Int])

        /// Whether the figure at `index` (from 0) is picked.
        public func includes(_ index: Int) -> Bool {
            switch self {
            case .all: true
            case .numbers(let numbers): numbers.contains(index + 1)
            }
        }
    }

    public init(label: String? = nil, echo: Bool = true, output: Bool = true, norun: Bool = false,
                scope: Scope = .cell, timeout: Double? = nil) {
        self.label = label
        self.echo = echo
        self.output = output
        self.norun = norun
        self.scope = scope
        self.timeout = timeout
    }

    /// The option names this version understands, for error messages.
    public static let known = ["label", "echo", "output", "norun", "scope", "timeout", "slide"]

    /// Parses the text after `swift`. `column` is the 1-based column of `text` in the source line,
    /// used to point errors at the offending option.
    public static func parse(_ text: Substring, path: String, line: Int, column: Int) throws -> CellOptions {
        var options = CellOptions()
        var seen = Set<String>()
        var offset = 0
        var tokens: [(String, Int)] = []
        var current = ""
        var start = 0
        for ch in text {
            if ch == " " || ch == "\t" || ch == "," {
                if !current.isEmpty { tokens.append((current, start)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.append(ch)
            }
            offset += 1
        }
        if !current.isEmpty { tokens.append((current, start)) }

        for (token, at) in tokens {
            let col = column + at
            func fail(_ message: String) -> LessonError {
                LessonError(path: path, line: line, column: col, message: message)
            }
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : nil
            guard known.contains(name) else {
                throw fail("unknown cell option '\(name)'; known options: \(known.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw fail("cell option '\(name)' is given twice") }
            func bool() throws -> Bool {
                switch value {
                case nil, "true": return true
                case "false": return false
                default: throw fail("cell option '\(name)' takes true or false, not '\(value!)'")
                }
            }
            switch name {
            case "label":
                guard let value, !value.isEmpty else { throw fail("cell option 'label' needs a value: label=NAME") }
                guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                    throw fail("label '\(value)' may hold only ASCII letters, digits, '-' and '_'")
                }
                options.label = value
            case "echo": options.echo = try bool()
            case "output": options.output = try bool()
            case "norun": options.norun = try bool()
            case "scope":
                guard let value, let scope = Scope(rawValue: value) else {
                    throw fail("cell option 'scope' takes 'cell' or 'file', not '\(value ?? "")'")
                }
                options.scope = scope
            case "timeout":
                guard let value, let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw fail("cell option 'timeout' takes a number of seconds greater than 0, not '\(value ?? "")'")
                }
                options.timeout = seconds
            case "slide":
                guard let value else { options.slideFigures = .all; continue }
                let numbers = value.split(separator: "+", omittingEmptySubsequences: false).map { Int($0) }
                guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    throw fail("cell option 'slide' takes figure numbers from 1 joined by '+' (slide=1+3), or no value for every figure, not '\(value)'")
                }
                options.slideFigures = .numbers(numbers.compactMap { $0 })
            default: break
            }
        }
        return options
    }
}
