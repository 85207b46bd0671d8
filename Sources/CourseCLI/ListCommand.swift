import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the lessons compiled into this binary.")

    func run() throws {
        for compiled in Course.current.lessons {
            let lesson = try compiled.parsed()
            print("\(lesson.id)\t\(lesson.title)\t\(counted(lesson.cells.count, "cell"))\t\(lesson.path)")
        }
    }
}
