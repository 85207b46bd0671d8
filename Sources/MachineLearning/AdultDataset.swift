import Foundation

/// UCI Adult (Becker & Kohavi 1996, CC BY 4.0): predict whether income exceeds $50K from 14 census
/// attributes.
///
/// - Rows with a missing value (`?`) are dropped, as is usual for this dataset: 30,162 of the 32,561
///   training rows and 15,060 of the 16,281 test rows remain (45,222 complete rows in all).
/// - The 8 categorical attributes are one-hot encoded with the categories seen in the training file
///   (sorted); a test category never seen in training encodes as all zeros.
/// - The 6 numeric attributes are standardised with the training file's mean and standard deviation.
/// - `adult.test` starts with the line `|1x3 Cross validator` and its labels end with a `.`; both are
///   handled. Either file may be gzip-compressed.
public struct AdultDataset: Sendable {
    public var train: Dataset
    public var test: Dataset
    /// Names of the encoded columns: `age`, `workclass=Private`, ...
    public var featureNames: [String]
    /// Rows dropped for a `?`, per file.
    public var droppedTrainRows: Int
    public var droppedTestRows: Int

    public static let attributes = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
                                    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
                                    "hours-per-week", "native-country"]
    static let numeric: Set<Int> = [0, 2, 4, 10, 11, 12]
    public static let classNames = ["<=50K", ">50K"]

    struct Row { var fields: [String]; var label: Int }

    static func rows(_ path: String) throws -> (rows: [Row], dropped: Int) {
        var rows: [Row] = [], dropped = 0
        for (number, line) in try textLines(path) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("|") { continue }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 15 else {
                throw DataError(path: path, line: number, message: "expected 15 comma-separated fields, found \(fields.count)")
            }
            if fields.contains("?") { dropped += 1; continue }
            var labelText = fields[14]
            if labelText.hasSuffix(".") { labelText.removeLast() }
            guard let label = classNames.firstIndex(of: labelText) else {
                throw DataError(path: path, line: number, message: "the income label is '\(fields[14])', expected <=50K or >50K")
            }
            for i in numeric where Double(fields[i]) == nil {
                throw DataError(path: path, line: number, message: "\(attributes[i]) (field \(i + 1)) is not a number: '\(fields[i])'")
            }
            rows.append(Row(fields: Array(fields.prefix(14)), label: label))
        }
        return (rows, dropped)
    }

    public static func load(trainPath: String, testPath: String) throws -> AdultDataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        let (trainRows, droppedTrain) = try rows(trainPath)
        let (testRows, droppedTest) = try rows(testPath)
        guard !trainRows.isEmpty else { throw DataError(path: trainPath, message: "holds no complete rows") }

        var categories: [Int: [String]] = [:]
        var means: [Int: Double] = [:], deviations: [Int: Double] = [:]
        for i in 0..<14 {
            if numeric.contains(i) {
                let xs = trainRows.map { Double($0.fields[i])! }
                let mean = xs.reduce(0, +) / Double(xs.count)
                let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
                means[i] = mean
                deviations[i] = variance > 0 ? variance.squareRoot() : 1
            } else {
                categories[i] = Array(Set(trainRows.map { $0.fields[i] })).sorted()
            }
        }
        var names: [String] = []
        for i in 0..<14 {
            if numeric.contains(i) { names.append(attributes[i]) } else { names += categories[i]!.map { "\(attributes[i])=\($0)" } }
        }
        let lookup = categories.mapValues { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) }) }
        func encode(_ rows: [Row]) -> Dataset {
            var values = [Float](repeating: 0, count: rows.count * names.count)
            for (r, row) in rows.enumerated() {
                var column = 0
                for i in 0..<14 {
                    if numeric.contains(i) {
                        values[r * names.count + column] = Float((Double(row.fields[i])! - means[i]!) / deviations[i]!)
                        column += 1
                    } else {
                        if let k = lookup[i]![row.fields[i]] { values[r * names.count + column + k] = 1 }
                        column += categories[i]!.count
                    }
                }
            }
            return Dataset(features: Matrix(rows: rows.count, columns: names.count, values: values),
                           labels: rows.map(\.label), classCount: 2)
        }
        return AdultDataset(train: encode(trainRows), test: encode(testRows), featureNames: names,
                            droppedTrainRows: droppedTrain, droppedTestRows: droppedTest)
    }
}
