import Foundation

/// Purchase-like synthetic data: binary features ("bought product j"), K classes, each a Bernoulli
/// prototype. A stand-in for the paper's Purchase dataset (Kaggle's "Acquire Valued Shoppers"), which
/// cannot be had here.
///
/// A port of the generator documented in the course's Python anchors (`bench/gen_data.py`),
/// bit for bit: every number is a function of the seed and the record's global index, through
/// SplitMix64 hashes, so any record can be regenerated alone and the Swift and Python versions
/// produce the same records.
///
/// - feature base rate q_j = qmin + (qmax − qmin)·u², u uniform;
/// - class k's "characteristic" features (a fraction c of them) have probability q_j + (1 − q_j)·lift;
/// - record i has a uniform class y_i and features x_ij ~ Bernoulli(p_{y_i j}).
///
/// Purchase-K for K < 100 is a K-class population of its own (the first K prototypes), not a grouping
/// of the 100 classes: grouping makes K = 10–20 the hardest tasks and breaks the paper's trend.
public struct PurchaseLike: Sendable {
    public var classCount: Int
    public var featureCount: Int
    public var lift: Double
    public var characteristicFraction: Double
    public var minimumRate: Double
    public var maximumRate: Double
    public var seed: UInt64

    public init(classCount: Int = 100, featureCount: Int = 600, lift: Double = 0.17,
                characteristicFraction: Double = 0.10, minimumRate: Double = 0.02, maximumRate: Double = 0.20,
                seed: UInt64 = 0) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.lift = lift
        self.characteristicFraction = characteristicFraction
        self.minimumRate = minimumRate
        self.maximumRate = maximumRate
        self.seed = seed
    }

    /// A Texas-hospital-like population (the paper's Texas-100: 6,170 binary features, 100 classes):
    /// the same generator with more, weaker features, so the task is noisier than Purchase-100.
    /// Calibrated with `benchmarks texas`: the Purchase network recipe (600→6,170 inputs, 128 tanh,
    /// Adam, 100 epochs, 10,000 records) reaches train 1.000 / test 0.522 at lift 0.045 (the paper's
    /// Texas target: 0.668 / 0.517; its lower training accuracy is not reproduced by this recipe).
    public static func texasLike(seed: UInt64 = 0, lift: Double = 0.045) -> PurchaseLike {
        PurchaseLike(classCount: 100, featureCount: 6_170, lift: lift, characteristicFraction: 0.05,
                     minimumRate: 0.005, maximumRate: 0.05, seed: seed)
    }

    static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    enum Stream: UInt64 { case base = 1, characteristic = 2, label = 3, feature = 4 }

    @inline(__always) static func mix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func state(_ stream: Stream) -> UInt64 {
        Self.mix64(seed) ^ Self.mix64(stream.rawValue &+ 0x632B_E59B_D9B4_E019)
    }

    @inline(__always) static func hash(_ state: UInt64, _ index: UInt64) -> UInt64 {
        mix64(state &+ (index &+ 1) &* golden)
    }

    static func threshold(_ p: Double) -> UInt64 { UInt64((p * 4_294_967_296.0).rounded(.down)) }

    /// floor(p_kj · 2^32) for every class k and feature j: a record's feature j is set when the top 32
    /// bits of its hash fall below its class's threshold.
    public func thresholds() -> [[UInt64]] {
        let base = state(.base), characteristic = state(.characteristic)
        let q = (0..<featureCount).map { j -> Double in
            let u = Double(Self.hash(base, UInt64(j)) >> 11) * 0x1.0p-53
            return minimumRate + (maximumRate - minimumRate) * (u * u)
        }
        let cut = Self.threshold(characteristicFraction)
        return (0..<classCount).map { k in
            (0..<featureCount).map { j in
                let isCharacteristic = (Self.hash(characteristic, UInt64(k * featureCount + j)) >> 32) < cut
                return Self.threshold(isCharacteristic ? q[j] + (1.0 - q[j]) * lift : q[j])
            }
        }
    }

    /// Records `first ..< first + count` of the population.
    public func records(count: Int, first: Int = 0) -> Dataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        let t = thresholds()
        let labelState = state(.label), featureState = state(.feature)
        let d = featureCount
        var values = [Float](repeating: 0, count: count * d)
        var labels = [Int](repeating: 0, count: count)
        for r in 0..<count {
            let i = UInt64(first + r)
            let y = Int(((Self.hash(labelState, i) >> 32) &* UInt64(classCount)) >> 32)
            labels[r] = y
            let row = t[y]
            let base = i &* UInt64(d)
            for j in 0..<d where (Self.hash(featureState, base &+ UInt64(j)) >> 32) < row[j] {
                values[r * d + j] = 1
            }
        }
        return Dataset(features: Matrix(rows: count, columns: d, values: values), labels: labels, classCount: classCount)
    }
}
