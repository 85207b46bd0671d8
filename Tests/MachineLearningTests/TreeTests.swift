@testable import MachineLearning
import XCTest

final class TreeTests: XCTestCase {
    /// One feature, threshold between 2 and 3: records at 1, 2 are class 0; at 3, 4 class 1.
    static let steps = Dataset(features: Matrix(rows: 4, columns: 2, values: [1, 5, 2, 5, 3, 5, 4, 5]),
                               labels: [0, 0, 1, 1], classCount: 2)

    /// Lesson 4's forests and the trees of any data: a faster split search must choose the same splits
    /// (same scores, same ties, same thresholds), or the forest's numbers on the site change.
    func testTreesAreBitForBitTheOnesTheFirstSplitSearchGrew() throws {
        let binary = PurchaseLike(classCount: 10, seed: 6).records(count: 600)
        var counts = Matrix(rows: binary.count, columns: binary.featureCount)
        for i in counts.values.indices { counts.values[i] = binary.features.values[i] * Float(i % 5) }  // 0...4: several values
        let many = Dataset(features: counts, labels: binary.labels, classCount: binary.classCount)
        var f = Fingerprint()
        func add(_ tree: FittedTree) { Self.add(tree, to: &f) }
        for tree in try RandomForest(treeCount: 6, seed: 4).fit(binary).trees { add(tree) }
        for tree in try RandomForest(treeCount: 3, minSamplesLeaf: 3, seed: 5).fit(many).trees { add(tree) }
        add(try DecisionTree(maxDepth: 6, seed: 7).fit(binary))
        for p in try RandomForest(treeCount: 5, seed: 8).fit(binary).probabilities(many.features).values { f.add(UInt64(p.bitPattern)) }
        // Recorded with the sorting split search and the record-by-record forest of 4d29daf.
        XCTAssertEqual(f.hex, "2d537ed15a6c9f70")
    }

    /// Every bit of a tree's nodes, in order, into `f`.
    static func add(_ tree: FittedTree, to f: inout Fingerprint) {
        for node in tree.nodes {
            f.add(UInt64(bitPattern: Int64(node.feature))); f.add(UInt64(node.threshold.bitPattern))
            f.add(UInt64(bitPattern: Int64(node.left))); f.add(UInt64(bitPattern: Int64(node.right)))
            for p in node.distribution { f.add(UInt64(p.bitPattern)) }
        }
    }

    /// Columns that test the two-valued path: 0 / 1, −0 beside +0 (one value) and 1, two negative values,
    /// one value throughout, a NaN among 0 / 1 (floats only), three values, one value that is not zero,
    /// and 40 more 0 / 1 or −1.5 / 8 columns.
    static func awkward(records: Int) -> Dataset {
        let base = PurchaseLike(classCount: 6, seed: 11).records(count: records)
        var g = SplitMix64(seed: 12)
        let d = 7 + 40
        var x = Matrix(rows: base.count, columns: d)
        for r in 0..<base.count {
            for f in 7..<d { x[r, f] = base.features[r, f] == 1 ? (f % 2 == 0 ? 8 : 1) : (f % 2 == 0 ? -1.5 : 0) }
            let a = base.features[r, 0], b = base.features[r, 1], c = base.features[r, 2]
            x[r, 0] = a                                          // 0 / 1
            x[r, 1] = b == 1 ? 1 : (g.next() % 2 == 0 ? -0.0 : 0.0)  // signed zeros and 1
            x[r, 2] = c == 1 ? -7.25 : -3                          // two negative values, the lower one rarer
            x[r, 3] = 4                                          // one value
            x[r, 4] = r == 17 ? .nan : base.features[r, 3]          // a NaN among 0 / 1
            x[r, 5] = base.features[r, 4] + base.features[r, 5]    // 0, 1, 2
            x[r, 6] = base.features[r, 6] == 1 ? 2.5 : 2.5          // one value, not zero
        }
        return Dataset(features: x, labels: base.labels, classCount: base.classCount)
    }

    /// The awkward columns through the public paths, against the split search and forest walk of 6df1647
    /// (before byte columns and the four-record walk).
    func testAwkwardColumnsGrowTheTreesTheFirstSplitSearchGrew() throws {
        let data = Self.awkward(records: 603)   // 9 blocks of 64, then 27: six walks of four and three alone
        var f = Fingerprint()
        for (features, leaf) in [(1, 1), (7, 1), (47, 1), (7, 4)] {
            Self.add(try DecisionTree(minSamplesLeaf: leaf, maxFeatures: features, seed: UInt64(features)).fit(data), to: &f)
        }
        for p in try RandomForest(treeCount: 6, seed: 3).fit(data).probabilities(data.features).values { f.add(UInt64(p.bitPattern)) }
        XCTAssertEqual(f.hex, "d91c18692339a6ba")
    }

    /// Two-valued columns are read as bytes; trees grown from bytes must be the trees grown from floats,
    /// whatever the two values are: 0 and 1, −0 beside +0 (one value), two negative values, one value
    /// throughout, a NaN among two values (floats only), three values.
    func testTwoValuedColumnsReadAsBytesGrowTheTreesFloatsGrow() throws {
        let data = Self.awkward(records: 500)
        var g = SplitMix64(seed: 13)
        let d = data.featureCount
        let bytes = FeatureColumns(data.features), floats = FeatureColumns(data.features, bytes: false)
        XCTAssertEqual(bytes.codeStart.prefix(7).map { $0 >= 0 }, [true, true, true, true, false, false, true])
        XCTAssertEqual(floats.codes, [])
        var splitOn = Set<Int>()
        for (features, leaf) in [(1, 1), (7, 1), (d, 1), (7, 4)] {
            let tree = DecisionTree(minSamplesLeaf: leaf, maxFeatures: features, seed: UInt64(features))
            let records = (0..<data.count).map { _ in Int(g.next() % UInt64(data.count)) }
            let fromBytes = tree.fit(data, records: records, columns: bytes)
            // (Not XCTAssertEqual: a failure would print both trees, hundreds of nodes each.)
            XCTAssertTrue(fromBytes == tree.fit(data, records: records, columns: floats), "\(features) features a split, leaves of \(leaf)")
            XCTAssertGreaterThan(fromBytes.leafCount, 10)
            splitOn.formUnion(fromBytes.nodes.map(\.feature))
            XCTAssertTrue(fromBytes.nodes.contains { $0.feature >= 7 && $0.feature % 2 == 0 }, "those of -1.5 and 8 are split on")
        }
        XCTAssertTrue(splitOn.isSuperset(of: [0, 1, 2, 5]), "0 / 1, signed zeros and 1, two negative values, three values: \(splitOn.sorted())")
    }

    func testAFewRecordsAndManyGetTheSameBitsFromAForest() throws {
        // 703 records: blocks of 64, walked four at a time, and three left over that walk alone.
        let data = PurchaseLike(classCount: 10, seed: 6).records(count: 703)
        let forest = try RandomForest(treeCount: 7, seed: 2).fit(data)
        let many = forest.probabilities(data.features)   // 703 records: the trees are copied first
        // (XCTAssertTrue: a failure would print two 7,030-number matrices.)
        XCTAssertTrue(forest.copiedAndWalked(data.features) == many)
        XCTAssertTrue(forest.walked(data.features) == many, "record by record through the trees as they are")
        XCTAssertEqual(forest.probabilities(data.features.rows([3, 500])).values,
                       Array(many.values[30..<40]) + Array(many.values[5_000..<5_010]))
    }

    func testAFeatureWithNaNIsNeverSplitOnNaN() throws {
        // One value and a NaN: no boundary between them, as the sorted scan always had it; a split on
        // "x <= NaN" would send every record right and grow the same node forever.
        let data = Dataset(features: Matrix(rows: 4, columns: 2, values: [1, 0, .nan, 0, 1, 0, 1, 0]),
                           labels: [0, 1, 0, 1], classCount: 2)
        let tree = try DecisionTree().fit(data)
        XCTAssertEqual(tree.leafCount, 1)
        XCTAssertEqual(tree.nodes[0].distribution, [0.5, 0.5])
    }

    func testPureLeavesOfAClassShareOneArrayOfFrequencies() throws {
        // Six records, two per class, each alone in its leaf: six pure leaves, two of each class.
        let data = Dataset(features: Matrix(rows: 6, columns: 1, values: [0, 1, 2, 3, 4, 5]), labels: [0, 1, 2, 0, 1, 2], classCount: 3)
        let tree = try DecisionTree().fit(data)
        let leaves = tree.nodes.filter { $0.feature < 0 }
        XCTAssertEqual(leaves.count, 6)
        func storage(_ a: [Float]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        for c in 0..<3 {
            let ofClass = leaves.filter { $0.distribution[c] == 1 }
            XCTAssertEqual(ofClass.count, 2)
            XCTAssertEqual(ofClass[0].distribution, ofClass[1].distribution)
            XCTAssertEqual(storage(ofClass[0].distribution), storage(ofClass[1].distribution), "class \(c): one array, not a copy per leaf")
        }
    }

    func testTheRootSplitsHalfwayBetweenTheClasses() throws {
        let tree = try DecisionTree().fit(Self.steps)
        XCTAssertEqual(tree.nodes[0].feature, 0, "feature 1 is constant and cannot split")
        XCTAssertEqual(tree.nodes[0].threshold, 2.5)
        XCTAssertEqual(tree.leafCount, 2)
        XCTAssertEqual(tree.predict(Matrix(rows: 2, columns: 2, values: [2.4, 0, 2.6, 0])), [0, 1])
    }

    func testLeavesHoldClassFrequencies() throws {
        // Two identical records with different classes cannot be separated: the leaf says 50/50.
        let data = Dataset(features: Matrix(rows: 3, columns: 1, values: [1, 1, 9]), labels: [0, 1, 1], classCount: 2)
        let tree = try DecisionTree().fit(data)
        let p = tree.probabilities(Matrix(rows: 2, columns: 1, values: [1, 9]))
        XCTAssertEqual(p.values, [0.5, 0.5, 0, 1])
    }

    func testAnUnlimitedTreeMemorisesItsTrainingSetAndADepthLimitHolds() throws {
        let data = PurchaseLike(classCount: 10, seed: 1).records(count: 400)
        let full = try DecisionTree().fit(data)
        XCTAssertEqual(full.accuracy(on: data), 1)
        let stump = try DecisionTree(maxDepth: 1).fit(data)
        XCTAssertEqual(stump.depth, 1)
        XCTAssertLessThanOrEqual(stump.leafCount, 2)
    }

    func testAForestBeatsChanceAndIsTheSameWithOneOrTwoWorkers() throws {
        let population = PurchaseLike(classCount: 5, seed: 2).records(count: 1_000)
        let parts = population.split(sizes: [600, 400], seed: 3)
        let a = try RandomForest(treeCount: 12, seed: 9).fit(parts[0], pool: TrainingPool(workers: 1))
        let b = try RandomForest(treeCount: 12, seed: 9).fit(parts[0], pool: TrainingPool(workers: 2))
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(a.accuracy(on: parts[1]), 0.5, "chance is 0.2 for 5 classes")
        let p = a.probabilities(parts[1].features)
        XCTAssertEqual(p.row(0).reduce(0, +), 1, accuracy: 1e-5)
    }

    func testBadSettingsAreRejected() {
        XCTAssertThrowsError(try DecisionTree(minSamplesLeaf: 0).fit(Self.steps)) {
            XCTAssertEqual("\($0)", "DecisionTree: minSamplesLeaf must be >= 1, got 0")
        }
        XCTAssertThrowsError(try RandomForest(treeCount: 0).fit(Self.steps)) {
            XCTAssertEqual("\($0)", "RandomForest: treeCount must be >= 1, got 0")
        }
    }
}
