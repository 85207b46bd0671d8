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
    ///
    /// The chunks are independent, and whether the first layer reads nonzeros or dense rows is decided once
    /// for all of `x`, so a chunk's numbers are the same on any thread. Outside a pool's work (Algorithm 1's
    /// queries, the evaluation of a target) the cores take every other chunk; inside a fleet's worker the
    /// calling thread takes them while the fleet keeps the cores busy: the chunks go in one share per core,
    /// the pool hands the shares out through its counter, and the caller takes any share no free thread took.
    func probabilities(_ x: Matrix, sparse: SparseRows?) -> Matrix {
        precondition(x.columns == inputCount, "FittedMLP: the model takes \(inputCount) features, got \(x.columns)")
        mk_flush_subnormals()
        let chunk = 256, chunks = (x.rows + chunk - 1) / chunk
        let model = ForwardWeights(self)
        let inputCount = inputCount, classCount = classCount, activation = activation, records = x.rows
        var out = [Float](repeating: 0, count: x.rows * classCount)
        out.withUnsafeMutableBufferPointer { outBuffer in
            x.values.withUnsafeBufferPointer { xBuffer in
                let out = Shared(outBuffer.baseAddress), input = Shared(xBuffer.baseAddress)
                let pool = TrainingPool(workers: min(TrainingPool().workers, chunks))
                // The body cannot throw: `try!` only satisfies `map`'s signature.
                _ = try! pool.map(pool.workers) { worker in
                    mk_flush_subnormals() // the mode is per thread: set on the workers as on the caller
                    let hidden = model.layers.map { FloatBuffer(count: chunk * $0.outputs) }
                    var offsets: [Int32] = [], indices: [Int32] = [], values: [Float] = []
                    for c in stride(from: worker, to: chunks, by: pool.workers) {
                        let start = c * chunk, rows = min(chunk, records - start)
                        if let sparse {
                            sparse.gather(Array(start..<(start + rows))[...], offsets: &offsets, indices: &indices, values: &values)
                        }
                        // Dense rows are read where they are: a chunk's rows lie together in `x`.
                        MLPTrainer.forward(rows: rows, layers: model.layers.map { ($0.inputs, $0.outputs) },
                                           weights: model.weights, biases: model.biases, hidden: hidden, activation: activation,
                                           sparse: sparse == nil ? nil : (offsets, indices, sparse!.values == nil ? nil : values),
                                           dense: input.pointer.map { $0 + (sparse == nil ? start * inputCount : 0) }
                                               ?? UnsafePointer(hidden[0].pointer))
                        out.pointer!.advanced(by: start * classCount).update(from: hidden.last!.pointer, count: rows * classCount)
                    }
                }
            }
        }
        return Matrix(rows: x.rows, columns: classCount, values: out)
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

/// A model's layers as the forward pass reads them, copied once per call and only read while the chunks run.
private struct ForwardWeights: @unchecked Sendable {
    let layers: [(inputs: Int, outputs: Int)]
    let weights: [FloatBuffer], biases: [FloatBuffer]

    init(_ model: FittedMLP) {
        layers = model.layers.map { ($0.weights.rows, $0.weights.columns) }
        weights = model.layers.map { FloatBuffer($0.weights.values) }
        biases = model.layers.map { FloatBuffer($0.biases) }
    }
}

/// A buffer the chunks share: each reads, or writes, only its own rows of it.
private struct Shared<Pointer>: @unchecked Sendable {
    let pointer: Pointer
    init(_ pointer: Pointer) { self.pointer = pointer }
}
