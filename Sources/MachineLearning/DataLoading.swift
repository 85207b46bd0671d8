import CZlib
import Foundation

/// A problem in a data file, at the line (or byte offset) of the bad record.
public struct DataError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Reads a whole file, decompressing it if it is gzip (zlib reads plain files unchanged).
public func readPossiblyGzipped(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else {
        throw DataError(path: path, message: "no such file")
    }
    guard let file = gzopen(path, "rb") else {
        throw DataError(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { gzclose(file) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
            throw DataError(path: path, message: "cannot read: \(message)")
        }
        if n == 0 { break }
        data.append(contentsOf: buffer[0..<Int(n)])
    }
    return data
}

/// The lines of a text file (gzip or plain), numbered from 1, with their end-of-line removed.
func textLines(_ path: String) throws -> [(number: Int, text: Substring)] {
    let data = try readPossiblyGzipped(path)
    guard let text = String(data: data, encoding: .utf8) else {
        throw DataError(path: path, message: "is not UTF-8 text")
    }
    var lines: [(Int, Substring)] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        lines.append((i + 1, line.hasSuffix("\r") ? line.dropLast() : line))
    }
    return lines
}

/// A numeric CSV of features with the class label in one column (digits, the MNIST CSV subset).
public enum LabelledCSV {
    /// Loads rows of `featureCount` numbers plus an integer label (last column unless
    /// `labelFirst`). Feature values are divided by `scale`. A first line that is not numeric is
    /// taken as a header and skipped; blank lines are skipped.
    /// `firstLabel` is the label of class 0 in the file (1 for files that count classes from 1).
    public static func load(path: String, featureCount: Int, classCount: Int, labelFirst: Bool = false,
                            firstLabel: Int = 0, scale: Float = 1) throws -> Dataset {
        var values: [Float] = [], labels: [Int] = []
        for (number, line) in try textLines(path) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if number == 1 && Float(fields[0].trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"")))) == nil {
                continue // a header line
            }
            guard fields.count == featureCount + 1 else {
                throw DataError(path: path, line: number, message: "expected \(featureCount + 1) comma-separated fields, found \(fields.count)")
            }
            let labelField = labelFirst ? fields[0] : fields[featureCount]
            guard let raw = Int(labelField.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\""))))
                  , (firstLabel..<(firstLabel + classCount)).contains(raw) else {
                throw DataError(path: path, line: number, message: "the label '\(labelField)' is not a class in \(firstLabel)...\(firstLabel + classCount - 1)")
            }
            let label = raw - firstLabel
            for (i, field) in (labelFirst ? fields.dropFirst() : fields.dropLast()).enumerated() {
                guard let v = Self.number(field) else {
                    throw DataError(path: path, line: number, message: "field \(i + (labelFirst ? 2 : 1)) is not a number: '\(field)'")
                }
                values.append(v / scale)
            }
            labels.append(label)
        }
        return Dataset(features: Matrix(rows: labels.count, columns: featureCount, values: values), labels: labels, classCount: classCount)
    }

    /// A field as a number. Plain digits, what pixel and binary files hold, are read without
    /// Foundation's trimming and parsing (a tenth of the time for MNIST's 3.9 million fields); up to
    /// six digits a Float holds them exactly, as `Float(_:)` would. Anything else goes to `Float(_:)`.
    static func number(_ field: Substring) -> Float? {
        var value = 0, digits = 0
        for byte in field.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 6 else { digits = 0; break }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? Float(value) : Float(field.trimmingCharacters(in: .whitespaces))
    }

    /// The 8×8 digits (1,797 images, pixels 0–16 scaled to 0–1, 10 classes).
    public static func digits(path: String) throws -> Dataset {
        try load(path: path, featureCount: 64, classCount: 10, scale: 16)
    }

    /// MNIST as CSV rows of 784 pixels (0–255, scaled to 0–1) then the digit.
    public static func mnist(path: String) throws -> Dataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        return try load(path: path, featureCount: 784, classCount: 10, scale: 255)
    }
}

/// The Foursquare Bangkok "Location" dataset as the paper's authors published it: no header, the class
/// as a quoted string "1"…"30" in column 0, then 446 binary features. Not redistributable (no license
/// is stated), so it is read from a path the user gives.
public enum LocationDataset {
    public static let featureCount = 446
    public static let classCount = 30

    public static func load(path: String) throws -> Dataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(path: path, message: "no such file. The Location data (dataset_location.tgz from GitHub's privacytrustlab/datasets) is not shipped: download it and give its path")
        }
        return try LabelledCSV.load(path: path, featureCount: featureCount, classCount: classCount, labelFirst: true, firstLabel: 1)
    }
}

