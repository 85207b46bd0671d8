import Foundation
import LessonCore
import MachineLearning
import SiteWriter

/// What `lessons build --timings` prints: each lesson's time split into data, training, attacking,
/// synthesis, drawing and the rest, then the slowest cells with their split. Reused lessons show
/// the times stored with their results.
enum TimingReport {
    static func text(_ lessons: [ExecutedLesson], reused: Set<String>, slowest: Int = 8) -> String {
        let phases = WorkPhase.allCases.map(\.rawValue)
        let nameWidth = max(12, lessons.map { $0.lesson.id.count + (reused.contains($0.lesson.id) ? 9 : 0) }.max() ?? 0)
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        func number(_ v: Double) -> String {
            let text = String(format: "%.1f", v)
            return String(repeating: " ", count: max(0, 10 - text.count)) + text
        }
        func split(_ cells: [CellResult]) -> (total: Double, byPhase: [Double]) {
            let total = cells.reduce(0) { $0 + $1.seconds }
            return (total, phases.map { p in cells.reduce(0) { $0 + ($1.workSeconds?[p] ?? 0) } })
        }
        var lines = [pad("seconds", nameWidth) + (["total"] + phases + ["other"]).map { String(repeating: " ", count: 10 - $0.count) + $0 }.joined()]
        var all = [Double](repeating: 0, count: phases.count + 2)
        for lesson in lessons {
            let (total, byPhase) = split(lesson.manifest.cells)
            let row = [total] + byPhase + [max(0, total - byPhase.reduce(0, +))]
            for i in row.indices { all[i] += row[i] }
            lines.append(pad(lesson.lesson.id + (reused.contains(lesson.lesson.id) ? " (reused)" : ""), nameWidth) + row.map(number).joined())
        }
        lines.append(pad("all lessons", nameWidth) + all.map(number).joined())
        let cells = lessons.flatMap { lesson in lesson.manifest.cells.map { (lesson, $0) } }
            .filter { $0.1.seconds > 0 }.sorted { $0.1.seconds > $1.1.seconds }.prefix(slowest)
        if !cells.isEmpty {
            lines.append("The \(counted(cells.count, "slowest cell")):")
            for (lesson, cell) in cells {
                let work = phases.compactMap { p in cell.workSeconds?[p].flatMap { $0 >= 0.05 ? "\(p) \(String(format: "%.1f", $0))" : nil } }
                lines.append(String(format: "%8.1f s  ", cell.seconds) + "\(lesson.lesson.path):\(cell.fenceLine)-\(cell.closingLine) [\(cell.label)]"
                             + (work.isEmpty ? "" : ": " + work.joined(separator: ", ")))
            }
        }
        return lines.joined(separator: "\n")
    }
}
