// Tangle: the build-time half of the literate runner.
//
//   Tangle lesson INPUT.md OUTPUT.swift DISPLAY-PATH   one lesson -> one Swift function
//   Tangle registry OUTPUT.swift PACKAGE-DIR FILE-NAME...
//                                                      the list of lessons, in order, after checking
//                                                      that their names are usable and distinct
//
// Errors are printed as `Lessons/NN-slug.md:LINE:COL: error: ...` so `swift build` shows them
// in the author's coordinates.
import Foundation
import LessonCore

func writeIfChanged(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    if let old = try? String(contentsOf: url, encoding: .utf8), old == text { return }
    try text.write(to: url, atomically: true, encoding: .utf8)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "lesson":
    let rest = Array(arguments.dropFirst())
    guard rest.count == 3 else { fail("usage: Tangle lesson INPUT.md OUTPUT.swift DISPLAY-PATH") }
    let (input, output, displayPath) = (rest[0], rest[1], rest[2])
    do {
        let data = try Data(contentsOf: URL(fileURLWithPath: input))
        let lesson = try Lesson.parse(data: data, path: displayPath)
        try writeIfChanged(Tangler.swiftSource(for: lesson), to: output)
    } catch let error as LessonError {
        fail(error.description)
    } catch {
        fail("\(displayPath): error: \(error.localizedDescription)")
    }
case "registry":
    let rest = Array(arguments.dropFirst())
    guard rest.count >= 2 else { fail("usage: Tangle registry OUTPUT.swift PACKAGE-DIR FILE-NAME...") }
    let output = rest[0], packageFolder = rest[1]
    let names = Array(rest.dropFirst(2)).sorted()
    let problems = LessonNames.problems(fileNames: names)
    if !problems.isEmpty { fail(problems.map(\.description).joined(separator: "\n")) }
    do {
        try writeIfChanged(Tangler.registrySource(lessonIDs: names.map { LessonNames.slug(forFileName: $0) },
                                                  courseFolder: packageFolder), to: output)
    } catch {
        fail("Tangle: cannot write \(output): \(error.localizedDescription)")
    }
default:
    fail("usage: Tangle lesson INPUT.md OUTPUT.swift DISPLAY-PATH | Tangle registry OUTPUT.swift PACKAGE-DIR FILE-NAME...")
}
