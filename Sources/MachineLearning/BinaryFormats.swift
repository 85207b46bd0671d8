import Foundation

/// MNIST's IDX files (big-endian header; magic 2051 for images, 2049 for labels), gzip or plain.
public enum MNISTIDX {
    /// Images scaled to 0–1 (784 features) with their labels; `limit` keeps the first records.
    public static func load(images: String, labels: String, limit: Int? = nil) throws -> Dataset {
        let timing = WorkClock.start(.data)
        defer { timing.stop() }
        let imageData = try readPossiblyGzipped(images), labelData = try readPossiblyGzipped(labels)
        func u32(_ data: Data, _ offset: Int, _ path: String) throws -> Int {
            guard data.count >= offset + 4 else { throw DataError(path: path, message: "truncated header (\(data.count) bytes)") }
            return data[data.startIndex + offset..<data.startIndex + offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        guard try u32(imageData, 0, images) == 2051 else {
            throw DataError(path: images, message: "not an IDX image file: magic number \(try u32(imageData, 0, images)), expected 2051")
        }
        guard try u32(labelData, 0, labels) == 2049 else {
            throw DataError(path: labels, message: "not an IDX label file: magic number \(try u32(labelData, 0, labels)), expected 2049")
        }
        let count = try u32(imageData, 4, images), rows = try u32(imageData, 8, images), columns = try u32(imageData, 12, images)
        let labelCount = try u32(labelData, 4, labels)
        guard count == labelCount else {
            throw DataError(path: labels, message: "holds \(labelCount) labels but \(images) holds \(count) images")
        }
        let pixels = rows * columns
        guard imageData.count >= 16 + count * pixels else {
            throw DataError(path: images, message: "truncated: \(count) images of \(rows)x\(columns) need \(16 + count * pixels) bytes, found \(imageData.count)")
        }
        guard labelData.count >= 8 + count else {
            throw DataError(path: labels, message: "truncated: \(count) labels need \(8 + count) bytes, found \(labelData.count)")
        }
        let n = min(count, limit ?? count)
        var values = [Float](repeating: 0, count: n * pixels)
        var classes = [Int](repeating: 0, count: n)
        imageData.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for i in 0..<(n * pixels) { values[i] = Float(bytes[16 + i]) / 255 }
        }
        for i in 0..<n {
            let label = Int(labelData[labelData.startIndex + 8 + i])
            guard label < 10 else { throw DataError(path: labels, message: "label \(label) of record \(i + 1) is not a digit") }
            classes[i] = label
        }
        return Dataset(features: Matrix(rows: n, columns: pixels, values: values), labels: classes, classCount: 10)
    }
}

/// The CIFAR binary format: each record is its label byte(s) then 3,072 pixel bytes (1,024 red,
/// 1,024 green, 1,024 blue, 32×32 row-major). CIFAR-10 has one label byte; CIFAR-100 two
/// (coarse, then fine) and the fine label is used.
public enum CIFARBinary {
    public enum Variant: Sendable { case cifar10, cifar100 }

    public static func load(path: String, variant: Variant) throws -> Dataset {
        let data = try readPossiblyGzipped(path)
        let labelBytes = variant == .cifar10 ? 1 : 2
        let classes = variant == .cifar10 ? 10 : 100
        let recordSize = labelBytes + 3072
        guard data.count % recordSize == 0 else {
            throw DataError(path: path, message: "\(data.count) bytes is not a whole number of \(recordSize)-byte records; is this \(variant == .cifar10 ? "CIFAR-10" : "CIFAR-100")?")
        }
        let n = data.count / recordSize
        var values = [Float](repeating: 0, count: n * 3072)
        var labels = [Int](repeating: 0, count: n)
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for r in 0..<n {
                let base = r * recordSize
                let label = Int(bytes[base + labelBytes - 1])
                guard label < classes else {
                    throw DataError(path: path, message: "record \(r + 1) (byte \(base + labelBytes - 1)) has label \(label), outside 0..<\(classes)")
                }
                labels[r] = label
                for i in 0..<3072 { values[r * 3072 + i] = Float(bytes[base + labelBytes + i]) / 255 }
            }
        }
        return Dataset(features: Matrix(rows: n, columns: 3072, values: values), labels: labels, classCount: classes)
    }
}
