import Foundation

/// A CART classification tree: binary splits `x[feature] <= threshold` chosen by Gini impurity,
/// leaves holding class frequencies (so probabilities come out).
///
/// Unlimited depth and one-record leaves (the defaults) memorise the training set — the course's
/// stand-in for an opaque service that overfits strongly.
public struct DecisionTree: Sendable {
    /// Deepest level (the root is 0); nil for no limit.
    public var maxDepth: Int?
    /// Fewest records a leaf may hold.
    public var minSamplesLeaf: Int
    /// Features tried at each split; nil tries all (a forest uses about √features).
    public var maxFeatures: Int?
    public var seed: UInt64

    public init(maxDepth: Int? = nil, minSamplesLeaf: Int = 1, maxFeatures: Int? = nil, seed: UInt64 = 0) {
        self.maxDepth = maxDepth
        self.minSamplesLeaf = minSamplesLeaf
        self.maxFeatures = maxFeatures
        self.seed = seed
    }

    func validate(_ data: Dataset) throws {
        if let maxDepth, maxDepth < 0 { throw TrainingError("DecisionTree: maxDepth must be >= 0, got \(maxDepth)") }
        guard minSamplesLeaf >= 1 else { throw TrainingError("DecisionTree: minSamplesLeaf must be >= 1, got \(minSamplesLeaf)") }
        if let maxFeatures, !(1...max(1, data.featureCount)).contains(maxFeatures) {
            throw TrainingError("DecisionTree: maxFeatures must be in 1...\(data.featureCount), got \(maxFeatures)")
        }
        guard data.count > 0 else { throw TrainingError("DecisionTree: the training set is empty") }
    }

    public func fit(_ data: Dataset) throws -> FittedTree {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        try validate(data)
        return fit(data, records: Array(0..<data.count), columns: FeatureColumns(data.features))
    }

    /// Grows the tree on `records` (indices into `data`, repeats allowed: bootstrap samples);
    /// `columns` is `data`'s features stored feature by feature.
    func fit(_ data: Dataset, records: [Int], columns: FeatureColumns) -> FittedTree {
        var builder = TreeBuilder(data: data, columns: columns, config: self, generator: SplitMix64(seed: seed))
        var indices = records
        _ = builder.grow(&indices, 0..<indices.count, depth: 0)
        return FittedTree(nodes: builder.nodes, classCount: data.classCount)
    }
}

/// A fitted tree: nodes in an array, the root first.
public struct FittedTree: Sendable, Codable, Equatable {
    public struct Node: Sendable, Codable, Equatable {
        /// -1 for a leaf.
        public var feature: Int
        public var threshold: Float
        public var left: Int
        public var right: Int
        /// Class frequencies at a leaf (empty for inner nodes).
        public var distribution: [Float]
    }

    public var nodes: [Node]
    public var classCount: Int

    public var leafCount: Int { nodes.filter { $0.feature < 0 }.count }

    /// What makes this tree unfit to walk, or nil. A grown tree has a node, children inside the tree and
    /// after their parent (so no walk can loop), and leaves of `classCount` frequencies; a tree read from
    /// a file is checked for the same (`ModelArchive.decode`).
    public var structureProblem: String? {
        if nodes.isEmpty { return "has no nodes" }
        for (i, node) in nodes.enumerated() {
            if node.feature >= 0 {
                let after = (i + 1)..<nodes.count
                if !after.contains(node.left) || !after.contains(node.right) {
                    return "node \(i) points to \(node.left) and \(node.right); a node's children come after it in the tree (\(nodes.count) nodes)"
                }
            } else if node.distribution.count != classCount {
                return "leaf \(i) has \(node.distribution.count) class frequencies, not \(classCount)"
            }
        }
        return nil
    }

    /// Depth of the deepest leaf.
    public var depth: Int {
        func walk(_ i: Int) -> Int { nodes[i].feature < 0 ? 0 : 1 + max(walk(nodes[i].left), walk(nodes[i].right)) }
        return walk(0)
    }

    func leaf(for row: ArraySlice<Float>) -> [Float] {
        var i = 0
        let base = row.startIndex
        while nodes[i].feature >= 0 {
            i = row[base + nodes[i].feature] <= nodes[i].threshold ? nodes[i].left : nodes[i].right
        }
        return nodes[i].distribution
    }

    public func probabilities(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, columns: classCount)
        for r in 0..<x.rows {
            let p = leaf(for: x.row(r))
            for c in 0..<classCount { out[r, c] = p[c] }
        }
        return out
    }

}

/// A matrix stored feature by feature: a split search reads one feature of many records, which in the
/// row-major matrix are a row apart (the whole matrix passes through the cache for every feature).
///
/// A feature whose column holds two values or one (none NaN: Purchase's and Texas's 0/1 features) is also
/// kept as one byte per record, 0 for its lower value and 1 for its higher: the split search reads such a
/// feature for records scattered over the column, and a byte column stays in the first-level cache where
/// a column of floats four times as long does not.
struct FeatureColumns: Sendable {
    let values: [Float]
    let rows: Int
    /// Byte columns, one after another, for the two-valued features.
    let codes: [UInt8]
    /// Where feature f's byte column starts in `codes`, or -1 if it has more than two values (or a NaN).
    let codeStart: [Int]
    /// Feature f's lower and higher value (equal if it has one), where `codeStart[f] >= 0`.
    let levels: [(low: Float, high: Float)]

    /// `bytes: false` keeps every feature as floats only (for tests: both ways grow the same trees).
    init(_ m: Matrix, bytes: Bool = true) {
        rows = m.rows
        var t = [Float](repeating: 0, count: m.values.count)
        m.values.withUnsafeBufferPointer { x in
            for r in 0..<m.rows { for c in 0..<m.columns { t[c * m.rows + r] = x[r * m.columns + c] } }
        }
        values = t
        var codes: [UInt8] = [], codeStart: [Int] = [], levels: [(low: Float, high: Float)] = []
        for f in 0..<m.columns {
            let column = t[(f * m.rows)..<((f + 1) * m.rows)]
            guard bytes, let low0 = column.first, !low0.isNaN else { codeStart.append(-1); levels.append((0, 0)); continue }
            var low = low0, high = low0, twoValued = true
            for v in column where v != low && v != high {
                if v.isNaN || low != high { twoValued = false; break }
                if v < low { low = v } else { high = v }
            }
            guard twoValued else { codeStart.append(-1); levels.append((0, 0)); continue }
            codeStart.append(codes.count)
            levels.append((low, high))
            codes.append(contentsOf: column.map { $0 == low ? 0 : 1 })
        }
        self.codes = codes
        self.codeStart = codeStart
        self.levels = levels
    }
}

struct TreeBuilder {
    let data: Dataset
    let columns: FeatureColumns
    let config: DecisionTree
    var generator: SplitMix64
    var nodes: [FittedTree.Node] = []
    /// One one-hot distribution per class, shared by every pure leaf of that class. An unpruned tree
    /// has thousands of leaves, nearly all pure, and each held its own 100-class array: lesson 4's 21
    /// forests of 100 such trees took 5.6 GB, most of it copies of the same few arrays.
    var pureLeaves: [Int: [Float]] = [:]
    var scratch = SplitScratch()

    /// The leaf distribution of records all labelled `label`: 1 for it, 0 elsewhere, as `distribution` computes it.
    mutating func pureDistribution(_ label: Int) -> [Float] {
        if let shared = pureLeaves[label] { return shared }
        var oneHot = [Float](repeating: 0, count: data.classCount)
        oneHot[label] = 1
        pureLeaves[label] = oneHot
        return oneHot
    }

    func distribution(_ indices: [Int], _ range: Range<Int>) -> [Float] {
        var counts = [Float](repeating: 0, count: data.classCount)
        for i in range { counts[data.labels[indices[i]]] += 1 }
        let total = Float(range.count)
        return counts.map { $0 / total }
    }

    /// Grows a node over `indices[range]` and returns its index.
    mutating func grow(_ indices: inout [Int], _ range: Range<Int>, depth: Int) -> Int {
        let id = nodes.count
        nodes.append(.init(feature: -1, threshold: 0, left: -1, right: -1, distribution: []))
        // The label every record of the range has, if they all have one (nil when they differ or there are none).
        let first = range.isEmpty ? nil : data.labels[indices[range.lowerBound]]
        let only = first.flatMap { f in range.allSatisfy { data.labels[indices[$0]] == f } ? f : nil }
        let canSplit = !range.isEmpty && only == nil && range.count >= 2 * config.minSamplesLeaf
            && (config.maxDepth.map { depth < $0 } ?? true)
        guard canSplit, let split = bestSplit(indices, range) else {
            nodes[id].distribution = only.map { pureDistribution($0) } ?? distribution(indices, range)
            return id
        }
        // Partition the range: records going left first.
        var lo = range.lowerBound, hi = range.upperBound - 1
        let column = split.feature * columns.rows
        while lo <= hi {
            if columns.values[column + indices[lo]] <= split.threshold { lo += 1 }
            else { indices.swapAt(lo, hi); hi -= 1 }
        }
        nodes[id].feature = split.feature
        nodes[id].threshold = split.threshold
        let left = grow(&indices, range.lowerBound..<lo, depth: depth + 1)
        let right = grow(&indices, lo..<range.upperBound, depth: depth + 1)
        nodes[id].left = left
        nodes[id].right = right
        return id
    }

    /// The split with the lowest weighted Gini impurity among the candidate features, or nil if no
    /// split separates anything. Σ count² is kept incrementally, so a scan is linear in the records.
    ///
    /// A feature with two values in the range (binary features) has one possible split, scored from
    /// one pass over the range without sorting: records with the range's first value are skipped, the
    /// others counted by class. Σ count² are whole numbers, exact in a Double whatever order the records
    /// come in and however they are added up, so the score, the threshold and which split wins are exactly
    /// those of the sorted scan that every other feature goes through.
    mutating func bestSplit(_ indices: [Int], _ range: Range<Int>) -> (feature: Int, threshold: Float)? {
        let d = data.featureCount, k = data.classCount, n = range.count
        var s = SplitScratch()
        swap(&s, &scratch)
        defer { swap(&s, &scratch) }
        s.prepare(features: d, classes: k)
        // The candidate features: the first m of a partial Fisher-Yates shuffle of 0..<d, drawn in a
        // permutation kept at the identity between nodes (restored below) instead of a new 0..<d per node.
        var drawn = d
        if let m = config.maxFeatures, m < d {
            for i in 0..<m { s.order.swapAt(i, i + Int(generator.next() % UInt64(d - i))) }
            drawn = m
        }
        defer {
            // Back to the identity: the drawn features that came from beyond the first m go home, then the first m.
            if drawn < d {
                for i in 0..<drawn where s.order[i] >= drawn { s.order[s.order[i]] = s.order[i] }
                for i in 0..<drawn { s.order[i] = i }
            }
        }
        for i in range { s.total[data.labels[indices[i]]] += 1 }
        let totalSquares = s.total.reduce(0) { $0 + $1 * $1 }
        if s.pairs.count < n { s.pairs = [(value: Float, label: Int)](repeating: (0, 0), count: n) }
        var best: (score: Double, feature: Int, threshold: Float)?
        let minLeaf = config.minSamplesLeaf
        func consider(_ score: Double, _ feature: Int, _ threshold: Float) {
            if best == nil || score < best!.score { best = (score, feature, threshold) }
        }
        /// The one split of a feature with two values in the range, from the records of the value the range
        /// does not start with: how many, Σ count² over their classes, Σ of their classes' totals. Which side
        /// goes left changes neither the score (a sum of the two sides' terms) nor the leaf-size test.
        func considerTwo(_ secondCount: Int, _ secondSquares: Double, _ secondTotals: Double, _ feature: Int, _ threshold: Float) {
            guard secondCount >= minLeaf, n - secondCount >= minLeaf else { return }
            // Σ (total − second)² = Σ total² − 2 Σ total·second + Σ second², all whole numbers.
            let firstSquares = totalSquares - 2 * secondTotals + secondSquares
            consider(-(firstSquares / Double(n - secondCount) + secondSquares / Double(secondCount)), feature, threshold)
        }
        let lower = range.lowerBound, upper = range.upperBound
        let candidates = Array(s.order[0..<drawn])
        columns.values.withUnsafeBufferPointer { values in
          columns.codes.withUnsafeBufferPointer { codeBuffer in
            let codeBase = codeBuffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
            data.labels.withUnsafeBufferPointer { labels in
                indices.withUnsafeBufferPointer { indices in
                    s.withBuffers { total, counts, left, pairs in
                        for feature in candidates {
                            let column = values.baseAddress! + feature * columns.rows
                            if columns.codeStart[feature] >= 0 {
                                // Two values or one in the whole column: read as bytes.
                                let codes = codeBase + columns.codeStart[feature]
                                let firstCode = codes[indices[lower]]
                                var i = lower + 1
                                while i < upper && codes[indices[i]] == firstCode { i += 1 }
                                if i == upper { continue }   // one value: nothing to split
                                var secondCount = 0, secondSquares = 0.0, secondTotals = 0.0
                                while i < upper {
                                    if codes[indices[i]] != firstCode {
                                        let c = labels[indices[i]]
                                        secondSquares += 2 * counts[c] + 1; counts[c] += 1
                                        secondTotals += total[c]; secondCount += 1
                                    }
                                    i += 1
                                }
                                for c in 0..<k { counts[c] = 0 }
                                let (low, high) = columns.levels[feature]
                                considerTwo(secondCount, secondSquares, secondTotals, feature, (low + high) / 2)
                                continue
                            }
                            // Records up to the first that differs from the range's first value.
                            // NaN goes to the sorted scan, as it always did (it is never a boundary there).
                            let first = column[indices[lower]]
                            var i = lower + 1
                            if !first.isNaN { while i < upper && column[indices[i]] == first { i += 1 } }
                            if i == upper && !first.isNaN { continue }   // one value: nothing to split
                            // The rest: records of a second value counted by class, until a third value shows.
                            let second = i < upper ? column[indices[i]] : first
                            var twoValued = !first.isNaN && !second.isNaN
                            var secondCount = 0, secondSquares = 0.0, secondTotals = 0.0
                            if twoValued {
                                while i < upper {
                                    let v = column[indices[i]]
                                    if v == second {
                                        let c = labels[indices[i]]
                                        secondSquares += 2 * counts[c] + 1; counts[c] += 1
                                        secondTotals += total[c]; secondCount += 1
                                    } else if v != first { twoValued = false; break }
                                    i += 1
                                }
                                for c in 0..<k { counts[c] = 0 }
                            }
                            if twoValued {
                                considerTwo(secondCount, secondSquares, secondTotals, feature, (min(first, second) + max(first, second)) / 2)
                                continue
                            }
                            // Three or more values: every boundary between consecutive distinct values, sorted.
                            for (j, i) in range.enumerated() {
                                let record = indices[i]
                                pairs[j] = (column[record], labels[record])
                            }
                            pairs[0..<n].sort { $0.value < $1.value }
                            for c in 0..<k { left[c] = 0 }
                            var leftSquares = 0.0, rightSquares = totalSquares
                            for j in 0..<(n - 1) {
                                let c = pairs[j].label
                                leftSquares += 2 * left[c] + 1; left[c] += 1
                                // The right side's count of c is total − left (before this record: total − left + 1).
                                rightSquares -= 2 * (total[c] - left[c] + 1) - 1
                                let nl = Double(j + 1), nr = Double(n - j - 1)
                                guard pairs[j].value < pairs[j + 1].value, j + 1 >= minLeaf, n - j - 1 >= minLeaf else { continue }
                                // Weighted Gini: nl(1 − Σl²/nl²) + nr(1 − Σr²/nr²), minimised ⇔ maximise Σl²/nl + Σr²/nr.
                                consider(-(leftSquares / nl + rightSquares / nr), feature, (pairs[j].value + pairs[j + 1].value) / 2)
                            }
                        }
                    }
                }
            }
          }
        }
        return best.map { ($0.feature, $0.threshold) }
    }
}

/// What a node's split search needs besides the data, kept by the builder from node to node: an unpruned
/// tree has thousands of nodes, and each allocated its own permutation of the features, class counts and
/// a pair per record.
struct SplitScratch {
    /// 0..<features between nodes; the first few drawn as a node's candidates, then put back.
    var order: [Int] = []
    /// The node's records by class.
    var total: [Double] = []
    /// Zero between features.
    var counts: [Double] = []
    var left: [Double] = []
    /// (value, label) of a node's records, for sorting; as long as the largest node's range so far.
    var pairs: [(value: Float, label: Int)] = []

    mutating func prepare(features: Int, classes: Int) {
        if order.count != features { order = Array(0..<features) }
        if total.count != classes {
            counts = [Double](repeating: 0, count: classes)
            left = counts
            total = counts
        } else {
            for c in 0..<classes { total[c] = 0 }
        }
    }

    mutating func withBuffers(_ body: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>,
                                       UnsafeMutableBufferPointer<(value: Float, label: Int)>) -> Void) {
        total.withUnsafeBufferPointer { total in
            counts.withUnsafeMutableBufferPointer { counts in
                left.withUnsafeMutableBufferPointer { left in
                    pairs.withUnsafeMutableBufferPointer { pairs in body(total, counts, left, pairs) }
                }
            }
        }
    }
}

/// A random forest (Breiman 2001): trees grown on bootstrap samples, each split choosing among
/// about √features random features; probabilities are the trees' averaged leaf frequencies.
public struct RandomForest: Sendable {
    public var treeCount: Int
    public var maxDepth: Int?
    public var minSamplesLeaf: Int
    /// Features per split; nil means ⌈√features⌉.
    public var maxFeatures: Int?
    public var seed: UInt64

    public init(treeCount: Int = 100, maxDepth: Int? = nil, minSamplesLeaf: Int = 1, maxFeatures: Int? = nil, seed: UInt64 = 0) {
        self.treeCount = treeCount
        self.maxDepth = maxDepth
        self.minSamplesLeaf = minSamplesLeaf
        self.maxFeatures = maxFeatures
        self.seed = seed
    }

    /// Grows the trees concurrently; tree t's bootstrap and splits depend only on (seed, t).
    public func fit(_ data: Dataset, pool: TrainingPool = TrainingPool()) throws -> FittedForest {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        guard treeCount >= 1 else { throw TrainingError("RandomForest: treeCount must be >= 1, got \(treeCount)") }
        let features = maxFeatures ?? Int(Double(data.featureCount).squareRoot().rounded(.up))
        let template = DecisionTree(maxDepth: maxDepth, minSamplesLeaf: minSamplesLeaf, maxFeatures: features)
        try template.validate(data)
        let root = SplitMix64(seed: seed)
        let columns = FeatureColumns(data.features)
        let trees = try pool.map(treeCount) { t -> FittedTree in
            var generator = root.derived(UInt64(t))
            let sample = (0..<data.count).map { _ in Int(generator.next() % UInt64(data.count)) }
            var tree = template
            tree.seed = generator.next()
            return tree.fit(data, records: sample, columns: columns)
        }
        return FittedForest(trees: trees, classCount: data.classCount)
    }
}

public struct FittedForest: Sendable, Codable, Equatable {
    public var trees: [FittedTree]
    public var classCount: Int

    /// Each record's leaf distributions averaged over the trees, added in the trees' order.
    ///
    /// For many records the trees are first copied into 16-byte nodes and each leaf's nonzero frequencies (an unpruned
    /// tree's leaves mostly hold one class; the sums start at +0 and only grow, so adding a zero would leave
    /// every bit as it was); records then go 64 at a time through every tree, so their rows stay in the
    /// cache while the trees pass.
    /// A few records (Algorithm 1 queries one at a time) walk the trees as they are: copying a forest
    /// of unpruned trees costs about what walking 500 records through them does (`benchmarks models`).
    public func probabilities(_ x: Matrix) -> Matrix {
        x.rows < 512 || x.columns == 0 ? walked(x) : copiedAndWalked(x)
    }

    /// Record by record, tree by tree, through the trees' own checked arrays.
    func walked(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, columns: classCount)
        let scale = 1 / Float(trees.count)
        for r in 0..<x.rows {
            let row = x.row(r)
            for tree in trees {
                let p = tree.leaf(for: row)
                for c in 0..<classCount { out.values[r * classCount + c] += p[c] * scale }
            }
        }
        return out
    }

    func copiedAndWalked(_ x: Matrix) -> Matrix {
        struct Node { var feature: Int32; var threshold: Float; var left: Int32; var right: Int32 }
        var out = Matrix(rows: x.rows, columns: classCount)
        let scale = 1 / Float(trees.count)
        let k = classCount, d = x.columns
        var nodes: [Node] = [], root: [Int] = []
        var start: [Int] = [0], classes: [Int32] = [], frequencies: [Float] = []
        for tree in trees {
            let base = nodes.count
            root.append(base)
            // What the checked arrays of a record-by-record walk would have trapped on (a forest can come
            // from a file), checked once here, since the walk below reads through unchecked pointers. Children
            // after their parent (`structureProblem`) also mean no walk can loop, and the walk's "did not
            // move" test means "at a leaf", never "at a node pointing to itself".
            if let problem = tree.structureProblem { preconditionFailure("FittedForest: a tree \(problem)") }
            for node in tree.nodes {
                if node.feature >= 0 {
                    precondition(node.feature < d, "FittedForest: a tree splits on feature \(node.feature), the records have \(d)")
                } else {
                    precondition(node.distribution.count >= k, "FittedForest: a leaf has \(node.distribution.count) class frequencies, not \(k)")
                }
                // A leaf points to itself both ways, so a walk that reached it stays there (see below).
                let me = Int32(nodes.count)
                nodes.append(node.feature >= 0
                    ? Node(feature: Int32(node.feature), threshold: node.threshold, left: Int32(base + node.left), right: Int32(base + node.right))
                    : Node(feature: 0, threshold: 0, left: me, right: me))
                for c in 0..<(node.feature >= 0 ? 0 : k) where node.distribution[c] != 0 {
                    classes.append(Int32(c)); frequencies.append(node.distribution[c])
                }
                start.append(classes.count)
            }
        }
        x.values.withUnsafeBufferPointer { xs in
            out.values.withUnsafeMutableBufferPointer { o in
                nodes.withUnsafeBufferPointer { nodes in
                    var first = 0
                    while first < x.rows {
                        let last = min(first + 64, x.rows)
                        for t in root {
                            // Four records walk the tree in step, each step one node further for all four, so that
                            // their dependent loads overlap; one that reached its leaf stays on it.
                            func step(_ i: Int, _ row: UnsafePointer<Float>) -> Int {
                                let node = nodes[i]
                                return Int(row[Int(node.feature)] <= node.threshold ? node.left : node.right)
                            }
                            func add(_ i: Int, _ r: Int) {
                                for e in start[i]..<start[i + 1] { o[r * k + Int(classes[e])] += frequencies[e] * scale }
                            }
                            var r = first
                            while r + 4 <= last {
                                let x0 = xs.baseAddress! + r * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                                var a0 = t, a1 = t, a2 = t, a3 = t
                                while true {
                                    let b0 = step(a0, x0), b1 = step(a1, x1), b2 = step(a2, x2), b3 = step(a3, x3)
                                    if (b0 == a0) && (b1 == a1) && (b2 == a2) && (b3 == a3) { break }
                                    a0 = b0; a1 = b1; a2 = b2; a3 = b3
                                }
                                add(a0, r); add(a1, r + 1); add(a2, r + 2); add(a3, r + 3)
                                r += 4
                            }
                            for r in r..<last {
                                var a = t
                                while true { let b = step(a, xs.baseAddress! + r * d); if b == a { break }; a = b }
                                add(a, r)
                            }
                        }
                        first = last
                    }
                }
            }
        }
        return out
    }

}
