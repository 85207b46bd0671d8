/// A fixed-size block of Float owned by one object, for kernels' workspaces: no copy-on-write,
/// no bounds checks in hot loops, freed in `deinit`.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, repeating value: Float = 0) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

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

    init(_ m: Matrix) {
        columns = m.columns
        start = []; count = []; indices = []
        var values: [Float] = []
        var binary = true
        start.reserveCapacity(m.rows); count.reserveCapacity(m.rows)
        for r in 0..<m.rows {
            start.append(Int32(indices.count))
            var n: Int32 = 0
            for c in 0..<m.columns {
                let v = m.values[r * m.columns + c]
                if v != 0 {
                    indices.append(Int32(c)); values.append(v); n += 1
                    if v != 1 { binary = false }
                }
            }
            count.append(n)
        }
        self.values = binary ? nil : values
    }

    /// The fraction of entries that are nonzero.
    static func density(_ m: Matrix) -> Double {
        guard !m.values.isEmpty else { return 0 }
        var nonzero = 0
        for v in m.values where v != 0 { nonzero += 1 }
        return Double(nonzero) / Double(m.values.count)
    }

    /// CSR arrays for the rows `rows` (in that order), written into the given scratch arrays.
    func gather(_ rows: ArraySlice<Int>, offsets: inout [Int32], indices out: inout [Int32], values outValues: inout [Float]) {
        offsets.removeAll(keepingCapacity: true)
        out.removeAll(keepingCapacity: true)
        outValues.removeAll(keepingCapacity: true)
        offsets.append(0)
        for r in rows {
            let s = Int(start[r]), n = Int(count[r])
            out.append(contentsOf: indices[s..<(s + n)])
            if let values { outValues.append(contentsOf: values[s..<(s + n)]) }
            offsets.append(Int32(out.count))
        }
    }
}
