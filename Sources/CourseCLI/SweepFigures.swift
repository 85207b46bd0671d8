import Charts
import Foundation
import LessonCore
import SiteWriter

/// The line charts behind a sweep's observations drawn again over all seeds: each series as its
/// mean over the seeds with a shaded band from the lowest to the highest seed's value.
///
/// A chart is drawn again only from what every seed's run recorded (its data table and scales), and
/// only when every seed drew the same series at the same x values; otherwise the seeds' own pages
/// are the evidence.
enum SweepFigures {
    /// The folder of the sweep's charts inside its site.
    static let folder = "sweep"

    /// Draws the charts for every observation the primary run checked, into `site/sweep/`, and returns
    /// them by observation id.
    static func draw(_ sweep: SeedSweep, into site: URL) throws -> [String: [CellOutput.Figure]] {
        guard sweep.runs.count > 1, let primary = sweep.runs.first else { return [:] }
        var drawn: [String: [CellOutput.Figure]] = [:]
        var count = 0
        for lesson in primary.lessons {
            for observation in lesson.manifest.observations {
                for label in observation.evidenceCells {
                    let figures = lineCharts(in: lesson.manifest, cell: label)
                    for (k, figure) in figures.enumerated() {
                        let perSeed = sweep.runs.map { run in
                            run.lessons.first { $0.lesson.id == lesson.lesson.id }
                                .flatMap { Self.lineCharts(in: $0.manifest, cell: label).dropFirst(k).first }
                        }
                        guard let chart = banded(figure, perSeed.compactMap { $0 }, seeds: sweep.runs.count) else { continue }
                        count += 1
                        let name = "\(observation.id)-\(count)"
                        drawn[observation.id, default: []].append(try write(chart, named: name, in: site))
                    }
                }
            }
        }
        return drawn
    }

    static func lineCharts(in manifest: OutputManifest, cell label: String) -> [CellOutput.Figure] {
        guard let cell = manifest.cells.first(where: { $0.label == label }) else { return [] }
        return cell.outputs.compactMap { output in
            if case .figure(let f) = output, f.axes != nil, f.data != nil { return f }
            return nil
        }
    }

    /// The chart over the seeds: nil unless all `seeds` runs drew it with the same series at the same
    /// x values. A line chart's data table has x in its first column and a column per series.
    static func banded(_ primary: CellOutput.Figure, _ runs: [CellOutput.Figure], seeds: Int) -> LineChart? {
        guard runs.count == seeds, seeds > 1, let axes = primary.axes, let columns = primary.data?.columns, columns.count >= 2
        else { return nil }
        /// Per series, the (x, y) points a run drew (an empty cell: the series has no point there).
        func points(_ f: CellOutput.Figure) -> [[(x: Double, y: Double)]]? {
            guard let data = f.data, data.columns == columns else { return nil }
            var series = Array(repeating: [(x: Double, y: Double)](), count: columns.count - 1)
            for row in data.rows {
                guard row.count == columns.count, let x = Double(row[0]) else { return nil }
                for s in series.indices where !row[s + 1].isEmpty {
                    guard let y = Double(row[s + 1]) else { return nil }
                    series[s].append((x, y))
                }
            }
            return series
        }
        let all = runs.compactMap(points)
        guard all.count == seeds, let first = all.first, first.contains(where: { !$0.isEmpty }),
              all.allSatisfy({ run in zip(run, first).allSatisfy { $0.map(\.x) == $1.map(\.x) } }) else { return nil }
        let series = first.indices.map { s -> LineSeries in
            let values = first[s].indices.map { i in all.map { $0[s][i].y } }
            let points = zip(first[s], values).map { ($0.x, $1.reduce(0, +) / Double($1.count)) }
            // A series every seed drew alike (the paper's numbers) is drawn as it is, without a band.
            guard values.contains(where: { $0.min()! != $0.max()! }) else { return LineSeries(name: columns[s + 1], points: points) }
            return LineSeries(name: "\(columns[s + 1]) (mean of \(seeds) seeds)", points: points,
                              band: values.map { ($0.min()!, $0.max()!) })
        }
        var chart = LineChart(title: primary.title, xLabel: axes.x, yLabel: axes.y, series: series,
                              yRange: axes.yRange.flatMap { $0.count == 2 && $0[0] < $0[1] ? $0[0]...$0[1] : nil },
                              summary: "Each line is the mean over \(seeds) seeds; the shaded band runs from the lowest to the highest seed's value.")
        if axes.logX { chart.xScale = .log }
        if axes.logY { chart.yScale = .log }
        return chart
    }

    static func write(_ chart: LineChart, named name: String, in site: URL) throws -> CellOutput.Figure {
        let folder = site.appendingPathComponent(Self.folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let png = folder.appendingPathComponent("\(name).png")
        let image = try chart.render()
        try image.write(to: png)
        var vectors: [String] = []
        for format in VectorFormat.allCases {
            try chart.render(format, to: folder.appendingPathComponent("\(name).\(format.rawValue)"))
            vectors.append("\(Self.folder)/\(name).\(format.rawValue)")
        }
        let table = chart.dataTable
        return CellOutput.Figure(file: "\(Self.folder)/\(name).png", title: chart.title, altText: chart.altText,
                                 caption: "\(chart.title): the mean over the seeds, with the range from the lowest to the highest seed shaded.",
                                 width: image.width / 2, height: image.height / 2, kind: .lineChart,
                                 data: CellOutput.Table(caption: "Data of the figure", columns: table.columns, rows: table.rows),
                                 vectorFiles: vectors)
    }
}
