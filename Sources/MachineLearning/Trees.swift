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
struct FeatureColumns: Sendable {
    let values: [Float]
    let rows: Int

    init(_ m: Matrix) {
        rows = m.rows
        var t = [Float](repeating: 0, count: m.values.count)
        m.values.withUnsafeBufferPointer { x in
            for r in 0..<m.rows { for c in 0..<m.columns { t[c * m.rows + r] = x[r * m.columns + c] } }
        }
        values = t
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
    /// the class counts of the lower value's records without sorting. Σ count² are whole numbers, exact
    /// in a Double whatever order the records come in, so the score, the threshold and which split wins
    /// are exactly those of the sorted scan that every other feature goes through.
    mutating func bestSplit(_ indices: [Int], _ range: Range<Int>) -> (feature: Int, threshold: Float)? {
        let d = data.featureCount, k = data.classCount, n = range.count
        var features = Array(0..<d)
        if let m = config.maxFeatures, m < d {
            for i in 0..<m { features.swapAt(i, i + Int(generator.next() % UInt64(d - i))) }
            features = Array(features.prefix(m))
        }
        var total = [Double](repeating: 0, count: k)
        for i in range { total[data.labels[indices[i]]] += 1 }
        let totalSquares = total.reduce(0) { $0 + $1 * $1 }
        var best: (score: Double, feature: Int, threshold: Float)?
        var pairs = [(value: Float, label: Int)](repeating: (0, 0), count: n)
        var left = [Double](repeating: 0, count: k)
        let minLeaf = config.minSamplesLeaf
        func consider(_ score: Double, _ feature: Int, _ threshold: Float) {
            if best == nil || score < best!.score { best = (score, feature, threshold) }
        }
        columns.values.withUnsafeBufferPointer { values in
            data.labels.withUnsafeBufferPointer { labels in
                indices.withUnsafeBufferPointer { indices in
                    for feature in features {
                        let column = values.baseAddress! + feature * columns.rows
                        // The range's values: one, two, or more distinct ones?
                        // NaN goes to the sorted scan, as it always did (it is never a boundary there).
                        let low0 = column[indices[range.lowerBound]]
                        var low = low0, high = low0, distinct = low0.isNaN ? 3 : 1
                        for i in range where distinct < 3 {
                            let v = column[indices[i]]
                            if v == low || v == high { continue }
                            if v.isNaN { distinct = 3; break }
                            if distinct == 1 { if v < low { low = v } else { high = v }; distinct = 2; continue }
                            distinct = 3; break
                        }
                        if distinct == 1 { continue }
                        if distinct == 2 {
                            for c in 0..<k { left[c] = 0 }
                            var leftSquares = 0.0, nl = 0
                            for i in range where column[indices[i]] == low {
                                let c = labels[indices[i]]
                                leftSquares += 2 * left[c] + 1; left[c] += 1; nl += 1
                            }
                            guard nl >= minLeaf, n - nl >= minLeaf else { continue }
                            var rightSquares = totalSquares
                            for c in 0..<k where left[c] > 0 {
                                // Σ (total − left)² = Σ total² − Σ (2 total left − left²), all whole numbers.
                                rightSquares -= 2 * total[c] * left[c] - left[c] * left[c]
                            }
                            consider(-(leftSquares / Double(nl) + rightSquares / Double(n - nl)), feature, (low + high) / 2)
                            continue
                        }
                        for (j, i) in range.enumerated() {
                            let record = indices[i]
                            pairs[j] = (column[record], labels[record])
                        }
                        pairs.sort { $0.value < $1.value }
                        for c in 0..<k { left[c] = 0 }
                        var right = total
                        var leftSquares = 0.0, rightSquares = totalSquares
                        for j in 0..<(n - 1) {
                            let c = pairs[j].label
                            leftSquares += 2 * left[c] + 1; left[c] += 1
                            rightSquares -= 2 * right[c] - 1; right[c] -= 1
                            let nl = Double(j + 1), nr = Double(n - j - 1)
                            guard pairs[j].value < pairs[j + 1].value, j + 1 >= minLeaf, n - j - 1 >= minLeaf else { continue }
                            // Weighted Gini: nl(1 − Σl²/nl²) + nr(1 − Σr²/nr²), minimised ⇔ maximise Σl²/nl + Σr²/nr.
                            consider(-(leftSquares / nl + rightSquares / nr), feature, (pairs[j].value + pairs[j + 1].value) / 2)
                        }
                    }
                }
            }
        }
        return best.map { ($0.feature, $0.threshold) }
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
        x.rows < 512 ? walked(x) : copiedAndWalked(x)
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
            for node in tree.nodes {
                // What the checked arrays of a record-by-record walk would have trapped on (a forest can come
                // from a file), checked once here, since the walk below reads through unchecked pointers.
                if node.feature >= 0 {
                    precondition(node.feature < d, "FittedForest: a tree splits on feature \(node.feature), the records have \(d)")
                    precondition(tree.nodes.indices.contains(node.left) && tree.nodes.indices.contains(node.right),
                                 "FittedForest: a tree's node points outside the tree")
                } else {
                    precondition(node.distribution.count >= k, "FittedForest: a leaf has \(node.distribution.count) class frequencies, not \(k)")
                }
                nodes.append(Node(feature: Int32(clamping: node.feature), threshold: node.threshold,
                                  left: Int32(base + node.left), right: Int32(base + node.right)))
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
                            for r in first..<last {
                                let row = xs.baseAddress! + r * d
                                var i = t
                                while nodes[i].feature >= 0 {
                                    i = Int(row[Int(nodes[i].feature)] <= nodes[i].threshold ? nodes[i].left : nodes[i].right)
                                }
                                for e in start[i]..<start[i + 1] { o[r * k + Int(classes[e])] += frequencies[e] * scale }
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
