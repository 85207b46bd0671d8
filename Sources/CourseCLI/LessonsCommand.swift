import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

// The stages, with plain values between them:
//
//   Lessons/NN-slug.md ──(Tangle, at build time)──► compiled lesson functions in this binary
//   lessons build ─► for each lesson: child `lessons run-lesson ID` ─► events + stdout ─► OutputManifest
//                 ─► SiteWriter(lessons, manifests) ─► staged site ─► moved into place

/// The `lessons` command line. One subcommand per job; each parses, calls a library function and
/// maps its errors.
public struct LessonsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "Run the membership-inference course and write it as a static site.",
        subcommands: [Build.self, PreviewCommand.self, List.self, Check.self, Clean.self, GalleryCommand.self, RunLesson.self, RunTask.self],
        defaultSubcommand: Build.self)

    public init() {}

    /// Runs the command line for `course`.
    public static func run(course: Course) -> Never {
        Course.current = course
        main()
        Foundation.exit(0)
    }
}

/// Where the stylesheet and other site assets live: `Assets/` in the working directory, else the
/// package this binary was built from.
func defaultAssets() -> URL {
    CourseEnvironment.current.courseFile("Assets/style.css")?.deletingLastPathComponent()
        ?? CourseEnvironment.packageFolder.appendingPathComponent("Assets")
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
