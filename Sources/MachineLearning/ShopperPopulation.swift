import CKernels
import Foundation

/// Anything that deals out numbered records: record `i` is always the same record, so disjoint index
/// ranges are disjoint samples (targets, non-members and the attacker's data are cut this way).
public protocol RecordPopulation: Sendable {
    var classCount: Int { get }
    var featureCount: Int { get }
    /// Records `first ..< first + count`.
    func records(count: Int, first: Int) -> Dataset
}

extension PurchaseLike: RecordPopulation {}

/// A Purchase-like population with the structure of the real Purchase data: shoppers, not class
/// prototypes. The paper's Purchase-K classes are clusters of shoppers' purchase histories (K-means
/// on the records), so its classes have uneven sizes and correlated products; `PurchaseLike` has
/// neither. This generator follows the recipe the team measured in `bench/o8` (numpy):
///
/// - 600 products with background rates q_j = 0.005 + 0.125·u², u uniform;
/// - 120 bundles of 12 distinct products, drawn with probability ∝ q_j + 0.02 (popular products sit
///   in more bundles);
/// - 3,000 shopper profiles; a profile takes 1 + Poisson(5) distinct bundles (bundle b chosen with
///   probability ∝ (b + 1)^−0.3) and buys each chosen bundle's products with a probability
///   r ~ U(0.25, 0.6): p_mj = 1 − (1 − q_j)·Π(1 − r_b) over its bundles that hold product j;
/// - profile weights ∝ rank^−0.5 in a random order, so some kinds of shopper are common, most rare;
/// - record i picks a profile by weight and buys each product independently with the profile's p_mj;
/// - its class is the nearest of K centroids from spherical k-means (rows scaled to unit length,
///   k-means++ start, 25 Lloyd steps) fitted on 20,000 records of a range no experiment uses. Plain
///   k-means on sparse binary rows makes one catch-all cluster of the short rows; unit rows do not.
///
/// Measured with these numbers (numpy, the course's recipe): density 0.092; at K = 100 class sizes
/// 8 / 195 / 494 (min / median / max) in 20,000 records; the 600-128-100 network at 10,000 records and
/// 100 epochs: train 1.000, test 0.698 (the paper's Purchase-100: 1.00 / 0.66).
///
/// Every number is a function of the seed and a record's index (SplitMix64 hashes), like `PurchaseLike`.
/// The centroids are computed once per process and (seed, K) and kept; they take about a second.
public struct ShopperPopulation: RecordPopulation, Sendable, Hashable {
    public var classCount: Int
    public var seed: UInt64
    public var featureCount = 600
    public var bundleCount = 120
    public var bundleSize = 12
    public var profileCount = 3_000
    /// A profile takes 1 + Poisson(meanBundles − 1) bundles.
    public var meanBundles = 6.0
    public var bundlePopularityExponent = 0.3
    public var profileWeightExponent = 0.5
    public var buyProbability: ClosedRange<Double> = 0.25...0.6
    public var backgroundRate: ClosedRange<Double> = 0.005...0.13
    /// Records k-means is fitted on, taken from index `fitFirst` on.
    public var fitCount = 20_000
    public var lloydSteps = 25

    /// Far beyond any range an experiment cuts, so the clustering never sees a target's records.
    public static let fitFirst = 1 << 40

    public init(classCount: Int = 100, seed: UInt64 = 0) {
        self.classCount = classCount
        self.seed = seed
    }

    enum Stream: UInt64 { case products = 11, profiles = 12, weights = 13, pick = 14, feature = 15, kmeans = 16 }

    func state(_ stream: Stream, _ extra: UInt64 = 0) -> UInt64 {
        PurchaseLike.mix64(PurchaseLike.mix64(seed) ^ PurchaseLike.mix64(stream.rawValue &+ 0x632B_E59B_D9B4_E019) ^ extra)
    }

    /// What every record is drawn from: each profile's buy thresholds (floor(p_mj · 2^32)) and the
    /// profiles' cumulative weights.
    public struct Profiles: Sendable {
        public var thresholds: [UInt32]
        public var cumulativeWeights: [Double]
        public var backgroundRates: [Double]
    }

    public func profiles() -> Profiles {
        let key = ProfilesKey(population: self)
        if let cached = Self.profileCache.withLock({ $0[key] }) { return cached }
        let made = makeProfiles()
        Self.profileCache.withLock { $0[key] = made }
        return made
    }

    struct ProfilesKey: Hashable { var population: ShopperPopulation }
    static let profileCache = Locked<[ProfilesKey: Profiles]>([:])
    static let centroidCache = Locked<[ShopperPopulation: [Float]]>([:])

    func makeProfiles() -> Profiles {
        let d = featureCount
        var g = SplitMix64(seed: state(.products))
        let q = (0..<d).map { _ in backgroundRate.lowerBound + (backgroundRate.upperBound - backgroundRate.lowerBound) * pow(g.nextUnit(), 2) }
        let productWeights = q.map { $0 + 0.02 }
        let bundles = (0..<bundleCount).map { _ in g.distinct(min(bundleSize, d), weights: productWeights) }
        let bundleWeights = (0..<bundleCount).map { pow(Double($0 + 1), -bundlePopularityExponent) }
        var p = SplitMix64(seed: state(.profiles))
        var thresholds = [UInt32](repeating: 0, count: profileCount * d)
        for m in 0..<profileCount {
            let taken = min(bundleCount, 1 + p.poisson(meanBundles - 1))
            var notBought = q.map { 1 - $0 }
            for b in p.distinct(taken, weights: bundleWeights) {
                let r = buyProbability.lowerBound + (buyProbability.upperBound - buyProbability.lowerBound) * p.nextUnit()
                for j in bundles[b] { notBought[j] *= 1 - r }
            }
            for j in 0..<d { thresholds[m * d + j] = UInt32(min((1 - notBought[j]) * 4_294_967_296.0, 4_294_967_295).rounded(.down)) }
        }
        var w = SplitMix64(seed: state(.weights))
        var weights = (0..<profileCount).map { pow(Double($0 + 1), -profileWeightExponent) }
        for i in stride(from: weights.count - 1, to: 0, by: -1) { weights.swapAt(i, Int(w.next() % UInt64(i + 1))) }
        var cumulative = [Double](repeating: 0, count: profileCount), total = 0.0
        for (i, x) in weights.enumerated() { total += x; cumulative[i] = total }
        return Profiles(thresholds: thresholds, cumulativeWeights: cumulative.map { $0 / total }, backgroundRates: q)
    }

    /// Records `first ..< first + count` without labels, and the profile each was drawn from.
    public func unlabelledRecords(count: Int, first: Int = 0) -> (features: Matrix, profiles: [Int]) {
        let model = profiles(), d = featureCount
        let pick = state(.pick), feature = state(.feature)
        var values = [Float](repeating: 0, count: count * d)
        var chosen = [Int](repeating: 0, count: count)
        for r in 0..<count {
            let i = UInt64(first + r)
            let u = Double(PurchaseLike.hash(pick, i) >> 11) * 0x1.0p-53
            var lo = 0, hi = model.cumulativeWeights.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if model.cumulativeWeights[mid] > u { hi = mid } else { lo = mid + 1 } }
            chosen[r] = lo
            let row = lo * d, base = i &* UInt64(d)
            for j in 0..<d where UInt32(truncatingIfNeeded: PurchaseLike.hash(feature, base &+ UInt64(j)) >> 32) < model.thresholds[row + j] {
                values[r * d + j] = 1
            }
        }
        return (Matrix(rows: count, columns: d, values: values), chosen)
    }

    public func records(count: Int, first: Int = 0) -> Dataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        let x = unlabelledRecords(count: count, first: first).features
        return Dataset(features: x, labels: Self.nearest(x, centroids: centroids(), classes: classCount), classCount: classCount)
    }

    /// The K centroids (row-major, K × featureCount) of spherical k-means on `fitCount` records: kept in
    /// memory, and in `centroidStore` when one is set, since every lesson process would otherwise cluster
    /// the same population again (about a second each).
    public func centroids() -> [Float] {
        if let cached = Self.centroidCache.withLock({ $0[self] }) { return cached }
        func cluster() -> [Float] {
            let x = unlabelledRecords(count: fitCount, first: Self.fitFirst).features
            var g = SplitMix64(seed: state(.kmeans, UInt64(classCount)))
            return Self.sphericalKMeans(x, classes: classCount, steps: lloydSteps, random: &g)
        }
        var made: [Float]?
        if let store = Self.centroidStore {
            // Keyed by every setting of the population and the store's salt (the training code's fingerprint).
            let key = ModelCache.key(configuration: "ShopperPopulation.centroids \(self)", extra: store.salt)
            var clustered: [Float]?   // computed here even if storing it then fails
            let saved = try? store.model(forKey: key) {
                clustered = cluster()
                return .clustering(Matrix(rows: classCount, columns: featureCount, values: clustered!))
            }
            if case let .clustering(m)? = saved?.model, m.rows == classCount, m.columns == featureCount { made = m.values }
            made = made ?? clustered
        }
        let centroids = made ?? cluster()
        Self.centroidCache.withLock { $0[self] = centroids }
        return centroids
    }

    /// Where `centroids()` keeps what it computes between processes; nil (the default) keeps them in this
    /// process only. The lesson runner sets the course's model cache.
    public static var centroidStore: ModelCache? {
        get { storeOfCentroids.withLock { $0 } }
        set { storeOfCentroids.withLock { $0 = newValue } }
    }
    private static let storeOfCentroids = Locked<ModelCache?>(nil)

    /// The nonzero columns of each binary row and the row's unit scale 1/√(ones).
    /// Also as CSR (`offsets`, `indices`), which `nearest` hands to the kernel: built here once, not at every Lloyd step.
    static func sparseRows(_ x: Matrix) -> (columns: [[Int]], scale: [Float], offsets: [Int32], indices: [Int32]) {
        var columns: [[Int]] = [], scale: [Float] = []
        columns.reserveCapacity(x.rows)
        scale.reserveCapacity(x.rows)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows {
                let row = r * x.columns
                var ones: [Int] = []
                for j in 0..<x.columns where v[row + j] != 0 { ones.append(j) }
                columns.append(ones)
                scale.append(ones.isEmpty ? 0 : 1 / Float(ones.count).squareRoot())
            }
        }
        var offsets = [Int32](repeating: 0, count: x.rows + 1), indices: [Int32] = []
        indices.reserveCapacity(columns.reduce(0) { $0 + $1.count })
        for (r, ones) in columns.enumerated() {
            for j in ones { indices.append(Int32(j)) }
            offsets[r + 1] = Int32(indices.count)
        }
        return (columns, scale, offsets, indices)
    }

    /// Index of the centroid nearest to each row scaled to unit length: argmin ‖c‖² − 2·x̂·c. The
    /// centroids are transposed first so that each of a row's ones adds one contiguous run of K values
    /// (a loop the compiler vectorizes; every dot product still sums its terms in column order).
    static func nearest(_ x: Matrix, centroids c: [Float], classes k: Int) -> [Int] {
        nearest(sparseRows(x), columnCount: x.columns, centroids: c, classes: k)
    }

    static func nearest(_ rows: (columns: [[Int]], scale: [Float], offsets: [Int32], indices: [Int32]), columnCount d: Int, centroids c: [Float], classes k: Int) -> [Int] {
        var transposed = [Float](repeating: 0, count: d * k), norms = [Float](repeating: 0, count: k)
        for i in 0..<k {
            for j in 0..<d {
                transposed[j * k + i] = c[i * d + j]
                norms[i] += c[i * d + j] * c[i * d + j]
            }
        }
        let n = rows.scale.count
        var labels = [Int](repeating: 0, count: n)
        // Every row's K dot products at once, by the sparse first layer's kernel: a row's sums are the
        // runs of its ones added in column order from +0 (the kernel starts them from a zero "bias"),
        // kept in registers across the runs instead of loaded and stored for each one.
        let zeros = [Float](repeating: 0, count: k)
        var dots = [Float](repeating: 0, count: n * k)
        mk_sparse_forward(Int32(n), rows.offsets, rows.indices, nil, transposed, Int32(k), zeros, &dots)
        dots.withUnsafeBufferPointer { dots in
            for r in 0..<n {
                let scale = rows.scale[r], row = r * k
                var best = 0, bestScore = Float.infinity
                for i in 0..<k {
                    let score = norms[i] - 2 * scale * dots[row + i]
                    if score < bestScore { best = i; bestScore = score }
                }
                labels[r] = best
            }
        }
        return labels
    }

    /// k-means on unit-length rows: k-means++ seeding (each new centre drawn with probability ∝ the
    /// squared distance to the nearest centre so far), then Lloyd steps; an empty cluster restarts at
    /// a random row.
    static func sphericalKMeans(_ x: Matrix, classes k: Int, steps: Int, random g: inout SplitMix64) -> [Float] {
        let rows = sparseRows(x)
        let (columns, scale, _, _) = rows
        let n = x.rows, d = x.columns
        var c = [Float](repeating: 0, count: k * d)
        c.withUnsafeMutableBufferPointer { c in
            func setCentre(_ i: Int, toRow r: Int) {
                for j in 0..<d { c[i * d + j] = 0 }
                for j in columns[r] { c[i * d + j] = scale[r] }
            }
            func distance(_ r: Int, _ i: Int, norm: Float) -> Float {
                var dot: Float = 0
                for j in columns[r] { dot += c[i * d + j] }
                let xx: Float = columns[r].isEmpty ? 0 : 1
                return max(0, xx + norm - 2 * scale[r] * dot)
            }
            func norm(_ i: Int) -> Float {
                var total: Float = 0
                for j in 0..<d { total += c[i * d + j] * c[i * d + j] }
                return total
            }
            setCentre(0, toRow: Int(g.next() % UInt64(n)))
            let n0 = norm(0)
            var nearestDistance = (0..<n).map { distance($0, 0, norm: n0) }
            for i in 1..<max(k, 1) {
                let total = nearestDistance.reduce(0.0) { $0 + Double($1) }
                var target = g.nextUnit() * total, pick = n - 1
                for r in 0..<n { target -= Double(nearestDistance[r]); if target < 0 { pick = r; break } }
                setCentre(i, toRow: pick)
                let ni = norm(i)
                for r in 0..<n { nearestDistance[r] = min(nearestDistance[r], distance(r, i, norm: ni)) }
            }
        }
        for _ in 0..<steps {
            let labels = nearest(rows, columnCount: d, centroids: c, classes: k)
            var sums = [Float](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
            for r in 0..<n {
                counts[labels[r]] += 1
                for j in columns[r] { sums[labels[r] * d + j] += scale[r] }
            }
            for i in 0..<k {
                if counts[i] == 0 {
                    let r = Int(g.next() % UInt64(n))
                    for j in 0..<d { c[i * d + j] = 0 }
                    for j in columns[r] { c[i * d + j] = scale[r] }
                } else {
                    for j in 0..<d { c[i * d + j] = sums[i * d + j] / Float(counts[i]) }
                }
            }
        }
        return c
    }
}

extension SplitMix64 {
    /// A Poisson(mean) count (Knuth's product of uniforms; fine for small means).
    mutating func poisson(_ mean: Double) -> Int {
        let limit = exp(-mean)
        var count = 0, product = nextUnit()
        while product > limit { count += 1; product *= nextUnit() }
        return count
    }

    /// `count` distinct indices drawn one after another with probability ∝ `weights` among those left.
    mutating func distinct(_ count: Int, weights: [Double]) -> [Int] {
        var left = weights, chosen: [Int] = []
        for _ in 0..<min(count, weights.count) {
            var target = nextUnit() * left.reduce(0, +), pick = left.count - 1
            for (i, w) in left.enumerated() where w > 0 { target -= w; if target < 0 { pick = i; break } }
            chosen.append(pick)
            left[pick] = 0
        }
        return chosen
    }
}

/// A value behind a lock, for caches shared by threads.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
