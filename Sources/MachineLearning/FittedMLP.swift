import CKernels
import Foundation

/// One fully connected layer: `weights` is inputs × outputs, so a batch multiplies on the left.
public struct DenseLayer: Equatable, Sendable, Codable {
    public var weights: Matrix
    public var biases: [Float]
}

/// A trained MLP: its layers, activation and training history.
public struct FittedMLP: Sendable, Codable, Equatable {
    public var layers: [DenseLayer]
    public var activation: Activation
    public var history: [EpochRecord]

    public var inputCount: Int { layers[0].weights.rows }
    public var classCount: Int { layers.last!.weights.columns }
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.values.count + $1.biases.count } }

    /// Class probabilities, one row per record of `x`, computed in chunks of 256 records.
    public func probabilities(_ x: Matrix) -> Matrix { probabilities(x, sparse: SparseRows.ifSparse(x)) }

    /// `probabilities(x)` with `x`'s nonzeros already found (`SparseRows.ifSparse(x)`): training scores
    /// the same records after every epoch.
    func probabilities(_ x: Matrix, sparse: SparseRows?) -> Matrix {
        precondition(x.columns == inputCount, "FittedMLP: the model takes \(inputCount) features, got \(x.columns)")
        mk_flush_subnormals()
        var out = Matrix(rows: x.rows, columns: classCount)
        let chunk = 256
        let weights = layers.map { FloatBuffer($0.weights.values) }
        let biases = layers.map { FloatBuffer($0.biases) }
        let hidden = layers.map { FloatBuffer(count: chunk * $0.weights.columns) }
        let input = FloatBuffer(count: sparse == nil ? chunk * inputCount : 1)
        var offsets: [Int32] = [], indices: [Int32] = [], values: [Float] = []
        var start = 0
        while start < x.rows {
            let rows = min(chunk, x.rows - start)
            if let sparse {
                sparse.gather(Array(start..<(start + rows))[...], offsets: &offsets, indices: &indices, values: &values)
            } else {
                x.values.withUnsafeBufferPointer {
                    input.pointer.update(from: $0.baseAddress! + start * inputCount, count: rows * inputCount)
                }
            }
            MLPTrainer.forward(rows: rows, layers: layers.map { ($0.weights.rows, $0.weights.columns) },
                               weights: weights, biases: biases, hidden: hidden, activation: activation,
                               sparse: sparse == nil ? nil : (offsets, indices, sparse!.values == nil ? nil : values),
                               dense: input)
            out.values.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + start * classCount).update(from: hidden.last!.pointer, count: rows * classCount)
            }
            start += rows
        }
        return out
    }

    /// Mean cross-entropy and accuracy on `data`.
    public func lossAndAccuracy(on data: Dataset) -> (loss: Double, accuracy: Double) {
        lossAndAccuracy(on: data, sparse: SparseRows.ifSparse(data.features))
    }

    func lossAndAccuracy(on data: Dataset, sparse: SparseRows?) -> (loss: Double, accuracy: Double) {
        guard data.count > 0 else { return (0, 0) }
        let p = probabilities(data.features, sparse: sparse)
        var loss = 0.0, correct = 0
        let predicted = argmaxRows(p)
        for r in 0..<data.count {
            loss -= log(max(Double(p[r, data.labels[r]]), 1e-12))
            if predicted[r] == data.labels[r] { correct += 1 }
        }
        return (loss / Double(data.count), Double(correct) / Double(data.count))
    }
}
