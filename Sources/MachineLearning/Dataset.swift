/// Features and integer labels in `0..<classCount`.
public struct Dataset: Sendable {
    public var features: Matrix
    public var labels: [Int]
    public let classCount: Int

    public init(features: Matrix, labels: [Int], classCount: Int) {
        precondition(features.rows == labels.count, "Dataset: \(features.rows) rows but \(labels.count) labels")
        precondition(labels.allSatisfy { (0..<classCount).contains($0) }, "Dataset: a label is outside 0..<\(classCount)")
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    public var count: Int { labels.count }
    public var featureCount: Int { features.columns }

    /// The records at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(features: features.rows(indices), labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// These records followed by `other`'s (same features and classes), e.g. a dataset's train and test files.
    public func concatenated(with other: Dataset) -> Dataset {
        precondition(featureCount == other.featureCount && classCount == other.classCount,
                     "concatenated: \(featureCount) and \(other.featureCount) features, \(classCount) and \(other.classCount) classes")
        return Dataset(features: Matrix(rows: count + other.count, columns: featureCount, values: features.values + other.features.values),
                       labels: labels + other.labels, classCount: classCount)
    }

    /// Disjoint, seeded parts of the given sizes (shuffled once): e.g. a target's "in" and "out" sets.
    public func split(sizes: [Int], seed: UInt64) -> [Dataset] {
        precondition(sizes.reduce(0, +) <= count, "split: asked for \(sizes.reduce(0, +)) records of \(count)")
        var generator = SplitMix64(seed: seed)
        let order = Array(0..<count).shuffled(using: &generator)
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return subset(Array(order[start..<(start + size)]))
        }
    }
}

/// Synthetic classification data: each class is a Gaussian cloud around a random centre.
///
/// With many features, few records per class and overlapping clouds, a model can fit its training
/// records perfectly while generalising only partly: the gap membership inference feeds on.
public enum GaussianClusters {
    /// `count` records with `featureCount` features in `classCount` classes. `separation` scales the
    /// distance between class centres relative to the unit noise.
    public static func make(count: Int, featureCount: Int, classCount: Int, separation: Double = 1,
                            seed: UInt64) -> Dataset {
        var generator = SplitMix64(seed: seed)
        let scale = separation / Double(featureCount).squareRoot() * 3
        var centres = [[Double]]()
        for _ in 0..<classCount {
            centres.append((0..<featureCount).map { _ in generator.nextGaussian() * scale })
        }
        var values = [Float]()
        values.reserveCapacity(count * featureCount)
        var labels = [Int]()
        for i in 0..<count {
            let label = i % classCount
            labels.append(label)
            for j in 0..<featureCount { values.append(Float(centres[label][j] + generator.nextGaussian())) }
        }
        let shuffled = Array(0..<count).shuffled(using: &generator)
        let data = Dataset(features: Matrix(rows: count, columns: featureCount, values: values),
                           labels: labels, classCount: classCount)
        return data.subset(shuffled)
    }
}
