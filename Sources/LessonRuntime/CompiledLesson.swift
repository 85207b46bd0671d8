import Foundation
import LessonCore

/// A lesson compiled into the `lessons` executable by the Tangle plugin.
///
/// The generated type carries the lesson as the build parsed it (`Lesson.encoded()`, so the binary
/// needs no files at run time and no stage parses the Markdown again) and a `run` function whose body
/// is the lesson's cells in order.
public protocol CompiledLesson {
    static var id: String { get }
    static var sourcePath: String { get }
    /// `Lesson.encoded()`, in base64.
    static var encodedLesson: String { get }
    static func run(_ cells: CellRunner) throws
}

extension CompiledLesson {
    /// The lesson as the build parsed it.
    public static func parsed() throws -> Lesson {
        guard let data = Data(base64Encoded: encodedLesson), let lesson = try? Lesson.decoded(from: data) else {
            throw LessonError(path: sourcePath, line: 1, column: 1,
                              message: "the lesson compiled into this binary cannot be read back; rebuild it (`swift build`)")
        }
        return lesson
    }

    /// The lesson's Markdown, as it was when the binary was built.
    public static var source: String { (try? parsed().source) ?? "" }
}

/// Marks where each cell begins and ends while a lesson runs.
///
/// The generated code calls `begin(i)` before cell i and `end(i)` after it; each sends an event on the
/// parent's channel, with how far stdout and stderr had got (so the parent can cut them per cell and
/// blame a crash between the two on that cell). Only `LessonChild.run` makes one, and the generated
/// code holds it under a name cells may not spell.
public final class CellRunner {
    let session: LessonSession

    init(session: LessonSession) { self.session = session }

    public func begin(_ index: Int) { session.beginCell(index) }
    public func end(_ index: Int) { session.endCell(index) }
}
