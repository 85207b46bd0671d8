import CKernels
import Dispatch
import Foundation

/// Facts about the numeric core, for benchmark printouts.
public enum MachineLearningInfo {
    /// The kernel set chosen at start-up: "avx2+fma" or "baseline".
    public static var kernels: String { String(cString: mk_kernel_name()) }
    /// The matrix product's instruction set: "avx512", "avx2" or "baseline" (avx512 and avx2 agree bit for bit).
    public static var product: String { String(cString: mk_product_kernel()) }
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
        // Each thread of a pool on two or more counts as busy from the pool's start until it finds no
        // item left; a pool on one thread leaves the other cores as free as a lone model does.
        let threads = min(workers, max(count, 1))
        let counted = threads >= 2
        if counted { Self.busyThreads.add(threads) }
        let results = ResultSlots<T>(count: count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let i = next.take(below: count) {
                results.set(i, Result { try body(i) })
            }
            if counted { Self.busyThreads.add(-1) }
        }
        return try results.values()
    }

    /// How many threads of pools on two threads or more are still taking items in this process. A
    /// model trained while this leaves no core free does not take a second thread for its steps
    /// (`StepPartner`); the last model of a fleet, once the other workers have found nothing left,
    /// does.
    static var busy: Int { busyThreads.value }
    private static let busyThreads = SharedCount()

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
