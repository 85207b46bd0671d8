import Foundation
import LessonRuntime

/// The course the `lessons` executable was built with: a title and its tangled lessons, in order.
public struct Course {
    public var title: String
    public var summary: String
    public var lessons: [any CompiledLesson.Type]
    /// The package the lessons were compiled from (its `Lessons/` holds their files), if known.
    public var folder: URL?

    public init(title: String, summary: String, lessons: [any CompiledLesson.Type], folder: String? = nil) {
        self.title = title
        self.summary = summary
        self.lessons = lessons.sorted { $0.id < $1.id }
        self.folder = folder.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    }

    func lesson(id: String) -> (any CompiledLesson.Type)? { lessons.first { $0.id == id } }

    /// Set once by `LessonsCommand.run(course:)` before arguments are parsed.
    nonisolated(unsafe) static var current = Course(title: "", summary: "", lessons: [])
}
