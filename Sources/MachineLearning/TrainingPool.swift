import CKernels
import Dispatch
import Foundation

/// Facts about the numeric core, for benchmark printouts.
public enum MachineLearningInfo {
    /// The kernel set chosen at start-up: "avx2+fma" or "baseline".
    public static var kernels: String { String(cString: mk_kernel_name()) }
}

/// Trains independent models side by side, one per core.
///
/// Each model trains single-threaded from its own seed, and results are stored by index, so a model's
/// weights never depend on how many workers ran or in which order they finished.
public struct TrainingPool: Sendable {
    public let workers: Int

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.workers = max(1, workers)
    }

    /// Runs `body(i)` for i in 0..<count on up to `workers` threads; returns results in index order.
    public func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        // A pool on one thread leaves the other cores as free as a lone model does.
        let parallel = min(workers, count) >= 2
        if parallel { Self.runningPools.add(1) }
        defer { if parallel { Self.runningPools.add(-1) } }
        let results = ResultSlots<T>(count: count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: min(workers, max(count, 1))) { _ in
            while let i = next.take(below: count) {
                results.set(i, Result { try body(i) })
            }
        }
        return try results.values()
    }

    /// How many `map` calls on two threads or more are running in this process: a model trained while
    /// one runs does not take a second core for its steps (`StepPartner`).
    static var running: Int { runningPools.value }
    private static let runningPools = SharedCount()

    /// Fits every configuration on `data`, concurrently.
    public func fit(_ configurations: [MLPClassifier], on data: Dataset, validation: Dataset? = nil) throws -> [FittedMLP] {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        return try map(configurations.count) { try configurations[$0].fit(data, validation: validation) }
    }
}

private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// A count several threads change.
final class SharedCount: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
}

private final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ result: Result<T, Error>) { lock.lock(); slots[i] = result; lock.unlock() }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}
