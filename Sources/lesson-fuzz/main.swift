// A fuzz target over the lesson parser and tangler.
//
// Built with libFuzzer by `.ci/fuzz SECONDS` (swiftc -sanitize=fuzzer, -DLIBFUZZER): libFuzzer calls
// `LLVMFuzzerTestOneInput` with mutated lessons, starting from the real lessons as the seed corpus.
// Built normally, it replays the files given on the command line (to reproduce a crash).
import Foundation
import LessonCore

/// Parses `data` as a lesson and tangles it. Errors are fine (they are the parser's job); a crash,
/// a hang, generated code that loses a cell's begin/end markers or whose brackets no longer balance
/// (a cell escaping its function), or math left as a marker is a bug.
func check(_ data: Data) {
    guard let lesson = try? Lesson.parse(data: data, path: "Lessons/99-fuzz.md") else { return }
    guard let swift = try? Tangler.swiftSource(for: lesson) else { preconditionFailure("a parsed lesson cannot be encoded into the binary") }
    for cell in lesson.cells where cell.runs {
        precondition(swift.contains("__mil_cells.begin(\(cell.index))") && swift.contains("__mil_cells.end(\(cell.index))"),
                     "cell \(cell.index) lost its markers")
    }
    // The generated file uses the runner's names and line directives itself; any other problem means
    // a cell's text reached outside its place.
    let escaped = CellCode(swift).problems.filter { !$0.message.contains("__mil") && !$0.message.hasPrefix("#sourceLocation") }
    precondition(escaped.isEmpty, "the generated code is unbalanced: \(escaped)")
    precondition((try? Lesson.decoded(from: lesson.encoded())) == lesson, "the lesson does not survive the trip through the binary")
    let segments = lesson.prose
    for case .html(let html) in segments {
        precondition(!html.contains("MILMATH") || lesson.source.contains("MILMATH"), "a math marker was left in the page")
    }
}

#if LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    check(Data(bytes: bytes, count: count))
    return 0
}

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: FuzzCallback) -> CInt

/// SwiftPM links an executable's entry point under this name; hand control to libFuzzer's driver.
@_cdecl("lesson_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { bytes, length in fuzz(bytes, length) }
}
#else
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            check(try Data(contentsOf: URL(fileURLWithPath: path)))
            print("ok: \(path)")
        }
    }
}
#endif
