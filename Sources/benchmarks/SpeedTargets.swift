import Dispatch
import Foundation

/// `benchmarks targets`: issue 16's speed table measured in one run, each row against its target.
///
/// Every row runs as a child process (this binary's own benchmarks, the numpy anchor, optionally the
/// quick course), round after round, so that one sitting measures them all in the same hour of a
/// shared machine, whose speed drifts by half between hours. The train benchmark and the numpy anchor
/// alternate within each round and their ratio is taken per round, so the ratio compares like with like.
struct SpeedTargets {
    /// One row of the table: what it runs, which figure it reads, and the most that figure may be.
    struct Row {
        /// The RESULT line's key for the row's median.
        var key: String
        var work: String
        var target: Double
        /// "ratio" rows hold a ratio; the others seconds.
        var isRatio = false
        var values: [Double] = []
        var skipped: String?
    }

    var rounds = 1
    /// The numpy anchor's script (`train_numpy.py`), if it can be found.
    var numpyScript: String?
    /// Whether to time a cold build of the quick course (the `lessons` binary beside this one).
    var includesCourse = false

    /// The folder this binary is in: the other products of the same build are there.
    static var binaryFolder: URL {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent()
    }

    /// The median seconds `train_numpy.py` printed ("numpy threads=1: median 6.42s, …"), or nil.
    static func numpySeconds(_ output: String) -> Double? {
        guard let range = output.range(of: #"median ([0-9]+\.[0-9]+)s"#, options: .regularExpression) else { return nil }
        return Double(output[range].dropFirst("median ".count).dropLast())
    }

    /// One of this binary's benchmarks: its RESULT line's seconds, or its wall time with `wall`.
    func benchmark(_ name: String, wall: Bool = false) throws -> Double {
        let me = Self.binaryFolder.appendingPathComponent("benchmarks").path
        let run = try runBenchmark(me, [name])
        guard run.status == 0 else {
            print(run.output, terminator: "")
            throw BenchmarkFailure("benchmarks \(name) exited with status \(run.status)")
        }
        if wall { return run.seconds }
        guard let seconds = resultSeconds(run.output) else { throw BenchmarkFailure("benchmarks \(name) printed no RESULT line with seconds=") }
        return seconds
    }

    func run() throws {
        var train = Row(key: "train", work: "benchmarks train (seconds)", target: 2.5)
        var ratio = Row(key: "numpy_ratio", work: "train / numpy+OpenBLAS (same round)", target: 0.25, isRatio: true)
        var fleet = Row(key: "fleet", work: "benchmarks fleet (seconds)", target: 40)
        var attack = Row(key: "attack", work: "benchmarks attack (seconds)", target: 45)
        var synthesis = Row(key: "synthesis_wall", work: "benchmarks synthesis (wall seconds)", target: 90)
        var course = Row(key: "quick_course_wall", work: "quick course, cold model cache (wall seconds)", target: 90)
        if numpyScript == nil { ratio.skipped = "no numpy anchor: give --numpy PATH/train_numpy.py" }
        if !includesCourse { course.skipped = "not asked for: add --course" }
        let lessons = Self.binaryFolder.appendingPathComponent("lessons").path
        if includesCourse, !FileManager.default.isExecutableFile(atPath: lessons) {
            course.skipped = "no lessons binary beside this one (swift build -c release first)"
        }
        for round in 1...rounds {
            print("round \(round) of \(rounds)")
            let trainSeconds = try benchmark("train")
            train.values.append(trainSeconds)
            print("  train \(f(trainSeconds, 2)) s")
            if let script = numpyScript, ratio.skipped == nil {
                let anchor = try runBenchmark("/usr/bin/env", ["python3", script, "--threads", "1", "--reps", "1"],
                                            folder: URL(fileURLWithPath: script).deletingLastPathComponent())
                if anchor.status == 0, let numpy = Self.numpySeconds(anchor.output) {
                    ratio.values.append(trainSeconds / numpy)
                    print("  numpy \(f(numpy, 2)) s: ratio \(f(trainSeconds / numpy))")
                } else {
                    ratio.skipped = "python3 \(script) exited \(anchor.status) without a median (is numpy installed?)"
                    print("  numpy: \(ratio.skipped!)")
                }
            }
            for (name, wall) in [("fleet", false), ("attack", false), ("synthesis", true)] {
                let value = try benchmark(name, wall: wall)
                switch name {
                case "fleet": fleet.values.append(value)
                case "attack": attack.values.append(value)
                default: synthesis.values.append(value)
                }
                print("  \(name) \(f(value, 1)) s")
            }
            if course.skipped == nil {
                // A cold build: an empty model cache and a new site folder, both removed afterwards.
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("speed-targets-\(getpid())-\(round)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                try FileManager.default.createDirectory(at: scratch.appendingPathComponent("cache"), withIntermediateDirectories: true)
                let build = try runBenchmark(lessons, ["build", "--profile", "quick", "--output", scratch.appendingPathComponent("site").path],
                                           environment: ["MIL_MODEL_CACHE": scratch.appendingPathComponent("cache").path])
                guard build.status == 0 else {
                    print(build.output, terminator: "")
                    throw BenchmarkFailure("lessons build --profile quick exited with status \(build.status) (run from the course's folder)")
                }
                course.values.append(build.seconds)
                print("  quick course \(f(build.seconds, 1)) s")
            }
        }
        let rows = [train, ratio, fleet, attack, synthesis, course]
        print("")
        print("| work | fastest | median | slowest | target | met (slowest within target) |")
        print("|---|---|---|---|---|---|")
        var allMet = true
        for row in rows {
            guard row.skipped == nil, !row.values.isEmpty else {
                print("| \(row.work) | — | — | — | ≤ \(row.isRatio ? f(row.target, 2) : f(row.target, 1)) | skipped: \(row.skipped ?? "nothing measured") |")
                continue
            }
            let digits = row.isRatio ? 3 : 2
            let met = row.values.max()! <= row.target
            allMet = allMet && met
            print("| \(row.work) | \(f(row.values.min()!, digits)) | \(f(median(row.values), digits)) | \(f(row.values.max()!, digits)) | ≤ \(row.isRatio ? f(row.target, 2) : f(row.target, 1)) | \(met ? "yes" : "no") |")
        }
        let fields = rows.filter { $0.skipped == nil && !$0.values.isEmpty }.map { "\($0.key)=\(f(median($0.values), 3))" }
        print("RESULT name=targets rounds=\(rounds) all_met=\(allMet) \(fields.joined(separator: " "))")
    }
}

/// A child benchmark that failed: said in a line, and the run stops.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
