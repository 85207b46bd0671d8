import CStdio
import Foundation

/// Ctrl-C, SIGTERM and SIGHUP while the runner works.
///
/// The first signal kills every lesson process (each runs in a process group of its own, so whatever
/// a lesson started dies with it) and is remembered; the build then unwinds on its own thread,
/// removing its staging and scratch folders, leaves the previous site as it was and exits with
/// 128 + the signal's number. A second signal, for a runner that seems stuck, exits at once.
///
/// The runner is also a "subreaper": whatever a lesson started and left behind (a helper in a process
/// group of its own, a daemon) becomes the runner's child when the lesson process ends, and is ended
/// once no lesson is running.
final class Interruption: @unchecked Sendable {
    static let shared = Interruption()

    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    /// Lesson processes about to start: not yet in `groups`, so not to be taken for orphans.
    private var starting = 0
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Catches the signals; call once, before the first lesson process starts.
    func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            _ = cstdio_become_subreaper()
            for number in [SIGINT, SIGTERM, SIGHUP] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [unowned self] in self.receive(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func receive(_ number: Int32) {
        let (again, last) = lock.withLock { () -> (Bool, (() -> Void)?) in
            defer { if received == nil { received = number } }
            for group in groups { kill(-group, SIGKILL) }
            return (received != nil, lastWords)
        }
        if again {
            last?()
            _exit(128 + number)
        }
    }

    private var lastWords: (() -> Void)?

    /// What must still happen when a second signal exits at once (cancel a Slurm job array, say):
    /// it runs on the signal's thread just before the exit, so it must be quick. Nil clears it.
    func beforeImmediateExit(_ action: (() -> Void)?) {
        lock.withLock { lastWords = action }
    }

    /// The signal received, if any.
    var signalReceived: Int32? { lock.withLock { received } }

    /// Throws `Interrupted` once a signal has come.
    func check() throws {
        if let number = signalReceived { throw Interrupted(signal: number) }
    }

    /// Call before starting a lesson process, and `started` (or `failedToStart`) after.
    func willStart() { lock.withLock { starting += 1 } }

    func failedToStart() { lock.withLock { starting -= 1 } }

    /// Notes a lesson process (the leader of its own process group); kills it at once if a signal
    /// has already come.
    func started(_ pid: pid_t) {
        lock.withLock {
            starting -= 1
            groups.insert(pid)
            if received != nil { kill(-pid, SIGKILL) }
        }
    }

    /// The lesson process has ended: kills anything it left behind in its group, forgets it, and,
    /// when no other lesson is running, ends every orphan the lessons left.
    func ended(_ pid: pid_t) {
        lock.withLock {
            kill(-pid, SIGKILL)
            groups.remove(pid)
        }
        endOrphans()
    }

    /// Kills and reaps this process's children that are not lesson processes: descendants of
    /// lessons that outlived them. Only while no lesson runs or starts.
    func endOrphans() {
        lock.withLock {
            guard groups.isEmpty && starting == 0 else { return }
            for _ in 0..<20 {
                let orphans = Self.children()
                if orphans.isEmpty { return }
                for pid in orphans { kill(pid, SIGKILL) }
                for pid in orphans { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
            }
        }
    }

    /// This process's children, from /proc.
    static func children() -> [pid_t] { ProcessTable.children() }
}

/// The build was stopped by a signal.
struct Interrupted: Error, CustomStringConvertible {
    let signal: Int32

    var name: String {
        [SIGINT: "SIGINT (Ctrl-C)", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
    }
    var exitCode: Int32 { 128 + signal }
    var description: String { "interrupted by \(name)" }
}
