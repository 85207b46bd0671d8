import Foundation
import LessonCore

/// A lesson compiled into the `lessons` executable by the Tangle plugin.
///
/// The generated type carries the lesson's source (so the binary needs no files at run time) and a
/// `run` function whose body is the lesson's cells in order.
public protocol CompiledLesson {
    static var id: String { get }
    static var sourcePath: String { get }
    static var sourceBase64: String { get }
    static func run(_ cells: CellRunner) throws
}

extension CompiledLesson {
    /// The lesson's Markdown, as it was when the binary was built.
    public static var source: String {
        String(decoding: Data(base64Encoded: sourceBase64) ?? Data(), as: UTF8.self)
    }

    /// The parsed lesson. The build already parsed it once, so this does not fail in practice.
    public static func parsed() throws -> Lesson {
        try Lesson.parse(source: source, path: sourcePath)
    }
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
