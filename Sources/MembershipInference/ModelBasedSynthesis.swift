import Foundation
import MachineLearning

/// Model-based synthesis of shadow data: Algorithm 1 of Shokri et al., hill climbing on the target's
/// confidence, for an attacker with no data at all — only query access to the target.
///
/// For each wanted record of class c, starting from a random record:
///
///     y ← f_target(x)                                       (one query)
///     if y_c ≥ y*_c:                                        (accept)
///         if y_c > conf_min and c = argmax(y):
///             if rand() < y_c: return x                     (sample it)
///         x* ← x; y*_c ← y_c; j ← 0
///     else:
///         j ← j + 1
///         if j > rej_max: k ← max(k_min, ⌈k/2⌉); j ← 0     (halve the step)
///     x ← x* with k randomly chosen features re-randomised (flipped, for binary features)
///
/// repeated at most `iterationsMax` times; a failed attempt is retried from a new random record up to
/// `retries` times. Features are binary.
///
/// `iterationsMax` defaults to 500, the top of the range replications use (200–500): the paper reports
/// about 156 queries per accepted record on Purchase, and with halving from k_max = 128 down to
/// k_min = 4 a chain needs about 5 × rej_max = 50 rejected steps just to reach its finest step size, so
/// 200 leaves little room for the climb itself.
///
/// The published algorithm starts from fair coins and flips bits, which drives records towards 50% ones
/// whatever the real data's density (Purchase: about 9%). `startDensity`, when set, draws the starting
/// record and every re-randomised feature with that probability of a 1 instead; nil follows the paper.
///
/// Many chains advance together and the target is queried with one batch per step: each chain's
/// result depends only on its own random stream (derived from the seed, the record's slot and the
/// attempt), so batching changes speed, not records.
public struct ModelBasedSynthesis: Sendable {
    public var kMax = 128
    public var kMin = 4
    public var confidenceMin = 0.2
    public var rejectionsMax = 10
    public var iterationsMax = 500
    public var retries = 10
    public var startDensity: Double?
    public var seed: UInt64
    /// Chains advanced per batched query.
    public var parallelChains = 512

    public init(kMax: Int = 128, kMin: Int = 4, confidenceMin: Double = 0.2, rejectionsMax: Int = 10,
                iterationsMax: Int = 500, retries: Int = 10, startDensity: Double? = nil, seed: UInt64 = 0) {
        self.kMax = kMax
        self.kMin = kMin
        self.confidenceMin = confidenceMin
        self.rejectionsMax = rejectionsMax
        self.iterationsMax = iterationsMax
        self.retries = retries
        self.startDensity = startDensity
        self.seed = seed
    }

    /// What a synthesis run did.
    public struct Trace: Sendable, Equatable {
        public var requested: [Int]
        public var produced: [Int]
        public var queries = 0
        /// Queries spent on the attempts that produced a record.
        public var queriesForProduced = 0
        public var acceptances = 0
        public var halvings = 0
        /// Attempts that ran out of iterations (each was retried while retries remained).
        public var failedAttempts = 0
        /// Records given up after every retry failed.
        public var abandoned = 0

        public var yield: Double { Double(produced.reduce(0, +)) / Double(max(1, requested.reduce(0, +))) }
        public var queriesPerRecord: Double { Double(queriesForProduced) / Double(max(1, produced.reduce(0, +))) }
        /// All queries, failures included, per record produced.
        public var totalQueriesPerRecord: Double { Double(queries) / Double(max(1, produced.reduce(0, +))) }
    }

    /// The outcome: the synthesized records (labelled with the class they were made for) and a trace.
    public struct Result: Sendable {
        public var data: Dataset
        public var trace: Trace
    }

    func validate(featureCount: Int) throws {
        guard kMin >= 1, kMax >= kMin, kMax <= featureCount else {
            throw TrainingError("ModelBasedSynthesis: need 1 <= kMin <= kMax <= features (\(featureCount)), got kMin \(kMin), kMax \(kMax)")
        }
        guard (0..<1).contains(confidenceMin) else { throw TrainingError("ModelBasedSynthesis: confidenceMin must be in 0..<1, got \(confidenceMin)") }
        guard rejectionsMax >= 0, iterationsMax >= 1, retries >= 0 else {
            throw TrainingError("ModelBasedSynthesis: rejectionsMax, iterationsMax and retries must be >= 0 (iterationsMax >= 1)")
        }
        if let startDensity, !(0...1).contains(startDensity) {
            throw TrainingError("ModelBasedSynthesis: startDensity must be in 0...1, got \(startDensity)")
        }
    }

    private struct Chain {
        var slot: Int
        var classIndex: Int
        var attempt: Int
        var generator: SplitMix64
        var x: [Float]
        var best: [Float]
        var bestConfidence: Double = 0
        var rejections = 0
        var k: Int
        var iteration = 0
        var queries = 0
    }

    /// Synthesizes `counts[c]` records of each class c by querying `target` (binary features).
    /// `progress` hears, after each batch of queries, how many requested records are settled (made or
    /// given up on) out of how many.
    public func synthesize(counts: [Int], featureCount: Int, target: BlackBox,
                           progress: ((_ settled: Int, _ requested: Int) -> Void)? = nil) throws -> Result {
        let timing = WorkClock.start(.synthesis)
        defer { timing.stop() }
        try validate(featureCount: featureCount)
        guard counts.count == target.classCount else {
            throw TrainingError("ModelBasedSynthesis: counts has \(counts.count) classes, the target \(target.classCount)")
        }
        var slots: [(classIndex: Int, record: [Float]?)] = []
        for (c, n) in counts.enumerated() { for _ in 0..<n { slots.append((c, nil)) } }
        var trace = Trace(requested: counts, produced: Array(repeating: 0, count: counts.count))
        let root = SplitMix64(seed: seed)
        let d = featureCount

        func randomBit(_ g: inout SplitMix64) -> Float {
            if let startDensity { return g.nextUnit() < startDensity ? 1 : 0 }
            return g.next() & 1 == 1 ? 1 : 0
        }
        func start(slot: Int, attempt: Int) -> Chain {
            var g = root.derived(UInt64(slot) << 8 | UInt64(attempt))
            let x = (0..<d).map { _ in randomBit(&g) }
            return Chain(slot: slot, classIndex: slots[slot].classIndex, attempt: attempt, generator: g, x: x, best: x, k: kMax)
        }

        var next = 0
        var active: [Chain] = []
        while next < slots.count && active.count < parallelChains { active.append(start(slot: next, attempt: 0)); next += 1 }
        var batch = Matrix(rows: 0, columns: d)
        var chosenIn = [UInt32](repeating: 0, count: d), proposal: UInt32 = 0
        while !active.isEmpty {
            batch = Matrix(rows: active.count, columns: d, values: active.flatMap(\.x))
            let answers = target.query(batch)
            trace.queries += active.count
            var survivors: [Chain] = []
            survivors.reserveCapacity(active.count)
            for (r, var chain) in active.enumerated() {
                chain.iteration += 1
                chain.queries += 1
                let c = chain.classIndex
                let yc = Double(answers[r, c])
                var done = false
                if yc >= chain.bestConfidence {
                    trace.acceptances += 1
                    var isArgmax = true
                    for j in 0..<answers.columns where answers[r, j] > answers[r, c] { isArgmax = false; break }
                    if yc > confidenceMin && isArgmax && chain.generator.nextUnit() < yc {
                        slots[chain.slot].record = chain.x
                        trace.produced[c] += 1
                        trace.queriesForProduced += chain.queries
                        done = true
                    } else {
                        chain.best = chain.x
                        chain.bestConfidence = yc
                        chain.rejections = 0
                    }
                } else {
                    chain.rejections += 1
                    if chain.rejections > rejectionsMax {
                        let halved = max(kMin, (chain.k + 1) / 2)
                        if halved < chain.k { trace.halvings += 1 }
                        chain.k = halved
                        chain.rejections = 0
                    }
                }
                if !done && chain.iteration >= iterationsMax {
                    trace.failedAttempts += 1
                    if chain.attempt < retries {
                        survivors.append(start(slot: chain.slot, attempt: chain.attempt + 1))
                    } else {
                        trace.abandoned += 1
                        // The slot is given up: its place in the batch goes to the next record.
                        if next < slots.count { survivors.append(start(slot: next, attempt: 0)); next += 1 }
                    }
                    continue
                }
                if done {
                    if next < slots.count { survivors.append(start(slot: next, attempt: 0)); next += 1 }
                    continue
                }
                // Propose: x* with k distinct random features re-randomised. A feature drawn again is skipped:
                // `chosenIn[j] == proposal` marks the features this proposal has chosen (a new mark each time, no clearing).
                chain.x = chain.best
                proposal &+= 1
                if proposal == 0 { for j in 0..<d { chosenIn[j] = 0 }; proposal = 1 }
                var chosen = 0
                while chosen < chain.k {
                    let j = Int(chain.generator.next() % UInt64(d))
                    if chosenIn[j] != proposal {
                        chosenIn[j] = proposal
                        chosen += 1
                        if startDensity == nil { chain.x[j] = 1 - chain.x[j] } else { chain.x[j] = randomBit(&chain.generator) }
                    }
                }
                survivors.append(chain)
            }
            active = survivors
            progress?(trace.produced.reduce(0, +) + trace.abandoned, slots.count)
        }
        var values: [Float] = [], labels: [Int] = []
        for slot in slots { if let record = slot.record { values += record; labels.append(slot.classIndex) } }
        let data = Dataset(features: Matrix(rows: labels.count, columns: d, values: values), labels: labels, classCount: counts.count)
        return Result(data: data, trace: trace)
    }
}
