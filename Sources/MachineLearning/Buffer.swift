import CKernels
/// A fixed-size block of Float owned by one object, for kernels' workspaces: no copy-on-write,
/// no bounds checks in hot loops, freed in `deinit`. It starts on a cache line (64 bytes), so buffers
/// that two threads write side by side do not begin in a line the other one writes.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, repeating value: Float = 0) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    func zero() { pointer.update(repeating: 0, count: count) }
}

/// The nonzeros of a dense matrix's rows (CSR), for inputs such as Purchase's 600 binary features
/// of which about 9% are set: the first layer then adds ~56 weight rows instead of multiplying 600.
struct SparseRows {
    /// Row r's entries are `start[r] ..< start[r] + count[r]` in `indices`/`values`.
    var start: [Int32]
    var count: [Int32]
    var indices: [Int32]
    /// Nil when every nonzero is exactly 1 (binary features).
    var values: [Float]?
    let columns: Int

    init(_ m: Matrix) { self.init(m, counted: Counts(m)) }

    /// Each row's nonzeros counted, and whether every one of them is exactly 1.
    struct Counts {
        var count: [Int32]
        var total: Int
        var binary: Bool
        /// False when counting stopped early, at `stoppingAt` nonzeros: `count` and `binary` then
        /// describe only the rows read so far, and `total` is at least `stoppingAt`.
        var complete = true

        /// `stoppingAt`: stop once that many nonzeros are found (checked after each block of 32 rows):
        /// `ifSparse` then knows the matrix is too dense without reading the rest of it. Blocks of 256 read
        /// all of a 512-record query of half-set records (Algorithm 1's), since 256 rows never reached 30%.
        init(_ m: Matrix, stoppingAt limit: Int = .max) {
            var count = [Int32](repeating: 0, count: m.rows)
            var binary: Int32 = 1
            var total = 0, complete = true
            let block = 32
            m.values.withUnsafeBufferPointer { x in
                count.withUnsafeMutableBufferPointer { counts in
                    var row = 0
                    while row < m.rows, total < limit {
                        let rows = min(block, m.rows - row)
                        total += mk_count_nonzeros(x.baseAddress.map { $0 + row * m.columns }, rows, m.columns,
                                                   counts.baseAddress! + row, &binary)
                        row += rows
                    }
                    complete = row == m.rows
                }
            }
            self.count = count
            self.total = total
            self.binary = binary == 1
            self.complete = complete
        }
    }

    private init(_ m: Matrix, counted: Counts) {
        precondition(counted.complete, "SparseRows: built from a count that stopped early")
        columns = m.columns
        let count = counted.count, total = counted.total, binary: Int32 = counted.binary ? 1 : 0
        precondition(total < Int(Int32.max), "SparseRows: \(total) nonzeros do not fit 32-bit offsets")
        var start = [Int32](repeating: 0, count: m.rows)
        var running: Int32 = 0
        for r in 0..<m.rows { start[r] = running; running += count[r] }
        var indices = [Int32](repeating: 0, count: total)
        var values = [Float](repeating: 0, count: binary == 1 ? 0 : total)
        m.values.withUnsafeBufferPointer { x in
            indices.withUnsafeMutableBufferPointer { i in
                values.withUnsafeMutableBufferPointer { v in
                    mk_nonzeros(x.baseAddress, m.rows, m.columns, i.baseAddress, binary == 1 ? nil : v.baseAddress, total)
                }
            }
        }
        self.start = start
        self.count = count
        self.indices = indices
        self.values = binary == 1 ? nil : values
    }

    /// The nonzeros of `m` when fewer than 30% of its entries are set (the sparse first layer pays off),
    /// otherwise nil: the one rule training and prediction both use.
    /// The matrix is read once for both: its nonzeros are counted row by row, then copied if they are few.
    static func ifSparse(_ m: Matrix) -> SparseRows? {
        guard !m.values.isEmpty else { return SparseRows(m) }
        // A number of nonzeros with which the density, computed as below, is 0.3 or more: counting stops
        // there, since more nonzeros only raise it.
        var dense = Int((0.3 * Double(m.values.count)).rounded(.up))
        while Double(dense) / Double(m.values.count) < 0.3 { dense += 1 }
        let counted = Counts(m, stoppingAt: dense)
        let density = Double(counted.total) / Double(m.values.count)
        guard counted.complete, density < 0.3 else { return nil }
        return SparseRows(m, counted: counted)
    }

    /// The fraction of entries that are nonzero.
    static func density(_ m: Matrix) -> Double {
        m.values.isEmpty ? 0 : Double(Counts(m).total) / Double(m.values.count)
    }

    /// CSR arrays for the rows `rows` (in that order), written into the given scratch arrays. Sized once
    /// and filled by one C loop that fetches rows ahead: per-row appends were a tenth of a training step.
    func gather(_ rows: ArraySlice<Int>, offsets: inout [Int32], indices out: inout [Int32], values outValues: inout [Float]) {
        var total = 0
        for r in rows { total += Int(count[r]) }
        precondition(total < Int(Int32.max), "SparseRows: \(total) nonzeros in one batch do not fit 32-bit offsets")
        func resize<T: Numeric>(_ a: inout [T], _ n: Int) {
            if a.count > n { a.removeLast(a.count - n) } else if a.count < n { a.append(contentsOf: repeatElement(0, count: n - a.count)) }
        }
        resize(&offsets, rows.count + 1)
        resize(&out, total)
        resize(&outValues, values == nil ? 0 : total)
        rows.withUnsafeBufferPointer { records in
            start.withUnsafeBufferPointer { start in
                count.withUnsafeBufferPointer { count in
                    indices.withUnsafeBufferPointer { indices in
                        offsets.withUnsafeMutableBufferPointer { offsets in
                            out.withUnsafeMutableBufferPointer { out in
                                guard let values else {
                                    return mk_gather_rows(Int32(records.count), records.baseAddress, start.baseAddress, count.baseAddress,
                                                          indices.baseAddress, nil, offsets.baseAddress, out.baseAddress, nil)
                                }
                                values.withUnsafeBufferPointer { values in
                                    outValues.withUnsafeMutableBufferPointer { outValues in
                                        mk_gather_rows(Int32(records.count), records.baseAddress, start.baseAddress, count.baseAddress,
                                                       indices.baseAddress, values.baseAddress, offsets.baseAddress, out.baseAddress,
                                                       outValues.baseAddress)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
