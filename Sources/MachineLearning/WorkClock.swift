import Foundation

/// The kinds of work a lesson's time goes to, as `lessons build --timings` reports them.
public enum WorkPhase: String, Codable, Sendable, CaseIterable {
    /// Generating synthetic populations (and their k-means labels) and loading real datasets.
    case data
    case training, attack, synthesis, drawing
}

/// Where a lesson's time goes. The library's expensive calls (training a model or a fleet, fitting and
/// evaluating an attack, Algorithm 1, drawing a figure) start a timing and stop it when they return.
/// Only the outermost timing counts: work nested in it, on this thread or a worker, belongs to it, so
/// the phases never add up to more than the wall time of the calls (an attack's own training counts as
/// attack, a forest's trees as training).
public enum WorkClock {
    private struct State {
        var depth = 0
        var seconds: [WorkPhase: Double] = [:]
    }
    private static let state = Locked(State())

    /// A running timing; `stop()` it once, e.g. with `defer`.
    public struct Timing: Sendable {
        let phase: WorkPhase
        let outermost: Bool
        let start: UInt64

        public func stop() {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            WorkClock.state.withLock { s in
                s.depth -= 1
                if outermost { s.seconds[phase, default: 0] += elapsed }
            }
        }
    }

    /// Starts timing `phase`: `let timing = WorkClock.start(.training); defer { timing.stop() }`.
    public static func start(_ phase: WorkPhase) -> Timing {
        let outermost = state.withLock { s -> Bool in
            s.depth += 1
            return s.depth == 1
        }
        return Timing(phase: phase, outermost: outermost, start: DispatchTime.now().uptimeNanoseconds)
    }

    /// The seconds per phase since the last call (or the start), and a fresh start.
    public static func take() -> [WorkPhase: Double] {
        state.withLock { s in
            defer { s.seconds = [:] }
            return s.seconds
        }
    }
}
