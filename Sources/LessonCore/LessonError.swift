/// A problem in a lesson, reported in the author's coordinates (`Lessons/03-x.md:41:5: error: ...`).
///
/// Errors are values: tests compare whole errors, and every layer (parser, tangler, runner) reports
/// through this one type so that editors and terminals can jump to the spot.
public struct LessonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The lesson's path as the author knows it, e.g. `Lessons/03-shadow.md`.
    public var path: String
    /// 1-based line, or nil when the problem concerns the whole file.
    public var line: Int?
    /// 1-based column, or nil.
    public var column: Int?
    /// One sentence saying what is wrong and, where it helps, how to fix it.
    public var message: String
    /// Other places involved (for a duplicate label, the first use).
    public var notes: [String]

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String, notes: [String] = []) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.notes = notes
    }

    /// `path:line:col: error: message`, the form compilers use, followed by any notes.
    public var description: String {
        var location = path
        if let line { location += ":\(line)" }
        if let line = line, line > 0, let column { location += ":\(column)" }
        var text = "\(location): error: \(message)"
        for note in notes { text += "\n\(note)" }
        return text
    }
}
