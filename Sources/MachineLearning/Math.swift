import Foundation

/// A dense row-major matrix of Float.
public struct Matrix: Equatable, Sendable, Codable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "Matrix(\(rows)x\(columns)) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// Inlinable: lessons and the attack code read matrices element by element from other modules.
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> Matrix {
        var out = [Float]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: values[(i * columns)..<((i + 1) * columns)]) }
        return Matrix(rows: indices.count, columns: columns, values: out)
    }

    public func row(_ index: Int) -> ArraySlice<Float> { values[(index * columns)..<((index + 1) * columns)] }
}

/// Row-wise softmax, stable: each row's maximum is subtracted before exponentiating.
public func softmaxRows(_ logits: inout Matrix) {
    let c = logits.columns
    logits.values.withUnsafeMutableBufferPointer { v in
        for r in 0..<logits.rows {
            let base = r * c
            var top = -Float.infinity
            for j in 0..<c { top = max(top, v[base + j]) }
            var sum: Float = 0
            for j in 0..<c {
                let e = expf(v[base + j] - top)
                v[base + j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<c { v[base + j] *= inv }
        }
    }
}
