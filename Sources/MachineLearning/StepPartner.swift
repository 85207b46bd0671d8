import CKernels
import Foundation

/// When one model's training step may take a second core (`mk_split_step_run`).
///
/// A lone model on the caller's thread leaves the other core idle: Purchase's target, a sweep's
/// point, one benchmark model, the last model of a fleet once the other workers have run out of models.
/// While every core trains a model of its own, a second thread per step would only make them wait for
/// each other. So the partner is lent only while the pools' busy threads leave a core free (the caller
/// itself may be one of them) and the process may use two cores or more: `MIL_CORES`, which the runner
/// sets to its share when several lessons run at once, or else the cores the system gives it. This is
/// judged as each epoch starts: a pool started on another thread during an epoch shares the cores with
/// the partner until the epoch ends. The step's numbers are the same on one thread or two.
enum StepPartner {
    /// Whether an epoch starting now may ask for the partner.
    static var mayLend: Bool { cores >= 2 && TrainingPool.busy < cores }

    /// Steps run on two threads in this process so far (tests check that a path they compare took it).
    static var stepsShared: Int { sharedSteps.value }
    static let sharedSteps = SharedCount()

    /// The cores this process may use: `MIL_CORES` if it is a whole number from 1 up, else the active processors.
    static let cores = cores(given: ProcessInfo.processInfo.environment["MIL_CORES"],
                             processors: ProcessInfo.processInfo.activeProcessorCount)

    static func cores(given: String?, processors: Int) -> Int {
        if let given, let n = Int(given), n >= 1 { return n }
        return processors
    }
}

/// How a trainer's epochs use the partner: as `StepPartner` allows (training), never, or always,
/// waiting for it if another trainer holds it (tests that compare the two paths bit for bit).
enum PartnerUse {
    case whenFree, never, always
}

/// The first layer as the two-thread step keeps it: the hidden units split in two, and each half's
/// weights and Adam moments in a block of their own (features × width), so that each core writes only
/// its own memory (splitting the columns of one row-major matrix ran no faster than one thread:
/// neighbouring halves of each row written by two cores). Plus each thread's activations and deltas,
/// and the rows' losses and hits.
final class SplitLayout {
    /// The first hidden unit of the lent thread's half: a multiple of 16, so that every column of the
    /// hidden deltas' product falls in the same place of a 16-wide vector tile as in the one-thread
    /// product (the paths whose bits the tests compare), and the owner's half is whole tiles.
    let split: Int
    let widths: [Int]
    let w: [FloatBuffer], m: [FloatBuffer], v: [FloatBuffer]
    let activations: [FloatBuffer], deltas: [FloatBuffer]
    var logs: [Double]
    var hits: [Int]

    /// The halves split at a multiple of 16 hidden units, near the middle.
    init(features: Int, hidden: Int, batch: Int) {
        split = max(16, (hidden / 2 + 8) / 16 * 16)
        widths = [split, hidden - split]
        w = widths.map { FloatBuffer(count: features * $0) }
        m = widths.map { FloatBuffer(count: features * $0) }
        v = widths.map { FloatBuffer(count: features * $0) }
        activations = widths.map { FloatBuffer(count: batch * $0) }
        deltas = widths.map { FloatBuffer(count: batch * $0) }
        logs = Array(repeating: 0, count: batch)
        hits = Array(repeating: 0, count: batch)
    }

    /// Whether `trainer`'s step can be split: one hidden layer of 32 units or more, a sparse first layer
    /// and Adam (whose first-layer step `mk_sparse_adam` takes).
    static func fits(_ trainer: MLPTrainer) -> Bool {
        trainer.fusesFirstLayer && trainer.shapes.count == 2 && trainer.shapes[0].outputs >= 32
    }

    /// The layout for `trainer`'s model, or nil if its step cannot be split.
    static func of(_ trainer: MLPTrainer) -> SplitLayout? {
        guard fits(trainer) else { return nil }
        return SplitLayout(features: trainer.shapes[0].inputs, hidden: trainer.shapes[0].outputs,
                           batch: min(trainer.config.batchSize, trainer.data.count))
    }

    /// Copies `matrix` (features × hidden, row-major) into the two blocks, or back (`toBlocks` false).
    func move(_ matrix: FloatBuffer, _ blocks: [FloatBuffer], toBlocks: Bool) {
        let hidden = widths[0] + widths[1]
        let features = matrix.count / hidden
        for t in 0..<2 {
            let width = widths[t], column = t == 0 ? 0 : split
            for f in 0..<features {
                let whole = matrix.pointer + f * hidden + column, block = blocks[t].pointer + f * width
                if toBlocks { block.update(from: whole, count: width) } else { whole.update(from: block, count: width) }
            }
        }
    }
}

extension MLPTrainer {
    /// Whether this epoch runs on two threads; if so, the caller must `mk_pair_release` after it. The
    /// layout's buffers are made only for a model that takes the partner.
    func takesPartner() -> Bool {
        switch partnerUse {
        case .never: return false
        case .whenFree:
            guard StepPartner.mayLend, SplitLayout.fits(self) else { return false }
            return mk_pair_acquire() == 1
        case .always:
            guard SplitLayout.fits(self) else { return false }
            while true {
                switch mk_pair_acquire() {
                case 1: return true
                case 0: usleep(200)  // another trainer holds it
                default: preconditionFailure("the partner thread could not be started")
                }
            }
        }
    }

    /// `epoch` with every step on two threads (the caller holds the pair): the same numbers as one
    /// thread's `computeGradients` and `update`, kept in the first layer's blocks during the epoch and
    /// put back in `weights[0]`, `m[0]` and `v[0]` at its end.
    func epochOnTwoThreads(_ number: Int, _ layout: SplitLayout) -> EpochRecord {
        guard case let .adam(_, b1, b2, eps) = config.optimizer, let sparse else { preconditionFailure("split without Adam and a sparse input") }
        layout.move(weights[0], layout.w, toBlocks: true)
        layout.move(m[0], layout.m, toBlocks: true)
        layout.move(v[0], layout.v, toBlocks: true)
        defer {
            layout.move(weights[0], layout.w, toBlocks: false)
            layout.move(m[0], layout.m, toBlocks: false)
            layout.move(v[0], layout.v, toBlocks: false)
        }
        let batchSize = min(config.batchSize, data.count)
        let (features, hiddenUnits) = shapes[0], classes = data.classCount
        var loss = 0.0, correct = 0
        var start = 0, stepsThisEpoch = 0
        while start < order.count {
            let rows = min(batchSize, order.count - start)
            let batch = order[start..<(start + rows)]
            start += rows
            sparse.gather(batch, offsets: &offsets, indices: &indices, values: &values)
            step += 1
            let (lr, corrections) = schedule(step)
            let adam = adamConstants(lr, corrections, eps: eps)
            offsets.withUnsafeBufferPointer { o in
                indices.withUnsafeBufferPointer { i in
                    values.withUnsafeBufferPointer { x in
                        data.labels.withUnsafeBufferPointer { labels in
                            batch.withUnsafeBufferPointer { records in
                                layout.logs.withUnsafeMutableBufferPointer { logs in
                                    layout.hits.withUnsafeMutableBufferPointer { hits in
                                        var s = mk_split_step()
                                        (s.rows, s.features, s.hidden, s.classes, s.split) = (Int32(rows), Int32(features), Int32(hiddenUnits), Int32(classes), Int32(layout.split))
                                        s.relu = config.activation == .relu ? 1 : 0
                                        (s.offsets, s.indices, s.values) = (o.baseAddress, i.baseAddress, sparse.values == nil ? nil : x.baseAddress)
                                        s.W0 = (layout.w[0].pointer, layout.w[1].pointer)
                                        s.m0 = (layout.m[0].pointer, layout.m[1].pointer)
                                        s.v0 = (layout.v[0].pointer, layout.v[1].pointer)
                                        s.z0 = (layout.activations[0].pointer, layout.activations[1].pointer)
                                        s.d0 = (layout.deltas[0].pointer, layout.deltas[1].pointer)
                                        // Parameters in optimizer order: weights[0], weights[1], biases[0], biases[1].
                                        (s.b0, s.gb0, s.mb0, s.vb0) = (biases[0].pointer, gradB[0].pointer, m[2].pointer, v[2].pointer)
                                        (s.W1, s.gW1, s.mW1, s.vW1) = (weights[1].pointer, gradW[1].pointer, m[1].pointer, v[1].pointer)
                                        (s.b1, s.gb1, s.mb1, s.vb1) = (biases[1].pointer, gradB[1].pointer, m[3].pointer, v[3].pointer)
                                        (s.h0, s.Z1, s.dZ1) = (hidden[0].pointer, hidden[1].pointer, delta[1].pointer)
                                        (s.labels, s.records, s.scale) = (labels.baseAddress, records.baseAddress, 1 / Float(rows))
                                        (s.logs, s.hits) = (logs.baseAddress, hits.baseAddress)
                                        s.l2 = config.l2 > 0 ? 1 : 0
                                        (s.lambda, s.beta1, s.beta2) = (Float(config.l2), Float(b1), Float(b2))
                                        (s.step, s.epsHat) = (adam.step, adam.epsHat)
                                        mk_split_step_run(&s)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // The batch's loss summed in row order from zero, as mk_cross_entropy_delta sums it.
            var batchLoss = 0.0
            for r in 0..<rows {
                batchLoss -= layout.logs[r]
                correct += layout.hits[r]
            }
            loss += batchLoss
            stepsOnTwoThreads += 1
            stepsThisEpoch += 1
        }
        StepPartner.sharedSteps.add(stepsThisEpoch)
        return EpochRecord(epoch: number, loss: loss / Double(data.count),
                           trainAccuracy: Double(correct) / Double(data.count), validationAccuracy: nil)
    }
}
